//! Which scheduled job ran for which program and cadence instant.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Holds the (program, job) lock until the transaction ends, so two schedulers never run one job
/// at once; then tells whether the instant already ran.
pub async fn lock_and_check(
    conn: &mut PgConnection,
    program_id: i64,
    job: &str,
    instant: DateTime<Utc>,
) -> Result<bool> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('creator-bot:job:' || $2, $1))")
        .bind(program_id)
        .bind(job)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("locking job {job}"))?;
    let done: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM job_runs WHERE program_id = $1 AND job = $2 AND instant = $3)",
    )
    .bind(program_id)
    .bind(job)
    .bind(instant)
    .fetch_one(&mut *conn)
    .await
    .with_context(|| format!("looking up job {job}"))?;
    Ok(done)
}

pub async fn record(
    conn: &mut PgConnection,
    program_id: i64,
    job: &str,
    instant: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    summary: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO job_runs (program_id, job, instant, finished_at, summary)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(program_id)
    .bind(job)
    .bind(instant)
    .bind(finished_at)
    .bind(summary)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("recording job {job}"))?;
    Ok(())
}
