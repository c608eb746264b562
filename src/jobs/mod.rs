//! What the bot does by itself: the scheduler turns cadences and sequence timers into outbox rows,
//! and the dispatcher sends due deliveries through each [`crate::chat::ChatPlatform`]. Time comes from an
//! injected [`Clock`], so tests and the demo can run any instant.

pub mod clock;
pub mod dispatch;
pub mod record_retry;
pub mod schedule;

pub use clock::{Clock, ManualClock, SystemClock};
