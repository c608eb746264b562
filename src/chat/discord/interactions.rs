//! Slash commands and autocomplete. The registry is turned into poise commands (one action for
//! all, since the registry, not poise, knows each command's options) so poise routes each
//! interaction by command and subcommand; what Discord registers comes from the registry's own
//! export, so choices and limits are exactly the registry's. Each interaction becomes a [`Caller`]
//! (staff: holding the program's staff role, read from the interaction's member roles) and a
//! typed [`Command`], and the reply is sent as an ephemeral embed. Slow commands are deferred at
//! once and their answer edited in, so Discord's 3-second deadline is never missed.

use poise::serenity_prelude as serenity;
use serenity::{
    CommandDataOption, CommandDataOptionValue, CommandInteraction, CreateAllowedMentions,
    CreateAttachment, CreateAutocompleteResponse, CreateEmbed, CreateEmbedFooter,
    CreateInteractionResponse, CreateInteractionResponseMessage, EditInteractionResponse,
};

use super::client::{Bot, Error};
use super::errors::describe;
use crate::app::App;
use crate::chat::commands::{
    self, Attachment, Caller, Command, OptionValue, Reply, Resolved, StaffSignal, complete,
    registry,
};
use crate::chat::render::{DiscordReply, discord};
use crate::chat::sender::Platform;

type Context<'a> = poise::ApplicationContext<'a, Bot, Error>;
type Action<'a> = poise::BoxFuture<'a, Result<(), poise::FrameworkError<'a, Bot, Error>>>;

/// The registry as poise commands: names, subcommands and the options that take suggestions
/// (poise routes autocomplete by option name).
pub fn commands() -> Vec<poise::Command<Bot, Error>> {
    registry()
        .iter()
        .map(|spec| {
            let subcommands = spec
                .subcommands
                .iter()
                .map(|sub| poise::Command {
                    name: sub.name.into(),
                    qualified_name: format!("{} {}", spec.name, sub.name).into(),
                    identifying_name: format!("{}_{}", spec.name, sub.name).into(),
                    description: Some(sub.description.into()),
                    slash_action: Some(slash_action),
                    parameters: parameters(sub.options),
                    ..Default::default()
                })
                .collect::<Vec<_>>();
            poise::Command {
                name: spec.name.into(),
                qualified_name: spec.name.into(),
                identifying_name: spec.name.into(),
                description: Some(spec.description.into()),
                slash_action: Some(slash_action),
                subcommand_required: !subcommands.is_empty(),
                subcommands,
                parameters: parameters(spec.options),
                ..Default::default()
            }
        })
        .collect()
}

fn parameters(
    options: &'static [commands::registry::OptionSpec],
) -> Vec<poise::CommandParameter<Bot, Error>> {
    options
        .iter()
        .map(|o| poise::CommandParameter {
            name: o.name.into(),
            name_localizations: Vec::new().into(),
            description: Some(o.description.into()),
            description_localizations: Vec::new().into(),
            required: o.required,
            channel_types: None,
            choices: Vec::new().into(),
            type_setter: None,
            autocomplete_callback: o.suggest.map(|_| autocomplete as _),
            // poise's struct has no other constructor for parameters built at run time.
            __non_exhaustive: (),
        })
        .collect()
}

fn slash_action(ctx: Context<'_>) -> Action<'_> {
    Box::pin(async move {
        if let Err(e) = answer(ctx).await {
            tracing::warn!(
                command = %ctx.interaction.data.name,
                "answering a Discord command failed: {}",
                describe(&e)
            );
        }
        Ok(())
    })
}

/// poise's own errors (an interaction whose shape does not match the commands, after a change
/// of commands mid-flight): logged, never shown as a stack of text to the user.
pub async fn on_error(error: poise::FrameworkError<'_, Bot, Error>) {
    tracing::warn!("Discord interaction not handled: {error}");
}

/// A reply not ready after this long is deferred whatever the command, so Discord's 3-second
/// deadline holds even when the database is slow.
const DEFER_AFTER: std::time::Duration = std::time::Duration::from_millis(1_500);

/// While other interactions are being answered, a reply not ready after this long is deferred.
const DEFER_IN_A_CROWD: std::time::Duration = std::time::Duration::from_millis(20);

async fn answer(ctx: Context<'_>) -> Result<(), serenity::Error> {
    let interaction = ctx.interaction;
    let http = &ctx.serenity_context().http;
    let app = &ctx.data().app;
    // Slow commands are deferred at once, and so is every command that arrives while others are
    // being answered: in a burst each member sees the bot respond within milliseconds and gets
    // the answer as soon as it is ready, rather than waiting in line without a sign of life (or
    // past Discord's deadline). A command alone is answered in one response when its answer is
    // ready in time.
    let in_flight = InFlight::enter(&ctx.data().state.in_flight);
    let slow = registry::find(&interaction.data.name).is_some_and(|spec| spec.slow);
    let defer = || async {
        let defer = CreateInteractionResponseMessage::new().ephemeral(true);
        interaction
            .create_response(http, CreateInteractionResponse::Defer(defer))
            .await
    };
    let mut work = std::pin::pin!(reply(app, interaction));
    let (reply, deferred) = if slow || in_flight.others > 0 {
        defer().await?;
        (work.await, true)
    } else {
        tokio::select! {
            reply = &mut work => (reply, false),
            () = in_flight.patience() => {
                defer().await?;
                (work.await, true)
            }
        }
    };
    let reply = discord(&reply);
    if deferred {
        interaction.edit_response(http, edited(reply)).await?;
    } else {
        interaction
            .create_response(http, CreateInteractionResponse::Message(message(reply)))
            .await?;
    }
    Ok(())
}

/// Counts the interactions being answered; one is counted from [`InFlight::enter`] until dropped.
struct InFlight<'a> {
    count: &'a std::sync::atomic::AtomicUsize,
    /// How many others were being answered when this one came in.
    others: usize,
}

impl<'a> InFlight<'a> {
    fn enter(count: &'a std::sync::atomic::AtomicUsize) -> InFlight<'a> {
        let others = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        InFlight { count, others }
    }

    /// Returns when an answer still not ready should be deferred: after [`DEFER_AFTER`], or
    /// after [`DEFER_IN_A_CROWD`] once others are being answered too.
    async fn patience(&self) {
        let started = tokio::time::Instant::now();
        loop {
            let waited = started.elapsed();
            let crowded = self.count.load(std::sync::atomic::Ordering::Relaxed) > 1;
            if waited >= DEFER_AFTER || (crowded && waited >= DEFER_IN_A_CROWD) {
                return;
            }
            let next = if crowded {
                DEFER_IN_A_CROWD - waited
            } else {
                std::time::Duration::from_millis(10).min(DEFER_AFTER - waited)
            };
            tokio::time::sleep(next).await;
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.count
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Who is asking and what they are to the program, in one database round trip: the guild is the
/// workspace, the member's roles say whether they are staff. `None`: the server is not a
/// program's.
pub async fn caller(
    app: &App,
    interaction: &CommandInteraction,
) -> anyhow::Result<(Caller, Option<Resolved>)> {
    let workspace = interaction
        .guild_id
        .map(|g| g.to_string())
        .unwrap_or_default();
    let user = &interaction.user;
    // Discord resolves the member's permissions in the channel into the interaction.
    let admin = interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator());
    let mut caller = Caller::new(Platform::Discord, &workspace, &user.id.to_string())
        .with_workspace_admin(admin);
    let Some(lookup) = commands::lookup(&app.pool, &caller).await? else {
        return Ok((caller, None));
    };
    // No staff role mapped yet (before setup): staff are the linked staff accounts.
    if let Some(staff_role) = &lookup.staff_role {
        let holds = interaction
            .member
            .as_ref()
            .is_some_and(|m| m.roles.iter().any(|r| r.get().to_string() == *staff_role));
        let signal = if holds {
            let name = interaction
                .member
                .as_ref()
                .and_then(|m| m.nick.clone())
                .or_else(|| user.global_name.clone())
                .unwrap_or_else(|| user.name.clone());
            StaffSignal::Staff { name }
        } else {
            StaffSignal::NotStaff
        };
        caller = caller.with_staff(signal);
    }
    let resolved = lookup.resolve(&caller);
    Ok((caller, Some(resolved)))
}

/// The reply to one command interaction.
async fn reply(app: &App, interaction: &CommandInteraction) -> Reply {
    let Some(spec) = registry::find(&interaction.data.name) else {
        return Reply::refused("This command no longer exists. Type / to see the current ones.");
    };
    if interaction.guild_id.is_none() {
        return Reply::refused("Use the program's commands in its Discord server.");
    }
    // Who may run it is settled before any option is read (an attachment is downloaded only for
    // someone allowed to import).
    let (caller, resolved) = match caller(app, interaction).await {
        Ok((_, None)) => return Reply::refused(commands::UNKNOWN_WORKSPACE),
        Ok((caller, Some(resolved))) => (caller, resolved),
        Err(e) => {
            tracing::error!("reading a Discord caller: {e:#}");
            return Reply::of(commands::Outcome::Failed, commands::FAILED);
        }
    };
    if let Some(refusal) = commands::refusal(spec, &resolved.role) {
        return Reply::refused(refusal);
    }
    let (subcommand, options) = split_subcommand(&interaction.data.options);
    let mut values = Vec::with_capacity(options.len());
    for option in options {
        match value(app, interaction, option).await {
            Ok(Some(v)) => values.push((option.name.as_str(), v)),
            Ok(None) => {}
            Err(refusal) => return refusal,
        }
    }
    match Command::from_options(spec, subcommand, &values) {
        Ok(command) => commands::execute_resolved(app, &caller, &resolved, command).await,
        Err(e) => commands::usage_error(e),
    }
}

/// The subcommand's name (if any) and the options of the form used.
fn split_subcommand(options: &[CommandDataOption]) -> (Option<&str>, &[CommandDataOption]) {
    match options.first() {
        Some(CommandDataOption {
            name,
            value: CommandDataOptionValue::SubCommand(inner),
            ..
        }) => (Some(name.as_str()), inner.as_slice()),
        _ => (None, options),
    }
}

/// One option as the command layer takes it; an attachment is downloaded (within
/// `import.max_upload_bytes`).
async fn value(
    app: &App,
    interaction: &CommandInteraction,
    option: &CommandDataOption,
) -> Result<Option<OptionValue>, Reply> {
    Ok(Some(match &option.value {
        CommandDataOptionValue::String(s) => OptionValue::Text(s.clone()),
        CommandDataOptionValue::Integer(n) => OptionValue::Integer(*n),
        CommandDataOptionValue::User(id) => OptionValue::User(id.to_string()),
        CommandDataOptionValue::Attachment(id) => {
            let Some(file) = interaction.data.resolved.attachments.get(id) else {
                return Err(Reply::refused(
                    "The attached file did not arrive; attach it again.",
                ));
            };
            let limit = app.config.import.max_upload_bytes;
            if u64::from(file.size) > limit {
                return Err(commands::too_large(
                    &file.filename,
                    u64::from(file.size),
                    limit,
                ));
            }
            let bytes = file.download().await.map_err(|e| {
                tracing::warn!(file = %file.filename, "downloading an attachment: {}", describe(&e));
                Reply::of(
                    commands::Outcome::Failed,
                    "The attached file could not be downloaded from Discord. Please try again.",
                )
            })?;
            OptionValue::Attachment(Attachment {
                file_name: file.filename.clone(),
                bytes,
            })
        }
        CommandDataOptionValue::Boolean(b) => OptionValue::Text(b.to_string()),
        CommandDataOptionValue::Number(n) => OptionValue::Text(n.to_string()),
        _ => return Ok(None),
    }))
}

fn embeds(reply: &DiscordReply) -> Vec<CreateEmbed> {
    reply
        .embeds
        .iter()
        .map(|e| {
            let mut embed = CreateEmbed::new();
            if let Some(t) = &e.title {
                embed = embed.title(t);
            }
            if let Some(d) = &e.description {
                embed = embed.description(d);
            }
            for f in &e.fields {
                embed = embed.field(&f.name, &f.value, f.inline);
            }
            if let Some(f) = &e.footer {
                embed = embed.footer(CreateEmbedFooter::new(f));
            }
            if let Some(i) = &e.image {
                embed = embed.image(i);
            }
            if let Some(c) = e.colour {
                embed = embed.colour(c);
            }
            embed
        })
        .collect()
}

fn message(reply: DiscordReply) -> CreateInteractionResponseMessage {
    let mut m = CreateInteractionResponseMessage::new()
        .ephemeral(true)
        .allowed_mentions(CreateAllowedMentions::new())
        .embeds(embeds(&reply));
    if !reply.content.is_empty() {
        m = m.content(reply.content);
    }
    for f in reply.files {
        m = m.add_file(CreateAttachment::bytes(f.bytes, f.file_name));
    }
    m
}

fn edited(reply: DiscordReply) -> EditInteractionResponse {
    let mut m = EditInteractionResponse::new()
        .allowed_mentions(CreateAllowedMentions::new())
        .embeds(embeds(&reply));
    if !reply.content.is_empty() {
        m = m.content(reply.content);
    }
    for f in reply.files {
        m = m.new_attachment(CreateAttachment::bytes(f.bytes, f.file_name));
    }
    m
}

/// Suggestions for the option being typed, from the command layer (a creator gets only their
/// own handle).
fn autocomplete<'a>(
    ctx: Context<'a>,
    partial: &'a str,
) -> poise::BoxFuture<'a, CreateAutocompleteResponse> {
    Box::pin(async move {
        let interaction = ctx.interaction;
        let mut response = CreateAutocompleteResponse::new();
        let Some(focused) = interaction.data.autocomplete() else {
            return response;
        };
        let caller = match caller(&ctx.data().app, interaction).await {
            Ok((c, _)) => c,
            Err(e) => {
                tracing::warn!("reading a Discord caller for suggestions: {e:#}");
                return response;
            }
        };
        let (subcommand, _) = split_subcommand(&interaction.data.options);
        let suggestions = complete(
            &ctx.data().app,
            &caller,
            &interaction.data.name,
            subcommand,
            focused.name,
            partial,
        )
        .await;
        for s in suggestions {
            response = response.add_string_choice(s.label, s.value);
        }
        response
    })
}
