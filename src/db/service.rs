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

/// The outbox by kind and status — a message not fanned out yet (or unlinked, waiting or
/// cancelled) as itself, a fanned-out one as each of its platform deliveries — and how long the
/// oldest thing that is due and unsent (a message or delivery pending, waiting for a platform or
/// a channel, or claimed under a lease that ran out) has been waiting at `now`.
pub async fn outbox_gauges(pool: &PgPool, now: DateTime<Utc>) -> Result<OutboxGauges> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, status, count(*)
           FROM (SELECT kind, status FROM outbox WHERE status <> 'queued'
                 UNION ALL
                 SELECT o.kind, d.status FROM deliveries d JOIN outbox o ON o.id = d.outbox_id) x
          GROUP BY kind, status ORDER BY kind, status",
    )
    .fetch_all(pool)
    .await
    .context("counting outbox rows")?;
    let oldest: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT least(
             (SELECT min(due_at) FROM outbox
               WHERE due_at <= $1 AND status IN ('pending', 'waiting')),
             (SELECT min(due_at) FROM deliveries
               WHERE due_at <= $1
                 AND (status IN ('pending', 'waiting')
                      OR (status = 'sending' AND lease_until <= $1))))",
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

/// Puts back every delivery still claimed by a worker of the process named `process` (its
/// workers are `{process}-{n}`) as it was before the claim: due as before, the claim not counted
/// as an attempt. Returns how many. Only for deliveries the process did not send: call it once its
/// workers stopped.
pub async fn hand_back_claims(pool: &PgPool, process: &str) -> Result<u64> {
    let mut conn = pool.acquire().await.context("handing back unsent claims")?;
    crate::db::deliveries::release(&mut conn, &format!("{process}-")).await
}
