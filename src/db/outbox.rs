//! The outbox: every message the bot sends later or by itself is a row here, inserted in the
//! transaction that caused it under a dedupe key unique per program, so scheduling twice queues
//! once. The dispatcher's claims and outcomes live here too.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::chat::MessageKind;
use crate::domain::channels::ProgramChannel;

/// A message to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub program_id: i64,
    /// Unique per program: the same key is queued once, however often it is scheduled.
    pub dedupe_key: String,
    pub kind: MessageKind,
    /// The creator a DM or membership action is for (also set on alerts about a creator).
    pub creator_id: Option<i64>,
    /// The channel a post goes to; `None` for a DM or a membership action.
    pub channel: Option<ProgramChannel>,
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
    .bind(m.channel.map(ProgramChannel::key))
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
        channel.push(m.channel.map(ProgramChannel::key));
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

/// Cancels every message to or about a creator that has not gone out yet (not fanned out, or
/// with deliveries still waiting their turn), with the reason; returns how many. Opt-out uses it;
/// a claimed DM is checked again before it is sent.
pub async fn cancel_pending_for_creator(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: i64,
    kinds: &[MessageKind],
    reason: &str,
) -> Result<u64> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let done: i64 = sqlx::query_scalar(
        "WITH cancelled AS (
             UPDATE outbox SET status = 'cancelled', last_error = $4
              WHERE program_id = $1 AND creator_id = $2 AND kind = ANY($3)
                AND (status = 'pending'
                     OR (status = 'queued' AND EXISTS (
                            SELECT 1 FROM deliveries d
                             WHERE d.outbox_id = outbox.id AND d.status IN ('pending', 'waiting'))))
             RETURNING id),
         deliveries_cancelled AS (
             UPDATE deliveries SET status = 'cancelled', last_error = $4
              WHERE outbox_id IN (SELECT id FROM cancelled) AND status IN ('pending', 'waiting'))
         SELECT count(*) FROM cancelled",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(&kinds)
    .bind(reason)
    .fetch_one(&mut *conn)
    .await
    .context("cancelling queued messages")?;
    Ok(done as u64)
}

fn payload(m: &NewMessage) -> serde_json::Value {
    let mut payload = match &m.extra {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    payload.insert("text".into(), serde_json::Value::String(m.text.clone()));
    serde_json::Value::Object(payload)
}

/// Puts back in line, due at `now`, the onboarding welcome of creators who now have a chat
/// account on a connected platform but had none when it fell due (it was marked `unlinked`), as
/// long as it fell due less than `catch_up_days` ago. `creator_id`: one creator, else every
/// creator of the program. Returns how many welcomes were put back.
pub async fn requeue_unlinked_welcomes(
    conn: &mut PgConnection,
    program_id: i64,
    creator_id: Option<i64>,
    now: DateTime<Utc>,
    catch_up_days: u32,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox o SET status = 'pending', due_at = $3, last_error = NULL
          WHERE o.program_id = $1 AND ($2::bigint IS NULL OR o.creator_id = $2)
            AND o.status = 'unlinked' AND o.kind = 'dm' AND o.template = 'onboarding_welcome'
            AND o.due_at > $3 - make_interval(days => $4)
            AND EXISTS (SELECT 1 FROM connected_accounts ci
                         WHERE ci.program_id = o.program_id AND ci.creator_id = o.creator_id)",
    )
    .bind(program_id)
    .bind(creator_id)
    .bind(now)
    .bind(catch_up_days as i32)
    .execute(&mut *conn)
    .await
    .context("sending the welcome to creators who just linked")?;
    Ok(done.rows_affected())
}
