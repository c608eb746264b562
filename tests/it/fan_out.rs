//! One program on two platforms at once: each message fans out into one delivery per platform it
//! should reach, each delivery with its own fate. A creator linked on one platform gets DMs
//! there only; a creator linked nowhere is marked unlinked (no retries, no alert); a post to a
//! channel not mapped on a platform waits until it is mapped, and `/readyz` names it; a creator
//! who links gets the welcome they missed.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, Utc};
use creator_bot::app::App;
use creator_bot::chat::console::{ConsoleSender, Screen, Transcript};
use creator_bot::chat::recording::RecordingSender;
use creator_bot::chat::{Address, MessageKind, Platforms, Recipient};
use creator_bot::config::{Config, DispatchConfig};
use creator_bot::db::outbox::{self, NewMessage};
use creator_bot::db::programs::Program;
use creator_bot::db::{channels, chat};
use creator_bot::domain::Handle;
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::features::linking::{self, ChatUser};
use creator_bot::jobs::ManualClock;
use creator_bot::jobs::dispatch::Dispatcher;
use sqlx::PgPool;

use crate::common;

/// 15:00 UTC on 2 June 2026: 11:00 in New York, daytime for the program's creators.
fn noon() -> DateTime<Utc> {
    "2026-06-02T15:00:00Z".parse().unwrap()
}

struct World {
    pool: PgPool,
    program: Program,
    app: App,
    clock: Arc<ManualClock>,
    recording: RecordingSender,
    console: Transcript,
    dispatcher: Dispatcher,
}

/// Connects `platform` to the program: its workspace, the given channels mapped to `#name`, and
/// each `(creator, user id)` linked.
async fn connect(
    pool: &PgPool,
    program: &Program,
    platform: &str,
    mapped: &[ProgramChannel],
    users: &[(i64, &str)],
) {
    let mut conn = pool.acquire().await.unwrap();
    chat::add_workspace(&mut *conn, program.id, platform, "ws")
        .await
        .unwrap();
    for channel in mapped {
        channels::set_channel(
            &mut conn,
            program.id,
            platform,
            *channel,
            &channel.to_string(),
        )
        .await
        .unwrap();
    }
    for (creator, user) in users {
        chat::link_creator(
            &mut conn,
            program.id,
            platform,
            "ws",
            user,
            *creator,
            noon(),
        )
        .await
        .unwrap();
    }
}

/// The program on the recording platform (every channel mapped) and the console (every channel
/// but #competitions); Ana is linked on both, Bo on the console only, Cy nowhere.
async fn world(pool: PgPool) -> (World, [i64; 3]) {
    let program = common::program(&pool).await;
    let ana = common::creator(&pool, &program, "ana", "2026-05-01").await;
    let bo = common::creator(&pool, &program, "bo", "2026-05-01").await;
    let cy = common::creator(&pool, &program, "cy", "2026-05-01").await;
    connect(
        &pool,
        &program,
        "recording",
        &ProgramChannel::ALL,
        &[(ana, "ana-rec")],
    )
    .await;
    let console_channels: Vec<ProgramChannel> = ProgramChannel::ALL
        .into_iter()
        .filter(|c| *c != ProgramChannel::Competitions)
        .collect();
    connect(
        &pool,
        &program,
        "console",
        &console_channels,
        &[(ana, "ana"), (bo, "bo")],
    )
    .await;

    let clock = Arc::new(ManualClock::new(noon()));
    let recording = RecordingSender::new(clock.clone());
    let console = Transcript::new();
    let printer = ConsoleSender::new(pool.clone(), clock.clone(), Screen::new(console.clone()));
    let app = App::new(
        pool.clone(),
        Config::default(),
        common::templates(),
        clock.clone(),
    )
    .with_platforms(
        Platforms::default()
            .with(Arc::new(recording.clone()))
            .with(Arc::new(printer)),
    );
    let dispatcher = Dispatcher::with_config(
        &app,
        &DispatchConfig {
            global_per_second: 0,
            console_per_second: 0,
            ..DispatchConfig::default()
        },
    );
    let w = World {
        pool,
        program,
        app,
        clock,
        recording,
        console,
        dispatcher,
    };
    (w, [ana, bo, cy])
}

async fn queue(
    w: &World,
    key: &str,
    kind: MessageKind,
    to: Result<i64, ProgramChannel>,
    at: DateTime<Utc>,
) {
    let (creator_id, channel) = match to {
        Ok(creator) => (Some(creator), None),
        Err(channel) => (None, Some(channel)),
    };
    let template = (kind == MessageKind::Dm).then(|| "onboarding_welcome".to_string());
    let mut conn = w.pool.acquire().await.unwrap();
    assert!(
        outbox::enqueue(
            &mut conn,
            &NewMessage {
                program_id: w.program.id,
                dedupe_key: key.into(),
                kind,
                creator_id,
                channel,
                template,
                text: format!("text of {key}"),
                extra: serde_json::json!({}),
                due_at: at,
            },
        )
        .await
        .unwrap()
    );
}

/// The message's status and, per platform, its delivery's status and attempts.
async fn state(pool: &PgPool, key: &str) -> (String, Vec<(String, String, i32)>) {
    let status: String = sqlx::query_scalar("SELECT status FROM outbox WHERE dedupe_key = $1")
        .bind(key)
        .fetch_one(pool)
        .await
        .unwrap();
    let deliveries = sqlx::query_as(
        "SELECT d.platform, d.status, d.attempts FROM deliveries d
           JOIN outbox o ON o.id = d.outbox_id
          WHERE o.dedupe_key = $1 ORDER BY d.platform",
    )
    .bind(key)
    .fetch_all(pool)
    .await
    .unwrap();
    (status, deliveries)
}

fn d(platform: &str, status: &str, attempts: i32) -> (String, String, i32) {
    (platform.into(), status.into(), attempts)
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn each_message_reaches_every_platform_it_should(pool: PgPool) {
    let (w, [ana, bo, cy]) = world(pool).await;
    let now = noon();
    queue(
        &w,
        "alert",
        MessageKind::StaffAlert,
        Err(ProgramChannel::Staff),
        now,
    )
    .await;
    queue(
        &w,
        "race",
        MessageKind::Channel,
        Err(ProgramChannel::Competitions),
        now,
    )
    .await;
    queue(&w, "dm:ana", MessageKind::Dm, Ok(ana), now).await;
    queue(&w, "dm:bo", MessageKind::Dm, Ok(bo), now).await;
    queue(&w, "dm:cy", MessageKind::Dm, Ok(cy), now).await;

    let pass = w.dispatcher.drain("w").await.unwrap();
    assert_eq!((pass.sent, pass.waiting, pass.failed), (6, 1, 0));

    // The recording platform: the alert, the post, Ana's DM (in the DM channel it opened).
    let got: Vec<(String, Address)> = w
        .recording
        .sent()
        .into_iter()
        .map(|r| (r.message.dedupe_key, r.message.address))
        .collect();
    let channel = |id: &str| Address::Channel {
        channel_id: id.into(),
    };
    assert_eq!(
        got,
        vec![
            ("alert".to_string(), channel("#staff")),
            ("race".to_string(), channel("#competitions")),
            (
                "dm:ana".to_string(),
                Address::Direct {
                    user_id: "ana-rec".into(),
                    channel_id: "dm-ana-rec".into(),
                }
            ),
        ]
    );
    assert_eq!(w.recording.opened_dms(), vec!["ana-rec".to_string()]);
    // The console: the alert, Ana's and Bo's DMs; #competitions is not mapped there.
    assert_eq!(
        w.console.text(),
        "[Tue 2 Jun 11:00 EDT] #staff: text of alert\n\
         [Tue 2 Jun 11:00 EDT] DM to @ana: text of dm:ana\n\
         [Tue 2 Jun 11:00 EDT] DM to @bo: text of dm:bo\n"
    );

    assert_eq!(
        state(&w.pool, "alert").await,
        (
            "queued".into(),
            vec![d("console", "sent", 1), d("recording", "sent", 1)]
        )
    );
    assert_eq!(
        state(&w.pool, "race").await,
        (
            "queued".into(),
            vec![d("console", "waiting", 0), d("recording", "sent", 1)]
        )
    );
    assert_eq!(
        state(&w.pool, "dm:bo").await,
        ("queued".into(), vec![d("console", "sent", 1)])
    );
    // Cy has no account anywhere: unlinked, no delivery, no retry, no staff alert.
    assert_eq!(state(&w.pool, "dm:cy").await, ("unlinked".into(), vec![]));
    let alerts: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'staff_alert'")
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(alerts, 1);
    let waiting_error: Option<String> = sqlx::query_scalar(
        "SELECT d.last_error FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.dedupe_key = 'race' AND d.platform = 'console'",
    )
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert_eq!(
        waiting_error.as_deref(),
        Some(
            "#competitions is not mapped on console: run the console setup or `creator-bot \
             channels set`"
        )
    );

    // An hour later nothing more goes out: the waiting post is not retried.
    w.clock.advance(Duration::hours(1));
    let later = w.dispatcher.drain("w").await.unwrap();
    assert_eq!(later.claimed, 0);

    // Mapping #competitions on the console wakes the post; it goes out once.
    let mut conn = w.pool.acquire().await.unwrap();
    let woke = channels::set_channel(
        &mut conn,
        w.program.id,
        "console",
        ProgramChannel::Competitions,
        "#competitions",
    )
    .await
    .unwrap();
    assert_eq!(woke, 1);
    assert_eq!(w.dispatcher.drain("w").await.unwrap().sent, 1);
    assert!(
        w.console
            .text()
            .ends_with("[Tue 2 Jun 12:00 EDT] #competitions: text of race\n")
    );
    assert_eq!(
        state(&w.pool, "race").await,
        (
            "queued".into(),
            vec![d("console", "sent", 1), d("recording", "sent", 1)]
        )
    );
    assert_eq!(w.recording.sent().len(), 3);

    // A second DM to Ana goes to the DM channel opened the first time: it is not opened again.
    queue(
        &w,
        "dm:ana:2",
        MessageKind::Dm,
        Ok(ana),
        noon() + Duration::hours(1),
    )
    .await;
    assert_eq!(w.dispatcher.drain("w").await.unwrap().sent, 2);
    assert_eq!(w.recording.opened_dms(), vec!["ana-rec".to_string()]);
    let kept: Option<String> = sqlx::query_scalar(
        "SELECT dm_channel_id FROM chat_identities WHERE platform = 'recording' AND user_id = 'ana-rec'",
    )
    .fetch_one(&w.pool)
    .await
    .unwrap();
    assert_eq!(kept.as_deref(), Some("dm-ana-rec"));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn readyz_names_the_channels_that_are_not_mapped(pool: PgPool) {
    let (w, _) = world(pool).await;
    let endpoints = creator_bot::service::http::Endpoints {
        app: w.app.clone(),
        stopping: Arc::new(AtomicBool::new(false)),
        slack: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let server = tokio::spawn(async move {
        axum::serve(listener, creator_bot::service::http::router(endpoints)).await
    });
    assert_eq!(
        crate::service::bot::get(&address, "/readyz").await,
        (
            200,
            r#"{"missing_channels":["glow: #competitions on console"],"not_ready":[],"ready":true}"#
                .to_string()
        )
    );
    // A platform that loses its connection makes the process not ready.
    w.recording.set_connected(false);
    assert_eq!(
        crate::service::bot::get(&address, "/readyz").await,
        (
            503,
            r#"{"missing_channels":["glow: #competitions on console"],"not_ready":["recording"],"ready":false}"#
                .to_string()
        )
    );
    server.abort();
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creator_who_links_gets_the_welcome_they_missed(pool: PgPool) {
    let (w, [_, _, cy]) = world(pool).await;
    let dee = common::creator(&w.pool, &w.program, "dee", "2026-05-01").await;
    let now = noon();
    // Cy's welcome fell due an hour ago, Dee's ten days ago; neither had an account.
    queue(
        &w,
        "welcome:cy",
        MessageKind::Dm,
        Ok(cy),
        now - Duration::hours(1),
    )
    .await;
    queue(
        &w,
        "welcome:dee",
        MessageKind::Dm,
        Ok(dee),
        now - Duration::days(10),
    )
    .await;
    w.dispatcher.drain("w").await.unwrap();
    assert_eq!(
        state(&w.pool, "welcome:cy").await,
        ("unlinked".into(), vec![])
    );

    for (handle, user) in [("cy", "cy-rec"), ("dee", "dee-rec")] {
        linking::link(
            &w.pool,
            &w.program,
            ChatUser {
                platform: "recording",
                workspace_id: "ws",
                user_id: user,
            },
            &Handle::parse(handle).unwrap(),
            now,
            Config::default().sequences.catch_up_days,
        )
        .await
        .unwrap();
    }
    let pass = w.dispatcher.drain("w").await.unwrap();
    assert_eq!(pass.sent, 1);
    let sent = w.recording.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].message.dedupe_key, "welcome:cy");
    assert_eq!(
        sent[0].message.to,
        Recipient::Creator {
            creator_id: cy,
            handle: "cy".into()
        }
    );
    assert_eq!(sent[0].at, now);
    assert_eq!(
        state(&w.pool, "welcome:cy").await,
        ("queued".into(), vec![d("recording", "sent", 1)])
    );
    // Dee's welcome is older than the catch-up window: it stays unsent.
    assert_eq!(
        state(&w.pool, "welcome:dee").await,
        ("unlinked".into(), vec![])
    );
}
