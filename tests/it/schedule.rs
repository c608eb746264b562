//! The scheduler on a real database: each job runs once per cadence instant in the program's
//! time zone, catches up a missed run within the window, and two schedulers never run it twice.

use crate::common;
use crate::common::app::app_with;

use chrono::{DateTime, Utc};
use common::{Line, creator, lines, program, tier_of};
use creator_bot::config::{CadenceConfig, Config};
use creator_bot::jobs::schedule::{JobRun, run_due};
use sqlx::PgPool;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn ran(program: &str, instant: &str, summary: &str) -> JobRun {
    JobRun {
        program: program.into(),
        job: "tiers",
        instant: utc(instant),
        summary: summary.into(),
        failed: false,
    }
}

/// The runs of the tier job (the other jobs have their own tests).
fn tiers_only(runs: Vec<JobRun>) -> Vec<JobRun> {
    runs.into_iter().filter(|r| r.job == "tiers").collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_tier_job_runs_daily_at_six_local_and_reviews_on_the_first(pool: PgPool) {
    let p = program(&pool).await;
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    creator(&pool, &p, "bo", "2026-10-01").await;
    sqlx::query("UPDATE creators SET tier = 'all_stars' WHERE handle = 'bo'")
        .execute(&pool)
        .await
        .unwrap();
    lines(
        &pool,
        &p,
        &[Line::settled("o1", ana, "2026-11-20 10:00", 40_000)],
    )
    .await;
    let config = Config::default();

    // 05:59 EST on 24 November: the latest 06:00 is the 23rd's, within the catch-up window.
    let runs = tiers_only(
        run_due(&app_with(&pool, &config), utc("2026-11-24T10:59:00Z"))
            .await
            .unwrap(),
    );
    assert_eq!(
        runs,
        vec![ran(
            "glow",
            "2026-11-23T11:00:00Z",
            "daily check: 1 promoted, 0 demoted, 0 viral alerts"
        )]
    );
    // The daily check promotes Ana and leaves Bo's demotion to the review.
    assert_eq!(
        (tier_of(&pool, "ana").await, tier_of(&pool, "bo").await),
        ("all_stars".into(), "all_stars".into())
    );
    // Nothing more until the next 06:00, however often it is called.
    assert_eq!(
        tiers_only(
            run_due(&app_with(&pool, &config), utc("2026-11-24T10:59:00Z"))
                .await
                .unwrap()
        ),
        vec![]
    );
    assert_eq!(
        tiers_only(
            run_due(&app_with(&pool, &config), utc("2026-11-24T10:59:59Z"))
                .await
                .unwrap()
        ),
        vec![]
    );
    let runs = tiers_only(
        run_due(&app_with(&pool, &config), utc("2026-11-24T11:00:00Z"))
            .await
            .unwrap(),
    );
    assert_eq!(
        runs,
        vec![ran(
            "glow",
            "2026-11-24T11:00:00Z",
            "daily check: 0 promoted, 0 demoted, 0 viral alerts"
        )]
    );
    // Down for two days: only the latest missed run happens.
    let runs = tiers_only(
        run_due(&app_with(&pool, &config), utc("2026-11-27T12:00:00Z"))
            .await
            .unwrap(),
    );
    assert_eq!(
        runs,
        vec![ran(
            "glow",
            "2026-11-27T11:00:00Z",
            "daily check: 0 promoted, 0 demoted, 0 viral alerts"
        )]
    );
    // On the 1st it is the monthly review: Bo, who sold nothing, goes down.
    let runs = tiers_only(
        run_due(&app_with(&pool, &config), utc("2026-12-01T11:00:00Z"))
            .await
            .unwrap(),
    );
    assert_eq!(
        runs,
        vec![ran(
            "glow",
            "2026-12-01T11:00:00Z",
            "monthly review: 0 promoted, 1 demoted, 0 viral alerts"
        )]
    );
    assert_eq!(tier_of(&pool, "bo").await, "new_and_promising");
    let recorded: Vec<DateTime<Utc>> =
        sqlx::query_scalar("SELECT instant FROM job_runs WHERE job = 'tiers' ORDER BY instant")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        recorded,
        vec![
            utc("2026-11-23T11:00:00Z"),
            utc("2026-11-24T11:00:00Z"),
            utc("2026-11-27T11:00:00Z"),
            utc("2026-12-01T11:00:00Z")
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_run_missed_beyond_the_catch_up_window_is_skipped(pool: PgPool) {
    program(&pool).await;
    let config = Config {
        cadences: CadenceConfig {
            catch_up_hours: 1,
            ..CadenceConfig::default()
        },
        ..Config::default()
    };
    // 08:00:01 EDT, two hours and a second after the 06:00 run.
    assert_eq!(
        tiers_only(
            run_due(&app_with(&pool, &config), utc("2026-06-02T12:00:01Z"))
                .await
                .unwrap()
        ),
        vec![]
    );
    let runs = tiers_only(
        run_due(&app_with(&pool, &config), utc("2026-06-03T10:30:00Z"))
            .await
            .unwrap(),
    );
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].instant, utc("2026-06-03T10:00:00Z"));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn two_schedulers_at_the_same_instant_run_the_job_once(pool: PgPool) {
    let p = program(&pool).await;
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[Line::settled("o1", ana, "2026-11-20 10:00", 40_000)],
    )
    .await;
    let config = Config::default();
    let options = pool.connect_options().as_ref().clone();
    let other = sqlx::postgres::PgPoolOptions::new()
        .max_connections(3)
        .connect_with(options)
        .await
        .unwrap();
    let now = utc("2026-11-24T11:00:00Z");
    let (first, second) = (app_with(&pool, &config), app_with(&other, &config));
    let (a, b) = tokio::join!(run_due(&first, now), run_due(&second, now));
    let mut all = tiers_only(a.unwrap());
    all.extend(tiers_only(b.unwrap()));
    assert_eq!(all.len(), 1);
    let history: i64 = sqlx::query_scalar("SELECT count(*) FROM tier_history")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(history, 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn jobs_run_replays_an_instant_from_the_command_line(pool: PgPool) {
    let p = program(&pool).await;
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[Line::settled("o1", ana, "2026-11-20 10:00", 40_000)],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bot.toml");
    std::fs::write(
        &config,
        "default_program = \"glow\"\n\n[[programs]]\nslug = \"glow\"\nname = \"glow program\"\n\
         timezone = \"America/New_York\"\ncurrency = \"USD\"\n",
    )
    .unwrap();
    let args = ["jobs", "run", "--now", "2026-11-24 06:00"];
    let (code, out, err) = common::cli::cli(&pool, &config, &args);
    assert_eq!((code, err.as_str()), (0, ""));
    // Every job's latest instant within the catch-up window runs: Monday's check-in, pulse and
    // standings, today's 06:00 tier check, the quarter-hourly sequences (Ana's first sale) and
    // the hourly look for finished competitions.
    assert_eq!(
        out,
        "glow sequences for 2026-11-24T11:00:00+00:00: 1 DMs and 0 staff alerts queued, 0 cancelled\n\
         glow tiers for 2026-11-24T11:00:00+00:00: daily check: 1 promoted, 0 demoted, 0 viral alerts\n\
         glow all_stars_checkin for 2026-11-23T15:00:00+00:00: posted\n\
         glow weekly_pulse for 2026-11-23T14:00:00+00:00: posted\n\
         glow competition_standings for 2026-11-23T17:00:00+00:00: 0 standings posted\n\
         glow competition_winners for 2026-11-24T10:05:00+00:00: 0 competitions closed\n"
    );
    let (_, out, _) = common::cli::cli(&pool, &config, &args);
    assert_eq!(out, "nothing due at 2026-11-24T11:00:00+00:00\n");
}
