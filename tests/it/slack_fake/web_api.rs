//! The Web API at `/api/{method}`: reads parameters from a GET query, a form body or a JSON body
//! alike, checks the token, applies pending failures, records the call, and routes it to the
//! method's handler. Also the small methods (`auth.test`, `apps.connections.open`,
//! `users.info`) and the [`Reply`] every route answers with.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::failures::Failure;
use super::recording::{RecordedCall, TokenKind};
use super::state::World;
use super::{Shared, chat, conversations, files};

/// Large enough for any upload a test makes.
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// A method's answer: the fields of an `ok: true` reply, or a Slack error code.
pub type Answer = Result<Value, String>;

/// `Err(code)`, for handlers' early returns.
pub fn slack_error<T>(code: &str) -> Result<T, String> {
    Err(code.to_owned())
}

/// A response the fake gives.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: ReplyBody,
}

#[derive(Clone, Debug)]
pub enum ReplyBody {
    Json(Value),
    Bytes {
        content_type: String,
        bytes: Vec<u8>,
    },
}

impl Reply {
    pub fn json(status: u16, value: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Json(value),
        }
    }

    /// HTTP 200 with `{"ok": true, ...fields}` or `{"ok": false, "error": code}`.
    pub fn answer(answer: Answer) -> Self {
        match answer {
            Ok(mut fields) => {
                if !fields.is_object() {
                    fields = json!({});
                }
                fields["ok"] = json!(true);
                Reply::json(200, fields)
            }
            Err(code) => Reply::json(200, json!({ "ok": false, "error": code })),
        }
    }

    pub fn text(status: u16, content_type: &str, text: &str) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: ReplyBody::Bytes {
                content_type: content_type.to_owned(),
                bytes: text.as_bytes().to_vec(),
            },
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json_body(&self) -> Option<Value> {
        match &self.body {
            ReplyBody::Json(value) => Some(value.clone()),
            ReplyBody::Bytes { .. } => None,
        }
    }

    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::from_str(value),
            ) {
                headers.insert(name, value);
            }
        }
        match self.body {
            ReplyBody::Json(value) => (status, headers, axum::Json(value)).into_response(),
            ReplyBody::Bytes {
                content_type,
                bytes,
            } => {
                if let Ok(value) = HeaderValue::from_str(&content_type) {
                    headers.insert(header::CONTENT_TYPE, value);
                }
                (status, headers, bytes).into_response()
            }
        }
    }

    /// What a [`Failure`] answers (not [`Failure::Hang`], which answers normally later).
    pub fn failure(failure: &Failure) -> Self {
        match failure {
            Failure::RateLimited { retry_after_secs } => {
                Reply::json(429, json!({ "ok": false, "error": "ratelimited" }))
                    .header("retry-after", &retry_after_secs.to_string())
            }
            Failure::Server(status) => Reply::text(
                *status,
                "text/plain",
                &format!("fake: server error {status}"),
            ),
            Failure::Error(code) => Reply::answer(Err(code.clone())),
            Failure::MissingScope(needed) => Reply::json(
                200,
                json!({ "ok": false, "error": "missing_scope", "needed": needed,
                        "provided": "channels:read,chat:write,commands" }),
            ),
            Failure::Hang(_) => Reply::answer(Err("fake_hang".to_owned())),
        }
    }
}

/// A call's parameters, with Slack's lenient typing (strings, numbers, JSON arrays or
/// comma-separated lists, JSON given as a string in a form).
#[derive(Clone, Copy)]
pub struct Params<'a>(pub &'a Value);

impl<'a> Params<'a> {
    /// A parameter as a string (numbers and booleans too); `None` when absent or empty.
    pub fn str(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> bool {
        match self.0.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_u64() == Some(1),
            _ => false,
        }
    }

    pub fn u64(&self, name: &str) -> Option<u64> {
        self.str(name).and_then(|s| s.parse().ok())
    }

    /// A list given as a JSON array or a comma-separated string.
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A JSON parameter: as sent in a JSON body, or parsed from a form/query string.
    pub fn json(&self, name: &str) -> Option<Value> {
        match self.0.get(name)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` text (also a query string).
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let spaced = s.replace('+', " ");
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned()
    };
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (decode(key), decode(value)),
            None => (decode(pair), String::new()),
        })
        .collect()
}

/// The parameters of a request: query, then a form or JSON object body (later ones win).
pub fn merge_params(query: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Value {
    let mut params = Map::new();
    for (key, value) in form_pairs(query.unwrap_or_default()) {
        params.insert(key, Value::String(value));
    }
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) {
            params.extend(fields);
        }
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        for (key, value) in form_pairs(&String::from_utf8_lossy(body)) {
            params.insert(key, Value::String(value));
        }
    }
    Value::Object(params)
}

/// The token a request carries: `Authorization: Bearer`, else a `token` parameter.
pub fn token_of(headers: &HeaderMap, params: &Value, world: &World) -> TokenKind {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let token = bearer.or_else(|| params["token"].as_str().map(str::to_owned));
    match token {
        None => TokenKind::Missing,
        Some(t) if t.is_empty() => TokenKind::Missing,
        Some(t) if t == world.workspace.bot_token => TokenKind::Bot,
        Some(t) if t == world.workspace.app_token => TokenKind::App,
        Some(t) => TokenKind::Unknown(t),
    }
}

/// `/api/{method}`.
pub async fn handle(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    request: Request,
) -> Response {
    let at = Instant::now();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let params = merge_params(parts.uri.query(), content_type.as_deref(), &bytes);
    let token = token_of(&parts.headers, &params, &shared.world.lock().unwrap());
    let mut call = RecordedCall {
        seq: 0,
        at,
        method: method.clone(),
        http_method: parts.method.to_string(),
        params,
        token,
        content_type,
        status: 0,
        response: None,
        body: Vec::new(),
    };
    let reply = match shared.failures.take(&method, &call.params) {
        Some(Failure::Hang(duration)) => {
            shared.recorder.push(call.clone());
            shared.changes.bump();
            tokio::time::sleep(duration).await;
            let reply = route(&shared, &method, &call);
            shared.changes.bump();
            return reply.into_response();
        }
        Some(failure) => Reply::failure(&failure),
        None => route(&shared, &method, &call),
    };
    call.status = reply.status;
    call.response = reply.json_body();
    shared.recorder.push(call);
    shared.changes.bump();
    reply.into_response()
}

/// Checks the token for `method`, then runs it.
fn route(shared: &Shared, method: &str, call: &RecordedCall) -> Reply {
    let wants_app_token = method == "apps.connections.open";
    match &call.token {
        TokenKind::Missing => return Reply::answer(slack_error("not_authed")),
        TokenKind::Unknown(_) => return Reply::answer(slack_error("invalid_auth")),
        TokenKind::App if !wants_app_token && method != "auth.test" => {
            return Reply::answer(slack_error("not_allowed_token_type"));
        }
        TokenKind::Bot if wants_app_token => {
            return Reply::answer(slack_error("not_allowed_token_type"));
        }
        TokenKind::Bot | TokenKind::App => {}
    }
    if wants_app_token {
        return Reply::answer(shared.socket.open_url());
    }
    let params = Params(&call.params);
    let mut world = shared.world.lock().unwrap();
    let world = &mut *world;
    let answer = match method {
        "auth.test" => Ok(auth_test(world)),
        "users.info" => users_info(world, params),
        "conversations.list" => conversations::list(world, params),
        "conversations.create" => conversations::create(world, params),
        "conversations.join" => conversations::join(world, params),
        "conversations.info" => conversations::info(world, params),
        "conversations.members" => conversations::members(world, params),
        "conversations.invite" => conversations::invite(world, params),
        "conversations.kick" => conversations::kick(world, params),
        "conversations.open" => conversations::open(world, params),
        "chat.postMessage" => chat::post_message(world, params, call.at),
        "chat.postEphemeral" => chat::post_ephemeral(world, params, call.at),
        "files.getUploadURLExternal" => files::get_upload_url(world, params),
        "files.completeUploadExternal" => files::complete_upload(world, params, call.at),
        _ => {
            return Reply::json(
                404,
                json!({ "ok": false, "error": "unknown_method", "req_method": method }),
            );
        }
    };
    Reply::answer(answer)
}

fn auth_test(world: &World) -> Value {
    let ws = &world.workspace;
    json!({
        "url": ws.url(),
        "team": ws.team_name,
        "user": ws.find_user(&ws.bot_user_id).map_or("", |u| u.name.as_str()),
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": false,
    })
}

fn users_info(world: &World, params: Params) -> Answer {
    let user_id = params.str("user").ok_or("user_not_found")?;
    let user = world
        .workspace
        .find_user(&user_id)
        .ok_or("user_not_found")?;
    Ok(json!({ "user": user.to_json(&world.workspace.team_id) }))
}
