//! What the fake saw: every request, recorded on arrival and completed with its outcome.

use std::sync::Mutex;
use std::time::Instant;

/// One HTTP request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedCall {
    /// Arrival order, from 0.
    pub seq: usize,
    /// When the request reached the fake (before its body was read).
    pub at: Instant,
    /// `GET`, `POST`...
    pub method: String,
    /// The path without the query (`/affiliate_seller/202410/orders/search`).
    pub path: String,
    /// The query parameters in order, percent-decoded.
    pub query: Vec<(String, String)>,
    /// The body as text (lossy UTF-8).
    pub body: String,
    /// The `x-tts-access-token` header.
    pub token: Option<String>,
    /// HTTP status answered; 0 while the request is being handled (or held by a hang).
    pub status: u16,
    /// The envelope's `code`; `None` until answered, or when the answer was not an envelope
    /// (a plain 5xx, a malformed body).
    pub code: Option<i64>,
}

impl RecordedCall {
    /// The first query parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Answered with code 0.
    pub fn ok(&self) -> bool {
        self.code == Some(0)
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

    /// Records how call `seq` was answered.
    pub fn answered(&self, seq: usize, status: u16, code: Option<i64>) {
        let mut log = self.log.lock().unwrap();
        if let Some(call) = log.get_mut(seq) {
            call.status = status;
            call.code = code;
        }
    }

    pub fn all(&self) -> Vec<RecordedCall> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    pub fn matching(&self, predicate: impl Fn(&RecordedCall) -> bool) -> Vec<RecordedCall> {
        let log = self.log.lock().unwrap();
        log.iter().filter(|c| predicate(c)).cloned().collect()
    }
}
