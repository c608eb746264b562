//! A program on Discord and Slack at once: one process connected to both fakes, each platform
//! set up. A channel post reaches both, each in its own mapped channel; a DM reaches a creator
//! only where they linked an account.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use creator_bot::app::App;
use creator_bot::chat::commands::Outcome;
use creator_bot::chat::discord::Discord;
use creator_bot::chat::{ChatPlatform, Platforms};
use creator_bot::config::slack::SlackMode;
use creator_bot::db::programs;
use creator_bot::domain::channels::ProgramChannel;
use creator_bot::jobs::ManualClock;
use sqlx::PgPool;

use super::life::{channel_id, delivery, dm, expected_body, post, sent};
use super::{MAYA, PATIENCE, tokens, workspace};
use crate::common::lifecycle::{creator_in, templates, utc};
use crate::discord::{self as discord_harness, AVA, GUILD};
use crate::discord_fake::FakeDiscord;
use crate::slack_fake::{FakeSlack, TEAM_ID, dm_channel_id};

/// The program on the Discord fake's server and the Slack fake's workspace, both adapters
/// started as `run` starts them, both set up.
async fn start_both(
    pool: &PgPool,
    discord_fake: &FakeDiscord,
    slack_fake: &FakeSlack,
    now: DateTime<Utc>,
) -> (super::Bot, discord_harness::Bot) {
    let mut config = discord_harness::config(discord_fake);
    let slack_config = super::config(slack_fake, SlackMode::Socket);
    config.slack = slack_config.slack;
    config.programs[0].slack_team_id = Some(TEAM_ID.to_string());
    config.validate().unwrap();
    let program = programs::sync(pool, &config.programs())
        .await
        .unwrap()
        .remove(0);
    let discord = Discord::new(&config, "fake-bot-token").await.unwrap();
    let slack = creator_bot::chat::slack::Slack::new(&config, tokens(SlackMode::Socket)).unwrap();
    let clock = Arc::new(ManualClock::new(now));
    let app = App::new(pool.clone(), config, templates(), clock.clone()).with_platforms(
        Platforms::default()
            .with(discord.clone())
            .with(slack.clone()),
    );
    discord.start(app.clone()).await.unwrap();
    slack.start(app.clone()).await.unwrap();
    assert!(discord_fake.wait_connected(PATIENCE).await);
    assert!(slack_fake.wait_connected(1, PATIENCE).await);
    let on_discord = discord_harness::Bot {
        app: app.clone(),
        discord,
        program: program.clone(),
        clock: clock.clone(),
    };
    let on_slack = super::Bot {
        app,
        slack,
        program,
        clock,
        http: None,
        server: None,
    };
    on_discord.wait_ready().await;
    on_slack.wait_ready().await;
    assert_eq!(on_discord.setup().await.outcome, Outcome::Done);
    let reply = ChatPlatform::setup(
        &*on_slack.slack,
        &on_slack.app.pool,
        &on_slack.app.config,
        &on_slack.program,
        TEAM_ID,
    )
    .await
    .unwrap();
    assert_eq!(reply.outcome, Outcome::Done, "{}", reply.text());
    (on_slack, on_discord)
}

fn discord_channel(fake: &FakeDiscord, name: &str) -> u64 {
    fake.guild(GUILD)
        .unwrap()
        .channels
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .id
}

async fn deliveries_of(pool: &PgPool, key: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT d.platform, d.status FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
          WHERE o.dedupe_key = $1 ORDER BY d.platform",
    )
    .bind(key)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn posts_reach_both_platforms_and_dms_only_where_the_creator_linked(pool: PgPool) {
    let discord_fake = FakeDiscord::start(discord_harness::guild()).await;
    let slack_fake = FakeSlack::start(workspace()).await;
    let now = utc("2026-12-07T15:00:00Z");
    let (bot, on_discord) = start_both(&pool, &discord_fake, &slack_fake, now).await;
    let slack_competitions = channel_id(&slack_fake, "competitions");
    let discord_competitions = discord_channel(&discord_fake, "competitions");

    // A post in #competitions: one delivery per platform, each in its own mapped channel.
    post(
        &bot,
        "round:1",
        ProgramChannel::Competitions,
        "Round 1 is open",
    )
    .await;
    bot.dispatch().await;
    assert_eq!(
        deliveries_of(&pool, "round:1").await,
        vec![
            ("discord".to_string(), "sent".to_string()),
            ("slack".to_string(), "sent".to_string())
        ]
    );
    let on_slack = slack_fake.calls("chat.postMessage");
    assert_eq!(on_slack.len(), 1);
    assert_eq!(
        sent(&on_slack[0]),
        expected_body(&slack_competitions, "Round 1 is open")
    );
    let posted = discord_fake.messages_in(discord_competitions);
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["content"], "Round 1 is open");

    // Maya linked her Slack account only, Ava her Discord account only: each DM goes out once,
    // on that platform.
    let maya = creator_in(&pool, &bot.program, "maya", "Maya", "2026-12-01", None).await;
    let ava = creator_in(&pool, &bot.program, "ava", "Ava", "2026-12-01", None).await;
    bot.link(MAYA, maya).await;
    on_discord.link(AVA, ava).await;
    dm(&bot, "dm:maya", maya, "Hi Maya").await;
    dm(&bot, "dm:ava", ava, "Hi Ava").await;
    bot.dispatch().await;
    assert_eq!(
        deliveries_of(&pool, "dm:maya").await,
        vec![("slack".to_string(), "sent".to_string())]
    );
    assert_eq!(
        deliveries_of(&pool, "dm:ava").await,
        vec![("discord".to_string(), "sent".to_string())]
    );
    let maya_dm = dm_channel_id(MAYA);
    let dms: Vec<Option<String>> = slack_fake
        .dms_to(MAYA)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(dms, vec![Some("Hi Maya".to_string())]);
    assert_eq!(
        delivery(&pool, "dm:maya").await.platform_message_id,
        Some(format!("{maya_dm}:{}", slack_fake.dms_to(MAYA)[0].ts))
    );
    // Slack opened one DM (Maya's) and posted only there and in #competitions.
    let opened: Vec<Option<String>> = slack_fake
        .calls("conversations.open")
        .iter()
        .map(|c| c.param("users").map(str::to_string))
        .collect();
    assert_eq!(opened, vec![Some(MAYA.to_string())]);
    assert_eq!(slack_fake.calls("chat.postMessage").len(), 2);
    let ava_dms = discord_fake.dms_to(AVA);
    assert_eq!(ava_dms.len(), 1);
    assert_eq!(ava_dms[0]["content"], "Hi Ava");
    assert_eq!(
        discord_fake
            .requests_to("POST", "/users/@me/channels")
            .len(),
        1,
        "Discord opened only Ava's DM"
    );
    // Nothing failed anywhere, so neither #staff heard of it.
    assert!(
        slack_fake
            .messages_in(&channel_id(&slack_fake, "staff"))
            .is_empty()
    );
    assert!(
        discord_fake
            .messages_in(discord_channel(&discord_fake, "staff"))
            .is_empty()
    );
}
