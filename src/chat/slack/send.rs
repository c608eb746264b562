//! Deliveries as Slack Web API calls: a DM or a post is one `chat.postMessage` in Block Kit with
//! a plain-text fallback (its charts uploaded first and shown by image blocks), paced to Slack's one message per second per channel; a membership
//! action is the creator invited to or removed from the tier's private channel.
//!
//! Slack's `chat.postMessage` takes no idempotency key. A delivery is claimed with a lease, so it
//! is posted once in the normal course; but when a process dies after Slack accepted a post and
//! before the outbox recorded it (a window of one database round trip), the lease runs out and
//! the post is sent again. That duplicate, rare and bounded by that window, is the price of never
//! losing a message.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::api::Api;
use super::errors::send_error;
use crate::chat::render::{cut_text, escape_slack, slack::TEXT_LIMIT};
use crate::chat::sender::{Address, Delivered, Outgoing, Platform, SendError};
use crate::domain::Tier;

/// Slack's `text` limit for a message.
const MESSAGE_LIMIT: usize = 40_000;

/// Posts to one channel at most once per `gap`. A post whose turn is at most `max_wait` away
/// waits for it here; a later one is handed back to the dispatcher as a retry-after, so a worker
/// is never held long by one busy channel.
pub struct Pacer {
    gap: Duration,
    max_wait: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

/// Channels remembered before the pacer forgets those whose turn has passed.
const PACED_CHANNELS: usize = 10_000;

impl Pacer {
    pub fn new(gap: Duration, max_wait: Duration) -> Pacer {
        Pacer {
            gap,
            max_wait,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `channel`'s next turn: `Ok(wait)` until it (reserved), or `Err(wait)` when it is
    /// further away than `max_wait` (nothing reserved).
    pub fn reserve(&self, channel: &str, now: Instant) -> Result<Duration, Duration> {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let turn = next.get(channel).copied().unwrap_or(now).max(now);
        let wait = turn - now;
        if wait > self.max_wait {
            return Err(wait);
        }
        if next.len() >= PACED_CHANNELS {
            next.retain(|_, t| *t > now);
        }
        next.insert(channel.to_string(), turn + self.gap);
        Ok(wait)
    }

    /// Waits for `channel`'s turn, or says how long the dispatcher should wait.
    pub async fn turn(&self, channel: &str) -> Result<(), SendError> {
        match self.reserve(channel, Instant::now()) {
            Ok(wait) if wait.is_zero() => Ok(()),
            Ok(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Err(wait) => Err(SendError::RetryAfter(wait)),
        }
    }
}

/// Opens (or finds) the DM channel with a user.
pub async fn open_dm(api: &Api, user_id: &str) -> Result<String, SendError> {
    let opened = api
        .post("conversations.open", &json!({ "users": user_id }))
        .await
        .map_err(|e| send_error(&e))?;
    opened["channel"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| SendError::Transient("Slack's DM channel came without an id".into()))
}

/// An outbox text as a message: sections of escaped mrkdwn, and the plain text for
/// notifications and clients that show no blocks.
pub fn message_body(channel: &str, text: &str) -> Value {
    let escaped = escape_slack(text);
    let mut blocks = Vec::new();
    let mut rest = escaped.as_str();
    while !rest.is_empty() && blocks.len() < crate::chat::render::slack::BLOCKS_LIMIT {
        let cut = split_at(rest, TEXT_LIMIT);
        let (part, tail) = rest.split_at(cut);
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": part}}));
        rest = tail.trim_start_matches('\n');
    }
    json!({
        "channel": channel,
        "text": cut_text(text, MESSAGE_LIMIT),
        "blocks": blocks,
        // The outbox's texts name people by handle: nothing in them should notify or unfurl.
        "unfurl_links": false,
        "unfurl_media": false,
    })
}

/// Where to cut `text` to keep at most `limit` characters: after the last line break that fits,
/// else at the limit (never inside a character, nor inside an `&amp;`-style entity).
fn split_at(text: &str, limit: usize) -> usize {
    let Some((end, _)) = text.char_indices().nth(limit) else {
        return text.len();
    };
    if let Some(nl) = text[..end].rfind('\n').filter(|nl| *nl > 0) {
        return nl;
    }
    match text[..end].rfind('&') {
        Some(amp) if amp > 0 && !text[amp..end].contains(';') => amp,
        _ => end,
    }
}

pub async fn send(api: &Api, pacer: &Pacer, message: &Outgoing) -> Result<Delivered, SendError> {
    let delivered = |message_id: String| Delivered {
        platform: Platform::Slack,
        message_id,
    };
    match &message.address {
        Address::Channel { channel_id } | Address::Direct { channel_id, .. } => {
            // Charts are uploaded first and shown by image blocks under the text; the upload
            // is not paced (it posts nothing in the channel by itself).
            let mut body = message_body(channel_id, &message.text);
            let mut images = Vec::new();
            for chart in &message.charts {
                let id = api
                    .upload_file(&chart.file_name, &chart.alt, &chart.png)
                    .await
                    .map_err(|e| send_error(&e))?;
                images.push(
                    json!({"type": "image", "alt_text": cut_text(&chart.alt, 2_000),
                    "slack_file": {"id": id}}),
                );
            }
            if let Some(blocks) = body["blocks"].as_array_mut() {
                let room = crate::chat::render::slack::BLOCKS_LIMIT.saturating_sub(images.len());
                blocks.truncate(room);
                blocks.extend(images);
            }
            pacer.turn(channel_id).await?;
            let sent = api
                .post("chat.postMessage", &body)
                .await
                .map_err(|e| send_error(&e))?;
            let ts = sent["ts"]
                .as_str()
                .ok_or_else(|| SendError::Transient("Slack's message came without a ts".into()))?;
            let channel = sent["channel"].as_str().unwrap_or(channel_id);
            Ok(delivered(format!("{channel}:{ts}")))
        }
        Address::Membership {
            user_id,
            grant,
            channel_id,
            ..
        } => {
            let Some(channel_id) = channel_id else {
                let tier = message.payload["tier"].as_str().unwrap_or_default();
                let tier = tier
                    .parse::<Tier>()
                    .map_or_else(|_| tier.to_string(), |t| t.to_string());
                return Err(SendError::Permanent(format!(
                    "the {tier} channel is not mapped on Slack: run `creator-bot slack setup`"
                )));
            };
            let (method, body, done_already) = if *grant {
                (
                    "conversations.invite",
                    json!({ "channel": channel_id, "users": user_id }),
                    "already_in_channel",
                )
            } else {
                (
                    "conversations.kick",
                    json!({ "channel": channel_id, "user": user_id }),
                    "not_in_channel",
                )
            };
            match api.post(method, &body).await {
                Ok(_) => {}
                // Already as wanted: a retry after a crash, or a change made by hand.
                Err(e) if e.code() == Some(done_already) => {}
                Err(e) => return Err(send_error(&e)),
            }
            let verb = if *grant { "invited" } else { "removed" };
            Ok(delivered(format!("{verb}:{channel_id}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_gets_one_turn_per_gap_and_a_far_turn_is_handed_back() {
        let pacer = Pacer::new(Duration::from_secs(1), Duration::from_millis(1500));
        let t0 = Instant::now();
        assert_eq!(pacer.reserve("C1", t0), Ok(Duration::ZERO));
        assert_eq!(pacer.reserve("C1", t0), Ok(Duration::from_secs(1)));
        // The third turn is 2 s away: the dispatcher waits, not the worker.
        assert_eq!(pacer.reserve("C1", t0), Err(Duration::from_secs(2)));
        // Another channel has its own turns.
        assert_eq!(pacer.reserve("C2", t0), Ok(Duration::ZERO));
        // Once the time has come, the channel is free again.
        let later = t0 + Duration::from_secs(5);
        assert_eq!(pacer.reserve("C1", later), Ok(Duration::ZERO));
    }

    #[test]
    fn an_outbox_text_becomes_escaped_sections_with_the_plain_text_beside() {
        let body = message_body("D1", "Hi <b> & you\nline two");
        assert_eq!(body["channel"], "D1");
        assert_eq!(body["text"], "Hi <b> & you\nline two");
        assert_eq!(
            body["blocks"],
            json!([{"type": "section", "text": {"type": "mrkdwn",
                "text": "Hi &lt;b&gt; &amp; you\nline two"}}])
        );
        let long = "word ".repeat(1_000);
        let body = message_body("C1", &long);
        let blocks = body["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 2);
        for b in blocks {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= TEXT_LIMIT);
        }
    }
}
