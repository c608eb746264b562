//! Slash commands and DMs through Slack in Socket Mode, end to end on the November fixture
//! (tests/it/stats_fixture): what staff, a creator and a stranger see; who is staff (#staff's
//! members, `slack.staff_user_ids`); usage errors; `/import` by DM; connections that drop or are
//! refreshed; a new member welcomed once.

use std::time::Duration;

use creator_bot::chat::ChatPlatform;
use creator_bot::chat::commands::registry;
use creator_bot::chat::slack::IMPORT_BY_DM;
use creator_bot::config::Config;
use creator_bot::config::slack::SlackMode;
use creator_bot::domain::channels::ProgramChannel;
use serde_json::Value;
use sqlx::PgPool;

use super::{Bot, LENA, MAYA, PATIENCE, SAM, config, start_with, tokens, workspace};
use crate::commands_fixture;
use crate::slack_fake::{
    EnvelopeHandle, FakeChannel, FakeSlack, FakeUser, RecordedCall, TokenKind, dm_channel_id,
};
use crate::stats_fixture::november_program;

/// The program's #staff on Slack: Lena is in it.
const STAFF: &str = "C0STAFF";
/// The program's #competitions: everyone is in it.
const COMPETITIONS: &str = "C0COMPS";

/// The November program served on the fake's workspace in Socket Mode: #staff (Lena) and
/// #competitions mapped, Maya linked to ava, the bot's clock at noon on 30 November in New York
/// (`30d` is November).
pub(super) struct Glow {
    pub(super) fake: FakeSlack,
    pub(super) bot: Bot,
}

fn glow_workspace() -> crate::slack_fake::FakeWorkspace {
    workspace()
        .channel(
            FakeChannel::private(STAFF, "staff")
                .with_bot()
                .members([LENA]),
        )
        .channel(
            FakeChannel::public(COMPETITIONS, "competitions")
                .with_bot()
                .members([MAYA, LENA, SAM]),
        )
}

impl Glow {
    async fn start(pool: &PgPool) -> Glow {
        Glow::start_with(pool, |_| {}).await
    }

    async fn start_with(pool: &PgPool, change: impl FnOnce(&mut Config)) -> Glow {
        Glow::start_in(pool, SlackMode::Socket, change).await
    }

    /// The same in `mode`.
    pub(super) async fn start_in(
        pool: &PgPool,
        mode: SlackMode,
        change: impl FnOnce(&mut Config),
    ) -> Glow {
        let (program, creators) = november_program(pool).await;
        // As the commands fixture: creators without a tier change have been in their tier since
        // they joined.
        sqlx::query(
            "UPDATE creators SET tier_since = joined_on::timestamp AT TIME ZONE $2
              WHERE program_id = $1 AND id NOT IN (SELECT creator_id FROM tier_history)",
        )
        .bind(program.id)
        .bind(program.timezone.name())
        .execute(pool)
        .await
        .unwrap();
        let fake = FakeSlack::start(glow_workspace()).await;
        let mut config = config(&fake, mode);
        change(&mut config);
        let now = commands_fixture::now(&program);
        let bot = start_with(pool, &fake, now, config, tokens(mode)).await;
        assert_eq!(
            bot.program.id, program.id,
            "the fixture's program is served"
        );
        map_channels(pool, program.id).await;
        bot.link(MAYA, creators.ava).await;
        Glow { fake, bot }
    }

    /// `user` runs `command` with `text`: the empty ack, then the one answer through the
    /// response_url (ephemeral), returned.
    async fn run(&self, user: &str, command: &str, text: &str) -> Value {
        answer(&self.fake.slash_command(user, command, text)).await
    }
}

async fn map_channels(pool: &PgPool, program_id: i64) {
    let mut conn = pool.acquire().await.unwrap();
    for (channel, id) in [
        (ProgramChannel::Staff, STAFF),
        (ProgramChannel::Competitions, COMPETITIONS),
    ] {
        creator_bot::db::channels::set_channel(&mut conn, program_id, "slack", channel, id)
            .await
            .unwrap();
    }
}

/// The command's empty ack, then its one answer through the response_url, which must be
/// ephemeral.
async fn answer(run: &EnvelopeHandle) -> Value {
    let ack = run.ack(PATIENCE).await.expect("acked");
    assert_eq!(
        ack.frame,
        serde_json::json!({ "envelope_id": run.envelope_id }),
        "an empty ack"
    );
    assert_eq!(ack.payload, None);
    let response = run.response(PATIENCE).await.expect("answered");
    assert_eq!(
        response.body["response_type"], "ephemeral",
        "{}",
        response.body
    );
    response.body
}

/// A Block Kit message as lines a user reads: a header as `# text`, a section's text, each of
/// its fields, a context's elements.
pub(super) fn texts(message: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for block in message["blocks"].as_array().expect("blocks") {
        match block["type"].as_str().unwrap() {
            "header" => out.push(format!("# {}", block["text"]["text"].as_str().unwrap())),
            "section" => {
                if let Some(text) = block["text"]["text"].as_str() {
                    out.push(text.to_string());
                }
                for field in block["fields"].as_array().into_iter().flatten() {
                    out.push(field["text"].as_str().unwrap().to_string());
                }
            }
            "context" => {
                for element in block["elements"].as_array().unwrap() {
                    out.push(element["text"].as_str().unwrap().to_string());
                }
            }
            other => out.push(format!("<{other}>")),
        }
    }
    out
}

fn lines(expected: &[&str]) -> Vec<String> {
    expected.iter().map(|s| s.to_string()).collect()
}

/// The figures of the console's `/kpi 30d` (tests/it/commands_stats.rs, and the Discord embed's
/// fields), each as a Slack field: the label in bold above the value.
const KPI_30D: [(&str, &str); 24] = [
    ("GMV (net)", "$295.00"),
    ("Gross GMV", "$350.00"),
    ("Refunded GMV", "$55.00"),
    ("Orders", "7"),
    ("Average order value", "$42.14"),
    ("Commission", "$31.00"),
    ("  estimated", "$29.50"),
    ("  actual", "$14.00"),
    ("Commission / revenue", "10.51%"),
    ("Selling creators", "6"),
    ("GMV per selling creator", "$49.17"),
    ("Activated creators", "4"),
    ("Sample conversion", "57.14%"),
    ("Median days to first sale", "8.5 days"),
    ("Program cost", "$202.00"),
    ("ROI", "46.04%"),
    ("Cost per order", "$28.86"),
    ("CLV (lifetime GMV per seller)", "$63.33"),
    ("Views", "6,500"),
    ("Engagement rate", "6.94%"),
    ("Top 1% (1 creator) GMV share", "61.02%"),
    ("Top 5% (1 creator) GMV share", "61.02%"),
    ("Top 10% (1 creator) GMV share", "61.02%"),
    ("Top 20% (2 creators) GMV share", "74.58%"),
];

/// `/kpi 30d`'s answer: the title as a header, then the 24 figures as fields, ten to a
/// section (Slack's limit).
pub(super) fn assert_kpi_30d(body: &Value) {
    assert_eq!(
        body["text"], "KPIs for Glow Creators, 2026-11-01 to 2026-11-30",
        "the notification's text is the title"
    );
    let blocks = body["blocks"].as_array().unwrap();
    assert_eq!(
        blocks[0],
        serde_json::json!({"type": "header", "text": {"type": "plain_text",
            "text": "KPIs for Glow Creators, 2026-11-01 to 2026-11-30", "emoji": true}})
    );
    let per_section: Vec<usize> = blocks[1..]
        .iter()
        .map(|b| {
            assert_eq!(b["type"], "section");
            b["fields"].as_array().unwrap().len()
        })
        .collect();
    assert_eq!(per_section, [10, 10, 4]);
    let mut expected = vec!["# KPIs for Glow Creators, 2026-11-01 to 2026-11-30".to_string()];
    expected.extend(KPI_30D.iter().map(|(l, v)| format!("*{l}*\n{v}")));
    assert_eq!(texts(body), expected);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_kpi_30d_is_acked_empty_then_answered_privately_with_the_exact_figures(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let run = glow.fake.slash_command(LENA, "/kpi", "30d");
    let body = answer(&run).await;
    assert_kpi_30d(&body);
    // One answer, through the response_url only: nothing posted in any channel.
    assert_eq!(run.responses().len(), 1);
    assert!(glow.fake.calls("chat.postMessage").is_empty());
    assert!(glow.fake.calls("chat.postEphemeral").is_empty());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creator_sees_only_her_own_stats_and_is_refused_kpi(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    // Maya is linked to ava: ava's November figures from the fixture's table, the table in a
    // code block so its columns line up.
    let body = glow.run(MAYA, "/mystats", "").await;
    assert_eq!(
        texts(&body),
        lines(&[
            "Your stats (@ava), 2026-11-01 to 2026-11-30",
            "```\n\
             Tier                              All-Stars\n\
             GMV                                 $180.00\n\
             Refunded                             $20.00\n\
             Orders                                    2\n\
             Commission                           $20.00\n\
             Rank by GMV                              #1\n\
             Videos                                    2\n\
             Views                                 4,000\n\
             Engagement rate                       8.65%\n\
             Lifetime GMV                        $180.00\n\
             Samples          2 received, 2 with a video\n\
             Last video         2026-11-10 (3,000 views)\n\
             ```",
            "Why All-Stars: top 10% of selling creators (rank 1 of 6)",
            "You're in the top tier. Keep it up!",
            // Her own chart, uploaded and shown.
            "<image>",
        ])
    );
    // Nothing of ben's (his handle, his $40.00 GMV, $15.00 refunded, 500 views) anywhere in it.
    let all = body.to_string();
    for other in ["ben", "$40.00", "$15.00", "500 views"] {
        assert!(!all.contains(other), "{other} in {all}");
    }

    // The staff's commands are refused to her, privately, and nothing of them runs.
    for command in ["/kpi", "/creator"] {
        let text = if command == "/creator" { "ben" } else { "30d" };
        let body = glow.run(MAYA, command, text).await;
        assert_eq!(
            texts(&body),
            [format!(
                "{command} is for the program's staff only. Use /mystats to see your own numbers."
            )]
        );
    }
    // Who she is was settled without asking Slack whether she is a workspace admin.
    assert!(glow.fake.calls("users.info").is_empty());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_stranger_is_told_how_to_link(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    // `<` and `>` escaped as Slack's mrkdwn needs them (shown as `<your TikTok handle>`).
    let body = glow.run(SAM, "/mystats", "").await;
    assert_eq!(
        texts(&body),
        lines(&[
            "Your account isn't linked to a creator yet. Link it first: /link &lt;your TikTok \
             handle&gt;"
        ])
    );
    let body = glow.run(SAM, "/kpi", "30d").await;
    assert_eq!(texts(&body), lines(&[STRANGER_KPI]));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn bad_usage_is_explained_with_the_registrys_text(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let kpi = registry::find("kpi").unwrap();
    let body = glow.run(LENA, "/kpi", "7x").await;
    assert_eq!(
        texts(&body),
        [
            "Unknown period \"7x\": use 7d, 30d, 90d, this-month, last-month or \
             YYYY-MM-DD..YYYY-MM-DD"
                .to_string(),
            kpi.usage_text()
        ]
    );
    let leaderboard = registry::find("leaderboard").unwrap();
    let body = glow.run(MAYA, "/leaderboard", "bogus").await;
    assert_eq!(
        texts(&body),
        [
            "Unknown metric \"bogus\": use gmv, videos or views".to_string(),
            leaderboard.usage_text()
        ]
    );
}

/// What a stranger asking for a staff command is told.
const STRANGER_KPI: &str = "/kpi is for the program's staff only. If you are a creator in the \
                            program, link your account first: /link &lt;your TikTok handle&gt;";

/// How many times the bot asked Slack for #staff's members.
fn staff_lookups(fake: &FakeSlack) -> usize {
    fake.calls("conversations.members")
        .iter()
        .filter(|c| c.param("channel") == Some(STAFF))
        .count()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_are_the_members_of_staff_and_the_configured_ids(pool: PgPool) {
    let glow = Glow::start_with(&pool, |c| c.slack.staff_user_ids = vec![SAM.to_string()]).await;
    // Lena is in #staff; Sam is in no staff channel but listed in slack.staff_user_ids.
    for user in [LENA, SAM] {
        assert_kpi_30d(&glow.run(user, "/kpi", "30d").await);
    }
    // Maya, linked to a creator and not in #staff, is not.
    let body = glow.run(MAYA, "/kpi", "30d").await;
    assert_eq!(
        texts(&body),
        lines(&["/kpi is for the program's staff only. Use /mystats to see your own numbers."])
    );
    // #staff was read once for Lena and Maya (a configured id needs no lookup).
    assert_eq!(staff_lookups(&glow.fake), 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn one_removed_from_staff_stops_being_staff_once_the_members_are_read_again(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    assert_kpi_30d(&glow.run(LENA, "/kpi", "30d").await);
    glow.fake.update_workspace(|w| {
        w.find_channel_mut(STAFF)
            .unwrap()
            .members
            .retain(|m| m != LENA)
    });
    // Within the minute #staff's members are kept, she is still answered as staff.
    assert_kpi_30d(&glow.run(LENA, "/kpi", "30d").await);
    assert_eq!(staff_lookups(&glow.fake), 1, "read once, then kept");

    // The adapter of a restart reads #staff afresh: she is no longer staff, and unlinked she is
    // told how to link.
    glow.bot.slack.disconnect().await;
    let opened = glow.fake.socket_stats().opened;
    let restarted = start_with(
        &pool,
        &glow.fake,
        creator_bot::jobs::Clock::now(glow.bot.clock.as_ref()),
        config(&glow.fake, SlackMode::Socket),
        tokens(SlackMode::Socket),
    )
    .await;
    assert!(
        glow.fake
            .wait_socket(|s| s.open == 1 && s.opened == opened + 1, PATIENCE)
            .await,
        "only the restarted adapter's connection is open"
    );
    let body = glow.run(LENA, "/kpi", "30d").await;
    assert_eq!(texts(&body), lines(&[STRANGER_KPI]));
    assert_eq!(staff_lookups(&glow.fake), 2);
    drop(restarted);
}

/// Waits until the adapter reports `ready`.
async fn wait_ready_is(bot: &Bot, ready: bool) -> bool {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while bot.slack.is_ready() != ready {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_dropped_connection_is_reopened_and_the_next_command_answered(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    assert_eq!(glow.fake.drop_connections(), 1);
    assert!(
        glow.fake
            .wait_socket(|s| s.closed == 1 && s.opened == 2 && s.open == 1, PATIENCE)
            .await,
        "a new connection replaced the dropped one: {:?}",
        glow.fake.socket_stats()
    );
    assert!(wait_ready_is(&glow.bot, true).await);
    assert_kpi_30d(&glow.run(LENA, "/kpi", "30d").await);
    // Each connection came from its own apps.connections.open, with the app token.
    let opens = glow.fake.calls("apps.connections.open");
    assert_eq!(opens.len(), 2);
    assert!(opens.iter().all(|c| c.token == TokenKind::App));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_disconnect_frame_is_answered_by_reconnecting_at_once(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    // Slack would close the old connection 10 s later; the bot must not wait for that.
    glow.fake.set_disconnect_grace(Duration::from_secs(600));
    assert_eq!(glow.fake.disconnect("refresh_requested"), 1);
    assert!(
        glow.fake
            .wait_socket(|s| s.opened == 2 && s.closed == 1 && s.open == 1, PATIENCE)
            .await,
        "the bot opened a new connection and closed the old one: {:?}",
        glow.fake.socket_stats()
    );
    assert!(wait_ready_is(&glow.bot, true).await);
    let run = glow.fake.slash_command(LENA, "/kpi", "30d");
    assert_kpi_30d(&answer(&run).await);
    assert_eq!(
        run.delivery().unwrap().connection,
        glow.fake.connection_ids()[0],
        "delivered over the new connection"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn while_slack_refuses_new_connections_the_bot_is_not_ready(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    assert!(glow.bot.slack.is_ready());
    glow.fake.refuse_connections(true);
    assert_eq!(glow.fake.drop_connections(), 1);
    assert!(
        wait_ready_is(&glow.bot, false).await,
        "not ready once its only connection dropped"
    );
    // It asked for a new connection and was refused.
    assert!(
        glow.fake.wait_socket(|s| s.refused >= 1, PATIENCE).await,
        "{:?}",
        glow.fake.socket_stats()
    );
    assert!(!glow.bot.slack.is_ready());
}

/// Requests for files hosted on the fake (`/files-pri/...`).
fn downloads(fake: &FakeSlack) -> Vec<RecordedCall> {
    fake.requests()
        .into_iter()
        .filter(|c| c.method.starts_with("/files-pri/"))
        .collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_import_a_csv_sent_by_dm_and_hear_of_rejected_rows_by_line(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    // zoe's quoted niche spans lines 2 and 3, so yan's bad date is on line 4 (record 3).
    let csv = "handle,first_name,joined_on,niche\n\
               zoe,Zoe,2026-11-20,\"skin\ncare\"\n\
               yan,Yan,2026-13-01,fitness\n";
    let file = glow
        .fake
        .user_file(LENA, "new_creators.csv", csv.as_bytes().to_vec());
    let url = file["url_private_download"].as_str().unwrap().to_string();
    let run = glow.fake.dm_files(LENA, "import creators", vec![file]);
    assert!(run.ack(PATIENCE).await.is_some(), "acked");
    let dm = dm_channel_id(LENA);
    let answers = glow.fake.wait_messages(&dm, 1, PATIENCE).await;
    assert_eq!(answers.len(), 1, "one answer in the DM");
    let report = &answers[0];
    assert_eq!(
        texts(&serde_json::json!({ "blocks": report.blocks })),
        lines(&[
            "new_creators.csv: 1 inserted, 0 updated, 0 unchanged, 1 rejected; 1 new creator",
            "new_creators.csv:4: column \"joined_on\": \"2026-13-01\" is not a date in YYYY-MM-DD form",
        ])
    );
    let imported: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT handle, niche FROM creators WHERE handle IN ('zoe', 'yan') ORDER BY handle",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        imported,
        [("zoe".to_string(), Some("skin\ncare".to_string()))]
    );
    // Downloaded once, with the bot token.
    let got = downloads(&glow.fake);
    assert_eq!(got.len(), 1);
    assert!(url.ends_with(&got[0].method), "{url} vs {}", got[0].method);
    assert_eq!(got[0].token, TokenKind::Bot);
    assert_eq!(got[0].status, 200);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creators_import_is_refused_before_the_file_is_downloaded(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let file = glow.fake.user_file(
        MAYA,
        "orders.csv",
        b"order_id,sku_id,creator_handle\n".to_vec(),
    );
    let run = glow.fake.dm_files(MAYA, "import orders", vec![file]);
    assert!(run.ack(PATIENCE).await.is_some());
    let answers = glow
        .fake
        .wait_messages(&dm_channel_id(MAYA), 1, PATIENCE)
        .await;
    assert_eq!(answers.len(), 1);
    assert_eq!(
        texts(&serde_json::json!({ "blocks": answers[0].blocks })),
        lines(&["/import is for the program's staff only. Use /mystats to see your own numbers."])
    );
    assert!(downloads(&glow.fake).is_empty(), "nothing was downloaded");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_file_over_the_upload_limit_is_refused_with_the_sizes(pool: PgPool) {
    let glow = Glow::start_with(&pool, |c| c.import.max_upload_bytes = 1_000).await;
    let mut csv = String::from("handle,joined_on\n");
    while csv.len() <= 1_500 {
        csv.push_str("someone,2026-11-01\n");
    }
    let file = glow
        .fake
        .user_file(LENA, "big_roster.csv", csv.into_bytes());
    assert_eq!(file["size"], 1_518);
    let run = glow.fake.dm_files(LENA, "import creators", vec![file]);
    assert!(run.ack(PATIENCE).await.is_some());
    let answers = glow
        .fake
        .wait_messages(&dm_channel_id(LENA), 1, PATIENCE)
        .await;
    assert_eq!(answers.len(), 1);
    assert_eq!(
        texts(&serde_json::json!({ "blocks": answers[0].blocks })),
        lines(&[
            "big_roster.csv is 2 KB; files up to 1 KB can be imported from chat \
             (import.max_upload_bytes). Import larger files with `creator-bot import` on the server."
        ])
    );
    assert!(downloads(&glow.fake).is_empty(), "nothing was downloaded");
    let creators: i64 = sqlx::query_scalar("SELECT count(*) FROM creators")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(creators, 8, "the fixture's creators only");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn import_typed_as_a_slash_command_says_how_to_send_the_file(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let body = glow.run(LENA, "/import", "orders").await;
    assert_eq!(
        texts(&body),
        ["# Importing on Slack".to_string(), IMPORT_BY_DM.to_string()]
    );
    // A creator is refused it as any staff command.
    let body = glow.run(MAYA, "/import", "").await;
    assert_eq!(
        texts(&body),
        lines(&["/import is for the program's staff only. Use /mystats to see your own numbers."])
    );
}

/// The welcome a new member gets (templates/member_welcome.txt).
pub(super) fn welcome(name: &str) -> String {
    format!(
        "Welcome to the Glow Creators server, {name}! 👋\n\n\
         If you're one of our TikTok Shop creators, link your account so the bot can send you \
         your numbers, samples news and perks: type /link followed by your TikTok handle (for \
         example /link @yourhandle). Not a creator yet? Just say hi in the server."
    )
}

/// Attempts to queue an outbox message so far (the sequence advances even when a dedupe key
/// makes the insert do nothing).
pub(super) async fn outbox_inserts(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_id_seq")
        .fetch_one(pool)
        .await
        .unwrap()
}

pub(super) async fn wait_outbox_inserts(pool: &PgPool, n: i64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while outbox_inserts(pool).await < n {
        assert!(tokio::time::Instant::now() < deadline, "{n} outbox inserts");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_new_member_is_welcomed_once_by_dm(pool: PgPool) {
    let glow = Glow::start(&pool).await;
    let before = outbox_inserts(&pool).await;
    // Shown by her display name, "nina".
    let nina = FakeUser::new("U0NINA", "nina").real_name("Nina Ray");
    let run = glow.fake.team_join(nina.clone());
    assert!(run.ack(PATIENCE).await.is_some());
    wait_outbox_inserts(&pool, before + 1).await;
    glow.bot.dispatch().await;
    let dms = glow.fake.dms_to("U0NINA");
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert_eq!(dms[0].text.as_deref(), Some(welcome("nina").as_str()));

    // Joining again, or joining a program channel, is not a second welcome.
    assert!(glow.fake.team_join(nina).ack(PATIENCE).await.is_some());
    assert!(
        glow.fake
            .member_joined_channel("U0NINA", COMPETITIONS)
            .ack(PATIENCE)
            .await
            .is_some()
    );
    wait_outbox_inserts(&pool, before + 3).await;
    glow.bot.dispatch().await;
    assert_eq!(glow.fake.dms_to("U0NINA").len(), 1);
}
