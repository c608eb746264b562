//! Posts that carry charts: the outbox row holds what each chart shows, the dispatcher draws it
//! when the post is sent (from the data as it is then) and hands it to the platform with the
//! text; a chart that cannot be drawn leaves the post going out without it, saying so.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use creator_bot::chat::MessageKind;
use creator_bot::chat::console::{ConsoleSender, ImageFiles, Screen, Transcript};
use creator_bot::chat::{ChatPlatform, Platforms};
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::db::programs::Program;
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::dispatch::Dispatcher;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::common;
use crate::common::app::{TestApp, connect_recording};

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// 15:00 UTC on 2 June 2026.
fn now() -> DateTime<Utc> {
    utc("2026-06-02T15:00:00Z")
}

/// Queues a post in #staff carrying `charts`, due now.
pub async fn post_with_charts(pool: &PgPool, program: &Program, key: &str, charts: Value) {
    let mut conn = pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: program.id,
            dedupe_key: key.into(),
            kind: MessageKind::StaffAlert,
            creator_id: None,
            channel: Some(ProgramChannel::Staff),
            template: None,
            text: "The month in charts".into(),
            extra: json!({ "charts": charts }),
            due_at: now(),
        },
    )
    .await
    .unwrap();
}

/// May's GMV per day and the Pareto of May: what a monthly report carries.
pub fn may_charts() -> Value {
    json!([
        {"kind": "gmv", "from": "2026-05-01", "to": "2026-06-01"},
        {"kind": "pareto", "from": "2026-05-01", "to": "2026-06-01"},
    ])
}

fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_post_goes_out_with_its_charts_drawn(pool: PgPool) {
    let program = common::program(&pool).await;
    let t = TestApp::new(&pool, now());
    connect_recording(&pool, program.id).await;
    post_with_charts(&pool, &program, "report:may", may_charts()).await;
    // Sales that arrive after the post was queued and before it is sent are in its chart.
    let ana = common::creator(&pool, &program, "ana", "2026-04-01").await;
    common::lines(
        &pool,
        &program,
        &[
            common::Line::settled("o1", ana, "2026-05-03 10:00", 30_000),
            common::Line::settled("o2", ana, "2026-05-20 18:00", 12_550),
        ],
    )
    .await;
    Dispatcher::new(&t.app).drain("test").await.unwrap();

    let sent = t.recording.sent();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].message.charts[0]
            .alt
            .ends_with(": $425.50 net, $0.00 refunded"),
        "{}",
        sent[0].message.charts[0].alt
    );
    let message = &sent[0].message;
    assert_eq!(message.text, "The month in charts");
    let names: Vec<&str> = message
        .charts
        .iter()
        .map(|c| c.file_name.as_str())
        .collect();
    assert_eq!(names, vec!["gmv.png", "pareto.png"]);
    assert!(message.charts.iter().all(|c| is_png(&c.png)));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_chart_that_cannot_be_drawn_leaves_the_post_saying_so(pool: PgPool) {
    let program = common::program(&pool).await;
    let t = TestApp::new(&pool, now());
    connect_recording(&pool, program.id).await;
    // A description no version of the bot can read: a Pareto chart without its period, and a
    // kind that does not exist.
    post_with_charts(
        &pool,
        &program,
        "report:broken",
        json!([{"kind": "pareto"}, {"kind": "horoscope"}]),
    )
    .await;
    Dispatcher::new(&t.app).drain("test").await.unwrap();

    let sent = t.recording.sent();
    assert_eq!(sent.len(), 1, "the post still goes out");
    assert_eq!(
        sent[0].message.text,
        "The month in charts\n(The pareto chart could not be drawn.)\n(The horoscope chart \
         could not be drawn.)"
    );
    assert!(sent[0].message.charts.is_empty());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_console_saves_a_posts_charts_and_says_where(pool: PgPool) {
    let program = common::program(&pool).await;
    let t = TestApp::new(&pool, now());
    creator_bot::chat::console::connect(&pool, program.id, "Lena", now())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let transcript = Transcript::new();
    let console: Arc<dyn ChatPlatform> = Arc::new(
        ConsoleSender::new(
            pool.clone(),
            t.clock.clone(),
            Screen::new(transcript.clone()),
        )
        .with_images(Arc::new(ImageFiles::new(dir.path()))),
    );
    let app = t
        .app
        .clone()
        .with_platforms(Platforms::default().with(console));
    post_with_charts(&pool, &program, "report:may", may_charts()).await;
    Dispatcher::new(&app).drain("test").await.unwrap();

    let gmv = dir.path().join("1-gmv.png");
    let pareto = dir.path().join("2-pareto.png");
    assert!(is_png(&std::fs::read(&gmv).unwrap()));
    assert!(is_png(&std::fs::read(&pareto).unwrap()));
    let text = transcript.text();
    assert!(
        text.starts_with("[Tue 2 Jun 11:00 EDT] #staff: The month in charts\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("saved to {}]", gmv.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("saved to {}]", pareto.display())),
        "{text}"
    );
}
