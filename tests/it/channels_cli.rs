//! `creator-bot channels list|set` end to end through the binary: what is mapped and what is
//! missing on each connected platform, the deliveries waiting for it, setting a channel or role
//! (which sends what waited for exactly that), and the refusals of bad input.

use crate::common;
use crate::outbox_cli::config_file;

use chrono::{DateTime, Utc};
use common::app::{RECORDING_WORKSPACE, TestApp};
use common::lifecycle::{creator_in, glow, utc};
use creator_bot::chat::{Address, MessageKind};
use creator_bot::config::DispatchConfig;
use creator_bot::db::programs::Program;
use creator_bot::db::{channels, chat, outbox};
use creator_bot::domain::Tier;
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::dispatch::Dispatcher;
use serde_json::json;
use sqlx::PgPool;

async fn post(pool: &PgPool, program: &Program, key: &str, channel: ProgramChannel) {
    let mut conn = pool.acquire().await.unwrap();
    outbox::enqueue(
        &mut conn,
        &outbox::NewMessage {
            program_id: program.id,
            dedupe_key: key.into(),
            kind: if channel == ProgramChannel::Staff {
                MessageKind::StaffAlert
            } else {
                MessageKind::Channel
            },
            creator_id: None,
            channel: Some(channel),
            template: Some(key.into()),
            text: format!("text of {key}"),
            extra: json!({}),
            due_at: utc("2026-06-02T15:00:00Z"),
        },
    )
    .await
    .unwrap();
}

/// Sends what is due at `at` through the recording platform; returns `(channel id, text)` of
/// every post it delivered, in order.
async fn dispatch(pool: &PgPool, at: DateTime<Utc>) -> Vec<(String, String)> {
    let t = TestApp::new(pool, at);
    let config = DispatchConfig {
        global_per_second: 0,
        ..DispatchConfig::default()
    };
    Dispatcher::with_config(&t.app, &config)
        .drain("test")
        .await
        .unwrap();
    t.recording
        .sent()
        .into_iter()
        .map(|r| match r.message.address {
            Address::Channel { channel_id } => (channel_id, r.message.text),
            other => panic!("not a post: {other:?}"),
        })
        .collect()
}

async fn delivery_status(pool: &PgPool, key: &str) -> String {
    sqlx::query_scalar(
        "SELECT d.status FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.dedupe_key = $1 AND d.platform = 'recording'",
    )
    .bind(key)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Glow on the recording platform with only its tier channels and the All-Stars role mapped, and
/// on the console with nothing mapped; a staff alert and a competitions post fell due at 11:00
/// New York time and wait on the recording platform for their channels.
async fn half_mapped(pool: &PgPool) -> Program {
    let program = glow(pool).await;
    creator_in(pool, &program, "ava", "Ava", "2026-06-01", None).await;
    let mut conn = pool.acquire().await.unwrap();
    chat::add_workspace(&mut *conn, program.id, "recording", RECORDING_WORKSPACE)
        .await
        .unwrap();
    chat::add_workspace(&mut *conn, program.id, "console", "console-ws")
        .await
        .unwrap();
    let tier = |t| ProgramChannel::Tier(t);
    channels::set_channel(
        &mut conn,
        program.id,
        "recording",
        tier(Tier::AllStars),
        "C-AS",
    )
    .await
    .unwrap();
    channels::set_channel(
        &mut conn,
        program.id,
        "recording",
        tier(Tier::SteadyEarners),
        "C-SE",
    )
    .await
    .unwrap();
    channels::set_role(&mut conn, program.id, "recording", "all_stars", "R-AS")
        .await
        .unwrap();
    post(pool, &program, "pulse", ProgramChannel::Staff).await;
    post(pool, &program, "standings", ProgramChannel::Competitions).await;
    assert_eq!(dispatch(pool, utc("2026-06-02T15:00:00Z")).await, []);
    assert_eq!(delivery_status(pool, "pulse").await, "waiting");
    assert_eq!(delivery_status(pool, "standings").await, "waiting");
    program
}

fn ok(out: &str) -> (i32, String, String) {
    (0, out.to_string(), String::new())
}

fn refused(err: &str) -> (i32, String, String) {
    (1, String::new(), format!("error: {err}\n"))
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn list_shows_what_is_missing_and_what_waits_for_it(pool: PgPool) {
    half_mapped(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let cli = |args: &[&str]| common::cli::cli(&pool, &config, args);
    assert_eq!(
        cli(&["channels", "list"]),
        ok("\
Channels and roles of Glow Skincare
Platform   Kind     Name             ID
console    channel  #all-stars       missing
console    channel  #steady-earners  missing
console    channel  #competitions    missing
console    channel  #staff           missing
console    role     all-stars        missing
console    role     steady-earners   missing
console    role     staff            missing
recording  channel  #all-stars       C-AS
recording  channel  #steady-earners  C-SE
recording  channel  #competitions    missing
recording  channel  #staff           missing
recording  role     all-stars        R-AS
recording  role     steady-earners   missing
recording  role     staff            missing
console: no deliveries waiting
recording: 2 deliveries wait for a missing channel or role
")
    );
    let (code, out, _) = cli(&["channels", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let none = serde_json::Value::Null;
    assert_eq!(
        json,
        json!({
            "program": "glow",
            "platforms": [
                {"platform": "console", "waiting": 0,
                 "channels": {"#all-stars": none, "#steady-earners": none,
                              "#competitions": none, "#staff": none},
                 "roles": {"all-stars": none, "steady-earners": none, "staff": none}},
                {"platform": "recording", "waiting": 2,
                 "channels": {"#all-stars": "C-AS", "#steady-earners": "C-SE",
                              "#competitions": none, "#staff": none},
                 "roles": {"all-stars": "R-AS", "steady-earners": none, "staff": none}}
            ],
            "posts_waiting_for_a_platform": 0
        })
    );

    // A program on no platform yet: its posts wait for one.
    let other = common::program_in(&pool, "other", "UTC", "USD").await;
    post(&pool, &other, "hello", ProgramChannel::Competitions).await;
    dispatch(&pool, utc("2026-06-02T15:00:00Z")).await;
    assert_eq!(
        cli(&["--program", "other", "channels", "list"]),
        ok("other program is not connected to any chat platform yet; 1 post waits for one\n")
    );
    let (_, out, _) = cli(&["--program", "other", "channels", "list", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json,
        json!({"program": "other", "platforms": [], "posts_waiting_for_a_platform": 1})
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn set_sends_what_waited_for_that_channel(pool: PgPool) {
    half_mapped(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let cli = |args: &[&str]| common::cli::cli(&pool, &config, args);

    // Only the post for #competitions wakes: #staff is still missing.
    assert_eq!(
        cli(&["channels", "set", "recording", "competitions", "C-COMP"]),
        ok("recording: #competitions is now C-COMP (was missing)\n\
            1 waiting delivery goes out on the next dispatch\n")
    );
    assert_eq!(delivery_status(&pool, "pulse").await, "waiting");
    assert_eq!(
        dispatch(&pool, utc("2026-06-02T15:05:00Z")).await,
        [("C-COMP".to_string(), "text of standings".to_string())]
    );
    assert_eq!(
        cli(&["channels", "set", "Recording", "#staff", "C-STAFF"]),
        ok("recording: #staff is now C-STAFF (was missing)\n\
            1 waiting delivery goes out on the next dispatch\n")
    );
    assert_eq!(
        dispatch(&pool, utc("2026-06-02T15:10:00Z")).await,
        [("C-STAFF".to_string(), "text of pulse".to_string())]
    );
    // Sent once each: nothing more goes out later.
    assert_eq!(dispatch(&pool, utc("2026-06-02T16:00:00Z")).await, []);
    assert_eq!(delivery_status(&pool, "pulse").await, "sent");

    assert_eq!(
        cli(&["channels", "set", "recording", "staff", "C-STAFF"]),
        ok("recording: #staff is now C-STAFF (unchanged)\nno deliveries were waiting for it\n")
    );
    assert_eq!(
        cli(&[
            "channels",
            "set",
            "recording",
            "steady-earners",
            "R-SE",
            "--role"
        ]),
        ok(
            "recording: the steady-earners role is now R-SE (was missing)\n\
            no deliveries were waiting for it\n"
        )
    );
    assert_eq!(
        cli(&[
            "channels",
            "set",
            "recording",
            "All-Stars",
            " R-AS2 ",
            "--role"
        ]),
        ok("recording: the all-stars role is now R-AS2 (was R-AS)\n\
            no deliveries were waiting for it\n")
    );
    let (_, out, _) = cli(&["channels", "list"]);
    let recording: Vec<&str> = out.lines().filter(|l| l.starts_with("recording")).collect();
    assert_eq!(
        recording,
        [
            "recording  channel  #all-stars       C-AS",
            "recording  channel  #steady-earners  C-SE",
            "recording  channel  #competitions    C-COMP",
            "recording  channel  #staff           C-STAFF",
            "recording  role     all-stars        R-AS2",
            "recording  role     steady-earners   R-SE",
            "recording  role     staff            missing",
            "recording: no deliveries waiting",
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn bad_input_is_refused_naming_it(pool: PgPool) {
    half_mapped(&pool).await;
    common::program_in(&pool, "other", "UTC", "USD").await;
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let cli = |args: &[&str]| common::cli::cli(&pool, &config, args);
    let (_, before, _) = cli(&["channels", "list"]);
    assert_eq!(
        cli(&["channels", "set", "teams", "staff", "C1"]),
        refused("\"teams\" is not a chat platform: use discord, slack or console")
    );
    assert_eq!(
        cli(&["channels", "set", "recording", "general", "C1"]),
        refused(
            "\"general\" is not a program channel: use staff, competitions, all-stars or \
             steady-earners"
        )
    );
    assert_eq!(
        cli(&["channels", "set", "recording", "staff", "  "]),
        refused("the channel id is blank: give the recording id of #staff")
    );
    assert_eq!(
        cli(&["channels", "set", "recording", "staff", "", "--role"]),
        refused("the role id is blank: give the recording id of the staff role")
    );
    assert_eq!(
        cli(&[
            "channels",
            "set",
            "recording",
            "competitions",
            "R1",
            "--role"
        ]),
        refused("\"competitions\" is not a role: use all-stars, steady-earners or staff")
    );
    assert_eq!(
        cli(&["channels", "set", "slack", "staff", "C1"]),
        refused("program glow is not connected to slack (it is connected to console, recording)")
    );
    assert_eq!(
        cli(&[
            "--program",
            "other",
            "channels",
            "set",
            "recording",
            "staff",
            "C1"
        ]),
        refused(
            "program other is not connected to recording (it is connected to no chat platform \
             yet)"
        )
    );
    // Nothing changed.
    assert_eq!(cli(&["channels", "list"]).1, before);
    assert_eq!(delivery_status(&pool, "pulse").await, "waiting");
}
