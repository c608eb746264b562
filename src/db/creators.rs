//! Creator rows as the chat commands touch them: found by handle, and their DM opt-out flag.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A creator's id and handle.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CreatorName {
    pub id: i64,
    pub handle: String,
}

pub async fn by_handle(
    db: impl PgExecutor<'_>,
    program_id: i64,
    handle: &str,
) -> Result<Option<CreatorName>> {
    sqlx::query_as("SELECT id, handle FROM creators WHERE program_id = $1 AND handle = $2")
        .bind(program_id)
        .bind(handle)
        .fetch_optional(db)
        .await
        .context("looking up a creator")
}

/// Finds a creator by handle and locks the row until the transaction ends, so two chat users
/// cannot claim the same creator at once.
pub async fn lock_by_handle(
    conn: &mut PgConnection,
    program_id: i64,
    handle: &str,
) -> Result<Option<CreatorName>> {
    sqlx::query_as(
        "SELECT id, handle FROM creators WHERE program_id = $1 AND handle = $2 FOR UPDATE",
    )
    .bind(program_id)
    .bind(handle)
    .fetch_optional(conn)
    .await
    .context("looking up a creator")
}

/// Sets the opt-out flag (and when it was set); `false` when it already had that value.
pub async fn set_opted_out(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    opted_out: bool,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE creators
            SET opted_out = $3, opted_out_at = CASE WHEN $3 THEN $4 END, updated_at = now()
          WHERE program_id = $1 AND id = $2 AND opted_out <> $3",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(opted_out)
    .bind(at)
    .execute(conn)
    .await
    .context("saving the creator's message preference")?;
    Ok(done.rows_affected() == 1)
}
