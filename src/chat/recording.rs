//! A platform that keeps every delivery in memory instead of posting it: the tests read what each
//! creator and channel got, and when, and at which address. Failures can be scripted per
//! recipient, and the platform can be marked disconnected.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use async_trait::async_trait;

use super::platforms::ChatPlatform;
use super::sender::{Delivered, Outgoing, Platform, Recipient, SendError};
use crate::jobs::Clock;

/// One message the recording sender accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub at: DateTime<Utc>,
    pub message: Outgoing,
    pub message_id: String,
}

#[derive(Default)]
struct State {
    sent: Vec<Recorded>,
    /// Outcomes to return, in order, for the next sends to a recipient (before delivering).
    scripted: HashMap<Recipient, VecDeque<SendError>>,
    /// Recipients every send to which fails for good (a creator who blocks DMs).
    blocked: HashMap<Recipient, String>,
    attempts: u64,
    /// DM channels opened, by user id.
    opened: Vec<String>,
}

/// See the module documentation. Cloning shares the record.
#[derive(Clone)]
pub struct RecordingSender {
    clock: Arc<dyn Clock>,
    state: Arc<Mutex<State>>,
    delay: Duration,
    disconnected: Arc<AtomicBool>,
}

impl RecordingSender {
    pub fn new(clock: Arc<dyn Clock>) -> RecordingSender {
        RecordingSender {
            clock,
            state: Arc::default(),
            delay: Duration::ZERO,
            disconnected: Arc::default(),
        }
    }

    /// Every send takes this long (a network round trip), so that workers overlap.
    pub fn with_delay(mut self, delay: Duration) -> RecordingSender {
        self.delay = delay;
        self
    }

    /// The next sends to `to` fail with these errors, one each, before sends succeed again.
    pub fn script(&self, to: Recipient, errors: impl IntoIterator<Item = SendError>) {
        self.lock().scripted.entry(to).or_default().extend(errors);
    }

    /// Every send to `to` fails for good with `reason`.
    pub fn block(&self, to: Recipient, reason: &str) {
        self.lock().blocked.insert(to, reason.to_string());
    }

    /// Everything delivered so far, in delivery order.
    pub fn sent(&self) -> Vec<Recorded> {
        self.lock().sent.clone()
    }

    /// Sends attempted, failed ones included.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }

    /// The users a DM channel was opened with, in order.
    pub fn opened_dms(&self) -> Vec<String> {
        self.lock().opened.clone()
    }

    /// Marks the platform connected or not (what `/readyz` reads).
    pub fn set_connected(&self, connected: bool) {
        self.disconnected.store(!connected, Ordering::Relaxed);
    }

    /// Forgets what was delivered (scripts and blocks stay).
    pub fn clear(&self) {
        self.lock().sent.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl ChatPlatform for RecordingSender {
    fn platform(&self) -> Platform {
        Platform::Recording
    }

    fn is_ready(&self) -> bool {
        !self.disconnected.load(Ordering::Relaxed)
    }

    async fn open_dm(&self, user_id: &str) -> Result<String, SendError> {
        self.lock().opened.push(user_id.to_string());
        Ok(format!("dm-{user_id}"))
    }

    async fn send(&self, message: &Outgoing) -> Result<Delivered, SendError> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let mut state = self.lock();
        state.attempts += 1;
        if let Some(reason) = state.blocked.get(&message.to) {
            return Err(SendError::Permanent(reason.clone()));
        }
        if let Some(err) = state
            .scripted
            .get_mut(&message.to)
            .and_then(|q| q.pop_front())
        {
            return Err(err);
        }
        let message_id = format!("rec-{}", state.sent.len() + 1);
        let at = self.clock.now();
        state.sent.push(Recorded {
            at,
            message: message.clone(),
            message_id: message_id.clone(),
        });
        Ok(Delivered {
            platform: Platform::Recording,
            message_id,
        })
    }
}
