//! `creator-bot demo`: a synthetic program on the private database, imported through the real
//! import and summarised with the real KPI, tier and leaderboard code; [`live`] goes on with its
//! life after the history ends (the console workspace runs it).

pub mod live;
pub mod synth;

use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use sqlx::PgPool;

use crate::config::{Config, ProgramConfig};
use crate::db::programs::{self, Program};
use crate::domain::Tier;
use crate::domain::period::Period;
use crate::domain::timefmt::start_of_day;
use crate::features::import::{ImportKind, ImportReport, import_file};
use crate::features::stats::kpi::{ProgramKpis, program_kpis};
use crate::features::stats::leaderboard::{LeaderboardRow, Metric, leaderboard};
use crate::features::tiers::{self, TierRun};
use synth::{SynthSpec, World, generate};

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub creators: usize,
    /// Days of sales history.
    pub history_days: u32,
    /// The demo's "today": history ends the day before.
    pub today: NaiveDate,
}

impl DemoOptions {
    /// Order lines of the history: about 40 per creator over 90 days, whatever the size asked.
    pub fn order_lines(&self) -> usize {
        self.creators * 40 * self.history_days as usize / 90
    }

    /// Order lines a day at the end of the history (sales grow linearly over it, tripling).
    pub fn lines_per_day(&self) -> f64 {
        self.order_lines() as f64 * 3.0 / (2.0 * f64::from(self.history_days.max(1)))
    }
}

/// Everything the demo prints.
#[derive(Debug)]
pub struct DemoReport {
    pub program: Program,
    pub imports: Vec<ImportReport>,
    pub review: TierRun,
    /// The generated program, for its life after the history.
    pub world: World,
    pub summary: Summary,
}

/// The program at a glance: the last 30 days' KPIs, the tier mix and the top 10 by GMV.
#[derive(Debug)]
pub struct Summary {
    pub period: Period,
    pub kpis: ProgramKpis,
    pub tier_mix: Vec<(Tier, i64)>,
    pub top: Vec<LeaderboardRow>,
}

/// Slug of the demo program; running the demo again replaces its data.
pub const DEMO_SLUG: &str = "demo";

/// The demo brand.
pub fn demo_program() -> ProgramConfig {
    ProgramConfig {
        slug: DEMO_SLUG.into(),
        name: "Glow Skincare (demo)".into(),
        timezone: chrono_tz::America::New_York,
        currency: "USD".into(),
        discord_guild_id: None,
        slack_team_id: None,
    }
}

/// Generates the program into `workdir`, imports it, runs the monthly review as of the start of
/// `today`, and gathers the last 30 days' KPIs, the tier mix and the top 10.
pub async fn run(
    pool: &PgPool,
    config: &Config,
    opts: &DemoOptions,
    workdir: &Path,
) -> Result<DemoReport> {
    if config.programs.iter().any(|p| p.slug == DEMO_SLUG) {
        anyhow::bail!(
            "the config has a program called {DEMO_SLUG:?}; the demo would replace its data, so it refuses to run"
        );
    }
    crate::db::programs::delete(pool, DEMO_SLUG).await?;
    let program = programs::upsert(pool, &demo_program()).await?;
    let mut spec = SynthSpec::demo(opts.today, opts.seed);
    spec.creators = opts.creators;
    spec.days = opts.history_days;
    spec.order_lines = opts.order_lines();
    let files = generate(&spec, workdir).context("generating the demo program")?;
    let mut imports = Vec::new();
    for (kind, path) in [
        (ImportKind::Products, &files.products),
        (ImportKind::Creators, &files.creators),
        (ImportKind::Samples, &files.samples),
        (ImportKind::Videos, &files.videos),
        (ImportKind::Orders, &files.orders),
    ] {
        imports.push(import_file(pool, &program, config, kind, path, false).await?);
    }
    let at = start_of_day(opts.today, program.timezone);
    let review = tiers::review(pool, &program, &config.tiers, at, false).await?;
    let summary = summary(pool, &program, opts.today).await?;
    Ok(DemoReport {
        program,
        imports,
        review,
        world: files.world,
        summary,
    })
}

/// The program's summary for the 30 days before `today`.
pub async fn summary(pool: &PgPool, program: &Program, today: NaiveDate) -> Result<Summary> {
    let period = Period::last_days(today - Duration::days(1), 30)?;
    Ok(Summary {
        period,
        kpis: program_kpis(pool, program, period).await?,
        tier_mix: crate::db::tiers::tier_mix(pool, program.id).await?,
        top: leaderboard(pool, program, Metric::Gmv, period, 10).await?,
    })
}
