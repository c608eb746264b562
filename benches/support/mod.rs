//! What every benchmark starts from: a fresh database (on `DATABASE_URL`, else the private
//! cluster under target/bench-pg) with the migrations applied, and the benchmark's program; and
//! the benchmark program's data ([`dataset`]).

pub mod dataset;
pub mod messages;

use std::path::Path;
use std::str::FromStr;

use anyhow::Result;
use creator_bot::config::ProgramConfig;
use creator_bot::db::embedded::{Durability, EmbeddedCluster};
use creator_bot::db::programs::{self, Program};
use creator_bot::db::{self};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// A benchmark's database, just created.
pub struct BenchDb {
    pub options: PgConnectOptions,
    pub pool: PgPool,
    pub program: Program,
}

/// Drops and creates `database`, applies the migrations and creates program `bench` in New York
/// time and dollars. With `fresh = false` an existing database is kept (re-measuring reads).
pub async fn bench_db(database: &str, fresh: bool) -> Result<BenchDb> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            let cluster = EmbeddedCluster::locate(&root.join("bench-pg"), None)?;
            cluster.ensure_running(Durability::Durable)?;
            cluster.url("postgres")
        }
    };
    let options = PgConnectOptions::from_str(&url)?.database(database);
    if fresh {
        db::recreate_database(&options).await?;
    }
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options.clone())
        .await?;
    db::MIGRATOR.run(&pool).await?;
    let program = programs::upsert(
        &pool,
        &ProgramConfig {
            slug: "bench".into(),
            name: "Benchmark brand".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: None,
            slack_team_id: None,
        },
    )
    .await?;
    Ok(BenchDb {
        options,
        pool,
        program,
    })
}

/// The URL of the benchmark database `database` (as [`bench_db`] reaches it), for a child
/// process.
// Only the foundation benchmark starts the bot as a child.
#[allow(dead_code)]
pub fn database_url(database: &str) -> Result<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let (head, query) = match url.split_once('?') {
                Some((h, q)) => (h.to_string(), format!("?{q}")),
                None => (url.clone(), String::new()),
            };
            let authority = head.find("://").map_or(0, |i| i + 3);
            let path = head[authority..]
                .find('/')
                .map_or(head.len(), |i| i + authority);
            Ok(format!("{}/{database}{query}", &head[..path]))
        }
        _ => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
            let cluster = EmbeddedCluster::locate(&root.join("bench-pg"), None)?;
            Ok(cluster.url(database))
        }
    }
}

/// Starts a fake platform on a thread and a runtime of its own, as the real platform runs on
/// machines of its own: what it measures (when it pushed an event, when a request reached it) is
/// taken as things happen, not when the bot's busy runtime gets round to the fake's tasks.
// Only the chat platforms' benchmarks start a fake.
#[allow(dead_code)]
pub async fn on_own_thread<T, F>(start: impl FnOnce() -> F + Send + 'static) -> Result<T>
where
    F: std::future::Future<Output = T>,
    T: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("fake-platform".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the fake");
            runtime.block_on(async move {
                if tx.send(start().await).is_err() {
                    return;
                }
                // The fake's tasks live on this runtime until the benchmark ends.
                std::future::pending::<()>().await;
            });
        })?;
    Ok(rx.await?)
}
