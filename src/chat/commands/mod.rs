//! The slash commands every chat adapter shares. An adapter turns its input into a [`Caller`] and
//! a [`Request`] (command name, argument text, attached file), calls [`respond`] and renders the
//! platform-neutral [`Reply`]. Nothing here knows Discord or Slack.
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
mod checkins;
mod competitions;
mod imports;
pub mod parse;
pub mod registry;
pub mod reply;
mod reports;
mod samples;
mod stats;
mod tiers;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::config::Config;
use crate::db::programs::Program;
use crate::domain::timefmt::local_day;
use crate::templates::Templates;

pub use caller::{Caller, Resolved, Role, resolve};
pub use parse::{Command, CreatorRef, ParseError, parse};
pub use registry::{Audience, CommandSpec, registry};
pub use reply::{Block, Outcome, Reply, Table, Visibility};

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
    /// Everything after the name (Discord options joined with spaces).
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

/// What a command handler needs: the database, the config, who asks, and the time.
pub(crate) struct Context<'a> {
    pub pool: &'a PgPool,
    pub config: &'a Config,
    pub templates: &'a Templates,
    pub caller: &'a Caller,
    pub program: &'a Program,
    pub role: &'a Role,
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    /// The program-local day of `now`.
    pub fn today(&self) -> NaiveDate {
        local_day(self.now, self.program.timezone)
    }
}

/// Runs one command for `caller` at `now` and answers it. Errors that are the user's to fix are
/// shown to them; anything else is logged and answered with a generic apology.
pub async fn respond(
    pool: &PgPool,
    config: &Config,
    templates: &Templates,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Reply {
    match run(pool, config, templates, caller, request, now).await {
        Ok(reply) => reply,
        Err(e) => match user_error(&e) {
            Some(text) => Reply::of(Outcome::Invalid, sentence(&text)),
            None => {
                tracing::error!(
                    command = %request.name,
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

async fn run(
    pool: &PgPool,
    config: &Config,
    templates: &Templates,
    caller: &Caller,
    request: &Request,
    now: DateTime<Utc>,
) -> Result<Reply> {
    let Some(Resolved { program, role }) = resolve(pool, caller).await? else {
        return Ok(Reply::of(Outcome::Denied, UNKNOWN_WORKSPACE));
    };
    let Some(spec) = registry::find(&request.name) else {
        let name = request.name.trim().trim_start_matches('/');
        return Ok(Reply::of(
            Outcome::Invalid,
            format!(
                "Unknown command /{name}. Commands you can use: {}",
                allowed_commands(&role)
            ),
        ));
    };
    if let Some(refusal) = refusal(spec, &role) {
        return Ok(Reply::of(Outcome::Denied, refusal));
    }
    let file_name = request.attachment.as_ref().map(|a| a.file_name.as_str());
    let command = match parse(spec.name, &request.args, file_name) {
        Ok(command) => command,
        Err(ParseError::Usage { spec, message }) => {
            return Ok(Reply::of(
                Outcome::Invalid,
                format!("{}\n{}", sentence(&message), spec.usage_text()),
            ));
        }
        Err(e @ ParseError::UnknownCommand(_)) => {
            return Ok(Reply::of(Outcome::Invalid, sentence(&e.to_string())));
        }
    };
    if !spec.available {
        return Ok(Reply::of(
            Outcome::Unavailable,
            format!("/{} is not available in this workspace yet.", spec.name),
        ));
    }
    let ctx = Context {
        pool,
        config,
        templates,
        caller,
        program: &program,
        role: &role,
        now,
    };
    dispatch(&ctx, command, request.attachment.as_ref()).await
}

async fn dispatch(
    ctx: &Context<'_>,
    command: Command,
    attachment: Option<&Attachment>,
) -> Result<Reply> {
    match command {
        Command::Creator { who, period } => stats::creator(ctx, who, period).await,
        Command::Kpi { period } => stats::kpi(ctx, period).await,
        Command::Leaderboard { metric, period } => stats::leaderboard(ctx, metric, period).await,
        Command::MyStats { period } => stats::my_stats(ctx, period).await,
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
        Command::Import { kind, file_name } => {
            imports::run(ctx, kind, &file_name, attachment).await
        }
        Command::CheckIn { answer } => checkins::answer(ctx, &answer).await,
    }
}

/// Why `role` may not run `spec`, or `None` when it may.
pub fn refusal(spec: &CommandSpec, role: &Role) -> Option<String> {
    let name = spec.name;
    match (spec.audience, role) {
        (Audience::Staff, Role::Staff { .. })
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

/// The text of an error that is the user's to fix (a domain or feature refusal), if it is one.
fn user_error(e: &anyhow::Error) -> Option<String> {
    use crate::domain::handle::HandleError;
    use crate::domain::period::PeriodError;
    use crate::domain::tier_rules::TierError;
    use crate::features::linking::LinkError;
    use crate::features::samples::SampleError;
    use crate::features::stats::UnknownCreator;
    if let Some(e) = e.downcast_ref::<UnknownCreator>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<TierError>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<LinkError>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<SampleError>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<HandleError>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<crate::features::cadences::competitions::CompetitionError>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<crate::features::cadences::checkins::AnswerError>() {
        return Some(e.to_string());
    }
    if let Some(e) = e.downcast_ref::<crate::features::import::ImportError>() {
        return Some(e.to_string());
    }
    e.downcast_ref::<PeriodError>().map(|e| e.to_string())
}

/// The text with its first letter capitalised, as chat replies start.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
