//! The Slack Web API as the adapter uses it: slack-morphism's client (straight to
//! `slack.api_url`; over plain HTTP when that URL is `http://`), called with the bot token and raw
//! JSON so every answer is read the same way, each call bounded in time. A failed call becomes an
//! [`ApiError`] naming the method and Slack's error code, never the token.
//!
//! slack-morphism's own rate control is not switched on: it would hold a dispatcher worker while
//! it waits out a 429. The sender paces each channel itself and hands a 429 back to the
//! dispatcher as a retry-after, which reschedules the delivery without holding anyone.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::Value;
use slack_morphism::api::SlackApiAppsConnectionOpenRequest;
use slack_morphism::errors::SlackClientError;
use slack_morphism::hyper_tokio::{SlackClientHyperConnector, SlackClientHyperHttpsConnector};
use slack_morphism::socket_mode::clients_manager::SlackSocketModeClientsManager;
use slack_morphism::{
    SlackApiToken, SlackApiTokenValue, SlackClient, SlackClientApiCallContext,
    SlackClientHttpConnector,
};

/// How long one Web API call may take before it counts as a timeout (retried).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The client over HTTPS (Slack itself) or plain HTTP (a local stand-in).
#[derive(Clone)]
enum Web {
    Https(Arc<SlackClient<SlackClientHyperHttpsConnector>>),
    Http(Arc<SlackClient<SlackClientHyperConnector<HttpConnector>>>),
}

/// Runs `$body` with `$c` bound to whichever client `$web` holds.
macro_rules! with_client {
    ($web:expr, $c:ident => $body:expr) => {
        match $web {
            Web::Https($c) => $body,
            Web::Http($c) => $body,
        }
    };
}

/// Why a Web API call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Slack answered `ok: false` with `code` (and, for `missing_scope`, the scope `needed`).
    Slack {
        method: String,
        code: String,
        needed: Option<String>,
    },
    /// HTTP 429: wait `retry_after` (Slack's Retry-After header) before trying again.
    RateLimited {
        method: String,
        retry_after: Option<Duration>,
    },
    /// Any other HTTP status.
    Status { method: String, status: u16 },
    /// No answer: the connection failed or the call timed out.
    Unreachable { method: String, detail: String },
    /// An answer that is not what Slack sends.
    Malformed { method: String, detail: String },
}

impl ApiError {
    /// Slack's error code (`channel_not_found`), if Slack answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Slack { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn method(&self) -> &str {
        match self {
            ApiError::Slack { method, .. }
            | ApiError::RateLimited { method, .. }
            | ApiError::Status { method, .. }
            | ApiError::Unreachable { method, .. }
            | ApiError::Malformed { method, .. } => method,
        }
    }

    fn of(method: &str, e: SlackClientError) -> ApiError {
        let method = method.to_string();
        match e {
            SlackClientError::ApiError(e) => {
                let needed = e
                    .http_response_body
                    .as_deref()
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                    .and_then(|b| b["needed"].as_str().map(str::to_string));
                if e.code == "ratelimited" {
                    return ApiError::RateLimited {
                        method,
                        retry_after: None,
                    };
                }
                ApiError::Slack {
                    method,
                    code: e.code,
                    needed,
                }
            }
            SlackClientError::RateLimitError(e) => ApiError::RateLimited {
                method,
                retry_after: e.retry_after,
            },
            SlackClientError::HttpError(e) => ApiError::Status {
                method,
                status: e.status_code.as_u16(),
            },
            SlackClientError::ProtocolError(e) => ApiError::Malformed {
                method,
                detail: e.json_error.to_string(),
            },
            SlackClientError::HttpProtocolError(e) => ApiError::Unreachable {
                method,
                detail: e
                    .cause
                    .as_deref()
                    .map_or_else(|| "no answer".into(), causes),
            },
            other => ApiError::Unreachable {
                method,
                detail: other.to_string(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Slack {
                method,
                code,
                needed: Some(needed),
            } => write!(f, "Slack's {method} answered {code} (needs {needed})"),
            ApiError::Slack { method, code, .. } => write!(f, "Slack's {method} answered {code}"),
            ApiError::RateLimited {
                method,
                retry_after,
            } => write!(
                f,
                "Slack's {method} is rate limited (retry after {retry_after:?})"
            ),
            ApiError::Status { method, status } => {
                write!(f, "Slack's {method} answered HTTP {status}")
            }
            ApiError::Unreachable { method, detail } => {
                write!(f, "Slack's {method} did not answer: {detail}")
            }
            ApiError::Malformed { method, detail } => {
                write!(
                    f,
                    "Slack's {method} answered something unreadable: {detail}"
                )
            }
        }
    }
}

impl std::error::Error for ApiError {}

/// The Web API with the bot token.
#[derive(Clone)]
pub struct Api {
    web: Web,
    token: SlackApiToken,
    /// Downloads files sent to the bot (`url_private_download`).
    files: reqwest::Client,
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Api { .. }")
    }
}

impl Api {
    /// The client for `api_base` (no trailing slash), with `bot_token`.
    pub fn new(api_base: &str, bot_token: &str) -> Result<Api> {
        let web = if api_base.starts_with("http://") {
            Web::Http(Arc::new(SlackClient::new(
                SlackClientHyperConnector::with_connector(HttpConnector::new())
                    .with_slack_api_url(api_base),
            )))
        } else {
            let connector = SlackClientHyperConnector::new()
                .context("loading the system's root certificates for Slack's HTTPS")?;
            Web::Https(Arc::new(SlackClient::new(
                connector.with_slack_api_url(api_base),
            )))
        };
        let files = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .context("preparing the file download client")?;
        Ok(Api {
            web,
            token: token(bot_token),
            files,
        })
    }

    /// A read method (`conversations.list`): GET with the parameters in the query.
    pub async fn get(&self, method: &str, params: &[(&str, &str)]) -> Result<Value, ApiError> {
        let params: Vec<(&str, Option<&str>)> =
            params.iter().map(|(k, v)| (*k, Some(*v))).collect();
        let call = async {
            with_client!(&self.web, c => {
                let session = c.open_session(&self.token);
                session.http_session_api.http_get::<Value, _, &str>(method, &params, None).await
            })
        };
        timed(method, call).await
    }

    /// A write method (`chat.postMessage`): POST with a JSON body.
    pub async fn post(&self, method: &str, body: &Value) -> Result<Value, ApiError> {
        let call = async {
            with_client!(&self.web, c => {
                let session = c.open_session(&self.token);
                session.http_session_api.http_post::<Value, Value>(method, body, None).await
            })
        };
        timed(method, call).await
    }

    /// Answers a slash command through its `response_url` (no token: the URL is the credential).
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), ApiError> {
        const METHOD: &str = "response_url";
        let url: url::Url = response_url.parse().map_err(|e| ApiError::Malformed {
            method: METHOD.into(),
            detail: format!("the response_url is not a URL: {e}"),
        })?;
        let span = tracing::Span::none();
        let context = || SlackClientApiCallContext {
            rate_control_params: None,
            token: None,
            tracing_span: &span,
            is_sensitive_url: true,
        };
        let call = async {
            with_client!(&self.web, c => {
                c.http_api.connector.http_post_uri::<Value, Value>(url.clone(), body, context()).await
            })
        };
        timed(METHOD, call).await.map(drop)
    }

    /// Sends `bytes` to an upload URL from `files.getUploadURLExternal`.
    pub async fn upload(&self, upload_url: &str, bytes: &[u8]) -> Result<(), ApiError> {
        const METHOD: &str = "file upload";
        let url: url::Url = upload_url.parse().map_err(|e| ApiError::Malformed {
            method: METHOD.into(),
            detail: format!("the upload URL is not a URL: {e}"),
        })?;
        let call = async {
            with_client!(&self.web, c => {
                let session = c.open_session(&self.token);
                session
                    .http_session_api
                    .http_post_uri_binary::<Value>(url.clone(), "application/octet-stream".into(), bytes, None)
                    .await
            })
        };
        timed(METHOD, call).await.map(drop)
    }

    /// Uploads a file (`files.getUploadURLExternal`, the bytes, `files.completeUploadExternal`,
    /// shared nowhere: an image block shows it) and returns its id.
    pub async fn upload_file(
        &self,
        file_name: &str,
        title: &str,
        bytes: &[u8],
    ) -> Result<String, ApiError> {
        let length = bytes.len().to_string();
        let slot = self
            .get(
                "files.getUploadURLExternal",
                &[("filename", file_name), ("length", &length)],
            )
            .await?;
        let malformed = |what: &str| ApiError::Malformed {
            method: "files.getUploadURLExternal".into(),
            detail: format!("no {what} in the answer"),
        };
        let url = slot["upload_url"]
            .as_str()
            .ok_or_else(|| malformed("upload_url"))?;
        let id = slot["file_id"]
            .as_str()
            .ok_or_else(|| malformed("file_id"))?;
        self.upload(url, bytes).await?;
        self.post(
            "files.completeUploadExternal",
            &serde_json::json!({ "files": [{ "id": id, "title": title }] }),
        )
        .await?;
        Ok(id.to_string())
    }

    /// Downloads a file sent to the bot, refusing more than `limit` bytes.
    pub async fn download(&self, url: &str, limit: u64) -> Result<Vec<u8>, ApiError> {
        const METHOD: &str = "file download";
        let unreachable = |detail: String| ApiError::Unreachable {
            method: METHOD.into(),
            detail,
        };
        let mut response = self
            .files
            .get(url)
            .bearer_auth(self.token.token_value.0.as_str())
            .send()
            .await
            .map_err(|e| unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        if status == 429 {
            return Err(ApiError::RateLimited {
                method: METHOD.into(),
                retry_after: None,
            });
        }
        if !(200..300).contains(&status) {
            return Err(ApiError::Status {
                method: METHOD.into(),
                status,
            });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unreachable(e.without_url().to_string()))?
        {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limit {
                return Err(ApiError::Malformed {
                    method: METHOD.into(),
                    detail: format!("the file is larger than {limit} bytes"),
                });
            }
        }
        Ok(bytes)
    }

    /// A Socket Mode websocket URL (`apps.connections.open`, with the app-level token).
    pub async fn open_socket_url(&self, app_token: &SlackApiToken) -> Result<String, ApiError> {
        const METHOD: &str = "apps.connections.open";
        let call = async {
            with_client!(&self.web, c => {
                c.open_session(app_token)
                    .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
                    .await
            })
        };
        timed(METHOD, call).await.map(|r| r.url.0.to_string())
    }

    /// Socket Mode's connection manager over this client (see [`super::wss`]).
    pub fn socket_manager(&self) -> Arc<dyn SlackSocketModeClientsManager + Send + Sync> {
        Arc::new(super::wss::Sockets::new(self.clone()))
    }
}

/// An error and its causes, `outer: inner: innermost` (a connection refused, a TLS failure).
fn causes(e: &(dyn std::error::Error + Send + Sync)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// A token as slack-morphism takes it (its Debug shows only the length).
pub fn token(value: &str) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue(value.to_string()))
}

async fn timed<T>(
    method: &str,
    call: impl Future<Output = Result<T, SlackClientError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, call).await {
        Ok(result) => result.map_err(|e| ApiError::of(method, e)),
        Err(_) => Err(ApiError::Unreachable {
            method: method.to_string(),
            detail: format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
        }),
    }
}
