//! A sender that keeps every message in memory instead of posting it: the tests read what each
//! creator and channel got, and when. Failures can be scripted per recipient.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::sender::{ChatSender, Delivered, OutgoingMessage, Platform, Recipient, SendError};
use crate::jobs::Clock;

/// One message the recording sender accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub at: DateTime<Utc>,
    pub message: OutgoingMessage,
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
}

/// See the module documentation. Cloning shares the record.
#[derive(Clone)]
pub struct RecordingSender {
    clock: Arc<dyn Clock>,
    state: Arc<Mutex<State>>,
    delay: Duration,
}

impl RecordingSender {
    pub fn new(clock: Arc<dyn Clock>) -> RecordingSender {
        RecordingSender {
            clock,
            state: Arc::default(),
            delay: Duration::ZERO,
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

    /// Forgets what was delivered (scripts and blocks stay).
    pub fn clear(&self) {
        self.lock().sent.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl ChatSender for RecordingSender {
    fn platform(&self, _message: &OutgoingMessage) -> Platform {
        Platform::Recording
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<Delivered, SendError> {
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
