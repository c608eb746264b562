//! `creator-bot db …`: start, stop and locate the private PostgreSQL cluster.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Subcommand;

use crate::config::Config;
use crate::db::{self, embedded::Durability};

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Start the private cluster (creating it if needed), apply migrations, print its URL.
    Url {
        /// Trade durability for speed (fsync off): for test and benchmark clusters only.
        #[arg(long)]
        throwaway: bool,
    },
    /// Start the private cluster and apply migrations.
    Start,
    /// Stop the private cluster.
    Stop,
    /// Say whether the private cluster is running.
    Status,
}

pub async fn run(config: &Config, cmd: DbCommand) -> Result<ExitCode> {
    let source = db::Source::from_env(config)?;
    let db::Source::Embedded(cluster) = &source else {
        bail!("DATABASE_URL is set, so the private cluster is not used");
    };
    match cmd {
        DbCommand::Url { throwaway } => {
            let durability = if throwaway {
                Durability::Throwaway
            } else {
                Durability::Durable
            };
            cluster.ensure_running(durability)?;
            db::open(config, &source, None).await?.close().await;
            println!("{}", cluster.url(&config.database.embedded_database));
        }
        DbCommand::Start => {
            db::open(config, &source, None).await?.close().await;
            eprintln!("PostgreSQL is running in {}", cluster.data_dir.display());
        }
        DbCommand::Stop => {
            if cluster.stop()? {
                eprintln!("stopped PostgreSQL in {}", cluster.data_dir.display());
            } else {
                eprintln!(
                    "PostgreSQL in {} was not running",
                    cluster.data_dir.display()
                );
            }
        }
        DbCommand::Status => {
            if cluster.data_dir.join("PG_VERSION").is_file() && cluster.is_running()? {
                println!("running in {}", cluster.data_dir.display());
            } else {
                println!("not running ({})", cluster.data_dir.display());
                return Ok(ExitCode::from(3));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
