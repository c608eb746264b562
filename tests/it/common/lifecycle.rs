//! Fixtures for the lifecycle tests: the repository's templates, creators in their own time
//! zones, videos imported through the real import, and a scheduler driven at chosen instants
//! that records which outbox rows each run added.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use creator_bot::config::Config;
use creator_bot::db::programs::Program;
use creator_bot::features::import::{ImportKind, import_reader};
use creator_bot::features::sequences::{Scheduled, schedule};
use creator_bot::templates::Templates;
use sqlx::PgPool;

/// The templates shipped in `templates/`.
pub fn templates() -> Templates {
    Templates::load(&templates_dir()).expect("the shipped templates load")
}

pub fn templates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates")
}

/// An instant in UTC: `2026-03-06T14:00:00Z`.
pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().expect(s)
}

/// A creator with a first name, a join date and (optionally) their own time zone.
pub async fn creator_in(
    pool: &PgPool,
    program: &Program,
    handle: &str,
    first_name: &str,
    joined_on: &str,
    timezone: Option<&str>,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO creators (program_id, handle, first_name, joined_on, timezone)
         VALUES ($1, $2, $3, $4::date, $5) RETURNING id",
    )
    .bind(program.id)
    .bind(handle)
    .bind(first_name)
    .bind(joined_on)
    .bind(timezone)
    .fetch_one(pool)
    .await
    .expect("inserting a creator")
}

/// Opts a creator out the way `/optout` does: flag set, queued DMs cancelled.
pub async fn opt_out(pool: &PgPool, program: &Program, creator_id: i64, at: DateTime<Utc>) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE creators SET opted_out = true, opted_out_at = $2 WHERE id = $1")
        .bind(creator_id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .unwrap();
    creator_bot::db::outbox::cancel_pending_for_creator(
        &mut tx,
        program.id,
        creator_id,
        &[creator_bot::chat::MessageKind::Dm],
        "creator opted out",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Imports a videos CSV (`content_id,handle,product_id,posted_at,views`) through the real
/// import, in its own transaction.
pub async fn import_videos(pool: &PgPool, program: &Program, csv_rows: &[&str]) {
    import_csv(
        pool,
        program,
        ImportKind::Videos,
        "content_id,handle,product_id,posted_at,views",
        csv_rows,
    )
    .await
}

/// Imports a samples CSV (`handle,product_id,shipped_on,delivered_on`) through the real import.
pub async fn import_samples(pool: &PgPool, program: &Program, csv_rows: &[&str]) {
    import_csv(
        pool,
        program,
        ImportKind::Samples,
        "handle,product_id,shipped_on,delivered_on",
        csv_rows,
    )
    .await
}

/// Imports `header` and `csv_rows` as a file of `kind`; every row must be accepted.
async fn import_csv(
    pool: &PgPool,
    program: &Program,
    kind: ImportKind,
    header: &str,
    csv_rows: &[&str],
) {
    let mut csv = format!("{header}\n");
    for row in csv_rows {
        csv.push_str(row);
        csv.push('\n');
    }
    let report = import_reader(
        pool,
        program,
        &Config::default(),
        kind,
        "import.csv",
        std::io::Cursor::new(csv.into_bytes()),
        None,
        false,
    )
    .await
    .expect("importing");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
}

/// One outbox row as the tests look at it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Row {
    pub dedupe_key: String,
    pub kind: String,
    pub creator_id: Option<i64>,
    pub channel: Option<String>,
    pub template: Option<String>,
    pub text: String,
    pub due_at: DateTime<Utc>,
    pub status: String,
}

/// Every outbox row, by due time then key.
pub async fn outbox(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as(
        "SELECT dedupe_key, kind, creator_id, channel, template,
                COALESCE(payload->>'text', '') AS text, due_at,
                status
           FROM outbox ORDER BY due_at, dedupe_key",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

pub async fn outbox_row(pool: &PgPool, dedupe_key: &str) -> Row {
    sqlx::query_as(
        "SELECT dedupe_key, kind, creator_id, channel, template,
                COALESCE(payload->>'text', '') AS text, due_at,
                status
           FROM outbox WHERE dedupe_key = $1",
    )
    .bind(dedupe_key)
    .fetch_one(pool)
    .await
    .unwrap_or_else(|e| panic!("no outbox row {dedupe_key}: {e}"))
}

pub async fn stage_of(pool: &PgPool, creator_id: i64) -> String {
    sqlx::query_scalar("SELECT stage FROM creators WHERE id = $1")
        .bind(creator_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Runs the scheduler like the job does, and remembers which run queued each row.
pub struct Scheduler {
    pub pool: PgPool,
    pub program: Program,
    pub config: Config,
    pub templates: Templates,
    /// `(run instant, dedupe key)` of every row in the order runs added them.
    pub log: Vec<(DateTime<Utc>, String)>,
}

impl Scheduler {
    pub fn new(pool: &PgPool, program: &Program) -> Scheduler {
        Scheduler::with_config(pool, program, Config::default())
    }

    pub fn with_config(pool: &PgPool, program: &Program, config: Config) -> Scheduler {
        Scheduler {
            pool: pool.clone(),
            program: program.clone(),
            config,
            templates: templates(),
            log: Vec::new(),
        }
    }

    /// One run at `now`; returns what it did. Afterwards every row due by `now` counts as sent,
    /// as the dispatcher would have sent it, so later cancellations only touch what was still
    /// waiting.
    pub async fn run_at(&mut self, now: DateTime<Utc>) -> Scheduled {
        let before: Vec<String> = self.keys().await;
        let done = schedule(
            &self.pool,
            &self.program,
            &self.config,
            &self.templates,
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("scheduling at {now}: {e:#}"));
        for key in self.keys().await {
            if !before.contains(&key) {
                self.log.push((now, key));
            }
        }
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = due_at
              WHERE status = 'pending' AND due_at <= $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await
        .unwrap();
        done
    }

    /// Runs at every `step` from `from` up to and including `to`.
    pub async fn run_every(&mut self, from: DateTime<Utc>, to: DateTime<Utc>, step: Duration) {
        let mut at = from;
        while at <= to {
            self.run_at(at).await;
            at += step;
        }
    }

    /// The run that queued `key`.
    pub fn queued_at(&self, key: &str) -> Option<DateTime<Utc>> {
        self.log.iter().find(|(_, k)| k == key).map(|(at, _)| *at)
    }

    /// The keys queued, in the order the runs added them.
    pub fn queued_keys(&self) -> Vec<&str> {
        self.log.iter().map(|(_, k)| k.as_str()).collect()
    }

    async fn keys(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT dedupe_key FROM outbox ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }
}

/// The program of the lifecycle tests: Glow Skincare, in New York time and dollars.
pub async fn glow(pool: &PgPool) -> Program {
    creator_bot::db::programs::upsert(
        pool,
        &creator_bot::config::ProgramConfig {
            slug: "glow".into(),
            name: "Glow Skincare".into(),
            timezone: chrono_tz::America::New_York,
            currency: "USD".into(),
            discord_guild_id: None,
            slack_team_id: None,
        },
    )
    .await
    .expect("creating the program")
}

/// A product with a launch date (or none).
pub async fn launched_product(
    pool: &PgPool,
    program: &Program,
    product_id: &str,
    name: &str,
    launched_on: Option<&str>,
) {
    sqlx::query(
        "INSERT INTO products (program_id, product_id, name, unit_cost_cents, launched_on)
         VALUES ($1, $2, $3, 500, $4::date)",
    )
    .bind(program.id)
    .bind(product_id)
    .bind(name)
    .bind(launched_on)
    .execute(pool)
    .await
    .expect("inserting a product");
}

/// The id of a video by its TikTok content id.
pub async fn video_id(pool: &PgPool, content_id: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM videos WHERE content_id = $1")
        .bind(content_id)
        .fetch_one(pool)
        .await
        .expect("the video exists")
}

/// Asserts the outbox's messages are exactly `expected`, in order, naming the first row that
/// differs. Tier role grants and revocations (`membership` rows, queued by tier changes and
/// tested with them) are left out.
pub async fn assert_outbox(pool: &PgPool, expected: &[Row]) {
    let actual: Vec<Row> = outbox(pool)
        .await
        .into_iter()
        .filter(|r| r.kind != "membership")
        .collect();
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert_eq!(a, e, "outbox row {i} ({}) differs", e.dedupe_key);
    }
    let keys = |rows: &[Row]| {
        rows.iter()
            .map(|r| r.dedupe_key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&actual), keys(expected), "outbox rows differ");
}

/// Sends everything due at `at` through the real dispatcher into the recording platform (no rate
/// limits), every program connected to it and every creator linked, and returns what was
/// delivered, in order.
pub async fn deliver(
    pool: &PgPool,
    at: DateTime<Utc>,
) -> Vec<creator_bot::chat::recording::Recorded> {
    let programs: Vec<i64> = sqlx::query_scalar("SELECT id FROM programs ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    for id in programs {
        super::app::connect_recording(pool, id).await;
    }
    let t = super::app::TestApp::new(pool, at);
    let dispatcher = creator_bot::jobs::dispatch::Dispatcher::with_config(
        &t.app,
        &creator_bot::config::DispatchConfig {
            global_per_second: 0,
            ..creator_bot::config::DispatchConfig::default()
        },
    );
    dispatcher.drain("test").await.expect("dispatching");
    t.recording.sent()
}
