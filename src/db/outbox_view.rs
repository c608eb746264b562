//! The outbox as staff and operators see it: messages with each platform delivery's state (for
//! `creator-bot outbox` and a creator's card), and the two hand-made changes to it — sending a
//! failed or undelivered message again, and cancelling one that has not gone out.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection};

use crate::domain::channels::ProgramChannel;
use crate::domain::for_user;

/// What `last_error` says of a message or delivery staff cancelled by hand.
pub const CANCELLED_BY_STAFF: &str = "cancelled by staff";

/// One platform delivery of a message.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Delivery {
    pub outbox_id: i64,
    pub id: i64,
    pub platform: String,
    /// `pending`, `sending`, `sent`, `waiting`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i32,
    /// When it is (or was) next due: a retry's time, or the message's.
    pub due_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub platform_message_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// One outbox message and its deliveries.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub dedupe_key: String,
    /// `dm`, `channel`, `membership` or `staff_alert`.
    pub kind: String,
    pub creator_id: Option<i64>,
    /// The creator it is for (a DM, a membership action) or about (an alert).
    pub handle: Option<String>,
    /// The program channel key of a post (`staff`, `tier:all_stars`).
    pub channel: Option<String>,
    pub template: Option<String>,
    /// A membership action's `grant` or `revoke`, and its tier.
    pub action: Option<String>,
    pub tier: Option<String>,
    pub due_at: DateTime<Utc>,
    /// `pending`, `queued`, `unlinked`, `waiting`, `cancelled` (and, for rows older than
    /// deliveries, `sending`, `sent`, `failed`).
    pub status: String,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    #[sqlx(skip)]
    pub deliveries: Vec<Delivery>,
}

/// Which messages to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Messages for or about this creator.
    pub creator_id: Option<i64>,
    /// Only these kinds (`dm`, …); `None`: every kind.
    pub kinds: Option<Vec<String>>,
    /// Messages whose own status, or one of whose deliveries' status, is this.
    pub status: Option<String>,
    /// Due at or after.
    pub from: Option<DateTime<Utc>>,
    /// Due before.
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

impl Filter {
    /// Everything, up to `limit` messages.
    pub fn all(limit: i64) -> Filter {
        Filter {
            creator_id: None,
            kinds: None,
            status: None,
            from: None,
            to: None,
            limit,
        }
    }
}

const MESSAGE_COLUMNS: &str = "o.id, o.dedupe_key, o.kind, o.creator_id, c.handle, o.channel,
        o.template, o.payload->>'action' AS action, o.payload->>'tier' AS tier, o.due_at,
        o.status, o.last_error, o.created_at";

/// The program's messages matching `filter`, latest due first (ties: newest first), each with
/// its deliveries by platform.
pub async fn list(
    conn: &mut PgConnection,
    program_id: i64,
    filter: &Filter,
) -> Result<Vec<Message>> {
    let mut messages: Vec<Message> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MESSAGE_COLUMNS}
           FROM outbox o
           LEFT JOIN creators c ON c.id = o.creator_id
          WHERE o.program_id = $1
            AND ($2::bigint IS NULL OR o.creator_id = $2)
            AND ($3::text[] IS NULL OR o.kind = ANY($3))
            AND ($4::text IS NULL OR o.status = $4
                 OR EXISTS (SELECT 1 FROM deliveries d
                             WHERE d.outbox_id = o.id AND d.status = $4))
            AND ($5::timestamptz IS NULL OR o.due_at >= $5)
            AND ($6::timestamptz IS NULL OR o.due_at < $6)
          ORDER BY o.due_at DESC, o.id DESC
          LIMIT $7"
    )))
    .bind(program_id)
    .bind(filter.creator_id)
    .bind(&filter.kinds)
    .bind(&filter.status)
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.limit)
    .fetch_all(&mut *conn)
    .await
    .context("reading the outbox")?;
    attach_deliveries(conn, &mut messages, false).await?;
    Ok(messages)
}

async fn attach_deliveries(
    conn: &mut PgConnection,
    messages: &mut [Message],
    lock: bool,
) -> Result<()> {
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let lock = if lock { "FOR UPDATE" } else { "" };
    let deliveries: Vec<Delivery> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT outbox_id, id, platform, status, attempts, due_at, last_error,
                platform_message_id, sent_at, failed_at
           FROM deliveries WHERE outbox_id = ANY($1)
          ORDER BY outbox_id, platform {lock}"
    )))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .context("reading the deliveries")?;
    for m in messages.iter_mut() {
        m.deliveries = deliveries
            .iter()
            .filter(|d| d.outbox_id == m.id)
            .cloned()
            .collect();
    }
    Ok(())
}

/// Why a retry or a cancel was refused: text for the staff member who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("there is no message {id} in program {program}")]
    UnknownMessage { id: i64, program: String },
    #[error("nothing to retry in message {id} ({state}){hint}")]
    NothingToRetry {
        id: i64,
        state: String,
        hint: String,
    },
    #[error(
        "message {id} is still unlinked: @{handle} has no chat account on a platform the program \
         is connected to; link it first (/link, or the roster import)"
    )]
    StillUnlinked { id: i64, handle: String },
    #[error(
        "message {id} still waits: the program is connected to no chat platform yet; connect one \
         first"
    )]
    NoPlatform { id: i64 },
    #[error("nothing to cancel in message {id} ({state})")]
    NothingToCancel { id: i64, state: String },
}

/// What a retry put back in line.
#[derive(Debug, Clone, PartialEq)]
pub struct Retried {
    pub message: Message,
    /// The message itself is pending again and fans out on the next dispatch.
    pub fans_out_again: bool,
    /// Platforms whose failed delivery is due again now.
    pub platforms: Vec<String>,
}

/// Sends message `id` of the program again: each failed delivery goes back to pending, due at
/// `now`, with its attempts reset (its last error stays until a send succeeds); an `unlinked` or
/// `waiting` message (or a failed one from before deliveries) is pending again and fans out
/// anew. Refused when none of that applies, or when fanning out again would only end the same
/// way (the creator still has no account, the program still no platform).
pub async fn retry(
    conn: &mut PgConnection,
    program_id: i64,
    program_slug: &str,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Retried> {
    let mut tx = conn.begin().await.context("retrying a message")?;
    let message = lock(&mut tx, program_id, program_slug, id).await?;
    let mut fans_out_again = false;
    match message.status.as_str() {
        "unlinked" => {
            let linked: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM connected_accounts ci
                                 WHERE ci.program_id = $1 AND ci.creator_id = $2)",
            )
            .bind(program_id)
            .bind(message.creator_id)
            .fetch_one(&mut *tx)
            .await
            .context("looking for the creator's chat accounts")?;
            if !linked {
                return Err(for_user(Refused::StillUnlinked {
                    id,
                    handle: message.handle.clone().unwrap_or_default(),
                }));
            }
            fans_out_again = true;
        }
        "waiting" => {
            let connected: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM chat_workspaces WHERE program_id = $1)",
            )
            .bind(program_id)
            .fetch_one(&mut *tx)
            .await
            .context("looking for the program's chat platforms")?;
            if !connected {
                return Err(for_user(Refused::NoPlatform { id }));
            }
            fans_out_again = true;
        }
        // Written before deliveries existed: fanning out gives it deliveries of its own.
        "failed" if message.deliveries.is_empty() => fans_out_again = true,
        _ => {}
    }
    if fans_out_again {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', last_error = NULL, attempts = 0,
                    lease_until = NULL, locked_by = NULL
              WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("putting the message back in line")?;
    }
    let platforms: Vec<String> = sqlx::query_scalar(
        "UPDATE deliveries SET status = 'pending', due_at = $2, attempts = 0, failed_at = NULL,
                lease_until = NULL, locked_by = NULL
          WHERE outbox_id = $1 AND status = 'failed'
         RETURNING platform",
    )
    .bind(id)
    .bind(now)
    .fetch_all(&mut *tx)
    .await
    .context("putting failed deliveries back in line")?;
    if !fans_out_again && platforms.is_empty() {
        let hint = if message.deliveries.iter().any(|d| d.status == "waiting") {
            "; map the channel with `creator-bot channels set` and it goes out"
        } else {
            ""
        };
        return Err(for_user(Refused::NothingToRetry {
            id,
            state: message.state(),
            hint: hint.into(),
        }));
    }
    tx.commit().await.context("retrying a message")?;
    let mut platforms = platforms;
    platforms.sort();
    Ok(Retried {
        message,
        fans_out_again,
        platforms,
    })
}

/// What a cancel stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Cancelled {
    pub message: Message,
    /// The whole message is cancelled (it had not fanned out, or every delivery is cancelled).
    pub whole: bool,
    /// Platforms whose delivery was cancelled.
    pub platforms: Vec<String>,
    /// Platforms sending it at this very moment, left alone.
    pub sending: Vec<String>,
}

/// Cancels what of message `id` has not gone out: the message itself while it is pending,
/// waiting or unlinked, else its pending and waiting deliveries. A delivery being sent right now
/// is left alone. Refused when nothing is left to cancel.
pub async fn cancel(
    conn: &mut PgConnection,
    program_id: i64,
    program_slug: &str,
    id: i64,
) -> Result<Cancelled> {
    let mut tx = conn.begin().await.context("cancelling a message")?;
    let message = lock(&mut tx, program_id, program_slug, id).await?;
    let platforms: Vec<String> = sqlx::query_scalar(
        "UPDATE deliveries SET status = 'cancelled', last_error = $2
          WHERE outbox_id = $1 AND status IN ('pending', 'waiting')
         RETURNING platform",
    )
    .bind(id)
    .bind(CANCELLED_BY_STAFF)
    .fetch_all(&mut *tx)
    .await
    .context("cancelling deliveries")?;
    let not_fanned_out = matches!(message.status.as_str(), "pending" | "waiting" | "unlinked");
    let all_cancelled = message.status == "queued"
        && message
            .deliveries
            .iter()
            .all(|d| d.status == "cancelled" || platforms.contains(&d.platform));
    if !not_fanned_out && platforms.is_empty() {
        return Err(for_user(Refused::NothingToCancel {
            id,
            state: message.state(),
        }));
    }
    let whole = not_fanned_out || all_cancelled;
    if whole {
        sqlx::query("UPDATE outbox SET status = 'cancelled', last_error = $2 WHERE id = $1")
            .bind(id)
            .bind(CANCELLED_BY_STAFF)
            .execute(&mut *tx)
            .await
            .context("cancelling the message")?;
    }
    tx.commit().await.context("cancelling a message")?;
    let mut platforms = platforms;
    platforms.sort();
    let sending = message
        .deliveries
        .iter()
        .filter(|d| d.status == "sending")
        .map(|d| d.platform.clone())
        .collect();
    Ok(Cancelled {
        message,
        whole,
        platforms,
        sending,
    })
}

/// Message `id` of the program with its deliveries, all locked until the transaction ends (so
/// the dispatcher cannot fan it out or claim it meanwhile).
async fn lock(
    conn: &mut PgConnection,
    program_id: i64,
    program_slug: &str,
    id: i64,
) -> Result<Message> {
    let found: Option<Message> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {MESSAGE_COLUMNS}
           FROM outbox o
           LEFT JOIN creators c ON c.id = o.creator_id
          WHERE o.id = $1 AND o.program_id = $2
            FOR UPDATE OF o"
    )))
    .bind(id)
    .bind(program_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading the message")?;
    let Some(message) = found else {
        return Err(for_user(Refused::UnknownMessage {
            id,
            program: program_slug.to_string(),
        }));
    };
    let mut one = [message];
    attach_deliveries(conn, &mut one, true).await?;
    let [message] = one;
    Ok(message)
}

impl Message {
    /// Who it goes to: `@handle` for a DM or membership action, else the channel (`#staff`).
    pub fn recipient(&self) -> String {
        match self.kind.as_str() {
            "dm" | "membership" => format!("@{}", self.handle.as_deref().unwrap_or("?")),
            _ => self
                .channel
                .as_deref()
                .map_or("—".into(), ProgramChannel::display_key),
        }
    }

    /// What it is: its template, or a membership action (`grant #all-stars`), else its kind.
    pub fn what(&self) -> String {
        if let Some(t) = &self.template {
            return t.clone();
        }
        if self.kind == "membership" {
            return format!(
                "{} {}",
                self.action.as_deref().unwrap_or("grant"),
                self.tier
                    .as_deref()
                    .map_or("—".into(), ProgramChannel::display_key)
            );
        }
        self.kind.clone()
    }

    /// The program channel a delivery of it may wait for (`#all-stars`).
    fn channel_waited_for(&self) -> String {
        match (self.kind.as_str(), &self.tier, &self.channel) {
            ("membership", Some(tier), _) => ProgramChannel::display_key(tier),
            (_, _, Some(channel)) => ProgramChannel::display_key(channel),
            _ => "its channel".into(),
        }
    }

    /// Its state in a few words, across deliveries: `sent on console`, `failed on discord: …`,
    /// `waiting for #all-stars on slack`, `unlinked`, `cancelled by staff`.
    pub fn state(&self) -> String {
        match self.status.as_str() {
            "queued" if !self.deliveries.is_empty() => self.deliveries_state(),
            "unlinked" => "unlinked: no chat account linked".into(),
            "waiting" => "waiting for a chat platform".into(),
            "cancelled" => cancelled(self.last_error.as_deref()),
            "sending" => "being sent".into(),
            "failed" => match &self.last_error {
                Some(e) => format!("failed: {e}"),
                None => "failed".into(),
            },
            other => other.to_string(),
        }
    }

    /// Deliveries in the same state are named together: `sent on console and discord`.
    fn deliveries_state(&self) -> String {
        let mut groups: Vec<(String, String, Vec<&str>)> = Vec::new();
        for d in &self.deliveries {
            let error =
                |e: &Option<String>| e.as_deref().map_or(String::new(), |e| format!(": {e}"));
            let (head, tail) = match d.status.as_str() {
                "sent" => ("sent".to_string(), String::new()),
                "sending" => ("being sent".into(), String::new()),
                "pending" if d.attempts == 0 && d.last_error.is_none() => {
                    ("pending".into(), String::new())
                }
                "pending" => ("retrying".into(), error(&d.last_error)),
                "waiting" => (
                    format!("waiting for {}", self.channel_waited_for()),
                    String::new(),
                ),
                "failed" => ("failed".into(), error(&d.last_error)),
                "cancelled" => match d.last_error.as_deref() {
                    Some(r) if r.starts_with("cancelled") => (r.to_string(), String::new()),
                    other => ("cancelled".into(), error(&other.map(String::from))),
                },
                other => (other.to_string(), String::new()),
            };
            match groups.iter_mut().find(|(h, t, _)| *h == head && *t == tail) {
                Some((_, _, platforms)) => platforms.push(&d.platform),
                None => groups.push((head, tail, vec![&d.platform])),
            }
        }
        groups
            .into_iter()
            .map(|(head, tail, platforms)| format!("{head} on {}{tail}", and_list(&platforms)))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `#all-stars` for a channel key or tier name; the text itself when it is neither.
fn cancelled(reason: Option<&str>) -> String {
    match reason {
        Some(r) if r.starts_with("cancelled") => r.to_string(),
        Some(r) => format!("cancelled: {r}"),
        None => "cancelled".into(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(
        kind: &str,
        status: &str,
        deliveries: &[(&str, &str, i32, Option<&str>)],
    ) -> Message {
        let at: DateTime<Utc> = "2026-06-02T15:00:00Z".parse().unwrap();
        Message {
            id: 1,
            dedupe_key: "k".into(),
            kind: kind.into(),
            creator_id: Some(1),
            handle: Some("ava".into()),
            channel: (kind == "channel").then(|| "tier:all_stars".into()),
            template: Some("t".into()),
            action: None,
            tier: None,
            due_at: at,
            status: status.into(),
            last_error: None,
            created_at: at,
            deliveries: deliveries
                .iter()
                .map(|(platform, status, attempts, error)| Delivery {
                    outbox_id: 1,
                    id: 1,
                    platform: platform.to_string(),
                    status: status.to_string(),
                    attempts: *attempts,
                    due_at: at,
                    last_error: error.map(String::from),
                    platform_message_id: None,
                    sent_at: None,
                    failed_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn states_name_platforms_together_when_they_agree() {
        let m = message(
            "dm",
            "queued",
            &[
                ("console", "sent", 1, None),
                ("discord", "failed", 2, Some("DMs closed")),
                ("recording", "sent", 1, None),
            ],
        );
        assert_eq!(
            m.state(),
            "sent on console and recording; failed on discord: DMs closed"
        );
        let m = message(
            "channel",
            "queued",
            &[
                ("console", "waiting", 0, Some("x")),
                ("discord", "pending", 1, Some("timeout")),
                ("slack", "cancelled", 0, Some(CANCELLED_BY_STAFF)),
            ],
        );
        assert_eq!(
            m.state(),
            "waiting for #all-stars on console; retrying on discord: timeout; cancelled by \
             staff on slack"
        );
        assert_eq!(m.recipient(), "#all-stars");
        assert_eq!(
            message("dm", "unlinked", &[]).state(),
            "unlinked: no chat account linked"
        );
        assert_eq!(and_list(&["a", "b", "c"]), "a, b and c");
    }
}
