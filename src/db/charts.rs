//! The queries behind the charts that the stats queries do not already answer: a program's and a
//! creator's days from the rollups, a creator's videos per day, the tier changes needed to rebuild
//! past tier mixes, and the competition a chart is about. All are index ranges.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;

use super::cadences::Competition;

/// One program-local day of the program's rollup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct ProgramDay {
    pub day: NaiveDate,
    pub gross_gmv_cents: i64,
    pub refunded_gmv_cents: i64,
}

/// The program's days in `[from, to)` that have a rollup row, by day.
pub async fn program_days(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<ProgramDay>> {
    sqlx::query_as(
        "SELECT day, gross_gmv_cents, refunded_gmv_cents
           FROM program_daily WHERE program_id = $1 AND day >= $2 AND day < $3
          ORDER BY day",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
    .context("reading the program's days")
}

/// One creator's net GMV per day in `[from, to)` (days with a rollup row), by day.
pub async fn creator_days(
    db: impl PgExecutor<'_>,
    program_id: i64,
    creator_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(NaiveDate, i64)>> {
    sqlx::query_as(
        "SELECT day, (gross_gmv_cents - refunded_gmv_cents)::int8
           FROM creator_daily
          WHERE program_id = $1 AND creator_id = $2 AND day >= $3 AND day < $4
          ORDER BY day",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
    .context("reading the creator's days")
}

/// One creator's videos posted in `[starts_at, ends_at)`, counted per day in `timezone`.
pub async fn creator_videos_per_day(
    db: impl PgExecutor<'_>,
    program_id: i64,
    creator_id: i64,
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    timezone: &str,
) -> Result<Vec<(NaiveDate, i64)>> {
    sqlx::query_as(
        "SELECT (posted_at AT TIME ZONE $5)::date AS day, COUNT(*)
           FROM videos
          WHERE program_id = $1 AND creator_id = $2 AND posted_at >= $3 AND posted_at < $4
          GROUP BY 1 ORDER BY 1",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(timezone)
    .fetch_all(db)
    .await
    .context("counting the creator's videos per day")
}

/// One recorded tier change.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TierChangeRow {
    pub creator_id: i64,
    pub from_tier: Option<String>,
    pub to_tier: String,
    pub changed_at: DateTime<Utc>,
}

/// Every tier change at or after `since`, by creator then time.
pub async fn tier_changes_since(
    db: impl PgExecutor<'_>,
    program_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<TierChangeRow>> {
    sqlx::query_as(
        "SELECT creator_id, from_tier, to_tier, changed_at
           FROM tier_history WHERE program_id = $1 AND changed_at >= $2
          ORDER BY creator_id, changed_at, id",
    )
    .bind(program_id)
    .bind(since)
    .fetch_all(db)
    .await
    .context("reading the tier changes")
}

/// How many creators of each (current) tier joined on each day after `day`.
pub async fn joined_after(
    db: impl PgExecutor<'_>,
    program_id: i64,
    day: NaiveDate,
) -> Result<Vec<(NaiveDate, String, i64)>> {
    sqlx::query_as(
        "SELECT joined_on, tier, COUNT(*) FROM creators
          WHERE program_id = $1 AND joined_on > $2
          GROUP BY joined_on, tier",
    )
    .bind(program_id)
    .bind(day)
    .fetch_all(db)
    .await
    .context("counting the creators who joined since")
}

/// A creator's current tier and join day.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CreatorTierRow {
    pub id: i64,
    pub tier: String,
    pub joined_on: NaiveDate,
}

/// The creators `ids` (one index probe each).
pub async fn creator_tiers(
    db: impl PgExecutor<'_>,
    program_id: i64,
    ids: &[i64],
) -> Result<Vec<CreatorTierRow>> {
    sqlx::query_as(
        "SELECT id, tier, joined_on FROM creators WHERE program_id = $1 AND id = ANY($2)",
    )
    .bind(program_id)
    .bind(ids)
    .fetch_all(db)
    .await
    .context("reading the tiers of the creators who moved")
}

const COMPETITION: &str = "id, name, metric, starts_on, ends_on, tier, prize, created_by, ended_at";

/// A competition of the program by id.
pub async fn competition(
    db: impl PgExecutor<'_>,
    program_id: i64,
    id: i64,
) -> Result<Option<Competition>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COMPETITION} FROM competitions WHERE program_id = $1 AND id = $2"
    )))
    .bind(program_id)
    .bind(id)
    .fetch_optional(db)
    .await
    .context("finding the competition")
}

/// The competition a chart shows when none is named: a running one (started by `today`, not
/// ended; the one ending first), else the one that ended last.
pub async fn latest_competition(
    db: impl PgExecutor<'_>,
    program_id: i64,
    today: NaiveDate,
) -> Result<Option<Competition>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COMPETITION} FROM competitions
          WHERE program_id = $1 AND starts_on <= $2
          ORDER BY (ended_at IS NULL) DESC,
                   CASE WHEN ended_at IS NULL THEN ends_on END ASC,
                   ended_at DESC, id DESC
          LIMIT 1"
    )))
    .bind(program_id)
    .bind(today)
    .fetch_optional(db)
    .await
    .context("finding the latest competition")
}
