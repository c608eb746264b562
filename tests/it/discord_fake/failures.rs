//! Failures on demand: the next N requests matching a route answer a 429, a 5xx or a Discord
//! JSON error, with the body and headers Discord sends.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::recording::route_matches;
use super::rest::Reply;
use super::wire;

/// How a request fails.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// 429 with `{"message", "retry_after", "global": false}` (no `code`, like Discord's route
    /// limits) and `Retry-After` / `X-RateLimit-*` headers.
    RateLimited { retry_after: f64 },
    /// A 5xx with `{"message": "500: Internal Server Error", "code": 0}`.
    ServerError { status: u16 },
    /// A Discord JSON error `{"message", "code"}` with this HTTP status.
    Json {
        status: u16,
        code: i64,
        message: String,
    },
}

impl Failure {
    pub fn rate_limited(retry_after_secs: f64) -> Self {
        Failure::RateLimited {
            retry_after: retry_after_secs,
        }
    }

    pub fn server_error(status: u16) -> Self {
        Failure::ServerError { status }
    }

    pub fn discord(status: u16, code: i64, message: &str) -> Self {
        Failure::Json {
            status,
            code,
            message: message.to_owned(),
        }
    }

    /// 403, 50007: the user's DMs are closed (or they share no guild with the bot).
    pub fn cannot_message_user() -> Self {
        Failure::discord(403, 50007, "Cannot send messages to this user")
    }

    /// 403, 50013.
    pub fn missing_permissions() -> Self {
        Failure::discord(403, 50013, "Missing Permissions")
    }

    /// 404, 10013.
    pub fn unknown_user() -> Self {
        Failure::discord(404, 10013, "Unknown User")
    }

    /// 404, 10007.
    pub fn unknown_member() -> Self {
        Failure::discord(404, 10007, "Unknown Member")
    }

    /// The response this failure gives.
    pub fn reply(&self) -> Reply {
        match self {
            Failure::RateLimited { retry_after } => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64());
                Reply::json(
                    429,
                    json!({
                        "message": "You are being rate limited.",
                        "retry_after": retry_after,
                        "global": false,
                    }),
                )
                .header("retry-after", &retry_after.ceil().to_string())
                .header("x-ratelimit-limit", "5")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &format!("{:.3}", now + retry_after))
                .header("x-ratelimit-reset-after", &format!("{retry_after:.3}"))
                .header("x-ratelimit-bucket", "fake0bucket0hash")
                .header("x-ratelimit-scope", "user")
            }
            Failure::ServerError { status } => Reply::json(
                *status,
                wire::error(0, &format!("{status}: Internal Server Error")),
            ),
            Failure::Json {
                status,
                code,
                message,
            } => Reply::json(*status, wire::error(*code, message)),
        }
    }
}

struct Rule {
    method: String,
    pattern: String,
    remaining: usize,
    failure: Failure,
}

/// The pending failures, consumed in the order they were added.
pub struct Failures {
    rules: Mutex<Vec<Rule>>,
}

impl Failures {
    pub fn new() -> Self {
        Failures {
            rules: Mutex::new(Vec::new()),
        }
    }

    pub fn add(&self, method: &str, pattern: &str, count: usize, failure: Failure) {
        let rule = Rule {
            method: method.to_owned(),
            pattern: pattern.to_owned(),
            remaining: count,
            failure,
        };
        self.rules.lock().unwrap().push(rule);
    }

    /// The failure for this request, if one is pending (using it up).
    pub fn take(&self, method: &str, path: &str) -> Option<Failure> {
        let mut rules = self.rules.lock().unwrap();
        let index = rules.iter().position(|rule| {
            rule.remaining > 0
                && (rule.method == "*" || rule.method.eq_ignore_ascii_case(method))
                && route_matches(&rule.pattern, path)
        })?;
        rules[index].remaining -= 1;
        let failure = rules[index].failure.clone();
        rules.retain(|rule| rule.remaining > 0);
        Some(failure)
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }
}
