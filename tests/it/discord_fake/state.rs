//! The fake's mutable world: the guilds as REST calls change them, DM channels, sent messages
//! and their nonces, registered commands, pending interactions and servable attachments.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::model::{APPLICATION_ID, FakeGuild, FakeUser, next_snowflake};
use super::recording::RecordedFile;
use super::wire;

/// How long Discord remembers an enforced nonce ("the past few minutes").
pub const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Where a channel id points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelHome {
    Guild(u64),
    /// A DM channel with this recipient.
    Dm(u64),
}

/// A message the fake holds, by channel.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub channel_id: u64,
    pub message: Value,
}

/// An interaction the fake pushed and what the bot answered.
#[derive(Clone, Debug)]
pub struct InteractionState {
    pub id: u64,
    pub channel_id: u64,
    pub created: Instant,
    /// The callback's `type`, once answered.
    pub callback_type: Option<u64>,
    pub callback_data: Option<Value>,
    pub original: Option<Value>,
    pub followups: Vec<Value>,
}

/// Bytes served at `GET /attachments/{key}`.
#[derive(Clone, Debug)]
pub struct ServedFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub struct World {
    /// `http://127.0.0.1:PORT`, for the URLs of attachments.
    pub base_url: String,
    pub guilds: Vec<FakeGuild>,
    /// Users known outside any guild (DM recipients), with their DM setting.
    pub users: HashMap<u64, FakeUser>,
    /// Recipient user id → DM channel id.
    pub dm_channels: BTreeMap<u64, u64>,
    pub messages: Vec<StoredMessage>,
    /// (channel, nonce) → (message id, when).
    pub nonces: HashMap<(u64, String), (u64, Instant)>,
    /// Guild id → the commands last bulk-overwritten there.
    pub commands: BTreeMap<u64, Vec<Value>>,
    /// (guild, name) → command id, kept across overwrites as Discord does.
    pub command_ids: HashMap<(u64, String), u64>,
    /// Token → interaction.
    pub interactions: HashMap<String, InteractionState>,
    pub files: HashMap<String, ServedFile>,
    pub interaction_deadline: Duration,
}

impl World {
    pub fn new(base_url: String, guilds: Vec<FakeGuild>, interaction_deadline: Duration) -> Self {
        World {
            base_url,
            guilds,
            users: HashMap::new(),
            dm_channels: BTreeMap::new(),
            messages: Vec::new(),
            nonces: HashMap::new(),
            commands: BTreeMap::new(),
            command_ids: HashMap::new(),
            interactions: HashMap::new(),
            files: HashMap::new(),
            interaction_deadline,
        }
    }

    pub fn guild(&self, id: u64) -> Option<&FakeGuild> {
        self.guilds.iter().find(|g| g.id == id)
    }

    pub fn guild_mut(&mut self, id: u64) -> Option<&mut FakeGuild> {
        self.guilds.iter_mut().find(|g| g.id == id)
    }

    /// A user by id: a guild member's, a known DM recipient's, or a placeholder.
    pub fn user(&self, id: u64) -> FakeUser {
        if let Some(user) = self.users.get(&id) {
            return user.clone();
        }
        self.guilds
            .iter()
            .find_map(|g| g.find_member(id).map(|m| m.user.clone()))
            .unwrap_or_else(|| FakeUser::new(id, &format!("user{id}")))
    }

    /// Sets a user's DM setting wherever the user appears.
    pub fn set_dms_open(&mut self, user_id: u64, open: bool) {
        let mut user = self.user(user_id);
        user.dms_open = open;
        self.users.insert(user_id, user);
        for guild in &mut self.guilds {
            for member in guild.members.iter_mut().filter(|m| m.user.id == user_id) {
                member.user.dms_open = open;
            }
        }
    }

    pub fn channel_home(&self, channel_id: u64) -> Option<ChannelHome> {
        if let Some(guild) = self
            .guilds
            .iter()
            .find(|g| g.find_channel(channel_id).is_some())
        {
            return Some(ChannelHome::Guild(guild.id));
        }
        self.dm_channels
            .iter()
            .find(|(_, c)| **c == channel_id)
            .map(|(u, _)| ChannelHome::Dm(*u))
    }

    /// The DM channel with `user_id`, opened if needed.
    pub fn open_dm(&mut self, user_id: u64) -> u64 {
        *self
            .dm_channels
            .entry(user_id)
            .or_insert_with(next_snowflake)
    }

    /// Builds a message from what the bot sent (JSON and files), as Discord returns it.
    pub fn build_message(
        &mut self,
        channel_id: u64,
        sent: &Value,
        files: &[RecordedFile],
    ) -> Value {
        let id = next_snowflake();
        let attachments: Vec<Value> = files
            .iter()
            .enumerate()
            .map(|(index, file)| self.store_upload(sent, index, file))
            .collect();
        let embeds: Vec<Value> = sent
            .get("embeds")
            .and_then(Value::as_array)
            .map(|embeds| {
                embeds
                    .iter()
                    .map(|e| resolve_embed(e, &attachments))
                    .collect()
            })
            .unwrap_or_default();
        let mut message = json!({
            "id": wire::id(id),
            "channel_id": wire::id(channel_id),
            "author": wire::user(&wire::bot_user()),
            "content": sent.get("content").and_then(Value::as_str).unwrap_or(""),
            "timestamp": wire::now(),
            "edited_timestamp": null,
            "tts": sent.get("tts").and_then(Value::as_bool).unwrap_or(false),
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds,
            "pinned": false,
            "type": 0,
            "flags": sent.get("flags").and_then(Value::as_u64).unwrap_or(0),
            "components": sent.get("components").cloned().unwrap_or_else(|| json!([])),
        });
        if let Some(nonce) = sent.get("nonce") {
            message["nonce"] = nonce.clone();
        }
        message
    }

    /// Applies an edit (PATCH) to a message: the fields sent replace the old ones.
    pub fn edit_message(&mut self, message: &mut Value, sent: &Value, files: &[RecordedFile]) {
        let channel_id = wire::u64_field(message, "channel_id").unwrap_or(0);
        let rebuilt = self.build_message(channel_id, sent, files);
        for key in ["content", "embeds", "components"] {
            if sent.get(key).is_some() {
                message[key] = rebuilt[key].clone();
            }
        }
        if sent.get("attachments").is_some() || !files.is_empty() {
            message["attachments"] = rebuilt["attachments"].clone();
        }
        let loading = 1 << 7;
        let flags = message["flags"].as_u64().unwrap_or(0);
        if flags & loading != 0 {
            message["flags"] = json!(flags & !loading);
        } else {
            message["edited_timestamp"] = json!(wire::now());
        }
    }

    /// Keeps an uploaded file servable and returns its attachment object.
    fn store_upload(&mut self, sent: &Value, index: usize, file: &RecordedFile) -> Value {
        let id = next_snowflake();
        let key = format!("{id}/{}", file.filename);
        let content_type = file
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        self.files.insert(
            key.clone(),
            ServedFile {
                content_type: content_type.clone(),
                bytes: file.bytes.clone(),
            },
        );
        let description = sent
            .get("attachments")
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .find(|a| wire::u64_field(a, "id") == Some(index as u64))
            })
            .and_then(|a| a.get("description").cloned())
            .unwrap_or(Value::Null);
        self.attachment_object(
            id,
            &file.filename,
            &content_type,
            file.bytes.len(),
            &key,
            description,
        )
    }

    /// Registers bytes at `/attachments/{key}` and returns the URL.
    pub fn serve(&mut self, key: &str, content_type: &str, bytes: Vec<u8>) -> String {
        self.files.insert(
            key.to_owned(),
            ServedFile {
                content_type: content_type.to_owned(),
                bytes,
            },
        );
        format!("{}/attachments/{key}", self.base_url)
    }

    /// A complete attachment object whose `url` is served by the fake.
    pub fn attachment_object(
        &self,
        id: u64,
        filename: &str,
        content_type: &str,
        size: usize,
        key: &str,
        description: Value,
    ) -> Value {
        let url = format!("{}/attachments/{key}", self.base_url);
        json!({
            "id": wire::id(id),
            "filename": filename,
            "description": description,
            "content_type": content_type,
            "size": size,
            "url": url,
            "proxy_url": url,
            "height": null,
            "width": null,
        })
    }

    /// The id of the command `name` in `guild_id` (any guild for DMs), or a fresh one.
    pub fn command_id(&self, guild_id: Option<u64>, name: &str) -> u64 {
        self.command_ids
            .iter()
            .find(|((guild, command), _)| command == name && guild_id.is_none_or(|g| g == *guild))
            .map_or_else(next_snowflake, |(_, id)| *id)
    }

    /// The message an interaction's webhook routes act on (`@original`).
    pub fn interaction_mut(&mut self, app: &str, token: &str) -> Option<&mut InteractionState> {
        (app == APPLICATION_ID.to_string()).then_some(())?;
        self.interactions.get_mut(token)
    }
}

/// An embed as Discord stores it: `type: rich`, `attachment://name` resolved to the upload.
fn resolve_embed(embed: &Value, attachments: &[Value]) -> Value {
    let mut embed = embed.clone();
    if embed.get("type").is_none() {
        embed["type"] = json!("rich");
    }
    for key in ["image", "thumbnail"] {
        let Some(url) = embed
            .get(key)
            .and_then(|i| i.get("url"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let Some(name) = url.strip_prefix("attachment://") else {
            continue;
        };
        if let Some(found) = attachments.iter().find(|a| a["filename"] == name) {
            embed[key]["url"] = found["url"].clone();
            embed[key]["proxy_url"] = found["url"].clone();
        }
    }
    embed
}
