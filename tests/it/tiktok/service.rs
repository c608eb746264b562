//! The sync inside `creator-bot run` (a child process): the `tiktok_orders` job reads the shop by
//! itself, and a process killed between pages leaves a run that the next process resumes from the
//! page it stopped at — nothing lost, nothing doubled, no page before it read again.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::{Harness, KEY, ORDERS_PATH, ago};
use crate::common::cli::database_url;
use crate::common::lifecycle::templates_dir;
use crate::service::bot::{Bot, PATIENCE};
use crate::tiktok_fake::{APP_KEY, APP_SECRET, FakeShop, FakeSku};

/// `glow` with the fake's shop, the orders sync every minute at `per_second` requests a
/// second, one line per page.
fn config(dir: &std::path::Path, fake_url: &str, per_second: u32) -> std::path::PathBuf {
    let text = format!(
        "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"Glow Creators\"\n\
         timezone = \"America/New_York\"\ncurrency = \"USD\"\n\n[lifecycle]\ntemplates_dir = {:?}\n\n\
         [run]\nlisten = \"127.0.0.1:0\"\ntick_seconds = 1\n\n\
         [cadences]\ncatch_up_hours = 1\ntiktok_orders = \"* * * * *\"\n\
         tiktok_settlements = \"0 5 1 1 *\"\ntiktok_samples = \"0 5 1 1 *\"\n\n\
         [tiktok]\napp_key = {APP_KEY:?}\napi_url = {fake_url:?}\nauth_url = {fake_url:?}\n\
         page_size = 1\nrequests_per_second = {per_second}\n",
        templates_dir(),
    );
    let path = dir.join("creator-bot.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn shop(lines: usize) -> FakeShop {
    FakeShop::new().skus((0..lines).map(|i| {
        FakeSku::new(
            &format!("{}", 9000 + i),
            "1",
            ["maya", "lee", "sam"][i % 3],
            ago(3, i as i64),
            1_000 + i as i64,
        )
    }))
}

fn start(config: &std::path::Path, pool: &PgPool) -> Bot {
    Bot::start_with(
        config,
        &database_url(pool),
        &[],
        &["run", "--console"],
        &[
            ("TIKTOK_APP_SECRET", APP_SECRET),
            ("CREATOR_BOT_SECRET_KEY", KEY),
        ],
    )
}

async fn wait_for(pool: &PgPool, sql: &'static str, until: impl Fn(i64) -> bool, bot: &Bot) -> i64 {
    let started = Instant::now();
    loop {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
        if until(n) {
            return n;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{sql} is {n}:\n{}",
            bot.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[sqlx::test]
async fn a_process_killed_between_pages_is_resumed_by_the_next_one(pool: PgPool) {
    let h = Harness::connected(&pool, shop(10)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &h.fake.url(), 4);
    let mut bot = start(&config, &pool);
    let pages = wait_for(
        &pool,
        "SELECT COALESCE(max(pages), 0)::bigint FROM tiktok_syncs WHERE kind = 'orders'",
        |n| n >= 3,
        &bot,
    )
    .await;
    bot.kill();
    let (killed, pages_done, token, status): (i64, i32, Option<String>, String) = sqlx::query_as(
        "SELECT id, pages, page_token, status FROM tiktok_syncs WHERE kind = 'orders'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(pages_done as i64 >= pages);
    assert_eq!(status, "running");
    // Every committed page's line is in, and only those.
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM order_lines")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, pages_done as i64);
    let token = token.expect("a run between pages has the next page's token");
    let before = h.fake.calls_to(ORDERS_PATH).len();

    let bot = start(&config, &pool);
    // The killed run is the first one.
    wait_for(
        &pool,
        "SELECT count(*) FROM tiktok_syncs WHERE kind = 'orders' AND status = 'done'
            AND id = (SELECT min(id) FROM tiktok_syncs WHERE kind = 'orders')",
        |n| n == 1,
        &bot,
    )
    .await;
    let runs: Vec<(i64, String, i32, i64, i64)> = sqlx::query_as(
        "SELECT id, status, pages, inserted, updated FROM tiktok_syncs WHERE kind = 'orders' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    // The killed run, resumed and finished: every page counted once.
    assert_eq!(
        (
            runs[0].0,
            runs[0].1.as_str(),
            runs[0].2,
            runs[0].3,
            runs[0].4
        ),
        (killed, "done", 10, 10, 0),
        "{runs:?}"
    );
    // Should the clock have reached the next minute's run meanwhile, it finds nothing new.
    for later in &runs[1..] {
        assert_eq!((later.3, later.4), (0, 0), "{runs:?}");
    }
    let lines: Vec<(String, i64)> =
        sqlx::query_as("SELECT order_id, payment_amount_cents FROM order_lines ORDER BY order_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: Vec<(String, i64)> = (0..10)
        .map(|i| (format!("{}", 9000 + i), 1_000 + i as i64))
        .collect();
    assert_eq!(lines, expected);
    // The rollups hold each line once.
    let rolled: i64 =
        sqlx::query_scalar("SELECT COALESCE(sum(gross_gmv_cents), 0)::bigint FROM program_daily")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(rolled, expected.iter().map(|l| l.1).sum::<i64>());
    // The new process went on from the saved page.
    let resumed = &h.fake.calls_to(ORDERS_PATH)[before];
    assert_eq!(resumed.param("page_token"), Some(token.as_str()));
    drop(bot);
}

/// `creator-bot tiktok …` with the fake's config and the secrets in its environment, run off
/// the test's runtime (which serves the fake meanwhile).
async fn tiktok_cli(
    pool: &PgPool,
    config: &std::path::Path,
    args: &[&str],
    key: Option<&str>,
) -> (i32, String, String) {
    let (url, config) = (database_url(pool), config.to_path_buf());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let key = key.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        tiktok_cli_blocking(&url, &config, &args, key.as_deref())
    })
    .await
    .unwrap()
}

fn tiktok_cli_blocking(
    database_url: &str,
    config: &std::path::Path,
    args: &[&str],
    key: Option<&str>,
) -> (i32, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_creator-bot"));
    command
        .arg("--config")
        .arg(config)
        .arg("tiktok")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("TIKTOK_APP_SECRET", APP_SECRET)
        .env_remove("CREATOR_BOT_CONFIG")
        .env_remove("CREATOR_BOT_SECRET_KEY");
    if let Some(key) = key {
        command.env("CREATOR_BOT_SECRET_KEY", key);
    }
    let out = command.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[sqlx::test]
async fn the_command_line_connects_syncs_and_reports(pool: PgPool) {
    let h = Harness::start(&pool, shop(3)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &h.fake.url(), 40);
    let code = h.fake.issue_code();

    // Without the sealing key nothing is connected, and the message says what to do.
    let (status, _, err) = tiktok_cli(&pool, &config, &["connect", "--code", &code], None).await;
    assert_eq!(status, 1);
    assert!(err.starts_with("error: CREATOR_BOT_SECRET_KEY is not set: the bot will not store the shop's tokens unencrypted."), "{err}");

    let (status, out, err) = tiktok_cli(&pool, &config, &["connect"], Some(KEY)).await;
    assert_eq!(status, 0, "{err}");
    assert!(
        out.contains(&format!(
            "{}/oauth/authorize?app_key={APP_KEY}&state=",
            h.fake.url()
        )),
        "{out}"
    );

    let (status, out, err) =
        tiktok_cli(&pool, &config, &["connect", "--code", &code], Some(KEY)).await;
    assert_eq!(status, 0, "{err}");
    assert!(
        out.starts_with("Connected glow to the shop Glow Fake Shop (7494000000000000001)."),
        "{out}"
    );

    let (status, out, err) = tiktok_cli(&pool, &config, &["sync", "orders"], Some(KEY)).await;
    assert_eq!(
        (status, out.as_str()),
        (
            0,
            "3 inserted, 0 updated, 0 unchanged, 0 rejected (3 pages); 3 new creators\n"
        ),
        "{err}"
    );
    let (status, out, _) =
        tiktok_cli(&pool, &config, &["backfill", "--days", "10"], Some(KEY)).await;
    assert_eq!(
        (status, out.as_str()),
        (
            0,
            "0 inserted, 0 updated, 3 unchanged, 0 rejected (3 pages)\n"
        )
    );

    let (status, out, err) = tiktok_cli(&pool, &config, &["status"], Some(KEY)).await;
    assert_eq!(status, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "Glow Creators (glow)");
    assert!(
        lines[1].starts_with("  shop: Glow Fake Shop (7494000000000000001, US), connected "),
        "{out}"
    );
    assert!(
        out.contains(" backfill: 0 inserted, 0 updated, 3 unchanged, 0 rejected (3 pages)\n"),
        "{out}"
    );
    assert!(
        out.contains(
            " orders: 3 inserted, 0 updated, 0 unchanged, 0 rejected (3 pages); 3 new creators\n"
        ),
        "{out}"
    );
    assert!(out.contains("  next orders: "), "{out}");
    // No token in what it prints.
    let token = h.fake.current_access_token().unwrap();
    assert!(!out.contains(&token));
}
