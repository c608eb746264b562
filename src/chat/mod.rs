//! Chat, platform-neutral: every message the bot sends goes through one [`ChatSender`] (Discord,
//! Slack, the console workspace, or the recording sender the tests read), and every command
//! arrives through one command layer that each adapter reuses.

pub mod commands;
pub mod console;
pub mod platforms;
pub mod recording;
pub mod render;
pub mod sender;

pub use sender::{
    Address, ChatSender, Delivered, MessageKind, Outgoing, OutgoingMessage, Platform, Recipient,
    SendError,
};
