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
pub(crate) fn sample_posted_sql(tz_param: usize) -> String {
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

/// How many transactions changed a source of a program's stats (`activity`, `accounts`, `tiers`:
/// see the `stats_changes` migration) and when the latest did. Two snapshots with the same stamp
/// saw the same writes to the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeStamp {
    pub changes: i64,
    pub changed_at: Option<DateTime<Utc>>,
}

pub async fn change_stamp(
    db: impl PgExecutor<'_>,
    program_id: i64,
    source: &str,
) -> Result<ChangeStamp> {
    sqlx::query_as(
        "SELECT COUNT(*) AS changes, MAX(changed_at) AS changed_at
           FROM stats_changes WHERE program_id = $1 AND source = $2",
    )
    .bind(program_id)
    .bind(source)
    .fetch_one(db)
    .await
    .with_context(|| format!("reading when the program's {source} last changed"))
}

/// Who sold, from the rollups.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Selling {
    /// Every creator with at least one net line in `[from, to)`, in no order …
    pub creator_ids: Vec<i64>,
    /// … and their period GMV (same order).
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
    // Arrays rather than a row per creator: at 100 k creators decoding rows costs more than the
    // aggregate itself. Sorting is left to the caller, which does it faster.
    sqlx::query_as(
        "SELECT COALESCE(t.ids, '{}') AS creator_ids, COALESCE(t.gmv, '{}') AS period_gmv,
                (SELECT COUNT(*) FROM creators WHERE program_id = $1 AND first_sale_on < $3)
                    AS lifetime_sellers
           FROM (SELECT array_agg(creator_id) AS ids, array_agg(gmv) AS gmv
                   FROM (SELECT creator_id,
                                SUM(gross_gmv_cents - refunded_gmv_cents)::int8 AS gmv
                           FROM creator_daily
                          WHERE program_id = $1 AND day >= $2 AND day < $3
                          GROUP BY creator_id
                         HAVING SUM(net_lines) > 0) g) t",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
    .context("ranking creators by GMV")
}

/// Every creator with a video posted in `[starts_at, ends_at)`: their ids and, in the same order,
/// their video count (`views = false`) or the views of those videos.
pub async fn video_totals(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    views: bool,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let (ids, values): (Option<Vec<i64>>, Option<Vec<i64>>) = sqlx::query_as(
        "SELECT array_agg(creator_id), array_agg(value)
           FROM (SELECT creator_id,
                        CASE WHEN $4 THEN SUM(views)::int8 ELSE COUNT(*) END AS value
                   FROM videos WHERE program_id = $1 AND posted_at >= $2 AND posted_at < $3
                  GROUP BY creator_id) t",
    )
    .bind(program_id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(views)
    .fetch_one(db)
    .await
    .context("counting creators' videos")?;
    Ok((ids.unwrap_or_default(), values.unwrap_or_default()))
}
