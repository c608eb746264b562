//! The Events API mode (`slack.mode = "http"`): Slack posts events, slash commands and
//! interactions to `/slack/events`, `/slack/commands` and `/slack/interactions` on `run.listen`.
//! Each request is read whole up to [`MAX_BODY`] (413 beyond) and verified against the signing
//! secret before anything in it is parsed: Slack's v0 signature (HMAC-SHA256 over
//! `v0:{timestamp}:{body}`, compared in constant time by slack-morphism's verifier) with a
//! timestamp at most five minutes old or ahead. A refused request gets 401 and a log line saying
//! why, never the secret. Everything accepted is answered at once (empty) and handled in the
//! background, so Slack's 3-second deadline is always met.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use slack_morphism::signature_verifier::{
    SlackEventSignatureVerifier, SlackEventSignatureVerifierError,
};

use super::client::Slack;
use super::commands::CommandPayload;
use super::manifest::{COMMANDS_PATH, EVENTS_PATH, INTERACTIONS_PATH};

/// The largest request body read (Slack's are a few KB).
pub const MAX_BODY: usize = 1024 * 1024;

/// Why a request was refused (for the log; the caller only sees 401).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    #[error("the body is not UTF-8")]
    NotText,
    #[error("the signature does not match the signing secret")]
    BadSignature,
    #[error("the timestamp is not within five minutes of now")]
    Stale,
    #[error("no signing secret is configured")]
    NoSecret,
}

/// Checks Slack's signature headers over `body`.
pub fn verify(
    verifier: &SlackEventSignatureVerifier,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refused> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or(Refused::MissingHeader(name))
    };
    let signature = header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER)?;
    let timestamp = header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP)?;
    let body = std::str::from_utf8(body).map_err(|_| Refused::NotText)?;
    verifier
        .verify(signature, body, timestamp)
        .map_err(|e| match e {
            SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_) => Refused::Stale,
            SlackEventSignatureVerifierError::CryptoInitError(_) => Refused::NoSecret,
            _ => Refused::BadSignature,
        })
}

impl Slack {
    /// The Events API endpoints, to mount on the service's HTTP server.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route(EVENTS_PATH, post(events))
            .route(COMMANDS_PATH, post(commands))
            .route(INTERACTIONS_PATH, post(interactions))
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(Arc::clone(self))
    }

    /// Whether the request is Slack's; a refusal is logged (the caller only gets 401).
    fn check(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), StatusCode> {
        let verified = match &self.verifier {
            Some(verifier) => verify(verifier, headers, body),
            None => Err(Refused::NoSecret),
        };
        verified.map_err(|why| {
            tracing::warn!(path, "refused a request claiming to come from Slack: {why}");
            StatusCode::UNAUTHORIZED
        })
    }
}

fn bad_request(what: &str) -> Response {
    tracing::warn!("a signed Slack request could not be read: {what}");
    (StatusCode::BAD_REQUEST, what.to_string()).into_response()
}

async fn events(State(slack): State<Arc<Slack>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = slack.check(EVENTS_PATH, &headers, &body) {
        return refused.into_response();
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return bad_request("the event is not JSON");
    };
    if event["type"].as_str() == Some("url_verification") {
        return axum::Json(json!({ "challenge": event["challenge"] })).into_response();
    }
    slack.on_event(event);
    StatusCode::OK.into_response()
}

async fn commands(State(slack): State<Arc<Slack>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = slack.check(COMMANDS_PATH, &headers, &body) {
        return refused.into_response();
    }
    match serde_urlencoded::from_bytes::<CommandPayload>(&body) {
        Ok(payload) => {
            slack.on_command(payload);
            // An empty 200 shows nothing; the answer follows through the response_url.
            StatusCode::OK.into_response()
        }
        Err(e) => bad_request(&format!("the slash command could not be read: {e}")),
    }
}

/// The bot shows no buttons or forms: an interaction is verified, acknowledged and dropped.
async fn interactions(
    State(slack): State<Arc<Slack>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = slack.check(INTERACTIONS_PATH, &headers, &body) {
        return refused.into_response();
    }
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use slack_morphism::SlackSigningSecret;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

    /// Slack's signature of `body` at `ts` with `secret`.
    fn sign(secret: &str, ts: &str, body: &str) -> String {
        use hmac::{KeyInit, Mac};
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("v0:{ts}:{body}").as_bytes());
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("v0={hex}")
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn headers(signature: Option<&str>, ts: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(s) = signature {
            h.insert("x-slack-signature", s.parse().unwrap());
        }
        if let Some(t) = ts {
            h.insert("x-slack-request-timestamp", t.parse().unwrap());
        }
        h
    }

    fn verifier(secret: &str) -> SlackEventSignatureVerifier {
        SlackEventSignatureVerifier::new(&SlackSigningSecret::new(secret.into()))
    }

    const BODY: &str = "token=x&team_id=T024BE7LD&user_id=U1&command=%2Fkpi&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fx";

    #[test]
    fn slacks_documented_example_is_accepted_by_the_signature() {
        // The example of Slack's "Verifying requests from Slack" page: the signature matches, and
        // only its age (2018) makes it stale.
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        assert_eq!(sign(SECRET, "1531420618", body), signature);
        let refused = verify(
            &verifier(SECRET),
            &headers(Some(signature), Some("1531420618")),
            body.as_bytes(),
        );
        assert_eq!(refused, Err(Refused::Stale));
    }

    #[test]
    fn a_signed_fresh_request_is_accepted() {
        let ts = now().to_string();
        let h = headers(Some(&sign(SECRET, &ts, BODY)), Some(&ts));
        assert_eq!(verify(&verifier(SECRET), &h, BODY.as_bytes()), Ok(()));
    }

    #[test]
    fn a_tampered_body_or_another_secret_is_refused() {
        let ts = now().to_string();
        let h = headers(Some(&sign(SECRET, &ts, BODY)), Some(&ts));
        let tampered = BODY.replace("kpi", "tier");
        assert_eq!(
            verify(&verifier(SECRET), &h, tampered.as_bytes()),
            Err(Refused::BadSignature)
        );
        assert_eq!(
            verify(&verifier("another-secret"), &h, BODY.as_bytes()),
            Err(Refused::BadSignature)
        );
    }

    #[test]
    fn a_request_without_its_headers_is_refused() {
        let ts = now().to_string();
        let signature = sign(SECRET, &ts, BODY);
        assert_eq!(
            verify(
                &verifier(SECRET),
                &headers(None, Some(&ts)),
                BODY.as_bytes()
            ),
            Err(Refused::MissingHeader("x-slack-signature"))
        );
        assert_eq!(
            verify(
                &verifier(SECRET),
                &headers(Some(&signature), None),
                BODY.as_bytes()
            ),
            Err(Refused::MissingHeader("x-slack-request-timestamp"))
        );
    }

    #[test]
    fn a_request_six_minutes_old_or_ahead_is_refused() {
        for offset in [-360, 360] {
            let ts = (now() + offset).to_string();
            let h = headers(Some(&sign(SECRET, &ts, BODY)), Some(&ts));
            assert_eq!(
                verify(&verifier(SECRET), &h, BODY.as_bytes()),
                Err(Refused::Stale),
                "{offset} s"
            );
        }
        // Four minutes either way is still within the window.
        for offset in [-240, 240] {
            let ts = (now() + offset).to_string();
            let h = headers(Some(&sign(SECRET, &ts, BODY)), Some(&ts));
            assert_eq!(verify(&verifier(SECRET), &h, BODY.as_bytes()), Ok(()));
        }
    }

    #[test]
    fn no_secret_refuses_everything() {
        let ts = now().to_string();
        let h = headers(Some(&sign("", &ts, BODY)), Some(&ts));
        assert_eq!(
            verify(&verifier(""), &h, BODY.as_bytes()),
            Err(Refused::NoSecret)
        );
    }
}
