//! One creator's numbers for the stats card: who they are, their period sums and their samples.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};

/// A creator and their sums over a period.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CreatorSums {
    pub creator_id: i64,
    pub handle: String,
    pub tier: String,
    pub tier_pinned: bool,
    /// Reason of the latest tier change, if any was recorded.
    pub tier_reason: Option<String>,
    pub joined_on: NaiveDate,
    pub first_sale_on: Option<NaiveDate>,
    pub gross_gmv_cents: i64,
    pub refunded_gmv_cents: i64,
    pub orders: i64,
    pub commission_cents: i64,
    pub commission_estimated_cents: i64,
    pub commission_actual_cents: i64,
    /// Net GMV of every day before the period's end.
    pub lifetime_gmv_cents: i64,
    pub videos: i64,
    pub views: i64,
    pub interactions: i64,
    pub samples_delivered: i64,
    pub samples_posted: i64,
    pub sample_cost_cents: i64,
    /// Flat fees and bonuses paid to this creator in the period.
    pub other_cost_cents: i64,
    /// The latest video posted before the period's end.
    pub last_video_content_id: Option<String>,
    pub last_video_posted_at: Option<DateTime<Utc>>,
    pub last_video_views: Option<i64>,
}

/// The creator `handle` (stored form: lower case, no '@') and their sums over `[from, to)`, or
/// `None` when the program has no such creator.
pub async fn creator_sums(
    db: impl PgExecutor<'_>,
    program_id: i64,
    handle: &str,
    (from, to): (NaiveDate, NaiveDate),
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    timezone: &str,
) -> Result<Option<CreatorSums>> {
    // Every part is an index range on (program_id, creator_id, …), so the card costs a handful of
    // index lookups whatever the program's size.
    let sql = format!(
        "SELECT c.id AS creator_id, c.handle, c.tier, c.tier_pinned, th.reason AS tier_reason,
                c.joined_on, c.first_sale_on,
                d.*, life.lifetime_gmv_cents, v.*, s.*, sc.*, pc.*,
                lv.content_id AS last_video_content_id, lv.posted_at AS last_video_posted_at,
                lv.views AS last_video_views
           FROM creators c
           LEFT JOIN LATERAL (
                -- The reason they hold their tier: an unpin changes no tier, so it is not one.
                SELECT reason FROM tier_history
                 WHERE program_id = c.program_id AND creator_id = c.id AND kind <> 'unpinned'
                 ORDER BY changed_at DESC, id DESC LIMIT 1) th ON true
           CROSS JOIN LATERAL (
                SELECT COALESCE(SUM(gross_gmv_cents), 0)::int8 AS gross_gmv_cents,
                       COALESCE(SUM(refunded_gmv_cents), 0)::int8 AS refunded_gmv_cents,
                       COALESCE(SUM(orders), 0)::int8 AS orders,
                       COALESCE(SUM(commission_cents), 0)::int8 AS commission_cents,
                       COALESCE(SUM(commission_estimated_cents), 0)::int8 AS commission_estimated_cents,
                       COALESCE(SUM(commission_actual_cents), 0)::int8 AS commission_actual_cents
                  FROM creator_daily
                 WHERE program_id = c.program_id AND creator_id = c.id AND day >= $3 AND day < $4) d
           CROSS JOIN LATERAL (
                SELECT COALESCE(SUM(gross_gmv_cents - refunded_gmv_cents), 0)::int8 AS lifetime_gmv_cents
                  FROM creator_daily
                 WHERE program_id = c.program_id AND creator_id = c.id AND day < $4) life
           CROSS JOIN LATERAL (
                SELECT COUNT(*) AS videos, COALESCE(SUM(views), 0)::int8 AS views,
                       COALESCE(SUM(likes + comments + shares), 0)::int8 AS interactions
                  FROM videos
                 WHERE program_id = c.program_id AND creator_id = c.id
                   AND posted_at >= $5 AND posted_at < $6) v
           CROSS JOIN LATERAL (
                SELECT COUNT(*) AS samples_delivered,
                       COUNT(*) FILTER (WHERE {posted}) AS samples_posted
                  FROM samples s
                 WHERE s.program_id = c.program_id AND s.creator_id = c.id
                   AND s.delivered_on >= $3 AND s.delivered_on < $4) s
           CROSS JOIN LATERAL (
                SELECT COALESCE(SUM(s.cost_cents + COALESCE(p.unit_cost_cents, 0)), 0)::int8 AS sample_cost_cents
                  FROM samples s
                  LEFT JOIN products p ON p.program_id = s.program_id AND p.product_id = s.product_id
                 WHERE s.program_id = c.program_id AND s.creator_id = c.id
                   AND s.shipped_on >= $3 AND s.shipped_on < $4) sc
           CROSS JOIN LATERAL (
                SELECT COALESCE(SUM(amount_cents), 0)::int8 AS other_cost_cents
                  FROM program_costs
                 WHERE program_id = c.program_id AND creator_id = c.id
                   AND incurred_on >= $3 AND incurred_on < $4) pc
           LEFT JOIN LATERAL (
                SELECT content_id, posted_at, views FROM videos
                 WHERE program_id = c.program_id AND creator_id = c.id AND posted_at < $6
                 ORDER BY posted_at DESC, id DESC LIMIT 1) lv ON true
          WHERE c.program_id = $1 AND c.handle = $2",
        posted = super::sample_posted_sql(7),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(handle)
        .bind(from)
        .bind(to)
        .bind(starts_at)
        .bind(ends_at)
        .bind(timezone)
        .fetch_optional(db)
        .await
        .with_context(|| format!("reading the stats of creator @{handle}"))
}

/// One of a creator's samples, with whether a video of it followed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SampleRow {
    pub product_id: String,
    pub shipped_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    /// The recorded first video, else the first one posted on or after delivery.
    pub first_video_at: Option<DateTime<Utc>>,
    pub posted: bool,
}

/// Every sample the creator got, newest shipment first.
pub async fn creator_samples(
    db: impl PgExecutor<'_>,
    program_id: i64,
    creator_id: i64,
    timezone: &str,
) -> Result<Vec<SampleRow>> {
    let sql = format!(
        "SELECT s.product_id, s.shipped_on, s.delivered_on,
                COALESCE(s.first_video_at,
                         (SELECT MIN(v.posted_at) FROM videos v
                           WHERE v.program_id = s.program_id AND v.creator_id = s.creator_id
                             AND v.product_id = s.product_id
                             AND v.posted_at >= (s.delivered_on::timestamp AT TIME ZONE $3)))
                    AS first_video_at,
                {posted} AS posted
           FROM samples s
          WHERE s.program_id = $1 AND s.creator_id = $2
          ORDER BY s.shipped_on DESC, s.product_id",
        posted = super::sample_posted_sql(3),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(creator_id)
        .bind(timezone)
        .fetch_all(db)
        .await
        .context("listing the creator's samples")
}
