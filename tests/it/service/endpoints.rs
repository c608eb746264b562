//! The service's HTTP endpoints and start-up: health, readiness, the metrics after known sends and
//! commands, and a failed start that names no secret.

use std::process::Command;

use sqlx::PgPool;

use super::bot::{Bot, Knobs, config, get};
use super::outbox;
use crate::common;
use crate::common::cli::database_url;

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn health_readiness_and_metrics_after_known_sends(pool: PgPool) {
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &Knobs::default());
    let mut bot = Bot::start(&config, &database_url(&pool), &[]);
    bot.wait_sent(7).await;
    outbox::wait_sent(&pool, 7).await;
    assert_eq!(bot.sent(), outbox::all(7));
    bot.type_line("/kpi 7d");
    bot.type_line("/as @nobody");

    assert_eq!(bot.get("/healthz").await, (200, "ok\n".to_string()));
    assert_eq!(
        bot.get("/readyz").await,
        (
            200,
            r#"{"missing_channels":[],"not_ready":[],"ready":true}"#.to_string()
        )
    );
    assert_eq!(bot.get("/nothing-here").await.0, 404);

    // The command's answer is printed before its latency is scraped.
    let started = std::time::Instant::now();
    while !bot
        .printed()
        .contains("There is no creator @nobody in this program.")
    {
        assert!(
            started.elapsed() < super::bot::PATIENCE,
            "{}",
            bot.printed()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        bot.printed()
            .contains("Console staff (staff): /kpi 7d\n  KPIs for Glow, "),
        "{}",
        bot.printed()
    );
    let (status, metrics) = bot.get("/metrics").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = metrics.lines().collect();
    for expected in [
        r#"creator_bot_sends_total{platform="console",outcome="sent"} 7"#,
        r#"creator_bot_send_seconds_count{platform="console"} 7"#,
        r#"creator_bot_command_seconds_count{platform="console",command="kpi"} 1"#,
        r#"creator_bot_outbox_messages{kind="channel",status="sent"} 7"#,
        "creator_bot_outbox_oldest_due_seconds 0.0",
    ] {
        assert!(lines.contains(&expected), "no {expected:?} in:\n{metrics}");
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("creator_bot_outbox_messages{"))
            .count(),
        1,
        "{metrics}"
    );

    bot.terminate();
    assert_eq!(bot.exit_code().await, Some(0), "{}", bot.logs());
    assert!(bot.logs().contains("stopped"), "{}", bot.logs());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_oldest_due_message_shows_while_no_platform_sends(pool: PgPool) {
    let program = common::program(&pool).await;
    outbox::queue(&pool, program.id, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &Knobs::default());
    // Without --console no platform is configured: nothing is sent, the messages wait.
    let mut child = Reaped(
        Command::new(env!("CARGO_BIN_EXE_creator-bot"))
            .arg("--config")
            .arg(&config)
            .args(["--log-format", "json", "run"])
            .env("DATABASE_URL", database_url(&pool))
            .env_remove("CREATOR_BOT_LOG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = std::io::BufReader::new(child.0.stderr.take().unwrap());
    let mut address = None;
    let mut line = String::new();
    while address.is_none() {
        line.clear();
        let n = std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        assert!(n > 0, "the bot ended before listening");
        let log: serde_json::Value = serde_json::from_str(&line).expect(&line);
        let message = log["fields"]["message"].as_str().unwrap_or_default();
        address = message
            .strip_prefix("listening on http://")
            .map(String::from);
    }
    let address = address.unwrap();
    // Once due, the posts wait for the program to be connected to a platform.
    let started = std::time::Instant::now();
    while outbox::unsent(&pool).await != vec![("waiting".to_string(), 3)] {
        assert!(
            started.elapsed() < super::bot::PATIENCE,
            "the posts never waited"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, metrics) = get(&address, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains("creator_bot_outbox_messages{kind=\"channel\",status=\"waiting\"} 3\n"),
        "{metrics}"
    );
    let oldest: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("creator_bot_outbox_oldest_due_seconds "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(oldest >= 60.0, "{metrics}");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert_eq!(child.0.wait().unwrap().code(), Some(0));
    assert_eq!(outbox::sent(&pool).await, 0);
}

/// A start that fails for the database: exit 1 with the reason, and the password nowhere.
#[tokio::test]
async fn a_failed_start_never_shows_the_database_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &Knobs::default());
    // The test server, as a user it does not know, with a password.
    let server = std::env::var("DATABASE_URL").unwrap();
    let (scheme, rest) = server.split_once("://").unwrap();
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    let unknown_user = format!("{scheme}://nobody_here:Sup3rS3cretPw@{rest}");
    for (url, reason) in [
        (unknown_user.as_str(), "nobody_here"),
        (
            "postgres://bot:Sup3rS3cretPw@no-such-host.invalid/bot",
            "connecting to PostgreSQL",
        ),
        (
            "postgres://bot:Sup3rS3cretPw@127.0.0.1:notaport/bot",
            "DATABASE_URL is not a valid PostgreSQL URL",
        ),
    ] {
        for format in ["text", "json"] {
            let out = Command::new(env!("CARGO_BIN_EXE_creator-bot"))
                .arg("--config")
                .arg(&config)
                .args(["--log-format", format, "run", "--console"])
                .env("DATABASE_URL", url)
                .env("CREATOR_BOT_LOG", "trace")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert_eq!(out.status.code(), Some(1), "{stderr}");
            assert!(stderr.contains(reason), "{stderr}");
            assert!(!stderr.contains("Sup3rS3cretPw"), "{stderr}");
            assert!(!stdout.contains("Sup3rS3cretPw"), "{stdout}");
        }
    }
}

#[tokio::test]
async fn a_bad_listen_address_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &Knobs::default());
    let out = Command::new(env!("CARGO_BIN_EXE_creator-bot"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env("CREATOR_BOT__RUN__LISTEN", "localhost")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: configuration error: run.listen: \"localhost\" is not an address and port \
         (e.g. \"127.0.0.1:8080\") (from the environment)\n"
    );
}

/// A child process killed if the test fails before it stops, so it holds no connection to the
/// test's database afterwards.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
