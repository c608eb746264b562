//! `[slack]`: how the bot reaches the brand's Slack workspace. The tokens and the signing secret
//! are secrets and come only from the environment ([`BOT_TOKEN_ENV`], [`APP_TOKEN_ENV`],
//! [`SIGNING_SECRET_ENV`]); everything here is safe to keep in a file. Each program's workspace
//! is its `programs[].slack_team_id`.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The bot token (`xoxb-…`, OAuth & Permissions → Bot User OAuth Token).
pub const BOT_TOKEN_ENV: &str = "SLACK_BOT_TOKEN";
/// The app-level token with `connections:write` (`xapp-…`), for Socket Mode.
pub const APP_TOKEN_ENV: &str = "SLACK_APP_TOKEN";
/// The signing secret (Basic Information → App Credentials), for the Events API over HTTP.
pub const SIGNING_SECRET_ENV: &str = "SLACK_SIGNING_SECRET";

/// Slack's own Web API.
pub const DEFAULT_API_URL: &str = "https://slack.com/api/";

/// How Slack's events and slash commands reach the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlackMode {
    /// Socket Mode: the bot opens websockets to Slack; no public URL is needed.
    #[default]
    Socket,
    /// The Events API: Slack posts to `/slack/events`, `/slack/commands` and
    /// `/slack/interactions` on `run.listen`, which must be reachable from the internet.
    Http,
}

impl SlackMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SlackMode::Socket => "socket",
            SlackMode::Http => "http",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlackConfig {
    /// `socket` (default) or `http`.
    pub mode: SlackMode,
    /// The Web API's base URL.
    pub api_url: String,
    /// Slack user ids (`U…`) who are staff in every program's workspace, besides the members of
    /// its #staff channel (before setup created #staff, these are the only staff).
    pub staff_user_ids: Vec<String>,
    /// Welcome members who join the workspace with a DM asking them to link their TikTok handle.
    pub welcome_new_members: bool,
    /// Socket Mode connections kept open at once (Slack allows up to 10 per app).
    pub socket_connections: u32,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig {
            mode: SlackMode::Socket,
            api_url: DEFAULT_API_URL.into(),
            staff_user_ids: Vec::new(),
            welcome_new_members: true,
            socket_connections: 2,
        }
    }
}

impl SlackConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = &self.api_url;
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.trim_end_matches('/').ends_with(':')
        {
            return Err(ConfigError(format!(
                "slack.api_url: {url:?} must be a URL starting with http:// or https:// \
                 (default {DEFAULT_API_URL:?})"
            )));
        }
        for (i, id) in self.staff_user_ids.iter().enumerate() {
            if !is_user_id(id) {
                return Err(ConfigError(format!(
                    "slack.staff_user_ids[{i}]: {id:?} is not a Slack user id (such as \
                     \"U024BE7LH\": open the person's profile → ⋮ → Copy member ID)"
                )));
            }
        }
        if !(1..=10).contains(&self.socket_connections) {
            return Err(ConfigError(format!(
                "slack.socket_connections: must be between 1 and 10 (Slack's limit per app), \
                 got {}",
                self.socket_connections
            )));
        }
        Ok(())
    }

    /// The Web API base without its trailing slash (the client appends `/{method}`).
    pub fn api_base(&self) -> &str {
        self.api_url.trim_end_matches('/')
    }
}

/// `first` then uppercase letters and digits, 3 to 20 characters in all.
fn slack_id(s: &str, first: &[char]) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| first.contains(&c))
        && (3..=20).contains(&s.len())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A Slack workspace (team) id: `T` then uppercase letters and digits (`T024BE7LD`).
pub fn is_team_id(s: &str) -> bool {
    slack_id(s, &['T'])
}

/// A Slack user id: `U` (or `W` on Enterprise Grid) then uppercase letters and digits.
pub fn is_user_id(s: &str) -> bool {
    slack_id(s, &['U', 'W'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_told_apart() {
        assert!(is_team_id("T024BE7LD"));
        assert!(!is_team_id("t024be7ld"));
        assert!(!is_team_id("U024BE7LH"));
        assert!(!is_team_id("T"));
        assert!(!is_team_id("T024-BE7"));
        assert!(is_user_id("U024BE7LH"));
        assert!(is_user_id("W012A3CDE"));
        assert!(!is_user_id("@jane"));
    }

    #[test]
    fn bad_values_name_their_key() {
        let bad = |c: SlackConfig| c.validate().unwrap_err().0;
        let url = bad(SlackConfig {
            api_url: "slack.com/api".into(),
            ..Default::default()
        });
        assert!(
            url.starts_with("slack.api_url: \"slack.com/api\" must be a URL"),
            "{url}"
        );
        let staff = bad(SlackConfig {
            staff_user_ids: vec!["U024BE7LH".into(), "jane".into()],
            ..Default::default()
        });
        assert!(
            staff.starts_with("slack.staff_user_ids[1]: \"jane\" is not a Slack user id"),
            "{staff}"
        );
        let count = bad(SlackConfig {
            socket_connections: 11,
            ..Default::default()
        });
        assert_eq!(
            count,
            "slack.socket_connections: must be between 1 and 10 (Slack's limit per app), got 11"
        );
        SlackConfig::default().validate().unwrap();
        assert_eq!(SlackConfig::default().api_base(), "https://slack.com/api");
    }
}
