//! `creator-bot tiers review|check` and `creator-bot tier set|unpin|why`: argument parsing and
//! rendering of the tier features as text or JSON.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::Subcommand;

use super::{Format, Session};
use crate::chat::commands::tiers::why_reply;
use crate::config::Config;
use crate::domain::timefmt::parse_datetime;
use crate::domain::{Handle, Tier};
use crate::features::tiers::{self, PinOutcome, TierRun, TierWhy};

#[derive(Debug, Subcommand)]
pub enum TiersCommand {
    /// Monthly review: every creator who is not pinned gets the tier their numbers earn.
    Review {
        /// The instant judged (RFC 3339, or YYYY-MM-DD or YYYY-MM-DD HH:MM in the program's time zone);
        /// default now.
        #[arg(long)]
        at: Option<String>,
        /// Print what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Daily check: promotions and viral jumps only; demotions wait for the monthly review.
    Check {
        #[arg(long)]
        at: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum TierCommand {
    /// Pin a creator's tier by hand; reviews and checks leave it alone until unpinned.
    Set {
        handle: String,
        /// all_stars, steady_earners or new_and_promising (or 1, 2, 3).
        tier: String,
        #[arg(long)]
        reason: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Release a pin: the next review or check decides the tier.
    Unpin {
        handle: String,
        #[arg(long)]
        reason: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Why a creator is in their tier, and what it takes to move up.
    Why {
        handle: String,
        #[arg(long)]
        at: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

pub async fn run_tiers(
    config: Config,
    program: Option<&str>,
    cmd: TiersCommand,
) -> Result<ExitCode> {
    let s = Session::open(config, program).await?;
    let tz = s.program.timezone;
    let cfg = &s.config.tiers;
    let (result, format) = match cmd {
        TiersCommand::Review {
            at,
            dry_run,
            format,
        } => {
            let at = instant(at.as_deref(), tz)?;
            (
                tiers::review(&s.pool, &s.program, cfg, at, dry_run).await?,
                format,
            )
        }
        TiersCommand::Check { at, format } => {
            let at = instant(at.as_deref(), tz)?;
            (tiers::check(&s.pool, &s.program, cfg, at).await?, format)
        }
    };
    println!("{}", render_run(&result, tz, format)?);
    Ok(ExitCode::SUCCESS)
}

pub async fn run_tier(config: Config, program: Option<&str>, cmd: TierCommand) -> Result<ExitCode> {
    let s = Session::open(config, program).await?;
    let tz = s.program.timezone;
    let out = match cmd {
        TierCommand::Set {
            handle,
            tier,
            reason,
            format,
        } => {
            let handle = Handle::parse(&handle)?;
            let tier: Tier = tier.parse()?;
            let done = tiers::set(
                &s.pool,
                &s.program,
                &handle,
                tier,
                &reason,
                &cli_user(),
                Utc::now(),
            )
            .await?;
            render_pin(&done, format)?
        }
        TierCommand::Unpin {
            handle,
            reason,
            format,
        } => {
            let handle = Handle::parse(&handle)?;
            let done = tiers::unpin(
                &s.pool,
                &s.program,
                &handle,
                &reason,
                &cli_user(),
                Utc::now(),
            )
            .await?;
            render_pin(&done, format)?
        }
        TierCommand::Why { handle, at, format } => {
            let handle = Handle::parse(&handle)?;
            let at = instant(at.as_deref(), tz)?;
            let why = tiers::why(&s.pool, &s.program, &s.config.tiers, &handle, at).await?;
            render_why(&why, tz, format)?
        }
    };
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `--at` read in the program's time zone, or now.
fn instant(at: Option<&str>, tz: Tz) -> Result<DateTime<Utc>> {
    match at {
        Some(raw) => Ok(parse_datetime(raw, tz)?),
        None => Ok(Utc::now()),
    }
}

/// Who a hand-made change is recorded as: the login name, else `cli`.
fn cli_user() -> String {
    std::env::var("USER")
        .ok()
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "cli".into())
}

fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(value).context("writing JSON")
}

fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A review or check: the summary, then one line per change.
pub fn render_run(run: &TierRun, tz: Tz, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(run);
    }
    let title = match run.run {
        "monthly_review" => "Monthly review",
        _ => "Daily check",
    };
    let mut out = format!("{title} at {}", local(run.at, tz));
    if run.dry_run {
        out.push_str(" (dry run: nothing written)");
    }
    out.push_str(&format!(
        "\npromoted {}, demoted {}, unchanged {}, pinned skipped {}",
        run.promoted, run.demoted, run.unchanged, run.pinned_skipped
    ));
    for c in &run.changes {
        out.push_str(&format!(
            "\n@{}: {} → {} ({})",
            c.handle, c.from, c.to, c.reason
        ));
    }
    if run.alerts_queued > 0 {
        let s = if run.alerts_queued == 1 { "" } else { "s" };
        out.push_str(&format!(
            "\n{} viral staff alert{s} queued",
            run.alerts_queued
        ));
    }
    Ok(out)
}

/// A pin or unpin as one line.
pub fn render_pin(p: &PinOutcome, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(p);
    }
    Ok(match (p.pinned, p.from == p.to) {
        (true, true) => format!(
            "@{}: pinned in {} by {} ({})",
            p.handle, p.to, p.changed_by, p.reason
        ),
        (true, false) => format!(
            "@{}: {} → {}, pinned by {} ({})",
            p.handle, p.from, p.to, p.changed_by, p.reason
        ),
        (false, _) => format!(
            "@{}: unpinned from {} by {} ({}); the next review or check decides",
            p.handle, p.to, p.changed_by, p.reason
        ),
    })
}

/// The tier, the reason, the numbers and the way up: the chat's reply, as text.
pub fn render_why(w: &TierWhy, tz: Tz, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(w);
    }
    Ok(why_reply(w, tz).text())
}
