//! `creator-bot run` as a process with the Slack tokens set: in Socket Mode it connects to the
//! fake through `slack.api_url`, answers slash commands, turns `/readyz` 503 naming Slack while
//! no connection is open and 200 once one is back; in `http` mode it answers signed requests on
//! `run.listen` and refuses unsigned ones with 401. It stops with SIGTERM and never logs a secret.

use serde_json::{Value, json};
use sqlx::PgPool;

use super::{LENA, PATIENCE, SECRET};
use crate::common::cli::database_url;
use crate::common::lifecycle::templates_dir;
use crate::service::bot::{Bot, wait_status};
use crate::slack_fake::{APP_TOKEN, BOT_TOKEN, FakeSlack, SlashCommand, TEAM_ID};

fn write_config(dir: &std::path::Path, fake: &FakeSlack, mode: &str) -> std::path::PathBuf {
    let config = dir.join("creator-bot.toml");
    std::fs::write(
        &config,
        format!(
            "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Creators\"\n\
             timezone = \"America/New_York\"\nslack_team_id = \"{TEAM_ID}\"\n\n\
             [lifecycle]\ntemplates_dir = {:?}\n\n[run]\nlisten = \"127.0.0.1:0\"\ntick_seconds = 1\n\n\
             [cadences]\ncatch_up_hours = 0\n\n\
             [slack]\nmode = \"{mode}\"\napi_url = \"{}\"\nsocket_connections = 1\n\
             staff_user_ids = [\"{LENA}\"]\n",
            templates_dir(),
            fake.api_url()
        ),
    )
    .unwrap();
    config
}

/// Starts `creator-bot run` off the runtime's thread (the fake answers its start-up on it).
async fn run(pool: &PgPool, config: std::path::PathBuf, env: &'static [(&str, &str)]) -> Bot {
    let url = database_url(pool);
    tokio::task::spawn_blocking(move || Bot::start_with(&config, &url, &[], &["run"], env))
        .await
        .unwrap()
}

fn assert_no_secret(logs: &str) {
    for secret in [BOT_TOKEN, APP_TOKEN, SECRET] {
        assert!(!logs.contains(secret), "a secret was logged:\n{logs}");
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn run_in_socket_mode_answers_and_follows_the_connection_in_readyz(pool: PgPool) {
    let fake = FakeSlack::start(super::workspace()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &fake, "socket");
    let mut bot = run(
        &pool,
        config,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_APP_TOKEN", APP_TOKEN),
        ],
    )
    .await;
    let ready: Value =
        serde_json::from_str(&wait_status(&bot.address, "/readyz", 200).await).expect("JSON");
    assert_eq!(ready["not_ready"], json!([]));
    assert_eq!(
        ready["missing_channels"],
        json!([
            "glow: #all-stars on slack",
            "glow: #steady-earners on slack",
            "glow: #competitions on slack",
            "glow: #staff on slack"
        ])
    );

    let command = fake.slash_command(LENA, "/help", "");
    command.ack(PATIENCE).await.expect("acked");
    let answer = command.response(PATIENCE).await.expect("answered");
    assert_eq!(answer.body["response_type"], "ephemeral");
    assert_eq!(
        answer.body["blocks"][0]["text"]["text"],
        "Commands you can use"
    );

    // No connection open: 503 naming Slack; let it back in: 200.
    fake.refuse_connections(true);
    fake.drop_connections();
    let down: Value =
        serde_json::from_str(&wait_status(&bot.address, "/readyz", 503).await).unwrap();
    assert_eq!(down["ready"], false);
    assert_eq!(down["not_ready"], json!(["slack"]));
    fake.refuse_connections(false);
    wait_status(&bot.address, "/readyz", 200).await;
    let command = fake.slash_command(LENA, "/help", "");
    command
        .response(PATIENCE)
        .await
        .expect("answered after reconnecting");

    bot.terminate();
    assert_eq!(bot.exit_code().await, Some(0));
    let logs = bot.logs();
    assert!(logs.contains("connected to Slack"), "{logs}");
    assert_no_secret(&logs);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn run_in_http_mode_answers_signed_requests_and_refuses_the_rest(pool: PgPool) {
    let fake = FakeSlack::start(super::workspace()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &fake, "http");
    let mut bot = run(
        &pool,
        config,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_SIGNING_SECRET", SECRET),
        ],
    )
    .await;
    wait_status(&bot.address, "/readyz", 200).await;
    let url = format!("http://{}/slack/commands", bot.address);

    let forged = fake.http_slash_command(&SlashCommand::new(LENA, "/help", ""));
    let (status, _) = forged.sign("not-the-secret").post(&url).await;
    assert_eq!(status, 401);

    let signed = fake.http_slash_command(&SlashCommand::new(LENA, "/help", ""));
    let (status, body) = signed.sign(SECRET).post(&url).await;
    assert_eq!((status, body.as_str()), (200, ""));
    let answer = signed.response(PATIENCE).await.expect("answered");
    assert_eq!(
        answer.body["blocks"][0]["text"]["text"],
        "Commands you can use"
    );
    assert!(
        forged
            .response(std::time::Duration::from_millis(200))
            .await
            .is_none(),
        "the forged command did not run"
    );

    bot.terminate();
    assert_eq!(bot.exit_code().await, Some(0));
    let logs = bot.logs();
    assert_no_secret(&logs);
}
