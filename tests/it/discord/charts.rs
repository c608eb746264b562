//! Posts with charts on the fake server: the text and the first chart in one create-message
//! request (multipart: `payload_json` and the PNG as `files[0]`), each further chart in a message
//! of its own; every request carries its own nonce with `enforce_nonce`, so a retry posts none of
//! them twice.

use serde_json::Value;
use sqlx::PgPool;

use super::{GUILD, NOW, guild, start};
use crate::chart_posts::{may_charts, post_with_charts};
use crate::discord_fake::FakeDiscord;

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_post_carries_its_charts_as_attached_files(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, NOW.parse().unwrap()).await;
    let reply = bot.setup().await;
    assert_eq!(reply.outcome, creator_bot::chat::commands::Outcome::Done);
    let staff = fake
        .guild(GUILD)
        .unwrap()
        .channels
        .iter()
        .find(|c| c.name == "staff")
        .unwrap()
        .id;
    post_with_charts(&pool, &bot.program, "report:may", may_charts()).await;
    bot.dispatch().await;

    let (delivery, message_id): (i64, Option<String>) =
        sqlx::query_as("SELECT id, platform_message_id FROM deliveries WHERE platform = 'discord'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let sent = fake.requests_to("POST", &format!("/channels/{staff}/messages"));
    assert_eq!(sent.len(), 2);
    let json = |n: usize| sent[n].json().cloned().unwrap_or(Value::Null);
    assert_eq!(json(0)["content"], "The month in charts");
    assert_eq!(json(0)["nonce"], format!("d{delivery}"));
    assert_eq!(json(0)["enforce_nonce"], true);
    assert_eq!(json(1)["content"], Value::Null);
    assert_eq!(json(1)["nonce"], format!("d{delivery}.2"));
    assert_eq!(json(1)["enforce_nonce"], true);
    for (request, name) in sent.iter().zip(["gmv.png", "pareto.png"]) {
        let files = request.files();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].field, "files[0]");
        assert_eq!(files[0].filename, name);
        assert!(files[0].bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
    // The delivery is the message with the text.
    let posted = fake.messages_in(staff);
    assert_eq!(posted.len(), 2);
    assert_eq!(message_id.as_deref(), posted[0]["id"].as_str());
    assert_eq!(posted[0]["attachments"][0]["filename"], "gmv.png");
    assert_eq!(posted[1]["attachments"][0]["filename"], "pareto.png");

    // Sent again (a worker that died before recording it): Discord answers with the same
    // messages, nothing is posted twice.
    sqlx::query(
        "UPDATE deliveries SET status = 'pending', platform_message_id = NULL, sent_at = NULL",
    )
    .execute(&pool)
    .await
    .unwrap();
    bot.dispatch().await;
    let again: Option<String> =
        sqlx::query_scalar("SELECT platform_message_id FROM deliveries WHERE platform = 'discord'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(again, message_id);
    assert_eq!(
        fake.requests_to("POST", &format!("/channels/{staff}/messages"))
            .len(),
        4
    );
    assert_eq!(fake.messages_in(staff).len(), 2);
}

/// A report longer than one Discord message goes as several, cut between lines with its tables
/// still code blocks; its chart comes with the last part.
#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_long_report_goes_as_several_messages_with_its_tables_intact(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, NOW.parse().unwrap()).await;
    bot.setup().await;
    let staff = fake
        .guild(GUILD)
        .unwrap()
        .channels
        .iter()
        .find(|c| c.name == "staff")
        .unwrap()
        .id;
    let rows: String = (1..=120)
        .map(|n| format!("{n:>3}  @creator_{n:<3}  $1,000.00\n"))
        .collect();
    let text = format!("Top 120 by GMV\n```\n{rows}```\nThat's all.");
    let mut conn = pool.acquire().await.unwrap();
    creator_bot::db::outbox::enqueue(
        &mut conn,
        &creator_bot::db::outbox::NewMessage {
            program_id: bot.program.id,
            dedupe_key: "report:long".into(),
            kind: creator_bot::chat::MessageKind::StaffAlert,
            creator_id: None,
            channel: Some(creator_bot::domain::channels::ProgramChannel::Staff),
            template: None,
            text: text.clone(),
            extra: serde_json::json!({"charts": [
                {"kind": "gmv", "from": "2026-11-01", "to": "2026-12-01"}
            ]}),
            due_at: NOW.parse().unwrap(),
        },
    )
    .await
    .unwrap();
    drop(conn);
    bot.dispatch().await;

    let delivery: i64 = sqlx::query_scalar("SELECT id FROM deliveries WHERE platform = 'discord'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let sent = fake.requests_to("POST", &format!("/channels/{staff}/messages"));
    assert!(sent.len() >= 2);
    let mut joined = String::new();
    for (n, request) in sent.iter().enumerate() {
        let json = request.json().unwrap();
        let nonce = match n {
            0 => format!("d{delivery}"),
            n => format!("d{delivery}.{}", n + 1),
        };
        assert_eq!(json["nonce"], nonce);
        let content = json["content"].as_str().unwrap();
        assert!(content.chars().count() <= 2_000);
        assert_eq!(
            content.matches("```").count() % 2,
            0,
            "every part's code block is closed: {content}"
        );
        let last = n == sent.len() - 1;
        assert_eq!(
            request.files().len(),
            usize::from(last),
            "the chart comes last"
        );
        joined.push_str(content);
        joined.push('\n');
    }
    assert!(joined.starts_with("Top 120 by GMV\n```\n  1  @creator_1    $1,000.00\n"));
    assert!(joined.trim_end().ends_with("```\nThat's all."));
    // Every row is there once, as written inside the code blocks (not escaped).
    for n in 1..=120 {
        assert_eq!(
            joined
                .matches(&format!("  @creator_{n:<3}  $1,000.00"))
                .count(),
            1,
            "row {n}"
        );
    }
}
