//! The REST side of the fake: reads and records each request, applies pending failures, routes
//! `/api/v10/...` to the handlers, serves `/attachments/...`, and answers the small routes
//! (gateway URL, the bot user, the application, command registration) itself.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::model::{APPLICATION_ID, next_snowflake};
use super::recording::{RecordedBody, RecordedFile, RecordedRequest, percent_decode};
use super::state::World;
use super::{guild_routes, message_routes, wire};

/// Large enough for any upload Discord accepts.
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// A response the fake gives.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: ReplyBody,
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub enum ReplyBody {
    Empty,
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
            body: ReplyBody::Json(value),
            headers: Vec::new(),
        }
    }

    pub fn ok(value: Value) -> Self {
        Reply::json(200, value)
    }

    pub fn no_content() -> Self {
        Reply {
            status: 204,
            body: ReplyBody::Empty,
            headers: Vec::new(),
        }
    }

    /// A Discord JSON error: `{"message", "code"}`.
    pub fn error(status: u16, code: i64, message: &str) -> Self {
        Reply::json(status, wire::error(code, message))
    }

    /// Discord's answer to a route it does not have.
    pub fn not_found() -> Self {
        Reply::error(404, 0, "404: Not Found")
    }

    /// 400 / 50035 "Invalid Form Body" with one error at a dotted `path` (`embeds.0.title`).
    pub fn invalid_form(path: &str, code: &str, message: &str) -> Self {
        let mut errors = json!({ "_errors": [{ "code": code, "message": message }] });
        for key in path.rsplit('.') {
            errors = json!({ key: errors });
        }
        Reply::json(
            400,
            json!({ "message": "Invalid Form Body", "code": 50035, "errors": errors }),
        )
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn json_body(&self) -> Option<Value> {
        match &self.body {
            ReplyBody::Json(value) => Some(value.clone()),
            _ => None,
        }
    }

    fn into_response(self) -> Response {
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
            ReplyBody::Empty => (status, headers).into_response(),
            ReplyBody::Json(value) => (status, headers, axum::Json(value)).into_response(),
            ReplyBody::Bytes {
                content_type,
                bytes,
            } => {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_str(&content_type).unwrap(),
                );
                (status, headers, bytes).into_response()
            }
        }
    }
}

/// A route's answer; `Err` carries an error reply so handlers can use `?`.
pub type Answer = Result<Reply, Reply>;

/// A REST request as the handlers see it.
pub struct Req {
    pub method: String,
    /// Without `/api/v10`.
    pub path: String,
    pub query: Option<String>,
    pub body: RecordedBody,
}

impl Req {
    /// The JSON sent (the body or `payload_json`), `null` when none.
    pub fn json(&self) -> Value {
        match &self.body {
            RecordedBody::Json(value) => value.clone(),
            RecordedBody::Multipart { payload_json, .. } => {
                payload_json.clone().unwrap_or(Value::Null)
            }
            _ => Value::Null,
        }
    }

    pub fn files(&self) -> &[RecordedFile] {
        match &self.body {
            RecordedBody::Multipart { files, .. } => files,
            _ => &[],
        }
    }

    pub fn query_has(&self, key: &str, value: &str) -> bool {
        let wanted = format!("{key}={value}");
        self.query
            .as_deref()
            .is_some_and(|q| q.split('&').any(|pair| pair == wanted))
    }
}

/// A gateway dispatch a route causes, sent once the world is unlocked.
pub struct Event {
    pub name: &'static str,
    pub data: Value,
    /// Sessions get it only if they identified with one of these intents (0: every session).
    pub intents: u64,
}

/// What a handler works on.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub req: &'a Req,
    pub events: Vec<Event>,
}

impl Ctx<'_> {
    pub fn emit(&mut self, name: &'static str, data: Value, intents: u64) {
        self.events.push(Event {
            name,
            data,
            intents,
        });
    }
}

/// A path segment as a snowflake; anything else is a route Discord does not have.
pub fn snowflake(segment: &str) -> Result<u64, Reply> {
    segment.parse().map_err(|_| Reply::not_found())
}

/// The axum fallback: every HTTP request except the gateway websocket.
pub async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let at = Instant::now();
    let method = request.method().as_str().to_owned();
    let version = format!("{:?}", request.version());
    let uri = request.uri().clone();
    let headers = selected_headers(request.headers());
    let authorized = request.headers().contains_key(header::AUTHORIZATION);
    let body = read_body(request).await;
    let full_path = uri.path().to_owned();
    let req = Req {
        method,
        path: full_path
            .strip_prefix("/api/v10")
            .unwrap_or(&full_path)
            .to_owned(),
        query: uri.query().map(str::to_owned),
        body,
    };
    let (reply, known) = if full_path.starts_with("/api/v10/") {
        api(&shared, &req, authorized)
    } else if let Some(key) = full_path.strip_prefix("/attachments/") {
        (serve_file(&shared, &percent_decode(key)), true)
    } else {
        (Reply::not_found(), false)
    };
    shared.recorder.push(RecordedRequest {
        seq: 0,
        at,
        method: req.method,
        version,
        path: req.path,
        query: req.query,
        headers,
        body: req.body,
        status: reply.status,
        response: reply.json_body(),
        known_route: known,
    });
    shared.changes.bump();
    reply.into_response()
}

/// Answers an API request; the flag says whether the route exists.
fn api(shared: &Shared, req: &Req, authorized: bool) -> (Reply, bool) {
    if !authorized {
        return (Reply::error(401, 0, "401: Unauthorized"), true);
    }
    if let Some(failure) = shared.failures.take(&req.method, &req.path) {
        return (failure.reply(), true);
    }
    let mut world = shared.world.lock().unwrap();
    let mut ctx = Ctx {
        world: &mut world,
        req,
        events: Vec::new(),
    };
    let answer = route(&mut ctx);
    let events = std::mem::take(&mut ctx.events);
    drop(world);
    for event in events {
        shared
            .gateway
            .dispatch(event.name, event.data, event.intents);
    }
    match answer {
        Some(answer) => (answer.unwrap_or_else(|e| e), true),
        None => (Reply::not_found(), false),
    }
}

/// The route table; `None` for a route the fake does not have.
fn route(ctx: &mut Ctx) -> Option<Answer> {
    let path = ctx.req.path.clone();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = ctx.req.method.clone();
    Some(match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => Ok(gateway_url(ctx, false)),
        ("GET", ["gateway", "bot"]) => Ok(gateway_url(ctx, true)),
        ("GET", ["users", "@me"]) => Ok(Reply::ok(wire::current_user())),
        ("GET", ["oauth2", "applications", "@me"]) => Ok(Reply::ok(wire::application())),
        ("PUT", ["applications", app, "guilds", guild, "commands"]) => {
            overwrite_commands(ctx, app, guild)
        }
        ("GET", ["applications", app, "guilds", guild, "commands"]) => {
            list_commands(ctx, app, guild)
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            message_routes::callback(ctx, id, token)
        }
        ("GET", ["webhooks", app, token, "messages", "@original"]) => {
            message_routes::get_original(ctx, app, token)
        }
        ("PATCH", ["webhooks", app, token, "messages", "@original"]) => {
            message_routes::edit_original(ctx, app, token)
        }
        ("DELETE", ["webhooks", app, token, "messages", "@original"]) => {
            message_routes::delete_original(ctx, app, token)
        }
        ("POST", ["webhooks", app, token]) => message_routes::followup(ctx, app, token),
        ("POST", ["users", "@me", "channels"]) => message_routes::open_dm(ctx),
        ("POST", ["channels", channel, "messages"]) => message_routes::create_message(ctx, channel),
        ("GET", ["channels", channel]) => guild_routes::get_channel(ctx, channel),
        ("PATCH", ["channels", channel]) => guild_routes::edit_channel(ctx, channel),
        ("PUT", ["channels", channel, "permissions", target]) => {
            guild_routes::put_overwrite(ctx, channel, target)
        }
        ("DELETE", ["channels", channel, "permissions", target]) => {
            guild_routes::delete_overwrite(ctx, channel, target)
        }
        ("GET", ["guilds", guild]) => guild_routes::get_guild(ctx, guild),
        ("GET", ["guilds", guild, "roles"]) => guild_routes::list_roles(ctx, guild),
        ("POST", ["guilds", guild, "roles"]) => guild_routes::create_role(ctx, guild),
        ("PATCH", ["guilds", guild, "roles"]) => guild_routes::move_roles(ctx, guild),
        ("GET", ["guilds", guild, "channels"]) => guild_routes::list_channels(ctx, guild),
        ("POST", ["guilds", guild, "channels"]) => guild_routes::create_channel(ctx, guild),
        ("GET", ["guilds", guild, "members", user]) => guild_routes::get_member(ctx, guild, user),
        ("PUT", ["guilds", guild, "members", user, "roles", role]) => {
            guild_routes::member_role(ctx, guild, user, role, true)
        }
        ("DELETE", ["guilds", guild, "members", user, "roles", role]) => {
            guild_routes::member_role(ctx, guild, user, role, false)
        }
        _ => return None,
    })
}

fn gateway_url(ctx: &Ctx, bot: bool) -> Reply {
    let url = format!(
        "{}/gateway",
        ctx.world.base_url.replacen("http://", "ws://", 1)
    );
    if !bot {
        return Reply::ok(json!({ "url": url }));
    }
    Reply::ok(json!({
        "url": url,
        "shards": 1,
        "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1 },
    }))
}

/// Discord answers 403 / 50001 when the application id in the path is not the bot's.
fn check_application(app: &str) -> Result<(), Reply> {
    if app == APPLICATION_ID.to_string() {
        Ok(())
    } else {
        Err(Reply::error(403, 50001, "Missing Access"))
    }
}

fn overwrite_commands(ctx: &mut Ctx, app: &str, guild: &str) -> Answer {
    check_application(app)?;
    let guild_id = snowflake(guild)?;
    ctx.world
        .guild(guild_id)
        .ok_or_else(|| Reply::error(404, 10004, "Unknown Guild"))?;
    let Value::Array(sent) = ctx.req.json() else {
        return Err(Reply::invalid_form(
            "_root",
            "BASE_TYPE_ARRAY",
            "Must be an array.",
        ));
    };
    let version = next_snowflake();
    let mut stored = Vec::new();
    for (index, command) in sent.iter().enumerate() {
        let Some(name) = command.get("name").and_then(Value::as_str) else {
            return Err(Reply::invalid_form(
                &format!("{index}.name"),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            ));
        };
        let id = *ctx
            .world
            .command_ids
            .entry((guild_id, name.to_owned()))
            .or_insert_with(next_snowflake);
        stored.push(wire::command(command, id, guild_id, version));
    }
    ctx.world.commands.insert(guild_id, stored.clone());
    Ok(Reply::ok(Value::Array(stored)))
}

fn list_commands(ctx: &mut Ctx, app: &str, guild: &str) -> Answer {
    check_application(app)?;
    let guild_id = snowflake(guild)?;
    Ok(Reply::ok(Value::Array(
        ctx.world
            .commands
            .get(&guild_id)
            .cloned()
            .unwrap_or_default(),
    )))
}

fn serve_file(shared: &Shared, key: &str) -> Reply {
    match shared.world.lock().unwrap().files.get(key) {
        Some(file) => Reply {
            status: 200,
            body: ReplyBody::Bytes {
                content_type: file.content_type.clone(),
                bytes: file.bytes.clone(),
            },
            headers: Vec::new(),
        },
        None => Reply::not_found(),
    }
}

/// The headers a test may want to assert on, the audit-log reason URL-decoded.
fn selected_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut kept = BTreeMap::new();
    for name in [
        "authorization",
        "content-type",
        "user-agent",
        "x-audit-log-reason",
    ] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            let value = if name == "x-audit-log-reason" {
                percent_decode(value)
            } else {
                value.to_owned()
            };
            kept.insert(name.to_owned(), value);
        }
    }
    kept
}

async fn read_body(request: Request) -> RecordedBody {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("multipart/form-data") {
        return match Multipart::from_request(request, &()).await {
            Ok(multipart) => read_multipart(multipart).await,
            Err(_) => RecordedBody::Raw(Vec::new()),
        };
    }
    let bytes = axum::body::to_bytes(Body::new(request.into_body()), BODY_LIMIT)
        .await
        .unwrap_or_default();
    if bytes.is_empty() {
        RecordedBody::Empty
    } else {
        serde_json::from_slice(&bytes)
            .map_or_else(|_| RecordedBody::Raw(bytes.to_vec()), RecordedBody::Json)
    }
}

async fn read_multipart(mut multipart: Multipart) -> RecordedBody {
    let (mut payload_json, mut fields, mut files) = (None, Vec::new(), Vec::new());
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or("").to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.unwrap_or_default().to_vec();
        match filename {
            Some(filename) => files.push(RecordedFile {
                field: name,
                filename,
                content_type,
                bytes,
            }),
            None if name == "payload_json" => payload_json = serde_json::from_slice(&bytes).ok(),
            None => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    RecordedBody::Multipart {
        payload_json,
        fields,
        files,
    }
}
