//! Sequence SQL: set-based selection of the sequence steps and milestones that are due (one
//! query per kind, whatever the number of creators), creators' stage moves, and cancelling queued
//! messages whose reason to exist is gone.
//!
//! Queued sequence messages carry `sequence`, `step` and the id of what they are about
//! (`sample_id`, `video_id`, `history_id`) in their payload, so they can be found again.

pub mod milestones;
pub mod steps;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor};

/// The first name to greet a creator by, else their handle.
pub(crate) const FIRST_NAME: &str = "COALESCE(NULLIF(btrim(c.first_name), ''), c.handle)";

/// Serialises sequence runs of one program until the transaction ends, so two schedulers never
/// judge the same step at once.
pub async fn lock_program(conn: &mut PgConnection, program_id: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('creator-bot:sequences', $1))")
        .bind(program_id)
        .execute(conn)
        .await
        .context("locking the program's sequences")?;
    Ok(())
}

/// Cancels queued (not yet claimed) sequence messages that should no longer go out: onboarding
/// once the creator has posted a video, a sample's nudges once a video of its product appears
/// (on or after the program-local shipped day, as `samples.first_video_at` counts it) or its
/// sample application is cancelled, a reactivation check-in once the creator posts again. Only videos posted by `now` count; the
/// import passes `None` (every video it just loaded counts). Returns how many were cancelled.
pub async fn cancel_stopped(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    now: Option<DateTime<Utc>>,
) -> Result<u64> {
    let done: i64 = sqlx::query_scalar(
        "WITH cancelled AS (
         UPDATE outbox o
            SET status = 'cancelled',
                last_error = CASE o.payload->>'sequence'
                                 WHEN 'activation' THEN 'a video of the product was posted'
                                 ELSE 'the creator posted a video' END
          WHERE o.program_id = $1
            AND (o.status = 'pending'
                 OR (o.status = 'queued' AND EXISTS (
                        SELECT 1 FROM deliveries d
                         WHERE d.outbox_id = o.id AND d.status IN ('pending', 'waiting'))))
            AND o.payload->>'sequence' IN ('onboarding', 'activation', 'reactivation')
            AND CASE o.payload->>'sequence'
                WHEN 'onboarding' THEN EXISTS (
                    SELECT 1 FROM videos v
                     WHERE v.program_id = $1 AND v.creator_id = o.creator_id
                       AND ($3::timestamptz IS NULL OR v.posted_at <= $3))
                WHEN 'activation' THEN EXISTS (
                    SELECT 1 FROM samples s
                      JOIN videos v ON v.program_id = s.program_id AND v.creator_id = s.creator_id
                                   AND v.product_id = s.product_id
                     WHERE s.program_id = $1 AND s.id = (o.payload->>'sample_id')::bigint
                       AND v.posted_at >= (s.shipped_on::timestamp AT TIME ZONE $2)
                       AND ($3::timestamptz IS NULL OR v.posted_at <= $3))
                    -- a cancelled sample application closed the sample
                    OR EXISTS (SELECT 1 FROM samples s
                                WHERE s.program_id = $1 AND s.id = (o.payload->>'sample_id')::bigint
                                  AND s.closed_at IS NOT NULL)
                ELSE EXISTS (
                    SELECT 1 FROM videos spell
                      JOIN videos v ON v.program_id = spell.program_id
                                   AND v.creator_id = spell.creator_id
                                   AND v.posted_at >= spell.posted_at
                                   AND (v.posted_at > spell.posted_at OR v.id > spell.id)
                     WHERE spell.program_id = $1 AND spell.id = (o.payload->>'video_id')::bigint
                       AND ($3::timestamptz IS NULL OR v.posted_at <= $3))
                END
         RETURNING o.id, o.last_error),
         deliveries_cancelled AS (
             UPDATE deliveries d SET status = 'cancelled', last_error = c.last_error
               FROM cancelled c
              WHERE d.outbox_id = c.id AND d.status IN ('pending', 'waiting'))
         SELECT count(*) FROM cancelled",
    )
    .bind(program_id)
    .bind(timezone)
    .bind(now)
    .fetch_one(conn)
    .await
    .context("cancelling sequence messages that no longer apply")?;
    Ok(done as u64)
}

/// Stage moves that follow from the data alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StageMoves {
    /// Creators who posted (or, dormant, posted again recently): now `active`.
    pub active: u64,
    /// Creators with a sample out and no video yet: now `awaiting_first_post`.
    pub awaiting_first_post: u64,
}

/// Moves creators to `active` once they have posted (a dormant creator only with a video in the
/// last `active_days`), and to `awaiting_first_post` when a sample has shipped to them (by
/// `today`, program-local) and they have not posted yet.
pub async fn refresh_stages(
    conn: &mut PgConnection,
    program_id: i64,
    now: DateTime<Utc>,
    today: NaiveDate,
    active_days: u32,
) -> Result<StageMoves> {
    let active = sqlx::query(
        "UPDATE creators c SET stage = 'active', updated_at = now()
          WHERE c.program_id = $1
            AND c.stage IN ('invited', 'onboarding', 'awaiting_first_post', 'dormant')
            AND EXISTS (SELECT 1 FROM videos v
                         WHERE v.program_id = $1 AND v.creator_id = c.id AND v.posted_at <= $2
                           AND (c.stage <> 'dormant'
                                OR v.posted_at > $2 - make_interval(hours => $3 * 24)))",
    )
    .bind(program_id)
    .bind(now)
    .bind(active_days as i32)
    .execute(&mut *conn)
    .await
    .context("moving creators who posted to active")?
    .rows_affected();
    let awaiting = sqlx::query(
        "UPDATE creators c SET stage = 'awaiting_first_post', updated_at = now()
          WHERE c.program_id = $1 AND c.stage IN ('invited', 'onboarding')
            AND EXISTS (SELECT 1 FROM samples s
                         WHERE s.program_id = $1 AND s.creator_id = c.id AND s.shipped_on <= $3)
            AND NOT EXISTS (SELECT 1 FROM videos v
                             WHERE v.program_id = $1 AND v.creator_id = c.id AND v.posted_at <= $2)",
    )
    .bind(program_id)
    .bind(now)
    .bind(today)
    .execute(&mut *conn)
    .await
    .context("moving creators with a sample out to awaiting first post")?
    .rows_affected();
    Ok(StageMoves {
        active,
        awaiting_first_post: awaiting,
    })
}

/// Moves the given creators to `stage` when they are in one of `from`; returns how many moved.
/// A move to `dormant` records `at` as when they went dormant (the monthly report names them).
pub async fn move_stage(
    conn: &mut PgConnection,
    program_id: i64,
    creator_ids: &[i64],
    (from, stage): (&[&str], &str),
    at: DateTime<Utc>,
) -> Result<u64> {
    if creator_ids.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(
        "UPDATE creators
            SET stage = $4, updated_at = now(),
                went_dormant_at = CASE WHEN $4 = 'dormant' THEN $5 ELSE went_dormant_at END
          WHERE program_id = $1 AND id = ANY($2) AND stage = ANY($3)",
    )
    .bind(program_id)
    .bind(creator_ids)
    .bind(from)
    .bind(stage)
    .bind(at)
    .execute(conn)
    .await
    .with_context(|| format!("moving creators to {stage}"))?;
    Ok(done.rows_affected())
}

/// Product names for the catalogue message: newest launches first, then by name.
pub async fn catalogue(
    db: impl PgExecutor<'_>,
    program_id: i64,
    limit: i64,
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT name FROM products WHERE program_id = $1
          ORDER BY launched_on DESC NULLS LAST, name LIMIT $2",
    )
    .bind(program_id)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("reading the product catalogue")
}

/// The most recently launched products (launched by `today`), newest first, as
/// `(product_id, name)`: what a creator is offered to film next.
pub async fn newest_products(
    db: impl PgExecutor<'_>,
    program_id: i64,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT product_id, name FROM products
          WHERE program_id = $1 AND launched_on IS NOT NULL AND launched_on <= $2
          ORDER BY launched_on DESC, name LIMIT $3",
    )
    .bind(program_id)
    .bind(today)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("reading the newest products")
}
