//! Users acting in Discord: slash commands and autocomplete as complete INTERACTION_CREATE
//! dispatches (with a handle to await the bot's answer), and members joining a guild.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::gateway::GUILD_MEMBERS;
use super::model::{
    APPLICATION_ID, FakeMember, FakeUser, default_everyone_permissions, next_snowflake,
};
use super::recording::{INTERACTION_TOKEN_PREFIX, RecordedRequest};
use super::state::{InteractionState, World};
use super::{FakeDiscord, Shared, wire};

/// Discord's default upload limit for a guild without boosts (10 MiB).
pub const ATTACHMENT_SIZE_LIMIT: u64 = 10 * 1024 * 1024;

/// Which interaction a user triggers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InteractionKind {
    /// Type 2: a slash command was run.
    Command,
    /// Type 4: the user is typing an option that has autocomplete (one option has `focused`).
    Autocomplete,
}

/// Everything about an interaction the fake will send; build with [`InteractionSpec::command`],
/// [`InteractionSpec::autocomplete`] or [`InteractionSpec::dm`].
#[derive(Clone, Debug)]
pub struct InteractionSpec {
    pub kind: InteractionKind,
    /// `None`: in the bot's DMs with `member.user`.
    pub guild_id: Option<u64>,
    /// Default: the guild's first text channel, or the DM channel.
    pub channel_id: Option<u64>,
    /// Who runs it; in a guild the fake stores this member (roles included) before sending.
    pub member: FakeMember,
    pub command: String,
    /// Discord's `data.options`: `[{"name", "type", "value"}]`, nested for subcommands.
    pub options: Value,
    /// Discord's `data.resolved` (`users`, `members`, `roles`, `channels`, `attachments`).
    pub resolved: Option<Value>,
    pub locale: String,
}

impl InteractionSpec {
    pub fn command(guild_id: u64, member: &FakeMember, name: &str) -> Self {
        InteractionSpec {
            kind: InteractionKind::Command,
            guild_id: Some(guild_id),
            channel_id: None,
            member: member.clone(),
            command: name.to_owned(),
            options: json!([]),
            resolved: None,
            locale: "en-US".to_owned(),
        }
    }

    pub fn autocomplete(guild_id: u64, member: &FakeMember, name: &str) -> Self {
        InteractionSpec {
            kind: InteractionKind::Autocomplete,
            ..InteractionSpec::command(guild_id, member, name)
        }
    }

    /// A command run in the bot's DMs.
    pub fn dm(user: &FakeUser, name: &str) -> Self {
        let member = FakeMember {
            user: user.clone(),
            nick: None,
            roles: Vec::new(),
        };
        InteractionSpec {
            guild_id: None,
            ..InteractionSpec::command(0, &member, name)
        }
    }

    pub fn options(mut self, options: Value) -> Self {
        self.options = options;
        self
    }

    pub fn resolved(mut self, resolved: Value) -> Self {
        self.resolved = Some(resolved);
        self
    }

    pub fn channel(mut self, channel_id: u64) -> Self {
        self.channel_id = Some(channel_id);
        self
    }

    pub fn locale(mut self, locale: &str) -> Self {
        self.locale = locale.to_owned();
        self
    }
}

/// An interaction built but not sent yet ([`FakeDiscord::prepare_interaction`]).
pub struct PreparedInteraction {
    id: u64,
    token: String,
    channel_id: u64,
    payload: Value,
}

/// An interaction the fake sent; await what the bot answers to it.
#[derive(Clone)]
pub struct InteractionHandle {
    pub id: u64,
    pub token: String,
    pub channel_id: u64,
    /// The INTERACTION_CREATE payload as sent.
    pub payload: Value,
    /// How many live gateway sessions it was sent to (0: the bot was not connected).
    pub delivered: usize,
    /// When the INTERACTION_CREATE was handed to the gateway sessions (compare with the
    /// callback's [`RecordedRequest::at`]).
    pub pushed: Instant,
    shared: Arc<Shared>,
}

impl InteractionHandle {
    /// The bot's `POST /interactions/{id}/{token}/callback`.
    pub async fn callback(&self, timeout: Duration) -> Option<RecordedRequest> {
        let path = format!("/interactions/{}/{}/callback", self.id, self.token);
        self.wait(timeout, |r| r.method == "POST" && r.path == path)
            .await
    }

    /// The bot's first `PATCH /webhooks/{app}/{token}/messages/@original`.
    pub async fn edit(&self, timeout: Duration) -> Option<RecordedRequest> {
        let pattern = format!("/webhooks/*/{}/messages/@original", self.token);
        self.wait(timeout, |r| r.is("PATCH", &pattern)).await
    }

    /// The bot's first follow-up `POST /webhooks/{app}/{token}`.
    pub async fn followup(&self, timeout: Duration) -> Option<RecordedRequest> {
        let pattern = format!("/webhooks/*/{}", self.token);
        self.wait(timeout, |r| r.is("POST", &pattern)).await
    }

    /// Every request about this interaction (callback, webhook routes), in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .recorder
            .all()
            .into_iter()
            .filter(|r| r.path.contains(&self.token))
            .collect()
    }

    /// The callback's `type` (4 message, 5 deferred, 8 autocomplete result), once answered.
    pub fn callback_type(&self) -> Option<u64> {
        self.state().and_then(|s| s.callback_type)
    }

    /// The response message as it stands now (after edits), if there is one.
    pub fn original(&self) -> Option<Value> {
        self.state().and_then(|s| s.original)
    }

    pub fn followups(&self) -> Vec<Value> {
        self.state().map(|s| s.followups).unwrap_or_default()
    }

    /// An autocomplete answer's `choices`.
    pub fn choices(&self) -> Option<Vec<Value>> {
        self.state()
            .and_then(|s| s.callback_data)
            .and_then(|d| d["choices"].as_array().cloned())
    }

    fn state(&self) -> Option<InteractionState> {
        self.shared
            .world
            .lock()
            .unwrap()
            .interactions
            .get(&self.token)
            .cloned()
    }

    async fn wait(
        &self,
        timeout: Duration,
        mut matches: impl FnMut(&RecordedRequest) -> bool,
    ) -> Option<RecordedRequest> {
        self.shared
            .changes
            .wait(timeout, || {
                self.shared
                    .recorder
                    .find_for_token(&self.token, &mut matches)
            })
            .await
    }
}

impl FakeDiscord {
    /// A member runs slash command `name` in the guild's first text channel (see
    /// [`InteractionSpec`] for more control).
    pub fn interaction_command(
        &self,
        guild_id: u64,
        member: &FakeMember,
        name: &str,
        options: Value,
        resolved: Option<Value>,
    ) -> InteractionHandle {
        let mut spec = InteractionSpec::command(guild_id, member, name).options(options);
        spec.resolved = resolved;
        self.interaction(spec)
    }

    /// A member types into an autocomplete option of `name` (mark it `"focused": true`).
    pub fn interaction_autocomplete(
        &self,
        guild_id: u64,
        member: &FakeMember,
        name: &str,
        options: Value,
    ) -> InteractionHandle {
        self.interaction(InteractionSpec::autocomplete(guild_id, member, name).options(options))
    }

    /// Sends an INTERACTION_CREATE to every live session.
    pub fn interaction(&self, spec: InteractionSpec) -> InteractionHandle {
        self.send_interaction(self.prepare_interaction(spec))
    }

    /// An interaction made ready to send (its payload built, its state stored), so a benchmark
    /// can build a burst before its clock starts; [`Self::send_interaction`] sends it.
    pub fn prepare_interaction(&self, spec: InteractionSpec) -> PreparedInteraction {
        let id = next_snowflake();
        let token = format!("{INTERACTION_TOKEN_PREFIX}{id:x}");
        let (payload, channel_id) = {
            let mut world = self.shared.world.lock().unwrap();
            let (payload, channel_id) = payload(&mut world, &spec, id, &token);
            let state = InteractionState {
                id,
                channel_id,
                created: Instant::now(),
                callback_type: None,
                callback_data: None,
                original: None,
                followups: Vec::new(),
            };
            world.interactions.insert(token.clone(), state);
            (payload, channel_id)
        };
        PreparedInteraction {
            id,
            token,
            channel_id,
            payload,
        }
    }

    /// Sends a prepared interaction to every live session.
    pub fn send_interaction(&self, prepared: PreparedInteraction) -> InteractionHandle {
        let PreparedInteraction {
            id,
            token,
            channel_id,
            payload,
        } = prepared;
        let pushed = Instant::now();
        // Discord's deadline runs from the push.
        if let Some(state) = self
            .shared
            .world
            .lock()
            .unwrap()
            .interactions
            .get_mut(&token)
        {
            state.created = pushed;
        }
        let delivered = self
            .shared
            .gateway
            .dispatch("INTERACTION_CREATE", payload.clone(), 0);
        InteractionHandle {
            id,
            token,
            channel_id,
            payload,
            delivered,
            pushed,
            shared: Arc::clone(&self.shared),
        }
    }

    /// A user joins a guild: stored as a member, GUILD_MEMBER_ADD sent to sessions with the
    /// GUILD_MEMBERS intent. Returns how many live sessions got it.
    pub fn member_join(&self, guild_id: u64, member: FakeMember) -> usize {
        let event = {
            let mut world = self.shared.world.lock().unwrap();
            let guild = world
                .guild_mut(guild_id)
                .expect("member_join: no such guild in the fake");
            guild.members.retain(|m| m.user.id != member.user.id);
            guild.members.push(member.clone());
            wire::member_in_guild(&member, guild_id)
        };
        self.shared
            .gateway
            .dispatch("GUILD_MEMBER_ADD", event, GUILD_MEMBERS)
    }
}

/// The complete INTERACTION_CREATE payload and its channel.
fn payload(world: &mut World, spec: &InteractionSpec, id: u64, token: &str) -> (Value, u64) {
    let kind = if spec.kind == InteractionKind::Command {
        2
    } else {
        4
    };
    let mut data = json!({
        "id": wire::id(world.command_id(spec.guild_id, &spec.command)),
        "name": spec.command,
        "type": 1,
        "options": spec.options,
    });
    if let Some(resolved) = &spec.resolved {
        data["resolved"] = resolved.clone();
    }
    let mut payload = json!({
        "id": wire::id(id),
        "application_id": wire::id(APPLICATION_ID),
        "type": kind,
        "token": token,
        "version": 1,
        "locale": spec.locale,
        "entitlements": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    });
    let Some(guild_id) = spec.guild_id else {
        let channel_id = spec
            .channel_id
            .unwrap_or_else(|| world.open_dm(spec.member.user.id));
        let mut channel = wire::dm_channel(channel_id, &spec.member.user);
        channel["permissions"] = json!(default_everyone_permissions().to_string());
        wire::merge(
            &mut payload,
            json!({
                "data": data,
                "channel_id": wire::id(channel_id),
                "channel": channel,
                "user": wire::user(&spec.member.user),
                "app_permissions": default_everyone_permissions().to_string(),
                "authorizing_integration_owners": { "0": "0" },
                "context": 1,
            }),
        );
        return (payload, channel_id);
    };
    let guild = world
        .guild_mut(guild_id)
        .expect("interaction: no such guild in the fake");
    guild.members.retain(|m| m.user.id != spec.member.user.id);
    guild.members.push(spec.member.clone());
    let channel_id = spec
        .channel_id
        .unwrap_or_else(|| guild.general_channel_id());
    let fake_channel = guild
        .find_channel(channel_id)
        .expect("interaction: no such channel in the guild");
    let member_permissions = guild
        .channel_permissions(spec.member.user.id, channel_id)
        .to_string();
    let mut channel = wire::channel(fake_channel, guild_id);
    channel["permissions"] = json!(member_permissions);
    let mut member = wire::member(&spec.member);
    member["permissions"] = json!(member_permissions);
    data["guild_id"] = wire::id(guild_id);
    wire::merge(
        &mut payload,
        json!({
            "data": data,
            "guild_id": wire::id(guild_id),
            "guild": { "id": wire::id(guild_id), "locale": "en-US", "features": [] },
            "guild_locale": "en-US",
            "channel_id": wire::id(channel_id),
            "channel": channel,
            "member": member,
            "app_permissions": guild.channel_permissions(super::model::BOT_USER_ID, channel_id).to_string(),
            "authorizing_integration_owners": { "0": wire::id(guild_id) },
            "context": 0,
        }),
    );
    (payload, channel_id)
}
