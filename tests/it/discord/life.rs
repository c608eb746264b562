//! The program's life on the fake server, driven by the real scheduler and dispatcher on a
//! simulated clock: onboarding DMs through DM channels opened once, a creator whose DMs are closed
//! reported to #staff in plain words, tier changes as role swaps with an audit-log reason, the
//! All-Stars check-in posted in #all-stars; every create-message request carries its delivery's
//! nonce with `enforce_nonce`, so a send repeated after a crash posts nothing twice.

use creator_bot::chat::Platform;
use creator_bot::chat::commands::{Caller, Outcome, Request, StaffSignal, respond};
use creator_bot::jobs::schedule::run_due;
use serde_json::Value;
use sqlx::PgPool;

use super::{AVA, Bot, GUILD, LENA, guild, start};
use crate::common::lifecycle::{creator_in, utc};
use crate::discord_fake::{FakeDiscord, FakeMember, RecordedRequest};

const BEN: u64 = 3_004;

/// The server set up by `discord setup`: its roles and channels mapped.
async fn set_up(fake: &FakeDiscord, bot: &Bot) {
    let reply = bot.setup().await;
    assert_eq!(reply.outcome, Outcome::Done, "{}", reply.text());
    assert_eq!(fake.requests_to("POST", "/guilds/*/channels").len(), 4);
}

fn channel_named(fake: &FakeDiscord, name: &str) -> u64 {
    fake.guild(GUILD)
        .unwrap()
        .channels
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .id
}

fn role_named(fake: &FakeDiscord, name: &str) -> u64 {
    fake.guild(GUILD)
        .unwrap()
        .roles
        .iter()
        .find(|r| r.name == name)
        .unwrap()
        .id
}

/// The delivery ids of a template's messages on Discord, oldest first, with their message ids.
async fn deliveries(pool: &PgPool, template: &str) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as(
        "SELECT d.id, d.status, d.platform_message_id FROM deliveries d
           JOIN outbox o ON o.id = d.outbox_id
          WHERE o.template = $1 AND d.platform = 'discord' ORDER BY d.id",
    )
    .bind(template)
    .fetch_all(pool)
    .await
    .unwrap()
}

fn body(r: &RecordedRequest) -> Value {
    r.json().cloned().unwrap_or(Value::Null)
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_program_lives_on_the_server(pool: PgPool) {
    let fake = FakeDiscord::start(
        guild()
            .member(FakeMember::new(BEN, "ben").dms_closed())
            .member(FakeMember::new(LENA, "lena").nick("Lena")),
    )
    .await;
    // Sunday 6 December 2026, 10:00 in New York.
    let sunday = utc("2026-12-06T15:00:00Z");
    let bot = start(&pool, &fake, sunday).await;
    set_up(&fake, &bot).await;
    let ava = creator_in(&pool, &bot.program, "ava", "Ava", "2026-12-06", None).await;
    let ben = creator_in(&pool, &bot.program, "ben", "Ben", "2026-12-06", None).await;
    bot.link(AVA, ava).await;
    bot.link(BEN, ben).await;

    // The welcome: Ava's DM channel is opened and the DM sent with its delivery's nonce.
    for run in run_due(&bot.app, sunday).await.unwrap() {
        assert!(!run.failed, "{}: {}", run.job, run.summary);
    }
    bot.dispatch().await;
    let welcome = deliveries(&pool, "onboarding_welcome").await;
    assert_eq!(welcome.len(), 2);
    let opened = fake.requests_to("POST", "/users/@me/channels");
    let recipients: Vec<Value> = opened
        .iter()
        .map(|r| body(r)["recipient_id"].clone())
        .collect();
    assert_eq!(
        recipients,
        vec![Value::from(AVA.to_string()), Value::from(BEN.to_string())]
    );
    let dm = fake.dms_to(AVA);
    assert_eq!(dm.len(), 1);
    assert!(
        dm[0]["content"].as_str().unwrap().starts_with(
            "Hi Ava, welcome to the Glow Creators creator program! 🎉\n\nHere's how it works"
        ),
        "{}",
        dm[0]["content"]
    );
    let ava_delivery = welcome
        .iter()
        .find(|(_, status, _)| status == "sent")
        .expect("Ava's welcome was sent");
    assert_eq!(ava_delivery.2.as_deref(), dm[0]["id"].as_str());
    let sent = fake
        .requests_to("POST", "/channels/*/messages")
        .into_iter()
        .find(|r| r.path == format!("/channels/{}/messages", fake.dm_channel_of(AVA).unwrap()))
        .unwrap();
    assert_eq!(body(&sent)["nonce"], format!("d{}", ava_delivery.0));
    assert_eq!(body(&sent)["enforce_nonce"], true);
    assert_eq!(
        body(&sent)["allowed_mentions"]["parse"],
        serde_json::json!([])
    );

    // Ben closed his DMs: his welcome failed once, and #staff was told why in plain words.
    let ben_delivery = welcome
        .iter()
        .find(|(_, status, _)| status == "failed")
        .unwrap();
    assert_eq!(ben_delivery.2, None);
    let staff = fake.messages_in(channel_named(&fake, "staff"));
    assert_eq!(staff.len(), 1);
    assert_eq!(
        staff[0]["content"],
        "Could not deliver a DM to @ben (onboarding\\_welcome): they don't accept direct messages \
         from this server (a Discord privacy setting); ask them to allow DMs from server members, \
         then `creator-bot outbox retry`. It will not be retried."
    );

    // Lena (staff) moves Ava to All-Stars, then to Steady Earners: the roles follow, each change
    // explained in the server's audit log.
    let all_stars = role_named(&fake, "All-Stars");
    let steady = role_named(&fake, "Steady Earners");
    let lena = Caller::new(Platform::Discord, &GUILD.to_string(), &LENA.to_string()).with_staff(
        StaffSignal::Staff {
            name: "Lena".into(),
        },
    );
    let r = respond(
        &bot.app,
        &lena,
        &Request::new("tier", "set @ava all_stars launch partner"),
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done, "{}", r.text());
    bot.dispatch().await;
    assert_eq!(fake.member_roles(GUILD, AVA), vec![all_stars]);
    let put = fake.requests_to("PUT", "/guilds/*/members/*/roles/*");
    assert_eq!(put.len(), 1);
    assert_eq!(
        put[0].path,
        format!("/guilds/{GUILD}/members/{AVA}/roles/{all_stars}")
    );
    assert_eq!(
        put[0].audit_log_reason(),
        Some("Tier change: New & Promising → All-Stars")
    );
    let r = respond(
        &bot.app,
        &lena,
        &Request::new("tier", "set @ava steady_earners paused for a month"),
    )
    .await;
    assert_eq!(r.outcome, Outcome::Done, "{}", r.text());
    bot.dispatch().await;
    assert_eq!(fake.member_roles(GUILD, AVA), vec![steady]);
    let deleted = fake.requests_to("DELETE", "/guilds/*/members/*/roles/*");
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0].audit_log_reason(),
        Some("Tier change: All-Stars → Steady Earners")
    );

    // Monday 10:00: the All-Stars check-in is posted in #all-stars.
    let monday = utc("2026-12-07T15:00:00Z");
    bot.clock.set(monday);
    for run in run_due(&bot.app, monday).await.unwrap() {
        assert!(!run.failed, "{}: {}", run.job, run.summary);
    }
    bot.dispatch().await;
    let posts = fake.messages_in(channel_named(&fake, "all-stars"));
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("☀️ Weekly check-in, week of "),
        "{}",
        posts[0]["content"]
    );
    let checkin = deliveries(&pool, "all_stars_checkin").await;
    assert_eq!(checkin.len(), 1);
    assert_eq!(checkin[0].2.as_deref(), posts[0]["id"].as_str());
    // Nothing was refused along the way, and no request went to a route Discord lacks.
    assert!(
        fake.unknown_requests().is_empty(),
        "{:?}",
        fake.unknown_requests()
    );
}
