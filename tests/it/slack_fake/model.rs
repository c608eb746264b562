//! The workspace a test gives the fake Slack: the team, the app and its bot user, the tokens it
//! accepts, users and channels as plain values, and their JSON as Slack's Web API renders it.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

pub const TEAM_ID: &str = "T0GLOW";
pub const TEAM_NAME: &str = "Glow Creators";
/// The workspace's subdomain (`team_domain` in payloads, `https://glow.slack.com/`).
pub const TEAM_DOMAIN: &str = "glow";
/// The bot's user id (`U...`), distinct from [`BOT_ID`] (`B...`) and [`APP_ID`] (`A...`).
pub const BOT_USER_ID: &str = "U0BOT";
pub const BOT_ID: &str = "B0BOT";
pub const APP_ID: &str = "A0GLOW";
/// The bot user's name.
pub const BOT_NAME: &str = "creator-bot";
/// The bot token (`xoxb-`) the Web API accepts.
pub const BOT_TOKEN: &str = "xoxb-1-fake-bot-token";
/// The app-level token (`xapp-`) `apps.connections.open` accepts.
pub const APP_TOKEN: &str = "xapp-1-A0GLOW-fake-app-token";
/// The (deprecated) verification token Slack puts in payloads' `token` field.
pub const VERIFICATION_TOKEN: &str = "fakeVerificationToken0";

/// Unix seconds now.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A member of the workspace (a person, a bot or a deactivated account).
#[derive(Clone, Debug, PartialEq)]
pub struct FakeUser {
    /// `U...`
    pub id: String,
    /// The handle (`name`, shown as `user_name` in slash commands).
    pub name: String,
    pub real_name: String,
    pub email: Option<String>,
    pub is_bot: bool,
    /// Deactivated: `deleted: true`; DMs to them fail.
    pub deleted: bool,
    /// A Workspace Admin (`is_admin` in `users.info`).
    pub is_admin: bool,
}

impl FakeUser {
    /// A person; `real_name` starts as `name`.
    pub fn new(id: &str, name: &str) -> Self {
        FakeUser {
            id: id.to_owned(),
            name: name.to_owned(),
            real_name: name.to_owned(),
            email: None,
            is_bot: false,
            deleted: false,
            is_admin: false,
        }
    }

    pub fn real_name(mut self, real_name: &str) -> Self {
        self.real_name = real_name.to_owned();
        self
    }

    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(email.to_owned());
        self
    }

    pub fn bot(mut self) -> Self {
        self.is_bot = true;
        self
    }

    pub fn deleted(mut self) -> Self {
        self.deleted = true;
        self
    }

    /// A Workspace Admin.
    pub fn admin(mut self) -> Self {
        self.is_admin = true;
        self
    }

    /// The user object of `users.info` and `team_join`.
    pub fn to_json(&self, team_id: &str) -> Value {
        let mut profile = json!({
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "first_name": self.real_name.split(' ').next().unwrap_or_default(),
            "last_name": self.real_name.split_once(' ').map_or("", |(_, last)| last),
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "g0fake",
            "image_24": "https://a.slack-edge.com/fake-24.png",
            "image_72": "https://a.slack-edge.com/fake-72.png",
            "team": team_id,
        });
        if let Some(email) = &self.email {
            profile["email"] = json!(email);
        }
        if self.is_bot {
            profile["bot_id"] = json!(if self.id == BOT_USER_ID {
                BOT_ID.to_owned()
            } else {
                format!("B{}", &self.id[1..])
            });
        }
        json!({
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": "America/Los_Angeles",
            "tz_label": "Pacific Standard Time",
            "tz_offset": -28800,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": false,
            "is_primary_owner": false,
            "is_restricted": false,
            "is_ultra_restricted": false,
            "is_bot": self.is_bot,
            "is_app_user": false,
            "updated": 1_700_000_000,
            "has_2fa": false,
        })
    }
}

/// A public or private channel. The bot is "in" it when [`BOT_USER_ID`] is among `members`.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeChannel {
    /// `C...` (Slack gives private channels `C` ids too).
    pub id: String,
    pub name: String,
    pub is_private: bool,
    pub is_archived: bool,
    /// User ids, in the order they joined.
    pub members: Vec<String>,
    pub created: i64,
    pub creator: String,
}

impl FakeChannel {
    pub fn public(id: &str, name: &str) -> Self {
        FakeChannel {
            id: id.to_owned(),
            name: name.to_owned(),
            is_private: false,
            is_archived: false,
            members: Vec::new(),
            created: 1_700_000_000,
            creator: "U0OWNER".to_owned(),
        }
    }

    pub fn private(id: &str, name: &str) -> Self {
        FakeChannel {
            is_private: true,
            ..FakeChannel::public(id, name)
        }
    }

    pub fn archived(mut self) -> Self {
        self.is_archived = true;
        self
    }

    /// Adds members (user ids).
    pub fn members<S: AsRef<str>>(mut self, users: impl IntoIterator<Item = S>) -> Self {
        for user in users {
            self.add_member(user.as_ref());
        }
        self
    }

    /// Adds the bot as a member.
    pub fn with_bot(self) -> Self {
        self.members([BOT_USER_ID])
    }

    pub fn has_member(&self, user_id: &str) -> bool {
        self.members.iter().any(|m| m == user_id)
    }

    /// Whether the bot is a member (`is_member` in Slack's answers, which are the bot's view).
    pub fn bot_is_member(&self) -> bool {
        self.has_member(BOT_USER_ID)
    }

    pub fn add_member(&mut self, user_id: &str) {
        if !self.has_member(user_id) {
            self.members.push(user_id.to_owned());
        }
    }

    /// The conversation object of `conversations.*` as the bot sees it.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": !self.is_private,
            "is_group": self.is_private,
            "is_im": false,
            "is_mpim": false,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "unlinked": 0,
            "is_shared": false,
            "is_org_shared": false,
            "is_ext_shared": false,
            "is_pending_ext_shared": false,
            "is_member": self.bot_is_member(),
            "creator": self.creator,
            "topic": { "value": "", "creator": "", "last_set": 0 },
            "purpose": { "value": "", "creator": "", "last_set": 0 },
            "previous_names": [],
            "num_members": self.members.len(),
        })
    }

    /// `channel_type` in events: `C` public, `G` private.
    pub fn event_channel_type(&self) -> &'static str {
        if self.is_private { "G" } else { "C" }
    }
}

/// The DM channel id between the bot and a user: stable, `D` + the user id without its `U`.
pub fn dm_channel_id(user_id: &str) -> String {
    format!("D{}", user_id.get(1..).unwrap_or(user_id))
}

/// The `im` conversation object for a DM channel.
pub fn im_json(channel_id: &str, user_id: &str) -> Value {
    json!({
        "id": channel_id,
        "created": 1_700_000_000,
        "is_im": true,
        "is_org_shared": false,
        "user": user_id,
        "is_user_deleted": false,
        "priority": 0,
    })
}

/// The team, the app, its tokens, users and channels.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeWorkspace {
    pub team_id: String,
    pub team_name: String,
    pub domain: String,
    pub bot_user_id: String,
    pub bot_id: String,
    pub app_id: String,
    pub bot_token: String,
    pub app_token: String,
    /// Includes the bot user.
    pub users: Vec<FakeUser>,
    pub channels: Vec<FakeChannel>,
}

impl Default for FakeWorkspace {
    fn default() -> Self {
        FakeWorkspace::new()
    }
}

impl FakeWorkspace {
    /// Team [`TEAM_ID`] with only the bot user and no channels; tokens [`BOT_TOKEN`] and
    /// [`APP_TOKEN`].
    pub fn new() -> Self {
        FakeWorkspace {
            team_id: TEAM_ID.to_owned(),
            team_name: TEAM_NAME.to_owned(),
            domain: TEAM_DOMAIN.to_owned(),
            bot_user_id: BOT_USER_ID.to_owned(),
            bot_id: BOT_ID.to_owned(),
            app_id: APP_ID.to_owned(),
            bot_token: BOT_TOKEN.to_owned(),
            app_token: APP_TOKEN.to_owned(),
            users: vec![FakeUser::new(BOT_USER_ID, BOT_NAME).bot()],
            channels: Vec::new(),
        }
    }

    pub fn user(mut self, user: FakeUser) -> Self {
        self.users.retain(|u| u.id != user.id);
        self.users.push(user);
        self
    }

    pub fn channel(mut self, channel: FakeChannel) -> Self {
        self.channels.retain(|c| c.id != channel.id);
        self.channels.push(channel);
        self
    }

    /// Replaces the tokens accepted.
    pub fn tokens(mut self, bot_token: &str, app_token: &str) -> Self {
        self.bot_token = bot_token.to_owned();
        self.app_token = app_token.to_owned();
        self
    }

    pub fn find_user(&self, user_id: &str) -> Option<&FakeUser> {
        self.users.iter().find(|u| u.id == user_id)
    }

    pub fn find_channel(&self, channel_id: &str) -> Option<&FakeChannel> {
        self.channels.iter().find(|c| c.id == channel_id)
    }

    pub fn find_channel_mut(&mut self, channel_id: &str) -> Option<&mut FakeChannel> {
        self.channels.iter_mut().find(|c| c.id == channel_id)
    }

    pub fn channel_named(&self, name: &str) -> Option<&FakeChannel> {
        self.channels.iter().find(|c| c.name == name)
    }

    /// `https://glow.slack.com/`
    pub fn url(&self) -> String {
        format!("https://{}.slack.com/", self.domain)
    }
}
