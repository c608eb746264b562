//! The three step sequences (onboarding, activation, reactivation): one query each finds every
//! step that is due and not queued yet, for every creator or sample at once.
//!
//! Each query lists its subjects (creators, samples, quiet spells) with an anchor in the
//! creator's local wall-clock time and a dedupe-key prefix, then crosses them with the steps:
//! a first step is due `offset` local days after the anchor and only within the catch-up
//! window; a later step is due `gap` local days after the previous step's queued send time.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgConnection};

use super::FIRST_NAME;
use crate::domain::sequences::{Step, last_offset_days};

/// What every step query is given.
#[derive(Debug, Clone, Copy)]
pub struct StepQuery<'a> {
    pub program_id: i64,
    /// The program's time zone: the creator's when they have none.
    pub timezone: &'a str,
    pub now: DateTime<Utc>,
    pub catch_up_days: u32,
    pub steps: &'a [Step],
}

impl StepQuery<'_> {
    /// The earliest anchor day that can still have a due step (with a day of slack for time
    /// zones and daylight saving).
    fn first_anchor(&self) -> DateTime<Utc> {
        let back = last_offset_days(self.steps) + 2 * self.catch_up_days + 2;
        self.now - Duration::days(i64::from(back))
    }

    /// The latest anchor that can have a due step.
    fn last_anchor(&self) -> DateTime<Utc> {
        let first = self.steps.iter().map(|s| s.offset_days).min().unwrap_or(0);
        self.now - Duration::days(i64::from(first)) + Duration::days(1)
    }
}

fn step_sql(subjects: &str) -> String {
    format!(
        "WITH steps AS (
             SELECT * FROM UNNEST($5::text[], $6::int[], $7::int[], $8::text[])
                        AS st(step, step_offset, step_gap, previous)
         ),
         subjects AS ({subjects}),
         stepped AS (
             SELECT s.*, st.step, st.previous, st.step_gap,
                    s.key_prefix || st.step AS dedupe_key,
                    (s.anchor + make_interval(days => st.step_offset)) AT TIME ZONE s.tz AS on_time,
                    p.due_at AS previous_due
               FROM subjects s
              CROSS JOIN steps st
               LEFT JOIN outbox p ON p.program_id = $1 AND p.dedupe_key = s.key_prefix || st.previous
         ),
         timed AS (
             SELECT t.*,
                    CASE WHEN t.previous IS NULL THEN t.on_time
                         ELSE ((t.previous_due AT TIME ZONE t.tz) + make_interval(days => t.step_gap))
                              AT TIME ZONE t.tz
                    END AS due_at
               FROM stepped t
              WHERE t.previous IS NULL OR t.previous_due IS NOT NULL
         )
         SELECT * FROM timed t
          WHERE t.due_at <= $3
            AND t.on_time > $3 - make_interval(days => CASE WHEN t.previous IS NULL THEN $4 ELSE 2 * $4 END)
            AND NOT EXISTS (SELECT 1 FROM outbox o
                             WHERE o.program_id = $1 AND o.dedupe_key = t.dedupe_key)"
    )
}

async fn due_steps<T, A>(
    conn: &mut PgConnection,
    q: &StepQuery<'_>,
    subjects: &str,
    first_anchor: A,
    last_anchor: A,
    what: &str,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    A: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'static,
{
    let names: Vec<&str> = q.steps.iter().map(|s| s.name).collect();
    let offsets: Vec<i32> = q.steps.iter().map(|s| s.offset_days as i32).collect();
    let gaps: Vec<i32> = q.steps.iter().map(|s| s.gap_days as i32).collect();
    let previous: Vec<Option<&str>> = q.steps.iter().map(|s| s.previous).collect();
    sqlx::query_as(AssertSqlSafe(step_sql(subjects)))
        .bind(q.program_id)
        .bind(q.timezone)
        .bind(q.now)
        .bind(q.catch_up_days as i32)
        .bind(&names)
        .bind(&offsets)
        .bind(&gaps)
        .bind(&previous)
        .bind(first_anchor)
        .bind(last_anchor)
        .fetch_all(conn)
        .await
        .with_context(|| format!("finding due {what} steps"))
}

/// An onboarding step due for a creator.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueOnboarding {
    pub creator_id: i64,
    pub handle: String,
    pub first_name: String,
    pub tier: String,
    pub tz: String,
    pub step: String,
    pub dedupe_key: String,
    pub due_at: DateTime<Utc>,
}

/// Onboarding steps due: anchored on the join date, for creators who have not posted a video.
pub async fn due_onboarding(
    conn: &mut PgConnection,
    q: &StepQuery<'_>,
) -> Result<Vec<DueOnboarding>> {
    let subjects = format!(
        "SELECT c.id AS creator_id, c.handle, {FIRST_NAME} AS first_name, c.tier,
                COALESCE(c.timezone, $2) AS tz, c.joined_on::timestamp AS anchor,
                'seq:onboarding:' || c.id || ':' AS key_prefix
           FROM creators c
          WHERE c.program_id = $1 AND NOT c.opted_out
            AND c.joined_on BETWEEN $9 AND $10
            AND NOT EXISTS (SELECT 1 FROM videos v
                             WHERE v.program_id = $1 AND v.creator_id = c.id AND v.posted_at <= $3)"
    );
    let (first, last): (NaiveDate, NaiveDate) =
        (q.first_anchor().date_naive(), q.last_anchor().date_naive());
    due_steps(conn, q, &subjects, first, last, "onboarding").await
}

/// An activation step due for a delivered sample.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueActivation {
    pub sample_id: i64,
    pub creator_id: i64,
    pub handle: String,
    pub first_name: String,
    pub stage: String,
    pub tz: String,
    pub product: String,
    pub delivered_on: NaiveDate,
    pub step: String,
    pub dedupe_key: String,
    pub due_at: DateTime<Utc>,
}

/// Activation steps due: anchored on the delivery day, for samples with no video of their
/// product by their creator (posted on or after the program-local shipped day) and not closed
/// (a cancelled sample application).
pub async fn due_activation(
    conn: &mut PgConnection,
    q: &StepQuery<'_>,
) -> Result<Vec<DueActivation>> {
    let subjects = format!(
        "SELECT s.id AS sample_id, c.id AS creator_id, c.handle, {FIRST_NAME} AS first_name,
                c.stage, COALESCE(c.timezone, $2) AS tz,
                COALESCE(p.name, s.product_id) AS product, s.delivered_on,
                s.delivered_on::timestamp AS anchor,
                'seq:activation:' || s.id || ':' AS key_prefix
           FROM samples s
           JOIN creators c ON c.id = s.creator_id
           LEFT JOIN products p ON p.program_id = s.program_id AND p.product_id = s.product_id
          WHERE s.program_id = $1 AND s.delivered_on BETWEEN $9 AND $10 AND NOT c.opted_out
            AND s.closed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM videos v
                             WHERE v.program_id = $1 AND v.creator_id = s.creator_id
                               AND v.product_id = s.product_id
                               AND v.posted_at >= (s.shipped_on::timestamp AT TIME ZONE $2)
                               AND v.posted_at <= $3)"
    );
    let (first, last): (NaiveDate, NaiveDate) =
        (q.first_anchor().date_naive(), q.last_anchor().date_naive());
    due_steps(conn, q, &subjects, first, last, "activation").await
}

/// A reactivation step due for a creator's quiet spell (since their latest video).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueReactivation {
    pub video_id: i64,
    pub last_video_at: DateTime<Utc>,
    pub creator_id: i64,
    pub handle: String,
    pub first_name: String,
    pub stage: String,
    pub tz: String,
    pub step: String,
    pub dedupe_key: String,
    pub due_at: DateTime<Utc>,
}

/// Reactivation steps due: anchored on each creator's latest video posted by `now` (creators
/// who never posted are not here). The latest videos are found from the videos of the anchor
/// window onwards, so a run reads the last few weeks of videos, not every creator's history.
pub async fn due_reactivation(
    conn: &mut PgConnection,
    q: &StepQuery<'_>,
) -> Result<Vec<DueReactivation>> {
    let subjects = format!(
        "WITH quiet AS (
             SELECT creator_id, max(posted_at) AS last_at
               FROM videos
              WHERE program_id = $1 AND posted_at >= $9 AND posted_at <= $3
              GROUP BY creator_id
             HAVING max(posted_at) <= $10
         )
         SELECT v.id AS video_id, v.posted_at AS last_video_at, c.id AS creator_id, c.handle,
                {FIRST_NAME} AS first_name, c.stage, COALESCE(c.timezone, $2) AS tz,
                v.posted_at AT TIME ZONE COALESCE(c.timezone, $2) AS anchor,
                'seq:reactivation:' || c.id || ':' || v.id || ':' AS key_prefix
           FROM quiet
           JOIN creators c ON c.id = quiet.creator_id
          CROSS JOIN LATERAL (SELECT l.id, l.posted_at FROM videos l
                               WHERE l.program_id = $1 AND l.creator_id = quiet.creator_id
                                 AND l.posted_at = quiet.last_at
                               ORDER BY l.id DESC LIMIT 1) v
          WHERE NOT c.opted_out"
    );
    due_steps(
        conn,
        q,
        &subjects,
        q.first_anchor(),
        q.last_anchor(),
        "reactivation",
    )
    .await
}
