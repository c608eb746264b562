//! The console workspace: a small synthetic program run for ten simulated days on an injected
//! clock, with commands typed from a script, printed exactly as a person at the terminal sees it.

mod common;

use chrono::NaiveDate;
use creator_bot::chat::console::Transcript;
use creator_bot::cli::demo_cmd::{Speed, WorkspaceOptions, run_workspace};
use creator_bot::config::Config;
use creator_bot::features::demo::DemoOptions;
use sqlx::PgPool;

fn options() -> WorkspaceOptions {
    WorkspaceOptions {
        demo: DemoOptions {
            seed: 7,
            creators: 30,
            history_days: 90,
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        },
        days: 10,
        speed: Speed::Max,
        interactive: false,
    }
}

fn config() -> Config {
    let mut config = common::config();
    config.lifecycle.templates_dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    config
}

/// The whole transcript of a run with `script` typed in.
async fn run(pool: &PgPool, script: &str) -> String {
    let out = Transcript::new();
    run_workspace(
        pool,
        &config(),
        &options(),
        std::io::Cursor::new(script.as_bytes().to_vec()),
        out.clone(),
    )
    .await
    .unwrap();
    out.text()
}

const SCRIPT: &str = "\
/kpi 7d
/wait 2026-11-24 11:00
/leaderboard gmv 7d
/as @nobody
/mystats
";

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_small_program_lives_ten_days_in_the_console(pool: PgPool) {
    let text = run(&pool, SCRIPT).await;
    std::fs::write("/tmp/console-test.txt", &text).unwrap();
}
