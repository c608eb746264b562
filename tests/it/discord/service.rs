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

/// `creator-bot --config CONFIG ARGS` with `env`, run off the runtime's thread (the fake answers
/// on it): exit code, stdout, stderr.
async fn cli(
    pool: &PgPool,
    config: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .envs(env.iter().copied())
        .env("DATABASE_URL", database_url(pool))
        .env_remove("CREATOR_BOT_CONFIG")
        .env_remove("DISCORD_TOKEN");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn write_config(dir: &std::path::Path, fake: &FakeDiscord) -> std::path::PathBuf {
    let config = dir.join("creator-bot.toml");
    std::fs::write(
        &config,
        format!(
            "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Creators\"\n\
             discord_guild_id = \"{GUILD}\"\n\n[lifecycle]\ntemplates_dir = {:?}\n\n\
             [discord]\napplication_id = \"{APPLICATION_ID}\"\napi_url = \"{}\"\n",
            templates_dir(),
            fake.api_url()
        ),
    )
    .unwrap();
    config
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn discord_setup_and_invite_from_the_command_line(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &fake);
    let invite = format!(
        "https://discord.com/oauth2/authorize?client_id={APPLICATION_ID}&scope=bot%20applications.commands&permissions=268487696"
    );

    let (code, out, _) = cli(&pool, &config, &["discord", "invite"], &[]).await;
    assert_eq!((code, out.trim()), (0, invite.as_str()));

    // Without the token: told where it goes, nothing done.
    let (code, _, err) = cli(&pool, &config, &["discord", "setup"], &[]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("DISCORD_TOKEN is not set: put the bot's token in it"),
        "{err}"
    );
    assert!(fake.requests().is_empty());

    let token = [("DISCORD_TOKEN", TOKEN)];
    let (code, out, err) = cli(&pool, &config, &["discord", "setup"], &token).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        format!(
            "Discord setup for Glow Creators\n\
             Created: role All-Stars, role Steady Earners, role Staff, channel #all-stars, \
             channel #steady-earners, channel #competitions, channel #staff.\n\
             Everything the bot needs is in place.\n\
             Invite link with exactly the permissions the bot needs: {invite}\n"
        )
    );
    let (code, out, _) = cli(&pool, &config, &["discord", "setup"], &token).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("Created: nothing (everything was there already).\nAlready there, now used: role All-Stars, role Steady Earners, role Staff, channel #all-stars, channel #steady-earners, channel #competitions, channel #staff."),
        "{out}"
    );
    // `channels list` shows the map setup filled.
    let (code, out, _) = cli(
        &pool,
        &config,
        &["channels", "list", "--format", "json"],
        &[],
    )
    .await;
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    let discord = &list["platforms"][0];
    assert_eq!(discord["platform"], "discord");
    let g = fake.guild(GUILD).unwrap();
    let channel = |name: &str| {
        let id = g.channels.iter().find(|c| c.name == name).unwrap().id;
        serde_json::Value::from(id.to_string())
    };
    let role = |name: &str| {
        let id = g.roles.iter().find(|r| r.name == name).unwrap().id;
        serde_json::Value::from(id.to_string())
    };
    assert_eq!(
        discord["channels"],
        serde_json::json!({
            "#all-stars": channel("all-stars"),
            "#steady-earners": channel("steady-earners"),
            "#competitions": channel("competitions"),
            "#staff": channel("staff"),
        })
    );
    assert_eq!(
        discord["roles"],
        serde_json::json!({
            "all-stars": role("All-Stars"),
            "steady-earners": role("Steady Earners"),
            "staff": role("Staff"),
        })
    );
    assert!(!err.contains(TOKEN));
}
