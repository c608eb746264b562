//! A fake Slack on 127.0.0.1:0 that speaks the real wire protocol (the Web API under `/api`,
//! Socket Mode websockets, file upload/download hosts, response_urls), so slack-morphism's
//! hyper client and Socket Mode listener run against it unchanged.
//!
//! ```ignore
//! let fake = FakeSlack::start(
//!     FakeWorkspace::new()
//!         .user(FakeUser::new("U0MAYA", "maya"))
//!         .channel(FakeChannel::public("C0GEN", "general").with_bot().members(["U0MAYA"])),
//! ).await;
//! let connector = SlackClientHyperConnector::with_connector(HttpConnector::new())
//!     .with_slack_api_url(&fake.api_url());          // "http://127.0.0.1:PORT/api", no slash
//! // ... start the adapter with BOT_TOKEN / APP_TOKEN, then:
//! assert!(fake.wait_connected(1, PATIENCE).await);
//! let run = fake.slash_command("U0MAYA", "/kpi", "30d");
//! let ack = run.ack(PATIENCE).await.expect("acked");       // ack.payload: the immediate reply
//! let reply = run.response(PATIENCE).await.expect("answered through the response_url");
//! ```
//!
//! # Model ([`FakeWorkspace`], [`FakeUser`], [`FakeChannel`])
//! Team [`TEAM_ID`] (`glow`), bot user [`BOT_USER_ID`], bot [`BOT_ID`], app [`APP_ID`]; tokens
//! [`BOT_TOKEN`] (`xoxb-`, every Web API method) and [`APP_TOKEN`] (`xapp-`, only
//! `apps.connections.open` and `auth.test`). The bot is in a channel when [`BOT_USER_ID`] is among
//! its `members` ([`FakeChannel::with_bot`]). DM channel ids are stable: `D` + the user id
//! without its `U` ([`dm_channel_id`]). Calls change the model; read it back with
//! [`FakeSlack::workspace`], [`FakeSlack::members`], [`FakeSlack::channel_by_name`]; change it
//! mid-test with [`FakeSlack::update_workspace`].
//!
//! # Web API (`POST`/`GET /api/{method}`; query, form and JSON bodies alike)
//! Token in `Authorization: Bearer` or a `token` parameter: none → `not_authed`, unknown →
//! `invalid_auth`, the wrong kind → `not_allowed_token_type` (all HTTP 200 with `ok: false`, as
//! Slack does). Unknown methods: HTTP 404 `unknown_method`. Methods and their errors:
//! - `auth.test`; `apps.connections.open` (→ `ws://…/socket?ticket=…&app_id=…`, single use);
//!   `users.info` (`user_not_found`).
//! - `conversations.list` (`types`, `exclude_archived`, `limit`, `cursor`; private channels only
//!   when the bot is in them; `im` lists opened DMs; `next_cursor` is `""` on the last page),
//!   `conversations.create` (`name_taken`, `invalid_name_specials`, `invalid_name_required`,
//!   `invalid_name_maxlength`; the bot becomes a member), `conversations.join`
//!   (`method_not_supported_for_channel_type` for private, `is_archived`, warning
//!   `already_in_channel`), `conversations.info`, `conversations.members` (paginated),
//!   `conversations.invite` (`users` as a JSON array or comma-separated; `not_in_channel` when the
//!   bot is not in it, `already_in_channel`, `user_not_found`, `cant_invite_self`, `cant_invite`
//!   for deactivated users, `is_archived`; all or nothing), `conversations.kick`
//!   (`not_in_channel` when the user or the bot is not in it, `cant_kick_self`,
//!   `cant_kick_from_general`), `conversations.open` (1:1 only: `user_not_found`,
//!   `cannot_dm_bot`, `account_inactive`; `already_open` on later calls). A private channel the
//!   bot is not in is `channel_not_found` everywhere.
//! - `chat.postMessage` (`channel` = a channel id, a `D` id, a user id (→ their DM, answered
//!   with the `D` id), or `#name`; `channel_not_found`, `not_in_channel`, `is_archived`,
//!   `no_text`, `msg_too_long` (> 40,000 chars), `invalid_blocks` (> 50 blocks, a section's
//!   text > 3,000 chars or > 10 fields)); `chat.postEphemeral` (`user_not_in_channel`).
//! - Files out: `files.getUploadURLExternal` (`filename`, `length` → `upload_url`
//!   `/upload/v1/{key}` and `file_id`), POST the bytes there (raw or multipart; answers
//!   `OK - {n}`), `files.completeUploadExternal` (`files` = `[{id, title}]`, optional
//!   `channel_id`/`channels`; `file_not_found` when the bytes never arrived). Shared files also
//!   appear as a message in the channel ([`PostedMessage::files`]); [`FakeSlack::uploads`].
//! - Files in: [`FakeSlack::user_file`] hosts bytes at `/files-pri/{team}-{id}/{name}`, served
//!   only with `Authorization: Bearer <bot token>`; without it: 302 to `/signin`, a 200 HTML
//!   page (a client following redirects gets HTML, not the file — as with real Slack).
//! - response_urls (`/commands/{n}`): POSTed JSON is recorded per command; answers `200 ok`;
//!   404 `used_url` after 5 posts; 400 `invalid_payload` for non-JSON.
//!
//! # Recording and failures
//! Every HTTP request is a [`RecordedCall`] (`method` = the Web API method, or the path for
//! uploads/downloads/response_urls; `params` merged from query/form/JSON; [`TokenKind`]; `at`).
//! [`FakeSlack::calls`], [`FakeSlack::wait_for`], [`FakeSlack::wait_for_call`],
//! [`FakeSlack::messages_in`], [`FakeSlack::dms_to`], [`FakeSlack::responses`].
//! [`FakeSlack::fail_next`] / [`FakeSlack::fail_next_where`] (scoped to a parameter value) with
//! a [`Failure`]: `RateLimited` (429 + `Retry-After`, `error: ratelimited`), `Server(5xx)`,
//! `Error(code)`, `Hang(d)`.
//!
//! # Socket Mode
//! Each connection gets `hello` (`num_connections` = connections open now). Pushed envelopes go
//! round-robin over open connections (oldest first), or wait until one opens. The pushers
//! return an [`EnvelopeHandle`]: `ack(timeout)` / `response(timeout)` / `delivery()` with
//! `Instant`s (`ack_latency()` for benchmarks). Pushers: [`FakeSlack::slash_command`],
//! [`FakeSlack::push_slash_command`] ([`SlashCommand`] with a channel),
//! [`FakeSlack::push_event`] (any event in a complete `event_callback`),
//! [`FakeSlack::team_join`], [`FakeSlack::member_joined_channel`], [`FakeSlack::dm_message`],
//! [`FakeSlack::dm_files`] (a DM upload: `subtype: file_share`, `channel_type: im`; either makes
//! the DM exist, so the bot may post to its `D` id),
//! [`FakeSlack::interactive`], [`FakeSlack::block_action`]. Levers:
//! [`FakeSlack::disconnect`] (a `disconnect` frame, then a close after 10 s or
//! [`FakeSlack::set_disconnect_grace`]; the client should reconnect at once),
//! [`FakeSlack::drop_connections`] (TCP closed without a close frame),
//! [`FakeSlack::refuse_connections`] (`apps.connections.open` → `internal_error`, upgrades →
//! 503), [`FakeSlack::open_connections`], [`FakeSlack::wait_connected`],
//! [`FakeSlack::socket_stats`]. Websocket pings are answered.
//! Not mimicked: redelivery of unacked envelopes (`retry_attempt` is always 0), the `warning`
//! frame before a refresh, Slack's periodic refreshes (call `disconnect` yourself).
//!
//! # HTTP mode
//! [`FakeSlack::http_slash_command`], [`FakeSlack::http_event`],
//! [`FakeSlack::http_url_verification`], [`FakeSlack::http_interaction`],
//! [`FakeSlack::http_block_action`] build the exact bodies; [`HttpPayload::sign`] /
//! [`signed_request`] sign them ([`SignedRequest`]: headers + body to tamper with, `post(url)`).
//!
//! Stops when dropped.

// An API for other tests: not every part is used by every test.
#![allow(dead_code)]

mod chat;
mod conversations;
mod envelopes;
mod failures;
mod files;
mod model;
mod payloads;
mod recording;
mod signing;
mod socket;
mod state;
mod web_api;

mod tests;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use serde_json::Value;
use tokio::sync::watch;

// The API other tests use; this module's own tests do not need every name.
#[allow(unused_imports)]
pub use envelopes::EnvelopeHandle;
#[allow(unused_imports)]
pub use failures::Failure;
#[allow(unused_imports)]
pub use model::{
    APP_ID, APP_TOKEN, BOT_ID, BOT_NAME, BOT_TOKEN, BOT_USER_ID, FakeChannel, FakeUser,
    FakeWorkspace, TEAM_DOMAIN, TEAM_ID, TEAM_NAME, VERIFICATION_TOKEN, dm_channel_id,
};
#[allow(unused_imports)]
pub use payloads::SlashCommand;
#[allow(unused_imports)]
pub use recording::{RecordedCall, TokenKind};
#[allow(unused_imports)]
pub use signing::{
    FORM, HttpPayload, JSON, SIGNATURE_HEADER, SignedRequest, TIMESTAMP_HEADER, form_encode,
    form_fields, signature, signed_request,
};
#[allow(unused_imports)]
pub use socket::{Ack, Delivery, SocketStats};
#[allow(unused_imports)]
pub use state::{PostedMessage, ResponsePost, UploadedFile};

use failures::Failures;
use recording::{Changes, Recorder};
use socket::Socket;
use state::World;

/// What the server's tasks share.
pub(crate) struct Shared {
    world: Mutex<World>,
    recorder: Recorder,
    failures: Failures,
    socket: Socket,
    changes: Changes,
    shutdown: watch::Sender<bool>,
    /// `http://127.0.0.1:PORT`
    base_url: String,
}

/// A running fake Slack. See the module documentation.
pub struct FakeSlack {
    shared: Arc<Shared>,
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl FakeSlack {
    /// Binds 127.0.0.1:0 and serves `workspace` until dropped.
    pub async fn start(workspace: FakeWorkspace) -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let socket = Socket::new(&base_url, &workspace.app_id);
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(workspace, base_url.clone())),
            recorder: Recorder::new(),
            failures: Failures::new(),
            socket,
            changes: Changes::new(),
            shutdown: watch::channel(false).0,
            base_url,
        });
        let app = Router::new()
            .route("/api/{method}", any(web_api::handle))
            .route("/socket", get(socket::upgrade))
            .route("/upload/v1/{key}", post(files::upload))
            .route("/files-pri/{*key}", get(files::download))
            .route("/signin", get(files::signin))
            .route("/commands/{id}", post(envelopes::response_url))
            .layer(DefaultBodyLimit::max(web_api::BODY_LIMIT))
            .with_state(Arc::clone(&shared));
        let mut stop = shared.shutdown.subscribe();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        FakeSlack { shared }
    }

    /// `http://127.0.0.1:PORT/api` (no trailing slash): give it to
    /// `SlackClientHyperConnector::with_slack_api_url`.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.shared.base_url)
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    // ---- the model ----

    /// The workspace as it stands now (after the bot's calls).
    pub fn workspace(&self) -> FakeWorkspace {
        self.shared.world.lock().unwrap().workspace.clone()
    }

    /// Changes the model mid-test (users, channels, memberships...).
    pub fn update_workspace(&self, change: impl FnOnce(&mut FakeWorkspace)) {
        change(&mut self.shared.world.lock().unwrap().workspace);
        self.shared.changes.bump();
    }

    pub fn channel(&self, channel_id: &str) -> Option<FakeChannel> {
        self.workspace().find_channel(channel_id).cloned()
    }

    pub fn channel_by_name(&self, name: &str) -> Option<FakeChannel> {
        self.workspace().channel_named(name).cloned()
    }

    /// A channel's member ids now (empty for an unknown channel).
    pub fn members(&self, channel_id: &str) -> Vec<String> {
        self.channel(channel_id)
            .map(|c| c.members)
            .unwrap_or_default()
    }

    /// The DM channel the bot opened (or posted to) with a user, if it did.
    pub fn dm_channel_of(&self, user_id: &str) -> Option<String> {
        self.shared.world.lock().unwrap().dms.get(user_id).cloned()
    }

    /// Every message posted (ephemeral ones included), oldest first.
    pub fn messages(&self) -> Vec<PostedMessage> {
        self.shared.world.lock().unwrap().messages.clone()
    }

    /// Messages posted in a channel (ephemeral ones included), oldest first.
    pub fn messages_in(&self, channel_id: &str) -> Vec<PostedMessage> {
        self.messages()
            .into_iter()
            .filter(|m| m.channel == channel_id)
            .collect()
    }

    /// Messages the bot sent to a user's DM, oldest first.
    pub fn dms_to(&self, user_id: &str) -> Vec<PostedMessage> {
        self.messages_in(&dm_channel_id(user_id))
    }

    /// Waits until a channel has at least `count` messages; returns them (fewer after `timeout`).
    pub async fn wait_messages(
        &self,
        channel_id: &str,
        count: usize,
        timeout: Duration,
    ) -> Vec<PostedMessage> {
        let check = || {
            let found = self.messages_in(channel_id);
            (found.len() >= count).then_some(found)
        };
        match self.shared.changes.wait(timeout, check).await {
            Some(found) => found,
            None => self.messages_in(channel_id),
        }
    }

    /// Files the bot uploaded (or started uploading), in order.
    pub fn uploads(&self) -> Vec<UploadedFile> {
        self.shared.world.lock().unwrap().uploads.clone()
    }

    /// Bodies posted to the response_urls of every `command` (`/kpi`, or `interactive`), in
    /// order.
    pub fn responses(&self, command: &str) -> Vec<Value> {
        let world = self.shared.world.lock().unwrap();
        let mut posts: Vec<&ResponsePost> = world
            .response_urls
            .values()
            .filter(|r| r.command == command)
            .flat_map(|r| r.posts.iter())
            .collect();
        posts.sort_by_key(|p| p.at);
        posts.into_iter().map(|p| p.body.clone()).collect()
    }

    // ---- recording ----

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedCall> {
        self.shared.recorder.all()
    }

    /// Calls of one Web API method (or requests to one path), in order.
    pub fn calls(&self, method: &str) -> Vec<RecordedCall> {
        self.requests()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// The first request (already recorded or still to come) matching `predicate`; `None`
    /// after `timeout`.
    pub async fn wait_for(
        &self,
        mut predicate: impl FnMut(&RecordedCall) -> bool,
        timeout: Duration,
    ) -> Option<RecordedCall> {
        self.shared
            .changes
            .wait(timeout, || self.shared.recorder.find(&mut predicate))
            .await
    }

    /// Waits for call number `n` (from 0) of `method`.
    pub async fn wait_for_call(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
    ) -> Option<RecordedCall> {
        let check = || self.calls(method).get(n).cloned();
        self.shared.changes.wait(timeout, check).await
    }

    // ---- failures ----

    /// The next call of `method` (`"*"`: any) answers `failure` instead of being handled.
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.shared.failures.add(method, None, 1, failure);
    }

    /// The next `count` calls of `method` answer `failure`.
    pub fn fail_times(&self, method: &str, count: usize, failure: Failure) {
        self.shared.failures.add(method, None, count, failure);
    }

    /// The next call of `method` whose parameter `param` is (or lists) `value` answers
    /// `failure`: e.g. `("chat.postMessage", "channel", "U0MAYA")`.
    pub fn fail_next_where(&self, method: &str, param: &str, value: &str, failure: Failure) {
        self.shared
            .failures
            .add(method, Some((param, value)), 1, failure);
    }

    pub fn clear_failures(&self) {
        self.shared.failures.clear();
    }

    // ---- Socket Mode ----

    /// Sends `{"type":"disconnect","reason":reason}` to every open connection (Slack sends
    /// `refresh_requested` before it recycles a connection) and closes them after the grace
    /// period ([`Self::set_disconnect_grace`]); returns how many got it.
    pub fn disconnect(&self, reason: &str) -> usize {
        self.shared.socket.disconnect(reason)
    }

    /// How long after [`Self::disconnect`] the fake closes the connections itself (Slack: about
    /// 10 s, the default).
    pub fn set_disconnect_grace(&self, grace: Duration) {
        self.shared.socket.set_disconnect_grace(grace);
    }

    /// Ends every connection abruptly (no close frame); returns how many.
    pub fn drop_connections(&self) -> usize {
        self.shared.socket.drop_connections()
    }

    /// Closes every connection with a websocket close frame; returns how many.
    pub fn close_connections(&self, code: u16, reason: &str) -> usize {
        self.shared.socket.close_connections(code, reason)
    }

    /// While true, `apps.connections.open` answers `internal_error` and websocket upgrades 503.
    pub fn refuse_connections(&self, refuse: bool) {
        self.shared.socket.set_refusing(refuse);
    }

    pub fn open_connections(&self) -> usize {
        self.shared.socket.stats().open
    }

    /// Open connection ids, oldest first (envelopes go round-robin in this order).
    pub fn connection_ids(&self) -> Vec<u64> {
        self.shared.socket.connection_ids()
    }

    pub fn socket_stats(&self) -> SocketStats {
        self.shared.socket.stats()
    }

    /// Frames clients sent that were not the first ack of a pushed envelope.
    pub fn socket_frames(&self) -> Vec<Value> {
        self.shared.socket.other_frames()
    }

    /// Waits until `condition` holds for the socket stats; false after `timeout`.
    pub async fn wait_socket(
        &self,
        mut condition: impl FnMut(&SocketStats) -> bool,
        timeout: Duration,
    ) -> bool {
        let check = || condition(&self.shared.socket.stats()).then_some(());
        self.shared.changes.wait(timeout, check).await.is_some()
    }

    /// Waits until at least `n` connections are open (each was sent its hello).
    pub async fn wait_connected(&self, n: usize, timeout: Duration) -> bool {
        self.wait_socket(|s| s.open >= n, timeout).await
    }
}
