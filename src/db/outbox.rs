//! The outbox: every message the bot sends later or by itself is a row here, inserted in the
//! transaction that caused it under a dedupe key unique per program, so scheduling twice queues
//! once. The dispatcher's claims and outcomes live here too.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::chat::MessageKind;

/// A message to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub program_id: i64,
    /// Unique per program: the same key is queued once, however often it is scheduled.
    pub dedupe_key: String,
    pub kind: MessageKind,
    /// The creator a DM or membership action is for (also set on alerts about a creator).
    pub creator_id: Option<i64>,
    /// The channel a post goes to (`staff`, `tier:all_stars`, …); `None` for a DM.
    pub channel: Option<String>,
    pub template: Option<String>,
    /// The rendered text.
    pub text: String,
    /// Anything else the sender needs (merged with `{"text": …}`).
    pub extra: serde_json::Value,
    /// When it may go out (a DM's daytime is the scheduler's business, see `domain::daytime`).
    pub due_at: DateTime<Utc>,
}

/// Queues one message; `false` when its dedupe key was queued before (nothing changes then).
pub async fn enqueue(conn: &mut PgConnection, m: &NewMessage) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outbox (program_id, dedupe_key, kind, creator_id, channel, template, payload, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (program_id, dedupe_key) DO NOTHING",
    )
    .bind(m.program_id)
    .bind(&m.dedupe_key)
    .bind(m.kind.as_str())
    .bind(m.creator_id)
    .bind(&m.channel)
    .bind(&m.template)
    .bind(payload(m))
    .bind(m.due_at)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("queueing message {}", m.dedupe_key))?;
    Ok(done.rows_affected() == 1)
}

/// Queues many messages in one statement; returns how many were new.
pub async fn enqueue_many(conn: &mut PgConnection, messages: &[NewMessage]) -> Result<u64> {
    if messages.is_empty() {
        return Ok(0);
    }
    let mut program = Vec::with_capacity(messages.len());
    let mut key = Vec::with_capacity(messages.len());
    let mut kind = Vec::with_capacity(messages.len());
    let mut creator = Vec::with_capacity(messages.len());
    let mut channel = Vec::with_capacity(messages.len());
    let mut template = Vec::with_capacity(messages.len());
    let mut body = Vec::with_capacity(messages.len());
    let mut due = Vec::with_capacity(messages.len());
    for m in messages {
        program.push(m.program_id);
        key.push(m.dedupe_key.as_str());
        kind.push(m.kind.as_str());
        creator.push(m.creator_id);
        channel.push(m.channel.as_deref());
        template.push(m.template.as_deref());
        body.push(payload(m));
        due.push(m.due_at);
    }
    let done = sqlx::query(
        "INSERT INTO outbox (program_id, dedupe_key, kind, creator_id, channel, template, payload, due_at)
         SELECT * FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[],
                              $7::jsonb[], $8::timestamptz[])
         ON CONFLICT (program_id, dedupe_key) DO NOTHING",
    )
    .bind(&program)
    .bind(&key)
    .bind(&kind)
    .bind(&creator)
    .bind(&channel)
    .bind(&template)
    .bind(&body)
    .bind(&due)
    .execute(&mut *conn)
    .await
    .context("queueing messages")?;
    Ok(done.rows_affected())
}

/// Cancels every queued (not yet claimed) message to or about a creator, with the reason; returns
/// how many. Opt-out uses it; a claimed DM is checked again before it is sent.
pub async fn cancel_pending_for_creator(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    kinds: &[MessageKind],
    reason: &str,
) -> Result<u64> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let done = sqlx::query(
        "UPDATE outbox SET status = 'cancelled', last_error = $4
          WHERE program_id = $1 AND creator_id = $2 AND status = 'pending' AND kind = ANY($3)",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(&kinds)
    .bind(reason)
    .execute(&mut *conn)
    .await
    .context("cancelling queued messages")?;
    Ok(done.rows_affected())
}

fn payload(m: &NewMessage) -> serde_json::Value {
    let mut payload = match &m.extra {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    payload.insert("text".into(), serde_json::Value::String(m.text.clone()));
    serde_json::Value::Object(payload)
}

/// A row a worker claimed, with what the dispatcher needs to decide about it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub program_id: i64,
    pub dedupe_key: String,
    pub kind: String,
    pub creator_id: Option<i64>,
    pub channel: Option<String>,
    pub template: Option<String>,
    pub payload: serde_json::Value,
    /// Claims so far, this one included.
    pub attempts: i32,
    pub handle: Option<String>,
    pub opted_out: bool,
    /// The creator's own zone, else the program's.
    pub timezone: String,
}

/// Claims up to `limit` rows due at `now` — pending ones, and claimed ones whose lease ran out —
/// skipping rows another worker holds. Each is held by `worker` until `now + lease`; a worker
/// that dies lets it be claimed again then. `due_at` keeps the time the row was due.
pub async fn claim(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<Claimed>> {
    claim_in(conn, worker, now, lease, limit, None).await
}

/// [`claim`], limited to one program's rows when `program_id` is set (the console demo runs one
/// program on a simulated clock and must not send the others' messages).
pub async fn claim_in(
    conn: &mut PgConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
    program_id: Option<i64>,
) -> Result<Vec<Claimed>> {
    sqlx::query_as(
        "WITH expired AS (
             SELECT id FROM outbox
              WHERE status = 'sending' AND lease_until <= $1
                AND ($5::bigint IS NULL OR program_id = $5)
              ORDER BY lease_until, id
              LIMIT $2
              FOR UPDATE SKIP LOCKED),
         pending AS (
             SELECT id FROM outbox
              WHERE status = 'pending' AND due_at <= $1
                AND ($5::bigint IS NULL OR program_id = $5)
              ORDER BY due_at, id
              LIMIT $2
              FOR UPDATE SKIP LOCKED),
         due AS (
             SELECT id FROM (SELECT id, 1 AS first FROM expired
                             UNION ALL SELECT id, 2 FROM pending) d
              ORDER BY first, id
              LIMIT $2),
         claimed AS (
             UPDATE outbox o
                SET status = 'sending', attempts = o.attempts + 1, locked_by = $3,
                    lease_until = $4
               FROM due WHERE o.id = due.id
             RETURNING o.*)
         SELECT m.id, m.program_id, m.dedupe_key, m.kind, m.creator_id, m.channel, m.template,
                m.payload, m.attempts, c.handle, COALESCE(c.opted_out, false) AS opted_out,
                COALESCE(c.timezone, p.timezone) AS timezone
           FROM claimed m
           JOIN programs p ON p.id = m.program_id
           LEFT JOIN creators c ON c.id = m.creator_id
          ORDER BY m.id",
    )
    .bind(now)
    .bind(limit)
    .bind(worker)
    .bind(now + lease)
    .bind(program_id)
    .fetch_all(&mut *conn)
    .await
    .context("claiming due messages")
}

/// What became of a claimed row. Each outcome applies only while `worker` still holds the row:
/// a worker whose lease ran out and was taken over changes nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent {
        platform: &'static str,
        message_id: String,
        at: DateTime<Utc>,
    },
    /// Try again at `due_at`. `counts`: whether this try counts against the attempt limit (a
    /// platform's rate limit does not).
    Retry {
        due_at: DateTime<Utc>,
        error: String,
        counts: bool,
    },
    /// Not a try at all: it waits for the creator's daytime.
    Defer {
        due_at: DateTime<Utc>,
    },
    Failed {
        reason: String,
        at: DateTime<Utc>,
    },
    Cancelled {
        reason: String,
    },
}

/// Records `outcome` for row `id` held by `worker`; `false` if the worker no longer held it.
pub async fn settle(
    conn: &mut PgConnection,
    id: i64,
    worker: &str,
    outcome: &Outcome,
) -> Result<bool> {
    let query = match outcome {
        Outcome::Sent {
            platform,
            message_id,
            at,
        } => sqlx::query(
            "UPDATE outbox SET status = 'sent', platform = $3, platform_message_id = $4,
                    sent_at = $5, lease_until = NULL, last_error = NULL
              WHERE id = $1 AND locked_by = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(worker)
        .bind(*platform)
        .bind(message_id)
        .bind(*at),
        Outcome::Retry {
            due_at,
            error,
            counts,
        } => sqlx::query(
            "UPDATE outbox SET status = 'pending', due_at = $3, last_error = $4,
                    attempts = attempts - CASE WHEN $5 THEN 0 ELSE 1 END,
                    lease_until = NULL, locked_by = NULL
              WHERE id = $1 AND locked_by = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(worker)
        .bind(*due_at)
        .bind(error)
        .bind(*counts),
        Outcome::Defer { due_at } => sqlx::query(
            "UPDATE outbox SET status = 'pending', due_at = $3, attempts = attempts - 1,
                    lease_until = NULL, locked_by = NULL
              WHERE id = $1 AND locked_by = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(worker)
        .bind(*due_at),
        Outcome::Failed { reason, at } => sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = $3, failed_at = $4,
                    lease_until = NULL
              WHERE id = $1 AND locked_by = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(worker)
        .bind(reason)
        .bind(*at),
        Outcome::Cancelled { reason } => sqlx::query(
            "UPDATE outbox SET status = 'cancelled', last_error = $3, lease_until = NULL
              WHERE id = $1 AND locked_by = $2 AND status = 'sending'",
        )
        .bind(id)
        .bind(worker)
        .bind(reason),
    };
    let done = query
        .execute(&mut *conn)
        .await
        .with_context(|| format!("recording the outcome of outbox row {id}"))?;
    Ok(done.rows_affected() == 1)
}
