//! The monthly and quarterly report cadences: each fires once, at 09:00 program time (not
//! 09:00 UTC), and queues a #staff post that carries its charts for the dispatcher to draw.

use chrono::{DateTime, Utc};
use creator_bot::config::Config;
use creator_bot::jobs::schedule::{JobRun, run_due};
use serde_json::json;
use sqlx::PgPool;

use super::two_quarters;
use crate::common::app::app_with;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Runs the scheduler at `now` and returns the runs of `job`.
async fn runs_of(pool: &PgPool, config: &Config, job: &str, now: &str) -> Vec<JobRun> {
    run_due(&app_with(pool, config), utc(now))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.job == job)
        .collect()
}

fn ran(job: &'static str, instant: &str) -> Vec<JobRun> {
    vec![JobRun {
        program: "glow".into(),
        job,
        instant: utc(instant),
        summary: "posted".into(),
        failed: false,
    }]
}

/// The #staff posts queued under `key`: (channel, start of the text, extra charts).
async fn staff_post(pool: &PgPool, key: &str) -> Vec<(String, String, serde_json::Value)> {
    sqlx::query_as::<_, (String, String, serde_json::Value)>(
        "SELECT channel, payload->>'text', payload->'charts' FROM outbox WHERE dedupe_key = $1",
    )
    .bind(key)
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(c, text, charts)| {
        (
            c,
            text.lines().next().unwrap_or_default().to_string(),
            charts,
        )
    })
    .collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_monthly_report_follows_the_review_at_nine_new_york_time(pool: PgPool) {
    two_quarters(&pool).await;
    let config = Config::default();
    let job = "monthly_report";
    // 09:00 UTC on 1 December is 04:00 in New York: not yet.
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-01T09:00:00Z").await,
        vec![]
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-01T13:59:59Z").await,
        vec![]
    );
    // 09:00 EST = 14:00 UTC, on the review's day (tiers.review_day_of_month = 1).
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-01T14:00:00Z").await,
        ran(job, "2026-12-01T14:00:00Z")
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-01T20:00:00Z").await,
        vec![]
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-02T14:00:00Z").await,
        vec![]
    );
    assert_eq!(
        staff_post(&pool, "cadence:monthly_report:2026-12-01").await,
        vec![(
            "staff".to_string(),
            "Monthly deep-dive, 1 Nov 2026 – 30 Nov 2026".to_string(),
            json!([
                {"kind": "pareto", "from": "2026-11-01", "to": "2026-12-01"},
                {"kind": "tiers", "at": "2026-12-01"}
            ])
        )]
    );
    let posts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'cadence:monthly_report:%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(posts, 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_monthly_report_moves_with_the_review_day(pool: PgPool) {
    two_quarters(&pool).await;
    let mut config = Config::default();
    config.tiers.review_day_of_month = 3;
    let job = "monthly_report";
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-01T14:00:00Z").await,
        vec![]
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2026-12-03T14:00:00Z").await,
        ran(job, "2026-12-03T14:00:00Z")
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_quarterly_review_comes_on_the_first_monday_of_the_quarter(pool: PgPool) {
    two_quarters(&pool).await;
    let config = Config::default();
    let job = "quarterly_report";
    // Friday 1 January 2027 is not a Monday; Monday 4 January 09:00 EST is 14:00 UTC.
    assert_eq!(
        runs_of(&pool, &config, job, "2027-01-01T14:00:00Z").await,
        vec![]
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2027-01-04T09:00:00Z").await,
        vec![]
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2027-01-04T14:00:00Z").await,
        ran(job, "2027-01-04T14:00:00Z")
    );
    assert_eq!(
        runs_of(&pool, &config, job, "2027-01-04T23:00:00Z").await,
        vec![]
    );
    // The second Monday is not the first.
    assert_eq!(
        runs_of(&pool, &config, job, "2027-01-11T14:00:00Z").await,
        vec![]
    );
    assert_eq!(
        staff_post(&pool, "cadence:quarterly_report:2027-01-04").await,
        vec![(
            "staff".to_string(),
            "Quarterly review, Q4 2026 (1 Oct 2026 – 31 Dec 2026)".to_string(),
            json!([
                {"kind": "gmv", "from": "2026-10-01", "to": "2027-01-01"},
                {"kind": "pareto", "from": "2026-10-01", "to": "2027-01-01"},
                {"kind": "tiers", "at": "2026-12-31"}
            ])
        )]
    );
    // Monday 5 April 2027 is in daylight saving time: 09:00 EDT is 13:00 UTC.
    assert_eq!(
        runs_of(&pool, &config, job, "2027-04-05T13:00:00Z").await,
        ran(job, "2027-04-05T13:00:00Z")
    );
}

#[test]
fn the_report_cadences_are_configurable() {
    let config = Config::load_with_overrides(
        None,
        &[
            ("CREATOR_BOT__CADENCES__MONTHLY_REPORT", "30 8 2 * *"),
            (
                "CREATOR_BOT__CADENCES__QUARTERLY_REPORT",
                "0 10 1 Jan,Apr,Jul,Oct *",
            ),
        ],
    )
    .unwrap();
    assert_eq!(
        config.cadences.monthly_report(&config.tiers).to_string(),
        "30 8 2 * *"
    );
    assert_eq!(
        config.cadences.quarterly_report.to_string(),
        "0 10 1 Jan,Apr,Jul,Oct *"
    );
    // Unset, the deep-dive follows the review day.
    let config =
        Config::load_with_overrides(None, &[("CREATOR_BOT__TIERS__REVIEW_DAY_OF_MONTH", "5")])
            .unwrap();
    assert_eq!(
        config.cadences.monthly_report(&config.tiers).to_string(),
        "0 9 5 * *"
    );
    let err = Config::load_with_overrides(
        None,
        &[("CREATOR_BOT__CADENCES__QUARTERLY_REPORT", "first monday")],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: cadences.quarterly_report: \"first monday\" is not a cron expression of five fields (minute hour day month weekday, e.g. \"0 10 * * Mon\"): it has 2 fields (from the environment)"
    );
}
