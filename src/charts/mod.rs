//! Charts as PNG images: what a chart shows ([`ChartSpec`], small enough to store in an outbox
//! row and drawn when the row is sent, from the data as it is then) and [`draw`], which reads its
//! data and draws it.

use anyhow::Result;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::config::Config;
use crate::db::programs::Program;

/// The ranking a leaderboard chart draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartMetric {
    Gmv,
    Videos,
    Views,
}

/// What a chart shows. Periods are program-local days `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartSpec {
    /// Net GMV per day with its 7-day average, refunds apart.
    Gmv { from: NaiveDate, to: NaiveDate },
    /// The top 10 creators by a metric.
    Leaderboard {
        from: NaiveDate,
        to: NaiveDate,
        metric: ChartMetric,
    },
    /// Cumulative share of GMV against share of creators.
    Pareto { from: NaiveDate, to: NaiveDate },
    /// Creators per tier on `at`, and the tier mix at the end of each of the 6 months before.
    Tiers { at: NaiveDate },
    /// One creator's GMV per day and videos posted.
    Creator {
        creator_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// A competition's standings.
    Competition { competition_id: i64 },
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub png: Vec<u8>,
    /// `gmv.png`, `pareto.png`…
    pub file_name: String,
    /// A one-line description for screen readers and text-only surfaces.
    pub alt: String,
}

/// Reads the chart's data and draws it at the configured size (`[charts]`), in the program's
/// currency and time zone.
pub async fn draw(
    pool: &PgPool,
    config: &Config,
    program: &Program,
    spec: &ChartSpec,
) -> Result<Chart> {
    let _ = (pool, config, program, spec);
    anyhow::bail!("charts are not drawn yet")
}
