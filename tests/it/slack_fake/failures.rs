//! Failures on demand: the next N calls of a Web API method (optionally only those with a given
//! parameter value) answer a rate limit, a 5xx, a Slack error, or hang.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;

/// How a call fails.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// HTTP 429, `Retry-After: {retry_after_secs}`, `{"ok":false,"error":"ratelimited"}`.
    RateLimited { retry_after_secs: u64 },
    /// This HTTP status (5xx) with a plain-text body, as Slack's edge answers an outage.
    Server(u16),
    /// HTTP 200 `{"ok":false,"error":"<this>"}`.
    Error(String),
    /// HTTP 200 `{"ok":false,"error":"missing_scope","needed":"<this>","provided":...}`, as
    /// Slack names the scope the app lacks.
    MissingScope(String),
    /// Holds the request this long before handling it normally (for client timeouts). The call
    /// is recorded on arrival with status 0; its side effects happen after the wait, if the
    /// client is still there.
    Hang(Duration),
}

impl Failure {
    /// [`Failure::Error`] with this Slack error code.
    pub fn error(code: &str) -> Self {
        Failure::Error(code.to_owned())
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Failure::RateLimited { retry_after_secs }
    }
}

struct Rule {
    method: String,
    /// Only calls whose parameter `.0` is `.1`.
    scope: Option<(String, String)>,
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

    pub fn add(&self, method: &str, scope: Option<(&str, &str)>, count: usize, failure: Failure) {
        self.rules.lock().unwrap().push(Rule {
            method: method.to_owned(),
            scope: scope.map(|(k, v)| (k.to_owned(), v.to_owned())),
            remaining: count,
            failure,
        });
    }

    /// The failure for this call, if one is pending (using it up).
    pub fn take(&self, method: &str, params: &Value) -> Option<Failure> {
        let mut rules = self.rules.lock().unwrap();
        let index = rules.iter().position(|rule| {
            rule.remaining > 0
                && (rule.method == "*" || rule.method == method)
                && rule
                    .scope
                    .as_ref()
                    .is_none_or(|(key, value)| param_has(params, key, value))
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

/// Whether `params[key]` is `value`, or a list (JSON array or comma-separated) containing it.
fn param_has(params: &Value, key: &str, value: &str) -> bool {
    match params.get(key) {
        Some(Value::String(s)) => s == value || s.split(',').any(|part| part.trim() == value),
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(value)),
        _ => false,
    }
}
