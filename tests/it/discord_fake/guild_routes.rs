//! Guild routes: the guild, its roles (create, reorder, grant, revoke), members and channels
//! (create, edit, permission overwrites), checked against the bot's permissions and place in
//! the role hierarchy as Discord checks them.

use serde_json::{Value, json};
use serenity::model::Permissions;

use super::model::{
    BOT_USER_ID, CHANNEL_DM, CHANNEL_TEXT, FakeChannel, FakeGuild, FakeOverwrite, FakeRole,
    OverwriteKind, next_snowflake,
};
use super::rest::{Answer, Ctx, Reply, snowflake};
use super::state::ChannelHome;
use super::wire;

/// Intents (by bit) that decide who hears about guild changes.
const GUILDS: u64 = 1;
const GUILD_MEMBERS: u64 = 1 << 1;

fn unknown_guild() -> Reply {
    Reply::error(404, 10004, "Unknown Guild")
}

fn unknown_channel() -> Reply {
    Reply::error(404, 10003, "Unknown Channel")
}

fn missing_permissions() -> Reply {
    Reply::error(403, 50013, "Missing Permissions")
}

fn guild<'w>(ctx: &'w Ctx, segment: &str) -> Result<&'w FakeGuild, Reply> {
    let id = snowflake(segment)?;
    ctx.world.guild(id).ok_or_else(unknown_guild)
}

fn guild_mut<'w>(ctx: &'w mut Ctx, id: u64) -> &'w mut FakeGuild {
    ctx.world.guild_mut(id).expect("checked before")
}

/// The guild holding a channel (DM channels have none).
fn channel_guild(ctx: &Ctx, segment: &str) -> Result<(u64, u64), Reply> {
    let channel_id = snowflake(segment)?;
    match ctx.world.channel_home(channel_id) {
        Some(ChannelHome::Guild(guild_id)) => Ok((guild_id, channel_id)),
        _ => Err(unknown_channel()),
    }
}

/// Permission bits Discord sends as strings (numbers accepted too).
fn bits(value: &Value, key: &str) -> Option<u64> {
    wire::u64_field(value, key)
}

fn overwrites(sent: &Value) -> Option<Vec<FakeOverwrite>> {
    let list = sent.get("permission_overwrites")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|o| {
                let id = bits(o, "id")?;
                let kind = if o.get("type").and_then(Value::as_u64) == Some(1) {
                    OverwriteKind::Member
                } else {
                    OverwriteKind::Role
                };
                Some(FakeOverwrite {
                    id,
                    kind,
                    allow: bits(o, "allow").unwrap_or(0),
                    deny: bits(o, "deny").unwrap_or(0),
                })
            })
            .collect(),
    )
}

pub fn get_guild(ctx: &mut Ctx, guild_segment: &str) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    let mut object = wire::guild(guild);
    if ctx.req.query_has("with_counts", "true") {
        object["approximate_member_count"] = json!(guild.members.len());
        object["approximate_presence_count"] = json!(0);
    }
    Ok(Reply::ok(object))
}

pub fn list_roles(ctx: &mut Ctx, guild_segment: &str) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    Ok(Reply::ok(Value::Array(
        guild.roles.iter().map(wire::role).collect(),
    )))
}

/// New roles go in at position 1, just above `@everyone`; the others move up one.
pub fn create_role(ctx: &mut Ctx, guild_segment: &str) -> Answer {
    let guild_id = guild(ctx, guild_segment)?.id;
    if !guild(ctx, guild_segment)?.bot_can(Permissions::MANAGE_ROLES, None) {
        return Err(missing_permissions());
    }
    let sent = ctx.req.json();
    let mut role = FakeRole::new(
        next_snowflake(),
        sent["name"].as_str().unwrap_or("new role"),
        1,
    );
    role.permissions =
        bits(&sent, "permissions").unwrap_or_else(|| guild_mut(ctx, guild_id).roles[0].permissions);
    role.color = sent["color"].as_u64().unwrap_or(0) as u32;
    role.hoist = sent["hoist"].as_bool().unwrap_or(false);
    role.mentionable = sent["mentionable"].as_bool().unwrap_or(false);
    let guild = guild_mut(ctx, guild_id);
    guild
        .roles
        .iter_mut()
        .filter(|r| r.id != guild_id)
        .for_each(|r| r.position += 1);
    guild.roles.push(role.clone());
    ctx.emit(
        "GUILD_ROLE_CREATE",
        json!({ "guild_id": wire::id(guild_id), "role": wire::role(&role) }),
        GUILDS,
    );
    Ok(Reply::ok(wire::role(&role)))
}

/// `[{id, position}]`: only roles below the bot's highest, to places below it.
pub fn move_roles(ctx: &mut Ctx, guild_segment: &str) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    let guild_id = guild.id;
    if !guild.bot_can(Permissions::MANAGE_ROLES, None) {
        return Err(missing_permissions());
    }
    let ceiling = guild.highest_position(BOT_USER_ID);
    let sent = ctx.req.json();
    let mut moves = Vec::new();
    for entry in sent.as_array().into_iter().flatten() {
        let (Some(id), Some(position)) = (bits(entry, "id"), entry["position"].as_u64()) else {
            continue;
        };
        let role = guild
            .find_role(id)
            .ok_or_else(|| Reply::error(404, 10011, "Unknown Role"))?;
        if role.position >= ceiling || position >= u64::from(ceiling) {
            return Err(missing_permissions());
        }
        moves.push((id, position as u16));
    }
    let guild = guild_mut(ctx, guild_id);
    for (id, position) in &moves {
        guild
            .roles
            .iter_mut()
            .filter(|r| r.id == *id)
            .for_each(|r| r.position = *position);
    }
    let roles: Vec<Value> = guild.roles.iter().map(wire::role).collect();
    let moved: Vec<FakeRole> = guild
        .roles
        .iter()
        .filter(|r| moves.iter().any(|(id, _)| *id == r.id))
        .cloned()
        .collect();
    for role in moved {
        ctx.emit(
            "GUILD_ROLE_UPDATE",
            json!({ "guild_id": wire::id(guild_id), "role": wire::role(&role) }),
            GUILDS,
        );
    }
    Ok(Reply::ok(Value::Array(roles)))
}

pub fn get_member(ctx: &mut Ctx, guild_segment: &str, user_segment: &str) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    let user_id = snowflake(user_segment)?;
    let member = guild
        .find_member(user_id)
        .ok_or_else(|| Reply::error(404, 10007, "Unknown Member"))?;
    Ok(Reply::ok(wire::member(member)))
}

/// Grants (`add`) or revokes a role: needs Manage Roles and the role below the bot's highest.
pub fn member_role(
    ctx: &mut Ctx,
    guild_segment: &str,
    user_segment: &str,
    role_segment: &str,
    add: bool,
) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    let guild_id = guild.id;
    let user_id = snowflake(user_segment)?;
    let role_id = snowflake(role_segment)?;
    guild
        .find_member(user_id)
        .ok_or_else(|| Reply::error(404, 10007, "Unknown Member"))?;
    let role = guild
        .find_role(role_id)
        .ok_or_else(|| Reply::error(404, 10011, "Unknown Role"))?;
    if !guild.bot_can(Permissions::MANAGE_ROLES, None)
        || role.position >= guild.highest_position(BOT_USER_ID)
        || role.managed
    {
        return Err(missing_permissions());
    }
    let member = guild_mut(ctx, guild_id)
        .members
        .iter_mut()
        .find(|m| m.user.id == user_id)
        .expect("checked");
    let had = member.roles.contains(&role_id);
    if add && !had {
        member.roles.push(role_id);
    } else if !add && had {
        member.roles.retain(|r| *r != role_id);
    }
    if add != had {
        let update = wire::member_in_guild(member, guild_id);
        ctx.emit("GUILD_MEMBER_UPDATE", update, GUILD_MEMBERS);
    }
    Ok(Reply::no_content())
}

pub fn list_channels(ctx: &mut Ctx, guild_segment: &str) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    Ok(Reply::ok(Value::Array(
        guild
            .channels
            .iter()
            .map(|c| wire::channel(c, guild.id))
            .collect(),
    )))
}

pub fn get_channel(ctx: &mut Ctx, channel_segment: &str) -> Answer {
    let channel_id = snowflake(channel_segment)?;
    match ctx.world.channel_home(channel_id) {
        Some(ChannelHome::Guild(guild_id)) => {
            let guild = ctx.world.guild(guild_id).expect("home");
            Ok(Reply::ok(wire::channel(
                guild.find_channel(channel_id).expect("home"),
                guild_id,
            )))
        }
        Some(ChannelHome::Dm(user_id)) => Ok(Reply::ok(wire::dm_channel(
            channel_id,
            &ctx.world.user(user_id),
        ))),
        None => Err(unknown_channel()),
    }
}

/// Needs Manage Channels; answers 201 with the channel.
pub fn create_channel(ctx: &mut Ctx, guild_segment: &str) -> Answer {
    let guild = guild(ctx, guild_segment)?;
    let guild_id = guild.id;
    if !guild.bot_can(Permissions::MANAGE_CHANNELS, None) {
        return Err(missing_permissions());
    }
    let sent = ctx.req.json();
    let Some(name) = sent["name"].as_str() else {
        return Err(Reply::invalid_form(
            "name",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        ));
    };
    let kind = sent["type"].as_u64().map_or(CHANNEL_TEXT, |k| k as u8);
    if kind == CHANNEL_DM {
        return Err(Reply::invalid_form(
            "type",
            "BASE_TYPE_CHOICES",
            "Value must be one of {0, 2, 4, 5, 13, 15, 16}.",
        ));
    }
    let channel = FakeChannel {
        kind,
        parent_id: bits(&sent, "parent_id"),
        position: sent["position"].as_u64().unwrap_or(0) as u16,
        topic: sent["topic"].as_str().map(str::to_owned),
        permission_overwrites: overwrites(&sent).unwrap_or_default(),
        ..FakeChannel::text(next_snowflake(), name)
    };
    guild_mut(ctx, guild_id).channels.push(channel.clone());
    let object = wire::channel(&channel, guild_id);
    ctx.emit("CHANNEL_CREATE", object.clone(), GUILDS);
    Ok(Reply::json(201, object))
}

/// Needs Manage Channels in the channel; the fields sent replace the old ones.
pub fn edit_channel(ctx: &mut Ctx, channel_segment: &str) -> Answer {
    let (guild_id, channel_id) = channel_guild(ctx, channel_segment)?;
    let guild = ctx.world.guild(guild_id).expect("home");
    if !guild.bot_can(Permissions::MANAGE_CHANNELS, Some(channel_id)) {
        return Err(missing_permissions());
    }
    let sent = ctx.req.json();
    let channel = guild_mut(ctx, guild_id)
        .channels
        .iter_mut()
        .find(|c| c.id == channel_id)
        .expect("home");
    if let Some(name) = sent["name"].as_str() {
        channel.name = name.to_owned();
    }
    if sent.get("topic").is_some() {
        channel.topic = sent["topic"].as_str().map(str::to_owned);
    }
    if sent.get("parent_id").is_some() {
        channel.parent_id = bits(&sent, "parent_id");
    }
    if let Some(position) = sent["position"].as_u64() {
        channel.position = position as u16;
    }
    if let Some(list) = overwrites(&sent) {
        channel.permission_overwrites = list;
    }
    let object = wire::channel(channel, guild_id);
    ctx.emit("CHANNEL_UPDATE", object.clone(), GUILDS);
    Ok(Reply::ok(object))
}

/// `PUT /channels/{id}/permissions/{target}` `{allow, deny, type}`: needs Manage Roles.
pub fn put_overwrite(ctx: &mut Ctx, channel_segment: &str, target_segment: &str) -> Answer {
    let (guild_id, channel_id) = channel_guild(ctx, channel_segment)?;
    let target = snowflake(target_segment)?;
    if !ctx
        .world
        .guild(guild_id)
        .expect("home")
        .bot_can(Permissions::MANAGE_ROLES, Some(channel_id))
    {
        return Err(missing_permissions());
    }
    let sent = ctx.req.json();
    let kind = match sent["type"].as_u64() {
        Some(0) => OverwriteKind::Role,
        Some(1) => OverwriteKind::Member,
        _ => {
            return Err(Reply::invalid_form(
                "type",
                "BASE_TYPE_CHOICES",
                "Value must be one of {0, 1}.",
            ));
        }
    };
    let overwrite = FakeOverwrite {
        id: target,
        kind,
        allow: bits(&sent, "allow").unwrap_or(0),
        deny: bits(&sent, "deny").unwrap_or(0),
    };
    change_overwrites(ctx, guild_id, channel_id, |list| {
        list.retain(|o| o.id != target);
        list.push(overwrite);
    });
    Ok(Reply::no_content())
}

pub fn delete_overwrite(ctx: &mut Ctx, channel_segment: &str, target_segment: &str) -> Answer {
    let (guild_id, channel_id) = channel_guild(ctx, channel_segment)?;
    let target = snowflake(target_segment)?;
    if !ctx
        .world
        .guild(guild_id)
        .expect("home")
        .bot_can(Permissions::MANAGE_ROLES, Some(channel_id))
    {
        return Err(missing_permissions());
    }
    change_overwrites(ctx, guild_id, channel_id, |list| {
        list.retain(|o| o.id != target)
    });
    Ok(Reply::no_content())
}

fn change_overwrites(
    ctx: &mut Ctx,
    guild_id: u64,
    channel_id: u64,
    change: impl FnOnce(&mut Vec<FakeOverwrite>),
) {
    let channel = guild_mut(ctx, guild_id)
        .channels
        .iter_mut()
        .find(|c| c.id == channel_id)
        .expect("home");
    change(&mut channel.permission_overwrites);
    let object = wire::channel(channel, guild_id);
    ctx.emit("CHANNEL_UPDATE", object, GUILDS);
}
