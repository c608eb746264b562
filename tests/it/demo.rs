//! The demo: a reproducible synthetic program imported through the real import, summarised by
//! the real KPI, tier and leaderboard code.

use crate::common;

use chrono::NaiveDate;
use creator_bot::cli::demo_cmd::render;
use creator_bot::domain::Tier;
use creator_bot::features::demo::{self, DemoOptions};
use sqlx::PgPool;

fn options() -> DemoOptions {
    DemoOptions {
        seed: 42,
        creators: 500,
        history_days: 90,
        today: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn demo_imports_everything_and_summarises_it(pool: PgPool) {
    let config = common::config();
    let dir = tempfile::tempdir().unwrap();
    let report = demo::run(&pool, &config, &options(), dir.path())
        .await
        .unwrap();

    let counts: Vec<(String, u64, u64, usize)> = report
        .imports
        .iter()
        .map(|i| (i.file.clone(), i.inserted, i.updated, i.rejected.len()))
        .collect();
    assert_eq!(counts[0], ("products.csv".to_string(), 12, 0, 0));
    assert_eq!(counts[1], ("creators.csv".to_string(), 500, 0, 0));
    assert_eq!(counts[4], ("orders.csv".to_string(), 20_000, 0, 0));
    assert!(report.imports.iter().all(|i| i.rejected.is_empty()));

    // The KPI read from the rollups equals the same sum taken straight from the order lines.
    let net_gmv: i64 = sqlx::query_scalar(
        "SELECT COALESCE(SUM(payment_amount_cents), 0)::bigint FROM order_lines
          WHERE program_id = $1 AND created_on >= $2 AND created_on < $3
            AND status NOT IN ('customer_unpaid', 'ineligible') AND NOT refunded",
    )
    .bind(report.program.id)
    .bind(report.summary.period.from)
    .bind(report.summary.period.to)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(report.summary.kpis.sales.gmv_cents, net_gmv);
    assert_eq!(
        report.summary.period.from,
        NaiveDate::from_ymd_opt(2026, 10, 22).unwrap()
    );
    assert_eq!(
        report.summary.period.to,
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    );

    let mix: i64 = report.summary.tier_mix.iter().map(|(_, n)| n).sum();
    assert_eq!(mix, 500);
    assert_eq!(report.summary.tier_mix[0].0, Tier::AllStars);
    assert!(
        report.summary.tier_mix[0].1 > 0
            && report.summary.tier_mix[0].1 < report.summary.tier_mix[2].1
    );
    assert_eq!(report.summary.top.len(), 10);
    assert!(
        report
            .summary
            .top
            .windows(2)
            .all(|w| w[0].value >= w[1].value)
    );
    // Power law: the top 10 % of sellers make well over half the GMV.
    let top10 = report
        .summary
        .kpis
        .pareto
        .iter()
        .find(|p| p.top_percent == 10)
        .unwrap();
    assert!(top10.gmv_share.unwrap() > 0.5, "{top10:?}");

    // Running it again replaces the demo program and prints exactly the same summary.
    let first = render(&report);
    let again = demo::run(&pool, &config, &options(), dir.path())
        .await
        .unwrap();
    let second = render(&again);
    assert_eq!(first, second);
    let programs: i64 = sqlx::query_scalar("SELECT count(*) FROM programs WHERE slug = 'demo'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(programs, 1);
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM order_lines")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(lines, 20_000);
    assert!(first.contains("Tier mix\n  All-Stars"));
    assert!(first.contains("Top 10% ("));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn demo_refuses_to_replace_a_configured_program_named_demo(pool: PgPool) {
    let mut config = common::config();
    config.programs = vec![creator_bot::features::demo::demo_program()];
    config.default_program = "demo".into();
    let dir = tempfile::tempdir().unwrap();
    let err = demo::run(&pool, &config, &options(), dir.path())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the config has a program called \"demo\"; the demo would replace its data, so it refuses to run"
    );
}
