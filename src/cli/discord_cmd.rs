//! `creator-bot discord setup|invite`: prepares the program's Discord server (roles, channels,
//! the channel and role map, and a check of the bot's permissions), and prints the link that
//! invites the bot with exactly the permissions it needs.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use poise::serenity_prelude::GuildId;

use super::Session;
use crate::chat::commands::Outcome;
use crate::chat::discord::{Discord, setup};
use crate::config::Config;
use crate::config::discord::TOKEN_ENV;

#[derive(Debug, Subcommand)]
pub enum DiscordCommand {
    /// Create (or adopt by name) the program's roles and channels in its server, store their ids,
    /// and check the bot's permissions and role position. Safe to run again.
    Setup,
    /// Print the link that adds the bot to a server with the permissions it needs.
    Invite,
}

pub async fn run(config: Config, program: Option<&str>, cmd: DiscordCommand) -> Result<ExitCode> {
    let application_id = config.discord.application_id().context(
        "discord.application_id is not set: copy it from the Developer Portal \
         (your application → General Information → Application ID)",
    )?;
    match cmd {
        DiscordCommand::Invite => {
            println!("{}", setup::invite_url(application_id));
            Ok(ExitCode::SUCCESS)
        }
        DiscordCommand::Setup => {
            let token = Discord::token_from_env()
                .with_context(|| format!("{TOKEN_ENV} is not set: put the bot's token in it"))?;
            let http = Discord::http(&config, &token)?;
            let s = Session::open(config, program).await?;
            let guild = s
                .config
                .programs()
                .into_iter()
                .find(|p| p.slug == s.program.slug)
                .and_then(|p| p.discord_guild_id)
                .and_then(|id| id.parse::<u64>().ok())
                .with_context(|| {
                    format!(
                        "programs[].discord_guild_id is not set for {:?}: right-click the server \
                         (Developer Mode on) → Copy Server ID",
                        s.program.slug
                    )
                })?;
            let reply = setup::setup(
                &http,
                &s.pool,
                &s.program,
                GuildId::new(guild),
                application_id,
            )
            .await?;
            println!("{}", crate::chat::render::console(&reply));
            Ok(if reply.outcome == Outcome::Done {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
