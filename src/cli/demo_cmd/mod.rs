//! `creator-bot demo`: generates the synthetic program and imports it, then runs it in the
//! console workspace on a simulated clock ([`workspace`]) — posts, DMs and tier changes printed as
//! they happen, slash commands typed on stdin — and ends with the KPI summary, the tier mix and
//! the top-10 leaderboard.

mod pace;
mod typed;
pub mod workspace;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{NaiveDate, Utc};
use clap::Args;

use crate::chat::commands::stats::{kpi_reply, leaderboard_reply};
use crate::config::Config;
use crate::db;
use crate::db::programs::Program;
use crate::domain::timefmt::{local_day, parse_date};
use crate::features::demo::{self, DEMO_SLUG, DemoOptions, DemoReport, Summary};
use crate::features::stats::Metric;
pub use pace::Speed;
pub use workspace::{WorkspaceOptions, run_workspace};

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Random seed: the same seed gives the same program and the same life.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of creators.
    #[arg(long, default_value_t = 500)]
    pub creators: usize,
    /// Days of sales history imported before the run.
    #[arg(long, default_value_t = 90)]
    pub history_days: u32,
    /// Days to run the program for on the simulated clock (0: only import and summarise).
    #[arg(long, default_value_t = 21)]
    pub days: u32,
    /// Simulated hours per real second, or "max" to run without pausing.
    #[arg(long, default_value = "12", value_parser = parse_speed)]
    pub speed: Speed,
    /// The demo's today (YYYY-MM-DD): history ends the day before, the run starts at its
    /// midnight. Default: today.
    #[arg(long, value_parser = |s: &str| parse_date(s).map_err(|e| e.to_string()))]
    pub today: Option<NaiveDate>,
}

fn parse_speed(raw: &str) -> Result<Speed, String> {
    if raw.trim().eq_ignore_ascii_case("max") {
        return Ok(Speed::Max);
    }
    match raw.trim().parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 => Ok(Speed::HoursPerSecond(h)),
        _ => Err(format!(
            "{raw:?} is not a speed: give simulated hours per second (e.g. 12) or max"
        )),
    }
}

pub async fn run(config: Config, args: DemoArgs) -> Result<ExitCode> {
    let source = db::Source::from_env(&config)?;
    let where_ = match &source {
        db::Source::Url(_) => "the server in DATABASE_URL".to_string(),
        db::Source::Embedded(c) => format!("the private PostgreSQL in {}", c.data_dir.display()),
    };
    eprintln!("Starting the database ({where_})…");
    let pool = db::open(&config, &source, None).await?;
    let tz = demo::demo_program().timezone;
    let today = args.today.unwrap_or_else(|| local_day(Utc::now(), tz));
    eprintln!(
        "Generating {} creators and {} days of sales (seed {}), then importing them…",
        args.creators, args.history_days, args.seed
    );
    let opts = WorkspaceOptions {
        demo: DemoOptions {
            seed: args.seed,
            creators: args.creators,
            history_days: args.history_days,
            today,
        },
        days: args.days,
        speed: args.speed,
        interactive: std::io::stdin().is_terminal(),
    };
    run_workspace(
        &pool,
        &config,
        &opts,
        std::io::BufReader::new(std::io::stdin()),
        std::io::stdout(),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's whole report for people: what was imported, then the summary.
pub fn render(r: &DemoReport) -> String {
    let mut out = render_setup(r);
    out.push('\n');
    out.push_str(&render_summary(&r.program, &r.summary));
    out
}

/// The program, what was imported and the first tier review.
pub fn render_setup(r: &DemoReport) -> String {
    let mut out = String::new();
    let p = &r.program;
    out.push_str(&format!(
        "{} — program \"{}\" ({}, {})\n\nImported\n",
        p.name, p.slug, p.timezone, p.currency
    ));
    for i in &r.imports {
        out.push_str(&format!("  {}\n", i.summary()));
    }
    let at = r.review.at.with_timezone(&p.timezone);
    out.push_str(&format!(
        "\nMonthly tier review at {}: {} promoted, {} demoted, {} unchanged\n",
        at.format("%Y-%m-%d %H:%M %Z"),
        r.review.promoted,
        r.review.demoted,
        r.review.unchanged
    ));
    out
}

/// The last 30 days' KPIs, the tier mix, the top 10 and where to look next.
pub fn render_summary(p: &Program, s: &Summary) -> String {
    let mut out = String::new();
    out.push_str(&kpi_reply(&p.name, &s.kpis).text());
    out.push('\n');
    let total: i64 = s.tier_mix.iter().map(|(_, n)| n).sum();
    out.push_str("\nTier mix\n");
    for (tier, n) in &s.tier_mix {
        let share = if total > 0 {
            *n as f64 * 100.0 / total as f64
        } else {
            0.0
        };
        out.push_str(&format!(
            "  {:<16} {:>6}  {:>5.1}%\n",
            tier.display_name(),
            n,
            share
        ));
    }
    out.push('\n');
    out.push_str(&leaderboard_reply(Metric::Gmv, s.period, &p.currency, &s.top).text());
    out.push('\n');
    let example = s.top.first().map_or("handle", |row| row.handle.as_str());
    out.push_str(&format!(
        "\nExplore it: creator-bot --program {DEMO_SLUG} creator @{example}\n            creator-bot --program {DEMO_SLUG} tier why @{example}\n            creator-bot --program {DEMO_SLUG} leaderboard --metric views\n"
    ));
    out
}
