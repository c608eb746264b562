//! `creator-bot channels list|set`: which platform channel and role stands for each of the
//! program's channels and tier roles, on every platform the program is connected to, and setting
//! one by hand (which sends what waited for it).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use serde_json::{Map, Value, json};

use super::{Format, Session};
use crate::chat::Platform;
use crate::chat::commands::Table;
use crate::config::Config;
use crate::db::channels::{self, Entry};
use crate::domain::Tier;
use crate::domain::channels::ProgramChannel;

#[derive(Debug, Subcommand)]
pub enum ChannelsCommand {
    /// Every program channel and role on each platform the program is connected to: the
    /// platform's id or "missing", and how many deliveries wait for the map.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Map a program channel (or, with --role, a role) on a platform to the platform's id; the
    /// deliveries that waited for it go out on the next dispatch.
    Set {
        /// discord, slack or console.
        platform: String,
        /// all-stars, steady-earners, competitions or staff ('#' optional); with --role:
        /// all-stars, steady-earners or staff.
        channel: String,
        /// The platform's id of the channel (or role).
        id: String,
        /// Map a role instead of a channel.
        #[arg(long)]
        role: bool,
    },
}

pub async fn run(config: Config, program: Option<&str>, cmd: ChannelsCommand) -> Result<ExitCode> {
    match cmd {
        ChannelsCommand::List { format } => {
            let s = Session::open(config, program).await?;
            let entries = channels::list(&s.pool, s.program.id).await?;
            let without_platform =
                channels::posts_waiting_for_a_platform(&s.pool, s.program.id).await?;
            let out = match format {
                Format::Json => serde_json::to_string_pretty(&list_json(
                    &s.program.slug,
                    &entries,
                    without_platform,
                ))?,
                Format::Table => list_table(&s.program.name, &entries, without_platform),
            };
            println!("{out}");
        }
        ChannelsCommand::Set {
            platform,
            channel,
            id,
            role,
        } => {
            // Every argument is checked before the database is opened.
            let platform = parse_platform(&platform)?;
            let target = if role {
                Target::Role(parse_role(&channel)?)
            } else {
                Target::Channel(channel.parse()?)
            };
            let id = id.trim();
            if id.is_empty() {
                bail!(
                    "the {} id is blank: give the {platform} id of {}",
                    if role { "role" } else { "channel" },
                    target.name()
                );
            }
            let s = Session::open(config, program).await?;
            println!("{}", set(&s, platform, &target, id).await?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `channels set` maps.
enum Target {
    Channel(ProgramChannel),
    /// `staff`, `all_stars` or `steady_earners`.
    Role(&'static str),
}

impl Target {
    /// As people name it: `#staff`, `the all-stars role`.
    fn name(&self) -> String {
        match self {
            Target::Channel(c) => c.to_string(),
            Target::Role(r) => format!("the {} role", r.replace('_', "-")),
        }
    }
}

fn parse_platform(raw: &str) -> Result<&'static str> {
    match Platform::parse(&raw.trim().to_lowercase()) {
        Some(p) => Ok(p.as_str()),
        None => bail!("{raw:?} is not a chat platform: use discord, slack or console"),
    }
}

fn parse_role(raw: &str) -> Result<&'static str> {
    match raw.parse::<ProgramChannel>() {
        Ok(ProgramChannel::Staff) => Ok("staff"),
        Ok(ProgramChannel::Tier(Tier::AllStars)) => Ok(Tier::AllStars.as_str()),
        Ok(ProgramChannel::Tier(Tier::SteadyEarners)) => Ok(Tier::SteadyEarners.as_str()),
        _ => bail!("{raw:?} is not a role: use all-stars, steady-earners or staff"),
    }
}

async fn set(s: &Session, platform: &str, target: &Target, id: &str) -> Result<String> {
    let mut tx = s.pool.begin().await.context("mapping a channel")?;
    let connected = channels::connected_platforms(&mut *tx, s.program.id).await?;
    if !connected.iter().any(|p| p == platform) {
        let now = if connected.is_empty() {
            "it is connected to no chat platform yet".to_string()
        } else {
            format!("it is connected to {}", connected.join(", "))
        };
        bail!(
            "program {} is not connected to {platform} ({now})",
            s.program.slug
        );
    }
    // The previous id, for the report; read in the transaction that replaces it.
    let (what, key) = match target {
        Target::Channel(c) => ("channel", c.key()),
        Target::Role(r) => ("role", r.to_string()),
    };
    let before = channels::list(&mut *tx, s.program.id)
        .await?
        .into_iter()
        .find(|e| e.platform == platform && e.what == what && e.name == key)
        .and_then(|e| e.id);
    let woke = match target {
        Target::Channel(c) => {
            channels::set_channel(&mut tx, s.program.id, platform, *c, id).await?
        }
        Target::Role(r) => channels::set_role(&mut tx, s.program.id, platform, r, id).await?,
    };
    tx.commit().await.context("mapping a channel")?;
    let was = match before.as_deref() {
        Some(old) if old == id => "unchanged".to_string(),
        Some(old) => format!("was {old}"),
        None => "was missing".to_string(),
    };
    let woke = match woke {
        0 => "no deliveries were waiting for it".to_string(),
        1 => "1 waiting delivery goes out on the next dispatch".to_string(),
        n => format!("{n} waiting deliveries go out on the next dispatch"),
    };
    Ok(format!(
        "{platform}: {} is now {id} ({was})\n{woke}",
        target.name()
    ))
}

/// How an entry's name reads: `#all-stars` for a channel, `all-stars` for a role.
fn entry_name(e: &Entry) -> String {
    if e.what == "channel" {
        ProgramChannel::display_key(&e.name)
    } else {
        e.name.replace('_', "-")
    }
}

fn list_table(program_name: &str, entries: &[Entry], without_platform: i64) -> String {
    if entries.is_empty() {
        let waiting = match without_platform {
            0 => String::new(),
            1 => "; 1 post waits for one".to_string(),
            n => format!("; {n} posts wait for one"),
        };
        return format!("{program_name} is not connected to any chat platform yet{waiting}");
    }
    let table = Table {
        header: Some(
            ["Platform", "Kind", "Name", "ID"]
                .map(String::from)
                .to_vec(),
        ),
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    e.platform.clone(),
                    e.what.clone(),
                    entry_name(e),
                    e.id.clone().unwrap_or_else(|| "missing".into()),
                ]
            })
            .collect(),
        right_aligned: vec![],
    };
    let mut out = format!("Channels and roles of {program_name}\n{}", table.render());
    let mut platforms: Vec<(&str, i64)> = entries
        .iter()
        .map(|e| (e.platform.as_str(), e.waiting))
        .collect();
    platforms.dedup();
    for (platform, waiting) in platforms {
        out.push_str(&match waiting {
            0 => format!("\n{platform}: no deliveries waiting"),
            1 => format!("\n{platform}: 1 delivery waits for a missing channel or role"),
            n => format!("\n{platform}: {n} deliveries wait for a missing channel or role"),
        });
    }
    out
}

fn list_json(program_slug: &str, entries: &[Entry], without_platform: i64) -> Value {
    let mut platforms: Vec<Value> = Vec::new();
    for e in entries {
        if platforms.last().and_then(|p| p["platform"].as_str()) != Some(e.platform.as_str()) {
            platforms.push(json!({
                "platform": e.platform,
                "waiting": e.waiting,
                "channels": Map::new(),
                "roles": Map::new(),
            }));
        }
        let group = if e.what == "channel" {
            "channels"
        } else {
            "roles"
        };
        if let Some(Value::Object(map)) = platforms.last_mut().map(|p| &mut p[group]) {
            map.insert(entry_name(e), json!(e.id));
        }
    }
    json!({
        "program": program_slug,
        "platforms": platforms,
        "posts_waiting_for_a_platform": without_platform,
    })
}
