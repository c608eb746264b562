//! Every SQL statement lives under this module, one file per table group. Functions take an
//! executor or a connection so a feature can compose several in one transaction.

pub mod cadences;
pub mod channels;
pub mod charts;
pub mod chat;
pub mod creators;
pub mod deliveries;
pub mod embedded;
pub mod import;
pub mod job_runs;
pub mod outbox;
pub mod outbox_view;
pub mod programs;
pub mod reports;
pub mod rollups;
pub mod samples;
pub mod sequences;
pub mod service;
pub mod stats;
pub mod suggest;
pub mod tiers;
pub mod tiktok;
pub mod tiktok_samples;

use std::str::FromStr;

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions};

use crate::config::Config;
use embedded::{Durability, EmbeddedCluster};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Environment variable holding the database URL (a secret: it may carry a password).
pub const DATABASE_URL_ENV: &str = "DATABASE_URL";

/// Where the database comes from: `DATABASE_URL`, or the private cluster.
pub enum Source {
    Url(String),
    Embedded(EmbeddedCluster),
}

impl Source {
    pub fn from_env(config: &Config) -> Result<Source> {
        match std::env::var(DATABASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => Ok(Source::Url(url)),
            _ => Ok(Source::Embedded(EmbeddedCluster::locate(
                &config.database.data_dir,
                config.database.pg_bin_dir.as_deref(),
            )?)),
        }
    }
}

/// Opens (creating and starting the private cluster when needed) the database named `database`
/// — or the one in `DATABASE_URL` — applies pending migrations and returns a pool.
pub async fn open(config: &Config, source: &Source, database: Option<&str>) -> Result<PgPool> {
    let options = match source {
        Source::Url(url) => {
            let mut options = PgConnectOptions::from_str(url)
                .context("DATABASE_URL is not a valid PostgreSQL URL")?;
            if let Some(db) = database {
                options = options.database(db);
            }
            options
        }
        Source::Embedded(cluster) => {
            cluster.ensure_running(Durability::Durable)?;
            let db = database.unwrap_or(&config.database.embedded_database);
            let options = PgConnectOptions::from_str(&cluster.url(db))?;
            create_database_if_missing(&options).await?;
            options
        }
    };
    let options = options.log_statements(tracing::log::LevelFilter::Trace);
    let pool = PgPoolOptions::new()
        .max_connections(config.database.max_connections)
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL")?;
    MIGRATOR
        .run(&pool)
        .await
        .context("applying database migrations")?;
    Ok(pool)
}

/// Creates the database `options` names (connecting to `postgres` to do it) if it does not exist.
pub async fn create_database_if_missing(options: &PgConnectOptions) -> Result<()> {
    let name = options
        .get_database()
        .context("the database URL names no database")?
        .to_string();
    let mut admin = options
        .clone()
        .database("postgres")
        .connect()
        .await
        .context("connecting to the private PostgreSQL cluster")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        // CREATE DATABASE takes no bind parameters; the name was validated as [A-Za-z0-9_]+.
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        if let Err(e) = sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
            .execute(&mut admin)
            .await
        {
            // Another process may have created it between the check and now.
            let raced = e
                .as_database_error()
                .and_then(|d| d.code())
                .is_some_and(|c| c == "42P04");
            if !raced {
                return Err(e).context(format!("creating database {name}"));
            }
        }
    }
    Ok(())
}

/// Drops and recreates `database` in the private cluster (the demo starts from scratch).
pub async fn recreate_database(options: &PgConnectOptions) -> Result<()> {
    let name = options
        .get_database()
        .context("the database URL names no database")?
        .to_string();
    let mut admin = options.clone().database("postgres").connect().await?;
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .with_context(|| format!("dropping database {name}"))?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {quoted}")))
        .execute(&mut admin)
        .await
        .with_context(|| format!("creating database {name}"))?;
    Ok(())
}
