//! The sums behind a program's KPIs over a period: the rollups' and the activity's, one round
//! trip each.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};

/// What the program KPIs read from the rollups and the small tables: everything except the
/// per-creator GMV ranking (see [`super::selling`]) and the [`ActivitySums`].
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProgramSums {
    pub gross_gmv_cents: i64,
    pub refunded_gmv_cents: i64,
    pub orders: i64,
    pub commission_cents: i64,
    pub commission_estimated_cents: i64,
    pub commission_actual_cents: i64,
    /// Flat fees and bonuses incurred in the period.
    pub other_cost_cents: i64,
    /// Net GMV of every day before the period's end.
    pub lifetime_gmv_cents: i64,
    /// `first_sale_on − joined_on` of creators whose first net sale falls in the period.
    pub days_to_first_sale: Vec<i64>,
}

/// The period `[from, to)` in program-local days.
pub async fn program_sums(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<ProgramSums> {
    sqlx::query_as(
        "WITH d AS (
             SELECT COALESCE(SUM(gross_gmv_cents), 0)::int8 AS gross_gmv_cents,
                    COALESCE(SUM(refunded_gmv_cents), 0)::int8 AS refunded_gmv_cents,
                    COALESCE(SUM(orders), 0)::int8 AS orders,
                    COALESCE(SUM(commission_cents), 0)::int8 AS commission_cents,
                    COALESCE(SUM(commission_estimated_cents), 0)::int8 AS commission_estimated_cents,
                    COALESCE(SUM(commission_actual_cents), 0)::int8 AS commission_actual_cents
               FROM program_daily WHERE program_id = $1 AND day >= $2 AND day < $3),
         pc AS (
             SELECT COALESCE(SUM(amount_cents), 0)::int8 AS other_cost_cents
               FROM program_costs WHERE program_id = $1 AND incurred_on >= $2 AND incurred_on < $3),
         life AS (
             SELECT COALESCE(SUM(gross_gmv_cents - refunded_gmv_cents), 0)::int8 AS lifetime_gmv_cents
               FROM program_daily WHERE program_id = $1 AND day < $3),
         first_sales AS (
             SELECT COALESCE(array_agg((first_sale_on - joined_on)::int8), '{}') AS days_to_first_sale
               FROM creators WHERE program_id = $1 AND first_sale_on >= $2 AND first_sale_on < $3)
         SELECT * FROM d, pc, life, first_sales",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
    .context("summing the program's KPIs")
}

/// What the program KPIs read from videos and samples (the `activity` change stamp's source).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActivitySums {
    /// Creators with a video posted in the period.
    pub activated_creators: i64,
    pub views: i64,
    /// Likes + comments + shares of those videos.
    pub interactions: i64,
    pub samples_delivered: i64,
    pub samples_posted: i64,
    /// Unit cost (0 when the product is unknown) plus shipping of samples shipped in the period.
    pub sample_cost_cents: i64,
}

/// The period `[from, to)` in program-local days; `starts_at`/`ends_at` are its local midnights
/// and `timezone` the program's IANA zone.
pub async fn activity_sums(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
    timezone: &str,
) -> Result<ActivitySums> {
    let sql = format!(
        "WITH v AS (
             SELECT COUNT(DISTINCT creator_id) AS activated_creators,
                    COALESCE(SUM(views), 0)::int8 AS views,
                    COALESCE(SUM(likes + comments + shares), 0)::int8 AS interactions
               FROM videos WHERE program_id = $1 AND posted_at >= $4 AND posted_at < $5),
         s AS (
             SELECT COUNT(*) AS samples_delivered,
                    COUNT(*) FILTER (WHERE {posted}) AS samples_posted
               FROM samples s WHERE s.program_id = $1 AND s.delivered_on >= $2 AND s.delivered_on < $3),
         sc AS (
             SELECT COALESCE(SUM(s.cost_cents + COALESCE(p.unit_cost_cents, 0)), 0)::int8 AS sample_cost_cents
               FROM samples s
               LEFT JOIN products p ON p.program_id = s.program_id AND p.product_id = s.product_id
              WHERE s.program_id = $1 AND s.shipped_on >= $2 AND s.shipped_on < $3)
         SELECT * FROM v, s, sc",
        posted = super::sample_posted_sql(6),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(from)
        .bind(to)
        .bind(starts_at)
        .bind(ends_at)
        .bind(timezone)
        .fetch_one(db)
        .await
        .context("summing the program's videos and samples")
}
