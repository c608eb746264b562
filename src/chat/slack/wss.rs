//! Socket Mode's websockets, behind slack-morphism's connection-manager trait: each connection is
//! opened through `apps.connections.open` with the app-level token, pinged, and reopened when it
//! drops or when Slack asks for a refresh (a `disconnect` frame, through
//! [`SlackSocketModeClientsManager::restart_client`]). Every frame goes to the listener of
//! [`super::socket`], which answers with the acknowledgement to send back.
//!
//! slack-morphism's own manager would do the same, but it opens its websockets with Nagle's
//! algorithm on: in a burst of slash commands each acknowledgement after the first then waits for
//! Slack's delayed TCP ACK, about 40 ms. Acknowledgements are small frames that must leave at
//! once, so these websockets are opened with TCP_NODELAY.
//!
//! Connection `i` of `n` starts `i × initial_backoff` after [`Sockets::start`] (slack-morphism's
//! stagger, so they do not all expire together). A connection that cannot be opened is tried
//! again after 1 s, then 2, 4, … up to 30 s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use slack_morphism::socket_mode::clients_manager::SlackSocketModeClientsManager;
use slack_morphism::{
    ClientResult, SlackApiToken, SlackClientSocketModeConfig, SlackSocketModeClientListener,
    SlackSocketModeWssClientId,
};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::api::Api;

/// How long opening one websocket (TCP, TLS, upgrade) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest wait between two attempts to open a connection.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
/// How long [`Sockets::shutdown`] waits for the connections to send their close frames.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

type Listener = Arc<dyn SlackSocketModeClientListener + Send + Sync>;

/// The Socket Mode connections of one app-level token.
pub struct Sockets {
    api: Api,
    slots: Mutex<Vec<Arc<Slot>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// One connection kept open: its current id (a new one each time it is reopened) and the levers
/// to restart or stop it.
struct Slot {
    id: Mutex<SlackSocketModeWssClientId>,
    token: SlackApiToken,
    config: SlackClientSocketModeConfig,
    listener: Listener,
    restart: AtomicBool,
    stop: AtomicBool,
    wake: Notify,
}

impl Slot {
    fn id(&self) -> SlackSocketModeWssClientId {
        self.id.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The id the next connection of this slot goes by; returns the one it replaces.
    fn next_id(&self) -> SlackSocketModeWssClientId {
        let mut id = self.id.lock().unwrap_or_else(|e| e.into_inner());
        let old = id.clone();
        *id = old.new_reconnected_id();
        old
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Sleeps `wait`, or less if the slot is stopped meanwhile; false when stopped.
    async fn sleep(&self, wait: Duration) -> bool {
        if wait.is_zero() {
            return !self.stopped();
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = self.wake.notified() => {}
        }
        !self.stopped()
    }
}

/// Why one connection ended.
enum Ended {
    /// It dropped (closed by Slack, an error, no pong): the listener is told.
    Dropped,
    /// Slack asked for a refresh (the listener already knows).
    Restarted,
    /// The adapter is shutting down.
    Stopped,
}

impl Sockets {
    pub fn new(api: Api) -> Sockets {
        Sockets {
            api,
            slots: Mutex::new(Vec::new()),
            tasks: Mutex::new(Vec::new()),
        }
    }

    /// Keeps one slot's connection open until it is stopped.
    async fn keep_open(api: Api, slot: Arc<Slot>, delay: Duration) {
        if !slot.sleep(delay).await {
            return;
        }
        let mut failures: u32 = 0;
        loop {
            if slot.stopped() {
                return;
            }
            let ended = match open(&api, &slot.token).await {
                Ok(ws) => {
                    failures = 0;
                    serve(ws, &slot).await
                }
                Err(e) => {
                    tracing::warn!(connection = %slot.id().to_string(), "opening a Slack Socket Mode connection failed: {e}");
                    failures += 1;
                    let wait = Duration::from_secs(1 << (failures - 1).min(5)).min(MAX_RETRY_WAIT);
                    if !slot.sleep(wait).await {
                        return;
                    }
                    continue;
                }
            };
            let old = slot.next_id();
            match ended {
                Ended::Stopped => return,
                Ended::Restarted => {}
                // The listener marks the connection closed and asks for a restart; that names the
                // old id, so it does not touch the connection opened next.
                Ended::Dropped => slot.listener.on_disconnect(&old).await,
            }
        }
    }
}

/// A new websocket: a URL from `apps.connections.open`, then the upgrade, without Nagle.
async fn open(
    api: &Api,
    token: &SlackApiToken,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    String,
> {
    let url = api
        .open_socket_url(token)
        .await
        .map_err(|e| e.to_string())?;
    let connect = tokio_tungstenite::connect_async_with_config(url.as_str(), None, true);
    match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(Ok((ws, _))) => Ok(ws),
        // The URL carries a single-use ticket: it is not shown.
        Ok(Err(e)) => Err(format!("the websocket upgrade failed: {e}")),
        Err(_) => Err(format!(
            "no websocket within {} s",
            CONNECT_TIMEOUT.as_secs()
        )),
    }
}

/// Reads one connection's frames until it ends, answering each with what the listener returns.
async fn serve(
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    slot: &Slot,
) -> Ended {
    let id = slot.id();
    let (mut sink, mut stream) = ws.split();
    let every = Duration::from_secs(slot.config.ping_interval_in_seconds.max(1));
    let patience = every * slot.config.ping_failure_threshold_times.max(1) as u32;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut last_pong = Instant::now();
    // Restarts asked for before this connection opened belong to the one before it.
    slot.restart.store(false, Ordering::Relaxed);
    loop {
        tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(body))) => {
                    let reply = slot.listener.on_message(&id, body.as_str().to_string()).await;
                    if let Some(reply) = reply
                        && sink.send(Message::text(reply)).await.is_err()
                    {
                        return Ended::Dropped;
                    }
                }
                Some(Ok(Message::Pong(_))) => last_pong = Instant::now(),
                // Pings are answered by tungstenite itself.
                Some(Ok(Message::Ping(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Binary(_))) => {
                    tracing::warn!(connection = %id.to_string(), "Slack sent a binary frame; ignored");
                }
                Some(Ok(Message::Close(_))) | None => return Ended::Dropped,
                Some(Err(e)) => {
                    tracing::warn!(connection = %id.to_string(), "Slack Socket Mode connection failed: {e}");
                    return Ended::Dropped;
                }
            },
            _ = ping.tick() => {
                if last_pong.elapsed() > patience {
                    tracing::warn!(
                        connection = %id.to_string(),
                        "no pong from Slack for {} s: reconnecting",
                        last_pong.elapsed().as_secs()
                    );
                    return Ended::Dropped;
                }
                if sink.send(Message::Ping(Vec::from(*b"ping").into())).await.is_err() {
                    return Ended::Dropped;
                }
            }
            _ = slot.wake.notified() => {}
        }
        if slot.stopped() {
            let _ = sink.send(Message::Close(None)).await;
            return Ended::Stopped;
        }
        if slot.restart.swap(false, Ordering::Relaxed) {
            let _ = sink.send(Message::Close(None)).await;
            return Ended::Restarted;
        }
    }
}

#[async_trait]
impl SlackSocketModeClientsManager for Sockets {
    async fn register_new_token(
        &self,
        config: &SlackClientSocketModeConfig,
        token: SlackApiToken,
        listener: Listener,
    ) -> ClientResult<()> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let first = slots.len() as u32;
        for index in 0..config.max_connections_count {
            slots.push(Arc::new(Slot {
                id: Mutex::new(SlackSocketModeWssClientId::new(first + index, index, 0)),
                token: token.clone(),
                config: config.clone(),
                listener: listener.clone(),
                restart: AtomicBool::new(false),
                stop: AtomicBool::new(false),
                wake: Notify::new(),
            }));
        }
        Ok(())
    }

    async fn restart_client(&self, id: &SlackSocketModeWssClientId) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.iter().find(|s| s.id() == *id) {
            slot.restart.store(true, Ordering::Relaxed);
            slot.wake.notify_one();
        }
    }

    async fn start(&self) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        for (i, slot) in slots.into_iter().enumerate() {
            let delay = Duration::from_secs(slot.config.initial_backoff_in_seconds * i as u64);
            tasks.push(tokio::spawn(Sockets::keep_open(
                self.api.clone(),
                slot,
                delay,
            )));
        }
    }

    async fn shutdown(&self) {
        for slot in self.slots.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            slot.stop.store(true, Ordering::Relaxed);
            slot.wake.notify_one();
        }
        let tasks: Vec<_> =
            std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for mut task in tasks {
            if tokio::time::timeout(SHUTDOWN_WAIT, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }

    async fn await_term_signals(&self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
