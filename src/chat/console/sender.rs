//! The console's [`ChatPlatform`]: prints each delivery as it is sent, at the address the
//! dispatcher resolved (the console maps each program channel to its `#name` and each creator to
//! their handle) — channel posts and staff alerts in the program's time, DMs in the recipient's
//! own local time (the hour they read it), tier membership actions as a line of their own. A
//! post's charts are written as PNG files and the console says where.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;

use super::files::ImageFiles;
use super::screen::{Screen, entry, stamp};
use async_trait::async_trait;

use crate::chat::{
    Address, ChatPlatform, Delivered, MessageKind, Outgoing, Platform, Recipient, SendError,
};
use crate::db;
use crate::jobs::Clock;

/// How the console prints `message` sent at `at`; `tz` is the zone its time is shown in (the
/// recipient's for a DM, the program's otherwise).
pub fn render(message: &Outgoing, at: DateTime<Utc>, tz: Tz) -> String {
    let when = stamp(at, tz);
    match &message.address {
        Address::Membership {
            user_id,
            grant,
            role_id,
            channel_id,
            ..
        } => {
            let place = channel_id
                .as_ref()
                .or(role_id.as_ref())
                .cloned()
                .unwrap_or_default();
            let action = if *grant {
                format!("granted {place}")
            } else {
                format!("removed from {place}")
            };
            format!("[{when}] @{user_id}: {action}\n")
        }
        Address::Direct { user_id, .. } => {
            entry(&when, &format!("DM to @{user_id}"), &message.text)
        }
        Address::Channel { channel_id } => entry(&when, channel_id, &message.text),
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
    /// Where the charts of posts are written.
    images: Arc<ImageFiles>,
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
            images: Arc::new(ImageFiles::new(
                crate::config::charts::ChartsConfig::default().console_dir(),
            )),
        }
    }

    /// Writes the charts of posts in `images`' directory.
    pub fn with_images(mut self, images: Arc<ImageFiles>) -> ConsoleSender {
        self.images = images;
        self
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
    async fn zone(&self, message: &Outgoing) -> Result<Tz, SendError> {
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

#[async_trait]
impl ChatPlatform for ConsoleSender {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    /// A console user reads their DMs where they are: the DM channel is the user.
    async fn open_dm(&self, user_id: &str) -> Result<String, SendError> {
        Ok(user_id.to_string())
    }

    async fn send(&self, message: &Outgoing) -> Result<Delivered, SendError> {
        let tz = self.zone(message).await?;
        let mut text = render(message, self.clock.now(), tz);
        for chart in &message.charts {
            let line = self.images.shown(&chart.file_name, &chart.alt, &chart.png);
            text.push_str(&format!("  {line}\n"));
        }
        // Writing may block (a terminal or pipe nobody reads): off the async runtime's threads,
        // so the rest of the service (HTTP, signals, other platforms) keeps going meanwhile.
        let screen = self.screen.clone();
        tokio::task::spawn_blocking(move || screen.print(&text))
            .await
            .map_err(|e| SendError::Transient(format!("writing to the console: {e}")))?
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

    fn message(kind: MessageKind, to: Recipient, address: Address, text: &str) -> Outgoing {
        Outgoing {
            outbox_id: 1,
            delivery_id: 1,
            program_id: 1,
            dedupe_key: "k".into(),
            kind,
            to,
            address,
            template: None,
            text: text.into(),
            payload: serde_json::json!({ "text": text }),
            charts: Vec::new(),
        }
    }

    fn ava() -> Recipient {
        Recipient::Creator {
            creator_id: 7,
            handle: "ava".into(),
        }
    }

    fn channel(id: &str) -> Address {
        Address::Channel {
            channel_id: id.into(),
        }
    }

    #[test]
    fn posts_dms_and_membership_actions() {
        let at: DateTime<Utc> = "2026-11-23T15:00:00Z".parse().unwrap();
        let ny = chrono_tz::America::New_York;
        let post = message(
            MessageKind::Channel,
            Recipient::Channel(crate::domain::channels::ProgramChannel::Tier(
                crate::domain::Tier::AllStars,
            )),
            channel("#all-stars"),
            "☀️ Weekly check-in\n\nWhat are you filming?",
        );
        assert_eq!(
            render(&post, at, ny),
            "[Mon 23 Nov 10:00 EST] #all-stars: ☀️ Weekly check-in\n\n  What are you filming?\n"
        );
        let alert = message(
            MessageKind::StaffAlert,
            Recipient::Channel(crate::domain::channels::ProgramChannel::Staff),
            channel("#staff"),
            "@ava went viral",
        );
        assert_eq!(
            render(&alert, at, ny),
            "[Mon 23 Nov 10:00 EST] #staff: @ava went viral\n"
        );
        let direct = Address::Direct {
            user_id: "ava".into(),
            channel_id: "ava".into(),
        };
        let dm = message(MessageKind::Dm, ava(), direct, "Hi Ava!\nWelcome.");
        assert_eq!(
            render(&dm, at, chrono_tz::Asia::Tokyo),
            "[Tue 24 Nov 00:00 JST] DM to @ava: Hi Ava!\n  Welcome.\n"
        );
        let membership = |grant: bool, channel: &str| Address::Membership {
            workspace_id: "console".into(),
            user_id: "ava".into(),
            grant,
            role_id: None,
            channel_id: Some(channel.into()),
        };
        let grant = message(
            MessageKind::Membership,
            ava(),
            membership(true, "#all-stars"),
            "",
        );
        assert_eq!(
            render(&grant, at, ny),
            "[Mon 23 Nov 10:00 EST] @ava: granted #all-stars\n"
        );
        let revoke = message(
            MessageKind::Membership,
            ava(),
            membership(false, "#steady-earners"),
            "",
        );
        assert_eq!(
            render(&revoke, at, ny),
            "[Mon 23 Nov 10:00 EST] @ava: removed from #steady-earners\n"
        );
    }
}
