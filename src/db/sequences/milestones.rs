//! One-off messages, each found by one set-based query: milestones (first sale, cumulative
//! commission, went viral), the thank-you after a creator's first video, and tier promotion
//! notes. Only what happened within the catch-up window counts: older news is not worth a DM.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgConnection};

use super::FIRST_NAME;

/// A creator to congratulate, and when it happened.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueMilestone {
    pub creator_id: i64,
    pub handle: String,
    pub first_name: String,
    pub tz: String,
    pub dedupe_key: String,
    /// Cumulative commission (commission milestone), or window GMV (viral); 0 otherwise.
    pub amount_cents: i64,
    /// The tier history row (viral, promotion); 0 otherwise.
    pub history_id: i64,
    /// Whether the tier check already queued its own staff alert (viral).
    pub alert_queued: bool,
    /// The tier moved to (promotion); empty otherwise.
    pub to_tier: String,
}

const CREATOR_COLUMNS: &str = "c.id AS creator_id, c.handle, COALESCE(c.timezone, $2) AS tz";

/// Creators whose first net sale fell on a program-local day in `[first_day, today]`.
pub async fn first_sales(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    first_day: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<DueMilestone>> {
    let sql = format!(
        "SELECT {CREATOR_COLUMNS}, {FIRST_NAME} AS first_name,
                'seq:milestone:' || c.id || ':first_sale' AS dedupe_key,
                0::bigint AS amount_cents, 0::bigint AS history_id, false AS alert_queued,
                '' AS to_tier
           FROM creators c
          WHERE c.program_id = $1 AND NOT c.opted_out
            AND c.first_sale_on BETWEEN $3 AND $4
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = $1
                               AND o.dedupe_key = 'seq:milestone:' || c.id || ':first_sale')"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(timezone)
        .bind(first_day)
        .bind(today)
        .fetch_all(conn)
        .await
        .context("finding first sales to celebrate")
}

/// Creators whose cumulative commission (the rollups' commission, days up to `today`) reached
/// `threshold_cents` on a day in `[first_day, today]`. Only creators who earned commission in
/// that window are summed.
pub async fn commission_milestones(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    first_day: NaiveDate,
    today: NaiveDate,
    threshold_cents: i64,
) -> Result<Vec<DueMilestone>> {
    let sql = format!(
        "WITH recent AS (
             SELECT DISTINCT creator_id FROM creator_daily
              WHERE program_id = $1 AND day BETWEEN $3 AND $4 AND commission_cents > 0
         ),
         totals AS (
             SELECT d.creator_id, SUM(d.commission_cents)::bigint AS total,
                    COALESCE(SUM(d.commission_cents) FILTER (WHERE d.day < $3), 0)::bigint AS before
               FROM creator_daily d JOIN recent r ON r.creator_id = d.creator_id
              WHERE d.program_id = $1 AND d.day <= $4
              GROUP BY d.creator_id
         )
         SELECT {CREATOR_COLUMNS}, {FIRST_NAME} AS first_name,
                'seq:milestone:' || c.id || ':commission_' || $5::bigint AS dedupe_key,
                t.total AS amount_cents, 0::bigint AS history_id, false AS alert_queued,
                '' AS to_tier
           FROM totals t JOIN creators c ON c.id = t.creator_id
          WHERE c.program_id = $1 AND NOT c.opted_out AND t.total >= $5::bigint
            AND t.before < $5::bigint
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = $1
                               AND o.dedupe_key = 'seq:milestone:' || c.id || ':commission_' || $5::bigint)"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(timezone)
        .bind(first_day)
        .bind(today)
        .bind(threshold_cents)
        .fetch_all(conn)
        .await
        .context("finding commission milestones")
}

/// Viral jumps (tier history `viral`) made in `(since, now]`, with the GMV of the viral window
/// before the jump's program-local day and whether the tier check queued its staff alert
/// (`tier:viral:{creator_id}:{day}`).
pub async fn viral_milestones(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    viral_window_days: u32,
) -> Result<Vec<DueMilestone>> {
    let sql = format!(
        "SELECT {CREATOR_COLUMNS}, {FIRST_NAME} AS first_name,
                'seq:milestone:' || c.id || ':viral:' || h.id AS dedupe_key,
                (SELECT COALESCE(SUM(d.gross_gmv_cents - d.refunded_gmv_cents), 0)
                   FROM creator_daily d
                  WHERE d.program_id = $1 AND d.creator_id = h.creator_id
                    AND d.day >= (h.changed_at AT TIME ZONE $2)::date - $5::int
                    AND d.day < (h.changed_at AT TIME ZONE $2)::date)::bigint AS amount_cents,
                h.id AS history_id,
                EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = $1
                           AND o.dedupe_key = 'tier:viral:' || h.creator_id || ':'
                                 || to_char((h.changed_at AT TIME ZONE $2)::date, 'YYYY-MM-DD'))
                    AS alert_queued,
                h.to_tier
           FROM tier_history h JOIN creators c ON c.id = h.creator_id
          WHERE h.program_id = $1 AND h.kind = 'viral' AND h.changed_at > $3 AND h.changed_at <= $4
            AND NOT c.opted_out
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = $1
                               AND o.dedupe_key = 'seq:milestone:' || c.id || ':viral:' || h.id)"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(timezone)
        .bind(since)
        .bind(now)
        .bind(viral_window_days as i32)
        .fetch_all(conn)
        .await
        .context("finding viral creators to congratulate")
}

/// Tier changes upwards made in `(since, now]` that are still the creator's latest change (a
/// viral jump has its own message), with the trailing-window GMV before the change's
/// program-local day.
pub async fn promotions(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    window_days: u32,
) -> Result<Vec<DueMilestone>> {
    let sql = format!(
        "SELECT {CREATOR_COLUMNS}, {FIRST_NAME} AS first_name,
                'seq:promotion:' || h.id AS dedupe_key,
                (SELECT COALESCE(SUM(d.gross_gmv_cents - d.refunded_gmv_cents), 0)
                   FROM creator_daily d
                  WHERE d.program_id = $1 AND d.creator_id = h.creator_id
                    AND d.day >= (h.changed_at AT TIME ZONE $2)::date - $5::int
                    AND d.day < (h.changed_at AT TIME ZONE $2)::date)::bigint AS amount_cents,
                h.id AS history_id, false AS alert_queued, h.to_tier
           FROM tier_history h JOIN creators c ON c.id = h.creator_id
          WHERE h.program_id = $1 AND h.kind <> 'viral' AND h.from_tier IS NOT NULL
            AND h.changed_at > $3 AND h.changed_at <= $4 AND NOT c.opted_out
            AND array_position(ARRAY['all_stars', 'steady_earners', 'new_and_promising'], h.to_tier)
              < array_position(ARRAY['all_stars', 'steady_earners', 'new_and_promising'], h.from_tier)
            AND NOT EXISTS (SELECT 1 FROM tier_history later
                             WHERE later.program_id = $1 AND later.creator_id = h.creator_id
                               AND later.changed_at <= $4
                               AND (later.changed_at, later.id) > (h.changed_at, h.id))
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = $1
                               AND o.dedupe_key = 'seq:promotion:' || h.id)"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(timezone)
        .bind(since)
        .bind(now)
        .bind(window_days as i32)
        .fetch_all(conn)
        .await
        .context("finding tier promotions to announce")
}

/// A creator's first video, old enough to be judged.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueFirstPost {
    pub video_id: i64,
    pub creator_id: i64,
    pub handle: String,
    pub first_name: String,
    pub tz: String,
    pub posted_at: DateTime<Utc>,
    pub views: i64,
    pub product_id: Option<String>,
    pub product: Option<String>,
    pub dedupe_key: String,
}

/// Creators whose very first video was posted in `(posted_from, posted_to]` and who have not
/// been thanked yet.
pub async fn first_posts(
    conn: &mut PgConnection,
    program_id: i64,
    timezone: &str,
    posted_from: DateTime<Utc>,
    posted_to: DateTime<Utc>,
) -> Result<Vec<DueFirstPost>> {
    let sql = format!(
        "SELECT v.id AS video_id, {CREATOR_COLUMNS}, {FIRST_NAME} AS first_name, v.posted_at,
                v.views, v.product_id, COALESCE(p.name, v.product_id) AS product,
                'seq:first_post:' || c.id AS dedupe_key
           FROM videos v
           JOIN creators c ON c.id = v.creator_id
           LEFT JOIN products p ON p.program_id = v.program_id AND p.product_id = v.product_id
          WHERE v.program_id = $1 AND v.posted_at > $3 AND v.posted_at <= $4 AND NOT c.opted_out
            AND NOT EXISTS (SELECT 1 FROM videos e
                             WHERE e.program_id = $1 AND e.creator_id = v.creator_id
                               AND e.posted_at <= v.posted_at
                               AND (e.posted_at < v.posted_at OR e.id < v.id))
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.program_id = $1
                               AND o.dedupe_key = 'seq:first_post:' || c.id)"
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(timezone)
        .bind(posted_from)
        .bind(posted_to)
        .fetch_all(conn)
        .await
        .context("finding first videos to thank for")
}
