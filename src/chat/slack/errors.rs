//! What Slack's answers mean for a delivery: wait and retry (429, 5xx, timeouts), never (a
//! missing scope, a channel archived or gone, a revoked token), or the recipient left the
//! workspace. The reasons are written for staff, who read them in the delivery-failed alert and
//! `creator-bot outbox`.

use std::time::Duration;

use super::api::ApiError;
use crate::chat::sender::SendError;

/// How long to wait after a 429 that came without a Retry-After header.
pub const RATE_LIMITED_WAIT: Duration = Duration::from_secs(10);

const SETUP: &str = "run `creator-bot slack setup` (or /setup in Slack)";

/// A failed Web API call as a delivery outcome.
pub fn send_error(e: &ApiError) -> SendError {
    match e {
        ApiError::RateLimited { retry_after, .. } => {
            SendError::RetryAfter(retry_after.unwrap_or(RATE_LIMITED_WAIT))
        }
        ApiError::Status { status, .. } if *status >= 500 => {
            SendError::Transient(format!("Slack answered HTTP {status}; will try again"))
        }
        ApiError::Status { method, status } => SendError::Permanent(format!(
            "Slack refused {method} with HTTP {status}: check slack.api_url"
        )),
        ApiError::Unreachable { detail, .. } => {
            SendError::Transient(format!("Slack did not answer: {detail}"))
        }
        ApiError::Malformed { detail, .. } => {
            SendError::Transient(format!("Slack's answer could not be read: {detail}"))
        }
        ApiError::Slack {
            method,
            code,
            needed,
        } => classify(method, code, needed.as_deref()),
    }
}

/// What Slack's error `code` from `method` means.
pub fn classify(method: &str, code: &str, needed: Option<&str>) -> SendError {
    let permanent = |text: String| SendError::Permanent(text);
    match code {
        // The recipient's account is deactivated or no longer in the workspace: on Slack that is
        // how a member leaves (members can't leave a workspace any other way). Marked as left like
        // a Discord member who left the server, so nothing more is fanned out to it; Slack's
        // `user_change` event brings the account back if it is reactivated.
        "user_not_found" | "user_disabled" | "user_is_deactivated" => SendError::Gone(
            "their Slack account is deactivated or no longer in the workspace; nothing more is \
             sent to them on Slack until it is active again"
                .into(),
        ),
        // Not `Gone`: Slack answers account_inactive when the *bot's* token belongs to a
        // deactivated user or a deleted workspace, and marking every recipient as left for it
        // would silence them all.
        "account_inactive" | "not_authed" | "invalid_auth" | "token_revoked" | "token_expired" => {
            permanent(format!(
                "Slack refused the bot's token ({code}): reinstall the app to the workspace and \
                 set {} to its new Bot User OAuth Token",
                crate::config::slack::BOT_TOKEN_ENV
            ))
        }
        "cannot_dm_bot" => permanent(
            "the linked Slack account is a bot, which can't receive direct messages: link the \
             creator's own account"
                .into(),
        ),
        "missing_scope" => permanent(format!(
            "the Slack app lacks the {} permission: add it under OAuth & Permissions → Scopes \
             (or re-create the app from `creator-bot slack manifest`), then reinstall the app",
            needed.unwrap_or("required")
        )),
        "channel_not_found" => permanent(format!(
            "the channel no longer exists, or the bot can't see it: {SETUP} to create or adopt it"
        )),
        "not_in_channel" if method == "conversations.invite" => permanent(format!(
            "the bot is not a member of the tier channel, so it can't add anyone: type \
             /invite @creator-bot in that channel, or {SETUP}"
        )),
        "not_in_channel" => permanent(format!(
            "the bot is not a member of the channel: type /invite @creator-bot in it, or {SETUP}"
        )),
        "is_archived" => permanent(format!(
            "the channel is archived: unarchive it in Slack, or rename it and {SETUP} to create \
             a new one"
        )),
        "restricted_action" | "restricted_action_read_only_channel" => permanent(
            "the workspace's settings don't let the bot do this (posting there, or managing \
             channel members): ask a workspace admin to allow it"
                .into(),
        ),
        "cant_invite_self" | "cant_kick_self" | "cant_invite" | "cant_kick_from_general" => {
            permanent(format!(
                "Slack refused to change the channel's members: {code}"
            ))
        }
        "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
            SendError::Transient(format!("Slack had a problem ({code}); will try again"))
        }
        code => permanent(format!("Slack refused it: {code} ({method})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(method: &str, code: &str) -> ApiError {
        ApiError::Slack {
            method: method.into(),
            code: code.into(),
            needed: None,
        }
    }

    #[test]
    fn each_slack_answer_has_its_outcome_and_words() {
        let post = |code| send_error(&slack("chat.postMessage", code));
        assert_eq!(
            post("user_not_found"),
            SendError::Gone(
                "their Slack account is deactivated or no longer in the workspace; nothing more \
                 is sent to them on Slack until it is active again"
                    .into()
            )
        );
        assert!(matches!(post("user_disabled"), SendError::Gone(_)));
        assert_eq!(
            post("account_inactive"),
            SendError::Permanent(
                "Slack refused the bot's token (account_inactive): reinstall the app to the \
                 workspace and set SLACK_BOT_TOKEN to its new Bot User OAuth Token"
                    .into()
            )
        );
        assert_eq!(
            post("cannot_dm_bot"),
            SendError::Permanent(
                "the linked Slack account is a bot, which can't receive direct messages: link \
                 the creator's own account"
                    .into()
            )
        );
        assert_eq!(
            post("channel_not_found"),
            SendError::Permanent(
                "the channel no longer exists, or the bot can't see it: run `creator-bot slack \
                 setup` (or /setup in Slack) to create or adopt it"
                    .into()
            )
        );
        assert_eq!(
            post("not_in_channel"),
            SendError::Permanent(
                "the bot is not a member of the channel: type /invite @creator-bot in it, or run \
                 `creator-bot slack setup` (or /setup in Slack)"
                    .into()
            )
        );
        assert_eq!(
            send_error(&slack("conversations.invite", "not_in_channel")),
            SendError::Permanent(
                "the bot is not a member of the tier channel, so it can't add anyone: type \
                 /invite @creator-bot in that channel, or run `creator-bot slack setup` (or \
                 /setup in Slack)"
                    .into()
            )
        );
        assert_eq!(
            post("is_archived"),
            SendError::Permanent(
                "the channel is archived: unarchive it in Slack, or rename it and run \
                 `creator-bot slack setup` (or /setup in Slack) to create a new one"
                    .into()
            )
        );
        assert_eq!(
            post("internal_error"),
            SendError::Transient("Slack had a problem (internal_error); will try again".into())
        );
        assert_eq!(
            post("msg_too_long"),
            SendError::Permanent("Slack refused it: msg_too_long (chat.postMessage)".into())
        );
    }

    #[test]
    fn a_missing_scope_names_the_one_needed() {
        let e = ApiError::Slack {
            method: "conversations.invite".into(),
            code: "missing_scope".into(),
            needed: Some("groups:write".into()),
        };
        assert_eq!(
            send_error(&e),
            SendError::Permanent(
                "the Slack app lacks the groups:write permission: add it under OAuth & \
                 Permissions → Scopes (or re-create the app from `creator-bot slack manifest`), \
                 then reinstall the app"
                    .into()
            )
        );
    }

    #[test]
    fn waits_and_outages_are_retried() {
        let limited = |retry_after| ApiError::RateLimited {
            method: "chat.postMessage".into(),
            retry_after,
        };
        assert_eq!(
            send_error(&limited(Some(Duration::from_secs(3)))),
            SendError::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            send_error(&limited(None)),
            SendError::RetryAfter(RATE_LIMITED_WAIT)
        );
        assert_eq!(
            send_error(&ApiError::Status {
                method: "chat.postMessage".into(),
                status: 503
            }),
            SendError::Transient("Slack answered HTTP 503; will try again".into())
        );
        assert!(matches!(
            send_error(&ApiError::Unreachable {
                method: "chat.postMessage".into(),
                detail: "no answer within 30 s".into()
            }),
            SendError::Transient(_)
        ));
        assert!(matches!(
            send_error(&ApiError::Status {
                method: "chat.postMessage".into(),
                status: 404
            }),
            SendError::Permanent(_)
        ));
    }
}
