//! Samples recorded one at a time (staff say a sample shipped or arrived), and the products they
//! carry.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgExecutor};

/// The name of a product in the catalogue.
pub async fn product_name(
    db: impl PgExecutor<'_>,
    program_id: i64,
    product_id: &str,
) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM products WHERE program_id = $1 AND product_id = $2")
        .bind(program_id)
        .bind(product_id)
        .fetch_optional(db)
        .await
        .context("looking up the product")
}

/// Records a sample shipped on `shipped_on`; `false` when that shipment was recorded already.
/// Its first video is looked up the way the video import does it (the earliest video of the
/// product by the creator posted on or after the local shipped day).
pub async fn insert_shipped(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    product_id: &str,
    shipped_on: NaiveDate,
    timezone: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO samples (program_id, creator_id, product_id, shipped_on, first_video_at)
         SELECT $1, $2, $3, $4,
                (SELECT min(v.posted_at) FROM videos v
                  WHERE v.program_id = $1 AND v.creator_id = $2 AND v.product_id = $3
                    AND v.posted_at >= ($4::date::timestamp AT TIME ZONE $5))
         ON CONFLICT (program_id, creator_id, product_id, shipped_on) DO NOTHING",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(product_id)
    .bind(shipped_on)
    .bind(timezone)
    .execute(conn)
    .await
    .context("recording the sample")?;
    Ok(done.rows_affected() == 1)
}

/// One shipment of a product to a creator.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Shipment {
    pub id: i64,
    pub shipped_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
}

/// Every shipment of `product_id` to the creator, newest first, locked until the transaction ends.
pub async fn lock_shipments(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    product_id: &str,
) -> Result<Vec<Shipment>> {
    sqlx::query_as(
        "SELECT id, shipped_on, delivered_on FROM samples
          WHERE program_id = $1 AND creator_id = $2 AND product_id = $3
          ORDER BY shipped_on DESC
          FOR UPDATE",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(product_id)
    .fetch_all(conn)
    .await
    .context("reading the creator's samples")
}

pub async fn set_delivered(
    conn: &mut PgConnection,
    program_id: i64,
    sample_id: i64,
    delivered_on: NaiveDate,
) -> Result<()> {
    sqlx::query(
        "UPDATE samples SET delivered_on = $3, updated_at = now()
          WHERE program_id = $1 AND id = $2",
    )
    .bind(program_id)
    .bind(sample_id)
    .bind(delivered_on)
    .execute(conn)
    .await
    .context("recording the delivery")?;
    Ok(())
}
