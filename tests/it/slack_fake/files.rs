//! Files both ways. The bot uploads as Slack's external flow wants (`files.getUploadURLExternal`,
//! POST the bytes to `/upload/v1/{key}`, `files.completeUploadExternal`); users' files are
//! hosted at `/files-pri/...` and download only with the bot token, like `url_private_download`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header;
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::chat::destination;
use super::recording::{RecordedCall, TokenKind};
use super::state::{PostedMessage, UploadedFile, World};
use super::web_api::{Answer, BODY_LIMIT, Params, Reply, merge_params, slack_error, token_of};

/// Slack's limit for one file (1 GB); larger `length`s are refused.
const MAX_FILE_LENGTH: u64 = 1024 * 1024 * 1024;

/// A MIME type from a file name, for the few kinds the bot handles.
pub fn mimetype_of(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => "text/csv",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// A complete file object (`files.info` shape) for a file served at `url`.
pub fn file_json(
    world: &World,
    id: &str,
    name: &str,
    title: &str,
    user: &str,
    size: usize,
    url: &str,
) -> Value {
    let mimetype = mimetype_of(name);
    let filetype = name
        .rsplit_once('.')
        .map_or("binary", |(_, e)| e)
        .to_ascii_lowercase();
    let created = super::model::unix_now();
    json!({
        "id": id,
        "created": created,
        "timestamp": created,
        "name": name,
        "title": title,
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": filetype.to_ascii_uppercase(),
        "user": user,
        "user_team": world.workspace.team_id,
        "editable": false,
        "size": size,
        "mode": "hosted",
        "is_external": false,
        "external_type": "",
        "is_public": false,
        "public_url_shared": false,
        "display_as_bot": false,
        "username": "",
        "url_private": url,
        "url_private_download": url,
        "permalink": format!("{}files/{user}/{id}/{name}", world.workspace.url()),
        "has_rich_preview": false,
        "file_access": "visible",
    })
}

pub fn get_upload_url(world: &mut World, params: Params) -> Answer {
    let filename = params.str("filename").ok_or("invalid_arguments")?;
    let length = params.u64("length").ok_or("invalid_arguments")?;
    if length == 0 || length > MAX_FILE_LENGTH {
        return slack_error("invalid_arguments");
    }
    let id = world.new_id('F');
    let salt = world.next_number() * 7919;
    let key = format!("{}-{id}-{salt:x}", world.workspace.team_id);
    world.upload_keys.insert(key.clone(), id.clone());
    world.uploads.push(UploadedFile {
        id: id.clone(),
        filename,
        declared_length: length as usize,
        bytes: None,
        completed: false,
        title: None,
        shared_to: Vec::new(),
        initial_comment: None,
    });
    Ok(json!({
        "upload_url": format!("{}/upload/v1/{key}", world.base_url),
        "file_id": id,
    }))
}

pub fn complete_upload(world: &mut World, params: Params, at: Instant) -> Answer {
    let Some(Value::Array(entries)) = params.json("files") else {
        return slack_error("invalid_arguments");
    };
    let mut targets: Vec<String> = params.str("channel_id").into_iter().collect();
    targets.extend(params.list("channels"));
    let mut resolved = Vec::new();
    for target in &targets {
        resolved.push(destination(world, target)?);
    }
    let mut picked = Vec::new();
    for entry in &entries {
        let id = entry["id"].as_str().unwrap_or_default();
        let upload = world
            .uploads
            .iter()
            .position(|u| u.id == id && u.bytes.is_some() && !u.completed)
            .ok_or("file_not_found")?;
        picked.push((upload, entry["title"].as_str().map(str::to_owned)));
    }
    let comment = params.str("initial_comment");
    let bot = world.workspace.bot_user_id.clone();
    let mut files = Vec::new();
    for (index, title) in picked {
        let upload = &mut world.uploads[index];
        upload.completed = true;
        upload.title = title.clone();
        upload.shared_to = resolved.clone();
        upload.initial_comment = comment.clone();
        let (id, name) = (upload.id.clone(), upload.filename.clone());
        let bytes = upload.bytes.clone().unwrap_or_default();
        let size = bytes.len();
        let url = world.host(&id, &name, mimetype_of(&name), bytes);
        let title = title.unwrap_or_else(|| name.clone());
        files.push(file_json(world, &id, &name, &title, &bot, size, &url));
    }
    let ids: Vec<String> = files
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect();
    for channel in resolved {
        let ts = world.next_ts();
        world.messages.push(PostedMessage {
            channel,
            ts,
            text: comment.clone(),
            blocks: params.json("blocks"),
            thread_ts: params.str("thread_ts"),
            ephemeral_to: None,
            files: ids.clone(),
            params: params.0.clone(),
            at,
        });
    }
    Ok(json!({ "files": files }))
}

/// A request outside the Web API, recorded under its path.
pub fn path_call(
    at: Instant,
    path: &str,
    http_method: &str,
    token: TokenKind,
    content_type: Option<String>,
    body: Vec<u8>,
) -> RecordedCall {
    RecordedCall {
        seq: 0,
        at,
        method: path.to_owned(),
        http_method: http_method.to_owned(),
        params: Value::Null,
        token,
        content_type,
        status: 0,
        response: None,
        body,
    }
}

/// Records `call` with what the fake answered.
pub fn record_path(shared: &Shared, mut call: RecordedCall, reply: &Reply) {
    call.status = reply.status;
    call.response = reply.json_body();
    shared.recorder.push(call);
    shared.changes.bump();
}

/// `POST /upload/v1/{key}`: the bytes raw, or as the first file part of a multipart form.
/// Answers `200 OK - {length}` as Slack's upload host does (no token needed).
pub async fn upload(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let at = Instant::now();
    let path = request.uri().path().to_owned();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let token = token_of(
        request.headers(),
        &Value::Null,
        &shared.world.lock().unwrap(),
    );
    let bytes = if content_type
        .as_deref()
        .is_some_and(|c| c.starts_with("multipart/form-data"))
    {
        multipart_file(request).await
    } else {
        axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default()
    };
    let reply = {
        let mut world = shared.world.lock().unwrap();
        let id = world.upload_keys.get(&key).cloned();
        match id.and_then(|id| world.uploads.iter_mut().find(|u| u.id == id)) {
            Some(upload) if !upload.completed => {
                upload.bytes = Some(bytes.clone());
                Reply::text(200, "text/plain", &format!("OK - {}", bytes.len()))
            }
            _ => Reply::text(404, "text/plain", "Not Found"),
        }
    };
    let call = path_call(at, &path, "POST", token, content_type, bytes);
    record_path(&shared, call, &reply);
    reply.into_response()
}

/// The first file part of a multipart body (or the first part at all).
async fn multipart_file(request: Request) -> Vec<u8> {
    let Ok(mut form) = Multipart::from_request(request, &()).await else {
        return Vec::new();
    };
    let mut first = None;
    while let Ok(Some(field)) = form.next_field().await {
        let is_file = field.file_name().is_some();
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        if is_file {
            return bytes;
        }
        first.get_or_insert(bytes);
    }
    first.unwrap_or_default()
}

/// `GET /files-pri/{key}`: the bytes with `Authorization: Bearer <bot token>`; without it (or
/// with another token) a 302 to `/signin`, which answers 200 with an HTML page, as Slack does
/// for a browser that is not signed in. A client that follows redirects thus gets HTML, not
/// the file.
pub async fn download(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    let at = Instant::now();
    let path = request.uri().path().to_owned();
    let params = merge_params(request.uri().query(), None, &[]);
    let (token, file, base_url) = {
        let world = shared.world.lock().unwrap();
        let token = token_of(request.headers(), &params, &world);
        (
            token,
            world.hosted.get(&key).cloned(),
            world.base_url.clone(),
        )
    };
    let reply = match (&token, file) {
        (TokenKind::Bot, Some(file)) => Reply {
            status: 200,
            headers: Vec::new(),
            body: super::web_api::ReplyBody::Bytes {
                content_type: file.content_type,
                bytes: file.bytes,
            },
        },
        (TokenKind::Bot, None) => Reply::text(404, "text/html", "<html>File not found</html>"),
        _ => Reply::text(302, "text/html", "").header(
            "location",
            &format!("{base_url}/signin?redir=%2Ffiles-pri%2F{key}"),
        ),
    };
    record_path(
        &shared,
        path_call(at, &path, "GET", token, None, Vec::new()),
        &reply,
    );
    reply.into_response()
}

/// `GET /signin`: the page Slack redirects unauthenticated downloads to.
pub async fn signin() -> Response {
    Reply::text(
        200,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Glow Creators</body></html>",
    )
    .into_response()
}
