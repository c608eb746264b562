//! `creator-bot demo`: generates the synthetic program, imports it and prints the KPI summary,
//! the tier mix and the top-10 leaderboard.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Args;

use super::stats_cmd::{kpi_table, leaderboard_table};
use crate::config::Config;
use crate::db;
use crate::domain::timefmt::{local_day, parse_date};
use crate::features::demo::{self, DEMO_SLUG, DemoOptions, DemoReport};
use crate::features::stats::Metric;

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Random seed: the same seed gives the same program.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of creators.
    #[arg(long, default_value_t = 500)]
    pub creators: usize,
    /// Days of sales history.
    #[arg(long, default_value_t = 90)]
    pub days: u32,
    /// The demo's today (YYYY-MM-DD); history ends the day before. Default: today.
    #[arg(long, value_parser = |s: &str| parse_date(s).map_err(|e| e.to_string()))]
    pub today: Option<NaiveDate>,
}

pub async fn run(config: Config, args: DemoArgs) -> Result<ExitCode> {
    let source = db::Source::from_env(&config)?;
    let where_ = match &source {
        db::Source::Url(_) => "the server in DATABASE_URL".to_string(),
        db::Source::Embedded(c) => format!("the private PostgreSQL in {}", c.data_dir.display()),
    };
    eprintln!("Starting the database ({where_})…");
    let pool = db::open(&config, &source, None).await?;
    let tz = demo::demo_program()
        .timezone
        .parse()
        .expect("the demo timezone is valid");
    let today = args.today.unwrap_or_else(|| local_day(Utc::now(), tz));
    let opts = DemoOptions {
        seed: args.seed,
        creators: args.creators,
        days: args.days,
        today,
    };
    let workdir = std::env::temp_dir().join(format!("creator-bot-demo-{}", std::process::id()));
    eprintln!(
        "Generating {} creators and {} days of sales (seed {}), then importing them…",
        args.creators, args.days, args.seed
    );
    let result = demo::run(&pool, &config, &opts, &workdir).await;
    let _ = std::fs::remove_dir_all(&workdir);
    let report = result.context("running the demo")?;
    print!("{}", render(&report));
    Ok(ExitCode::SUCCESS)
}

/// The demo's summary for people.
pub fn render(r: &DemoReport) -> String {
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
        "\nMonthly tier review at {}: {} promoted, {} demoted, {} unchanged\n\n",
        at.format("%Y-%m-%d %H:%M %Z"),
        r.review.promoted,
        r.review.demoted,
        r.review.unchanged
    ));
    out.push_str(&kpi_table(&r.kpis));
    let total: i64 = r.tier_mix.iter().map(|(_, n)| n).sum();
    out.push_str("\nTier mix\n");
    for (tier, n) in &r.tier_mix {
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
    out.push_str(&leaderboard_table(
        Metric::Gmv,
        r.period,
        &p.currency,
        &r.top,
    ));
    let example = r.top.first().map_or("handle", |row| row.handle.as_str());
    out.push_str(&format!(
        "\nExplore it: creator-bot --program {DEMO_SLUG} creator @{example}\n            creator-bot --program {DEMO_SLUG} tier why @{example}\n            creator-bot --program {DEMO_SLUG} leaderboard --metric views\n"
    ));
    out
}
