//! The service tests' view of the outbox: queueing numbered test messages and reading what became
//! of them. Every SQL statement about the outbox's tables that these tests need is here.

use std::time::{Duration, Instant};

use chrono::Utc;
use creator_bot::chat::MessageKind;
use creator_bot::db::outbox::{NewMessage, enqueue_many};
use sqlx::PgPool;

use super::bot::PATIENCE;

/// Each message with its state: a message fanned out to the platform takes its delivery's
/// status and claim (these tests connect one platform at most).
const STATE: &str = "WITH state AS (
    SELECT o.id, o.dedupe_key, o.payload, COALESCE(d.status, o.status) AS status, d.locked_by
      FROM outbox o LEFT JOIN deliveries d ON d.outbox_id = o.id)";

/// Queues `message 0000` … posts in #staff of `program_id`, due now.
pub async fn queue(pool: &PgPool, program_id: i64, count: usize) {
    let due = Utc::now() - chrono::Duration::minutes(1);
    let messages: Vec<NewMessage> = (0..count)
        .map(|i| NewMessage {
            program_id,
            dedupe_key: format!("service-test:{i}"),
            kind: MessageKind::Channel,
            creator_id: None,
            channel: Some(creator_bot::domain::channels::ProgramChannel::Staff),
            template: None,
            text: format!("message {i:04}"),
            extra: serde_json::json!({}),
            due_at: due,
        })
        .collect();
    let mut conn = pool.acquire().await.unwrap();
    assert_eq!(
        enqueue_many(&mut conn, &messages).await.unwrap(),
        count as u64
    );
}

/// Every test message's text.
pub fn all(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("message {i:04}")).collect()
}

/// How many test messages are recorded as sent.
pub async fn sent(pool: &PgPool) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "{STATE} SELECT count(*) FROM state WHERE dedupe_key LIKE 'service-test:%' AND status = 'sent'"
    )))
    .fetch_one(pool)
    .await
    .unwrap()
}

/// How many outbox rows of any kind are recorded as sent.
pub async fn sent_of_any_kind(pool: &PgPool) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "{STATE} SELECT count(*) FROM state WHERE status = 'sent'"
    )))
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Outbox rows that are not sent, by status.
pub async fn unsent(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{STATE} SELECT status, count(*) FROM state WHERE status <> 'sent' GROUP BY status ORDER BY 1"
    )))
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The test messages claimed by a worker of process `worker` and not recorded yet.
pub async fn claimed_by(pool: &PgPool, worker: &str) -> Vec<String> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "{STATE} SELECT payload->>'text' FROM state
          WHERE status = 'sending' AND starts_with(locked_by, $1 || '-') ORDER BY id"
    )))
    .bind(worker)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Waits until `count` test messages are recorded as sent.
pub async fn wait_sent(pool: &PgPool, count: i64) {
    let started = Instant::now();
    loop {
        // The database may be coming back from a restart: a failed look is just another look.
        if let Ok(n) = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "{STATE} SELECT count(*) FROM state
              WHERE dedupe_key LIKE 'service-test:%' AND status = 'sent'"
        )))
        .fetch_one(pool)
        .await
            && n >= count
        {
            return;
        }
        assert!(started.elapsed() < PATIENCE, "not all messages were sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Each distinct item of `items` with how often it occurs, for those occurring more than once.
pub fn repeated(items: &[String]) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for i in items {
        *counts.entry(i.clone()).or_insert(0usize) += 1;
    }
    counts.into_iter().filter(|(_, n)| *n > 1).collect()
}
