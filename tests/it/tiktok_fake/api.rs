//! Every request: recorded, then an injected fault, the token endpoints, the rate limit, the
//! API host's checks in order, and the endpoint; answered in the `{code, message, request_id,
//! data}` envelope.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::failures::Fault;
use super::model::{APP_KEY, SHOP_CIPHER, unix_now};
use super::recording::RecordedCall;
use super::signing::{decode_query, signature};
use super::{Shared, catalog, orders};

pub const BODY_LIMIT: usize = 1 << 20;
pub const ACCESS_TOKEN_HEADER: &str = "x-tts-access-token";
/// Parameter errors (page size, time range, page token, body, content type...).
pub const INVALID_PARAMS: i64 = 36009003;

/// An error answer: HTTP `status` with `{code, message, request_id}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: i64,
    pub message: String,
}

impl ApiError {
    /// HTTP 200 with this code, as the API answers most errors.
    pub fn new(code: i64, message: &str) -> ApiError {
        ApiError {
            status: 200,
            code,
            message: message.to_owned(),
        }
    }

    pub fn params(message: &str) -> ApiError {
        ApiError::new(INVALID_PARAMS, message)
    }
}

/// What goes back, and what the recording notes of it.
struct Answer {
    status: u16,
    code: Option<i64>,
    content_type: &'static str,
    body: Vec<u8>,
}

/// The one handler behind every path.
pub async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let at = Instant::now();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = decode_query(parts.uri.query().unwrap_or(""));
    let token = parts
        .headers
        .get(ACCESS_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let seq = shared.recorder.push(RecordedCall {
        seq: 0,
        at,
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        token: token.clone(),
        status: 0,
        code: None,
    });
    let request = Incoming {
        at,
        method: parts.method.as_str(),
        path: &path,
        query: &query,
        token: token.as_deref(),
        content_type: content_type.as_deref(),
        body: &body,
    };
    let answer = answer(&shared, &request).await;
    shared.recorder.answered(seq, answer.status, answer.code);
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    response.into_response()
}

pub struct Incoming<'a> {
    at: Instant,
    method: &'a str,
    path: &'a str,
    query: &'a [(String, String)],
    token: Option<&'a str>,
    content_type: Option<&'a str>,
    body: &'a [u8],
}

impl Incoming<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The API host's endpoints.
enum Endpoint {
    Shops,
    Orders,
    Product(String),
    Samples,
    Fulfillments(String),
}

fn route(method: &str, path: &str) -> Option<Endpoint> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["authorization", "202309", "shops"]) => Some(Endpoint::Shops),
        ("POST", ["affiliate_seller", "202410", "orders", "search"]) => Some(Endpoint::Orders),
        ("GET", ["product", "202309", "products", id]) if !id.is_empty() => {
            Some(Endpoint::Product((*id).to_owned()))
        }
        (
            "POST",
            [
                "affiliate_seller",
                "202508",
                "sample_applications",
                "search",
            ],
        ) => Some(Endpoint::Samples),
        (
            "POST",
            [
                "affiliate_seller",
                "202409",
                "sample_applications",
                id,
                "fulfillments",
                "search",
            ],
        ) => Some(Endpoint::Fulfillments((*id).to_owned())),
        _ => None,
    }
}

async fn answer(shared: &Shared, request: &Incoming<'_>) -> Answer {
    match shared.faults.take(request.path) {
        Some(Fault::RateLimited) => return error(shared, &rate_limited()),
        Some(Fault::Server(status)) => {
            return Answer {
                status,
                code: None,
                content_type: "text/plain; charset=utf-8",
                body: format!("{status} upstream unavailable").into_bytes(),
            };
        }
        Some(Fault::ExpiredToken) => {
            return error(shared, &ApiError::new(105002, "access token expired"));
        }
        Some(Fault::Malformed) => {
            return Answer {
                status: 200,
                code: None,
                content_type: "application/json",
                body: b"{\"code\":0,\"message\":\"Success\",\"data\":{\"orders\":[".to_vec(),
            };
        }
        Some(Fault::Hang(duration)) => tokio::time::sleep(duration).await,
        None => {}
    }
    let result = match request.path {
        "/api/v2/token/get" if request.method == "GET" => {
            shared.world.lock().unwrap().auth.token_get(request.query)
        }
        "/api/v2/token/refresh" if request.method == "GET" => shared
            .world
            .lock()
            .unwrap()
            .auth
            .token_refresh(request.query),
        _ => {
            return match api_call(shared, request) {
                Ok(data) => success(shared, &data),
                Err(e) => error(shared, &e),
            };
        }
    };
    match result {
        Ok(data) => success(shared, &serde_json::to_vec(&data).expect("JSON")),
        Err(e) => error(shared, &e),
    }
}

fn rate_limited() -> ApiError {
    ApiError {
        status: 429,
        code: 36009002,
        message: "Too many requests".to_owned(),
    }
}

/// The checks in order, then the endpoint; `Ok` is the `data` JSON.
fn api_call(shared: &Shared, request: &Incoming<'_>) -> Result<Vec<u8>, ApiError> {
    let endpoint = route(request.method, request.path).ok_or(ApiError {
        status: 404,
        code: 404,
        message: format!("no API {} {}", request.method, request.path),
    })?;
    if !shared.rate.admit(request.at) {
        return Err(rate_limited());
    }
    if request.param("app_key") != Some(APP_KEY) {
        return Err(ApiError::new(106002, "invalid app_key"));
    }
    let now = unix_now();
    match request
        .param("timestamp")
        .and_then(|t| t.parse::<i64>().ok())
    {
        Some(t) if t >= now - 300 && t <= now + 30 => {}
        _ => return Err(ApiError::new(36009004, "invalid timestamp")),
    }
    let body: &[u8] = if request.method == "GET" {
        &[]
    } else {
        request.body
    };
    let pairs = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    if request.param("sign") != Some(signature(request.path, pairs, body).as_str()) {
        return Err(ApiError::new(106001, "invalid sign"));
    }
    let world = shared.world.lock().unwrap();
    world.auth.check_access(request.token)?;
    if !matches!(endpoint, Endpoint::Shops) && request.param("shop_cipher") != Some(SHOP_CIPHER) {
        return Err(ApiError::new(106011, "invalid shop_cipher"));
    }
    let json = if request.method == "POST" {
        let is_json = request
            .content_type
            .and_then(|t| t.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::params("content-type must be application/json"));
        }
        if request.body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice::<Value>(request.body)
                .ok()
                .filter(Value::is_object)
                .ok_or_else(|| ApiError::params("the body is not a JSON object"))?
        }
    } else {
        Value::Null
    };
    match endpoint {
        Endpoint::Shops => Ok(catalog::shops()),
        Endpoint::Orders => orders::search(&world.lines, request, &json),
        Endpoint::Product(id) => catalog::product(&world, &id),
        Endpoint::Samples => catalog::samples(&world, request, &json),
        Endpoint::Fulfillments(id) => catalog::fulfillments(&world, &id, &json),
    }
}

fn request_id(shared: &Shared) -> String {
    let n = shared.request_ids.fetch_add(1, Ordering::Relaxed);
    format!("{}{n:012X}", chrono::Utc::now().format("%Y%m%d%H%M%S"))
}

fn success(shared: &Shared, data: &[u8]) -> Answer {
    let mut body = Vec::with_capacity(data.len() + 96);
    body.extend_from_slice(b"{\"code\":0,\"message\":\"Success\",\"request_id\":\"");
    body.extend_from_slice(request_id(shared).as_bytes());
    body.extend_from_slice(b"\",\"data\":");
    body.extend_from_slice(data);
    body.push(b'}');
    Answer {
        status: 200,
        code: Some(0),
        content_type: "application/json",
        body,
    }
}

fn error(shared: &Shared, e: &ApiError) -> Answer {
    let body = serde_json::json!({
        "code": e.code,
        "message": e.message,
        "request_id": request_id(shared),
    });
    Answer {
        status: e.status,
        code: Some(e.code),
        content_type: "application/json",
        body: serde_json::to_vec(&body).expect("JSON"),
    }
}
