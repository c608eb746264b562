//! The guilds a test gives the fake Discord: users, members, roles, channels and permission
//! overwrites as plain values, plus Discord's permission arithmetic over them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serenity::model::Permissions;

/// The bot's user id (distinct from [`APPLICATION_ID`], so code that confuses them fails).
pub const BOT_USER_ID: u64 = 900_000_000_000_000_001;
/// The bot's application id (what `PUT /applications/{app}/guilds/{guild}/commands` expects).
pub const APPLICATION_ID: u64 = 900_000_000_000_000_002;
/// The application's owner, also the owner of every [`FakeGuild::new`] guild.
pub const OWNER_USER_ID: u64 = 900_000_000_000_000_003;
/// The bot's username.
pub const BOT_NAME: &str = "creator-bot";

/// Discord's epoch (2015-01-01) in Unix milliseconds.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// A new snowflake: the current time in its top bits, unique and increasing in this process.
pub fn next_snowflake() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let from_clock = now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = from_clock.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// What `@everyone` may do in a new [`FakeGuild`]: read, write, embed, attach, use commands.
pub fn default_everyone_permissions() -> u64 {
    (Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::ADD_REACTIONS
        | Permissions::USE_APPLICATION_COMMANDS
        | Permissions::CHANGE_NICKNAME)
        .bits()
}

/// What the bot's own role may do in a new [`FakeGuild`]: the everyone set plus managing roles
/// and channels (not Administrator, so the role hierarchy and overwrites apply to it).
pub fn default_bot_permissions() -> u64 {
    default_everyone_permissions()
        | (Permissions::MANAGE_ROLES | Permissions::MANAGE_CHANNELS).bits()
}

/// A Discord user.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeUser {
    pub id: u64,
    /// The username (Discord's `username`; `global_name` is the same).
    pub name: String,
    pub bot: bool,
    /// `false`: the user accepts no DMs, so sending into their DM channel answers 403 / 50007.
    pub dms_open: bool,
}

impl FakeUser {
    /// A human user who accepts DMs.
    pub fn new(id: u64, name: &str) -> Self {
        FakeUser {
            id,
            name: name.to_owned(),
            bot: false,
            dms_open: true,
        }
    }
}

/// A guild member: a user, their roles (ids, without `@everyone`) and nickname.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeMember {
    pub user: FakeUser,
    pub nick: Option<String>,
    pub roles: Vec<u64>,
}

impl FakeMember {
    /// A member with no roles beyond `@everyone`.
    pub fn new(user_id: u64, name: &str) -> Self {
        FakeMember {
            user: FakeUser::new(user_id, name),
            nick: None,
            roles: Vec::new(),
        }
    }

    /// Replaces the member's roles.
    pub fn roles(mut self, roles: impl IntoIterator<Item = u64>) -> Self {
        self.roles = roles.into_iter().collect();
        self
    }

    pub fn nick(mut self, nick: &str) -> Self {
        self.nick = Some(nick.to_owned());
        self
    }

    /// The member accepts no DMs (sending to them answers 403 / 50007).
    pub fn dms_closed(mut self) -> Self {
        self.user.dms_open = false;
        self
    }
}

/// A guild role. Higher `position` is higher in the hierarchy; `@everyone` is 0.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeRole {
    pub id: u64,
    pub name: String,
    pub position: u16,
    /// Permission bits (`serenity::model::Permissions::...bits()`).
    pub permissions: u64,
    pub color: u32,
    pub hoist: bool,
    pub mentionable: bool,
    /// Managed by an integration (the bot's own role is); nobody can grant a managed role.
    pub managed: bool,
    /// For a bot's managed role: that bot's user id (`tags.bot_id`).
    pub bot_id: Option<u64>,
}

impl FakeRole {
    /// An unmanaged role without permissions.
    pub fn new(id: u64, name: &str, position: u16) -> Self {
        FakeRole {
            id,
            name: name.to_owned(),
            position,
            permissions: 0,
            color: 0,
            hoist: false,
            mentionable: false,
            managed: false,
            bot_id: None,
        }
    }

    pub fn permissions(mut self, bits: u64) -> Self {
        self.permissions = bits;
        self
    }
}

/// Whom a permission overwrite applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverwriteKind {
    Role,
    Member,
}

impl OverwriteKind {
    /// Discord's `type`: 0 role, 1 member.
    pub fn wire(self) -> u8 {
        match self {
            OverwriteKind::Role => 0,
            OverwriteKind::Member => 1,
        }
    }
}

/// A channel permission overwrite.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeOverwrite {
    /// A role id (the guild id for `@everyone`) or a user id.
    pub id: u64,
    pub kind: OverwriteKind,
    pub allow: u64,
    pub deny: u64,
}

impl FakeOverwrite {
    pub fn role(id: u64, allow: u64, deny: u64) -> Self {
        FakeOverwrite {
            id,
            kind: OverwriteKind::Role,
            allow,
            deny,
        }
    }

    pub fn member(id: u64, allow: u64, deny: u64) -> Self {
        FakeOverwrite {
            id,
            kind: OverwriteKind::Member,
            allow,
            deny,
        }
    }
}

/// Discord's channel types the fake knows.
pub const CHANNEL_TEXT: u8 = 0;
pub const CHANNEL_DM: u8 = 1;
pub const CHANNEL_CATEGORY: u8 = 4;

/// A guild channel (text or category).
#[derive(Clone, Debug, PartialEq)]
pub struct FakeChannel {
    pub id: u64,
    pub name: String,
    /// Discord's channel `type`: [`CHANNEL_TEXT`] or [`CHANNEL_CATEGORY`] (others pass through).
    pub kind: u8,
    pub parent_id: Option<u64>,
    pub position: u16,
    pub topic: Option<String>,
    pub permission_overwrites: Vec<FakeOverwrite>,
}

impl FakeChannel {
    pub fn text(id: u64, name: &str) -> Self {
        FakeChannel {
            id,
            name: name.to_owned(),
            kind: CHANNEL_TEXT,
            parent_id: None,
            position: 0,
            topic: None,
            permission_overwrites: Vec::new(),
        }
    }

    pub fn category(id: u64, name: &str) -> Self {
        FakeChannel {
            kind: CHANNEL_CATEGORY,
            ..FakeChannel::text(id, name)
        }
    }

    pub fn parent(mut self, category_id: u64) -> Self {
        self.parent_id = Some(category_id);
        self
    }

    pub fn overwrite(mut self, overwrite: FakeOverwrite) -> Self {
        self.permission_overwrites.push(overwrite);
        self
    }
}

/// A guild. [`FakeGuild::new`] gives it what a real guild with the bot installed has: an
/// `@everyone` role (id = guild id), the bot's managed role at position 10 with
/// [`default_bot_permissions`], a `#general` text channel, the owner and the bot as members.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeGuild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub roles: Vec<FakeRole>,
    pub channels: Vec<FakeChannel>,
    pub members: Vec<FakeMember>,
}

impl FakeGuild {
    pub fn new(id: u64, name: &str) -> Self {
        let everyone =
            FakeRole::new(id, "@everyone", 0).permissions(default_everyone_permissions());
        let bot_role = FakeRole {
            managed: true,
            bot_id: Some(BOT_USER_ID),
            ..FakeRole::new(next_snowflake(), BOT_NAME, 10).permissions(default_bot_permissions())
        };
        let mut bot = FakeMember::new(BOT_USER_ID, BOT_NAME).roles([bot_role.id]);
        bot.user.bot = true;
        FakeGuild {
            id,
            name: name.to_owned(),
            owner_id: OWNER_USER_ID,
            channels: vec![FakeChannel::text(next_snowflake(), "general")],
            members: vec![FakeMember::new(OWNER_USER_ID, "owner"), bot],
            roles: vec![everyone, bot_role],
        }
    }

    /// Adds a role (or replaces the one with its id).
    pub fn role(mut self, role: FakeRole) -> Self {
        self.roles.retain(|r| r.id != role.id);
        self.roles.push(role);
        self
    }

    /// Adds a channel (or replaces the one with its id).
    pub fn channel(mut self, channel: FakeChannel) -> Self {
        self.channels.retain(|c| c.id != channel.id);
        self.channels.push(channel);
        self
    }

    /// Adds a member (or replaces the one with its user id).
    pub fn member(mut self, member: FakeMember) -> Self {
        self.members.retain(|m| m.user.id != member.user.id);
        self.members.push(member);
        self
    }

    /// Sets what the bot's role may do.
    pub fn bot_permissions(mut self, bits: u64) -> Self {
        let id = self.bot_role_id();
        self.roles
            .iter_mut()
            .filter(|r| r.id == id)
            .for_each(|r| r.permissions = bits);
        self
    }

    /// Moves the bot's role in the hierarchy.
    pub fn bot_role_position(mut self, position: u16) -> Self {
        let id = self.bot_role_id();
        self.roles
            .iter_mut()
            .filter(|r| r.id == id)
            .for_each(|r| r.position = position);
        self
    }

    /// The `@everyone` role's id (the guild id).
    pub fn everyone_role_id(&self) -> u64 {
        self.id
    }

    /// The bot's managed role.
    pub fn bot_role_id(&self) -> u64 {
        self.roles
            .iter()
            .find(|r| r.bot_id == Some(BOT_USER_ID))
            .map_or(0, |r| r.id)
    }

    /// The first text channel (`#general` unless the test replaced it).
    pub fn general_channel_id(&self) -> u64 {
        self.channels
            .iter()
            .find(|c| c.kind == CHANNEL_TEXT)
            .map_or(0, |c| c.id)
    }

    pub fn find_role(&self, id: u64) -> Option<&FakeRole> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn find_channel(&self, id: u64) -> Option<&FakeChannel> {
        self.channels.iter().find(|c| c.id == id)
    }

    pub fn find_member(&self, user_id: u64) -> Option<&FakeMember> {
        self.members.iter().find(|m| m.user.id == user_id)
    }

    /// The highest position among the user's roles (0 with only `@everyone`).
    pub fn highest_position(&self, user_id: u64) -> u16 {
        let Some(member) = self.find_member(user_id) else {
            return 0;
        };
        member
            .roles
            .iter()
            .filter_map(|id| self.find_role(*id))
            .map(|r| r.position)
            .max()
            .unwrap_or(0)
    }

    /// Guild-wide permissions of a member (Discord's base permissions).
    pub fn base_permissions(&self, user_id: u64) -> u64 {
        if user_id == self.owner_id {
            return Permissions::all().bits();
        }
        let everyone = self.find_role(self.id).map_or(0, |r| r.permissions);
        let Some(member) = self.find_member(user_id) else {
            return everyone;
        };
        let bits = member
            .roles
            .iter()
            .filter_map(|id| self.find_role(*id))
            .fold(everyone, |acc, role| acc | role.permissions);
        if bits & Permissions::ADMINISTRATOR.bits() != 0 {
            Permissions::all().bits()
        } else {
            bits
        }
    }

    /// A member's permissions in a channel: base permissions, then the `@everyone`, role and
    /// member overwrites in Discord's order.
    pub fn channel_permissions(&self, user_id: u64, channel_id: u64) -> u64 {
        let base = self.base_permissions(user_id);
        if base == Permissions::all().bits() {
            return base;
        }
        let Some(channel) = self.find_channel(channel_id) else {
            return base;
        };
        let roles = self
            .find_member(user_id)
            .map(|m| m.roles.clone())
            .unwrap_or_default();
        let overwrites = &channel.permission_overwrites;
        let mut bits = base;
        if let Some(o) = overwrites
            .iter()
            .find(|o| o.kind == OverwriteKind::Role && o.id == self.id)
        {
            bits = (bits & !o.deny) | o.allow;
        }
        let (allow, deny) = overwrites
            .iter()
            .filter(|o| o.kind == OverwriteKind::Role && roles.contains(&o.id))
            .fold((0, 0), |(a, d), o| (a | o.allow, d | o.deny));
        bits = (bits & !deny) | allow;
        if let Some(o) = overwrites
            .iter()
            .find(|o| o.kind == OverwriteKind::Member && o.id == user_id)
        {
            bits = (bits & !o.deny) | o.allow;
        }
        bits
    }

    /// Whether the bot has all of `needed` in the guild (or in `channel_id` when given).
    pub fn bot_can(&self, needed: Permissions, channel_id: Option<u64>) -> bool {
        let bits = match channel_id {
            Some(channel) => self.channel_permissions(BOT_USER_ID, channel),
            None => self.base_permissions(BOT_USER_ID),
        };
        bits & needed.bits() == needed.bits()
    }
}
