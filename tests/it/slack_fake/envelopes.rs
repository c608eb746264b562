//! Users acting in Slack, delivered over Socket Mode: slash commands, events and interactions
//! as envelopes, each with a handle that awaits the ack and the response_url posts; and the
//! response_url endpoint itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::Response;
use serde_json::{Value, json};

use super::files::{file_json, mimetype_of, path_call, record_path};
use super::model::FakeUser;
use super::payloads::{self, SlashCommand};
use super::socket::{Ack, Delivery};
use super::state::ResponsePost;
use super::web_api::{BODY_LIMIT, Reply, token_of};
use super::{FakeSlack, Shared};

/// How many times Slack accepts posts to one response_url.
const RESPONSE_URL_USES: usize = 5;

/// An envelope the fake pushed; await the client's ack and (for commands and interactions)
/// what it posts to the response_url.
#[derive(Clone)]
pub struct EnvelopeHandle {
    pub envelope_id: String,
    /// The whole envelope as sent (`{"type", "envelope_id", "payload", ...}`).
    pub envelope: Value,
    /// When the test pushed it (it may wait for a connection; see [`Self::delivery`]).
    pub pushed: Instant,
    /// The response_url given with it, if any.
    pub response_url: Option<String>,
    response_id: Option<u64>,
    shared: Arc<Shared>,
}

impl EnvelopeHandle {
    /// `payload` of the envelope.
    pub fn payload(&self) -> &Value {
        &self.envelope["payload"]
    }

    /// Which connection it went to and when (`None` while queued for lack of a connection).
    pub fn delivery(&self) -> Option<Delivery> {
        self.shared.socket.delivery(&self.envelope_id)
    }

    /// The ack, if it has arrived.
    pub fn acked(&self) -> Option<Ack> {
        self.shared.socket.ack(&self.envelope_id)
    }

    /// Waits for the client's `{"envelope_id": ...}`; `None` after `timeout`.
    pub async fn ack(&self, timeout: Duration) -> Option<Ack> {
        self.shared.changes.wait(timeout, || self.acked()).await
    }

    /// From sending the envelope to reading its ack (for benchmarks; tests must not assert it).
    pub fn ack_latency(&self) -> Option<Duration> {
        let sent = self.delivery()?.at;
        Some(self.acked()?.at.saturating_duration_since(sent))
    }

    /// Posts to the response_url so far, oldest first.
    pub fn responses(&self) -> Vec<ResponsePost> {
        self.response_id
            .map(|id| self.shared.response_posts(id))
            .unwrap_or_default()
    }

    /// Waits for the first post to the response_url; `None` after `timeout` (or when the
    /// envelope has no response_url).
    pub async fn response(&self, timeout: Duration) -> Option<ResponsePost> {
        self.nth_response(0, timeout).await
    }

    /// Waits for post number `n` (from 0) to the response_url.
    pub async fn nth_response(&self, n: usize, timeout: Duration) -> Option<ResponsePost> {
        let id = self.response_id?;
        self.shared
            .changes
            .wait(timeout, || self.shared.response_posts(id).get(n).cloned())
            .await
    }
}

impl Shared {
    pub fn response_posts(&self, id: u64) -> Vec<ResponsePost> {
        self.world
            .lock()
            .unwrap()
            .response_urls
            .get(&id)
            .map(|r| r.posts.clone())
            .unwrap_or_default()
    }
}

impl FakeSlack {
    fn push(
        &self,
        kind: &str,
        payload: Value,
        accepts_response_payload: bool,
        response_id: Option<u64>,
    ) -> EnvelopeHandle {
        let number = self.shared.world.lock().unwrap().next_number();
        let envelope_id = format!("{number:08x}-fake-4e0d-8e0d-envelope{number:04}");
        let mut envelope = json!({
            "type": kind,
            "envelope_id": envelope_id,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        });
        if kind == "events_api" {
            envelope["retry_attempt"] = json!(0);
            envelope["retry_reason"] = json!("");
        }
        let response_url = envelope["payload"]["response_url"]
            .as_str()
            .map(str::to_owned);
        let pushed = Instant::now();
        self.shared
            .socket
            .deliver(&envelope_id, envelope.to_string());
        self.shared.changes.bump();
        EnvelopeHandle {
            envelope_id,
            envelope,
            pushed,
            response_url,
            response_id,
            shared: Arc::clone(&self.shared),
        }
    }

    /// `user_id` runs `command` (`/kpi`) with `text` in their DM with the bot.
    pub fn slash_command(&self, user_id: &str, command: &str, text: &str) -> EnvelopeHandle {
        self.push_slash_command(&SlashCommand::new(user_id, command, text))
    }

    /// A `slash_commands` envelope (`accepts_response_payload: true`).
    pub fn push_slash_command(&self, spec: &SlashCommand) -> EnvelopeHandle {
        let (fields, response_id) =
            payloads::slash_command(&mut self.shared.world.lock().unwrap(), spec);
        self.push(
            "slash_commands",
            Value::Object(fields),
            true,
            Some(response_id),
        )
    }

    /// An `events_api` envelope wrapping `event` in a complete `event_callback`.
    pub fn push_event(&self, event: Value) -> EnvelopeHandle {
        let callback = payloads::event_callback(&mut self.shared.world.lock().unwrap(), event);
        self.push("events_api", callback, false, None)
    }

    /// `user` joins the workspace (added to the model) and `team_join` is pushed.
    pub fn team_join(&self, user: FakeUser) -> EnvelopeHandle {
        let event = {
            let mut world = self.shared.world.lock().unwrap();
            world.workspace.users.retain(|u| u.id != user.id);
            world.workspace.users.push(user.clone());
            payloads::team_join(&world, &user)
        };
        self.push_event(event)
    }

    /// `user_id` joins `channel_id` (added to its members) and `member_joined_channel` is
    /// pushed.
    pub fn member_joined_channel(&self, user_id: &str, channel_id: &str) -> EnvelopeHandle {
        let event = {
            let mut world = self.shared.world.lock().unwrap();
            if let Some(channel) = world.workspace.find_channel_mut(channel_id) {
                channel.add_member(user_id);
            }
            payloads::member_joined_channel(&world, user_id, channel_id, None)
        };
        self.push_event(event)
    }

    /// `user_id` writes `text` to the bot in their DM.
    pub fn dm_message(&self, user_id: &str, text: &str) -> EnvelopeHandle {
        self.dm_files(user_id, text, Vec::new())
    }

    /// `user_id` uploads `files` (from [`FakeSlack::user_file`]) in their DM with the bot.
    pub fn dm_files(&self, user_id: &str, text: &str, files: Vec<Value>) -> EnvelopeHandle {
        let event =
            payloads::dm_message(&mut self.shared.world.lock().unwrap(), user_id, text, files);
        self.push_event(event)
    }

    /// A file `user_id` shared, hosted on the fake: returns its complete file object (`id`,
    /// `name`, `mimetype`, `size`, `url_private_download`...). Downloading needs the bot token.
    pub fn user_file(&self, user_id: &str, name: &str, bytes: Vec<u8>) -> Value {
        let mut world = self.shared.world.lock().unwrap();
        let id = world.new_id('F');
        let size = bytes.len();
        let url = world.host(&id, name, mimetype_of(name), bytes);
        file_json(&world, &id, name, name, user_id, size, &url)
    }

    /// An `interactive` envelope with this payload as is (`accepts_response_payload` false).
    pub fn interactive(&self, payload: Value) -> EnvelopeHandle {
        self.push("interactive", payload, false, None)
    }

    /// `user_id` presses a button (`action_id`, `value`) on a message in `channel_id`.
    pub fn block_action(
        &self,
        user_id: &str,
        channel_id: &str,
        action_id: &str,
        value: &str,
    ) -> EnvelopeHandle {
        let (payload, response_id) = payloads::block_action(
            &mut self.shared.world.lock().unwrap(),
            user_id,
            channel_id,
            action_id,
            value,
        );
        self.push("interactive", payload, false, Some(response_id))
    }
}

/// `POST /commands/{id}`: a response_url. JSON bodies are recorded; answers `200 ok` as Slack's
/// hooks do, 404 `used_url` after five posts, 404 `no_service` for an unknown id.
pub async fn response_url(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    request: Request,
) -> Response {
    let at = Instant::now();
    let path = request.uri().path().to_owned();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let token = token_of(
        request.headers(),
        &Value::Null,
        &shared.world.lock().unwrap(),
    );
    let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let reply = {
        let mut world = shared.world.lock().unwrap();
        match world.response_urls.get_mut(&id) {
            None => Reply::text(404, "text/html", "no_service"),
            Some(url) if url.posts.len() >= RESPONSE_URL_USES => {
                Reply::text(404, "text/html", "used_url")
            }
            Some(_) if body.is_null() => Reply::text(400, "text/html", "invalid_payload"),
            Some(url) => {
                url.posts.push(ResponsePost { at, body });
                Reply::text(200, "text/html", "ok")
            }
        }
    };
    let call = path_call(at, &path, "POST", token, content_type, bytes);
    record_path(&shared, call, &reply);
    reply.into_response()
}
