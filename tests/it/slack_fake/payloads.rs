//! The payloads Slack sends an app, complete, for both Socket Mode envelopes and signed HTTP
//! requests: slash commands (with a response_url on the fake), `event_callback`s (team_join,
//! member_joined_channel, DM messages with files), interactions.

use serde_json::{Map, Value, json};

use super::model::{FakeUser, VERIFICATION_TOKEN, dm_channel_id, unix_now};
use super::state::World;

/// A slash command a user runs.
#[derive(Clone, Debug, PartialEq)]
pub struct SlashCommand {
    pub user_id: String,
    /// With its slash: `/kpi`.
    pub command: String,
    pub text: String,
    /// Where it was run; default: the user's DM with the bot (`channel_name` `directmessage`).
    pub channel_id: Option<String>,
}

impl SlashCommand {
    pub fn new(user_id: &str, command: &str, text: &str) -> Self {
        SlashCommand {
            user_id: user_id.to_owned(),
            command: command.to_owned(),
            text: text.to_owned(),
            channel_id: None,
        }
    }

    pub fn channel(mut self, channel_id: &str) -> Self {
        self.channel_id = Some(channel_id.to_owned());
        self
    }
}

/// The slash command's fields, all strings as Slack sends them, with a new response_url.
/// Returns `(fields, response_url id)`.
pub fn slash_command(world: &mut World, spec: &SlashCommand) -> (Map<String, Value>, u64) {
    let (response_id, response_url) = world.new_response_url(&spec.command);
    let user_name = world
        .workspace
        .find_user(&spec.user_id)
        .map_or_else(|| spec.user_id.clone(), |u| u.name.clone());
    let (channel_id, channel_name) = match &spec.channel_id {
        Some(id) => {
            let name = world
                .workspace
                .find_channel(id)
                .map_or_else(|| "directmessage".to_owned(), |c| c.name.clone());
            (id.clone(), name)
        }
        None => (dm_channel_id(&spec.user_id), "directmessage".to_owned()),
    };
    let ws = &world.workspace;
    let fields = json!({
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "team_domain": ws.domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": spec.user_id,
        "user_name": user_name,
        "command": spec.command,
        "text": spec.text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": format!("{response_id}.{}.fake0trigger0{response_id:04x}", unix_now()),
    });
    let Value::Object(fields) = fields else {
        unreachable!("a JSON object")
    };
    (fields, response_id)
}

/// An `event_callback` wrapping `event` (its `event_ts` added when missing).
pub fn event_callback(world: &mut World, mut event: Value) -> Value {
    let number = world.next_number();
    let now = unix_now();
    if event.get("event_ts").is_none() {
        event["event_ts"] = json!(world.next_ts());
    }
    let ws = &world.workspace;
    json!({
        "token": VERIFICATION_TOKEN,
        "team_id": ws.team_id,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": format!("Ev{number:08X}"),
        "event_time": now,
        "authorizations": [{
            "enterprise_id": null,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "is_bot": true,
            "is_enterprise_install": false,
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("4-fake-event-context-{number}"),
    })
}

/// `url_verification`, as Slack sends when the Events URL is configured.
pub fn url_verification(challenge: &str) -> Value {
    json!({
        "token": VERIFICATION_TOKEN,
        "challenge": challenge,
        "type": "url_verification",
    })
}

/// The `team_join` event for `user`.
pub fn team_join(world: &World, user: &FakeUser) -> Value {
    json!({ "type": "team_join", "user": user.to_json(&world.workspace.team_id) })
}

/// `member_joined_channel` (`channel_type` `C` public, `G` private).
pub fn member_joined_channel(
    world: &World,
    user_id: &str,
    channel_id: &str,
    inviter: Option<&str>,
) -> Value {
    let channel_type = world
        .workspace
        .find_channel(channel_id)
        .map_or("C", |c| c.event_channel_type());
    let mut event = json!({
        "type": "member_joined_channel",
        "user": user_id,
        "channel": channel_id,
        "channel_type": channel_type,
        "team": world.workspace.team_id,
    });
    if let Some(inviter) = inviter {
        event["inviter"] = json!(inviter);
    }
    event
}

/// A `message` a user sends in their DM with the bot (`channel_type` `im`); with `files` it is
/// what a DM upload produces (`subtype` `file_share`, `upload: true`).
pub fn dm_message(world: &mut World, user_id: &str, text: &str, files: Vec<Value>) -> Value {
    // The user wrote in it, so the DM exists: the bot may post there by its id.
    world
        .dms
        .entry(user_id.to_owned())
        .or_insert_with(|| dm_channel_id(user_id));
    let ts = world.next_ts();
    let number = world.next_number();
    let mut event = json!({
        "type": "message",
        "channel": dm_channel_id(user_id),
        "channel_type": "im",
        "user": user_id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": world.workspace.team_id,
        "client_msg_id": format!("00000000-fake-4000-8000-{number:012x}"),
        "blocks": [],
    });
    if !files.is_empty() {
        event["subtype"] = json!("file_share");
        event["files"] = Value::Array(files);
        event["upload"] = json!(true);
        event["display_as_bot"] = json!(false);
    }
    event
}

/// A `block_actions` interaction: `user_id` pressed a button `action_id` with `value` on a bot
/// message in `channel_id`. Returns `(payload, response_url id)`.
pub fn block_action(
    world: &mut World,
    user_id: &str,
    channel_id: &str,
    action_id: &str,
    value: &str,
) -> (Value, u64) {
    let (response_id, response_url) = world.new_response_url("interactive");
    let message_ts = world
        .messages
        .iter()
        .rev()
        .find(|m| m.channel == channel_id)
        .map(|m| m.ts.clone())
        .unwrap_or_else(|| world.next_ts());
    let action_ts = world.next_ts();
    let ws = &world.workspace;
    let user_name = ws.find_user(user_id).map_or(user_id, |u| u.name.as_str());
    let channel_name = ws
        .find_channel(channel_id)
        .map_or("directmessage", |c| c.name.as_str());
    let payload = json!({
        "type": "block_actions",
        "token": VERIFICATION_TOKEN,
        "team": { "id": ws.team_id, "domain": ws.domain },
        "user": { "id": user_id, "username": user_name, "name": user_name, "team_id": ws.team_id },
        "api_app_id": ws.app_id,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": false,
        },
        "trigger_id": format!("{response_id}.{}.fake0trigger0{response_id:04x}", unix_now()),
        "channel": { "id": channel_id, "name": channel_name },
        "response_url": response_url,
        "actions": [{
            "type": "button",
            "action_id": action_id,
            "block_id": "fake-block",
            "text": { "type": "plain_text", "text": action_id, "emoji": true },
            "value": value,
            "action_ts": action_ts,
        }],
        "state": { "values": {} },
        "is_enterprise_install": false,
    });
    (payload, response_id)
}
