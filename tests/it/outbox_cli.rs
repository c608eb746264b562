//! `creator-bot outbox` end to end through the binary, on a program connected to two platforms
//! (the recording one and a console that refuses DMs to ava): the listing and its filters, JSON,
//! sending a failed delivery or an unlinked DM again, cancelling, the refusals, and the last
//! messages on a creator's card for staff (never on the creator's own /mystats).

use crate::common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::app::{RECORDING_WORKSPACE, connect_recording};
use common::lifecycle::{creator_in, glow, templates, utc};
use creator_bot::app::App;
use creator_bot::chat::commands::{Caller, Outcome, Request, respond};
use creator_bot::chat::platforms::ChatPlatform;
use creator_bot::chat::recording::RecordingSender;
use creator_bot::chat::{
    Delivered, MessageKind, Outgoing, Platform, Platforms, Recipient, SendError,
};
use creator_bot::config::{Config, DispatchConfig};
use creator_bot::db::programs::Program;
use creator_bot::db::{channels, chat, outbox};
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::ManualClock;
use creator_bot::jobs::dispatch::Dispatcher;
use serde_json::json;
use sqlx::PgPool;

/// A console workspace that keeps what it sends, and refuses DMs to the handles it is told to.
#[derive(Default)]
pub struct Console {
    sent: Mutex<Vec<(i64, String)>>,
    refuses: Mutex<HashSet<String>>,
}

impl Console {
    /// `(outbox id, message id)` of every send that went through.
    pub fn sent(&self) -> Vec<(i64, String)> {
        self.sent.lock().unwrap().clone()
    }

    pub fn refuse_dms_to(&self, handle: &str, refuse: bool) {
        let mut r = self.refuses.lock().unwrap();
        if refuse {
            r.insert(handle.to_string());
        } else {
            r.remove(handle);
        }
    }
}

#[async_trait]
impl ChatPlatform for Console {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    async fn open_dm(&self, user_id: &str) -> Result<String, SendError> {
        Ok(format!("dm-{user_id}"))
    }

    async fn send(&self, m: &Outgoing) -> Result<Delivered, SendError> {
        if let Recipient::Creator { handle, .. } = &m.to
            && self.refuses.lock().unwrap().contains(handle)
        {
            return Err(SendError::Permanent("DMs are closed".into()));
        }
        let mut sent = self.sent.lock().unwrap();
        let message_id = format!("con-{}", sent.len() + 1);
        sent.push((m.outbox_id, message_id.clone()));
        Ok(Delivered {
            platform: Platform::Console,
            message_id,
        })
    }
}

pub const CONSOLE_WORKSPACE: &str = "console-ws";

/// Connects the console workspace to a program: every channel mapped to `C-NAME`, every creator
/// linked as their handle.
pub async fn connect_console(pool: &PgPool, program_id: i64) {
    let mut conn = pool.acquire().await.unwrap();
    chat::add_workspace(&mut *conn, program_id, "console", CONSOLE_WORKSPACE)
        .await
        .unwrap();
    for c in ProgramChannel::ALL {
        let id = format!("C-{}", c.name().to_uppercase());
        channels::set_channel(&mut conn, program_id, "console", c, &id)
            .await
            .unwrap();
    }
    chat::link_creators_by_handle(
        &mut *conn,
        program_id,
        "console",
        CONSOLE_WORKSPACE,
        Utc::now(),
    )
    .await
    .unwrap();
}

pub fn config_file(dir: &Path) -> PathBuf {
    let path = dir.join("bot.toml");
    std::fs::write(
        &path,
        "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Skincare\"\n\
         timezone = \"America/New_York\"\ncurrency = \"USD\"\n",
    )
    .unwrap();
    path
}

struct World {
    pool: PgPool,
    program: Program,
    clock: Arc<ManualClock>,
    recording: RecordingSender,
    console: Arc<Console>,
    app: App,
    _dir: tempfile::TempDir,
    config: PathBuf,
    ava: i64,
    cara: i64,
}

impl World {
    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        common::cli::cli(&self.pool, &self.config, args)
    }

    /// Sends everything due at `at` through both platforms.
    async fn dispatch(&self, at: DateTime<Utc>) {
        self.clock.set(at);
        let config = DispatchConfig {
            global_per_second: 0,
            ..DispatchConfig::default()
        };
        Dispatcher::with_config(&self.app, &config)
            .drain("test")
            .await
            .unwrap();
    }

    async fn id(&self, dedupe_key: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM outbox WHERE dedupe_key = $1")
            .bind(dedupe_key)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Deliveries of `outbox_id` on `platform` as `(status, attempts, last_error)`.
    async fn delivery(&self, outbox_id: i64, platform: &str) -> (String, i32, Option<String>) {
        sqlx::query_as(
            "SELECT status, attempts, last_error FROM deliveries
              WHERE outbox_id = $1 AND platform = $2",
        )
        .bind(outbox_id)
        .bind(platform)
        .fetch_one(&self.pool)
        .await
        .unwrap()
    }
}

/// Who a queued message is for: a DM to a creator, or a post in a channel.
#[derive(Clone, Copy)]
enum To {
    Dm(i64),
    Post(ProgramChannel),
}

/// Queues one message.
async fn queue(pool: &PgPool, program: &Program, key: &str, to: To, template: &str, due_at: &str) {
    let (kind, creator_id, channel) = match to {
        To::Dm(id) => (MessageKind::Dm, Some(id), None),
        To::Post(c) => (MessageKind::Channel, None, Some(c)),
    };
    let mut conn = pool.acquire().await.unwrap();
    let queued = outbox::enqueue(
        &mut conn,
        &outbox::NewMessage {
            program_id: program.id,
            dedupe_key: key.into(),
            kind,
            creator_id,
            channel,
            template: Some(template.into()),
            text: format!("text of {key}"),
            extra: json!({}),
            due_at: utc(due_at),
        },
    )
    .await
    .unwrap();
    assert!(queued);
}

/// Glow Skincare on the recording platform and the console, which refuses DMs to ava. Queued,
/// then dispatched at 11:00 New York time on 2 June 2026:
/// 1. a welcome DM to ava (sent on recording, failed on the console; staff get an alert, 5);
/// 2. the All-Stars check-in the day before (sent on both);
/// 3. a welcome DM to ben due the next day (pending);
/// 4. a welcome DM to cara, who has no chat account (unlinked).
async fn world(pool: PgPool) -> World {
    let program = glow(&pool).await;
    let ava = creator_in(&pool, &program, "ava", "Ava", "2026-06-01", None).await;
    let ben = creator_in(&pool, &program, "ben", "Ben", "2026-06-01", None).await;
    connect_recording(&pool, program.id).await;
    connect_console(&pool, program.id).await;
    let cara = creator_in(&pool, &program, "cara", "Cara", "2026-06-01", None).await;
    let welcome = "onboarding_welcome";
    let p = &program;
    let all_stars = To::Post(ProgramChannel::Tier(creator_bot::domain::Tier::AllStars));
    let due = "2026-06-02T15:00:00Z";
    queue(&pool, p, "welcome:ava", To::Dm(ava), welcome, due).await;
    let due = "2026-06-01T14:00:00Z";
    queue(&pool, p, "checkin", all_stars, "all_stars_checkin", due).await;
    let due = "2026-06-03T15:00:00Z";
    queue(&pool, p, "welcome:ben", To::Dm(ben), welcome, due).await;
    let due = "2026-06-02T14:00:00Z";
    queue(&pool, p, "welcome:cara", To::Dm(cara), welcome, due).await;

    let clock = Arc::new(ManualClock::new(utc("2026-06-02T15:00:00Z")));
    let recording = RecordingSender::new(clock.clone());
    let console = Arc::new(Console::default());
    console.refuse_dms_to("ava", true);
    let app = App::new(pool.clone(), Config::default(), templates(), clock.clone()).with_platforms(
        Platforms::default()
            .with(Arc::new(recording.clone()))
            .with(console.clone()),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path());
    let w = World {
        pool,
        program,
        clock,
        recording,
        console,
        app,
        _dir: dir,
        config,
        ava,
        cara,
    };
    w.dispatch(utc("2026-06-02T15:00:00Z")).await;
    w
}

const LISTING: &str = "\
Outbox of Glow Skincare: 5 messages, latest due first
ID  Due                   Kind         To          Message                Status
 3  2026-06-03 11:00 EDT  dm           @ben        onboarding_welcome     pending
 5  2026-06-02 11:00 EDT  staff_alert  #staff      delivery_failed_alert  queued
    console    sent    1 attempt  message id con-2
    recording  sent    1 attempt  message id rec-3
 1  2026-06-02 11:00 EDT  dm           @ava        onboarding_welcome     queued
    console    failed  1 attempt  last error: DMs are closed
    recording  sent    1 attempt  message id rec-1
 4  2026-06-02 10:00 EDT  dm           @cara       onboarding_welcome     unlinked
    the creator has not linked a chat account
 2  2026-06-01 10:00 EDT  channel      #all-stars  all_stars_checkin      queued
    console    sent    1 attempt  message id con-1
    recording  sent    1 attempt  message id rec-2
";

fn ok(out: &str) -> (i32, String, String) {
    (0, out.to_string(), String::new())
}

fn refused(err: &str) -> (i32, String, String) {
    (1, String::new(), format!("error: {err}\n"))
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn lists_each_message_with_its_deliveries_and_filters_them(pool: PgPool) {
    let w = world(pool).await;
    assert_eq!(w.cli(&["outbox"]), ok(LISTING));

    // A creator's messages: to them, and the alert about them. `@` or not, any case.
    let ava = ok("\
Outbox of Glow Skincare: 2 messages, latest due first
ID  Due                   Kind         To      Message                Status
 5  2026-06-02 11:00 EDT  staff_alert  #staff  delivery_failed_alert  queued
    console    sent    1 attempt  message id con-2
    recording  sent    1 attempt  message id rec-3
 1  2026-06-02 11:00 EDT  dm           @ava    onboarding_welcome     queued
    console    failed  1 attempt  last error: DMs are closed
    recording  sent    1 attempt  message id rec-1
");
    assert_eq!(w.cli(&["outbox", "--creator", "@ava"]), ava);
    assert_eq!(w.cli(&["outbox", "--creator", "AVA"]), ava);

    // A status matches the message's own or any of its deliveries'.
    assert_eq!(
        w.cli(&["outbox", "--status", "failed"]),
        ok("\
Outbox of Glow Skincare: 1 message, latest due first
ID  Due                   Kind  To    Message             Status
 1  2026-06-02 11:00 EDT  dm    @ava  onboarding_welcome  queued
    console    failed  1 attempt  last error: DMs are closed
    recording  sent    1 attempt  message id rec-1
")
    );
    assert_eq!(
        w.cli(&["outbox", "--status", "unlinked"]),
        ok("\
Outbox of Glow Skincare: 1 message, latest due first
ID  Due                   Kind  To     Message             Status
 4  2026-06-02 10:00 EDT  dm    @cara  onboarding_welcome  unlinked
    the creator has not linked a chat account
")
    );
    assert_eq!(
        w.cli(&["outbox", "--kind", "channel"]),
        ok("\
Outbox of Glow Skincare: 1 message, latest due first
ID  Due                   Kind     To          Message            Status
 2  2026-06-01 10:00 EDT  channel  #all-stars  all_stars_checkin  queued
    console    sent  1 attempt  message id con-1
    recording  sent  1 attempt  message id rec-2
")
    );
    // Days in the program's time zone: 2 June, New York.
    let (code, out, _) = w.cli(&["outbox", "--from", "2026-06-02", "--to", "2026-06-03"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.starts_with("    "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids, ["5", "1", "4"]);
    assert_eq!(
        w.cli(&[
            "outbox",
            "--status",
            "sent",
            "--kind",
            "dm",
            "--to",
            "2026-06-02"
        ]),
        ok("Outbox of Glow Skincare: no messages match\n")
    );
    // The limit says when there may be more.
    let (_, out, _) = w.cli(&["outbox", "--limit", "1"]);
    assert_eq!(
        out,
        "\
Outbox of Glow Skincare: 1 message, latest due first
ID  Due                   Kind  To    Message             Status
 3  2026-06-03 11:00 EDT  dm    @ben  onboarding_welcome  pending
(the latest 1 shown: narrow the search or raise --limit for more)
"
    );

    let (code, out, err) = w.cli(&[
        "outbox",
        "--creator",
        "ava",
        "--kind",
        "dm",
        "--format",
        "json",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    let mut json: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Written by the database's clock when it was queued.
    let created = json[0]
        .as_object_mut()
        .unwrap()
        .remove("created_at")
        .unwrap();
    assert!(created.as_str().unwrap().ends_with('Z'), "{created}");
    assert_eq!(
        json,
        json!([{
            "id": 1, "dedupe_key": "welcome:ava", "kind": "dm", "creator": "ava",
            "channel": null, "recipient": "@ava", "template": "onboarding_welcome",
            "due_at": "2026-06-02T15:00:00Z", "status": "queued",
            "state": "failed on console: DMs are closed; sent on recording",
            "last_error": null,
            "deliveries": [
                {"id": 1, "platform": "console", "status": "failed", "attempts": 1,
                 "due_at": "2026-06-02T15:00:00Z", "last_error": "DMs are closed",
                 "platform_message_id": null, "sent_at": null,
                 "failed_at": "2026-06-02T15:00:00Z"},
                {"id": 2, "platform": "recording", "status": "sent", "attempts": 1,
                 "due_at": "2026-06-02T15:00:00Z", "last_error": null,
                 "platform_message_id": "rec-1", "sent_at": "2026-06-02T15:00:00Z",
                 "failed_at": null}
            ]
        }])
    );
    let (_, out, _) = w.cli(&["outbox", "--kind", "channel", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            &json[0]["recipient"],
            &json[0]["channel"],
            &json[0]["creator"]
        ),
        (&json!("#all-stars"), &json!("tier:all_stars"), &json!(null))
    );

    assert_eq!(
        w.cli(&["outbox", "--from", "2026-06-03", "--to", "2026-06-02"]),
        refused(
            "the period is empty: it must end after it starts (from 2026-06-03, to 2026-06-02)"
        )
    );
    assert_eq!(
        w.cli(&["outbox", "--creator", "@nobody"]),
        refused("there is no creator @nobody in program glow")
    );
    let (code, _, err) = w.cli(&["outbox", "--status", "lost"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'lost' for '--status <STATUS>'"),
        "{err}"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_failed_delivery_sent_again_goes_out_once(pool: PgPool) {
    let w = world(pool).await;
    let welcome = w.id("welcome:ava").await;
    assert_eq!(welcome, 1);
    // Ava opened her DMs.
    w.console.refuse_dms_to("ava", false);
    assert_eq!(
        w.cli(&["outbox", "retry", "1", "--now", "2026-06-02T16:00:00Z"]),
        ok(
            "message 1 (onboarding_welcome to @ava): the failed delivery on console is due again \
            now (attempts reset); it goes out on the next dispatch\n"
        )
    );
    // Pending again, due now, no attempt yet; the last error stays until it is sent.
    assert_eq!(
        w.cli(&["outbox", "--status", "pending"]),
        ok("\
Outbox of Glow Skincare: 2 messages, latest due first
ID  Due                   Kind  To    Message             Status
 3  2026-06-03 11:00 EDT  dm    @ben  onboarding_welcome  pending
 1  2026-06-02 11:00 EDT  dm    @ava  onboarding_welcome  queued
    console    pending  0 attempts  next try 2026-06-02 12:00 EDT  last error: DMs are closed
    recording  sent     1 attempt   message id rec-1
")
    );
    w.dispatch(utc("2026-06-02T16:00:00Z")).await;
    let to_ava: Vec<_> = w
        .console
        .sent()
        .into_iter()
        .filter(|(id, _)| *id == welcome)
        .collect();
    assert_eq!(to_ava, [(welcome, "con-3".to_string())]);
    // The recording platform had it already: not sent twice.
    let recorded = w.recording.sent();
    assert_eq!(
        recorded
            .iter()
            .filter(|r| r.message.outbox_id == welcome)
            .count(),
        1
    );
    assert_eq!(
        w.delivery(welcome, "console").await,
        ("sent".into(), 1, None)
    );
    // A later dispatch sends nothing more.
    w.dispatch(utc("2026-06-02T17:00:00Z")).await;
    assert_eq!(w.console.sent().len(), 3);

    assert_eq!(
        w.cli(&["outbox", "retry", "1"]),
        refused("nothing to retry in message 1 (sent on console and recording)")
    );
    assert_eq!(
        w.cli(&["outbox", "retry", "3"]),
        refused("nothing to retry in message 3 (pending)")
    );
    assert_eq!(
        w.cli(&["outbox", "retry", "99"]),
        refused("there is no message 99 in program glow")
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_unlinked_dm_goes_out_once_the_creator_links(pool: PgPool) {
    let w = world(pool).await;
    let welcome = w.id("welcome:cara").await;
    assert_eq!(welcome, 4);
    assert_eq!(
        w.cli(&["outbox", "retry", "4"]),
        refused(
            "message 4 is still unlinked: @cara has no chat account on a platform the program is \
             connected to; link it first (/link, or the roster import)"
        )
    );
    let mut conn = w.pool.acquire().await.unwrap();
    chat::link_creator(
        &mut conn,
        w.program.id,
        "recording",
        RECORDING_WORKSPACE,
        "cara",
        w.cara,
        utc("2026-06-02T16:00:00Z"),
    )
    .await
    .unwrap();
    assert_eq!(
        w.cli(&["outbox", "retry", "4"]),
        ok(
            "message 4 (onboarding_welcome to @cara) is pending again: it goes out on the next \
            dispatch, on every platform it can reach\n"
        )
    );
    w.dispatch(utc("2026-06-02T16:00:00Z")).await;
    let to_cara: Vec<_> = w
        .recording
        .sent()
        .into_iter()
        .filter(|r| r.message.outbox_id == welcome)
        .map(|r| (r.message.to, r.message.text, r.at))
        .collect();
    assert_eq!(
        to_cara,
        [(
            Recipient::Creator {
                creator_id: w.cara,
                handle: "cara".into()
            },
            "text of welcome:cara".to_string(),
            utc("2026-06-02T16:00:00Z")
        )]
    );
    assert_eq!(
        w.cli(&["outbox", "--creator", "cara"]),
        ok("\
Outbox of Glow Skincare: 1 message, latest due first
ID  Due                   Kind  To     Message             Status
 4  2026-06-02 10:00 EDT  dm    @cara  onboarding_welcome  queued
    recording  sent  1 attempt  message id rec-4
")
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn cancelled_messages_are_never_sent(pool: PgPool) {
    let w = world(pool).await;
    assert_eq!(w.id("welcome:ben").await, 3);
    assert_eq!(
        w.cli(&["outbox", "cancel", "3"]),
        ok("message 3 (onboarding_welcome to @ben) cancelled: it will not be sent\n")
    );
    // Past its due time, nothing goes to ben.
    w.dispatch(utc("2026-06-03T16:00:00Z")).await;
    let ben = |r: &Recipient| matches!(r, Recipient::Creator { handle, .. } if handle == "ben");
    assert!(!w.recording.sent().iter().any(|r| ben(&r.message.to)));
    assert!(!w.console.sent().iter().any(|(id, _)| *id == 3));
    assert_eq!(
        w.cli(&["outbox", "--status", "cancelled"]),
        ok("\
Outbox of Glow Skincare: 1 message, latest due first
ID  Due                   Kind  To    Message             Status
 3  2026-06-03 11:00 EDT  dm    @ben  onboarding_welcome  cancelled
    cancelled by staff
")
    );
    assert_eq!(
        w.cli(&["outbox", "cancel", "3"]),
        refused("nothing to cancel in message 3 (cancelled by staff)")
    );
    assert_eq!(
        w.cli(&["outbox", "retry", "3"]),
        refused("nothing to retry in message 3 (cancelled by staff)")
    );
    assert_eq!(
        w.cli(&["outbox", "cancel", "2"]),
        refused("nothing to cancel in message 2 (sent on console and recording)")
    );
    assert_eq!(
        w.cli(&["outbox", "cancel", "1"]),
        refused(
            "nothing to cancel in message 1 (failed on console: DMs are closed; sent on recording)"
        )
    );

    // A delivery put back in line can be cancelled on its own; what was sent stays sent.
    w.cli(&["outbox", "retry", "1", "--now", "2026-06-03T16:00:00Z"]);
    assert_eq!(
        w.cli(&["outbox", "cancel", "1"]),
        ok("message 1 (onboarding_welcome to @ava): cancelled on console\n")
    );
    w.dispatch(utc("2026-06-03T16:30:00Z")).await;
    assert_eq!(
        w.delivery(1, "console").await,
        ("cancelled".into(), 0, Some("cancelled by staff".into()))
    );
    let (_, out, _) = w.cli(&[
        "outbox",
        "--creator",
        "ava",
        "--kind",
        "dm",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (&json[0]["status"], &json[0]["state"]),
        (
            &json!("queued"),
            &json!("cancelled by staff on console; sent on recording")
        )
    );

    // Another program's message is not this program's to touch.
    let other = common::program_in(&w.pool, "other", "UTC", "USD").await;
    let zed = creator_in(&w.pool, &other, "zed", "Zed", "2026-06-01", None).await;
    let due = "2026-06-05T10:00:00Z";
    queue(&w.pool, &other, "z", To::Dm(zed), "onboarding_welcome", due).await;
    let theirs = w.id("z").await;
    let msg = format!("there is no message {theirs} in program glow");
    assert_eq!(
        w.cli(&["outbox", "cancel", &theirs.to_string()]),
        refused(&msg)
    );
    assert_eq!(
        w.cli(&["outbox", "retry", &theirs.to_string()]),
        refused(&msg)
    );
    let status: String = sqlx::query_scalar("SELECT status FROM outbox WHERE id = $1")
        .bind(theirs)
        .fetch_one(&w.pool)
        .await
        .unwrap();
    assert_eq!(status, "pending");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_see_a_creators_last_messages_and_the_creator_does_not(pool: PgPool) {
    let w = world(pool).await;
    let maya = chat::add_staff(&w.pool, w.program.id, "Maya")
        .await
        .unwrap();
    chat::link_staff(
        &w.pool,
        w.program.id,
        "recording",
        RECORDING_WORKSPACE,
        "u-maya",
        maya,
    )
    .await
    .unwrap();
    let caller = |user: &str| Caller::new(Platform::Recording, RECORDING_WORKSPACE, user);
    let section = "\
Last messages
Due                   Message             State
2026-06-02 11:00 EDT  onboarding_welcome  failed on console: DMs are closed; sent on recording";
    let card = respond(&w.app, &caller("u-maya"), &Request::new("creator", "@ava")).await;
    assert_eq!(card.outcome, Outcome::Done);
    let text = card.text();
    assert!(text.starts_with("@ava, "), "{text}");
    assert!(text.ends_with(section), "{text}");
    // The card lists only DMs and membership actions for the creator, the latest first, five at
    // most.
    for day in 3..=8 {
        let due = format!("2026-06-{day:02}T15:00:00Z");
        let key = format!("n{day}");
        queue(
            &w.pool,
            &w.program,
            &key,
            To::Dm(w.ava),
            "activation_nudge_1",
            &due,
        )
        .await;
    }
    let text = respond(&w.app, &caller("u-maya"), &Request::new("creator", "ava"))
        .await
        .text();
    let tail: Vec<&str> = text.lines().skip_while(|l| *l != "Last messages").collect();
    assert_eq!(
        tail,
        [
            "Last messages",
            "Due                   Message             State",
            "2026-06-08 11:00 EDT  activation_nudge_1  pending",
            "2026-06-07 11:00 EDT  activation_nudge_1  pending",
            "2026-06-06 11:00 EDT  activation_nudge_1  pending",
            "2026-06-05 11:00 EDT  activation_nudge_1  pending",
            "2026-06-04 11:00 EDT  activation_nudge_1  pending",
        ]
    );

    // Ava's own card says nothing of it.
    let mine = respond(&w.app, &caller("ava"), &Request::new("mystats", "")).await;
    assert_eq!(mine.outcome, Outcome::Done);
    let mine = mine.text();
    assert!(mine.starts_with("Your stats (@ava)"), "{mine}");
    for hidden in [
        "Last messages",
        "DMs are closed",
        "onboarding_welcome",
        "activation_nudge",
    ] {
        assert!(!mine.contains(hidden), "{hidden} in {mine}");
    }

    // The command line prints the staff card, and JSON carries the same list.
    let (code, out, _) = w.cli(&["creator", "cara", "--now", "2026-06-02T16:00:00Z"]);
    assert_eq!(code, 0);
    assert!(
        out.ends_with(
            "\
Last messages
Due                   Message             State
2026-06-02 10:00 EDT  onboarding_welcome  unlinked: no chat account linked
"
        ),
        "{out}"
    );
    let (_, out, _) = w.cli(&["creator", "cara", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["last_messages"],
        json!([{"id": 4, "due_at": "2026-06-02T14:00:00Z", "kind": "dm",
                "message": "onboarding_welcome", "status": "unlinked",
                "state": "unlinked: no chat account linked"}])
    );
}
