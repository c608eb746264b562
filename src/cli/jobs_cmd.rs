//! `creator-bot jobs list|run`: the scheduled jobs, and running the due ones once (for a cron
//! deployment, or to replay any instant with `--now`).

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use super::Session;
use crate::config::Config;
use crate::domain::timefmt::parse_datetime;
use crate::jobs::schedule::{registry, run_due};
use crate::templates::Templates;

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Every scheduled job with its cadence.
    List,
    /// Run every job that is due and has not run yet, once, for every program.
    Run {
        /// The instant to run at (RFC 3339, or YYYY-MM-DD or YYYY-MM-DD HH:MM in the program's time zone);
        /// default now.
        #[arg(long)]
        now: Option<String>,
    },
}

pub async fn run(config: Config, program: Option<&str>, cmd: JobsCommand) -> Result<ExitCode> {
    match cmd {
        JobsCommand::List => {
            for job in registry() {
                println!(
                    "{:<10} {:<14} {}",
                    job.name,
                    job.cadence(&config),
                    job.description
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Run { now } => {
            // Templates first: a broken one stops here, before the database is touched.
            let templates = Templates::load(&config.lifecycle.templates_dir)?;
            let session = Session::open(config, program).await?;
            let now = match now {
                Some(raw) => parse_datetime(&raw, session.program.timezone)?,
                None => chrono::Utc::now(),
            };
            let app = crate::app::App::new(
                session.pool.clone(),
                session.config,
                templates,
                std::sync::Arc::new(crate::jobs::SystemClock),
            );
            let runs = run_due(&app, now).await?;
            if runs.is_empty() {
                println!("nothing due at {}", now.to_rfc3339());
            }
            let mut failed = false;
            for r in &runs {
                failed |= r.failed;
                println!(
                    "{} {} for {}: {}{}",
                    r.program,
                    r.job,
                    r.instant.to_rfc3339(),
                    if r.failed { "FAILED: " } else { "" },
                    r.summary
                );
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
