//! Chat, platform-neutral: every message the bot sends goes out through a [`ChatPlatform`]
//! (Discord, Slack, the console workspace, or the recording platform the tests read), and every
//! command arrives through one command layer that each adapter reuses.

pub mod commands;
pub mod console;
pub mod discord;
pub mod platforms;
pub mod recording;
pub mod render;
pub mod sender;
pub mod slack;

pub use platforms::{ChatPlatform, Platforms};
pub use sender::{Address, Delivered, MessageKind, Outgoing, Platform, Recipient, SendError};
