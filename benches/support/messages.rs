//! Messages queued for the dispatcher benchmarks (not every benchmark uses them).
#![allow(dead_code)]

use anyhow::Result;
use chrono::{DateTime, Utc};
use creator_bot::chat::MessageKind;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::db::programs::Program;
use serde_json::json;
use sqlx::PgPool;

/// Adds `messages` to the outbox in batches, then analyses it so the dispatcher's queries are
/// planned on the table as it now is.
pub async fn enqueue(pool: &PgPool, messages: &[NewMessage]) -> Result<()> {
    let mut conn = pool.acquire().await?;
    for chunk in messages.chunks(5_000) {
        outbox::enqueue_many(&mut conn, chunk).await?;
    }
    drop(conn);
    sqlx::query("VACUUM ANALYZE outbox").execute(pool).await?;
    Ok(())
}

/// Queues one DM to each of the first `count` creators (`creator1`…), due at `due_at`; the
/// dedupe keys are `{label}:{creator id}`.
pub async fn queue_dms(
    pool: &PgPool,
    program: &Program,
    count: usize,
    label: &str,
    due_at: DateTime<Utc>,
) -> Result<()> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM creators WHERE program_id = $1
          ORDER BY substr(handle, 8)::bigint LIMIT $2",
    )
    .bind(program.id)
    .bind(count as i64)
    .fetch_all(pool)
    .await?;
    let batch: Vec<NewMessage> = ids
        .iter()
        .map(|&id| NewMessage {
            program_id: program.id,
            dedupe_key: format!("{label}:{id}"),
            kind: MessageKind::Dm,
            creator_id: Some(id),
            channel: None,
            template: Some("bench".into()),
            text: format!("Hello from the benchmark, creator {id}"),
            extra: json!({}),
            due_at,
        })
        .collect();
    enqueue(pool, &batch).await
}
