//! Socket Mode: [`super::wss`] keeps the websockets (opens each through `apps.connections.open`,
//! pings, reports drops) and this listener reads their frames. It is the listener handed every
//! frame and every drop of every connection, each named by its connection id, so it knows
//! exactly which connections are open: one is open from its `hello` until it drops (a close
//! frame, an error, missed pongs) or Slack asks it to reconnect (a `disconnect` frame). A dropped
//! connection is replaced through the manager, as slack-morphism's own listener does.
//!
//! Envelopes are acknowledged at once: the reader of a connection waits for this listener before
//! it reads the next frame and sends the acknowledgement only after it returns, so the work is
//! spawned and Slack's 3-second deadline never depends on it. Slash commands are answered
//! through their `response_url`.

use std::sync::{Arc, Weak};

use async_trait::async_trait;
use serde_json::{Value, json};
use slack_morphism::socket_mode::clients_manager::SlackSocketModeClientsManager;
use slack_morphism::{SlackSocketModeClientListener, SlackSocketModeWssClientId};

use super::client::Slack;

pub struct Listener {
    slack: Weak<Slack>,
    manager: Weak<dyn SlackSocketModeClientsManager + Send + Sync>,
}

impl Listener {
    pub fn new(
        slack: &Arc<Slack>,
        manager: &Arc<dyn SlackSocketModeClientsManager + Send + Sync>,
    ) -> Listener {
        Listener {
            slack: Arc::downgrade(slack),
            manager: Arc::downgrade(manager),
        }
    }

    async fn reconnect(&self, id: &SlackSocketModeWssClientId) {
        if let Some(slack) = self.slack.upgrade() {
            slack.connection(&id.to_string(), false);
        }
        if let Some(manager) = self.manager.upgrade() {
            manager.restart_client(id).await;
        }
    }
}

/// The acknowledgement of an envelope (no payload: slash commands are answered later).
fn ack(frame: &Value) -> Option<String> {
    frame["envelope_id"]
        .as_str()
        .map(|id| json!({ "envelope_id": id }).to_string())
}

#[async_trait]
impl SlackSocketModeClientListener for Listener {
    async fn on_message(&self, id: &SlackSocketModeWssClientId, body: String) -> Option<String> {
        let Ok(frame) = serde_json::from_str::<Value>(&body) else {
            tracing::warn!(connection = %id.to_string(), "Slack sent a frame that is not JSON");
            return None;
        };
        let slack = self.slack.upgrade()?;
        match frame["type"].as_str().unwrap_or_default() {
            "hello" => {
                slack.connection(&id.to_string(), true);
                None
            }
            "disconnect" => {
                tracing::info!(
                    connection = %id.to_string(),
                    reason = frame["reason"].as_str().unwrap_or_default(),
                    "Slack asked a Socket Mode connection to reconnect"
                );
                self.reconnect(id).await;
                None
            }
            "slash_commands" => {
                slack.on_command_value(frame["payload"].clone());
                ack(&frame)
            }
            "events_api" => {
                slack.on_event(frame["payload"].clone());
                ack(&frame)
            }
            // The bot shows no buttons or forms: an interaction is acknowledged and dropped.
            _ => ack(&frame),
        }
    }

    async fn on_error(&self, error: Box<dyn std::error::Error + Send + Sync>) {
        tracing::warn!("Slack Socket Mode: {error}");
    }

    async fn on_disconnect(&self, id: &SlackSocketModeWssClientId) {
        self.reconnect(id).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_is_acknowledged_by_its_id_alone() {
        let frame = json!({"type": "slash_commands", "envelope_id": "e-1",
            "accepts_response_payload": true, "payload": {"command": "/kpi"}});
        assert_eq!(ack(&frame).as_deref(), Some(r#"{"envelope_id":"e-1"}"#));
        assert_eq!(ack(&json!({"type": "hello"})), None);
    }
}
