//! What Discord's answers mean for a delivery: wait and retry (429, 5xx, timeouts), never (the
//! creator closed DMs, a permission is missing), or the creator left the server. The reasons are
//! written for staff, who read them in the delivery-failed alert and `creator-bot outbox`.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{Error, HttpError};

use crate::chat::sender::SendError;

/// How long to wait after a 429 whose `retry_after` is unknown (serenity's error keeps only
/// Discord's JSON `code` and `message`; its own limiter normally waits 429s out).
pub const RATE_LIMITED_WAIT: Duration = Duration::from_secs(5);

/// Discord's JSON error codes the bot acts on.
pub mod code {
    pub const UNKNOWN_CHANNEL: isize = 10003;
    pub const UNKNOWN_MEMBER: isize = 10007;
    pub const UNKNOWN_ROLE: isize = 10011;
    pub const UNKNOWN_USER: isize = 10013;
    pub const OPENING_DMS_TOO_FAST: isize = 40003;
    pub const MISSING_ACCESS: isize = 50001;
    pub const CANNOT_MESSAGE_USER: isize = 50007;
    pub const MISSING_PERMISSIONS: isize = 50013;
}

/// A failed request as a delivery outcome.
pub fn send_error(e: &Error) -> SendError {
    let Error::Http(http) = e else {
        return SendError::Transient(format!("Discord: {e}"));
    };
    match http {
        HttpError::UnsuccessfulRequest(response) => {
            let status = response.status_code.as_u16();
            if status == 429 {
                // serenity's limiter waits out Discord's own 429s; one that still reaches here
                // has lost its body.
                return SendError::RetryAfter(RATE_LIMITED_WAIT);
            }
            classify(status, response.error.code, &response.error.message)
        }
        HttpError::Request(e) => SendError::Transient(format!("Discord did not answer: {e}")),
        other => SendError::Permanent(format!("Discord request could not be made: {other}")),
    }
}

/// What Discord's answer means, from its HTTP status and JSON error `code` and `message` (a
/// 429 is read by the caller, which has its `retry_after`).
pub fn classify(status: u16, code: isize, message: &str) -> SendError {
    if status == 429 {
        return SendError::RetryAfter(RATE_LIMITED_WAIT);
    }
    if status >= 500 {
        return SendError::Transient(format!("Discord answered {status}; will try again"));
    }
    match code {
        code::CANNOT_MESSAGE_USER => SendError::Permanent(
            "they don't accept direct messages from this server (a Discord privacy setting); \
             ask them to allow DMs from server members, then `creator-bot outbox retry`"
                .into(),
        ),
        code::UNKNOWN_USER => {
            SendError::Permanent("Discord doesn't know this account (it was deleted)".into())
        }
        code::UNKNOWN_MEMBER => SendError::Gone(
            "they are no longer a member of the Discord server; nothing more is sent to them \
             there until they come back"
                .into(),
        ),
        code::MISSING_PERMISSIONS => SendError::Permanent(
            "the bot is missing a permission (Send Messages, Attach Files or Manage Roles), or \
             its role is below the tier role it must grant: in Server Settings → Roles drag the \
             bot's role above All-Stars and Steady Earners; `creator-bot discord setup` checks \
             both"
                .into(),
        ),
        code::MISSING_ACCESS => SendError::Permanent(
            "the bot can't see that channel: give its role View Channel there, or run \
             `creator-bot discord setup`"
                .into(),
        ),
        code::UNKNOWN_CHANNEL => SendError::Permanent(
            "the channel no longer exists: `creator-bot discord setup` creates it again".into(),
        ),
        code::UNKNOWN_ROLE => SendError::Permanent(
            "the tier role no longer exists: `creator-bot discord setup` creates it again".into(),
        ),
        code::OPENING_DMS_TOO_FAST => SendError::RetryAfter(Duration::from_secs(60)),
        code => SendError::Permanent(format!(
            "Discord refused it: {message} (HTTP {status}, code {code})"
        )),
    }
}

/// A failed request for a log line: status, code and Discord's message (never the token, which
/// only travels in a header).
pub fn describe(e: &Error) -> String {
    match e {
        Error::Http(HttpError::UnsuccessfulRequest(r)) => format!(
            "HTTP {} {} (code {}): {}",
            r.status_code.as_u16(),
            r.method,
            r.error.code,
            r.error.message
        ),
        other => other.to_string(),
    }
}
