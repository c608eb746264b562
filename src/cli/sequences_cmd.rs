//! `creator-bot sequences`: queues every sequence step and milestone due now (or at `--at`), as
//! the scheduler does on each run, and says what it queued.

use std::process::ExitCode;

use anyhow::Result;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::Args;

use super::{Format, Session};
use crate::config::Config;
use crate::domain::timefmt::parse_datetime;
use crate::features::sequences::{Scheduled, schedule};
use crate::templates::Templates;

#[derive(Debug, Args)]
pub struct SequencesArgs {
    /// The instant judged (RFC 3339, or YYYY-MM-DD or YYYY-MM-DD HH:MM in the program's time zone);
    /// default now.
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub async fn run(config: Config, program: Option<&str>, args: SequencesArgs) -> Result<ExitCode> {
    // A broken template stops the command before anything is read or queued.
    let templates = Templates::load(&config.lifecycle.templates_dir)?;
    let s = Session::open(config, program).await?;
    let at = match args.at.as_deref() {
        Some(raw) => parse_datetime(raw, s.program.timezone)?,
        None => Utc::now(),
    };
    let done = schedule(&s.pool, &s.program, &s.config, &templates, at).await?;
    println!("{}", render(&done, at, s.program.timezone, args.format)?);
    Ok(ExitCode::SUCCESS)
}

/// The run as text (one line per kind of change) or JSON (`at` plus the counts).
pub fn render(done: &Scheduled, at: DateTime<Utc>, tz: Tz, format: Format) -> Result<String> {
    if format == Format::Json {
        let mut value = serde_json::to_value(done)?;
        value["at"] = serde_json::Value::String(at.to_rfc3339());
        return Ok(serde_json::to_string_pretty(&value)?);
    }
    Ok(format!(
        "Sequences at {}\n\
         queued DMs: {} onboarding, {} sample follow-up, {} reactivation, {} first-post thanks, \
         {} milestones, {} promotion notes\n\
         queued staff alerts: {}\n\
         cancelled: {}\n\
         stage moves: {} to onboarding, {} to awaiting first post, {} to active, {} to dormant",
        at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
        done.onboarding,
        done.activation,
        done.reactivation,
        done.first_posts,
        done.milestones,
        done.promotions,
        done.staff_alerts,
        done.cancelled,
        done.to_onboarding,
        done.to_awaiting_first_post,
        done.to_active,
        done.to_dormant,
    ))
}
