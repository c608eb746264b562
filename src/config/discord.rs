//! `[discord]`: the Discord application the bot runs as. The bot token is a secret and comes
//! only from the environment (`DISCORD_TOKEN`); everything here is safe to keep in a file.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Environment variable holding the bot token.
pub const TOKEN_ENV: &str = "DISCORD_TOKEN";

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordConfig {
    /// The application id (Developer Portal → General Information), a number.
    pub application_id: Option<String>,
    /// Sends every HTTP request to this proxy in front of Discord's API (such as
    /// twilight-http-proxy), which then owns the rate limits: `http://host:port`. Unset: Discord
    /// itself, with the bot's own rate limiter.
    pub api_url: Option<String>,
    /// Speak HTTP/2 to the `api_url` proxy over plain HTTP (prior knowledge, no upgrade): a burst
    /// of replies then shares one connection instead of opening one each. twilight-http-proxy
    /// accepts it; a proxy that speaks only HTTP/1.1 does not. Talking to Discord itself, HTTP/2
    /// is negotiated by TLS whatever this says.
    pub api_http2: bool,
    /// Welcome members who join the server with a DM asking them to link their TikTok handle.
    /// Needs the privileged Server Members intent.
    pub welcome_new_members: bool,
}

impl DiscordConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(id) = &self.application_id
            && !is_snowflake(id)
        {
            return Err(ConfigError(format!(
                "discord.application_id: {id:?} is not a Discord id (a number such as \
                 123456789012345678, from the Developer Portal's General Information page)"
            )));
        }
        if let Some(url) = &self.api_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError(format!(
                "discord.api_url: {url:?} must start with http:// or https://"
            )));
        }
        if self.api_http2
            && !self
                .api_url
                .as_deref()
                .is_some_and(|u| u.starts_with("http://"))
        {
            return Err(ConfigError(
                "discord.api_http2: only for a proxy reached over plain HTTP; set discord.api_url \
                 to its http:// address, or remove api_http2 (Discord itself negotiates HTTP/2 by \
                 TLS)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The application id as a number, when set.
    pub fn application_id(&self) -> Option<u64> {
        self.application_id.as_deref().and_then(|s| s.parse().ok())
    }
}

/// A Discord id: 1 to 20 digits, not zero.
pub fn is_snowflake(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 20
        && s.chars().all(|c| c.is_ascii_digit())
        && s.parse::<u64>().is_ok_and(|n| n > 0)
}
