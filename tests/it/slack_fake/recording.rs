//! What the fake Slack saw: every HTTP request (Web API calls with their parameters merged from
//! the query, a form or JSON body; uploads, downloads and response_url posts by path), and
//! waiting for something to happen.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

/// Which token a request carried (`Authorization: Bearer ...` or a `token` parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// The workspace's bot token (`xoxb-`).
    Bot,
    /// The workspace's app-level token (`xapp-`).
    App,
    /// A token the workspace does not know.
    Unknown(String),
    /// No token at all.
    Missing,
}

/// One HTTP request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedCall {
    /// Arrival order, from 0.
    pub seq: usize,
    /// When the request reached the fake (before its body was read).
    pub at: Instant,
    /// The Web API method (`chat.postMessage`) for `/api/{method}`; otherwise the request path
    /// (`/upload/v1/...`, `/files-pri/...`, `/commands/1`).
    pub method: String,
    /// `GET`, `POST`, ...
    pub http_method: String,
    /// Parameters merged from the query string, a form body and a JSON object body (later
    /// ones win). Form and query values are strings; JSON keeps its types.
    pub params: Value,
    pub token: TokenKind,
    /// The request's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// HTTP status answered; 0 while a [`super::Failure::Hang`] holds the request.
    pub status: u16,
    /// The JSON answered, if it was JSON.
    pub response: Option<Value>,
    /// The raw body for non-API paths (upload bytes, response_url JSON text).
    pub body: Vec<u8>,
}

impl RecordedCall {
    /// The string parameter `name` (`None` when absent or not a string).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Value::as_str)
    }

    /// `response.ok`, false when the answer was not JSON.
    pub fn ok(&self) -> bool {
        self.response
            .as_ref()
            .and_then(|r| r["ok"].as_bool())
            .unwrap_or(false)
    }

    /// `response.error` when Slack said `ok: false`.
    pub fn error(&self) -> Option<&str> {
        self.response.as_ref().and_then(|r| r["error"].as_str())
    }
}

/// A counter bumped whenever something a test may wait for happens (a request, a connection, an
/// ack), so waiters re-check their condition instead of polling.
pub struct Changes {
    sender: watch::Sender<u64>,
}

impl Changes {
    pub fn new() -> Self {
        Changes {
            sender: watch::channel(0).0,
        }
    }

    pub fn bump(&self) {
        self.sender.send_modify(|n| *n += 1);
    }

    /// Waits until `check` gives a value, re-checking after every change; `None` on timeout.
    pub async fn wait<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut() -> Option<T>,
    ) -> Option<T> {
        let mut receiver = self.sender.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            receiver.borrow_and_update();
            if let Some(found) = check() {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, receiver.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return check(),
            }
        }
    }
}

/// The request log.
pub struct Recorder {
    log: Mutex<Vec<RecordedCall>>,
}

impl Recorder {
    pub fn new() -> Self {
        Recorder {
            log: Mutex::new(Vec::new()),
        }
    }

    /// Appends a call, numbering it; returns its number.
    pub fn push(&self, mut call: RecordedCall) -> usize {
        let mut log = self.log.lock().unwrap();
        call.seq = log.len();
        log.push(call);
        log.len() - 1
    }

    pub fn all(&self) -> Vec<RecordedCall> {
        self.log.lock().unwrap().clone()
    }

    pub fn find(&self, predicate: &mut impl FnMut(&RecordedCall) -> bool) -> Option<RecordedCall> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .find(|r| predicate(r))
            .cloned()
    }
}
