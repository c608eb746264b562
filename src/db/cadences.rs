//! SQL of the tier channels' cadences: check-ins and their answers, the numbers of the weekly
//! pulse and the Steady Earners update, and competitions.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};

/// Records the check-in posted for `instant`; returns its id (the same id when run again).
pub async fn create_checkin(
    conn: &mut PgConnection,
    program_id: i64,
    instant: DateTime<Utc>,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO checkins (program_id, posted_for) VALUES ($1, $2)
         ON CONFLICT (program_id, posted_for) DO UPDATE SET posted_for = EXCLUDED.posted_for
         RETURNING id",
    )
    .bind(program_id)
    .bind(instant)
    .fetch_one(conn)
    .await
    .context("recording the check-in")
}

/// The latest check-in posted at or before `at`: (id, posted_for).
pub async fn latest_checkin(
    db: impl PgExecutor<'_>,
    program_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<(i64, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT id, posted_for FROM checkins WHERE program_id = $1 AND posted_for <= $2
          ORDER BY posted_for DESC LIMIT 1",
    )
    .bind(program_id)
    .bind(at)
    .fetch_optional(db)
    .await
    .context("finding the latest check-in")
}

/// Stores (or replaces) a creator's answer to a check-in.
pub async fn answer_checkin(
    db: impl PgExecutor<'_>,
    program_id: i64,
    checkin_id: i64,
    creator_id: i64,
    answer: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO checkin_answers (checkin_id, program_id, creator_id, answer, answered_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (checkin_id, creator_id)
         DO UPDATE SET answer = EXCLUDED.answer, answered_at = EXCLUDED.answered_at",
    )
    .bind(checkin_id)
    .bind(program_id)
    .bind(creator_id)
    .bind(answer)
    .bind(at)
    .execute(db)
    .await
    .context("recording the check-in answer")?;
    Ok(())
}

/// One All-Star and their answer to a check-in, if any.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckinRow {
    pub handle: String,
    pub answer: Option<String>,
}

/// Every current All-Star with their answer to `checkin_id`, plus anyone else who answered it,
/// by handle.
pub async fn checkin_answers(
    db: impl PgExecutor<'_>,
    program_id: i64,
    checkin_id: i64,
) -> Result<Vec<CheckinRow>> {
    sqlx::query_as(
        "SELECT c.handle, a.answer
           FROM creators c
           LEFT JOIN checkin_answers a ON a.checkin_id = $2 AND a.creator_id = c.id
          WHERE c.program_id = $1 AND (c.tier = 'all_stars' OR a.answer IS NOT NULL)
          ORDER BY c.handle",
    )
    .bind(program_id)
    .bind(checkin_id)
    .fetch_all(db)
    .await
    .context("reading the check-in answers")
}

/// Net GMV and orders over program-local days `[from, to)`.
pub async fn sales(
    db: impl PgExecutor<'_>,
    program_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COALESCE(SUM(gross_gmv_cents - refunded_gmv_cents), 0)::int8,
                COALESCE(SUM(orders), 0)::int8
           FROM program_daily WHERE program_id = $1 AND day >= $2 AND day < $3",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
    .context("summing the week's sales")
}

/// Creators whose first video ever was posted in `[from, to)`, by handle.
pub async fn new_activations(
    db: &mut PgConnection,
    program_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<String>> {
    let ids = first_posters(&mut *db, program_id, from, to).await?;
    handles_in_order(db, program_id, &ids).await
}

/// The ids of the creators whose first video ever was posted in `[from, to)`: those with a video
/// in the range and none before it (a probe per video of the range, not a pass over every video).
pub async fn first_posters(
    db: impl PgExecutor<'_>,
    program_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT v.creator_id FROM videos v
          WHERE v.program_id = $1 AND v.posted_at >= $2 AND v.posted_at < $3
            AND NOT EXISTS (SELECT 1 FROM videos e
                             WHERE e.program_id = $1 AND e.creator_id = v.creator_id
                               AND e.posted_at < $2)",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
    .context("finding new activations")
}

/// The handles of the creators `ids`, sorted.
pub async fn handles_in_order(
    db: impl PgExecutor<'_>,
    program_id: i64,
    ids: &[i64],
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT handle FROM creators WHERE program_id = $1 AND id = ANY($2) ORDER BY handle",
    )
    .bind(program_id)
    .bind(ids)
    .fetch_all(db)
    .await
    .context("naming creators")
}

/// A video with its creator and product name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TopVideo {
    pub handle: String,
    pub views: i64,
    pub product: Option<String>,
}

/// The most viewed videos posted in `[from, to)`.
pub async fn top_videos(
    db: impl PgExecutor<'_>,
    program_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<TopVideo>> {
    sqlx::query_as(
        "SELECT c.handle, v.views, COALESCE(p.name, v.product_id) AS product
           FROM videos v
           JOIN creators c ON c.id = v.creator_id
           LEFT JOIN products p ON p.program_id = v.program_id AND p.product_id = v.product_id
          WHERE v.program_id = $1 AND v.posted_at >= $2 AND v.posted_at < $3
          ORDER BY v.views DESC, c.handle, v.content_id
          LIMIT $4",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("finding the top videos")
}

/// Names of the products launched on program-local days `[from, to)`.
pub async fn new_products(
    db: impl PgExecutor<'_>,
    program_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT name FROM products WHERE program_id = $1 AND launched_on >= $2 AND launched_on < $3
          ORDER BY launched_on, name",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
    .context("finding new products")
}

/// A competition as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Competition {
    pub id: i64,
    pub name: String,
    pub metric: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub tier: Option<String>,
    pub prize: String,
    pub created_by: String,
    pub ended_at: Option<DateTime<Utc>>,
}

const COMPETITION: &str = "id, name, metric, starts_on, ends_on, tier, prize, created_by, ended_at";

/// Inserts a competition; `None` when the program already has one of that name.
#[allow(clippy::too_many_arguments)]
pub async fn create_competition(
    conn: &mut PgConnection,
    program_id: i64,
    name: &str,
    metric: &str,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    tier: Option<&str>,
    prize: &str,
    created_by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Competition>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO competitions (program_id, name, metric, starts_on, ends_on, tier, prize,
                                   created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (program_id, lower(name)) DO NOTHING
         RETURNING {COMPETITION}"
    )))
    .bind(program_id)
    .bind(name)
    .bind(metric)
    .bind(starts_on)
    .bind(ends_on)
    .bind(tier)
    .bind(prize)
    .bind(created_by)
    .bind(at)
    .fetch_optional(conn)
    .await
    .context("saving the competition")
}

pub async fn competition_by_name(
    db: impl PgExecutor<'_>,
    program_id: i64,
    name: &str,
) -> Result<Option<Competition>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COMPETITION} FROM competitions WHERE program_id = $1 AND lower(name) = lower($2)"
    )))
    .bind(program_id)
    .bind(name)
    .fetch_optional(db)
    .await
    .context("finding the competition")
}

/// Competitions not ended yet (running or to come), by start day.
pub async fn open_competitions(
    db: impl PgExecutor<'_>,
    program_id: i64,
) -> Result<Vec<Competition>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COMPETITION} FROM competitions
          WHERE program_id = $1 AND ended_at IS NULL
          ORDER BY starts_on, name"
    )))
    .bind(program_id)
    .fetch_all(db)
    .await
    .context("finding open competitions")
}

/// Competitions not ended yet that have started by program-local day `today`, by end day.
pub async fn running_competitions(
    db: impl PgExecutor<'_>,
    program_id: i64,
    today: NaiveDate,
) -> Result<Vec<Competition>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COMPETITION} FROM competitions
          WHERE program_id = $1 AND ended_at IS NULL AND starts_on <= $2
          ORDER BY ends_on, name"
    )))
    .bind(program_id)
    .bind(today)
    .fetch_all(db)
    .await
    .context("finding running competitions")
}

/// Marks a competition ended at `at`; `false` if it already was.
pub async fn end_competition(
    conn: &mut PgConnection,
    competition_id: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE competitions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL")
            .bind(competition_id)
            .bind(at)
            .execute(conn)
            .await
            .context("ending the competition")?;
    Ok(done.rows_affected() == 1)
}

/// Creators of the program with no chat account on any platform the program is connected to:
/// they cannot be sent DMs.
pub async fn unlinked_creators(db: impl PgExecutor<'_>, program_id: i64) -> Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM creators c
          WHERE c.program_id = $1
            AND NOT EXISTS (
                SELECT 1 FROM connected_accounts ci
                 WHERE ci.program_id = c.program_id AND ci.creator_id = c.id)",
    )
    .bind(program_id)
    .fetch_one(db)
    .await
    .context("counting creators without a chat account")
}
