//! Creators ranked by one metric over a period.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};

/// What a leaderboard ranks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankedBy {
    /// Net GMV of order lines created in the period.
    Gmv,
    /// Videos posted in the period.
    Videos,
    /// Views of the videos posted in the period.
    Views,
}

impl RankedBy {
    /// Per-creator values as `(creator_id, value)`; `$2`/`$3` are the days, `$4`/`$5` the instants.
    fn values_sql(self) -> &'static str {
        match self {
            RankedBy::Gmv => {
                "SELECT creator_id, SUM(gross_gmv_cents - refunded_gmv_cents)::int8 AS value
                   FROM creator_daily WHERE program_id = $1 AND day >= $2 AND day < $3
                  GROUP BY creator_id"
            }
            RankedBy::Videos => {
                "SELECT creator_id, COUNT(*) AS value
                   FROM videos WHERE program_id = $1 AND posted_at >= $4 AND posted_at < $5
                  GROUP BY creator_id"
            }
            RankedBy::Views => {
                "SELECT creator_id, SUM(views)::int8 AS value
                   FROM videos WHERE program_id = $1 AND posted_at >= $4 AND posted_at < $5
                  GROUP BY creator_id"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RankedRow {
    pub rank: i64,
    pub handle: String,
    pub value: i64,
}

/// The first `limit` creators with a positive value, by value (ties share a rank, as SQL RANK())
/// then handle.
pub async fn ranked(
    db: impl PgExecutor<'_>,
    program_id: i64,
    by: RankedBy,
    days: (NaiveDate, NaiveDate),
    instants: (DateTime<Utc>, DateTime<Utc>),
    limit: i64,
) -> Result<Vec<RankedRow>> {
    ranked_in(db, program_id, by, days, instants, None, limit).await
}

/// Like [`ranked`], among the creators of one tier only (`None`: everyone).
pub async fn ranked_in(
    db: impl PgExecutor<'_>,
    program_id: i64,
    by: RankedBy,
    (from, to): (NaiveDate, NaiveDate),
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    tier: Option<&str>,
    limit: i64,
) -> Result<Vec<RankedRow>> {
    let sql = format!(
        "WITH m AS ({values})
         SELECT RANK() OVER (ORDER BY m.value DESC) AS rank, c.handle, m.value
           FROM m JOIN creators c ON c.program_id = $1 AND c.id = m.creator_id
          WHERE m.value > 0 AND ($7::text IS NULL OR c.tier = $7)
          ORDER BY m.value DESC, c.handle
          LIMIT $6",
        values = by.values_sql(),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(from)
        .bind(to)
        .bind(starts_at)
        .bind(ends_at)
        .bind(limit)
        .bind(tier)
        .fetch_all(db)
        .await
        .context("ranking creators")
}

/// One creator's place on the same board: their rank among creators with a positive value (ties
/// shared) and their value; `None` when their value is not positive.
pub async fn standing(
    db: impl PgExecutor<'_>,
    program_id: i64,
    by: RankedBy,
    (from, to): (NaiveDate, NaiveDate),
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    creator_id: i64,
) -> Result<Option<RankedRow>> {
    let sql = format!(
        "WITH m AS ({values}),
              r AS (SELECT creator_id, RANK() OVER (ORDER BY value DESC) AS rank, value
                      FROM m WHERE value > 0)
         SELECT r.rank, c.handle, r.value
           FROM r JOIN creators c ON c.program_id = $1 AND c.id = r.creator_id
          WHERE r.creator_id = $6",
        values = by.values_sql(),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(from)
        .bind(to)
        .bind(starts_at)
        .bind(ends_at)
        .bind(creator_id)
        .fetch_optional(db)
        .await
        .context("ranking a creator")
}

/// Which of the creators `ids` are in `tier`, in no order.
pub async fn in_tier(
    db: impl PgExecutor<'_>,
    program_id: i64,
    ids: &[i64],
    tier: &str,
) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM creators WHERE program_id = $1 AND id = ANY($2) AND tier = $3",
    )
    .bind(program_id)
    .bind(ids)
    .bind(tier)
    .fetch_all(db)
    .await
    .context("reading creators' tiers")
}

/// The first `limit` of the creators `ids` with their `values` (positive), as [`ranked`] lists
/// them: by value, ties sharing a rank and listed by handle (in the database's collation). The
/// caller passes every creator that can rank at or above the last place.
pub async fn places(
    db: impl PgExecutor<'_>,
    program_id: i64,
    ids: &[i64],
    values: &[i64],
    limit: i64,
) -> Result<Vec<RankedRow>> {
    sqlx::query_as(
        "SELECT RANK() OVER (ORDER BY t.value DESC) AS rank, c.handle, t.value
           FROM UNNEST($2::int8[], $3::int8[]) AS t(id, value)
           JOIN creators c ON c.program_id = $1 AND c.id = t.id
          ORDER BY t.value DESC, c.handle
          LIMIT $4",
    )
    .bind(program_id)
    .bind(ids)
    .bind(values)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("naming the leaderboard's places")
}

/// A creator's handle.
pub async fn handle_of(
    db: impl PgExecutor<'_>,
    program_id: i64,
    creator_id: i64,
) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT handle FROM creators WHERE program_id = $1 AND id = $2")
        .bind(program_id)
        .bind(creator_id)
        .fetch_optional(db)
        .await
        .context("reading a creator's handle")
}
