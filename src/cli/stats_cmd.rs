//! `creator-bot kpi`, `creator-bot creator HANDLE` and `creator-bot leaderboard`: the stats for
//! people (the chat's replies, rendered as text) or as JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use clap::Args;
use serde::Serialize;

use super::{Format, Session};
use crate::chat::commands::Reply;
use crate::chat::commands::stats::{creator_reply, kpi_reply, leaderboard_reply};
use crate::config::Config;
use crate::domain::timefmt::{self, parse_date, parse_datetime};
use crate::domain::{Handle, Period};
use crate::features::stats::{self, Metric};

/// Days covered when neither --from nor --to is given.
pub const DEFAULT_PERIOD_DAYS: u32 = 30;

#[derive(Debug, Clone, Args)]
pub struct PeriodArgs {
    /// First day counted (YYYY-MM-DD, program timezone). Default: 29 days before today.
    #[arg(long, value_parser = parse_date_arg)]
    pub from: Option<NaiveDate>,
    /// Day after the last day counted (excluded). Default: tomorrow.
    #[arg(long, value_parser = parse_date_arg)]
    pub to: Option<NaiveDate>,
    /// Take this instant as "now" (RFC 3339 or local YYYY-MM-DD HH:MM), for tests and demos.
    #[arg(long, hide = true)]
    pub now: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

impl PeriodArgs {
    /// The period asked for; "today" is the program-local day of `--now` (or the clock).
    pub fn period(&self, tz: Tz) -> Result<Period> {
        let now = match &self.now {
            Some(raw) => parse_datetime(raw, tz)?,
            None => Utc::now(),
        };
        let today = timefmt::local_day(now, tz);
        Ok(Period::from_bounds(
            today,
            self.from,
            self.to,
            DEFAULT_PERIOD_DAYS,
        )?)
    }
}

pub(super) fn parse_date_arg(raw: &str) -> Result<NaiveDate, String> {
    parse_date(raw).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Args)]
pub struct KpiArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CreatorArgs {
    /// TikTok handle, with or without '@'.
    pub handle: String,
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LeaderboardArgs {
    /// gmv, videos or views.
    #[arg(long, default_value = "gmv")]
    pub metric: Metric,
    /// How many places to show.
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    #[command(flatten)]
    pub period: PeriodArgs,
}

pub async fn kpi(config: Config, program: Option<&str>, args: KpiArgs) -> Result<ExitCode> {
    let session = Session::open(config, program).await?;
    let period = args.period.period(session.program.timezone)?;
    let kpis = stats::program_kpis(&session.pool, &session.program, period).await?;
    print(args.period.format, &kpis, || {
        people(kpi_reply(&session.program.name, &kpis))
    })
}

pub async fn creator(config: Config, program: Option<&str>, args: CreatorArgs) -> Result<ExitCode> {
    let handle = Handle::parse(&args.handle)?;
    let session = Session::open(config, program).await?;
    let period = args.period.period(session.program.timezone)?;
    let card = stats::creator_card(&session.pool, &session.program, &handle, period).await?;
    let tz = session.program.timezone;
    print(args.period.format, &card, || {
        people(creator_reply(&card, tz))
    })
}

pub async fn leaderboard(
    config: Config,
    program: Option<&str>,
    args: LeaderboardArgs,
) -> Result<ExitCode> {
    let session = Session::open(config, program).await?;
    let period = args.period.period(session.program.timezone)?;
    let rows = stats::leaderboard(
        &session.pool,
        &session.program,
        args.metric,
        period,
        args.limit,
    )
    .await?;
    let currency = session.program.currency.clone();
    print(args.period.format, &rows, || {
        people(leaderboard_reply(args.metric, period, &currency, &rows))
    })
}

/// A reply as the command line prints it: the chat's reply, as the console renders it.
fn people(reply: Reply) -> String {
    format!("{}\n", reply.text())
}

fn print<T: Serialize>(
    format: Format,
    value: &T,
    table: impl FnOnce() -> String,
) -> Result<ExitCode> {
    let text = match format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(value)?),
        Format::Table => table(),
    };
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // `creator-bot kpi | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other.context("writing to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
