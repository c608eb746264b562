//! The HTTP client of the TikTok Shop Open API: every call signed ([`super::sign`]) with a fresh
//! timestamp, paced to `tiktok.requests_per_second`, and tried again with backoff after the rate
//! limit (36009002 / HTTP 429), a 5xx, a timeout or an unreadable answer — re-signed each time.
//! Errors never carry the app secret or a token: reqwest's errors are stripped of their URL.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::Method;
use serde_json::Value;

use crate::config::tiktok::TikTokConfig;

/// TikTok's codes the bot acts on.
pub mod code {
    /// The access token expired: refresh it and try again.
    pub const ACCESS_TOKEN_EXPIRED: i64 = 105002;
    /// The seller revoked the authorization (or the token is unknown).
    pub const AUTHORIZATION_REVOKED: i64 = 105001;
    /// The app lacks a scope the call needs.
    pub const MISSING_SCOPE: i64 = 105005;
    /// Too many requests.
    pub const RATE_LIMITED: i64 = 36009002;
    /// The authorization code is wrong or was used already.
    pub const BAD_AUTH_CODE: i64 = 36004004;
    /// The refresh token is unknown or was rotated away.
    pub const UNKNOWN_REFRESH_TOKEN: i64 = 36004005;
    /// The refresh token expired.
    pub const REFRESH_TOKEN_EXPIRED: i64 = 36004001;
}

/// Why a call failed (after its retries, for the kinds that are retried).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("TikTok Shop answered code {code}: {message} (request {request_id})")]
    Code {
        code: i64,
        message: String,
        request_id: String,
    },
    #[error("TikTok Shop's rate limit was hit (code 36009002) and did not clear")]
    RateLimited,
    #[error("TikTok Shop answered HTTP {0}")]
    Server(u16),
    #[error("TikTok Shop could not be reached: {0}")]
    Transport(String),
    #[error("TikTok Shop's answer could not be read: {0}")]
    Malformed(String),
}

impl ApiError {
    /// Worth another try after a pause.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Code { code, .. } => *code == code::RATE_LIMITED,
            ApiError::RateLimited
            | ApiError::Server(_)
            | ApiError::Transport(_)
            | ApiError::Malformed(_) => true,
        }
    }

    /// `code 105001: invalid access token` (the request id left out), for staff.
    pub fn brief(&self) -> String {
        match self {
            ApiError::Code { code, message, .. } if message.is_empty() => format!("code {code}"),
            ApiError::Code { code, message, .. } => format!("code {code}: {message}"),
            other => other.to_string(),
        }
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            ApiError::Code { code, .. } => Some(*code),
            ApiError::RateLimited => Some(code::RATE_LIMITED),
            _ => None,
        }
    }

    /// The access token expired (one refresh and a retry fixes it).
    pub fn is_expired_token(&self) -> bool {
        self.code() == Some(code::ACCESS_TOKEN_EXPIRED)
    }

    /// The authorization is gone: only the seller connecting again helps.
    pub fn is_authorization_lost(&self) -> bool {
        matches!(
            self.code(),
            Some(
                code::AUTHORIZATION_REVOKED
                    | code::UNKNOWN_REFRESH_TOKEN
                    | code::REFRESH_TOKEN_EXPIRED
                    | code::MISSING_SCOPE
            )
        )
    }
}

/// What a signed call is made on behalf of: the access token, and the shop for shop calls.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub access_token: &'a str,
    pub shop_cipher: Option<&'a str>,
}

/// The Open API client of one app; one per program's shop (the rate limit is per app and shop).
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    app_key: String,
    secret: Arc<str>,
    api_base: String,
    auth_base: String,
    limiter: Arc<DefaultDirectRateLimiter>,
    /// Attempts per call (the first and its retries).
    attempts: usize,
    backoff_base: Duration,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("app_key", &self.app_key)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// A call's attempts: the first try and two more.
pub const ATTEMPTS: usize = 3;

impl Api {
    /// A client with its own pace; [`Api::with_limiter`] shares one between clients.
    pub fn new(config: &TikTokConfig, app_key: &str, secret: &str) -> Api {
        Api::with_limiter(config, app_key, secret, Api::limiter(config))
    }

    /// The pace of `tiktok.requests_per_second`, spread evenly (no bursts), so no one-second
    /// window sees more than the rate.
    pub fn limiter(config: &TikTokConfig) -> Arc<DefaultDirectRateLimiter> {
        let per_second = NonZeroU32::new(config.requests_per_second).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(per_second).allow_burst(NonZeroU32::MIN);
        Arc::new(RateLimiter::direct(quota))
    }

    /// A client paced by `limiter` (shared by every client of the same shop in this process).
    pub fn with_limiter(
        config: &TikTokConfig,
        app_key: &str,
        secret: &str,
        limiter: Arc<DefaultDirectRateLimiter>,
    ) -> Api {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(u64::from(config.timeout_seconds)))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("the HTTP client builds with rustls");
        Api {
            http,
            app_key: app_key.to_string(),
            secret: Arc::from(secret),
            api_base: config.api_base().to_string(),
            auth_base: config.auth_base().to_string(),
            limiter,
            attempts: ATTEMPTS,
            backoff_base: Duration::from_millis(500),
        }
    }

    /// Shorter pauses between tries (tests and benchmarks).
    pub fn with_backoff_base(mut self, base: Duration) -> Api {
        self.backoff_base = base;
        self
    }

    pub fn app_key(&self) -> &str {
        &self.app_key
    }

    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.backoff_base)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.attempts.saturating_sub(1))
    }

    /// A signed call to the Open API; answers the envelope's `data`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        caller: Caller<'_>,
    ) -> Result<Value, ApiError> {
        let body = body.map(|b| serde_json::to_vec(b).expect("a JSON value serializes"));
        (|| self.attempt(method.clone(), path, query, body.as_deref(), caller))
            .retry(self.backoff())
            .when(ApiError::is_transient)
            .notify(|e, pause| {
                tracing::warn!(
                    path,
                    "TikTok Shop call failed, trying again in {pause:?}: {e}"
                )
            })
            .await
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&[u8]>,
        caller: Caller<'_>,
    ) -> Result<Value, ApiError> {
        self.limiter.until_ready().await;
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let mut params: Vec<(&str, &str)> = vec![
            ("app_key", self.app_key.as_str()),
            ("timestamp", timestamp.as_str()),
        ];
        if let Some(cipher) = caller.shop_cipher {
            params.push(("shop_cipher", cipher));
        }
        params.extend_from_slice(query);
        let sign = super::sign::sign(&self.secret, path, &params, body.unwrap_or_default());
        params.push(("sign", sign.as_str()));
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.api_base))
            .query(&params)
            .header("x-tts-access-token", caller.access_token);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = request.send().await.map_err(transport)?;
        envelope(response).await
    }

    /// An unsigned call to the token host (`/api/v2/token/...`).
    pub async fn token_call(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, ApiError> {
        (|| async {
            let mut params: Vec<(&str, &str)> = vec![
                ("app_key", self.app_key.as_str()),
                ("app_secret", &self.secret),
            ];
            params.extend_from_slice(query);
            let response = self
                .http
                .get(format!("{}{path}", self.auth_base))
                .query(&params)
                .send()
                .await
                .map_err(transport)?;
            envelope(response).await
        })
        .retry(self.backoff())
        .when(ApiError::is_transient)
        .await
    }
}

/// reqwest's error without its URL (which holds the app secret on token calls).
fn transport(e: reqwest::Error) -> ApiError {
    let timeout = e.is_timeout();
    let e = e.without_url();
    if timeout {
        ApiError::Transport(format!("no answer in time ({e})"))
    } else {
        ApiError::Transport(e.to_string())
    }
}

/// `{code, message, request_id, data}`: `data` when `code` is 0.
async fn envelope(response: reqwest::Response) -> Result<Value, ApiError> {
    let status = response.status();
    let bytes = response.bytes().await.map_err(transport)?;
    let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
    let code = parsed
        .as_ref()
        .and_then(|v| v.get("code"))
        .and_then(Value::as_i64);
    if status.as_u16() == 429 || code == Some(code::RATE_LIMITED) {
        return Err(ApiError::RateLimited);
    }
    if status.is_server_error() {
        return Err(ApiError::Server(status.as_u16()));
    }
    let Some(mut v) = parsed else {
        return Err(ApiError::Malformed(format!(
            "HTTP {status}, {} bytes that are not JSON",
            bytes.len()
        )));
    };
    match code {
        Some(0) => Ok(v.get_mut("data").map(Value::take).unwrap_or(Value::Null)),
        Some(code) => Err(ApiError::Code {
            code,
            message: v
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            request_id: v
                .get("request_id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        }),
        None => Err(ApiError::Malformed(format!("HTTP {status} without a code"))),
    }
}
