//! Deliveries as Discord requests: a DM or a post is one create-message request (with its charts
//! as attached files) carrying a nonce derived from the delivery with `enforce_nonce`, so a retry after a crash returns the message
//! already posted instead of posting twice; a membership action is a role added or removed with
//! an audit-log reason naming the tier change.
//!
//! The requests are serenity's own (routes, headers, token). Straight to Discord, serenity sends
//! them and its rate limiter waits out 429s. Behind a proxy serenity's limiter is off, and
//! serenity's error would drop a 429's body; so there the request is executed here, with the same
//! HTTP client library, and the answer read whole: a 429 is retried after its own `retry_after`.

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use poise::serenity_prelude as serenity;
use serde_json::{Value, json};
use serenity::http::{LightMethod, Multipart, MultipartUpload, Request, Route};
use serenity::{
    ChannelId, CreateAllowedMentions, CreateAttachment, CreateMessage, GuildId, Http, Nonce,
    RoleId, UserId,
};

use super::errors::{classify, send_error};
use crate::charts::Chart;
use crate::chat::render::discord::{CONTENT_LIMIT, escape_discord_keeping_code, split_message};
use crate::chat::sender::{Address, Delivered, Outgoing, Platform, SendError};
use crate::domain::Tier;

/// How long one request may take before it counts as a timeout (retried).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client for the proxy of `discord.api_url`: HTTP/2 from the first byte when `http2`.
pub fn proxy_client(
    http2: bool,
    timeout: Option<Duration>,
) -> Result<reqwest::Client, reqwest::Error> {
    let mut builder = reqwest::Client::builder().use_rustls_tls();
    if http2 {
        builder = builder.http2_prior_knowledge();
    }
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    builder.build()
}

/// Where the sender's requests go.
pub struct Rest {
    pub http: Arc<Http>,
    /// Set behind a proxy: the client that executes serenity's requests here.
    proxied: Option<reqwest::Client>,
}

impl Rest {
    /// `http2`: the proxy speaks HTTP/2 without TLS (`discord.api_http2`).
    pub fn new(http: Arc<Http>, http2: bool) -> Result<Rest, reqwest::Error> {
        let proxied = match http.proxy {
            Some(_) => Some(proxy_client(http2, Some(REQUEST_TIMEOUT))?),
            None => None,
        };
        Ok(Rest { http, proxied })
    }

    /// Sends `request`; the JSON answer (`Null` for an empty one).
    async fn fire(&self, request: Request<'_>) -> Result<Value, SendError> {
        let Some(client) = &self.proxied else {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| send_error(&e))?;
            let bytes = response
                .bytes()
                .await
                .map_err(|e| SendError::Transient(format!("Discord's answer was cut: {e}")))?;
            return Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null));
        };
        let built = request
            .build(client, self.http.token(), self.http.proxy.as_deref())
            .map_err(|e| SendError::Permanent(format!("the request could not be made: {e}")))?;
        let response = built
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("Discord did not answer: {e}")))?;
        let status = response.status().as_u16();
        let retry_header = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SendError::Transient(format!("Discord's answer was cut: {e}")))?;
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(body);
        }
        if status == 429 {
            let seconds = body["retry_after"].as_f64().or(retry_header).unwrap_or(5.0);
            return Err(SendError::RetryAfter(Duration::from_secs_f64(
                seconds.clamp(0.001, 3600.0),
            )));
        }
        let code = body["code"].as_i64().unwrap_or(0) as isize;
        let message = body["message"].as_str().unwrap_or_default();
        Err(classify(status, code, message))
    }
}

fn id<T: From<u64>>(raw: &str, what: &str) -> Result<T, SendError> {
    raw.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(T::from)
        .ok_or_else(|| SendError::Permanent(format!("{raw:?} is not a Discord {what} id")))
}

fn body(value: &impl serde::Serialize) -> Result<Option<Vec<u8>>, SendError> {
    serde_json::to_vec(value)
        .map(Some)
        .map_err(|e| SendError::Permanent(format!("the message could not be written: {e}")))
}

/// Opens the DM channel with a user.
pub async fn open_dm(rest: &Rest, user_id: &str) -> Result<String, SendError> {
    let user: UserId = id(user_id, "user")?;
    let request = Request::new(Route::UserMeDmChannels, LightMethod::Post)
        .body(body(&json!({ "recipient_id": user.to_string() }))?);
    let channel = rest.fire(request).await?;
    channel["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| SendError::Transient("Discord's DM channel came without an id".into()))
}

/// Posts `text` (and `chart`, as an attached file Discord shows inline) in `channel`; the
/// message's id.
async fn create_message(
    rest: &Rest,
    channel: ChannelId,
    text: &str,
    nonce: String,
    chart: Option<&Chart>,
) -> Result<String, SendError> {
    let mut create = CreateMessage::new()
        .nonce(Nonce::String(nonce))
        .enforce_nonce(true)
        // The outbox's texts name people by handle: they ping no one.
        .allowed_mentions(CreateAllowedMentions::new());
    if !text.is_empty() {
        create = create.content(text);
    }
    let request = Request::new(
        Route::ChannelMessages {
            channel_id: channel,
        },
        LightMethod::Post,
    );
    let request = match chart {
        None => request.body(body(&create)?),
        Some(chart) => {
            let payload_json = serde_json::to_string(&create).map_err(|e| {
                SendError::Permanent(format!("the message could not be written: {e}"))
            })?;
            request.multipart(Some(Multipart {
                upload: MultipartUpload::Attachments(vec![CreateAttachment::bytes(
                    chart.png.clone(),
                    chart.file_name.clone(),
                )]),
                fields: Vec::new(),
                payload_json: Some(payload_json),
            }))
        }
    };
    let sent = rest.fire(request).await?;
    sent["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| SendError::Transient("Discord's message came without an id".into()))
}

/// The nonce of a delivery: its id, which no other delivery has (Discord allows 25 characters).
pub fn nonce(delivery_id: i64) -> String {
    format!("d{delivery_id}")
}

pub async fn send(rest: &Rest, message: &Outgoing) -> Result<Delivered, SendError> {
    let delivered = |message_id: String| Delivered {
        platform: Platform::Discord,
        message_id,
    };
    match &message.address {
        Address::Channel { channel_id } | Address::Direct { channel_id, .. } => {
            let channel: ChannelId = id(channel_id, "channel")?;
            // A text longer than a message goes as several, cut between lines; the last carries
            // the first chart, and each further chart follows in a message of its own (serenity
            // numbers the files of a message only when it sends the message itself). Each
            // message has its own nonce, so a retry posts none of them twice.
            // Names and handles may hold markdown characters (`_ava_`): shown as written.
            let texts = split_message(&escape_discord_keeping_code(&message.text), CONTENT_LIMIT);
            let mut parts: Vec<(&str, Option<&Chart>)> =
                texts.iter().map(|t| (t.as_str(), None)).collect();
            let mut charts = message.charts.iter();
            if let Some(last) = parts.last_mut() {
                last.1 = charts.next();
            }
            parts.extend(charts.map(|c| ("", Some(c))));
            let mut first = None;
            for (n, (text, chart)) in parts.into_iter().enumerate() {
                let nonce = match n {
                    0 => nonce(message.delivery_id),
                    n => format!("{}.{}", nonce(message.delivery_id), n + 1),
                };
                let id = create_message(rest, channel, text, nonce, chart).await?;
                first.get_or_insert(id);
            }
            let first = first.unwrap_or_default();
            Ok(delivered(first))
        }
        Address::Membership {
            workspace_id,
            user_id,
            grant,
            role_id,
            ..
        } => {
            let tier = message.payload["tier"].as_str().unwrap_or_default();
            let Some(role_id) = role_id else {
                return Err(SendError::Permanent(format!(
                    "the {} role is not mapped on Discord: run `creator-bot discord setup`",
                    label(tier)
                )));
            };
            let guild: GuildId = id(workspace_id, "server")?;
            let user: UserId = id(user_id, "user")?;
            let role: RoleId = id(role_id, "role")?;
            let method = if *grant {
                LightMethod::Put
            } else {
                LightMethod::Delete
            };
            let route = Route::GuildMemberRole {
                guild_id: guild,
                user_id: user,
                role_id: role,
            };
            let mut headers = reqwest::header::HeaderMap::new();
            // "1-512 URL-encoded UTF-8 characters", as serenity writes it.
            let reason =
                utf8_percent_encode(&audit_reason(&message.payload), NON_ALPHANUMERIC).to_string();
            if let Ok(value) = reason.parse() {
                headers.insert("X-Audit-Log-Reason", value);
            }
            rest.fire(Request::new(route, method).headers(Some(headers)))
                .await?;
            let verb = if *grant { "granted" } else { "revoked" };
            Ok(delivered(format!("{verb}:{role_id}")))
        }
    }
}

fn label(tier: &str) -> String {
    tier.parse::<Tier>()
        .map_or_else(|_| tier.to_string(), |t| t.to_string())
}

/// What the server's audit log shows for a role change: `Tier change: Steady Earners → All-Stars`.
pub fn audit_reason(payload: &Value) -> String {
    let from = payload["from"].as_str().map(label);
    let to = payload["to"].as_str().map(label);
    match (from, to) {
        (Some(from), Some(to)) => format!("Tier change: {from} → {to}"),
        (None, Some(to)) => format!("Tier change: → {to}"),
        _ => format!(
            "Tier change ({})",
            label(payload["tier"].as_str().unwrap_or_default())
        ),
    }
}
