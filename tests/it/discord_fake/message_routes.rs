//! Message routes: channel messages (with Discord's nonce de-duplication and message limits),
//! DM channels, and the interaction callback and webhook routes (original response, follow-ups).

use std::time::Instant;

use serde_json::{Value, json};
use serenity::model::Permissions;

use super::model::{BOT_USER_ID, CHANNEL_TEXT};
use super::recording::RecordedFile;
use super::rest::{Answer, Ctx, Reply, snowflake};
use super::state::{ChannelHome, NONCE_WINDOW, StoredMessage};
use super::wire;

const GUILD_MESSAGES: u64 = 1 << 9;
const DIRECT_MESSAGES: u64 = 1 << 12;
/// Message flags.
const EPHEMERAL: u64 = 1 << 6;
const LOADING: u64 = 1 << 7;

/// `POST /users/@me/channels {recipient_id}`: the same DM channel for the same recipient.
pub fn open_dm(ctx: &mut Ctx) -> Answer {
    let sent = ctx.req.json();
    let Some(user_id) = wire::u64_field(&sent, "recipient_id") else {
        return Err(Reply::invalid_form(
            "recipient_id",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        ));
    };
    let channel_id = ctx.world.open_dm(user_id);
    Ok(Reply::ok(wire::dm_channel(
        channel_id,
        &ctx.world.user(user_id),
    )))
}

/// `POST /channels/{id}/messages`, JSON or multipart.
pub fn create_message(ctx: &mut Ctx, channel_segment: &str) -> Answer {
    let channel_id = snowflake(channel_segment)?;
    let home = ctx
        .world
        .channel_home(channel_id)
        .ok_or_else(|| Reply::error(404, 10003, "Unknown Channel"))?;
    match home {
        ChannelHome::Guild(guild_id) => {
            let guild = ctx.world.guild(guild_id).expect("home");
            let channel = guild.find_channel(channel_id).expect("home");
            if channel.kind != CHANNEL_TEXT {
                return Err(Reply::error(
                    400,
                    50008,
                    "Cannot send messages in a non-text channel",
                ));
            }
            if !guild.bot_can(
                Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
                Some(channel_id),
            ) {
                return Err(Reply::error(403, 50013, "Missing Permissions"));
            }
        }
        ChannelHome::Dm(user_id) => {
            if !ctx.world.user(user_id).dms_open {
                return Err(Reply::error(
                    403,
                    50007,
                    "Cannot send messages to this user",
                ));
            }
        }
    }
    let sent = ctx.req.json();
    validate_message(&sent, ctx.req.files())?;
    let nonce = enforced_nonce(&sent);
    if let Some(nonce) = &nonce
        && let Some((message_id, at)) = ctx.world.nonces.get(&(channel_id, nonce.clone()))
        && at.elapsed() < NONCE_WINDOW
    {
        let message_id = wire::id(*message_id);
        let earlier = ctx
            .world
            .messages
            .iter()
            .find(|m| m.message["id"] == message_id)
            .expect("stored");
        return Ok(Reply::ok(earlier.message.clone()));
    }
    let message = ctx.world.build_message(channel_id, &sent, ctx.req.files());
    if let Some(nonce) = nonce {
        let id = wire::u64_field(&message, "id").expect("built");
        ctx.world
            .nonces
            .insert((channel_id, nonce), (id, Instant::now()));
    }
    ctx.world.messages.push(StoredMessage {
        channel_id,
        message: message.clone(),
    });
    let mut event = message.clone();
    match home {
        ChannelHome::Guild(guild_id) => {
            event["guild_id"] = wire::id(guild_id);
            let bot = ctx
                .world
                .guild(guild_id)
                .and_then(|g| g.find_member(BOT_USER_ID))
                .map(wire::member);
            if let Some(mut member) = bot {
                member.as_object_mut().expect("object").remove("user");
                event["member"] = member;
            }
            ctx.emit("MESSAGE_CREATE", event, GUILD_MESSAGES);
        }
        ChannelHome::Dm(_) => ctx.emit("MESSAGE_CREATE", event, DIRECT_MESSAGES),
    }
    Ok(Reply::ok(message))
}

/// The nonce to de-duplicate on: only with `enforce_nonce: true`.
fn enforced_nonce(sent: &Value) -> Option<String> {
    if sent.get("enforce_nonce").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    match sent.get("nonce")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn too_long(path: &str, max: usize) -> Reply {
    Reply::invalid_form(
        path,
        "BASE_TYPE_MAX_LENGTH",
        &format!("Must be {max} or fewer in length."),
    )
}

fn text_len(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// Discord's message limits: content 2,000; nonce 25; 10 embeds, each within its field limits
/// and 6,000 characters in all; not empty.
pub fn validate_message(sent: &Value, files: &[RecordedFile]) -> Result<(), Reply> {
    if text_len(&sent["content"]) > 2000 {
        return Err(too_long("content", 2000));
    }
    if text_len(&sent["nonce"]) > 25 {
        return Err(too_long("nonce", 25));
    }
    let embeds = sent["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > 10 {
        return Err(too_long("embeds", 10));
    }
    let mut total = 0;
    for (index, embed) in embeds.iter().enumerate() {
        let limits = [
            ("title", &embed["title"], 256),
            ("description", &embed["description"], 4096),
        ];
        let more = [
            ("footer.text", &embed["footer"]["text"], 2048),
            ("author.name", &embed["author"]["name"], 256),
        ];
        for (path, value, max) in limits.into_iter().chain(more) {
            if text_len(value) > max {
                return Err(too_long(&format!("embeds.{index}.{path}"), max));
            }
            total += text_len(value);
        }
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > 25 {
            return Err(too_long(&format!("embeds.{index}.fields"), 25));
        }
        for (number, field) in fields.iter().enumerate() {
            for (key, max) in [("name", 256), ("value", 1024)] {
                if text_len(&field[key]) > max {
                    return Err(too_long(
                        &format!("embeds.{index}.fields.{number}.{key}"),
                        max,
                    ));
                }
                total += text_len(&field[key]);
            }
        }
    }
    if total > 6000 {
        return Err(Reply::invalid_form(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        ));
    }
    let has = |key: &str| sent[key].as_array().is_some_and(|a| !a.is_empty());
    if text_len(&sent["content"]) == 0
        && embeds.is_empty()
        && files.is_empty()
        && !has("components")
        && !has("sticker_ids")
    {
        return Err(Reply::error(400, 50006, "Cannot send an empty message"));
    }
    Ok(())
}

fn unknown_interaction() -> Reply {
    Reply::error(404, 10062, "Unknown interaction")
}

/// `POST /interactions/{id}/{token}/callback`: once, within the deadline.
pub fn callback(ctx: &mut Ctx, id_segment: &str, token: &str) -> Answer {
    let id = snowflake(id_segment)?;
    let deadline = ctx.world.interaction_deadline;
    let interaction = ctx
        .world
        .interactions
        .get(token)
        .filter(|i| i.id == id)
        .ok_or_else(unknown_interaction)?;
    if interaction.callback_type.is_some() {
        return Err(Reply::error(
            400,
            40060,
            "Interaction has already been acknowledged.",
        ));
    }
    if interaction.created.elapsed() > deadline {
        return Err(unknown_interaction());
    }
    let channel_id = interaction.channel_id;
    let sent = ctx.req.json();
    let kind = sent["type"].as_u64().unwrap_or(0);
    let data = sent.get("data").cloned().unwrap_or_else(wire::object);
    let original = match kind {
        4 => {
            validate_message(&data, ctx.req.files())?;
            Some(ctx.world.build_message(channel_id, &data, ctx.req.files()))
        }
        5 => {
            let flags = (data["flags"].as_u64().unwrap_or(0) & EPHEMERAL) | LOADING;
            let mut placeholder =
                ctx.world
                    .build_message(channel_id, &json!({ "flags": flags }), &[]);
            placeholder["content"] = json!("");
            Some(placeholder)
        }
        6..=9 => None,
        _ => {
            return Err(Reply::invalid_form(
                "type",
                "BASE_TYPE_CHOICES",
                "Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.",
            ));
        }
    };
    let interaction = ctx.world.interactions.get_mut(token).expect("found");
    interaction.callback_type = Some(kind);
    interaction.callback_data = Some(data);
    interaction.original = original.map(mark_interaction_message);
    Ok(Reply::no_content())
}

/// Messages sent through an interaction come from the application's webhook.
fn mark_interaction_message(mut message: Value) -> Value {
    message["webhook_id"] = wire::id(super::model::APPLICATION_ID);
    message["application_id"] = wire::id(super::model::APPLICATION_ID);
    message["type"] = json!(20);
    message
}

fn unknown_message() -> Reply {
    Reply::error(404, 10008, "Unknown Message")
}

fn unknown_webhook() -> Reply {
    Reply::error(404, 10015, "Unknown Webhook")
}

pub fn get_original(ctx: &mut Ctx, app: &str, token: &str) -> Answer {
    let interaction = ctx
        .world
        .interaction_mut(app, token)
        .ok_or_else(unknown_webhook)?;
    interaction
        .original
        .clone()
        .map(Reply::ok)
        .ok_or_else(unknown_message)
}

/// `PATCH .../messages/@original`: edits the response (or fills in a deferred one).
pub fn edit_original(ctx: &mut Ctx, app: &str, token: &str) -> Answer {
    let sent = ctx.req.json();
    let files = ctx.req.files().to_vec();
    let interaction = ctx
        .world
        .interaction_mut(app, token)
        .ok_or_else(unknown_webhook)?;
    let mut original = interaction.original.clone().ok_or_else(unknown_message)?;
    let mut check = original.clone();
    for key in ["content", "embeds", "components"] {
        if let Some(value) = sent.get(key) {
            check[key] = value.clone();
        }
    }
    validate_message(&check, &files)?;
    ctx.world.edit_message(&mut original, &sent, &files);
    ctx.world
        .interaction_mut(app, token)
        .expect("found")
        .original = Some(original.clone());
    Ok(Reply::ok(original))
}

pub fn delete_original(ctx: &mut Ctx, app: &str, token: &str) -> Answer {
    let interaction = ctx
        .world
        .interaction_mut(app, token)
        .ok_or_else(unknown_webhook)?;
    interaction.original.take().ok_or_else(unknown_message)?;
    Ok(Reply::no_content())
}

/// `POST /webhooks/{app}/{token}`: a follow-up, only after the interaction was answered.
pub fn followup(ctx: &mut Ctx, app: &str, token: &str) -> Answer {
    let sent = ctx.req.json();
    let files = ctx.req.files().to_vec();
    let interaction = ctx
        .world
        .interaction_mut(app, token)
        .ok_or_else(unknown_webhook)?;
    if interaction.callback_type.is_none() {
        return Err(unknown_webhook());
    }
    let channel_id = interaction.channel_id;
    validate_message(&sent, &files)?;
    let message = mark_interaction_message(ctx.world.build_message(channel_id, &sent, &files));
    ctx.world
        .interaction_mut(app, token)
        .expect("found")
        .followups
        .push(message.clone());
    Ok(Reply::ok(message))
}
