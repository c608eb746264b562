//! The fake Slack's mutable world: the workspace as the bot's calls changed it, the messages
//! posted, DM channels opened, files uploaded or hosted, and response_urls handed out.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

/// What a file name keeps unescaped in a URL path.
const URL_UNSAFE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

use super::model::FakeWorkspace;

/// A message the bot posted (`chat.postMessage`, `chat.postEphemeral`, or the share message of
/// `files.completeUploadExternal`).
#[derive(Clone, Debug, PartialEq)]
pub struct PostedMessage {
    /// The channel id it landed in (`D...` for DMs, also when posted to a user id).
    pub channel: String,
    /// Its `ts` (for an ephemeral message, the `message_ts` answered).
    pub ts: String,
    pub text: Option<String>,
    /// The `blocks` as sent (a JSON array; a form-encoded JSON string is parsed).
    pub blocks: Option<Value>,
    pub thread_ts: Option<String>,
    /// `chat.postEphemeral`: the only user who sees it.
    pub ephemeral_to: Option<String>,
    /// Ids of files shared with it.
    pub files: Vec<String>,
    /// Every parameter of the call.
    pub params: Value,
    pub at: Instant,
}

/// A file the bot uploaded with `files.getUploadURLExternal` + POST + `completeUploadExternal`.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadedFile {
    /// `F...`
    pub id: String,
    pub filename: String,
    /// The `length` given to `files.getUploadURLExternal`.
    pub declared_length: usize,
    /// What was POSTed to the upload URL (`None` until then).
    pub bytes: Option<Vec<u8>>,
    /// Set by `files.completeUploadExternal`.
    pub completed: bool,
    pub title: Option<String>,
    /// Where `files.completeUploadExternal` shared it (`channel_id` or `channels`).
    pub shared_to: Vec<String>,
    pub initial_comment: Option<String>,
}

/// Bytes served under `/files-pri/{key}` to the bot token only.
#[derive(Clone, Debug, PartialEq)]
pub struct HostedFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One POST to a response_url.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponsePost {
    pub at: Instant,
    /// The JSON body (`Value::Null` if it was not JSON).
    pub body: Value,
}

/// A response_url the fake handed out with a slash command or an interaction.
#[derive(Clone, Debug)]
pub struct ResponseUrl {
    /// The command (`/kpi`) or `interactive`.
    pub command: String,
    pub posts: Vec<ResponsePost>,
}

pub struct World {
    pub workspace: FakeWorkspace,
    pub base_url: String,
    pub messages: Vec<PostedMessage>,
    /// User id → DM channel id, for DMs the bot opened or posted to, or the user wrote in.
    pub dms: BTreeMap<String, String>,
    pub uploads: Vec<UploadedFile>,
    /// Key (the path after `/files-pri/`) → file.
    pub hosted: BTreeMap<String, HostedFile>,
    /// Upload key (the path after `/upload/v1/`) → file id.
    pub upload_keys: BTreeMap<String, String>,
    /// Response-url id → what was posted to it.
    pub response_urls: BTreeMap<u64, ResponseUrl>,
    next_id: u64,
    last_ts_micros: u64,
}

impl World {
    pub fn new(workspace: FakeWorkspace, base_url: String) -> Self {
        World {
            workspace,
            base_url,
            messages: Vec::new(),
            dms: BTreeMap::new(),
            uploads: Vec::new(),
            hosted: BTreeMap::new(),
            upload_keys: BTreeMap::new(),
            response_urls: BTreeMap::new(),
            next_id: 0,
            last_ts_micros: 0,
        }
    }

    /// A new number, unique in this fake.
    pub fn next_number(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A new Slack-looking id: `prefix` + 8 upper-case hex digits (`C0000000A`).
    pub fn new_id(&mut self, prefix: char) -> String {
        format!("{prefix}{:08X}", self.next_number())
    }

    /// A message timestamp (`"1700000000.000100"`): the clock's microseconds, strictly increasing.
    pub fn next_ts(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        self.last_ts_micros = now.max(self.last_ts_micros + 1);
        format!(
            "{}.{:06}",
            self.last_ts_micros / 1_000_000,
            self.last_ts_micros % 1_000_000
        )
    }

    /// Registers a response_url for `command`; returns `(id, url)`.
    pub fn new_response_url(&mut self, command: &str) -> (u64, String) {
        let id = self.next_number();
        self.response_urls.insert(
            id,
            ResponseUrl {
                command: command.to_owned(),
                posts: Vec::new(),
            },
        );
        (id, format!("{}/commands/{id}", self.base_url))
    }

    /// Serves `bytes` at `/files-pri/{team}-{file_id}/{name}`; returns the download URL.
    pub fn host(
        &mut self,
        file_id: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> String {
        let key = format!("{}-{file_id}/{name}", self.workspace.team_id);
        self.hosted.insert(
            key.clone(),
            HostedFile {
                content_type: content_type.to_owned(),
                bytes,
            },
        );
        let encoded = utf8_percent_encode(name, URL_UNSAFE);
        format!(
            "{}/files-pri/{}-{file_id}/{encoded}",
            self.base_url, self.workspace.team_id
        )
    }
}
