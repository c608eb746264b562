//! SQL of the sample application sync: the applications seen (with when each status was first
//! seen), the samples they open, deliver and close, and the videos that completed them.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

/// An application as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Application {
    pub application_id: String,
    pub creator_id: i64,
    pub product_id: String,
    pub status: String,
    pub first_seen_at: DateTime<Utc>,
    pub awaiting_shipment_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub content_pending_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub sample_id: Option<i64>,
}

/// The stored applications among `ids`.
pub async fn applications(
    conn: &mut PgConnection,
    program_id: i64,
    ids: &[String],
) -> Result<HashMap<String, Application>> {
    let rows: Vec<Application> = sqlx::query_as(
        "SELECT application_id, creator_id, product_id, status, first_seen_at,
                awaiting_shipment_at, shipped_at, content_pending_at, completed_at, cancelled_at,
                sample_id
           FROM tiktok_sample_applications WHERE program_id = $1 AND application_id = ANY($2)",
    )
    .bind(program_id)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await
    .context("reading the sample applications seen before")?;
    Ok(rows
        .into_iter()
        .map(|a| (a.application_id.clone(), a))
        .collect())
}

/// Creates the creators `handles` names that the program does not know yet (joined `joined_on`,
/// in New & Promising, as the import does) and answers every handle's creator id.
pub async fn creators(
    conn: &mut PgConnection,
    program_id: i64,
    handles: &[String],
    joined_on: NaiveDate,
) -> Result<(HashMap<String, i64>, u64)> {
    let created = sqlx::query(
        "INSERT INTO creators (program_id, handle, joined_on)
         SELECT $1, h, $3 FROM unnest($2::text[]) AS h
         ON CONFLICT (program_id, handle) DO NOTHING",
    )
    .bind(program_id)
    .bind(handles)
    .bind(joined_on)
    .execute(&mut *conn)
    .await
    .context("creating the creators of sample applications")?
    .rows_affected();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT handle, id FROM creators WHERE program_id = $1 AND handle = ANY($2)",
    )
    .bind(program_id)
    .bind(handles)
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows.into_iter().collect(), created))
}

pub async fn save_application(
    conn: &mut PgConnection,
    program_id: i64,
    a: &Application,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tiktok_sample_applications (program_id, application_id, creator_id,
             product_id, status, first_seen_at, awaiting_shipment_at, shipped_at,
             content_pending_at, completed_at, cancelled_at, sample_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (program_id, application_id) DO UPDATE SET
             creator_id = EXCLUDED.creator_id, product_id = EXCLUDED.product_id,
             status = EXCLUDED.status, awaiting_shipment_at = EXCLUDED.awaiting_shipment_at,
             shipped_at = EXCLUDED.shipped_at, content_pending_at = EXCLUDED.content_pending_at,
             completed_at = EXCLUDED.completed_at, cancelled_at = EXCLUDED.cancelled_at,
             sample_id = EXCLUDED.sample_id, updated_at = EXCLUDED.updated_at",
    )
    .bind(program_id)
    .bind(&a.application_id)
    .bind(a.creator_id)
    .bind(&a.product_id)
    .bind(&a.status)
    .bind(a.first_seen_at)
    .bind(a.awaiting_shipment_at)
    .bind(a.shipped_at)
    .bind(a.content_pending_at)
    .bind(a.completed_at)
    .bind(a.cancelled_at)
    .bind(a.sample_id)
    .bind(at)
    .execute(&mut *conn)
    .await
    .context("storing a sample application")?;
    Ok(())
}

/// The sample an application shipped (a sample imported from a file for the same creator,
/// product and day is the same sample).
pub async fn open_sample(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    product_id: &str,
    shipped_on: NaiveDate,
) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO samples (program_id, creator_id, product_id, shipped_on)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (program_id, creator_id, product_id, shipped_on)
         DO UPDATE SET updated_at = samples.updated_at
         RETURNING id",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(product_id)
    .bind(shipped_on)
    .fetch_one(&mut *conn)
    .await
    .context("recording a shipped sample")
}

/// Delivered on `day` (not before it shipped), unless a delivery day is known already.
pub async fn deliver_sample(conn: &mut PgConnection, sample_id: i64, day: NaiveDate) -> Result<()> {
    sqlx::query(
        "UPDATE samples SET delivered_on = GREATEST(shipped_on, $2), updated_at = now()
          WHERE id = $1 AND delivered_on IS NULL",
    )
    .bind(sample_id)
    .bind(day)
    .execute(&mut *conn)
    .await
    .context("recording a delivered sample")?;
    Ok(())
}

/// The application was cancelled: no follow-ups for its sample.
pub async fn close_sample(
    conn: &mut PgConnection,
    sample_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE samples SET closed_at = $2, updated_at = now() WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(sample_id)
    .bind(at)
    .execute(&mut *conn)
    .await
    .context("closing a sample")?;
    Ok(())
}

/// A video that completed an application.
pub struct NewVideo<'a> {
    pub content_id: &'a str,
    pub posted_at: DateTime<Utc>,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
}

/// Stores the videos (one already known by its content id keeps its numbers) and the creator's
/// samples' first videos.
pub async fn save_videos(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    product_id: &str,
    videos: &[NewVideo<'_>],
    timezone: &str,
) -> Result<()> {
    for v in videos {
        sqlx::query(
            "INSERT INTO videos (program_id, content_id, creator_id, product_id, posted_at, views,
                                 likes, comments)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (program_id, content_id) DO NOTHING",
        )
        .bind(program_id)
        .bind(v.content_id)
        .bind(creator_id)
        .bind(product_id)
        .bind(v.posted_at)
        .bind(v.views)
        .bind(v.likes)
        .bind(v.comments)
        .execute(&mut *conn)
        .await
        .context("storing a sample's video")?;
    }
    super::import::activity::refresh_first_videos_of(conn, program_id, timezone, &[creator_id])
        .await?;
    Ok(())
}
