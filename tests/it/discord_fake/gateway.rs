//! The gateway websocket at `/gateway`: Hello, Identify → READY + GUILD_CREATE, heartbeat ACKs,
//! Resume (replaying what the session missed) → RESUMED, per-session sequence numbers, and the
//! test's levers: dispatch to live sessions, drop connections, invalidate sessions, refuse
//! or hold new connections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::sync::watch;

use super::Shared;
use super::model::{APPLICATION_ID, next_snowflake};
use super::wire;

/// Intent bits that decide what a session is sent.
pub const GUILDS: u64 = 1;
pub const GUILD_MEMBERS: u64 = 1 << 1;

/// What the fake's gateway has done so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GatewayStats {
    /// Websocket connections accepted.
    pub connections: usize,
    /// Connection attempts refused (while refusing).
    pub refused: usize,
    pub identifies: usize,
    pub resumes: usize,
    pub heartbeats: usize,
    /// Sessions currently attached to an open connection.
    pub live_sessions: usize,
    /// The intents of each Identify, in order.
    pub intents: Vec<u64>,
}

enum Outbound {
    Frame(String),
    Close(u16, &'static str),
}

struct Session {
    intents: u64,
    seq: u64,
    /// Every dispatch sent (or buffered while disconnected), for replay on Resume.
    sent: Vec<(u64, String)>,
    connection: Option<u64>,
}

#[derive(Default)]
struct Inner {
    connections: HashMap<u64, UnboundedSender<Outbound>>,
    sessions: HashMap<String, Session>,
    next_connection: u64,
    refuse_until: Option<Instant>,
    stats: GatewayStats,
    received: Vec<Value>,
}

pub struct Gateway {
    state: Mutex<Inner>,
    /// True while new connections wait (see [`Gateway::hold`]).
    held: watch::Sender<bool>,
    heartbeat_interval: Duration,
    /// `ws://127.0.0.1:PORT/gateway`.
    url: String,
}

impl Gateway {
    pub fn new(base_url: &str, heartbeat_interval: Duration) -> Self {
        let url = format!("{}/gateway", base_url.replacen("http://", "ws://", 1));
        Gateway {
            state: Mutex::new(Inner::default()),
            held: watch::channel(false).0,
            heartbeat_interval,
            url,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn stats(&self) -> GatewayStats {
        let state = self.state.lock().unwrap();
        let mut stats = state.stats.clone();
        stats.live_sessions = state
            .sessions
            .values()
            .filter(|s| s.connection.is_some())
            .count();
        stats
    }

    /// Frames the clients sent other than heartbeats (Identify, Resume, presence updates, ...).
    pub fn received(&self) -> Vec<Value> {
        self.state.lock().unwrap().received.clone()
    }

    /// Sends a dispatch to every session that identified with one of `intents` (0: all);
    /// sessions between connections keep it for their Resume. Returns how many live sessions
    /// were sent it.
    pub fn dispatch(&self, name: &str, data: Value, intents: u64) -> usize {
        let mut state = self.state.lock().unwrap();
        let Inner {
            sessions,
            connections,
            ..
        } = &mut *state;
        let mut delivered = 0;
        for session in sessions.values_mut() {
            if intents != 0 && session.intents & intents == 0 {
                continue;
            }
            let sender = session.connection.and_then(|c| connections.get(&c));
            if send_dispatch(session, sender, name, &data) {
                delivered += 1;
            }
        }
        delivered
    }

    /// Closes every connection with code 4000 ("unknown error, reconnect"); sessions stay
    /// resumable and buffer what happens until they resume.
    pub fn drop_connections(&self) {
        let mut state = self.state.lock().unwrap();
        for sender in state.connections.values() {
            let _ = sender.send(Outbound::Close(4000, "fake: connection dropped"));
        }
        state
            .sessions
            .values_mut()
            .for_each(|s| s.connection = None);
    }

    /// Sends op 9 (not resumable) to every live session and forgets all sessions, so clients
    /// identify again.
    pub fn invalidate_sessions(&self) {
        let mut state = self.state.lock().unwrap();
        let Inner {
            sessions,
            connections,
            ..
        } = &mut *state;
        let invalid = json!({ "op": 9, "d": false, "s": null, "t": null }).to_string();
        for session in sessions.values() {
            if let Some(sender) = session.connection.and_then(|c| connections.get(&c)) {
                let _ = sender.send(Outbound::Frame(invalid.clone()));
            }
        }
        sessions.clear();
    }

    /// Answers new websocket connections with 503 until `duration` from now.
    pub fn refuse_for(&self, duration: Duration) {
        self.state.lock().unwrap().refuse_until = Some(Instant::now() + duration);
    }

    /// New connections wait (their websocket upgrade unanswered) until [`Gateway::release`].
    pub fn hold(&self) {
        self.held.send_replace(true);
    }

    pub fn release(&self) {
        self.held.send_replace(false);
    }

    pub fn accept(&self) {
        self.state.lock().unwrap().refuse_until = None;
    }

    fn refusing(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        let refusing = state
            .refuse_until
            .is_some_and(|until| Instant::now() < until);
        if refusing {
            state.stats.refused += 1;
        }
        refusing
    }

    fn open(&self, sender: UnboundedSender<Outbound>) -> u64 {
        let mut state = self.state.lock().unwrap();
        state.next_connection += 1;
        let id = state.next_connection;
        state.connections.insert(id, sender);
        state.stats.connections += 1;
        id
    }

    fn close(&self, connection: u64) {
        let mut state = self.state.lock().unwrap();
        state.connections.remove(&connection);
        for session in state
            .sessions
            .values_mut()
            .filter(|s| s.connection == Some(connection))
        {
            session.connection = None;
        }
    }

    fn heartbeat(&self, sender: &UnboundedSender<Outbound>) {
        self.state.lock().unwrap().stats.heartbeats += 1;
        let _ = sender.send(Outbound::Frame(
            json!({ "op": 11, "d": null, "s": null, "t": null }).to_string(),
        ));
    }

    fn identify(
        &self,
        connection: u64,
        sender: &UnboundedSender<Outbound>,
        d: &Value,
        guilds: &[Value],
        ready: Value,
    ) {
        let mut state = self.state.lock().unwrap();
        if state
            .sessions
            .values()
            .any(|s| s.connection == Some(connection))
        {
            let _ = sender.send(Outbound::Close(4005, "Already authenticated."));
            return;
        }
        let intents = d["intents"].as_u64().unwrap_or(0);
        state.stats.identifies += 1;
        state.stats.intents.push(intents);
        let session_id = ready["session_id"].as_str().unwrap_or_default().to_owned();
        let mut session = Session {
            intents,
            seq: 0,
            sent: Vec::new(),
            connection: Some(connection),
        };
        send_dispatch(&mut session, Some(sender), "READY", &ready);
        for guild in guilds {
            send_dispatch(&mut session, Some(sender), "GUILD_CREATE", guild);
        }
        state.sessions.insert(session_id, session);
    }

    fn resume(&self, connection: u64, sender: &UnboundedSender<Outbound>, d: &Value) {
        let mut state = self.state.lock().unwrap();
        let session_id = d["session_id"].as_str().unwrap_or_default();
        let after = d["seq"].as_u64().unwrap_or(0);
        let Inner {
            sessions,
            connections,
            stats,
            ..
        } = &mut *state;
        let Some(session) = sessions.get_mut(session_id) else {
            let _ = sender.send(Outbound::Frame(
                json!({ "op": 9, "d": false, "s": null, "t": null }).to_string(),
            ));
            return;
        };
        if let Some(old) = session
            .connection
            .filter(|c| *c != connection)
            .and_then(|c| connections.get(&c))
        {
            let _ = old.send(Outbound::Close(4000, "fake: session resumed elsewhere"));
        }
        session.connection = Some(connection);
        stats.resumes += 1;
        for (_, frame) in session.sent.iter().filter(|(seq, _)| *seq > after) {
            let _ = sender.send(Outbound::Frame(frame.clone()));
        }
        send_dispatch(
            session,
            Some(sender),
            "RESUMED",
            &json!({ "_trace": ["fake-gateway"] }),
        );
    }

    fn record(&self, frame: Value) {
        self.state.lock().unwrap().received.push(frame);
    }
}

/// Numbers, keeps and (when connected) sends one dispatch; true when sent.
fn send_dispatch(
    session: &mut Session,
    sender: Option<&UnboundedSender<Outbound>>,
    name: &str,
    data: &Value,
) -> bool {
    session.seq += 1;
    let frame = json!({ "op": 0, "s": session.seq, "t": name, "d": data }).to_string();
    session.sent.push((session.seq, frame.clone()));
    sender.is_some_and(|s| s.send(Outbound::Frame(frame)).is_ok())
}

/// `GET /gateway` with an upgrade: 503 while refusing, else a session.
pub async fn upgrade(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    let mut held = shared.gateway.held.subscribe();
    let _ = held.wait_for(|held| !*held).await;
    if shared.gateway.refusing() {
        shared.changes.bump();
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "fake: gateway refusing connections",
        )
            .into_response();
    }
    ws.on_upgrade(move |socket| run_connection(shared, socket))
}

async fn run_connection(shared: Arc<Shared>, mut socket: WebSocket) {
    let (sender, mut outbound) = unbounded_channel();
    let connection = shared.gateway.open(sender.clone());
    shared.changes.bump();
    let interval = shared.gateway.heartbeat_interval.as_millis() as u64;
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": interval, "_trace": ["fake-gateway"] }, "s": null, "t": null });
    let mut shutdown = shared.shutdown.subscribe();
    if socket.send(Message::text(hello.to_string())).await.is_ok() {
        loop {
            tokio::select! {
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => on_frame(&shared, connection, &sender, text.as_str()),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {},
                },
                next = outbound.recv() => match next {
                    Some(Outbound::Frame(text)) => {
                        if socket.send(Message::text(text)).await.is_err() {
                            break;
                        }
                    },
                    Some(Outbound::Close(code, reason)) => {
                        let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                        break;
                    },
                    None => break,
                },
                () = stopped(&mut shutdown) => break,
            }
        }
    }
    shared.gateway.close(connection);
    shared.changes.bump();
}

/// Resolves once the fake is stopping.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

fn on_frame(shared: &Shared, connection: u64, sender: &UnboundedSender<Outbound>, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        let _ = sender.send(Outbound::Close(4002, "Error while decoding payload."));
        return;
    };
    let op = frame["op"].as_u64();
    if op == Some(1) {
        shared.gateway.heartbeat(sender);
        shared.changes.bump();
        return;
    }
    shared.gateway.record(frame.clone());
    match op {
        Some(2) => {
            let intents = frame["d"]["intents"].as_u64().unwrap_or(0);
            let guilds = shared.world.lock().unwrap().guilds.clone();
            let creates: Vec<Value> = if intents & GUILDS != 0 {
                guilds
                    .iter()
                    .map(|g| wire::guild_create(g, intents & GUILD_MEMBERS != 0))
                    .collect()
            } else {
                Vec::new()
            };
            let ready = ready(
                shared,
                &frame["d"],
                &guilds.iter().map(|g| g.id).collect::<Vec<_>>(),
            );
            shared
                .gateway
                .identify(connection, sender, &frame["d"], &creates, ready);
        }
        Some(6) => shared.gateway.resume(connection, sender, &frame["d"]),
        Some(_) => {}
        None => {
            let _ = sender.send(Outbound::Close(4001, "Unknown opcode."));
        }
    }
    shared.changes.bump();
}

/// The READY payload for an Identify.
fn ready(shared: &Shared, identify: &Value, guild_ids: &[u64]) -> Value {
    let shard = identify
        .get("shard")
        .cloned()
        .unwrap_or_else(|| json!([0, 1]));
    json!({
        "v": 10,
        "user": wire::current_user(),
        "guilds": guild_ids.iter().map(|id| json!({ "id": wire::id(*id), "unavailable": true })).collect::<Vec<_>>(),
        "session_id": format!("fake{:x}", next_snowflake()),
        "resume_gateway_url": shared.gateway.url(),
        "shard": shard,
        "application": { "id": wire::id(APPLICATION_ID), "flags": 0 },
        "session_type": "normal",
        "user_settings": {},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["us-east"],
        "auth": {},
        "_trace": ["fake-gateway"],
    })
}
