//! The staff reports' SQL beyond the program KPIs: who sold for the first time, who went dormant,
//! what the latest monthly review changed, tiers at an instant (from tier history), and the
//! quarter's figures by creator niche and by product.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{AssertSqlSafe, PgExecutor};

use crate::db::stats::sample_posted_sql;
use crate::domain::Tier;

fn tier(raw: &str) -> Result<Tier> {
    raw.parse()
        .with_context(|| format!("unknown tier {raw:?} in the database"))
}

/// The handles of creators whose first net sale fell on a program-local day of `[from, to)`.
pub async fn first_sellers(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT handle FROM creators
          WHERE program_id = $1 AND first_sale_on >= $2 AND first_sale_on < $3
          ORDER BY handle",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
    .context("finding first sales")
}

/// The handles of creators the sequences moved to dormant in `[from, to)`.
pub async fn went_dormant(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT handle FROM creators
          WHERE program_id = $1 AND went_dormant_at >= $2 AND went_dormant_at < $3
          ORDER BY handle",
    )
    .bind(program_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
    .context("finding creators who went dormant")
}

/// One creator's tier change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierMove {
    pub handle: String,
    pub from: Tier,
    pub to: Tier,
    pub reason: String,
}

/// A review's change as read: when, who, from, to, why.
type ReviewRow = (DateTime<Utc>, String, Option<String>, String, String);

/// The latest monthly review at or before `at`: when it ran and every change it made, by handle.
pub async fn latest_review(
    db: impl PgExecutor<'_>,
    program_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<(DateTime<Utc>, Vec<TierMove>)>> {
    let rows: Vec<ReviewRow> = sqlx::query_as(
        "WITH last AS (SELECT max(changed_at) AS at FROM tier_history
                        WHERE program_id = $1 AND kind = 'monthly_review' AND changed_at <= $2)
         SELECT h.changed_at, c.handle, h.from_tier, h.to_tier, h.reason
           FROM last
           JOIN tier_history h ON h.program_id = $1 AND h.kind = 'monthly_review'
                              AND h.changed_at = last.at
           JOIN creators c ON c.id = h.creator_id
          ORDER BY c.handle",
    )
    .bind(program_id)
    .bind(at)
    .fetch_all(db)
    .await
    .context("reading the latest monthly review")?;
    let Some(when) = rows.first().map(|r| r.0) else {
        return Ok(None);
    };
    let mut moves = Vec::with_capacity(rows.len());
    for (_, handle, from, to, reason) in rows {
        // A review only moves creators who had a tier.
        let Some(from) = from else { continue };
        moves.push(TierMove {
            handle,
            from: tier(&from)?,
            to: tier(&to)?,
            reason,
        });
    }
    Ok(Some((when, moves)))
}

/// Every creator's tier at the instant `$n` from tier history: the last change before it, else
/// what the first change after it moved them from, else their tier now (never changed). Columns
/// `id`, `tier`.
fn tier_at_sql(n: usize) -> String {
    format!(
        "SELECT c.id, COALESCE(b.to_tier, a.from_tier, c.tier) AS tier, c.joined_on
           FROM creators c
           LEFT JOIN (SELECT DISTINCT ON (creator_id) creator_id, to_tier FROM tier_history
                       WHERE program_id = $1 AND changed_at < ${n}
                       ORDER BY creator_id, changed_at DESC, id DESC) b ON b.creator_id = c.id
           LEFT JOIN (SELECT DISTINCT ON (creator_id) creator_id, from_tier FROM tier_history
                       WHERE program_id = $1 AND changed_at >= ${n}
                       ORDER BY creator_id, changed_at, id) a ON a.creator_id = c.id
          WHERE c.program_id = $1"
    )
}

/// How many creators each tier held at `at` (creators who joined before `joined_before`), top
/// tier first, every tier listed.
pub async fn tier_mix_at(
    db: impl PgExecutor<'_>,
    program_id: i64,
    at: DateTime<Utc>,
    joined_before: NaiveDate,
) -> Result<Vec<(Tier, i64)>> {
    let sql = format!(
        "SELECT t.tier, count(*) FROM ({}) t WHERE t.joined_on < $3 GROUP BY t.tier",
        tier_at_sql(2)
    );
    let rows: Vec<(String, i64)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(at)
        .bind(joined_before)
        .fetch_all(db)
        .await
        .context("counting creators per tier at an instant")?;
    let mut mix: Vec<(Tier, i64)> = Tier::ALL.iter().map(|t| (*t, 0)).collect();
    for (raw, n) in rows {
        let t = tier(&raw)?;
        if let Some(slot) = mix.iter_mut().find(|(x, _)| *x == t) {
            slot.1 = n;
        }
    }
    Ok(mix)
}

/// One cell of a tier migration matrix: creators in `from` at the start (`None`: they joined
/// during the period) and in `to` at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub from: Option<Tier>,
    pub to: Tier,
    pub creators: i64,
}

/// Tier at `starts` (creators who joined before `start_day`) against tier at `ends` (creators who
/// joined before `end_day`), counted per pair; pairs with no creator are left out.
pub async fn tier_migrations(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (starts, start_day): (DateTime<Utc>, NaiveDate),
    (ends, end_day): (DateTime<Utc>, NaiveDate),
) -> Result<Vec<Migration>> {
    let sql = format!(
        "SELECT CASE WHEN e.joined_on < $4 THEN s.tier END AS from_tier, e.tier AS to_tier,
                count(*) AS creators
           FROM ({end}) e JOIN ({start}) s ON s.id = e.id
          WHERE e.joined_on < $5
          GROUP BY 1, 2",
        start = tier_at_sql(2),
        end = tier_at_sql(3),
    );
    let rows: Vec<(Option<String>, String, i64)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(starts)
        .bind(ends)
        .bind(start_day)
        .bind(end_day)
        .fetch_all(db)
        .await
        .context("counting tier migrations")?;
    rows.into_iter()
        .map(|(from, to, creators)| {
            Ok(Migration {
                from: from.as_deref().map(tier).transpose()?,
                to: tier(&to)?,
                creators,
            })
        })
        .collect()
}

/// A niche's figures over a period (`niche` is `None` for creators without one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NicheSums {
    pub niche: Option<String>,
    /// Creators of the niche who had joined by the period's end.
    pub creators: i64,
    pub gmv_cents: i64,
    pub selling_creators: i64,
    pub samples_delivered: i64,
    pub samples_posted: i64,
}

/// GMV, selling creators and sample conversion per creator niche over program-local days
/// `[from, to)`, given the period's selling creators and their GMV (the KPIs' ranking, already
/// summed from the rollups): the highest GMV first, creators without a niche last.
pub async fn by_niche(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    timezone: &str,
    (sellers, gmv): (&[i64], &[i64]),
) -> Result<Vec<NicheSums>> {
    let sql = format!(
        "WITH g AS (SELECT * FROM unnest($5::int8[], $6::int8[]) AS g(creator_id, gmv)),
         sm AS (
             SELECT s.creator_id, COUNT(*) AS delivered, COUNT(*) FILTER (WHERE {posted}) AS posted
               FROM samples s
              WHERE s.program_id = $1 AND s.delivered_on >= $2 AND s.delivered_on < $3
              GROUP BY s.creator_id)
         SELECT NULLIF(btrim(c.niche), '') AS niche,
                COUNT(*) FILTER (WHERE c.joined_on < $3) AS creators,
                COALESCE(SUM(g.gmv), 0)::int8 AS gmv_cents,
                COUNT(g.creator_id) AS selling_creators,
                COALESCE(SUM(sm.delivered), 0)::int8 AS samples_delivered,
                COALESCE(SUM(sm.posted), 0)::int8 AS samples_posted
           FROM creators c
           LEFT JOIN g ON g.creator_id = c.id
           LEFT JOIN sm ON sm.creator_id = c.id
          WHERE c.program_id = $1
          GROUP BY 1
          ORDER BY (NULLIF(btrim(c.niche), '') IS NULL), gmv_cents DESC, 1",
        posted = sample_posted_sql(4),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(from)
        .bind(to)
        .bind(timezone)
        .bind(sellers)
        .bind(gmv)
        .fetch_all(db)
        .await
        .context("summing the period by niche")
}

/// A product's figures over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ProductSums {
    pub product_id: String,
    /// The catalogue's name, else the product id.
    pub name: String,
    /// Samples shipped in the period, and what they cost (unit cost plus shipping).
    pub samples_sent: i64,
    pub sample_cost_cents: i64,
    /// Samples delivered in the period, and those a video of the product followed.
    pub samples_delivered: i64,
    pub samples_posted: i64,
    /// Net GMV of the product's lines created in the period …
    pub gmv_cents: i64,
    /// … and of those that earned the creator a commission.
    pub commission_gmv_cents: i64,
}

/// Samples, sample conversion and GMV per product over program-local days `[from, to)` (sales from
/// the `product_daily` rollup): every product with a sample or a sale in the period, the highest
/// GMV first. Lines without a product id count in the program's GMV but in no product's.
pub async fn by_product(
    db: impl PgExecutor<'_>,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    timezone: &str,
) -> Result<Vec<ProductSums>> {
    let sql = format!(
        "WITH sent AS (
             SELECT s.product_id, COUNT(*) AS samples_sent,
                    SUM(s.cost_cents + COALESCE(p.unit_cost_cents, 0))::int8 AS sample_cost_cents
               FROM samples s
               LEFT JOIN products p ON p.program_id = s.program_id AND p.product_id = s.product_id
              WHERE s.program_id = $1 AND s.shipped_on >= $2 AND s.shipped_on < $3
              GROUP BY s.product_id),
         conv AS (
             SELECT s.product_id, COUNT(*) AS delivered, COUNT(*) FILTER (WHERE {posted}) AS posted
               FROM samples s
              WHERE s.program_id = $1 AND s.delivered_on >= $2 AND s.delivered_on < $3
              GROUP BY s.product_id),
         sales AS (
             SELECT product_id, SUM(gmv_cents)::int8 AS gmv,
                    SUM(commission_gmv_cents)::int8 AS commission_gmv
               FROM product_daily
              WHERE program_id = $1 AND day >= $2 AND day < $3
              GROUP BY product_id),
         ids AS (SELECT product_id FROM sent UNION SELECT product_id FROM conv
                 UNION SELECT product_id FROM sales)
         SELECT ids.product_id, COALESCE(p.name, ids.product_id) AS name,
                COALESCE(sent.samples_sent, 0) AS samples_sent,
                COALESCE(sent.sample_cost_cents, 0) AS sample_cost_cents,
                COALESCE(conv.delivered, 0) AS samples_delivered,
                COALESCE(conv.posted, 0) AS samples_posted,
                COALESCE(sales.gmv, 0) AS gmv_cents,
                COALESCE(sales.commission_gmv, 0) AS commission_gmv_cents
           FROM ids
           LEFT JOIN products p ON p.program_id = $1 AND p.product_id = ids.product_id
           LEFT JOIN sent ON sent.product_id = ids.product_id
           LEFT JOIN conv ON conv.product_id = ids.product_id
           LEFT JOIN sales ON sales.product_id = ids.product_id
          ORDER BY gmv_cents DESC, name, ids.product_id",
        posted = sample_posted_sql(4),
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .bind(from)
        .bind(to)
        .bind(timezone)
        .fetch_all(db)
        .await
        .context("summing the period by product")
}
