//! `creator-bot slack setup` and `/setup` on Slack: creates, or adopts by name, the program's
//! private channels #all-stars, #steady-earners and #staff and the public #competitions, joins
//! them, and stores their ids in the channel map. It says what it did and what staff must fix: a
//! scope the app lacks, a channel of that name the bot can't see (a private channel it isn't in,
//! or an archived one), a channel that should be private but is public. Running it again changes
//! nothing that is already right.

use anyhow::{Context as _, Result};
use serde_json::{Value, json};
use sqlx::PgPool;

use super::api::{Api, ApiError};
use crate::chat::commands::{Reply, Rich};
use crate::chat::platforms::SetupFound;
use crate::db::channels;
use crate::db::programs::Program;
use crate::domain::channels::ProgramChannel;

/// A channel as `conversations.list` shows it.
struct Existing {
    id: String,
    name: String,
    private: bool,
    member: bool,
}

/// What a failed call means for staff.
fn problem(doing: &str, e: &ApiError) -> String {
    match e {
        ApiError::Slack {
            code,
            needed: Some(needed),
            ..
        } if code == "missing_scope" => format!(
            "{doing}: the app lacks the {needed} scope. Add it under OAuth & Permissions → \
             Scopes (or re-create the app from `creator-bot slack manifest`), reinstall the app, \
             then run setup again."
        ),
        e => format!("{doing}: {e}."),
    }
}

/// Every channel the bot can see (public ones, and private ones it is in), archived ones left
/// out.
async fn list(api: &Api) -> Result<Vec<Existing>, ApiError> {
    let mut found = Vec::new();
    let mut cursor = String::new();
    loop {
        let mut params = vec![
            ("types", "public_channel,private_channel"),
            ("exclude_archived", "true"),
            ("limit", "1000"),
        ];
        if !cursor.is_empty() {
            params.push(("cursor", cursor.as_str()));
        }
        let page = api.get("conversations.list", &params).await?;
        for c in page["channels"].as_array().into_iter().flatten() {
            let (Some(id), Some(name)) = (c["id"].as_str(), c["name"].as_str()) else {
                continue;
            };
            found.push(Existing {
                id: id.to_string(),
                name: name.to_string(),
                private: c["is_private"].as_bool() == Some(true),
                member: c["is_member"].as_bool() == Some(true),
            });
        }
        cursor = page["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if cursor.is_empty() {
            return Ok(found);
        }
    }
}

/// Sets the program's workspace `team_id` up and says what it did and what is left to fix.
pub async fn setup(api: &Api, pool: &PgPool, program: &Program, team_id: &str) -> Result<Reply> {
    let me = api
        .get("auth.test", &[])
        .await
        .map_err(|e| anyhow::anyhow!("checking the bot token: {e}"))?;
    let token_team = me["team_id"].as_str().unwrap_or_default();
    if !token_team.is_empty() && token_team != team_id {
        anyhow::bail!(
            "the bot token belongs to workspace {token_team}, but the program's slack_team_id is \
             {team_id}: install the app to the program's workspace, or correct \
             programs[].slack_team_id"
        );
    }
    let bot = me["user"].as_str().unwrap_or("creator-bot").to_string();
    let mut found = SetupFound::default();
    let existing = match list(api).await {
        Ok(existing) => existing,
        Err(e) => {
            found
                .problems
                .push(problem("Reading the workspace's channels", &e));
            Vec::new()
        }
    };
    for channel in ProgramChannel::ALL {
        let name = channel.name();
        let private = channel != ProgramChannel::Competitions;
        let id = match existing.iter().find(|c| c.name.eq_ignore_ascii_case(&name)) {
            Some(c) => {
                found.adopted.push(format!("#{name}"));
                check_privacy(channel, c, &mut found);
                if !c.member {
                    // Only a public channel can be listed without being in it.
                    if let Err(e) = api
                        .post("conversations.join", &json!({ "channel": c.id }))
                        .await
                    {
                        found
                            .problems
                            .push(problem(&format!("Joining #{name}"), &e));
                    }
                }
                c.id.clone()
            }
            None => match create(api, &name, private).await {
                Ok(id) => {
                    found.created.push(format!(
                        "#{name} ({})",
                        if private { "private" } else { "public" }
                    ));
                    id
                }
                Err(e) if e.code() == Some("name_taken") => {
                    found.problems.push(format!(
                        "A channel named #{name} already exists, but the bot can't see it (a \
                         private channel it isn't in, or an archived one): in #{name} type \
                         /invite @{bot}, or rename that channel, then run setup again."
                    ));
                    continue;
                }
                Err(e) => {
                    found
                        .problems
                        .push(problem(&format!("Creating #{name}"), &e));
                    continue;
                }
            },
        };
        let mut conn = pool.acquire().await?;
        channels::set_channel(&mut conn, program.id, "slack", channel, &id)
            .await
            .context("storing the channel")?;
    }
    Ok(report(program, &bot, found))
}

async fn create(api: &Api, name: &str, private: bool) -> Result<String, ApiError> {
    let created: Value = api
        .post(
            "conversations.create",
            &json!({ "name": name, "is_private": private }),
        )
        .await?;
    created["channel"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| ApiError::Malformed {
            method: "conversations.create".into(),
            detail: "no channel id in the answer".into(),
        })
}

/// A tier channel or #staff that is public would show creators what they must not see; a
/// private #competitions would hide the competitions.
fn check_privacy(channel: ProgramChannel, c: &Existing, found: &mut SetupFound) {
    let name = &c.name;
    let should_be_private = channel != ProgramChannel::Competitions;
    if should_be_private && !c.private {
        found.problems.push(format!(
            "#{name} is public, so anyone in the workspace can read it: in #{name}, open the \
             channel name → Settings → Change to a private channel."
        ));
    } else if !should_be_private && c.private {
        found.problems.push(format!(
            "#{name} is private, so creators can't see the competitions: in #{name}, open the \
             channel name → Settings → Change to a public channel."
        ));
    }
}

fn report(program: &Program, bot: &str, found: SetupFound) -> Reply {
    let reply = found.reply(format!("Slack setup for {}", program.name));
    reply.footer(Rich::user(format!(
        "Staff are the members of #staff: invite your staff there (in #staff, /invite @name). \
         Creators are added to their tier's channel by @{bot} as their tier changes."
    )))
}
