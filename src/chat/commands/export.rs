//! What the adapters register, generated from the registry: Discord's application commands
//! (options, choices, autocomplete) and the slash commands of Slack's app manifest.

use serde_json::{Value, json};

use super::registry::{Audience, CommandSpec, OptionKind, OptionSpec, registry};

/// The Discord permission staff commands ask for by default (Manage Messages), so Discord hides
/// them from members who lack it. The staff role the Discord setup creates holds it; the bot
/// still checks the caller's staff role itself.
pub const DISCORD_STAFF_PERMISSION: u64 = 1 << 13;

/// Manage Server: what commands that change the server itself (`/setup`) ask for.
pub const DISCORD_MANAGE_SERVER: u64 = 1 << 5;

/// Discord's application command option types.
const SUB_COMMAND: u8 = 1;
const STRING: u8 = 3;
const INTEGER: u8 = 4;
const USER: u8 = 6;
const ATTACHMENT: u8 = 11;

/// Discord caps descriptions at 100 characters.
fn short(text: &str) -> String {
    let mut chars = text.chars();
    let mut first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    first.extend(chars);
    first.chars().take(100).collect()
}

fn discord_option(o: &OptionSpec) -> Value {
    let kind = match o.kind {
        OptionKind::Integer { .. } => INTEGER,
        OptionKind::ChatUser => USER,
        OptionKind::Attachment => ATTACHMENT,
        _ => STRING,
    };
    let mut v = json!({
        "type": kind,
        "name": o.name,
        "description": short(o.description),
        "required": o.required,
    });
    match o.kind {
        OptionKind::Choice(choices) => {
            v["choices"] = choices
                .iter()
                .map(|c| json!({"name": c.label, "value": c.value}))
                .collect();
        }
        OptionKind::Integer { min, max } => {
            v["min_value"] = json!(min);
            v["max_value"] = json!(max);
        }
        _ if o.suggest.is_some() => v["autocomplete"] = json!(true),
        _ => {}
    }
    v
}

fn discord_command(c: &CommandSpec) -> Value {
    let options: Vec<Value> = if c.subcommands.is_empty() {
        c.options.iter().map(discord_option).collect()
    } else {
        c.subcommands
            .iter()
            .map(|s| {
                json!({
                    "type": SUB_COMMAND,
                    "name": s.name,
                    "description": short(s.description),
                    "options": s.options.iter().map(discord_option).collect::<Vec<_>>(),
                })
            })
            .collect()
    };
    let mut v = json!({
        "type": 1,
        "name": c.name,
        "description": short(c.description),
        "options": options,
    });
    // Discord sends permission sets as decimal strings.
    if c.admin {
        v["default_member_permissions"] = json!(DISCORD_MANAGE_SERVER.to_string());
    } else if c.audience == Audience::Staff {
        v["default_member_permissions"] = json!(DISCORD_STAFF_PERMISSION.to_string());
    }
    v
}

/// The body of Discord's bulk overwrite of application commands.
pub fn discord_commands() -> Value {
    registry().iter().map(discord_command).collect()
}

/// `features.slash_commands` of the Slack app manifest; `url` receives the commands (empty in
/// Socket Mode). Slack's slash commands carry no file, so a command that takes one (`/import`)
/// hints at the direct message that does.
pub fn slack_manifest_commands(url: Option<&str>) -> Value {
    registry()
        .iter()
        .map(|c| {
            let takes_a_file = c
                .options
                .iter()
                .chain(c.subcommands.iter().flat_map(|s| s.options.iter()))
                .any(|o| o.kind == OptionKind::Attachment);
            let hint = if takes_a_file {
                format!("DM the CSV to the bot with: {} <kind>", c.name)
            } else {
                c.usage_lines()
                    .iter()
                    .map(|l| {
                        l.trim_start_matches(&format!("/{}", c.name))
                            .trim()
                            .to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            let mut v = json!({
                "command": format!("/{}", c.name),
                "description": c.description,
                "should_escape": false,
            });
            if !hint.is_empty() {
                v["usage_hint"] = json!(hint);
            }
            if let Some(url) = url {
                v["url"] = json!(url);
            }
            v
        })
        .collect()
}
