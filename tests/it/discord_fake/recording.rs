//! What the fake Discord saw: every REST request in arrival order (method, path, query, selected
//! headers, JSON or multipart body, and the status it answered), and waiting for one to arrive.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::watch;

/// One REST request as the fake received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// Arrival order, from 0.
    pub seq: usize,
    /// When the request reached the fake (before its body was read).
    pub at: Instant,
    /// Upper case: `"GET"`, `"POST"`, ...
    pub method: String,
    /// `"HTTP/1.1"` or `"HTTP/2.0"`.
    pub version: String,
    /// The path without serenity's `/api/v10` prefix: `/channels/123/messages`. Paths outside
    /// the API (`/attachments/...`) are kept whole.
    pub path: String,
    /// The raw query string (serenity writes `?&key=value`), if any.
    pub query: Option<String>,
    /// Lower-case names: `authorization`, `content-type`, `user-agent`, and
    /// `x-audit-log-reason` already URL-decoded.
    pub headers: BTreeMap<String, String>,
    pub body: RecordedBody,
    /// The HTTP status the fake answered.
    pub status: u16,
    /// The JSON the fake answered, if any.
    pub response: Option<Value>,
    /// `false`: the fake has no such route (it answered Discord's 404 `{"code": 0}`).
    pub known_route: bool,
}

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordedBody {
    Empty,
    Json(Value),
    /// `multipart/form-data`: Discord's `payload_json` part, other text parts, and files.
    Multipart {
        payload_json: Option<Value>,
        fields: Vec<(String, String)>,
        files: Vec<RecordedFile>,
    },
    /// Anything else (or JSON that did not parse).
    Raw(Vec<u8>),
}

/// A file part of a multipart request (`files[n]`).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedFile {
    /// The form field: `files[0]`.
    pub field: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl RecordedRequest {
    /// The JSON the client sent: the body, or a multipart request's `payload_json`.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            RecordedBody::Json(value) => Some(value),
            RecordedBody::Multipart { payload_json, .. } => payload_json.as_ref(),
            _ => None,
        }
    }

    /// The files of a multipart request (none otherwise).
    pub fn files(&self) -> &[RecordedFile] {
        match &self.body {
            RecordedBody::Multipart { files, .. } => files,
            _ => &[],
        }
    }

    /// The `X-Audit-Log-Reason` header, URL-decoded.
    pub fn audit_log_reason(&self) -> Option<&str> {
        self.header("x-audit-log-reason")
    }

    /// A recorded header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Whether this is `method` on a path matching `pattern` (see [`route_matches`]).
    pub fn is(&self, method: &str, pattern: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && route_matches(pattern, &self.path)
    }
}

/// Whether `path` matches `pattern`, segment by segment; a pattern segment `*` or `{name}`
/// matches any one segment: `/channels/*/messages`, `/guilds/{g}/members/{u}/roles/{r}`.
pub fn route_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    pattern.len() == path.len()
        && pattern.iter().zip(&path).all(|(want, got)| {
            *want == "*" || (want.starts_with('{') && want.ends_with('}')) || want == got
        })
}

/// Decodes `%XX` escapes (and nothing else: Discord's audit-log header is percent-encoded).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A counter bumped whenever something a test may wait for happens (a request, a gateway
/// session change), so waiters re-check their condition instead of polling.
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
    log: Mutex<Log>,
}

#[derive(Default)]
struct Log {
    requests: Vec<RecordedRequest>,
    /// The requests about each interaction (by its token, a segment of their paths), so waiting
    /// for one interaction's callback does not scan the whole log at every request.
    by_token: HashMap<String, Vec<usize>>,
}

/// How the fake's interaction tokens begin ([`super::interactions`] makes them).
pub const INTERACTION_TOKEN_PREFIX: &str = "fake-interaction-token-";

impl Recorder {
    pub fn new() -> Self {
        Recorder {
            log: Mutex::new(Log::default()),
        }
    }

    /// Appends a request, numbering it.
    pub fn push(&self, mut request: RecordedRequest) {
        let mut log = self.log.lock().unwrap();
        request.seq = log.requests.len();
        if let Some(token) = request
            .path
            .split('/')
            .find(|segment| segment.starts_with(INTERACTION_TOKEN_PREFIX))
        {
            log.by_token
                .entry(token.to_owned())
                .or_default()
                .push(request.seq);
        }
        log.requests.push(request);
    }

    /// The first request about interaction `token` that `predicate` accepts.
    pub fn find_for_token(
        &self,
        token: &str,
        predicate: &mut impl FnMut(&RecordedRequest) -> bool,
    ) -> Option<RecordedRequest> {
        let log = self.log.lock().unwrap();
        log.by_token
            .get(token)?
            .iter()
            .map(|&seq| &log.requests[seq])
            .find(|r| predicate(r))
            .cloned()
    }

    pub fn all(&self) -> Vec<RecordedRequest> {
        self.log.lock().unwrap().requests.clone()
    }

    pub fn find(
        &self,
        predicate: &mut impl FnMut(&RecordedRequest) -> bool,
    ) -> Option<RecordedRequest> {
        self.log
            .lock()
            .unwrap()
            .requests
            .iter()
            .find(|r| predicate(r))
            .cloned()
    }
}
