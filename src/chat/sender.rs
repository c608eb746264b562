//! What the dispatcher hands to a platform: one delivery, its recipient in the program's terms and
//! its address in the platform's own ids, and the three ways a send can fail (later, after a
//! pause the platform asked for, or never).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::domain::channels::ProgramChannel;

/// Where a message was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Discord,
    Slack,
    Console,
    /// The in-memory sender of the tests and benchmarks.
    Recording,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Discord => "discord",
            Platform::Slack => "slack",
            Platform::Console => "console",
            Platform::Recording => "recording",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Some(match s {
            "discord" => Platform::Discord,
            "slack" => Platform::Slack,
            "console" => Platform::Console,
            "recording" => Platform::Recording,
            _ => return None,
        })
    }
}

/// The outbox's `kind` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A direct message to one creator.
    Dm,
    /// A post in a program channel (`tier:all_stars`, `competitions`, …).
    Channel,
    /// Grant or revoke a creator's tier role or channel.
    Membership,
    /// A post in the staff channel.
    StaffAlert,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Dm => "dm",
            MessageKind::Channel => "channel",
            MessageKind::Membership => "membership",
            MessageKind::StaffAlert => "staff_alert",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        Some(match s {
            "dm" => MessageKind::Dm,
            "channel" => MessageKind::Channel,
            "membership" => MessageKind::Membership,
            "staff_alert" => MessageKind::StaffAlert,
            _ => return None,
        })
    }
}

/// Who a message is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// A creator (DMs and membership actions).
    Creator { creator_id: i64, handle: String },
    /// One of the program's channels.
    Channel(ProgramChannel),
    /// A chat user not linked to a creator (a new member welcomed).
    ChatUser { user_id: String },
}

/// Where one delivery goes on its platform, in the platform's own ids: the dispatcher resolves
/// it (creator → chat user → DM channel; program channel → mapped channel id; tier → role or
/// private channel) before the platform is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A post in a channel (a program channel or #staff).
    Channel { channel_id: String },
    /// A direct message to `user_id` in the DM channel opened with them.
    Direct { user_id: String, channel_id: String },
    /// Grant (or revoke) a creator's access to a tier: the tier's role (Discord) and its
    /// channel (a Slack private channel), whichever the platform has mapped.
    Membership {
        /// The Discord guild or Slack team the account is in.
        workspace_id: String,
        user_id: String,
        grant: bool,
        role_id: Option<String>,
        channel_id: Option<String>,
    },
}

/// One delivery of an outbox message on one platform, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub outbox_id: i64,
    pub delivery_id: i64,
    pub program_id: i64,
    pub dedupe_key: String,
    pub kind: MessageKind,
    /// Who it is for in the program's own terms (logs, the console's transcript).
    pub to: Recipient,
    pub address: Address,
    /// The template the text was rendered from.
    pub template: Option<String>,
    /// The rendered text (empty for a membership action).
    pub text: String,
    /// Everything else the row carries (for a membership action: `action` and `tier`).
    pub payload: serde_json::Value,
    /// The charts the post carries (its row's `charts`), drawn when it is sent from the data as
    /// it is then; each platform attaches them to the message.
    pub charts: Vec<crate::charts::Chart>,
}

/// A sent message as the platform knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub platform: Platform,
    pub message_id: String,
}

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The platform asked us to wait (HTTP 429 with retry-after).
    #[error("rate limited by the platform; retry after {0:?}")]
    RetryAfter(Duration),
    /// Worth another try later (timeouts, 5xx).
    #[error("{0}")]
    Transient(String),
    /// Will never succeed (the creator blocks DMs, unknown user, missing channel); the text is
    /// what staff are told, in plain words.
    #[error("{0}")]
    Permanent(String),
    /// The recipient is no longer in the workspace (left the server): their account there is
    /// marked as left and nothing more is sent to it until they come back.
    #[error("{0}")]
    Gone(String),
}
