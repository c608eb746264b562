//! Stats: the program's KPIs, a creator's stats card and leaderboards over a period, computed
//! from the daily rollups with the one set of definitions in DOMAIN.md ("KPIs").

mod cache;
pub mod counts;
pub mod creator_card;
pub mod kpi;
pub mod leaderboard;
pub(crate) mod ranking;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::programs::Program;
use crate::domain::Period;
use crate::domain::kpi::{div_round, ratio, roi};

pub use creator_card::{
    CreatorCard, LastVideo, SampleCard, SampleStatus, UnknownCreator, creator_card,
};
pub use kpi::{ProgramKpis, program_kpis};
pub use leaderboard::{LeaderboardRow, Metric, leaderboard, place_of, top_creators};

/// Sales quantities shared by the program KPIs and the creator card (same JSON keys in both).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sales {
    pub gross_gmv_cents: i64,
    pub refunded_gmv_cents: i64,
    /// Net GMV: gross minus refunded.
    pub gmv_cents: i64,
    pub orders: i64,
    pub aov_cents: Option<i64>,
    /// Actual commission where TikTok reported it, else estimated, over net lines.
    pub commission_cents: i64,
    pub commission_estimated_cents: i64,
    pub commission_actual_cents: i64,
    pub commission_to_revenue: Option<f64>,
}

impl Sales {
    fn new(gross: i64, refunded: i64, orders: i64, commission: [i64; 3]) -> Sales {
        let gmv = gross - refunded;
        Sales {
            gross_gmv_cents: gross,
            refunded_gmv_cents: refunded,
            gmv_cents: gmv,
            orders,
            aov_cents: div_round(gmv, orders),
            commission_cents: commission[0],
            commission_estimated_cents: commission[1],
            commission_actual_cents: commission[2],
            commission_to_revenue: ratio(commission[0], gmv),
        }
    }
}

/// Program cost and what it bought: `(program_cost_cents, roi, cpa_cents)`.
fn cost_kpis(sales: &Sales, sample_cost: i64, other_cost: i64) -> (i64, Option<f64>, Option<i64>) {
    let cost = sales.commission_cents + sample_cost + other_cost;
    (
        cost,
        roi(sales.gmv_cents, cost),
        div_round(cost, sales.orders),
    )
}

/// The period as the queries take it: its days, and its bounds as instants in the program's zone.
fn bounds(
    program: &Program,
    period: Period,
) -> ((NaiveDate, NaiveDate), (DateTime<Utc>, DateTime<Utc>)) {
    (
        (period.from, period.to),
        (
            period.starts_at(program.timezone),
            period.ends_at(program.timezone),
        ),
    )
}

/// A read-only transaction that sees one snapshot of the database for all its statements.
pub(crate) async fn snapshot(
    pool: &sqlx::PgPool,
) -> anyhow::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}
