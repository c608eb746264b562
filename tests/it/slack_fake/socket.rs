//! Socket Mode: `apps.connections.open` hands out single-use `ws://.../socket?ticket=...` URLs;
//! each connection gets Slack's `hello`, then envelopes round-robin over the open connections
//! (queued while none is open), and the client's `{"envelope_id"}` acks are recorded. The
//! test's levers: `disconnect` frames, abrupt drops, refusing connections.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::sync::watch;

use super::Shared;
use super::web_api::Answer;

/// The `debug_info.host` of frames, as Slack names its socket hosts.
const HOST: &str = "applink-fake-1";
/// Slack closes a connection about 10 s after asking the client to refresh it.
const DISCONNECT_GRACE: Duration = Duration::from_secs(10);

/// What the Socket Mode side has done so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SocketStats {
    /// URLs handed out by `apps.connections.open`.
    pub urls_issued: usize,
    /// `apps.connections.open` calls and websocket upgrades refused.
    pub refused: usize,
    /// Websocket connections accepted (each was sent a `hello`).
    pub opened: usize,
    /// Connections that ended (either side).
    pub closed: usize,
    /// Connections open now.
    pub open: usize,
    /// Websocket pings received (each answered with a pong).
    pub pings: usize,
    /// Envelopes sent to a connection.
    pub envelopes_sent: usize,
}

/// A client's acknowledgement of an envelope.
#[derive(Clone, Debug, PartialEq)]
pub struct Ack {
    /// When the fake read the ack frame.
    pub at: Instant,
    /// Which connection sent it.
    pub connection: u64,
    /// The whole frame (`{"envelope_id": ..., "payload": ...}`).
    pub frame: Value,
    /// Its `payload`, if any (a slash command's immediate reply).
    pub payload: Option<Value>,
}

/// Where and when an envelope went.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivery {
    pub connection: u64,
    pub at: Instant,
}

enum Outbound {
    Frame(String),
    Close(u16, String),
    /// End the connection without a close frame.
    Drop,
}

#[derive(Default)]
struct Inner {
    connections: BTreeMap<u64, UnboundedSender<Outbound>>,
    next_connection: u64,
    tickets: HashSet<String>,
    next_ticket: u64,
    refusing: bool,
    round_robin: usize,
    /// Envelopes waiting for a connection: `(envelope_id, frame)`.
    pending: VecDeque<(String, String)>,
    deliveries: HashMap<String, Delivery>,
    acks: HashMap<String, Ack>,
    /// Frames from clients that were not acks of known envelopes.
    other_frames: Vec<Value>,
    stats: SocketStats,
    /// How long after a `disconnect` frame the fake closes the connection itself.
    disconnect_grace: Option<Duration>,
}

pub struct Socket {
    state: Mutex<Inner>,
    /// `ws://127.0.0.1:PORT/socket`
    url: String,
    app_id: String,
}

impl Socket {
    pub fn new(base_url: &str, app_id: &str) -> Self {
        Socket {
            state: Mutex::new(Inner::default()),
            url: format!("{}/socket", base_url.replacen("http://", "ws://", 1)),
            app_id: app_id.to_owned(),
        }
    }

    /// `apps.connections.open`: a fresh single-use URL, or `internal_error` while refusing.
    pub fn open_url(&self) -> Answer {
        let mut state = self.state.lock().unwrap();
        if state.refusing {
            state.stats.refused += 1;
            return Err("internal_error".to_owned());
        }
        state.next_ticket += 1;
        let ticket = format!("fake-ticket-{:04}", state.next_ticket);
        state.tickets.insert(ticket.clone());
        state.stats.urls_issued += 1;
        Ok(json!({ "url": format!("{}?ticket={ticket}&app_id={}", self.url, self.app_id) }))
    }

    pub fn set_refusing(&self, refusing: bool) {
        self.state.lock().unwrap().refusing = refusing;
    }

    pub fn stats(&self) -> SocketStats {
        let state = self.state.lock().unwrap();
        SocketStats {
            open: state.connections.len(),
            ..state.stats.clone()
        }
    }

    /// Open connection ids, oldest first.
    pub fn connection_ids(&self) -> Vec<u64> {
        self.state
            .lock()
            .unwrap()
            .connections
            .keys()
            .copied()
            .collect()
    }

    /// Sends an envelope to the next open connection (round-robin), or queues it until one
    /// opens.
    pub fn deliver(&self, envelope_id: &str, frame: String) {
        let mut state = self.state.lock().unwrap();
        if !state.connections.is_empty() {
            let ids: Vec<u64> = state.connections.keys().copied().collect();
            let connection = ids[state.round_robin % ids.len()];
            state.round_robin += 1;
            if send_envelope(&mut state, connection, envelope_id, frame.clone()) {
                return;
            }
        }
        state.pending.push_back((envelope_id.to_owned(), frame));
    }

    pub fn delivery(&self, envelope_id: &str) -> Option<Delivery> {
        self.state
            .lock()
            .unwrap()
            .deliveries
            .get(envelope_id)
            .copied()
    }

    pub fn ack(&self, envelope_id: &str) -> Option<Ack> {
        self.state.lock().unwrap().acks.get(envelope_id).cloned()
    }

    pub fn other_frames(&self) -> Vec<Value> {
        self.state.lock().unwrap().other_frames.clone()
    }

    pub fn set_disconnect_grace(&self, grace: Duration) {
        self.state.lock().unwrap().disconnect_grace = Some(grace);
    }

    /// Sends `{"type":"disconnect","reason":...}` to every open connection, and closes them
    /// (close frame 1001) after the grace period, as Slack does; returns how many.
    pub fn disconnect(&self, reason: &str) -> usize {
        let frame = json!({
            "type": "disconnect",
            "reason": reason,
            "debug_info": { "host": HOST },
        })
        .to_string();
        let state = self.state.lock().unwrap();
        let grace = state.disconnect_grace.unwrap_or(DISCONNECT_GRACE);
        for sender in state.connections.values() {
            let _ = sender.send(Outbound::Frame(frame.clone()));
            let sender = sender.clone();
            tokio::spawn(async move {
                tokio::time::sleep(grace).await;
                let _ = sender.send(Outbound::Close(1001, "fake: refreshed".to_owned()));
            });
        }
        state.connections.len()
    }

    /// Ends every connection without a close frame; returns how many.
    pub fn drop_connections(&self) -> usize {
        let state = self.state.lock().unwrap();
        for sender in state.connections.values() {
            let _ = sender.send(Outbound::Drop);
        }
        state.connections.len()
    }

    /// Closes every connection with a close frame (`code`, `reason`); returns how many.
    pub fn close_connections(&self, code: u16, reason: &str) -> usize {
        let state = self.state.lock().unwrap();
        for sender in state.connections.values() {
            let _ = sender.send(Outbound::Close(code, reason.to_owned()));
        }
        state.connections.len()
    }

    /// Admits a websocket with `ticket`, consuming it; `None` while refusing or for an unknown
    /// ticket (the status to answer).
    fn admit(&self, ticket: Option<&str>) -> Result<(), StatusCode> {
        let mut state = self.state.lock().unwrap();
        if state.refusing {
            state.stats.refused += 1;
            return Err(StatusCode::SERVICE_UNAVAILABLE);
        }
        match ticket {
            Some(ticket) if state.tickets.remove(ticket) => Ok(()),
            _ => Err(StatusCode::UNAUTHORIZED),
        }
    }

    /// Registers a connection and gives it the hello and any queued envelopes.
    fn open(&self, sender: UnboundedSender<Outbound>) -> u64 {
        let mut state = self.state.lock().unwrap();
        state.next_connection += 1;
        let id = state.next_connection;
        state.connections.insert(id, sender.clone());
        state.stats.opened += 1;
        let hello = json!({
            "type": "hello",
            "num_connections": state.connections.len(),
            "debug_info": {
                "host": HOST,
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": { "app_id": self.app_id },
        });
        let _ = sender.send(Outbound::Frame(hello.to_string()));
        while let Some((envelope_id, frame)) = state.pending.pop_front() {
            send_envelope(&mut state, id, &envelope_id, frame);
        }
        id
    }

    fn close(&self, connection: u64) {
        let mut state = self.state.lock().unwrap();
        if state.connections.remove(&connection).is_some() {
            state.stats.closed += 1;
        }
    }

    fn on_text(&self, connection: u64, text: &str) {
        let frame: Value = serde_json::from_str(text).unwrap_or(Value::String(text.to_owned()));
        let mut state = self.state.lock().unwrap();
        let envelope_id = frame["envelope_id"].as_str().map(str::to_owned);
        match envelope_id {
            Some(id) if state.deliveries.contains_key(&id) && !state.acks.contains_key(&id) => {
                let ack = Ack {
                    at: Instant::now(),
                    connection,
                    payload: frame.get("payload").cloned(),
                    frame,
                };
                state.acks.insert(id, ack);
            }
            _ => state.other_frames.push(frame),
        }
    }

    fn on_ping(&self) {
        self.state.lock().unwrap().stats.pings += 1;
    }
}

fn send_envelope(state: &mut Inner, connection: u64, envelope_id: &str, frame: String) -> bool {
    let Some(sender) = state.connections.get(&connection) else {
        return false;
    };
    if sender.send(Outbound::Frame(frame)).is_err() {
        return false;
    }
    state.stats.envelopes_sent += 1;
    state.deliveries.insert(
        envelope_id.to_owned(),
        Delivery {
            connection,
            at: Instant::now(),
        },
    );
    true
}

/// `GET /socket?ticket=...` with an upgrade.
pub async fn upgrade(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    ws: WebSocketUpgrade,
) -> Response {
    if let Err(status) = shared.socket.admit(query.get("ticket").map(String::as_str)) {
        shared.changes.bump();
        return (status, "fake: socket connection refused").into_response();
    }
    ws.on_upgrade(move |socket| run_connection(shared, socket))
}

async fn run_connection(shared: Arc<Shared>, mut socket: WebSocket) {
    let (sender, mut outbound) = unbounded_channel();
    let connection = shared.socket.open(sender);
    shared.changes.bump();
    let mut shutdown = shared.shutdown.subscribe();
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    shared.socket.on_text(connection, text.as_str());
                    shared.changes.bump();
                }
                Some(Ok(Message::Ping(payload))) => {
                    shared.socket.on_ping();
                    if socket.send(Message::Pong(payload)).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            next = outbound.recv() => match next {
                Some(Outbound::Frame(text)) => {
                    if socket.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Outbound::Close(code, reason)) => {
                    let frame = CloseFrame { code, reason: reason.into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    break;
                }
                Some(Outbound::Drop) | None => break,
            },
            () = stopped(&mut shutdown) => break,
        }
    }
    shared.socket.close(connection);
    shared.changes.bump();
}

/// Resolves once the fake is stopping.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
