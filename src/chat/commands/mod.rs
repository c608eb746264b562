//! The slash commands every chat adapter shares. An adapter turns its input into a [`Caller`] and
//! either a [`Request`] (command name, argument text, attached file) for [`respond`], or a typed
//! [`Command`] (built with [`Command::from_options`]) for [`execute`], then renders the
//! platform-neutral [`Reply`] with `chat::render`. Nothing here knows Discord or Slack.
//!
//! Order of work, so no one sees what they may not: the caller's workspace and role are resolved
//! first; then the command is looked up in the [`registry()`] and refused unless the role may run
//! it; only then are the arguments read and data touched.
//!
//! What a creator may see: their own card (`/mystats`: their sales, commission, videos, samples,
//! tier and how to move up) and, on `/leaderboard`, the top places by handle and rank only, plus
//! their own rank and value. Other creators' money or counts are never shown to a creator. Every
//! reply is ephemeral (seen only by the caller): numbers never land in a channel creators can read
//! because a staff member ran a command in the wrong place.

mod account;
pub mod args;
pub mod caller;
mod charts;
mod checkins;
pub mod command;
mod competitions;
pub mod complete;
pub mod export;
mod help;
pub mod imports;
pub mod parse;
pub mod registry;
pub mod reply;
mod reports;
mod samples;
pub mod schema;
mod setup;
pub mod stats;
mod sync;
pub mod tiers;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::app::App;
use crate::config::Config;
use crate::db::programs::Program;
use crate::domain::UserError;
use crate::domain::timefmt::local_day;
use crate::templates::Templates;

pub use caller::{Caller, Lookup, Resolved, Role, StaffSignal, lookup, resolve};
pub use command::{Command, CreatorRef};
pub use complete::complete;
pub use imports::too_large;
pub use parse::{OptionValue, ParseError, parse};
pub use registry::{Audience, CommandSpec, registry};
pub use reply::{Block, Field, Outcome, Reply, Rich, Span, Table, Visibility};

/// A file sent with a command (`/import`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// One slash command as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// With or without the slash.
    pub name: String,
    /// Everything after the name.
    pub args: String,
    pub attachment: Option<Attachment>,
}

impl Request {
    pub fn new(name: &str, args: &str) -> Request {
        Request {
            name: name.to_string(),
            args: args.to_string(),
            attachment: None,
        }
    }
}

pub const UNKNOWN_WORKSPACE: &str = "This workspace isn't connected to a creator program yet. \
The program's staff can connect it in the bot's config (discord_guild_id or slack_team_id).";
pub const LINK_FIRST: &str =
    "Your account isn't linked to a creator yet. Link it first: /link <your TikTok handle>";
pub const FAILED: &str = "Sorry, something went wrong on our side. Please try again in a moment.";

/// What a command handler needs: the app, who asks, and the time.
pub(crate) struct Context<'a> {
    pub pool: &'a PgPool,
    pub config: &'a Config,
    pub templates: &'a Templates,
    /// The platforms this process is connected to (`/setup` asks the caller's).
    pub platforms: &'a crate::chat::Platforms,
    pub caller: &'a Caller,
    pub program: &'a Program,
    pub role: &'a Role,
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    fn new<'a>(app: &'a App, caller: &'a Caller, resolved: &'a Resolved) -> Context<'a> {
        Context {
            pool: &app.pool,
            config: &app.config,
            templates: &app.templates,
            platforms: &app.platforms,
            caller,
            program: &resolved.program,
            role: &resolved.role,
            now: app.now(),
        }
    }

    /// The program-local day of `now`.
    pub fn today(&self) -> NaiveDate {
        local_day(self.now, self.program.timezone)
    }
}

/// Reads the typed command and runs it: the role is resolved and checked before the arguments
/// are read. Errors that are the user's to fix are shown to them; anything else is logged and
/// answered with a generic apology.
pub async fn respond(app: &App, caller: &Caller, request: &Request) -> Reply {
    let started = std::time::Instant::now();
    let outcome = async {
        let Some(resolved) = resolve(&app.pool, caller).await? else {
            return Ok(Reply::refused(UNKNOWN_WORKSPACE));
        };
        let Some(spec) = registry::find(&request.name) else {
            let name = request.name.trim().trim_start_matches('/');
            return Ok(Reply::refused(
                Rich::user(format!("Unknown command /{name}.")).plain(format!(
                    " Commands you can use: {}",
                    allowed_commands(&resolved.role)
                )),
            ));
        };
        if let Some(refusal) = refusal(spec, &resolved.role) {
            return Ok(Reply::refused(refusal));
        }
        match parse(spec.name, &request.args, request.attachment.as_ref()) {
            Ok(command) => run(&Context::new(app, caller, &resolved), command).await,
            Err(e) => Ok(usage_error(e)),
        }
    };
    let reply = answer(caller, &request.name, outcome.await);
    // Only registered names become metric labels: what people type must not.
    let label = registry::find(&request.name).map_or("unknown", |spec| spec.name);
    crate::metrics::record_command(caller.platform.as_str(), label, started.elapsed());
    reply
}

/// Runs a command already typed by the platform (see [`Command::from_options`]).
pub async fn execute(app: &App, caller: &Caller, command: Command) -> Reply {
    let started = std::time::Instant::now();
    let name = command.name();
    let outcome = async {
        let Some(resolved) = resolve(&app.pool, caller).await? else {
            return Ok(Reply::refused(UNKNOWN_WORKSPACE));
        };
        checked_run(app, caller, &resolved, command).await
    };
    let reply = answer(caller, name, outcome.await);
    crate::metrics::record_command(caller.platform.as_str(), name, started.elapsed());
    reply
}

/// [`execute`] for a caller the adapter resolved already (it had to know their role before
/// reading the options, e.g. before downloading an attachment): the role is checked again, the
/// database is not asked again.
pub async fn execute_resolved(
    app: &App,
    caller: &Caller,
    resolved: &Resolved,
    command: Command,
) -> Reply {
    let started = std::time::Instant::now();
    let name = command.name();
    let reply = answer(
        caller,
        name,
        checked_run(app, caller, resolved, command).await,
    );
    crate::metrics::record_command(caller.platform.as_str(), name, started.elapsed());
    reply
}

async fn checked_run(
    app: &App,
    caller: &Caller,
    resolved: &Resolved,
    command: Command,
) -> Result<Reply> {
    let spec = registry::find(command.name()).expect("every command is registered");
    if let Some(refusal) = refusal(spec, &resolved.role) {
        return Ok(Reply::refused(refusal));
    }
    run(&Context::new(app, caller, resolved), command).await
}

/// A command that could not be read: what is wrong, then how to write it.
pub fn usage_error(e: ParseError) -> Reply {
    match e {
        ParseError::Usage { spec, message } => {
            Reply::refused(Rich::user(sentence(&message))).line(spec.usage_text())
        }
        e @ ParseError::UnknownCommand(_) => Reply::refused(Rich::user(sentence(&e.to_string()))),
    }
}

fn answer(caller: &Caller, command: &str, outcome: Result<Reply>) -> Reply {
    match outcome {
        Ok(reply) => reply,
        Err(e) => match UserError::of(&e) {
            Some(text) => Reply::refused(Rich::user(sentence(&text.0))),
            None => {
                tracing::error!(
                    command = %command,
                    platform = caller.platform.as_str(),
                    workspace = %caller.workspace_id,
                    user = %caller.user_id,
                    "command failed: {e:#}"
                );
                Reply::of(Outcome::Failed, FAILED)
            }
        },
    }
}

async fn run(ctx: &Context<'_>, command: Command) -> Result<Reply> {
    match command {
        Command::Creator { who, period } => stats::creator(ctx, who, period).await,
        Command::Kpi { period } => stats::kpi(ctx, period).await,
        Command::Leaderboard { metric, period } => stats::leaderboard(ctx, metric, period).await,
        Command::MyStats { period } => stats::my_stats(ctx, period).await,
        Command::Chart(request) => charts::run(ctx, request).await,
        Command::Tier(action) => tiers::run(ctx, action).await,
        Command::Sample {
            event,
            handle,
            product_id,
            day,
        } => samples::record(ctx, event, &handle, &product_id, day).await,
        Command::Link { handle } => account::link(ctx, &handle).await,
        Command::OptOut => account::opt_out(ctx).await,
        Command::OptIn => account::opt_in(ctx).await,
        Command::Competition(action) => competitions::run(ctx, action).await,
        Command::Report(kind) => reports::run(ctx, kind).await,
        Command::Import { kind, file } => imports::run(ctx, kind, &file).await,
        Command::CheckIn { answer } => checkins::answer(ctx, &answer).await,
        Command::Sync => sync::run(ctx).await,
        Command::Setup => setup::run(ctx).await,
        Command::Help { command } => Ok(help::help(ctx.role, command.as_deref())),
    }
}

/// Why `role` may not run `spec`, or `None` when it may.
pub fn refusal(spec: &CommandSpec, role: &Role) -> Option<String> {
    let name = spec.name;
    match (spec.audience, role) {
        (Audience::Everyone, _)
        | (Audience::Staff, Role::Staff { .. })
        | (Audience::Creators, Role::Creator { .. })
        | (Audience::StaffAndCreators, Role::Staff { .. } | Role::Creator { .. })
        | (Audience::Unlinked, Role::Stranger) => None,
        (Audience::Staff, Role::Creator { .. }) => Some(format!(
            "/{name} is for the program's staff only. Use /mystats to see your own numbers."
        )),
        (Audience::Staff, Role::Stranger) => Some(format!(
            "/{name} is for the program's staff only. If you are a creator in the program, \
             link your account first: /link <your TikTok handle>"
        )),
        (Audience::Creators | Audience::StaffAndCreators, Role::Stranger) => {
            Some(LINK_FIRST.to_string())
        }
        (Audience::Creators, Role::Staff { .. }) => Some(format!(
            "/{name} is for creators; your account belongs to the program's staff."
        )),
        (Audience::Unlinked, Role::Staff { .. }) => Some(sentence(
            &crate::features::linking::LinkError::StaffAccount.to_string(),
        )),
        (Audience::Unlinked, Role::Creator { handle, .. }) => Some(sentence(
            &crate::features::linking::LinkError::AlreadyLinked(handle.clone()).to_string(),
        )),
    }
}

/// The commands `role` may run, as `/a, /b, /c`.
fn allowed_commands(role: &Role) -> String {
    registry()
        .iter()
        .filter(|c| refusal(c, role).is_none())
        .map(|c| format!("/{}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text with its first letter capitalised, as chat replies start.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
