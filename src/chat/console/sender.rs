//! The console's [`ChatSender`]: prints each message as it is sent — channel posts and staff
//! alerts in the program's time, DMs in the recipient's own local time (the hour they read it),
//! tier membership actions as a line of their own.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

use super::screen::{Screen, entry, stamp};
use crate::chat::{
    ChatSender, Delivered, MessageKind, OutgoingMessage, Platform, Recipient, SendError,
};
use crate::db;
use crate::jobs::Clock;

/// A program channel as people read it: `tier:all_stars` → `#all-stars`, `staff` → `#staff`.
pub fn channel_name(channel: &str) -> String {
    format!("#{}", channel.trim_start_matches("tier:").replace('_', "-"))
}

/// How the console prints `message` sent at `at`; `tz` is the zone its time is shown in (the
/// recipient's for a DM, the program's otherwise).
pub fn render(message: &OutgoingMessage, at: DateTime<Utc>, tz: Tz) -> String {
    let when = stamp(at, tz);
    match (&message.kind, &message.to) {
        (MessageKind::Membership, Recipient::Creator { handle, .. }) => {
            let tier = message.payload["tier"].as_str().unwrap_or_default();
            let channel = channel_name(&format!("tier:{tier}"));
            let action = match message.payload["action"].as_str() {
                Some("revoke") => format!("removed from {channel}"),
                _ => format!("granted {channel}"),
            };
            format!("[{when}] @{handle}: {action}\n")
        }
        (_, Recipient::Creator { handle, .. }) => {
            entry(&when, &format!("DM to @{handle}"), &message.text)
        }
        (_, Recipient::Channel(channel)) => entry(&when, &channel_name(channel), &message.text),
    }
}

/// See the module documentation.
pub struct ConsoleSender {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    screen: Screen,
    sent: AtomicU64,
    dms: AtomicU64,
    posts: AtomicU64,
    memberships: AtomicU64,
    program_zones: Mutex<HashMap<i64, Tz>>,
}

impl ConsoleSender {
    pub fn new(pool: PgPool, clock: Arc<dyn Clock>, screen: Screen) -> ConsoleSender {
        ConsoleSender {
            pool,
            clock,
            screen,
            sent: AtomicU64::new(0),
            dms: AtomicU64::new(0),
            posts: AtomicU64::new(0),
            memberships: AtomicU64::new(0),
            program_zones: Mutex::default(),
        }
    }

    /// What was printed so far: `12 DMs, 3 posts and alerts, 4 membership changes`.
    pub fn tally(&self) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "{} DMs, {} posts and staff alerts, {} membership changes",
            n(&self.dms),
            n(&self.posts),
            n(&self.memberships)
        )
    }

    /// The zone `message`'s time is shown in.
    async fn zone(&self, message: &OutgoingMessage) -> Result<Tz, SendError> {
        if let (MessageKind::Dm, Recipient::Creator { creator_id, .. }) =
            (&message.kind, &message.to)
        {
            let name = db::creators::timezone(&self.pool, *creator_id)
                .await
                .map_err(|e| SendError::Transient(format!("{e:#}")))?
                .ok_or_else(|| SendError::Permanent("the creator no longer exists".into()))?;
            return Ok(name.parse().unwrap_or(Tz::UTC));
        }
        let known = self
            .program_zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&message.program_id)
            .copied();
        if let Some(tz) = known {
            return Ok(tz);
        }
        let program = db::programs::by_id(&self.pool, message.program_id)
            .await
            .map_err(|e| SendError::Transient(format!("{e:#}")))?
            .ok_or_else(|| SendError::Permanent("the program no longer exists".into()))?;
        self.program_zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(message.program_id, program.timezone);
        Ok(program.timezone)
    }
}

impl ChatSender for ConsoleSender {
    fn platform(&self, _message: &OutgoingMessage) -> Platform {
        Platform::Console
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<Delivered, SendError> {
        let tz = self.zone(message).await?;
        let text = render(message, self.clock.now(), tz);
        self.screen
            .print(&text)
            .map_err(|e| SendError::Transient(format!("writing to the console: {e}")))?;
        let n = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        match message.kind {
            MessageKind::Dm => &self.dms,
            MessageKind::Membership => &self.memberships,
            MessageKind::Channel | MessageKind::StaffAlert => &self.posts,
        }
        .fetch_add(1, Ordering::Relaxed);
        Ok(Delivered {
            platform: Platform::Console,
            message_id: format!("console-{n}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: MessageKind, to: Recipient, text: &str) -> OutgoingMessage {
        OutgoingMessage {
            outbox_id: 1,
            program_id: 1,
            dedupe_key: "k".into(),
            kind,
            to,
            template: None,
            text: text.into(),
            payload: serde_json::json!({ "text": text }),
        }
    }

    fn ava() -> Recipient {
        Recipient::Creator {
            creator_id: 7,
            handle: "ava".into(),
        }
    }

    #[test]
    fn channels_read_as_people_name_them() {
        assert_eq!(channel_name("tier:all_stars"), "#all-stars");
        assert_eq!(channel_name("tier:steady_earners"), "#steady-earners");
        assert_eq!(channel_name("staff"), "#staff");
        assert_eq!(channel_name("competitions"), "#competitions");
    }

    #[test]
    fn posts_dms_and_membership_actions() {
        let at: DateTime<Utc> = "2026-11-23T15:00:00Z".parse().unwrap();
        let ny = chrono_tz::America::New_York;
        let post = message(
            MessageKind::Channel,
            Recipient::Channel("tier:all_stars".into()),
            "☀️ Weekly check-in\n\nWhat are you filming?",
        );
        assert_eq!(
            render(&post, at, ny),
            "[Mon 23 Nov 10:00 EST] #all-stars: ☀️ Weekly check-in\n\n  What are you filming?\n"
        );
        let alert = message(
            MessageKind::StaffAlert,
            Recipient::Channel("staff".into()),
            "@ava went viral",
        );
        assert_eq!(
            render(&alert, at, ny),
            "[Mon 23 Nov 10:00 EST] #staff: @ava went viral\n"
        );
        let dm = message(MessageKind::Dm, ava(), "Hi Ava!\nWelcome.");
        assert_eq!(
            render(&dm, at, chrono_tz::Asia::Tokyo),
            "[Tue 24 Nov 00:00 JST] DM to @ava: Hi Ava!\n  Welcome.\n"
        );
        let mut grant = message(MessageKind::Membership, ava(), "");
        grant.payload = serde_json::json!({ "action": "grant", "tier": "all_stars", "text": "" });
        assert_eq!(
            render(&grant, at, ny),
            "[Mon 23 Nov 10:00 EST] @ava: granted #all-stars\n"
        );
        grant.payload =
            serde_json::json!({ "action": "revoke", "tier": "steady_earners", "text": "" });
        assert_eq!(
            render(&grant, at, ny),
            "[Mon 23 Nov 10:00 EST] @ava: removed from #steady-earners\n"
        );
    }
}
