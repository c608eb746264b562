//! Deliveries as Discord requests: a DM or a post is one create-message request carrying a nonce
//! derived from the delivery with `enforce_nonce`, so a retry after a crash returns the message
//! already posted instead of posting twice; a membership action is a role added or removed with
//! an audit-log reason naming the tier change.

use poise::serenity_prelude as serenity;
use serenity::{
    ChannelId, CreateAllowedMentions, CreateMessage, GuildId, Http, Nonce, RoleId, UserId,
};

use super::errors::send_error;
use crate::chat::render::cut_text;
use crate::chat::render::discord::CONTENT_LIMIT;
use crate::chat::sender::{Address, Delivered, Outgoing, Platform, SendError};
use crate::domain::Tier;

fn id<T: From<u64>>(raw: &str, what: &str) -> Result<T, SendError> {
    raw.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(T::from)
        .ok_or_else(|| SendError::Permanent(format!("{raw:?} is not a Discord {what} id")))
}

/// Opens the DM channel with a user.
pub async fn open_dm(http: &Http, user_id: &str) -> Result<String, SendError> {
    let user: UserId = id(user_id, "user")?;
    let channel = user
        .create_dm_channel(http)
        .await
        .map_err(|e| send_error(&e))?;
    Ok(channel.id.to_string())
}

/// The nonce of a delivery: its id, which no other delivery has (Discord allows 25 characters).
pub fn nonce(delivery_id: i64) -> String {
    format!("d{delivery_id}")
}

pub async fn send(http: &Http, message: &Outgoing) -> Result<Delivered, SendError> {
    let delivered = |message_id: String| Delivered {
        platform: Platform::Discord,
        message_id,
    };
    match &message.address {
        Address::Channel { channel_id } | Address::Direct { channel_id, .. } => {
            let channel: ChannelId = id(channel_id, "channel")?;
            let body = CreateMessage::new()
                .content(cut_text(&message.text, CONTENT_LIMIT))
                .nonce(Nonce::String(nonce(message.delivery_id)))
                .enforce_nonce(true)
                // The outbox's texts name people by handle: they ping no one.
                .allowed_mentions(CreateAllowedMentions::new());
            let sent = channel
                .send_message(http, body)
                .await
                .map_err(|e| send_error(&e))?;
            Ok(delivered(sent.id.to_string()))
        }
        Address::Membership {
            workspace_id,
            user_id,
            grant,
            role_id,
            ..
        } => {
            let tier = message.payload["tier"].as_str().unwrap_or_default();
            let Some(role_id) = role_id else {
                return Err(SendError::Permanent(format!(
                    "the {} role is not mapped on Discord: run `creator-bot discord setup`",
                    label(tier)
                )));
            };
            let guild: GuildId = id(workspace_id, "server")?;
            let user: UserId = id(user_id, "user")?;
            let role: RoleId = id(role_id, "role")?;
            let reason = audit_reason(&message.payload);
            let done = if *grant {
                http.add_member_role(guild, user, role, Some(&reason)).await
            } else {
                http.remove_member_role(guild, user, role, Some(&reason))
                    .await
            };
            done.map_err(|e| send_error(&e))?;
            let verb = if *grant { "granted" } else { "revoked" };
            Ok(delivered(format!("{verb}:{role_id}")))
        }
    }
}

fn label(tier: &str) -> String {
    tier.parse::<Tier>()
        .map_or_else(|_| tier.to_string(), |t| t.to_string())
}

/// What the server's audit log shows for a role change: `Tier change: Steady Earners → All-Stars`.
pub fn audit_reason(payload: &serde_json::Value) -> String {
    let from = payload["from"].as_str().map(label);
    let to = payload["to"].as_str().map(label);
    match (from, to) {
        (Some(from), Some(to)) => format!("Tier change: {from} → {to}"),
        (None, Some(to)) => format!("Tier change: → {to}"),
        _ => format!(
            "Tier change ({})",
            label(payload["tier"].as_str().unwrap_or_default())
        ),
    }
}
