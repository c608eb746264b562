//! What the long-running service (`creator-bot run`) asks of the database on its own account:
//! whether it answers, the outbox gauges of `/metrics`, and handing back a stopping process's
//! unsent claims so other processes send them at once instead of after the lease.

use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::metrics::OutboxGauges;

/// Whether the database answers a trivial query within `timeout`.
pub async fn answers(pool: &PgPool, timeout: Duration) -> bool {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool);
    matches!(tokio::time::timeout(timeout, ping).await, Ok(Ok(1)))
}

/// The outbox rows by kind and status, and how long the oldest row that is due (pending, or
/// claimed under a lease that ran out) has been waiting at `now`.
pub async fn outbox_gauges(pool: &PgPool, now: DateTime<Utc>) -> Result<OutboxGauges> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, status, count(*) FROM outbox GROUP BY kind, status ORDER BY kind, status",
    )
    .fetch_all(pool)
    .await
    .context("counting outbox rows")?;
    let oldest: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT min(due_at) FROM outbox
          WHERE due_at <= $1
            AND (status = 'pending' OR (status = 'sending' AND lease_until <= $1))",
    )
    .bind(now)
    .fetch_one(pool)
    .await
    .context("finding the oldest due outbox row")?;
    let oldest_due_seconds = oldest
        .map(|at| (now - at).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    Ok(OutboxGauges {
        rows,
        oldest_due_seconds,
    })
}

/// Puts back every row still claimed by a worker of the process named `process` (its workers are
/// `{process}-{n}`) as it was before the claim: due as before, the claim not counted as an attempt.
/// Returns how many. Only for rows the process did not send: call it once its workers stopped.
pub async fn hand_back_claims(pool: &PgPool, process: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = greatest(attempts - 1, 0),
                locked_by = NULL, lease_until = NULL
          WHERE status = 'sending' AND starts_with(locked_by, $1 || '-')",
    )
    .bind(process)
    .execute(pool)
    .await
    .context("handing back unsent claims")?;
    Ok(done.rows_affected())
}
