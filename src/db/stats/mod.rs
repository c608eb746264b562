//! The queries behind the stats: program KPIs, creator cards and leaderboards. They read the daily
//! rollups (`program_daily`, `creator_daily`) and the small tables (videos, samples, creators),
//! never `order_lines`, so a request costs the same at 5 M lines as at 5 k.

pub mod creator;
pub mod leaderboard;
pub mod program;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;

/// A delivered sample counts as converted when a video of its product by its creator followed
/// the delivery: the first video the video import recorded, or any video, posted on or after the
/// (program-local) delivery day. A video posted before the sample arrived does not convert it.
/// Uses alias `s` for samples and `$tz` for the program's timezone name.
const SAMPLE_POSTED_SQL: &str =
    "(COALESCE(s.first_video_at >= (s.delivered_on::timestamp AT TIME ZONE $tz), false)
     OR EXISTS (
        SELECT 1 FROM videos v
         WHERE v.program_id = s.program_id AND v.creator_id = s.creator_id
           AND v.product_id = s.product_id
           AND v.posted_at >= (s.delivered_on::timestamp AT TIME ZONE $tz)))";

/// [`SAMPLE_POSTED_SQL`] with its timezone placeholder set to the parameter `$n`.
fn sample_posted_sql(tz_param: usize) -> String {
    SAMPLE_POSTED_SQL.replace("$tz", &format!("${tz_param}"))
}

/// What tells whether the rollups up to a day changed: how many days have rows and the newest
/// refresh among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct RollupStamp {
    pub days: i64,
    pub refreshed_at: Option<DateTime<Utc>>,
}

/// The stamp of every rollup day before `to` (refreshing any of them can change first sale days,
/// so the stamp covers the whole history up to the period's end, not just the period).
pub async fn rollup_stamp(
    db: impl PgExecutor<'_>,
    program_id: i64,
    to: NaiveDate,
) -> Result<RollupStamp> {
    sqlx::query_as(
        "SELECT COUNT(*) AS days, MAX(refreshed_at) AS refreshed_at
           FROM program_daily WHERE program_id = $1 AND day < $2",
    )
    .bind(program_id)
    .bind(to)
    .fetch_one(db)
    .await
    .context("reading when the rollups were refreshed")
}

/// Who sold, from the rollups.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Selling {
    /// Period GMV of every creator with at least one net line in `[from, to)`, in no order.
    pub period_gmv: Vec<i64>,
    /// Creators whose first net sale was before `to`.
    pub lifetime_sellers: i64,
}

pub async fn selling(
    db: impl PgExecutor<'_>,
    program_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Selling> {
    // One array rather than a row per creator: at 100 k creators decoding rows costs more than
    // the aggregate itself. Sorting is left to the caller, which does it faster.
    sqlx::query_as(
        "SELECT (SELECT COALESCE(array_agg(gmv), '{}')
                   FROM (SELECT SUM(gross_gmv_cents - refunded_gmv_cents)::int8 AS gmv
                           FROM creator_daily
                          WHERE program_id = $1 AND day >= $2 AND day < $3
                          GROUP BY creator_id
                         HAVING SUM(net_lines) > 0) t) AS period_gmv,
                (SELECT COUNT(*) FROM creators WHERE program_id = $1 AND first_sale_on < $3)
                    AS lifetime_sellers",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
    .context("ranking creators by GMV")
}
