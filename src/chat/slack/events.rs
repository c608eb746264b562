//! Events the bot acts on (the `event_callback` of the Events API, the same payload over Socket
//! Mode): members joining the workspace (`team_join`) or a program channel
//! (`member_joined_channel`), welcomed once and asked to link; accounts deactivated or
//! reactivated (`user_change`: on Slack that is leaving and coming back); and files sent to the
//! bot in a DM for `/import`.

use std::sync::Arc;

use serde_json::Value;

use super::client::Slack;
use crate::app::App;
use crate::chat::Platform;

impl Slack {
    /// An `event_callback`: handled in the background.
    pub(super) fn on_event(self: &Arc<Self>, body: Value) {
        let Some(app) = self.app().cloned() else {
            tracing::warn!("a Slack event arrived before the bot started");
            return;
        };
        if body["type"].as_str() != Some("event_callback") {
            return;
        }
        let this = Arc::clone(self);
        tokio::spawn(async move { this.event(&app, &body).await });
    }

    async fn event(&self, app: &App, body: &Value) {
        let event = &body["event"];
        let team = body["team_id"]
            .as_str()
            .or_else(|| event["team"].as_str())
            .unwrap_or_default();
        match event["type"].as_str().unwrap_or_default() {
            "team_join" => {
                let user = &event["user"];
                if user["is_bot"].as_bool() == Some(true) {
                    return;
                }
                let (Some(id), name) = (user["id"].as_str(), display_name(user)) else {
                    return;
                };
                self.joined(app, team, id, &name).await;
            }
            "member_joined_channel" => {
                let (Some(user), Some(channel)) =
                    (event["user"].as_str(), event["channel"].as_str())
                else {
                    return;
                };
                if self.bot_user.get().is_some_and(|me| me == user) {
                    return;
                }
                match crate::db::channels::is_program_channel(&app.pool, "slack", team, channel)
                    .await
                {
                    Ok(true) => self.joined(app, team, user, user).await,
                    Ok(false) => {}
                    Err(e) => tracing::warn!("reading a Slack channel join: {e:#}"),
                }
            }
            "user_change" => self.user_changed(app, team, &event["user"]).await,
            "message" => {
                let from_a_person = event["bot_id"].is_null()
                    && event["user"].as_str().is_some()
                    && matches!(event["subtype"].as_str(), None | Some("file_share"));
                if event["channel_type"].as_str() == Some("im") && from_a_person {
                    self.direct_message(app, team, event).await;
                }
            }
            _ => {}
        }
    }

    /// A member joined: welcomed once (with `slack.welcome_new_members`), or counted again.
    async fn joined(&self, app: &App, team: &str, user: &str, name: &str) {
        if !app.config.slack.welcome_new_members {
            return;
        }
        match crate::features::members::joined(app, Platform::Slack, team, user, name).await {
            Ok(joined) => tracing::info!(team, user, ?joined, "a member joined on Slack"),
            Err(e) => tracing::warn!(team, user, "welcoming a Slack member: {e:#}"),
        }
    }

    /// A deactivated account is marked as left (nothing more is sent to it); a reactivated one
    /// counts again.
    async fn user_changed(&self, app: &App, team: &str, user: &Value) {
        let (Some(id), Some(deleted)) = (user["id"].as_str(), user["deleted"].as_bool()) else {
            return;
        };
        let team = user["team_id"].as_str().unwrap_or(team);
        let done = async {
            let Some(program) =
                crate::db::chat::workspace_program(&app.pool, "slack", team).await?
            else {
                return Ok(false);
            };
            if deleted {
                crate::db::chat::mark_left(&app.pool, program, "slack", team, id, app.now()).await
            } else {
                crate::db::chat::mark_back(&app.pool, program, "slack", team, id).await
            }
        };
        match done.await {
            Ok(true) => tracing::info!(
                team,
                user = id,
                deactivated = deleted,
                "a linked Slack account was {}",
                if deleted {
                    "deactivated"
                } else {
                    "reactivated"
                }
            ),
            Ok(false) => {}
            Err(e) => tracing::warn!(team, user = id, "recording a Slack account change: {e:#}"),
        }
    }
}

/// How a member is shown: their display name, else their real name, else their user name.
fn display_name(user: &Value) -> String {
    [
        &user["profile"]["display_name"],
        &user["profile"]["real_name"],
        &user["real_name"],
        &user["name"],
        &user["id"],
    ]
    .into_iter()
    .filter_map(|v| v.as_str())
    .find(|s| !s.trim().is_empty())
    .unwrap_or_default()
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::display_name;
    use serde_json::json;

    #[test]
    fn a_member_is_named_by_the_first_name_they_gave() {
        let user = json!({"id": "U1", "name": "jane.d", "real_name": "Jane Doe",
            "profile": {"display_name": "", "real_name": "Jane Doe"}});
        assert_eq!(display_name(&user), "Jane Doe");
        let user = json!({"id": "U1", "name": "jane.d",
            "profile": {"display_name": "JD"}});
        assert_eq!(display_name(&user), "JD");
        assert_eq!(display_name(&json!({"id": "U1"})), "U1");
    }
}
