//! A fake Discord on 127.0.0.1:0 that speaks the real wire protocol (REST under `/api/v10`, the
//! gateway websocket at `/gateway`), so the real serenity/poise client code runs against it.
//!
//! ```ignore
//! let fake = FakeDiscord::start(FakeGuild::new(GUILD, "glow")).await;
//! let http = HttpBuilder::new("token").proxy(fake.api_url()).ratelimiter_disabled(true).build();
//! // ... start a serenity Client with that Http; then:
//! assert!(fake.wait_connected(PATIENCE).await);
//! let run = fake.interaction_command(GUILD, &member, "stats", json!([]), None);
//! let callback = run.callback(PATIENCE).await.expect("the bot answered");
//! ```
//!
//! - Model: one or more [`FakeGuild`]s (roles with positions and permissions, channels with
//!   overwrites, members), the bot ([`BOT_USER_ID`], [`APPLICATION_ID`]); REST calls change it
//!   and check the bot's permissions and role hierarchy as Discord does.
//! - Recording: every HTTP request ([`RecordedRequest`]), with [`FakeDiscord::wait_for`].
//! - Failures: [`FakeDiscord::fail_next`] with a [`Failure`] (429, 5xx, Discord JSON errors).
//! - Gateway: Identify/READY/GUILD_CREATE, heartbeats, Resume; [`FakeDiscord::push_event`],
//!   [`FakeDiscord::drop_connections`], [`FakeDiscord::refuse_connections`],
//!   [`FakeDiscord::hold_connections`].
//! - Users: [`FakeDiscord::interaction_command`] and friends, [`FakeDiscord::member_join`].
//!
//! Stops when dropped.

// An API for other tests: not every part is used by every test.
#![allow(dead_code)]

mod failures;
mod gateway;
mod guild_routes;
mod interactions;
mod message_routes;
mod model;
mod recording;
mod rest;
mod state;
pub mod wire;

mod tests;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use serde_json::Value;
use tokio::sync::watch;

// The API other tests use; this module's own tests do not need every name.
#[allow(unused_imports)]
pub use failures::Failure;
#[allow(unused_imports)]
pub use gateway::GatewayStats;
#[allow(unused_imports)]
pub use interactions::{InteractionHandle, InteractionKind, InteractionSpec, PreparedInteraction};
#[allow(unused_imports)]
pub use model::{
    APPLICATION_ID, BOT_NAME, BOT_USER_ID, CHANNEL_CATEGORY, CHANNEL_TEXT, FakeChannel, FakeGuild,
    FakeMember, FakeOverwrite, FakeRole, FakeUser, OWNER_USER_ID, OverwriteKind,
    default_bot_permissions, default_everyone_permissions, next_snowflake,
};
#[allow(unused_imports)]
pub use recording::{RecordedBody, RecordedFile, RecordedRequest, route_matches};

use failures::Failures;
use gateway::Gateway;
use recording::{Changes, Recorder};
use state::World;

/// What the server's tasks share.
pub(crate) struct Shared {
    world: Mutex<World>,
    recorder: Recorder,
    failures: Failures,
    gateway: Gateway,
    changes: Changes,
    shutdown: watch::Sender<bool>,
    base_url: String,
}

/// Options for [`FakeDiscord::builder`].
pub struct FakeDiscordBuilder {
    guilds: Vec<FakeGuild>,
    heartbeat_interval: Duration,
    interaction_deadline: Duration,
}

impl FakeDiscordBuilder {
    pub fn guild(mut self, guild: FakeGuild) -> Self {
        self.guilds.push(guild);
        self
    }

    /// The Hello's `heartbeat_interval` (Discord's 41.25 s by default).
    pub fn heartbeat_interval(mut self, interval: Duration) -> Self {
        self.heartbeat_interval = interval;
        self
    }

    /// How long after INTERACTION_CREATE the callback is accepted (Discord: 3 s).
    pub fn interaction_deadline(mut self, deadline: Duration) -> Self {
        self.interaction_deadline = deadline;
        self
    }

    /// Binds 127.0.0.1:0 and serves until the [`FakeDiscord`] is dropped.
    pub async fn start(self) -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(
                base_url.clone(),
                self.guilds,
                self.interaction_deadline,
            )),
            recorder: Recorder::new(),
            failures: Failures::new(),
            gateway: Gateway::new(&base_url, self.heartbeat_interval),
            changes: Changes::new(),
            shutdown: watch::channel(false).0,
            base_url,
        });
        let app = Router::new()
            .route("/gateway", get(gateway::upgrade))
            .fallback(rest::handle)
            .layer(DefaultBodyLimit::max(rest::BODY_LIMIT))
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
        FakeDiscord { shared }
    }
}

/// A running fake Discord. See the module documentation.
pub struct FakeDiscord {
    shared: Arc<Shared>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl FakeDiscord {
    pub fn builder() -> FakeDiscordBuilder {
        FakeDiscordBuilder {
            guilds: Vec::new(),
            heartbeat_interval: Duration::from_millis(41_250),
            interaction_deadline: Duration::from_secs(3),
        }
    }

    /// A fake with one guild and the default options.
    pub async fn start(guild: FakeGuild) -> FakeDiscord {
        FakeDiscord::builder().guild(guild).start().await
    }

    /// `http://127.0.0.1:PORT`: give it to `HttpBuilder::proxy` (requests arrive as
    /// `/api/v10/...`).
    pub fn api_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// `ws://127.0.0.1:PORT/gateway`, what `GET /gateway` answers.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway.url().to_owned()
    }

    // ---- the model ----

    /// The guild as it stands now (after the bot's REST calls).
    pub fn guild(&self, guild_id: u64) -> Option<FakeGuild> {
        self.shared.world.lock().unwrap().guild(guild_id).cloned()
    }

    /// Changes the model mid-test (permissions, members, channels...).
    pub fn update_guild(&self, guild_id: u64, change: impl FnOnce(&mut FakeGuild)) {
        let mut world = self.shared.world.lock().unwrap();
        change(
            world
                .guild_mut(guild_id)
                .expect("update_guild: no such guild in the fake"),
        );
    }

    pub fn member(&self, guild_id: u64, user_id: u64) -> Option<FakeMember> {
        self.guild(guild_id)
            .and_then(|g| g.find_member(user_id).cloned())
    }

    /// A member's role ids now (empty when not a member).
    pub fn member_roles(&self, guild_id: u64, user_id: u64) -> Vec<u64> {
        self.member(guild_id, user_id)
            .map(|m| m.roles)
            .unwrap_or_default()
    }

    /// Opens or closes a user's DMs (closed: sending to them answers 403 / 50007).
    pub fn set_dms_open(&self, user_id: u64, open: bool) {
        self.shared
            .world
            .lock()
            .unwrap()
            .set_dms_open(user_id, open);
    }

    /// The DM channel the bot opened with a user, if it did.
    pub fn dm_channel_of(&self, user_id: u64) -> Option<u64> {
        self.shared
            .world
            .lock()
            .unwrap()
            .dm_channels
            .get(&user_id)
            .copied()
    }

    /// Messages created in a channel (not interaction responses), oldest first.
    pub fn messages_in(&self, channel_id: u64) -> Vec<Value> {
        let world = self.shared.world.lock().unwrap();
        world
            .messages
            .iter()
            .filter(|m| m.channel_id == channel_id)
            .map(|m| m.message.clone())
            .collect()
    }

    /// Every message created (not interaction responses), oldest first, with its channel id.
    pub fn messages(&self) -> Vec<(u64, Value)> {
        let world = self.shared.world.lock().unwrap();
        world
            .messages
            .iter()
            .map(|m| (m.channel_id, m.message.clone()))
            .collect()
    }

    /// Messages the bot sent to a user's DMs, oldest first.
    pub fn dms_to(&self, user_id: u64) -> Vec<Value> {
        self.dm_channel_of(user_id)
            .map(|c| self.messages_in(c))
            .unwrap_or_default()
    }

    /// The commands last bulk-overwritten in a guild, as the fake answered them.
    pub fn commands(&self, guild_id: u64) -> Vec<Value> {
        self.shared
            .world
            .lock()
            .unwrap()
            .commands
            .get(&guild_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Makes the next `enforce_nonce` send create a new message even with a used nonce (as if
    /// Discord's few-minute window had passed).
    pub fn forget_nonces(&self) {
        self.shared.world.lock().unwrap().nonces.clear();
    }

    /// Serves bytes at `GET /attachments/{key}`; returns the URL.
    pub fn serve_file(&self, key: &str, content_type: &str, bytes: Vec<u8>) -> String {
        self.shared
            .world
            .lock()
            .unwrap()
            .serve(key, content_type, bytes)
    }

    /// Serves an upload and returns its complete attachment object (its `url` on the fake), for
    /// an interaction's `resolved.attachments` (keyed by the object's `id`).
    pub fn attachment(&self, filename: &str, content_type: &str, bytes: Vec<u8>) -> Value {
        let mut world = self.shared.world.lock().unwrap();
        let id = next_snowflake();
        let key = format!("{id}/{filename}");
        let size = bytes.len();
        world.serve(&key, content_type, bytes);
        world.attachment_object(id, filename, content_type, size, &key, Value::Null)
    }

    /// Changes how long after INTERACTION_CREATE a callback is accepted (for interactions
    /// answered from now on).
    pub fn set_interaction_deadline(&self, deadline: Duration) {
        self.shared.world.lock().unwrap().interaction_deadline = deadline;
    }

    // ---- recording ----

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.all()
    }

    /// Requests for `method` on paths matching `pattern` (`/channels/*/messages`).
    pub fn requests_to(&self, method: &str, pattern: &str) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| r.is(method, pattern))
            .collect()
    }

    /// Requests for routes the fake does not have (it answered 404).
    pub fn unknown_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| !r.known_route)
            .collect()
    }

    /// The first request (already recorded or still to come) matching `predicate`; `None` after
    /// `timeout`.
    pub async fn wait_for(
        &self,
        mut predicate: impl FnMut(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        self.shared
            .changes
            .wait(timeout, || self.shared.recorder.find(&mut predicate))
            .await
    }

    /// [`Self::wait_for`] a request for `method` on a path matching `pattern`.
    pub async fn wait_for_request(
        &self,
        method: &str,
        pattern: &str,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        self.wait_for(|r| r.is(method, pattern), timeout).await
    }

    // ---- failures ----

    /// The next `count` requests for `method` (`"*"`: any) on paths matching `pattern` answer
    /// `failure` instead of being handled. Rules apply in the order added.
    pub fn fail_next(&self, method: &str, pattern: &str, count: usize, failure: Failure) {
        self.shared.failures.add(method, pattern, count, failure);
    }

    pub fn clear_failures(&self) {
        self.shared.failures.clear();
    }

    // ---- the gateway ----

    /// Sends dispatch `name` with `data` to every session (live ones now, disconnected ones on
    /// Resume); returns how many live sessions it was sent to.
    pub fn push_event(&self, name: &str, data: Value) -> usize {
        self.shared.gateway.dispatch(name, data, 0)
    }

    /// Closes every gateway connection with 4000; the sessions stay resumable.
    pub fn drop_connections(&self) {
        self.shared.gateway.drop_connections();
    }

    /// Sends op 9 (invalid session, not resumable) and forgets every session.
    pub fn invalidate_sessions(&self) {
        self.shared.gateway.invalidate_sessions();
    }

    /// Answers new gateway connections with HTTP 503 for `duration` ("gateway down"), or
    /// until [`Self::accept_connections`]; open connections stay (call
    /// [`Self::drop_connections`] too for an outage).
    pub fn refuse_connections(&self, duration: Duration) {
        self.shared.gateway.refuse_for(duration);
    }

    /// New gateway connections wait, unanswered, until [`Self::release_connections`]: what
    /// happens while a client is away (events to replay on Resume) becomes deterministic.
    pub fn hold_connections(&self) {
        self.shared.gateway.hold();
    }

    pub fn release_connections(&self) {
        self.shared.gateway.release();
    }

    /// Ends [`Self::refuse_connections`] early.
    pub fn accept_connections(&self) {
        self.shared.gateway.accept();
    }

    pub fn gateway_stats(&self) -> GatewayStats {
        self.shared.gateway.stats()
    }

    pub fn identify_count(&self) -> usize {
        self.gateway_stats().identifies
    }

    pub fn resume_count(&self) -> usize {
        self.gateway_stats().resumes
    }

    /// Whether a session is attached to an open connection.
    pub fn is_connected(&self) -> bool {
        self.gateway_stats().live_sessions > 0
    }

    /// The intents each Identify asked for, in order.
    pub fn identified_intents(&self) -> Vec<u64> {
        self.gateway_stats().intents
    }

    /// Frames clients sent other than heartbeats (Identify, Resume, presence updates...).
    pub fn gateway_frames(&self) -> Vec<Value> {
        self.shared.gateway.received()
    }

    /// Waits until `condition` holds for the gateway's stats; false after `timeout`.
    pub async fn wait_gateway(
        &self,
        mut condition: impl FnMut(&GatewayStats) -> bool,
        timeout: Duration,
    ) -> bool {
        let check = || condition(&self.shared.gateway.stats()).then_some(());
        self.shared.changes.wait(timeout, check).await.is_some()
    }

    /// Waits until a session is live (READY and GUILD_CREATEs sent); false after `timeout`.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        self.wait_gateway(|s| s.live_sessions > 0, timeout).await
    }
}
