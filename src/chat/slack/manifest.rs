//! The Slack app manifest (`creator-bot slack manifest`), generated from the command registry:
//! every slash command with its description and usage hint, the bot scopes the features need and
//! no more, the events the bot acts on, interactivity, and either Socket Mode or the request URLs
//! of the Events API on `run.listen`.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::chat::commands::export::slack_manifest_commands;
use crate::config::slack::SlackMode;

/// The bot's scopes, each with the feature that needs it.
pub const BOT_SCOPES: &[(&str, &str)] = &[
    ("commands", "slash commands"),
    ("chat:write", "posts in the program's channels and DMs"),
    ("im:write", "opening a DM with a creator"),
    (
        "im:history",
        "reading the CSV files staff send the bot for /import",
    ),
    ("files:read", "downloading those files"),
    ("files:write", "uploading chart images shown in replies"),
    (
        "channels:read",
        "finding #competitions by name; members joining it",
    ),
    ("channels:join", "joining an existing #competitions"),
    ("channels:manage", "creating #competitions"),
    (
        "groups:read",
        "finding the private channels; reading #staff's members",
    ),
    (
        "groups:write",
        "creating the private channels; adding and removing tier members",
    ),
    (
        "users:read",
        "new members (team_join), deactivated accounts, who is a workspace admin",
    ),
];

/// The events the bot subscribes to.
pub const BOT_EVENTS: &[&str] = &[
    "team_join",
    "member_joined_channel",
    "message.im",
    "user_change",
];

/// The request paths of the Events API mode, on `run.listen`.
pub const EVENTS_PATH: &str = "/slack/events";
pub const COMMANDS_PATH: &str = "/slack/commands";
pub const INTERACTIONS_PATH: &str = "/slack/interactions";

/// The manifest as a value; `base_url` (the public `https://` address of `run.listen`) is needed
/// in `http` mode.
pub fn manifest(mode: SlackMode, base_url: Option<&str>) -> Result<Value> {
    let base = match (mode, base_url) {
        (SlackMode::Socket, _) => None,
        (SlackMode::Http, None) => bail!(
            "--url is needed with --mode http: the public https:// address where Slack reaches \
             run.listen (e.g. https://bot.example.com)"
        ),
        (SlackMode::Http, Some(url)) => {
            let url = url.trim_end_matches('/');
            if !url.starts_with("https://") || url.len() <= "https://".len() {
                bail!(
                    "--url {url:?} must start with https:// (Slack sends events only to HTTPS \
                     addresses)"
                );
            }
            Some(url.to_string())
        }
    };
    let at = |path: &str| base.as_ref().map(|b| format!("{b}{path}"));
    let mut settings = json!({
        "event_subscriptions": { "bot_events": BOT_EVENTS },
        "interactivity": { "is_enabled": true },
        "org_deploy_enabled": false,
        "socket_mode_enabled": mode == SlackMode::Socket,
        "token_rotation_enabled": false,
    });
    if let Some(url) = at(EVENTS_PATH) {
        settings["event_subscriptions"]["request_url"] = json!(url);
    }
    if let Some(url) = at(INTERACTIONS_PATH) {
        settings["interactivity"]["request_url"] = json!(url);
    }
    Ok(json!({
        "display_information": {
            "name": "Creator Bot",
            "description": "Runs the brand's TikTok Shop creator program: stats, tiers, samples \
                            and reminders.",
            "background_color": "#1d2433",
        },
        "features": {
            // DMs to the bot (the CSV files for /import) need the Messages tab.
            "app_home": {
                "home_tab_enabled": false,
                "messages_tab_enabled": true,
                "messages_tab_read_only_enabled": false,
            },
            "bot_user": { "display_name": "creator-bot", "always_online": true },
            "slash_commands": slack_manifest_commands(at(COMMANDS_PATH).as_deref()),
        },
        "oauth_config": {
            "scopes": { "bot": BOT_SCOPES.iter().map(|(s, _)| *s).collect::<Vec<_>>() },
        },
        "settings": settings,
    }))
}

/// The manifest as YAML, as Slack's "From an app manifest" takes it.
pub fn manifest_yaml(mode: SlackMode, base_url: Option<&str>) -> Result<String> {
    Ok(serde_yaml_ng::to_string(&manifest(mode, base_url)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::commands::registry;

    fn parsed(mode: SlackMode, url: Option<&str>) -> Value {
        let yaml = manifest_yaml(mode, url).unwrap();
        serde_yaml_ng::from_str(&yaml).unwrap()
    }

    #[test]
    fn every_command_of_the_registry_is_in_the_manifest() {
        let m = parsed(SlackMode::Socket, None);
        let commands = m["features"]["slash_commands"].as_array().unwrap();
        let names: Vec<&str> = commands
            .iter()
            .map(|c| c["command"].as_str().unwrap())
            .collect();
        let expected: Vec<String> = registry().iter().map(|c| format!("/{}", c.name)).collect();
        assert_eq!(names, expected);
        for (c, spec) in commands.iter().zip(registry()) {
            assert_eq!(c["description"], spec.description);
            assert!(c.get("url").is_none(), "{c}");
        }
        let creator = commands
            .iter()
            .find(|c| c["command"] == "/creator")
            .unwrap();
        assert!(!creator["usage_hint"].as_str().unwrap().is_empty());
    }

    #[test]
    fn socket_mode_has_no_request_urls() {
        let m = parsed(SlackMode::Socket, None);
        assert_eq!(m["settings"]["socket_mode_enabled"], true);
        assert!(
            m["settings"]["event_subscriptions"]
                .get("request_url")
                .is_none()
        );
        assert!(m["settings"]["interactivity"].get("request_url").is_none());
        assert_eq!(m["settings"]["interactivity"]["is_enabled"], true);
        assert_eq!(
            m["settings"]["event_subscriptions"]["bot_events"],
            json!([
                "team_join",
                "member_joined_channel",
                "message.im",
                "user_change"
            ])
        );
    }

    #[test]
    fn http_mode_points_slack_at_the_bot() {
        let m = parsed(SlackMode::Http, Some("https://bot.example.com/"));
        assert_eq!(m["settings"]["socket_mode_enabled"], false);
        assert_eq!(
            m["settings"]["event_subscriptions"]["request_url"],
            "https://bot.example.com/slack/events"
        );
        assert_eq!(
            m["settings"]["interactivity"]["request_url"],
            "https://bot.example.com/slack/interactions"
        );
        for c in m["features"]["slash_commands"].as_array().unwrap() {
            assert_eq!(c["url"], "https://bot.example.com/slack/commands");
        }
        let e = manifest(SlackMode::Http, None).unwrap_err().to_string();
        assert!(e.starts_with("--url is needed with --mode http"), "{e}");
        let e = manifest(SlackMode::Http, Some("http://bot.example.com"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("must start with https://"), "{e}");
    }

    #[test]
    fn the_scopes_are_exactly_those_the_features_use() {
        let m = parsed(SlackMode::Socket, None);
        assert_eq!(
            m["oauth_config"]["scopes"]["bot"],
            json!([
                "commands",
                "chat:write",
                "im:write",
                "im:history",
                "files:read",
                "files:write",
                "channels:read",
                "channels:join",
                "channels:manage",
                "groups:read",
                "groups:write",
                "users:read"
            ])
        );
        assert_eq!(m["features"]["app_home"]["messages_tab_enabled"], true);
    }
}
