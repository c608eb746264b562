//! `conversations.*` as Slack answers a bot token: the bot sees public channels and only the
//! private ones it is in, may only invite into channels it is in, and opens 1:1 DMs.

use serde_json::{Value, json};

use super::model::{FakeChannel, dm_channel_id, im_json};
use super::state::World;
use super::web_api::{Answer, Params, slack_error};

/// Slack's default page size for `conversations.list` / `conversations.members`.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
/// Channel names: at most 80 of `a-z 0-9 - _` (and non-ASCII letters, which the fake refuses).
const MAX_NAME: usize = 80;

/// A channel the bot may see: public ones, private ones it is in. Others are
/// `channel_not_found`, as Slack hides them.
pub fn visible<'a>(world: &'a World, channel_id: &str) -> Result<&'a FakeChannel, String> {
    match world.workspace.find_channel(channel_id) {
        Some(c) if !c.is_private || c.bot_is_member() => Ok(c),
        _ => slack_error("channel_not_found"),
    }
}

fn visible_mut<'a>(world: &'a mut World, channel_id: &str) -> Result<&'a mut FakeChannel, String> {
    visible(world, channel_id)?;
    Ok(world
        .workspace
        .find_channel_mut(channel_id)
        .expect("seen just now"))
}

fn channel_param(params: Params) -> Result<String, String> {
    params
        .str("channel")
        .ok_or_else(|| "channel_not_found".to_owned())
}

/// Cursor pagination: `fake-cursor:{offset}`; `next_cursor` is `""` on the last page.
fn page<T: Clone>(items: &[T], params: Params) -> Result<(Vec<T>, String), String> {
    let limit = params
        .u64("limit")
        .map_or(DEFAULT_LIMIT, |l| (l as usize).clamp(1, MAX_LIMIT));
    let offset = match params.str("cursor") {
        None => 0,
        Some(cursor) => cursor
            .strip_prefix("fake-cursor:")
            .and_then(|o| o.parse::<usize>().ok())
            .filter(|o| *o <= items.len())
            .ok_or_else(|| "invalid_cursor".to_owned())?,
    };
    let end = (offset + limit).min(items.len());
    let next = if end < items.len() {
        format!("fake-cursor:{end}")
    } else {
        String::new()
    };
    Ok((items[offset..end].to_vec(), next))
}

pub fn list(world: &World, params: Params) -> Answer {
    let mut types = params.list("types");
    if types.is_empty() {
        types.push("public_channel".to_owned());
    }
    if let Some(bad) = types
        .iter()
        .find(|t| !["public_channel", "private_channel", "im", "mpim"].contains(&t.as_str()))
    {
        return slack_error(&format!("invalid_types: {bad}"));
    }
    let wants = |t: &str| types.iter().any(|w| w == t);
    let exclude_archived = params.bool("exclude_archived");
    let mut listed: Vec<Value> = world
        .workspace
        .channels
        .iter()
        .filter(|c| !(exclude_archived && c.is_archived))
        .filter(|c| {
            if c.is_private {
                wants("private_channel") && c.bot_is_member()
            } else {
                wants("public_channel")
            }
        })
        .map(FakeChannel::to_json)
        .collect();
    if wants("im") {
        listed.extend(world.dms.iter().map(|(user, dm)| im_json(dm, user)));
    }
    let (channels, next_cursor) = page(&listed, params)?;
    Ok(json!({ "channels": channels, "response_metadata": { "next_cursor": next_cursor } }))
}

pub fn create(world: &mut World, params: Params) -> Answer {
    let name = params.str("name").unwrap_or_default();
    if name.is_empty() {
        return slack_error("invalid_name_required");
    }
    if name.chars().count() > MAX_NAME {
        return slack_error("invalid_name_maxlength");
    }
    if name.starts_with('#') || name == "." || name == ".." {
        return slack_error("invalid_name");
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if !name.chars().all(allowed) {
        return slack_error("invalid_name_specials");
    }
    if world.workspace.channel_named(&name).is_some() {
        return slack_error("name_taken");
    }
    let id = world.new_id('C');
    let bot = world.workspace.bot_user_id.clone();
    let mut channel = if params.bool("is_private") {
        FakeChannel::private(&id, &name)
    } else {
        FakeChannel::public(&id, &name)
    };
    channel.creator = bot.clone();
    channel.created = super::model::unix_now();
    channel.add_member(&bot);
    let json = channel.to_json();
    world.workspace.channels.push(channel);
    Ok(json!({ "channel": json }))
}

pub fn join(world: &mut World, params: Params) -> Answer {
    let channel_id = channel_param(params)?;
    let bot = world.workspace.bot_user_id.clone();
    let channel = world
        .workspace
        .find_channel_mut(&channel_id)
        .ok_or("channel_not_found")?;
    if channel.is_private {
        // A private channel the bot is not in does not exist for it.
        return if channel.bot_is_member() {
            slack_error("method_not_supported_for_channel_type")
        } else {
            slack_error("channel_not_found")
        };
    }
    if channel.is_archived {
        return slack_error("is_archived");
    }
    let already = channel.bot_is_member();
    channel.add_member(&bot);
    let mut answer = json!({ "channel": channel.to_json() });
    if already {
        answer["warning"] = json!("already_in_channel");
        answer["response_metadata"] = json!({ "warnings": ["already_in_channel"] });
    }
    Ok(answer)
}

pub fn info(world: &World, params: Params) -> Answer {
    let channel_id = channel_param(params)?;
    if let Some((user, dm)) = world.dms.iter().find(|(_, dm)| **dm == channel_id) {
        return Ok(json!({ "channel": im_json(dm, user) }));
    }
    Ok(json!({ "channel": visible(world, &channel_id)?.to_json() }))
}

pub fn members(world: &World, params: Params) -> Answer {
    let channel_id = channel_param(params)?;
    let channel = visible(world, &channel_id)?;
    let (members, next_cursor) = page(&channel.members, params)?;
    Ok(json!({ "members": members, "response_metadata": { "next_cursor": next_cursor } }))
}

/// All or nothing: the first problem with any user fails the call and nobody is added.
pub fn invite(world: &mut World, params: Params) -> Answer {
    let channel_id = channel_param(params)?;
    let users = params.list("users");
    if users.is_empty() {
        return slack_error("no_user");
    }
    let bot = world.workspace.bot_user_id.clone();
    let channel = visible(world, &channel_id)?;
    if channel.is_archived {
        return slack_error("is_archived");
    }
    if !channel.bot_is_member() {
        return slack_error("not_in_channel");
    }
    for user_id in &users {
        if *user_id == bot {
            return slack_error("cant_invite_self");
        }
        let user = world.workspace.find_user(user_id).ok_or("user_not_found")?;
        if user.deleted {
            return slack_error("cant_invite");
        }
        if channel.has_member(user_id) {
            return slack_error("already_in_channel");
        }
    }
    let channel = visible_mut(world, &channel_id)?;
    for user_id in &users {
        channel.add_member(user_id);
    }
    Ok(json!({ "channel": channel.to_json() }))
}

pub fn kick(world: &mut World, params: Params) -> Answer {
    let channel_id = channel_param(params)?;
    let user_id = params.str("user").ok_or("user_not_found")?;
    let bot = world.workspace.bot_user_id.clone();
    if world.workspace.find_user(&user_id).is_none() {
        return slack_error("user_not_found");
    }
    let channel = visible_mut(world, &channel_id)?;
    if user_id == bot {
        return slack_error("cant_kick_self");
    }
    if channel.is_archived {
        return slack_error("is_archived");
    }
    if !channel.bot_is_member() || !channel.has_member(&user_id) {
        return slack_error("not_in_channel");
    }
    if channel.name == "general" {
        return slack_error("cant_kick_from_general");
    }
    channel.members.retain(|m| *m != user_id);
    Ok(json!({}))
}

/// The DM channel with `user_id`, opening it; errors as `conversations.open` gives them.
pub fn open_dm(world: &mut World, user_id: &str) -> Result<(String, bool), String> {
    let user = world.workspace.find_user(user_id).ok_or("user_not_found")?;
    if user.is_bot {
        return slack_error("cannot_dm_bot");
    }
    if user.deleted {
        return slack_error("account_inactive");
    }
    let already = world.dms.contains_key(user_id);
    let dm = world
        .dms
        .entry(user_id.to_owned())
        .or_insert_with(|| dm_channel_id(user_id))
        .clone();
    Ok((dm, already))
}

/// 1:1 DMs only (`users` with one id, or `channel` with a DM id).
pub fn open(world: &mut World, params: Params) -> Answer {
    let users = params.list("users");
    let (dm, user, already) = match (users.as_slice(), params.str("channel")) {
        ([user], _) => {
            let (dm, already) = open_dm(world, user)?;
            (dm, user.clone(), already)
        }
        ([], Some(channel)) => {
            let (user, dm) = world
                .dms
                .iter()
                .find(|(_, dm)| **dm == channel)
                .ok_or("channel_not_found")?;
            (dm.clone(), user.clone(), true)
        }
        ([], None) => return slack_error("users_list_not_supplied"),
        _ => return slack_error("fake_mpim_not_supported"),
    };
    let channel = if params.bool("return_im") {
        im_json(&dm, &user)
    } else {
        json!({ "id": dm })
    };
    let mut answer = json!({ "channel": channel });
    if already {
        answer["no_op"] = json!(true);
        answer["already_open"] = json!(true);
    }
    Ok(answer)
}
