//! The dispatcher against a real database and the recording sender: what goes out, when, once.

use crate::common;
use crate::common::app::{TestApp, connect_recording};

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::Platforms;
use creator_bot::chat::recording::RecordingSender;
use creator_bot::chat::{MessageKind, Recipient, SendError};
use creator_bot::config::Config;
use creator_bot::config::DispatchConfig;
use creator_bot::db::deliveries;
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::db::programs::Program;
use creator_bot::jobs::dispatch::{Dispatcher, Pass};
use creator_bot::jobs::{Clock, ManualClock};
use sqlx::PgPool;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// No rate limits of our own, so tests run at full speed (one test checks the limits).
fn config() -> DispatchConfig {
    DispatchConfig {
        global_per_second: 0,
        discord_per_second: 0,
        slack_per_second: 0,
        console_per_second: 0,
        ..DispatchConfig::default()
    }
}

struct World {
    pool: PgPool,
    program: Program,
    clock: Arc<ManualClock>,
    sender: RecordingSender,
    dispatcher: Dispatcher,
}

/// 15:00 UTC on 2 June 2026: 11:00 in New York, daytime for the program's creators. The program
/// is connected to the recording platform.
async fn world(pool: PgPool, config: DispatchConfig) -> World {
    let program = common::program(&pool).await;
    let t = TestApp::new(&pool, utc("2026-06-02T15:00:00Z"));
    let dispatcher = Dispatcher::with_config(&t.app, &config);
    connect_recording(&pool, program.id).await;
    World {
        pool,
        program,
        clock: t.clock,
        sender: t.recording,
        dispatcher,
    }
}

async fn dm(w: &World, key: &str, creator_id: i64, text: &str, due_at: DateTime<Utc>) {
    connect_recording(&w.pool, w.program.id).await;
    let mut conn = w.pool.acquire().await.unwrap();
    let queued = outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: w.program.id,
            dedupe_key: key.into(),
            kind: MessageKind::Dm,
            creator_id: Some(creator_id),
            channel: None,
            template: Some("onboarding_welcome".into()),
            text: text.into(),
            extra: serde_json::json!({}),
            due_at,
        },
    )
    .await
    .unwrap();
    assert!(queued);
}

async fn post(w: &World, key: &str, channel: &str, text: &str, due_at: DateTime<Utc>) {
    connect_recording(&w.pool, w.program.id).await;
    let mut conn = w.pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: w.program.id,
            dedupe_key: key.into(),
            kind: MessageKind::Channel,
            creator_id: None,
            channel: Some(channel.parse().unwrap()),
            template: None,
            text: text.into(),
            extra: serde_json::json!({}),
            due_at,
        },
    )
    .await
    .unwrap();
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Row {
    status: String,
    attempts: i32,
    due_at: DateTime<Utc>,
    last_error: Option<String>,
    platform_message_id: Option<String>,
    sent_at: Option<DateTime<Utc>>,
}

/// The message's delivery on the recording platform once it has one, else the message itself.
async fn row(pool: &PgPool, key: &str) -> Row {
    sqlx::query_as(
        "SELECT COALESCE(d.status, o.status) AS status, COALESCE(d.attempts, o.attempts) AS attempts,
                COALESCE(d.due_at, o.due_at) AS due_at, COALESCE(d.last_error, o.last_error) AS last_error,
                d.platform_message_id, d.sent_at
           FROM outbox o LEFT JOIN deliveries d ON d.outbox_id = o.id
          WHERE o.dedupe_key = $1",
    )
    .bind(key)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn ana(id: i64) -> Recipient {
    Recipient::Creator {
        creator_id: id,
        handle: "ana".into(),
    }
}

/// (recipient, text, instant) of everything delivered.
fn delivered(sender: &RecordingSender) -> Vec<(Recipient, String, DateTime<Utc>)> {
    sender
        .sent()
        .into_iter()
        .map(|r| (r.message.to, r.message.text, r.at))
        .collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sends_what_is_due_and_records_the_message_id(pool: PgPool) {
    let w = world(pool, config()).await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:now", ana_id, "Welcome, Ana!", now).await;
    dm(
        &w,
        "k:later",
        ana_id,
        "Day two",
        now + chrono::Duration::hours(1),
    )
    .await;
    post(&w, "k:post", "tier:all_stars", "Monday check-in", now).await;

    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.claimed, pass.sent), (2, 2));
    assert_eq!(
        delivered(&w.sender),
        vec![
            (ana(ana_id), "Welcome, Ana!".to_string(), now),
            (
                Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Tier(
                    creator_bot::domain::Tier::AllStars
                )),
                "Monday check-in".to_string(),
                now
            ),
        ]
    );
    let sent = row(&w.pool, "k:now").await;
    assert_eq!(sent.status, "sent");
    assert_eq!(sent.platform_message_id.as_deref(), Some("rec-1"));
    assert_eq!(sent.sent_at, Some(now));
    assert_eq!(row(&w.pool, "k:later").await.status, "pending");

    // An hour later the second DM goes; nothing is sent twice.
    w.clock.advance(chrono::Duration::hours(1));
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!(pass.sent, 1);
    let texts: Vec<String> = delivered(&w.sender).into_iter().map(|d| d.1).collect();
    assert_eq!(texts, vec!["Welcome, Ana!", "Monday check-in", "Day two"]);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_row_held_by_a_dead_worker_goes_out_once_after_its_lease(pool: PgPool) {
    let w = world(pool, config()).await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:1", ana_id, "Welcome, Ana!", now).await;

    // A worker claims the row and dies before sending.
    let mut conn = w.pool.acquire().await.unwrap();
    deliveries::fan_out(&mut conn, now, 10, None).await.unwrap();
    let claimed = deliveries::claim(
        &mut conn,
        "dead-1",
        &["recording"],
        now,
        chrono::Duration::seconds(60),
        10,
        None,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);

    // While the lease holds, nobody else takes it.
    w.clock.advance(chrono::Duration::seconds(59));
    assert_eq!(w.dispatcher.drain("w2").await.unwrap(), Pass::default());
    assert!(w.sender.sent().is_empty());

    // Once it runs out, another worker sends it, once.
    w.clock.advance(chrono::Duration::seconds(1));
    let pass = w.dispatcher.drain("w2").await.unwrap();
    assert_eq!((pass.claimed, pass.sent), (1, 1));
    assert_eq!(
        delivered(&w.sender),
        vec![(
            ana(ana_id),
            "Welcome, Ana!".to_string(),
            now + chrono::Duration::seconds(60)
        )]
    );
    // The dead worker coming back cannot overwrite the outcome.
    let late = deliveries::settle(
        &mut conn,
        claimed[0].id,
        "dead-1",
        &deliveries::Outcome::Failed {
            reason: "late".into(),
            at: w.clock.now(),
        },
    )
    .await
    .unwrap();
    assert!(!late);
    let r = row(&w.pool, "k:1").await;
    assert_eq!((r.status.as_str(), r.attempts), ("sent", 2));
    w.clock.advance(chrono::Duration::days(1));
    assert_eq!(w.dispatcher.drain("w2").await.unwrap().claimed, 0);
    assert_eq!(w.sender.sent().len(), 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_rate_limited_send_waits_for_the_retry_after(pool: PgPool) {
    let w = world(pool, config()).await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:1", ana_id, "Welcome, Ana!", now).await;
    w.sender.script(
        ana(ana_id),
        [SendError::RetryAfter(Duration::from_secs(120))],
    );

    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.retried, pass.sent), (1, 0));
    let r = row(&w.pool, "k:1").await;
    assert_eq!(r.status, "pending");
    assert_eq!(r.due_at, now + chrono::Duration::seconds(120));
    // A platform's rate limit is not the message's fault: it does not use up an attempt.
    assert_eq!(r.attempts, 0);
    assert_eq!(
        r.last_error.as_deref(),
        Some("rate limited by the platform; retry after 120s")
    );

    w.clock.advance(chrono::Duration::seconds(119));
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().claimed, 0);
    w.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().sent, 1);
    assert_eq!(
        delivered(&w.sender),
        vec![(
            ana(ana_id),
            "Welcome, Ana!".to_string(),
            now + chrono::Duration::seconds(120)
        )]
    );
    let r = row(&w.pool, "k:1").await;
    assert_eq!((r.status.as_str(), r.last_error), ("sent", None));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn transient_errors_back_off_then_give_up_and_tell_staff(pool: PgPool) {
    let w = world(
        pool,
        DispatchConfig {
            max_attempts: 3,
            backoff_base_seconds: 30,
            backoff_cap_seconds: 45,
            ..config()
        },
    )
    .await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let bo_id = common::creator(&w.pool, &w.program, "bo", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:ana", ana_id, "Hi Ana", now).await;
    dm(&w, "k:bo", bo_id, "Hi Bo", now).await;
    let bo = Recipient::Creator {
        creator_id: bo_id,
        handle: "bo".into(),
    };
    w.sender
        .script(ana(ana_id), [SendError::Transient("HTTP 502".into())]);
    w.sender.script(
        bo.clone(),
        (0..3).map(|_| SendError::Transient("HTTP 503".into())),
    );

    // First try fails for both: retry in 30 s.
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().retried, 2);
    assert_eq!(
        row(&w.pool, "k:ana").await.due_at,
        now + chrono::Duration::seconds(30)
    );
    w.clock.advance(chrono::Duration::seconds(30));
    // Ana's second try goes through; Bo's fails again: retry in 60 s, capped at 45 s.
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.sent, pass.retried), (1, 1));
    let r = row(&w.pool, "k:bo").await;
    assert_eq!(r.due_at, now + chrono::Duration::seconds(75));
    assert_eq!(r.last_error.as_deref(), Some("HTTP 503"));
    // Third try fails: that was the last attempt. Staff are told, in the same pass.
    w.clock.advance(chrono::Duration::seconds(45));
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.failed, pass.sent), (1, 1));
    let r = row(&w.pool, "k:bo").await;
    assert_eq!(r.status, "failed");
    assert_eq!(r.attempts, 3);
    assert_eq!(
        r.last_error.as_deref(),
        Some("gave up after 3 attempts: HTTP 503")
    );
    let staff: Vec<(Recipient, String, DateTime<Utc>)> = delivered(&w.sender)
        .into_iter()
        .filter(|d| d.0 == Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Staff))
        .collect();
    assert_eq!(
        staff,
        vec![(
            Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Staff),
            "Could not deliver a DM to @bo (onboarding_welcome): gave up after 3 attempts: HTTP 503. It will not be retried.".to_string(),
            now + chrono::Duration::seconds(75)
        )]
    );
    // Never retried again.
    w.clock.advance(chrono::Duration::days(2));
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().claimed, 0);
    assert_eq!(w.sender.attempts(), 6);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_permanent_error_fails_at_once_and_is_surfaced(pool: PgPool) {
    let w = world(pool, config()).await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:1", ana_id, "Welcome, Ana!", now).await;
    w.sender
        .block(ana(ana_id), "the creator does not accept DMs from the bot");

    let pass = w.dispatcher.drain("w1").await.unwrap();
    // The DM failed; the staff alert about it was queued and sent in the same drain.
    assert_eq!((pass.failed, pass.sent), (1, 1));
    let r = row(&w.pool, "k:1").await;
    assert_eq!(r.status, "failed");
    assert_eq!(r.attempts, 1);
    assert_eq!(
        r.last_error.as_deref(),
        Some("the creator does not accept DMs from the bot")
    );
    assert_eq!(
        delivered(&w.sender),
        vec![(
            Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Staff),
            "Could not deliver a DM to @ana (onboarding_welcome): the creator does not accept DMs from the bot. It will not be retried.".to_string(),
            now
        )]
    );
    let failed_at: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT d.failed_at FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
              WHERE o.dedupe_key = 'k:1'",
    )
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert_eq!(failed_at, Some(now));
    w.clock.advance(chrono::Duration::days(2));
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().claimed, 0);
    assert_eq!(w.sender.attempts(), 2);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creator_who_left_the_workspace_gets_nothing_more_there_until_they_come_back(
    pool: PgPool,
) {
    let w = world(pool, config()).await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:1", ana_id, "Welcome, Ana!", now).await;
    w.sender.script(
        ana(ana_id),
        [SendError::Gone(
            "they are no longer a member of the server".into(),
        )],
    );

    let pass = w.dispatcher.drain("w1").await.unwrap();
    // The DM failed and staff were told once, in plain words.
    assert_eq!((pass.failed, pass.sent), (1, 1));
    assert_eq!(
        delivered(&w.sender),
        vec![(
            Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Staff),
            "Could not deliver a DM to @ana (onboarding_welcome): they are no longer a member of the server. It will not be retried.".to_string(),
            now
        )]
    );
    let left_at: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT left_at FROM chat_identities WHERE creator_id = $1 AND platform = 'recording'",
    )
    .bind(ana_id)
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert_eq!(left_at, Some(now));

    // The next DM finds no account to send to: unlinked, no attempt, no alert.
    let mut conn = w.pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: w.program.id,
            dedupe_key: "k:2".into(),
            kind: MessageKind::Dm,
            creator_id: Some(ana_id),
            channel: None,
            template: Some("onboarding_welcome".into()),
            text: "Day 2".into(),
            extra: serde_json::json!({}),
            due_at: now,
        },
    )
    .await
    .unwrap();
    drop(conn);
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!(pass.claimed, 0);
    assert_eq!(row(&w.pool, "k:2").await.status, "unlinked");
    assert_eq!(w.sender.attempts(), 2);

    // Back in the workspace: the account counts again.
    let back = creator_bot::db::chat::mark_back(
        &w.pool,
        w.program.id,
        "recording",
        common::app::RECORDING_WORKSPACE,
        "ana",
    )
    .await
    .unwrap();
    assert!(back);
    dm(&w, "k:3", ana_id, "Welcome back", now).await;
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!(pass.sent, 1);
    assert_eq!(delivered(&w.sender).last().unwrap().1, "Welcome back");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_failed_staff_alert_raises_no_alert_about_itself(pool: PgPool) {
    let w = world(pool, config()).await;
    let now = w.clock.now();
    let mut conn = w.pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &NewMessage {
            program_id: w.program.id,
            dedupe_key: "alert:1".into(),
            kind: MessageKind::StaffAlert,
            creator_id: None,
            channel: Some(creator_bot::domain::channels::ProgramChannel::Staff),
            template: None,
            text: "@ana went viral".into(),
            extra: serde_json::json!({}),
            due_at: now,
        },
    )
    .await
    .unwrap();
    w.sender.block(
        Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Staff),
        "channel not found",
    );
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.claimed, pass.failed), (1, 1));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_opted_out_creator_gets_nothing_already_queued(pool: PgPool) {
    let w = world(pool, config()).await;
    let ana_id = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let now = w.clock.now();
    dm(&w, "k:1", ana_id, "Welcome, Ana!", now).await;
    sqlx::query("UPDATE creators SET opted_out = true, opted_out_at = $2 WHERE id = $1")
        .bind(ana_id)
        .bind(now)
        .execute(&w.pool)
        .await
        .unwrap();
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.cancelled, pass.sent), (1, 0));
    assert!(w.sender.sent().is_empty());
    let r = row(&w.pool, "k:1").await;
    assert_eq!(
        (r.status.as_str(), r.last_error.as_deref()),
        ("cancelled", Some("creator opted out"))
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn dms_wait_for_each_creators_daytime_and_posts_do_not(pool: PgPool) {
    let w = world(pool, config()).await;
    let ny = common::creator(&w.pool, &w.program, "ana", "2026-05-01").await;
    let tokyo = common::creator(&w.pool, &w.program, "kenji", "2026-05-01").await;
    sqlx::query("UPDATE creators SET timezone = 'Asia/Tokyo' WHERE id = $1")
        .bind(tokyo)
        .execute(&w.pool)
        .await
        .unwrap();
    // 01:30 UTC on Sunday 1 November 2026: 21:30 on Saturday in New York (EDT), 10:30 in Tokyo.
    // New York's clocks go back at 02:00 that night, so its next 09:00 is EST (14:00 UTC).
    let night = utc("2026-11-01T01:30:00Z");
    w.clock.set(night);
    dm(&w, "k:ny", ny, "Hi Ana", night).await;
    dm(&w, "k:tokyo", tokyo, "Hi Kenji", night).await;
    post(&w, "k:post", "staff", "Weekly pulse", night).await;

    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.sent, pass.deferred), (2, 1));
    let r = row(&w.pool, "k:ny").await;
    assert_eq!(
        (r.status.as_str(), r.due_at, r.attempts),
        ("pending", utc("2026-11-01T14:00:00Z"), 0)
    );
    w.clock.set(utc("2026-11-01T13:59:59Z"));
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().claimed, 0);
    w.clock.set(utc("2026-11-01T14:00:00Z"));
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().sent, 1);
    let got: Vec<(String, DateTime<Utc>)> = delivered(&w.sender)
        .into_iter()
        .map(|d| (d.1, d.2))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Hi Kenji".to_string(), night),
            ("Weekly pulse".to_string(), night),
            ("Hi Ana".to_string(), utc("2026-11-01T14:00:00Z")),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn two_processes_deliver_each_message_once(pool: PgPool) {
    let w = world(
        pool,
        DispatchConfig {
            batch_size: 5,
            ..config()
        },
    )
    .await;
    let now = w.clock.now();
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(common::creator(&w.pool, &w.program, &format!("c{i}"), "2026-05-01").await);
    }
    connect_recording(&w.pool, w.program.id).await;
    let mut conn = w.pool.acquire().await.unwrap();
    let messages: Vec<NewMessage> = (0..400)
        .map(|i| NewMessage {
            program_id: w.program.id,
            dedupe_key: format!("k:{i}"),
            kind: MessageKind::Dm,
            creator_id: Some(ids[i % ids.len()]),
            channel: None,
            template: None,
            text: format!("message {i}"),
            extra: serde_json::json!({}),
            due_at: now,
        })
        .collect();
    assert_eq!(
        outbox::enqueue_many(&mut conn, &messages).await.unwrap(),
        400
    );
    // Scheduling the same keys again queues nothing.
    assert_eq!(outbox::enqueue_many(&mut conn, &messages).await.unwrap(), 0);

    // Two "processes": separate pools and dispatchers, 4 workers each, one shared record.
    let options = w.pool.connect_options().as_ref().clone();
    let sender = Arc::new(w.sender.clone().with_delay(Duration::from_millis(1)));
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut handles = Vec::new();
    for p in 0..2 {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(5)
            .connect_with(options.clone())
            .await
            .unwrap();
        let app = App::new(
            pool,
            Config::default(),
            common::templates(),
            w.clock.clone(),
        )
        .with_platforms(Platforms::default().with(sender.clone()));
        let d = Arc::new(Dispatcher::with_config(
            &app,
            &DispatchConfig {
                batch_size: 5,
                poll_interval_ms: 10,
                ..config()
            },
        ));
        handles.extend(d.spawn(&format!("p{p}"), stop.clone()));
    }
    // Wait until every row is settled, then stop the workers.
    for _ in 0..500 {
        let open: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox o
              WHERE o.status <> 'queued'
                 OR EXISTS (SELECT 1 FROM deliveries d WHERE d.outbox_id = o.id AND d.status <> 'sent')")
            .fetch_one(&w.pool)
            .await
            .unwrap();
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_tx.send(true).unwrap();
    let mut total = Pass::default();
    let mut busy_workers = 0;
    for h in handles {
        let pass = h.await.unwrap();
        if pass.sent > 0 {
            busy_workers += 1;
        }
        total += pass;
    }
    assert_eq!(total.sent, 400);
    assert_eq!(total.lost, 0);
    assert!(busy_workers > 1, "the work was shared between workers");
    let mut texts: Vec<String> = w
        .sender
        .sent()
        .into_iter()
        .map(|r| r.message.text)
        .collect();
    assert_eq!(texts.len(), 400);
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 400, "no message was delivered twice");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_global_rate_spaces_sends(pool: PgPool) {
    let w = world(
        pool,
        DispatchConfig {
            global_per_second: 5,
            ..config()
        },
    )
    .await;
    let now = w.clock.now();
    for i in 0..10 {
        post(&w, &format!("k:{i}"), "staff", "x", now).await;
    }
    let started = std::time::Instant::now();
    assert_eq!(w.dispatcher.drain("w1").await.unwrap().sent, 10);
    // 5 per second with a burst of 5: the last 5 wait at least 0.8 s between them in all.
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "10 sends at 5/s took only {:?}",
        started.elapsed()
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_viral_alert_from_the_tier_check_is_worded_when_sent(pool: PgPool) {
    let w = world(pool, config()).await;
    let star = common::creator(&w.pool, &w.program, "star", "2026-05-01").await;
    common::lines(
        &w.pool,
        &w.program,
        &[common::Line::settled(
            "o1",
            star,
            "2026-06-01 10:00",
            1_050_000,
        )],
    )
    .await;
    let now = w.clock.now();
    let run = creator_bot::features::tiers::check(
        &w.pool,
        &w.program,
        &creator_bot::config::Config::default().tiers,
        now,
    )
    .await
    .unwrap();
    assert_eq!(run.alerts_queued, 1);
    w.dispatcher.drain("w1").await.unwrap();
    let staff: Vec<String> = delivered(&w.sender)
        .into_iter()
        .filter(|d| d.0 == Recipient::Channel(creator_bot::domain::channels::ProgramChannel::Staff))
        .map(|d| d.1)
        .collect();
    assert_eq!(
        staff,
        vec!["@star went viral: $10,500.00 GMV in the last 7 days.".to_string()]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_message_without_text_fails_and_staff_hear_of_it(pool: PgPool) {
    let w = world(pool, config()).await;
    let now = w.clock.now();
    post(&w, "k:empty", "tier:all_stars", "", now).await;
    let pass = w.dispatcher.drain("w1").await.unwrap();
    assert_eq!((pass.failed, pass.sent), (1, 1));
    assert_eq!(
        row(&w.pool, "k:empty").await.last_error.as_deref(),
        Some("the message has no text")
    );
    assert_eq!(
        delivered(&w.sender)
            .into_iter()
            .map(|d| d.1)
            .collect::<Vec<_>>(),
        vec![
            "Could not deliver a post in #all-stars: the message has no text. It will not be retried."
        ]
    );
}
