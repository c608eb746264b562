//! `creator-bot run` as a process with `DISCORD_TOKEN` set: it connects to the fake through
//! `discord.api_url`, registers the commands, answers `/readyz` 503 naming Discord while the
//! gateway is down and 200 once serenity is back, stops with SIGTERM, and never logs the token.

use std::time::Duration;

use sqlx::PgPool;

use super::{GUILD, PATIENCE, guild};
use crate::common::cli::database_url;
use crate::common::lifecycle::templates_dir;
use crate::discord_fake::{APPLICATION_ID, FakeDiscord};
use crate::service::bot::{Bot, wait_status};

const TOKEN: &str = "fake-bot-token-never-logged";

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn run_follows_the_gateway_in_readyz(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("creator-bot.toml");
    std::fs::write(
        &config,
        format!(
            "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Creators\"\n\
             timezone = \"America/New_York\"\ndiscord_guild_id = \"{GUILD}\"\n\n\
             [lifecycle]\ntemplates_dir = {:?}\n\n[run]\nlisten = \"127.0.0.1:0\"\ntick_seconds = 1\n\n\
             [cadences]\ncatch_up_hours = 0\n\n\
             [discord]\napplication_id = \"{APPLICATION_ID}\"\napi_url = \"{}\"\n",
            templates_dir(),
            fake.api_url()
        ),
    )
    .unwrap();
    // Started off the runtime's thread: the fake answers the bot's start-up on it.
    let url = database_url(&pool);
    let mut bot = tokio::task::spawn_blocking(move || {
        Bot::start_with(&config, &url, &[], &["run"], &[("DISCORD_TOKEN", TOKEN)])
    })
    .await
    .unwrap();
    let ready = wait_status(&bot.address, "/readyz", 200).await;
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["not_ready"], serde_json::json!([]));
    // Its channels are not mapped yet: /readyz names them, and still answers 200.
    assert_eq!(
        ready["missing_channels"],
        serde_json::json!([
            "glow: #all-stars on discord",
            "glow: #steady-earners on discord",
            "glow: #competitions on discord",
            "glow: #staff on discord"
        ])
    );
    let put = fake
        .wait_for_request("PUT", "/applications/*/guilds/*/commands", PATIENCE)
        .await
        .expect("the commands were registered");
    assert_eq!(
        put.header("authorization"),
        Some(format!("Bot {TOKEN}").as_str())
    );

    // The gateway goes down: 503 naming Discord; back up: 200.
    fake.refuse_connections(Duration::from_secs(3600));
    fake.drop_connections();
    let down: serde_json::Value =
        serde_json::from_str(&wait_status(&bot.address, "/readyz", 503).await).unwrap();
    assert_eq!(down["ready"], false);
    assert_eq!(down["not_ready"], serde_json::json!(["discord"]));
    fake.accept_connections();
    wait_status(&bot.address, "/readyz", 200).await;

    bot.terminate();
    assert_eq!(bot.exit_code().await, Some(0));
    let logs = bot.logs();
    assert!(logs.contains("connected to Discord"), "{logs}");
    assert!(!logs.contains(TOKEN), "the token was logged:\n{logs}");
}
