//! Faults on demand (the next N requests under a path prefix) and the rate limit.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How a request fails instead of being answered.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// HTTP 429 with the envelope `code` 36009002.
    RateLimited,
    /// This HTTP status (500, 503...) with a plain-text body (no envelope), as a gateway
    /// answers an outage.
    Server(u16),
    /// HTTP 200, `code` 105002 (access token expired) for this request only; the token keeps
    /// working.
    ExpiredToken,
    /// Holds the request this long, then handles it normally (for client timeouts).
    Hang(Duration),
    /// HTTP 200 with a body that is not JSON.
    Malformed,
}

struct Rule {
    prefix: String,
    remaining: usize,
    fault: Fault,
}

/// The pending faults, used in the order they were added.
pub struct Faults {
    rules: Mutex<Vec<Rule>>,
}

impl Faults {
    pub fn new() -> Self {
        Faults {
            rules: Mutex::new(Vec::new()),
        }
    }

    pub fn add(&self, prefix: &str, count: usize, fault: Fault) {
        if count > 0 {
            self.rules.lock().unwrap().push(Rule {
                prefix: prefix.to_owned(),
                remaining: count,
                fault,
            });
        }
    }

    /// The fault for a request to `path`, if one is pending (using it up).
    pub fn take(&self, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap();
        let index = rules.iter().position(|r| path.starts_with(&r.prefix))?;
        rules[index].remaining -= 1;
        let fault = rules[index].fault.clone();
        rules.retain(|r| r.remaining > 0);
        Some(fault)
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }
}

/// A sliding one-second window over the API host's admitted requests: a request is refused
/// when `limit` requests were admitted in the second before it (refused ones do not count).
pub struct RateLimit {
    state: Mutex<(Option<u32>, VecDeque<Instant>)>,
}

impl RateLimit {
    pub fn new() -> Self {
        RateLimit {
            state: Mutex::new((None, VecDeque::new())),
        }
    }

    pub fn set(&self, per_second: Option<u32>) {
        let mut state = self.state.lock().unwrap();
        *state = (per_second, VecDeque::new());
    }

    /// Whether a request arriving `at` is admitted (and counts it when it is).
    pub fn admit(&self, at: Instant) -> bool {
        let mut state = self.state.lock().unwrap();
        let Some(limit) = state.0 else {
            return true;
        };
        let window = &mut state.1;
        while window
            .front()
            .is_some_and(|t| at.saturating_duration_since(*t) >= Duration::from_secs(1))
        {
            window.pop_front();
        }
        if window.len() >= limit as usize {
            return false;
        }
        window.push_back(at);
        true
    }
}
