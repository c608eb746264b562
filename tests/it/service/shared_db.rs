//! Several `run` processes on one database, and a database that restarts under a running one:
//! every job instant runs once, every message goes out once, nothing is lost.

use std::collections::BTreeMap;
use std::str::FromStr;

use creator_bot::db::embedded::{Durability, EmbeddedCluster};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use super::bot::{Bot, Knobs, config, wait_status};
use super::outbox::{self, repeated};
use crate::common;
use crate::common::cli::database_url;

/// The `job ran` events of a JSON log: (program, job, instant).
fn job_runs(logs: &str) -> Vec<(String, String, String)> {
    logs.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["fields"]["message"] == "job ran")
        .map(|l| {
            let f = &l["fields"];
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("program"), s("job"), s("instant"))
        })
        .collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn two_processes_run_each_job_instant_once_and_send_each_message_once(pool: PgPool) {
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 300).await;
    let dir = tempfile::tempdir().unwrap();
    let knobs = Knobs {
        console_per_second: 100,
        jobs_every_minute: true,
        ..Knobs::default()
    };
    let config = config(dir.path(), &knobs);
    let url = database_url(&pool);
    let json = ["--log-format", "json"];
    let mut a = Bot::start(&config, &url, &json);
    let mut b = Bot::start(&config, &url, &json);
    outbox::wait_sent(&pool, 300).await;
    // Let both schedulers tick at least once more, then stop them.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    a.terminate();
    b.terminate();
    assert_eq!(a.exit_code().await, Some(0), "{}", a.logs());
    assert_eq!(b.exit_code().await, Some(0), "{}", b.logs());

    let mut runs = job_runs(&a.logs());
    runs.extend(job_runs(&b.logs()));
    let stored: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.slug, r.job, to_char(r.instant AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS+00:00')
           FROM job_runs r JOIN programs p ON p.id = r.program_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let count = |v: &[(String, String, String)]| {
        let mut m = BTreeMap::new();
        for r in v {
            *m.entry(r.clone()).or_insert(0) += 1;
        }
        m
    };
    let ran = count(&runs);
    assert!(
        ran.values().all(|n| *n == 1),
        "a job instant ran twice: {ran:?}"
    );
    assert_eq!(ran, count(&stored));
    for job in [
        "sequences",
        "tiers",
        "all_stars_checkin",
        "weekly_pulse",
        "competition_winners",
    ] {
        assert!(runs.iter().any(|r| r.1 == job), "{job} never ran: {runs:?}");
    }

    let mut sent = a.sent();
    sent.extend(b.sent());
    assert_eq!(repeated(&sent), vec![]);
    sent.sort();
    assert_eq!(sent, outbox::all(300));
    // The jobs' own posts went out once too: one printed entry per sent row, across both.
    let entries = |printed: String| printed.lines().filter(|l| l.starts_with('[')).count();
    assert_eq!(
        (entries(a.printed()) + entries(b.printed())) as i64,
        outbox::sent_of_any_kind(&pool).await
    );
    assert_eq!(outbox::unsent(&pool).await, vec![]);
}

/// A private cluster of the test's own, which it can stop and start.
fn cluster(dir: &std::path::Path) -> EmbeddedCluster {
    // tempdir is 0700 and root-owned; the postgres user must be able to reach the data dir.
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cluster = EmbeddedCluster::locate(&dir.join("pg"), None).unwrap();
    cluster.ensure_running(Durability::Throwaway).unwrap();
    cluster
}

#[tokio::test]
async fn the_database_restarting_under_dispatch_loses_nothing_and_sends_nothing_twice() {
    let dir = tempfile::Builder::new()
        .prefix("cb-svc")
        .tempdir_in("/tmp")
        .unwrap();
    let cluster = cluster(dir.path());
    let url = cluster.url("bot");
    let options = PgConnectOptions::from_str(&url).unwrap();
    creator_bot::db::create_database_if_missing(&options)
        .await
        .unwrap();
    let pool = PgPool::connect_with(options).await.unwrap();
    creator_bot::db::MIGRATOR.run(&pool).await.unwrap();
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 200).await;
    let knobs = Knobs {
        console_per_second: 40,
        // Longer than the outage: a send recorded late is still held by its worker.
        lease_seconds: 30,
        ..Knobs::default()
    };
    let config = config(dir.path(), &knobs);
    let mut bot = Bot::start(&config, &url, &[]);
    wait_status(&bot.address, "/readyz", 200).await;
    bot.wait_sent(30).await;

    cluster.stop().unwrap();
    let body = wait_status(&bot.address, "/readyz", 503).await;
    assert_eq!(
        body,
        r#"{"missing_channels":[],"not_ready":["database"],"ready":false}"#
    );
    assert_eq!(bot.get("/healthz").await, (200, "ok\n".to_string()));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    cluster.ensure_running(Durability::Throwaway).unwrap();
    wait_status(&bot.address, "/readyz", 200).await;

    outbox::wait_sent(&pool, 200).await;
    bot.terminate();
    assert_eq!(bot.exit_code().await, Some(0), "{}", bot.logs());
    let mut sent = bot.sent();
    assert_eq!(repeated(&sent), vec![], "{}", bot.logs());
    sent.sort();
    assert_eq!(sent, outbox::all(200));
    assert_eq!(outbox::unsent(&pool).await, vec![]);
    pool.close().await;
    cluster.stop().unwrap();
}
