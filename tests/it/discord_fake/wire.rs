//! Discord's JSON objects as the API sends them (users, members, roles, channels, guilds,
//! messages, the application, commands), complete enough for serenity 0.12.5 to deserialise.

use serde_json::{Map, Value, json};

use super::model::{
    APPLICATION_ID, BOT_NAME, BOT_USER_ID, CHANNEL_CATEGORY, FakeChannel, FakeGuild, FakeMember,
    FakeRole, FakeUser, OWNER_USER_ID,
};

/// When every member joined (a fixed instant, so payloads are reproducible).
pub const JOINED_AT: &str = "2024-01-01T00:00:00.000000+00:00";

/// Discord sends ids and permission bits as strings.
pub fn id(value: u64) -> Value {
    Value::String(value.to_string())
}

/// Now, as Discord formats timestamps.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
        .to_string()
}

/// A user object (as embedded in members, messages, DM channels).
pub fn user(user: &FakeUser) -> Value {
    let mut object = json!({
        "id": id(user.id),
        "username": user.name,
        "discriminator": "0",
        "global_name": if user.bot { Value::Null } else { json!(user.name) },
        "avatar": null,
        "banner": null,
        "accent_color": null,
        "public_flags": 0,
        "flags": 0,
        "avatar_decoration_data": null,
        "collectibles": null,
        "primary_guild": null,
    });
    if user.bot {
        object["bot"] = json!(true);
    }
    object
}

/// The bot user.
pub fn bot_user() -> FakeUser {
    FakeUser {
        bot: true,
        ..FakeUser::new(BOT_USER_ID, BOT_NAME)
    }
}

/// The bot as `GET /users/@me` and READY describe it (with the private fields).
pub fn current_user() -> Value {
    let mut object = user(&bot_user());
    object["verified"] = json!(true);
    object["mfa_enabled"] = json!(false);
    object["email"] = Value::Null;
    object["locale"] = json!("en-US");
    object["premium_type"] = json!(0);
    object
}

/// A guild member object (without `guild_id`, as REST sends it).
pub fn member(member: &FakeMember) -> Value {
    json!({
        "user": user(&member.user),
        "nick": member.nick,
        "avatar": null,
        "banner": null,
        "roles": member.roles.iter().map(|r| id(*r)).collect::<Vec<_>>(),
        "joined_at": JOINED_AT,
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
        "avatar_decoration_data": null,
    })
}

/// A member with `guild_id`, as GUILD_MEMBER_ADD and GUILD_MEMBER_UPDATE carry it.
pub fn member_in_guild(fake_member: &FakeMember, guild_id: u64) -> Value {
    let mut object = member(fake_member);
    object["guild_id"] = id(guild_id);
    object
}

pub fn role(role: &FakeRole) -> Value {
    let tags = match role.bot_id {
        Some(bot) => json!({ "bot_id": id(bot) }),
        None => json!({}),
    };
    json!({
        "id": id(role.id),
        "name": role.name,
        "description": null,
        "color": role.color,
        "colors": { "primary_color": role.color, "secondary_color": null, "tertiary_color": null },
        "hoist": role.hoist,
        "icon": null,
        "unicode_emoji": null,
        "position": role.position,
        "permissions": role.permissions.to_string(),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
        "tags": tags,
    })
}

/// A guild channel object (text or category).
pub fn channel(channel: &FakeChannel, guild_id: u64) -> Value {
    let overwrites: Vec<Value> = channel
        .permission_overwrites
        .iter()
        .map(|o| {
            json!({
                "id": id(o.id),
                "type": o.kind.wire(),
                "allow": o.allow.to_string(),
                "deny": o.deny.to_string(),
            })
        })
        .collect();
    let mut object = json!({
        "id": id(channel.id),
        "type": channel.kind,
        "guild_id": id(guild_id),
        "name": channel.name,
        "position": channel.position,
        "parent_id": channel.parent_id.map(id),
        "permission_overwrites": overwrites,
        "nsfw": false,
        "flags": 0,
    });
    if channel.kind != CHANNEL_CATEGORY {
        object["topic"] = json!(channel.topic);
        object["last_message_id"] = Value::Null;
        object["rate_limit_per_user"] = json!(0);
    }
    object
}

/// A DM channel with one recipient.
pub fn dm_channel(channel_id: u64, recipient: &FakeUser) -> Value {
    json!({
        "id": id(channel_id),
        "type": 1,
        "last_message_id": null,
        "flags": 0,
        "recipients": [user(recipient)],
    })
}

/// The guild object `GET /guilds/{id}` answers.
pub fn guild(guild: &FakeGuild) -> Value {
    json!({
        "id": id(guild.id),
        "name": guild.name,
        "icon": null,
        "icon_hash": null,
        "splash": null,
        "discovery_splash": null,
        "owner_id": id(guild.owner_id),
        "region": null,
        "afk_channel_id": null,
        "afk_timeout": 300,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": guild.roles.iter().map(role).collect::<Vec<_>>(),
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "application_id": null,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "rules_channel_id": null,
        "max_presences": null,
        "max_members": 500_000,
        "vanity_url_code": null,
        "description": null,
        "banner": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": null,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "nsfw_level": 0,
        "stickers": [],
        "premium_progress_bar_enabled": false,
        "safety_alerts_channel_id": null,
        "incidents_data": null,
    })
}

/// The GUILD_CREATE payload: the guild plus its channels and members (`all_members` false
/// sends only the bot's own member, as Discord does without the GUILD_MEMBERS intent).
pub fn guild_create(fake_guild: &FakeGuild, all_members: bool) -> Value {
    let mut object = guild(fake_guild);
    let members: Vec<Value> = fake_guild
        .members
        .iter()
        .filter(|m| all_members || m.user.id == BOT_USER_ID)
        .map(member)
        .collect();
    let extra = json!({
        "joined_at": JOINED_AT,
        "large": false,
        "unavailable": false,
        "member_count": fake_guild.members.len(),
        "voice_states": [],
        "members": members,
        "channels": fake_guild.channels.iter().map(|c| channel(c, fake_guild.id)).collect::<Vec<_>>(),
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": true,
    });
    merge(&mut object, extra);
    object
}

/// The application object `GET /oauth2/applications/@me` answers.
pub fn application() -> Value {
    json!({
        "id": id(APPLICATION_ID),
        "name": BOT_NAME,
        "icon": null,
        "description": "",
        "summary": "",
        "type": null,
        "hook": true,
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "5a2f0c6b3e8d4f1a9b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a",
        "flags": 0,
        "owner": user(&FakeUser::new(OWNER_USER_ID, "owner")),
        "team": null,
        "rpc_origins": [],
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "tags": [],
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "integration_types_config": { "0": {} },
        "bot": user(&bot_user()),
    })
}

/// A stored application command: what the bot sent plus the fields Discord adds.
pub fn command(sent: &Value, command_id: u64, guild_id: u64, version: u64) -> Value {
    let mut object = json!({
        "id": id(command_id),
        "application_id": id(APPLICATION_ID),
        "guild_id": id(guild_id),
        "version": id(version),
        "type": 1,
        "name_localizations": null,
        "description": "",
        "description_localizations": null,
        "options": [],
        "default_member_permissions": null,
        "nsfw": false,
        "contexts": null,
        "integration_types": [0],
    });
    merge(&mut object, sent.clone());
    object["id"] = id(command_id);
    object
}

/// A Discord JSON error body.
pub fn error(code: i64, message: &str) -> Value {
    json!({ "message": message, "code": code })
}

/// Copies `extra`'s fields over `object`'s.
pub fn merge(object: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(source)) = (object.as_object_mut(), extra) {
        for (key, value) in source {
            target.insert(key, value);
        }
    }
}

/// `value[key]` as a u64, whether Discord-style string or number.
pub fn u64_field(value: &Value, key: &str) -> Option<u64> {
    match value.get(key)? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// An empty JSON object.
pub fn object() -> Value {
    Value::Object(Map::new())
}
