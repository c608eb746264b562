//! Slack's HTTP mode, for a bot serving `/slack/commands`, `/slack/events`, `/slack/interactions`:
//! the exact bodies Slack POSTs (form-encoded commands and interactions, JSON events) and their
//! v0 signature (`X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))` with
//! `X-Slack-Request-Timestamp`), in pieces a test can tamper with.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};
use sha2::Sha256;

use super::model::unix_now;
use super::payloads::{self, SlashCommand};
use super::state::ResponsePost;
use super::{FakeSlack, Shared};

pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";
pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";

/// What form encoding leaves as is (`*-._` and alphanumerics); space becomes `+`.
const FORM_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b' ');

/// `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` under `secret`.
pub fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// `body` with Slack's two signature headers for `timestamp` (Unix seconds).
pub fn signed_request(secret: &str, timestamp: i64, body: &str) -> SignedRequest {
    let timestamp = timestamp.to_string();
    SignedRequest {
        headers: vec![
            (TIMESTAMP_HEADER.to_owned(), timestamp.clone()),
            (
                SIGNATURE_HEADER.to_owned(),
                signature(secret, &timestamp, body),
            ),
        ],
        body: body.to_owned(),
    }
}

/// `application/x-www-form-urlencoded` text of `pairs`, in order.
pub fn form_encode<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let encode = |s: &str| {
        utf8_percent_encode(s, FORM_SAFE)
            .to_string()
            .replace(' ', "+")
    };
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A request as Slack would send it: headers (the signature pair, plus `Content-Type` when
/// built by a [`HttpPayload`]) and the body. Change either to tamper.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedRequest {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl SignedRequest {
    /// A header's value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Replaces (or adds) a header.
    pub fn set_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same headers over another body (so the signature no longer matches).
    pub fn with_body(mut self, body: &str) -> Self {
        self.body = body.to_owned();
        self
    }

    /// POSTs it to `url`; returns the status and the body's text.
    pub async fn post(&self, url: &str) -> (u16, String) {
        let mut request = reqwest::Client::new().post(url).body(self.body.clone());
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.expect("POST to the bot");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

/// A body Slack would POST to the bot in HTTP mode, unsigned; see [`HttpPayload::sign`].
#[derive(Clone)]
pub struct HttpPayload {
    pub body: String,
    /// [`FORM`] or [`JSON`].
    pub content_type: &'static str,
    /// The response_url in it, if any (commands, interactions).
    pub response_url: Option<String>,
    response_id: Option<u64>,
    shared: Arc<Shared>,
}

impl HttpPayload {
    /// Signed with the timestamp now.
    pub fn sign(&self, secret: &str) -> SignedRequest {
        self.sign_at(secret, unix_now())
    }

    /// Signed with `timestamp` (Unix seconds), e.g. 10 minutes old.
    pub fn sign_at(&self, secret: &str, timestamp: i64) -> SignedRequest {
        signed_request(secret, timestamp, &self.body).set_header("Content-Type", self.content_type)
    }

    /// Posts to the response_url so far.
    pub fn responses(&self) -> Vec<ResponsePost> {
        self.response_id
            .map(|id| self.shared.response_posts(id))
            .unwrap_or_default()
    }

    /// Waits for the first post to the response_url; `None` after `timeout`.
    pub async fn response(&self, timeout: Duration) -> Option<ResponsePost> {
        let id = self.response_id?;
        self.shared
            .changes
            .wait(timeout, || self.shared.response_posts(id).first().cloned())
            .await
    }
}

impl FakeSlack {
    fn http_payload(
        &self,
        body: String,
        content_type: &'static str,
        id: Option<u64>,
    ) -> HttpPayload {
        let response_url = id.map(|id| format!("{}/commands/{id}", self.shared.base_url));
        HttpPayload {
            body,
            content_type,
            response_url,
            response_id: id,
            shared: Arc::clone(&self.shared),
        }
    }

    /// A slash command as Slack POSTs it to the command URL (form-encoded, the same fields as
    /// over Socket Mode, a response_url on the fake).
    pub fn http_slash_command(&self, spec: &SlashCommand) -> HttpPayload {
        let (fields, id) = payloads::slash_command(&mut self.shared.world.lock().unwrap(), spec);
        let body = form_encode(
            fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default())),
        );
        self.http_payload(body, FORM, Some(id))
    }

    /// An `event_callback` wrapping `event`, as Slack POSTs it to the Events URL.
    pub fn http_event(&self, event: Value) -> HttpPayload {
        let callback = payloads::event_callback(&mut self.shared.world.lock().unwrap(), event);
        self.http_payload(callback.to_string(), JSON, None)
    }

    /// The `url_verification` Slack POSTs when the Events URL is saved; the bot must answer
    /// the `challenge`.
    pub fn http_url_verification(&self, challenge: &str) -> HttpPayload {
        self.http_payload(
            payloads::url_verification(challenge).to_string(),
            JSON,
            None,
        )
    }

    /// An interaction payload as Slack POSTs it: `payload=<JSON>` form-encoded.
    pub fn http_interaction(&self, payload: &Value) -> HttpPayload {
        let text = payload.to_string();
        let body = form_encode([("payload", text.as_str())]);
        let id = payload["response_url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .and_then(|id| id.parse().ok());
        self.http_payload(body, FORM, id)
    }

    /// `user_id` presses a button, as an HTTP interaction.
    pub fn http_block_action(
        &self,
        user_id: &str,
        channel_id: &str,
        action_id: &str,
        value: &str,
    ) -> HttpPayload {
        let (payload, _) = payloads::block_action(
            &mut self.shared.world.lock().unwrap(),
            user_id,
            channel_id,
            action_id,
            value,
        );
        self.http_interaction(&payload)
    }
}

/// The fields of a form body, for tests that inspect one.
pub fn form_fields(body: &str) -> Map<String, Value> {
    super::web_api::form_pairs(body)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}
