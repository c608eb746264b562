//! Lifecycle engine benchmark (prints figures; not a test):
//! - dispatch: 50k queued DMs sent into the recording sender by 2 processes × 4 workers over one
//!   database; reports messages per second and checks that no message went out twice or not at
//!   all.
//!
//! `cargo bench --bench lifecycle [-- --messages N --processes N --workers N --creators N]`
//! Uses DATABASE_URL when set, else a private cluster under target/bench-pg.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::MessageKind;
use creator_bot::chat::Platforms;
use creator_bot::chat::recording::RecordingSender;
use creator_bot::config::Config;
use creator_bot::config::DispatchConfig;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::jobs::ManualClock;
use creator_bot::jobs::dispatch::{Dispatcher, Pass};
use creator_bot::templates::Templates;
use sqlx::ConnectOptions;
use sqlx::postgres::PgPoolOptions;

mod support;

const DATABASE: &str = "creator_bot_lifecycle_bench";

fn arg(name: &str) -> Option<String> {
    let raw: Vec<String> = std::env::args().collect();
    raw.iter()
        .position(|a| a == name)
        .and_then(|i| raw.get(i + 1))
        .cloned()
}

fn num(name: &str, default: usize) -> usize {
    arg(name)
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// 15:00 UTC on a June Tuesday: daytime in New York, where the benchmark's creators live.
fn instant() -> DateTime<Utc> {
    "2026-06-02T15:00:00Z".parse().expect("valid instant")
}

#[tokio::main]
async fn main() -> Result<()> {
    if let Some(out) = arg("--dispatch-process") {
        return dispatch_process(&out).await;
    }
    let messages = num("--messages", 50_000);
    let processes = num("--processes", 2);
    let workers = num("--workers", 4);
    let creators = num("--creators", 10_000);
    let support::BenchDb {
        options,
        pool,
        program,
        ..
    } = support::bench_db(DATABASE, true).await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO creators (program_id, handle, joined_on)
         SELECT $1, 'creator' || n, DATE '2026-05-01' FROM generate_series(1, $2) n
         RETURNING id",
    )
    .bind(program.id)
    .bind(creators as i64)
    .fetch_all(&pool)
    .await?;
    // The program is connected to the recording platform, every creator linked there.
    creator_bot::db::chat::add_workspace(&pool, program.id, "recording", "bench").await?;
    creator_bot::db::chat::link_creators_by_handle(
        &pool,
        program.id,
        "recording",
        "bench",
        instant(),
    )
    .await?;
    println!(
        "creator-bot lifecycle benchmark\n\ndispatch: {messages} DMs to {creators} creators, {processes} processes × {workers} workers, recording sender"
    );
    let mut conn = pool.acquire().await?;
    for chunk in (0..messages).collect::<Vec<_>>().chunks(10_000) {
        let batch: Vec<NewMessage> = chunk
            .iter()
            .map(|&i| NewMessage {
                program_id: program.id,
                dedupe_key: format!("bench:{i}"),
                kind: MessageKind::Dm,
                creator_id: Some(ids[i % ids.len()]),
                channel: None,
                template: Some("bench".into()),
                text: format!("Hello from the benchmark, message {i}"),
                extra: serde_json::json!({}),
                due_at: instant(),
            })
            .collect();
        outbox::enqueue_many(&mut conn, &batch).await?;
    }
    drop(conn);
    sqlx::query("VACUUM ANALYZE outbox").execute(&pool).await?;

    let dir = tempfile::tempdir()?;
    let exe = std::env::current_exe()?;
    let started = Instant::now();
    let mut children = Vec::new();
    for p in 0..processes {
        let out = dir.path().join(format!("process-{p}.txt"));
        let child = std::process::Command::new(&exe)
            .args(["--dispatch-process", &out.display().to_string()])
            .env("BENCH_DATABASE_URL", options.to_url_lossy().to_string())
            .env("BENCH_WORKERS", workers.to_string())
            .env("BENCH_NAME", format!("p{p}"))
            .spawn()
            .context("starting a dispatch process")?;
        children.push((child, out));
    }
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (mut child, out) in children {
        if !child.wait()?.success() {
            bail!("a dispatch process failed");
        }
        for key in std::fs::read_to_string(&out)?.lines() {
            *seen.entry(key.to_string()).or_default() += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let duplicates: u32 = seen.values().map(|n| n - 1).sum();
    let missing = messages - seen.len();
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'sent'")
        .fetch_one(&pool)
        .await?;
    println!(
        "  sent {sent} in {secs:.2} s: {:.0} messages/s; duplicates {duplicates}, never delivered {missing}",
        messages as f64 / secs
    );
    if duplicates > 0 || missing > 0 {
        bail!("dispatch delivered {duplicates} duplicates and missed {missing} messages");
    }
    pool.close().await;
    Ok(())
}

/// One dispatch process: `BENCH_WORKERS` workers until nothing is left to send; writes the
/// dedupe key of every message it delivered to `out`, one per line.
async fn dispatch_process(out: &str) -> Result<()> {
    let url = std::env::var("BENCH_DATABASE_URL")?;
    let workers: u32 = std::env::var("BENCH_WORKERS")?.parse()?;
    let name = std::env::var("BENCH_NAME")?;
    let pool = PgPoolOptions::new()
        .max_connections(workers + 1)
        .connect(&url)
        .await?;
    let clock = Arc::new(ManualClock::new(instant()));
    let sender = RecordingSender::new(clock.clone());
    let config = DispatchConfig {
        workers,
        batch_size: 20,
        poll_interval_ms: 20,
        global_per_second: 0,
        discord_per_second: 0,
        slack_per_second: 0,
        console_per_second: 0,
        ..DispatchConfig::default()
    };
    let templates = Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"))?;
    let app = App::new(pool.clone(), Config::default(), templates, clock)
        .with_platforms(Platforms::default().with(Arc::new(sender.clone())));
    let dispatcher = Arc::new(Dispatcher::with_config(&app, &config));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let handles = dispatcher.spawn(&name, stop);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let open: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending')
                  + (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending'))",
        )
        .fetch_one(&pool)
        .await?;
        if open == 0 {
            break;
        }
    }
    stop_tx.send(true)?;
    let mut total = Pass::default();
    for h in handles {
        total += h.await?;
    }
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    for r in sender.sent() {
        writeln!(file, "{}", r.message.dedupe_key)?;
    }
    file.flush()?;
    println!(
        "  process {name}: sent {} (claimed {}, lost leases {})",
        total.sent, total.claimed, total.lost
    );
    Ok(())
}
