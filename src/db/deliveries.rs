//! Deliveries: one row per (outbox message, platform). Due messages are fanned out here into a
//! delivery for every platform they should reach; workers then claim deliveries of the platforms
//! their process is connected to (`FOR UPDATE SKIP LOCKED`, under a lease) and record each
//! outcome, fenced by the worker that holds the row.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// What one fan-out pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FannedOut {
    /// Messages given at least one delivery.
    pub queued: u64,
    /// DMs and membership actions for creators with no account on a connected platform.
    pub unlinked: u64,
    /// Posts of programs connected to no platform yet.
    pub waiting: u64,
}

/// Fans out up to `limit` messages due at `now` (of one program when `program_id` is set): a post
/// or staff alert gets a delivery on every platform the program is connected to, a DM or
/// membership action one on every connected platform where the creator linked an account. A DM
/// with nowhere to go is `unlinked` (no retries, no alert); a post with no platform `waiting`
/// until one is connected.
pub async fn fan_out(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    limit: i64,
    program_id: Option<i64>,
) -> Result<FannedOut> {
    let row: (i64, i64, i64) = sqlx::query_as(
        "WITH due AS (
             SELECT id, program_id, kind, creator_id, payload, due_at FROM outbox
              WHERE status = 'pending' AND due_at <= $1
                AND ($3::bigint IS NULL OR program_id = $3)
              ORDER BY due_at, id
              LIMIT $2
              FOR UPDATE SKIP LOCKED),
         targets AS (
             SELECT d.id, d.program_id, w.platform, d.due_at
               FROM due d
               JOIN chat_workspaces w ON w.program_id = d.program_id
              WHERE d.kind IN ('channel', 'staff_alert')
             UNION
             SELECT d.id, d.program_id, ci.platform, d.due_at
               FROM due d
               JOIN connected_accounts ci ON ci.program_id = d.program_id
                                         AND ci.creator_id = d.creator_id
              WHERE d.kind IN ('dm', 'membership')
             UNION
             -- A DM to a chat user who is no creator yet: the workspace it names, if connected.
             SELECT d.id, d.program_id, w.platform, d.due_at
               FROM due d
               JOIN chat_workspaces w ON w.program_id = d.program_id
                                     AND w.platform = d.payload->'to'->>'platform'
                                     AND w.workspace_id = d.payload->'to'->>'workspace_id'
              WHERE d.kind = 'dm' AND d.creator_id IS NULL),
         inserted AS (
             INSERT INTO deliveries (program_id, outbox_id, platform, due_at)
             SELECT program_id, id, platform, due_at FROM targets ORDER BY id, platform
             ON CONFLICT (program_id, outbox_id, platform) DO NOTHING),
         marked AS (
             UPDATE outbox o
                SET status = CASE
                        WHEN EXISTS (SELECT 1 FROM targets t WHERE t.id = o.id) THEN 'queued'
                        WHEN o.kind IN ('dm', 'membership') THEN 'unlinked'
                        ELSE 'waiting' END,
                    last_error = CASE
                        WHEN EXISTS (SELECT 1 FROM targets t WHERE t.id = o.id) THEN NULL
                        WHEN o.kind IN ('dm', 'membership')
                            THEN 'the creator has not linked a chat account'
                        ELSE 'the program is not connected to a chat platform yet' END
               FROM due WHERE o.id = due.id
             RETURNING o.status)
         SELECT count(*) FILTER (WHERE status = 'queued'),
                count(*) FILTER (WHERE status = 'unlinked'),
                count(*) FILTER (WHERE status = 'waiting')
           FROM marked",
    )
    .bind(now)
    .bind(limit)
    .bind(program_id)
    .fetch_one(&mut *conn)
    .await
    .context("fanning out due messages")?;
    Ok(FannedOut {
        queued: row.0 as u64,
        unlinked: row.1 as u64,
        waiting: row.2 as u64,
    })
}

/// A delivery a worker claimed, with its message and what its address is made of on its
/// platform.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub outbox_id: i64,
    pub program_id: i64,
    pub platform: String,
    /// Claims so far, this one included.
    pub attempts: i32,
    pub dedupe_key: String,
    pub kind: String,
    pub creator_id: Option<i64>,
    /// The program channel key (`staff`, `tier:all_stars`, …) of a post.
    pub channel: Option<String>,
    pub template: Option<String>,
    pub payload: serde_json::Value,
    pub handle: Option<String>,
    pub opted_out: bool,
    /// The creator's own zone, else the program's.
    pub timezone: String,
    /// The creator's chat user on this platform (DMs and membership actions), and the workspace
    /// it belongs to.
    pub user_id: Option<String>,
    pub workspace_id: Option<String>,
    /// The DM channel already opened with that user.
    pub dm_channel_id: Option<String>,
    /// The platform's id of the post's channel, or of the tier's channel for a membership action.
    pub channel_id: Option<String>,
    /// The tier's role on this platform (membership actions).
    pub role_id: Option<String>,
}

/// Claims up to `limit` deliveries on `platforms` due at `now` — pending ones, and claimed ones
/// whose lease ran out — skipping rows another worker holds. Each is held by `worker` until
/// `now + lease`.
pub async fn claim(
    conn: &mut PgConnection,
    worker: &str,
    platforms: &[&str],
    now: DateTime<Utc>,
    lease: chrono::Duration,
    limit: i64,
    program_id: Option<i64>,
) -> Result<Vec<Claimed>> {
    sqlx::query_as(
        "WITH expired AS (
             SELECT id FROM deliveries
              WHERE status = 'sending' AND lease_until <= $1 AND platform = ANY($6)
                AND ($5::bigint IS NULL OR program_id = $5)
              ORDER BY lease_until, id
              LIMIT $2
              FOR UPDATE SKIP LOCKED),
         pending AS (
             SELECT id FROM deliveries
              WHERE status = 'pending' AND due_at <= $1 AND platform = ANY($6)
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
             UPDATE deliveries d
                SET status = 'sending', attempts = d.attempts + 1, locked_by = $3,
                    lease_until = $4
               FROM due WHERE d.id = due.id
             RETURNING d.*)
         SELECT d.id, d.outbox_id, d.program_id, d.platform, d.attempts, m.dedupe_key, m.kind,
                m.creator_id, m.channel, m.template, m.payload, c.handle,
                COALESCE(c.opted_out, false) AS opted_out,
                COALESCE(c.timezone, p.timezone) AS timezone,
                COALESCE(ci.user_id, m.payload->'to'->>'user_id') AS user_id,
                COALESCE(ci.workspace_id, m.payload->'to'->>'workspace_id') AS workspace_id,
                ci.dm_channel_id, ch.channel_id, r.role_id
           FROM claimed d
           JOIN outbox m ON m.id = d.outbox_id
           JOIN programs p ON p.id = d.program_id
           LEFT JOIN creators c ON c.id = m.creator_id
           LEFT JOIN LATERAL (
                SELECT i.user_id, i.workspace_id, i.dm_channel_id FROM connected_accounts i
                 WHERE i.program_id = d.program_id AND i.platform = d.platform
                   AND i.creator_id = m.creator_id
                 ORDER BY i.linked_at DESC, i.id DESC
                 LIMIT 1) ci ON m.kind IN ('dm', 'membership')
           LEFT JOIN chat_channels ch
                  ON ch.program_id = d.program_id AND ch.platform = d.platform
                 AND ch.channel = CASE WHEN m.kind = 'membership'
                                       THEN 'tier:' || (m.payload->>'tier')
                                       ELSE m.channel END
           LEFT JOIN chat_roles r
                  ON m.kind = 'membership' AND r.program_id = d.program_id
                 AND r.platform = d.platform AND r.role = m.payload->>'tier'
          ORDER BY d.outbox_id, d.id",
    )
    .bind(now)
    .bind(limit)
    .bind(worker)
    .bind(now + lease)
    .bind(program_id)
    .bind(platforms)
    .fetch_all(&mut *conn)
    .await
    .context("claiming due deliveries")
}

/// What became of a claimed delivery. Each outcome applies only while `worker` still holds it:
/// a worker whose lease ran out and was taken over changes nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent {
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
    /// Not a try either: the channel or role is not mapped on the platform yet; mapping it
    /// wakes the delivery.
    Wait {
        reason: String,
    },
    Failed {
        reason: String,
        at: DateTime<Utc>,
    },
    Cancelled {
        reason: String,
    },
}

/// Records `outcome` for delivery `id` held by `worker`; `false` if the worker no longer held it.
pub async fn settle(
    conn: &mut PgConnection,
    id: i64,
    worker: &str,
    outcome: &Outcome,
) -> Result<bool> {
    const HELD: &str = "WHERE id = $1 AND locked_by = $2 AND status = 'sending'";
    let query = match outcome {
        Outcome::Sent { message_id, at } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET status = 'sent', platform_message_id = $3, sent_at = $4,
                    lease_until = NULL, last_error = NULL {HELD}"
        )))
        .bind(id)
        .bind(worker)
        .bind(message_id)
        .bind(*at),
        Outcome::Retry {
            due_at,
            error,
            counts,
        } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET status = 'pending', due_at = $3, last_error = $4,
                    attempts = attempts - CASE WHEN $5 THEN 0 ELSE 1 END,
                    lease_until = NULL, locked_by = NULL {HELD}"
        )))
        .bind(id)
        .bind(worker)
        .bind(*due_at)
        .bind(error)
        .bind(*counts),
        Outcome::Defer { due_at } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET status = 'pending', due_at = $3, attempts = attempts - 1,
                    lease_until = NULL, locked_by = NULL {HELD}"
        )))
        .bind(id)
        .bind(worker)
        .bind(*due_at),
        Outcome::Wait { reason } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET status = 'waiting', last_error = $3, attempts = attempts - 1,
                    lease_until = NULL, locked_by = NULL {HELD}"
        )))
        .bind(id)
        .bind(worker)
        .bind(reason),
        Outcome::Failed { reason, at } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET status = 'failed', last_error = $3, failed_at = $4,
                    lease_until = NULL {HELD}"
        )))
        .bind(id)
        .bind(worker)
        .bind(reason)
        .bind(*at),
        Outcome::Cancelled { reason } => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE deliveries SET status = 'cancelled', last_error = $3, lease_until = NULL
             {HELD}"
        )))
        .bind(id)
        .bind(worker)
        .bind(reason),
    };
    let done = query
        .execute(&mut *conn)
        .await
        .with_context(|| format!("recording the outcome of delivery {id}"))?;
    Ok(done.rows_affected() == 1)
}

/// Hands back, at once, every delivery the workers named `{prefix}…` hold and have not sent (a
/// process shutting down): they are pending again, the claim not counted as an attempt.
pub async fn release(conn: &mut PgConnection, worker_prefix: &str) -> Result<u64> {
    let pattern = format!(
        "{}%",
        worker_prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'pending', attempts = greatest(attempts - 1, 0),
                lease_until = NULL,
                locked_by = NULL
          WHERE status = 'sending' AND locked_by LIKE $1",
    )
    .bind(pattern)
    .execute(&mut *conn)
    .await
    .context("handing back unsent deliveries")?;
    Ok(done.rows_affected())
}

/// Hands back one delivery `worker` claimed and did not send (it is stopping).
pub async fn release_one(conn: &mut PgConnection, id: i64, worker: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'pending', attempts = greatest(attempts - 1, 0),
                lease_until = NULL, locked_by = NULL
          WHERE id = $1 AND locked_by = $2 AND status = 'sending'",
    )
    .bind(id)
    .bind(worker)
    .execute(&mut *conn)
    .await
    .context("handing back a delivery")?;
    Ok(done.rows_affected() == 1)
}

/// Puts the deliveries waiting for a channel or role of `program_id` on `platform` back in line
/// once what they wait for is mapped (the map was just filled); returns how many. Those still
/// unmapped keep waiting, so the count is what will actually go out.
pub async fn wake_waiting(conn: &mut PgConnection, program_id: i64, platform: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE deliveries d SET status = 'pending', last_error = NULL
           FROM outbox m
          WHERE m.id = d.outbox_id AND d.program_id = $1 AND d.platform = $2
            AND d.status = 'waiting'
            AND CASE WHEN m.kind = 'membership' THEN
                     EXISTS (SELECT 1 FROM chat_channels ch
                              WHERE ch.program_id = $1 AND ch.platform = $2
                                AND ch.channel = 'tier:' || (m.payload->>'tier'))
                     OR EXISTS (SELECT 1 FROM chat_roles r
                                 WHERE r.program_id = $1 AND r.platform = $2
                                   AND r.role = m.payload->>'tier')
                ELSE EXISTS (SELECT 1 FROM chat_channels ch
                              WHERE ch.program_id = $1 AND ch.platform = $2
                                AND ch.channel = m.channel) END",
    )
    .bind(program_id)
    .bind(platform)
    .execute(&mut *conn)
    .await
    .context("waking deliveries that waited for a channel")?;
    Ok(done.rows_affected())
}

/// Keeps the DM channel opened with a creator's chat user, so it is opened once. (The whole key:
/// without the workspace the update would read every account on the platform.)
pub async fn remember_dm_channel(
    conn: &mut PgConnection,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
    dm_channel_id: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE chat_identities SET dm_channel_id = $5
          WHERE program_id = $1 AND platform = $2 AND workspace_id = $3 AND user_id = $4",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .bind(dm_channel_id)
    .execute(&mut *conn)
    .await
    .context("remembering the DM channel")?;
    Ok(())
}
