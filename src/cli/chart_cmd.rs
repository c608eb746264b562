//! `creator-bot chart KIND --out FILE.png`: draws a chart as `/chart` does and writes the PNG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, Utc};
use clap::{Args, ValueEnum};

use super::Session;
use super::stats_cmd::{DEFAULT_PERIOD_DAYS, parse_date_arg};
use crate::charts::{self, ChartSpec, find};
use crate::config::Config;
use crate::domain::timefmt::{self, parse_datetime};
use crate::domain::{Handle, Period};
use crate::features::stats::Metric;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    /// Net GMV per day, its 7-day average and refunds.
    Gmv,
    /// The top 10 creators by --metric.
    Leaderboard,
    /// The share of GMV made by the top creators.
    Pareto,
    /// Creators per tier on --day and at the end of each of the 6 months before.
    Tiers,
    /// One creator's (--handle) GMV and videos per day.
    Creator,
    /// A competition's standings (--name, else the running one, else the last ended).
    Competition,
}

#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    /// What to draw.
    #[arg(value_enum)]
    pub kind: ChartKind,
    /// Where to write the PNG image.
    #[arg(long)]
    pub out: PathBuf,
    /// First day counted (YYYY-MM-DD, program timezone). Default: 29 days before today.
    #[arg(long, value_parser = parse_date_arg)]
    pub from: Option<NaiveDate>,
    /// Day after the last day counted (excluded). Default: tomorrow.
    #[arg(long, value_parser = parse_date_arg)]
    pub to: Option<NaiveDate>,
    /// leaderboard: gmv, videos or views.
    #[arg(long, default_value = "gmv")]
    pub metric: Metric,
    /// creator: the creator's TikTok handle.
    #[arg(long)]
    pub handle: Option<String>,
    /// competition: its name (default: the running one, else the last that ended).
    #[arg(long)]
    pub name: Option<String>,
    /// tiers: the day (default: today).
    #[arg(long, value_parser = parse_date_arg)]
    pub day: Option<NaiveDate>,
    /// Take this instant as "now" (RFC 3339 or local YYYY-MM-DD HH:MM), for tests and demos.
    #[arg(long, hide = true)]
    pub now: Option<String>,
}

pub async fn run(config: Config, program: Option<&str>, args: ChartArgs) -> Result<ExitCode> {
    let handle = match (args.kind, &args.handle) {
        (ChartKind::Creator, None) => {
            bail!("creator-bot chart creator needs --handle: the creator's TikTok handle")
        }
        (_, Some(h)) => Some(Handle::parse(h)?),
        (_, None) => None,
    };
    let session = Session::open(config, program).await?;
    let (pool, program) = (&session.pool, &session.program);
    let tz = program.timezone;
    let now = match &args.now {
        Some(raw) => parse_datetime(raw, tz)?,
        None => Utc::now(),
    };
    let today = timefmt::local_day(now, tz);
    let period = || Period::from_bounds(today, args.from, args.to, DEFAULT_PERIOD_DAYS);
    let spec = match args.kind {
        ChartKind::Gmv => {
            let p = period()?;
            ChartSpec::Gmv {
                from: p.from,
                to: p.to,
            }
        }
        ChartKind::Leaderboard => {
            let p = period()?;
            ChartSpec::Leaderboard {
                from: p.from,
                to: p.to,
                metric: args.metric.into(),
            }
        }
        ChartKind::Pareto => {
            let p = period()?;
            ChartSpec::Pareto {
                from: p.from,
                to: p.to,
            }
        }
        ChartKind::Tiers => ChartSpec::Tiers {
            at: args.day.unwrap_or(today),
        },
        ChartKind::Creator => {
            let p = period()?;
            let handle = handle.as_ref().context("a handle")?;
            ChartSpec::Creator {
                creator_id: find::creator_id(pool, program, handle).await?,
                from: p.from,
                to: p.to,
            }
        }
        ChartKind::Competition => ChartSpec::Competition {
            competition_id: find::competition(pool, program, args.name.as_deref(), today)
                .await?
                .id,
        },
    };
    let chart = charts::draw(pool, &session.config, program, &spec).await?;
    std::fs::write(&args.out, &chart.png)
        .with_context(|| format!("writing the chart to {}", args.out.display()))?;
    let (w, h) = session.config.charts.size();
    println!(
        "Wrote {} ({w}×{h}, {} KB): {}",
        args.out.display(),
        chart.png.len().div_ceil(1024),
        chart.alt
    );
    Ok(ExitCode::SUCCESS)
}
