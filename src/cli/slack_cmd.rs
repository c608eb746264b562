//! `creator-bot slack setup|manifest`: prepares the program's Slack workspace (its channels, the
//! channel map), and prints the Slack app manifest to create the app from.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};

use super::Session;
use crate::chat::commands::Outcome;
use crate::chat::slack::{Api, Tokens, manifest, setup};
use crate::config::Config;
use crate::config::slack::SlackMode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Mode {
    /// Socket Mode: no public URL needed.
    Socket,
    /// The Events API: Slack posts to the bot's public https:// address.
    Http,
}

#[derive(Debug, Subcommand)]
pub enum SlackCommand {
    /// Create (or adopt by name) the program's channels in its workspace (#all-stars,
    /// #steady-earners and #staff private, #competitions public), join them and store their ids.
    /// Safe to run again.
    Setup,
    /// Print the Slack app manifest (YAML) to paste into api.slack.com/apps → Create New App →
    /// From an app manifest.
    Manifest {
        /// How Slack reaches the bot; default: slack.mode.
        #[arg(long, value_enum)]
        mode: Option<Mode>,
        /// The public https:// address of run.listen (needed with --mode http).
        #[arg(long)]
        url: Option<String>,
    },
}

pub async fn run(config: Config, program: Option<&str>, cmd: SlackCommand) -> Result<ExitCode> {
    match cmd {
        SlackCommand::Manifest { mode, url } => {
            let mode = match mode {
                Some(Mode::Socket) => SlackMode::Socket,
                Some(Mode::Http) => SlackMode::Http,
                None => config.slack.mode,
            };
            print!("{}", manifest::manifest_yaml(mode, url.as_deref())?);
            Ok(ExitCode::SUCCESS)
        }
        SlackCommand::Setup => {
            let tokens = Tokens::bot_from_env()?;
            let api = Api::new(config.slack.api_base(), &tokens.bot)?;
            let s = Session::open(config, program).await?;
            let team = s
                .config
                .programs()
                .into_iter()
                .find(|p| p.slug == s.program.slug)
                .and_then(|p| p.slack_team_id)
                .with_context(|| {
                    format!(
                        "programs[].slack_team_id is not set for {:?}: open Slack in a browser; \
                         the workspace id is the part after /client/ in the address (T…)",
                        s.program.slug
                    )
                })?;
            let reply = setup::setup(&api, &s.pool, &s.program, &team).await?;
            println!("{}", crate::chat::render::console(&reply));
            Ok(if reply.outcome == Outcome::Done {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
