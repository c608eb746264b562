//! `chat.postMessage` and `chat.postEphemeral`: where a message may go (a channel the bot is in,
//! a DM, a user id meaning the DM with them), Slack's size limits, and recording the message.

use std::time::Instant;

use serde_json::{Value, json};

use super::conversations::{open_dm, visible};
use super::state::{PostedMessage, World};
use super::web_api::{Answer, Params, slack_error};

/// Slack truncates above 40,000 characters and refuses far beyond; the fake refuses above.
const MAX_TEXT: usize = 40_000;
const MAX_BLOCKS: usize = 50;
/// A section block's text.
const MAX_SECTION_TEXT: usize = 3_000;
const MAX_SECTION_FIELDS: usize = 10;

/// Resolves `channel` (a channel id, a DM id, a user id, or a `#name`) to the channel id a
/// message lands in, checking the bot may post there.
pub fn destination(world: &mut World, target: &str) -> Result<String, String> {
    if target.starts_with('U') || target.starts_with('W') {
        return open_dm(world, target).map(|(dm, _)| dm).map_err(|e| {
            if e == "account_inactive" || e == "cannot_dm_bot" {
                e
            } else {
                "channel_not_found".to_owned()
            }
        });
    }
    if target.starts_with('D') {
        return if world.dms.values().any(|dm| dm == target) {
            Ok(target.to_owned())
        } else {
            slack_error("channel_not_found")
        };
    }
    let id = match target.strip_prefix('#') {
        Some(name) => world
            .workspace
            .channel_named(name)
            .map(|c| c.id.clone())
            .ok_or("channel_not_found")?,
        None => target.to_owned(),
    };
    let channel = visible(world, &id)?;
    if channel.is_archived {
        return slack_error("is_archived");
    }
    if !channel.bot_is_member() {
        return slack_error("not_in_channel");
    }
    Ok(id)
}

/// Checks Block Kit limits the renderer must respect.
fn check_blocks(blocks: &Value) -> Result<(), String> {
    let Some(blocks) = blocks.as_array() else {
        return slack_error("invalid_blocks_format");
    };
    if blocks.len() > MAX_BLOCKS {
        return slack_error("invalid_blocks");
    }
    for block in blocks {
        if block["type"].as_str().is_none() {
            return slack_error("invalid_blocks");
        }
        if block["type"] == "section" {
            let text_len = block["text"]["text"]
                .as_str()
                .map_or(0, |t| t.chars().count());
            let fields = block["fields"].as_array().map_or(0, Vec::len);
            if text_len > MAX_SECTION_TEXT || fields > MAX_SECTION_FIELDS {
                return slack_error("invalid_blocks");
            }
        }
    }
    Ok(())
}

/// The message's text and blocks, checked.
fn content(params: Params) -> Result<(Option<String>, Option<Value>), String> {
    let text = params.str("text");
    let blocks = params.json("blocks").filter(|b| !b.is_null());
    let has_attachments = params.json("attachments").is_some();
    if text.is_none() && blocks.is_none() && !has_attachments {
        return slack_error("no_text");
    }
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return slack_error("msg_too_long");
    }
    if let Some(blocks) = &blocks {
        check_blocks(blocks)?;
    }
    Ok((text, blocks))
}

/// The message object Slack echoes back.
pub fn message_json(world: &World, message: &PostedMessage) -> Value {
    let ws = &world.workspace;
    let mut json = json!({
        "type": "message",
        "user": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": ws.app_id,
        "team": ws.team_id,
        "ts": message.ts,
        "text": message.text.clone().unwrap_or_default(),
        "bot_profile": {
            "id": ws.bot_id,
            "app_id": ws.app_id,
            "name": "creator-bot",
            "deleted": false,
            "updated": 1_700_000_000,
            "team_id": ws.team_id,
        },
    });
    if let Some(blocks) = &message.blocks {
        json["blocks"] = blocks.clone();
    }
    if let Some(thread_ts) = &message.thread_ts {
        json["thread_ts"] = json!(thread_ts);
    }
    json
}

pub fn post_message(world: &mut World, params: Params, at: Instant) -> Answer {
    let target = params.str("channel").ok_or("channel_not_found")?;
    let channel = destination(world, &target)?;
    let (text, blocks) = content(params)?;
    let message = PostedMessage {
        channel: channel.clone(),
        ts: world.next_ts(),
        text,
        blocks,
        thread_ts: params.str("thread_ts"),
        ephemeral_to: None,
        files: Vec::new(),
        params: params.0.clone(),
        at,
    };
    let answer = json!({
        "channel": channel,
        "ts": message.ts,
        "message": message_json(world, &message),
    });
    world.messages.push(message);
    Ok(answer)
}

pub fn post_ephemeral(world: &mut World, params: Params, at: Instant) -> Answer {
    let target = params.str("channel").ok_or("channel_not_found")?;
    let user = params.str("user").ok_or("user_not_found")?;
    if world.workspace.find_user(&user).is_none() {
        return slack_error("user_not_found");
    }
    let channel = destination(world, &target)?;
    if let Some(c) = world.workspace.find_channel(&channel)
        && !c.has_member(&user)
    {
        return slack_error("user_not_in_channel");
    }
    let (text, blocks) = content(params)?;
    let ts = world.next_ts();
    world.messages.push(PostedMessage {
        channel,
        ts: ts.clone(),
        text,
        blocks,
        thread_ts: params.str("thread_ts"),
        ephemeral_to: Some(user),
        files: Vec::new(),
        params: params.0.clone(),
        at,
    });
    Ok(json!({ "message_ts": ts }))
}
