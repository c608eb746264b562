//! Slash commands and the files staff send for `/import`. A slash command is acknowledged at
//! once (empty), its text read by the registry's parser (`commands::respond`), and the reply
//! sent through its `response_url` as an ephemeral Block Kit message; a chart in the reply is
//! uploaded first and shown by an image block referencing the file.
//!
//! Slack's slash commands carry no file, so `/import` on Slack explains the other way: staff send
//! the CSV to the bot in a DM with the words `import orders` (or creators, samples, videos,
//! products). Who may import is settled before the file is downloaded; the file then goes through
//! the command layer as an `/import` with an attachment, and the report is the bot's answer in
//! the DM.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::client::Slack;
use crate::app::App;
use crate::chat::commands::{
    self, Attachment, Block, Caller, Outcome, Reply, Request, Rich, registry,
};
use crate::chat::render;
use crate::chat::sender::Platform;

/// A slash command as Slack sends it (the form fields of the Events API, the `payload` of a
/// Socket Mode envelope).
#[derive(Debug, Clone, Deserialize)]
pub struct CommandPayload {
    pub command: String,
    #[serde(default)]
    pub text: String,
    pub team_id: String,
    pub user_id: String,
    #[serde(default)]
    pub user_name: Option<String>,
    pub response_url: String,
}

/// How `/import` works on Slack.
pub const IMPORT_BY_DM: &str = "Slack's slash commands can't carry a file. To import, send the \
CSV to the bot in a direct message (Apps → creator-bot → Messages) with the words `import orders` \
— or `import creators`, `import samples`, `import videos`, `import products` — and the report \
comes back in that conversation.";

/// The words after `import` when a DM's text asks for an import (`import orders`,
/// `/import Orders`, `Import   videos`), else `None`.
pub fn import_args(text: &str) -> Option<&str> {
    let text = text.trim().trim_start_matches('/');
    let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    word.eq_ignore_ascii_case("import").then(|| rest.trim())
}

impl Slack {
    /// A slash command from Socket Mode: answered in the background.
    pub(super) fn on_command_value(self: &std::sync::Arc<Self>, payload: Value) {
        match serde_json::from_value::<CommandPayload>(payload) {
            Ok(payload) => self.on_command(payload),
            Err(e) => tracing::warn!("a Slack slash command could not be read: {e}"),
        }
    }

    /// A slash command: answered in the background through its `response_url`.
    pub(super) fn on_command(self: &std::sync::Arc<Self>, payload: CommandPayload) {
        let Some(app) = self.app().cloned() else {
            tracing::warn!("a Slack slash command arrived before the bot started");
            return;
        };
        let this = std::sync::Arc::clone(self);
        tokio::spawn(async move {
            let reply = this.answer(&app, &payload).await;
            let mut body = this.blocks(&reply).await;
            // Every reply is seen only by the caller.
            body["response_type"] = json!("ephemeral");
            if let Err(e) = this.api.respond(&payload.response_url, &body).await {
                tracing::warn!(command = %payload.command, "answering a Slack command: {e}");
            }
        });
    }

    async fn answer(&self, app: &App, payload: &CommandPayload) -> Reply {
        let name = payload.command.trim_start_matches('/');
        let user_name = payload.user_name.as_deref().unwrap_or(&payload.user_id);
        let admin = registry::find(name).is_some_and(|spec| spec.admin);
        let caller = self
            .caller(app, &payload.team_id, &payload.user_id, user_name, admin)
            .await;
        if name == "import" {
            return match self.may_import(app, &caller).await {
                Ok(_) => Reply::titled("Importing on Slack").line(IMPORT_BY_DM),
                Err(refusal) => refusal,
            };
        }
        commands::respond(app, &caller, &Request::new(name, &payload.text)).await
    }

    /// Who is asking: the team is the workspace; #staff's members (and `slack.staff_user_ids`)
    /// are staff; for a command that changes the workspace (`admin`), whether Slack says they
    /// are a Workspace Admin or Owner.
    pub(super) async fn caller(
        &self,
        app: &App,
        team_id: &str,
        user_id: &str,
        name: &str,
        admin: bool,
    ) -> Caller {
        let configured = &app.config.slack.staff_user_ids;
        let staff = self
            .staff
            .signal(&self.api, &app.pool, configured, team_id, user_id, name)
            .await;
        let mut caller = Caller::new(Platform::Slack, team_id, user_id).with_staff(staff);
        if admin {
            let listed = configured.iter().any(|u| u == user_id);
            caller = caller.with_workspace_admin(listed || self.workspace_admin(user_id).await);
        }
        caller
    }

    async fn workspace_admin(&self, user_id: &str) -> bool {
        match self.api.get("users.info", &[("user", user_id)]).await {
            Ok(info) => {
                let user = &info["user"];
                ["is_admin", "is_owner", "is_primary_owner"]
                    .iter()
                    .any(|k| user[*k].as_bool() == Some(true))
            }
            Err(e) => {
                tracing::warn!("reading whether a Slack user is an admin: {e}");
                false
            }
        }
    }

    /// The caller's program and role when they may run `/import`, else the reply refusing them.
    async fn may_import(&self, app: &App, caller: &Caller) -> Result<commands::Resolved, Reply> {
        let spec = registry::find("import").expect("/import is registered");
        match commands::resolve(&app.pool, caller).await {
            Ok(None) => Err(Reply::refused(commands::UNKNOWN_WORKSPACE)),
            Ok(Some(resolved)) => match commands::refusal(spec, &resolved.role) {
                Some(refusal) => Err(Reply::refused(refusal)),
                None => Ok(resolved),
            },
            Err(e) => {
                tracing::error!("resolving a Slack caller: {e:#}");
                Err(Reply::of(Outcome::Failed, commands::FAILED))
            }
        }
    }

    /// A direct message to the bot: `import <kind>` with a CSV file attached runs the import and
    /// answers in the conversation. Other messages are left alone.
    pub(super) async fn direct_message(&self, app: &App, team_id: &str, event: &Value) {
        let text = event["text"].as_str().unwrap_or_default();
        let Some(args) = import_args(text) else {
            return;
        };
        let (Some(user), Some(channel)) = (event["user"].as_str(), event["channel"].as_str())
        else {
            return;
        };
        let reply = self.import(app, team_id, user, args, event).await;
        let mut body = self.blocks(&reply).await;
        body["channel"] = json!(channel);
        if let Some(map) = body.as_object_mut() {
            map.remove("response_type");
        }
        if let Err(e) = self.api.post("chat.postMessage", &body).await {
            tracing::warn!("answering an import sent to the Slack bot: {e}");
        }
    }

    async fn import(
        &self,
        app: &App,
        team_id: &str,
        user: &str,
        args: &str,
        event: &Value,
    ) -> Reply {
        let caller = self.caller(app, team_id, user, user, false).await;
        // Who may import is settled before anything is downloaded.
        let resolved = match self.may_import(app, &caller).await {
            Ok(resolved) => resolved,
            Err(refusal) => return refusal,
        };
        let files = event["files"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let file = match files {
            [] => {
                return Reply::refused(
                    "Attach the CSV file to the message that says `import …` (drag it into this \
                     conversation, then type the words before sending).",
                );
            }
            [file] => file,
            _ => return Reply::refused("Send one CSV file per message, each with its `import …`."),
        };
        let file_name = file["name"].as_str().unwrap_or("file.csv").to_string();
        let size = file["size"].as_u64().unwrap_or(0);
        let limit = app.config.import.max_upload_bytes;
        if size > limit {
            return commands::too_large(&file_name, size, limit);
        }
        let Some(url) = file["url_private_download"].as_str() else {
            return Reply::refused(
                "The file did not arrive whole (Slack gave no download link): send it again.",
            );
        };
        let bytes = match self.api.download(url, limit).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::warn!(file = %file_name, "downloading a file sent to the Slack bot: {e}");
                return Reply::of(
                    Outcome::Failed,
                    "The file could not be downloaded from Slack. Please send it again.",
                );
            }
        };
        let attachment = Attachment { file_name, bytes };
        match commands::parse("import", args, Some(&attachment)) {
            Ok(command) => commands::execute_resolved(app, &caller, &resolved, command).await,
            Err(e) => commands::usage_error(e),
        }
    }

    /// The reply in Block Kit, each chart uploaded and shown by an image block referencing the
    /// file (one that could not be uploaded is said to be missing).
    pub(super) async fn blocks(&self, reply: &Reply) -> Value {
        let mut body = render::slack(reply);
        let mut uploaded: HashMap<String, Option<String>> = HashMap::new();
        for block in &reply.blocks {
            if let Block::Image {
                png,
                file_name,
                alt,
            } = block
            {
                let id = match self.api.upload_file(file_name, alt, png).await {
                    Ok(id) => Some(id),
                    Err(e) => {
                        tracing::warn!(file = %file_name, "uploading a chart to Slack: {e}");
                        None
                    }
                };
                uploaded.insert(format!("attachment://{file_name}"), id);
            }
        }
        if let Some(blocks) = body["blocks"].as_array_mut() {
            for block in blocks.iter_mut() {
                let Some(url) = block["slack_file"]["url"].as_str() else {
                    continue;
                };
                match uploaded.get(url) {
                    Some(Some(id)) => block["slack_file"] = json!({ "id": id }),
                    _ => {
                        let missing = Rich::from(format!(
                            "(The chart \"{}\" could not be shown.)",
                            block["alt_text"].as_str().unwrap_or("chart")
                        ));
                        *block = json!({"type": "context", "elements": [
                            {"type": "mrkdwn", "text": render::escape_slack(&missing.text())}
                        ]});
                    }
                }
            }
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dm_asks_for_an_import_by_its_first_word() {
        assert_eq!(import_args("import orders"), Some("orders"));
        assert_eq!(import_args("  Import   Videos \n"), Some("Videos"));
        assert_eq!(import_args("/import creators"), Some("creators"));
        assert_eq!(import_args("import"), Some(""));
        assert_eq!(import_args("IMPORT samples please"), Some("samples please"));
        assert_eq!(import_args("importing orders"), None);
        assert_eq!(import_args("please import orders"), None);
        assert_eq!(import_args(""), None);
    }

    #[test]
    fn the_words_after_import_are_read_by_the_registry() {
        let file = Attachment {
            file_name: "orders.csv".into(),
            bytes: b"a,b\n".to_vec(),
        };
        let parsed =
            |text: &str| commands::parse("import", import_args(text).unwrap(), Some(&file));
        assert!(parsed("import orders").is_ok());
        assert!(parsed("import Products").is_ok());
        let e = parsed("import invoices").unwrap_err().to_string();
        assert!(e.contains("invoices"), "{e}");
        assert!(parsed("import").is_err());
    }

    #[test]
    fn a_slash_command_payload_is_read_from_slacks_fields() {
        let form = "token=x&team_id=T024BE7LD&team_domain=acme&channel_id=C1&channel_name=general\
                    &user_id=U024BE7LH&user_name=jane&command=%2Fkpi&text=7d\
                    &api_app_id=A1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1\
                    &trigger_id=1.2";
        let p: CommandPayload = serde_urlencoded::from_str(form).unwrap();
        assert_eq!(p.command, "/kpi");
        assert_eq!(p.text, "7d");
        assert_eq!(p.team_id, "T024BE7LD");
        assert_eq!(p.user_id, "U024BE7LH");
        assert_eq!(p.user_name.as_deref(), Some("jane"));
        assert_eq!(p.response_url, "https://hooks.slack.com/commands/1");
    }
}
