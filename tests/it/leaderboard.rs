//! Leaderboards by GMV, videos and views over the fixture in tests/stats_fixture/mod.rs.

use crate::stats_fixture;

use creator_bot::chat::commands::stats::leaderboard_reply;
use creator_bot::domain::Period;
use creator_bot::features::stats::{Metric, leaderboard};
use serde_json::json;
use sqlx::PgPool;
use stats_fixture::{date, november, november_program, run_cli};

fn places(rows: &[creator_bot::features::stats::LeaderboardRow]) -> Vec<(i64, &str, i64)> {
    rows.iter()
        .map(|r| (r.rank, r.handle.as_str(), r.value))
        .collect()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn gmv_ties_share_a_rank_and_are_listed_by_handle(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let rows = leaderboard(&pool, &program, Metric::Gmv, november(), 10)
        .await
        .unwrap();
    // finn and eve sold nothing net: not listed.
    assert_eq!(
        places(&rows),
        vec![
            (1, "ava", 18_000),
            (2, "ben", 4_000),
            (3, "dan", 3_000),
            (4, "cleo", 2_500),
            (5, "gus", 1_000),
            (5, "hana", 1_000),
        ]
    );
    assert_eq!(
        serde_json::to_value(&rows[0]).unwrap(),
        json!({"rank": 1, "handle": "ava", "gmv_cents": 18000})
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_limit_cuts_after_n_places(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let rows = leaderboard(&pool, &program, Metric::Gmv, november(), 5)
        .await
        .unwrap();
    assert_eq!(
        places(&rows),
        vec![
            (1, "ava", 18_000),
            (2, "ben", 4_000),
            (3, "dan", 3_000),
            (4, "cleo", 2_500),
            (5, "gus", 1_000),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn videos_and_views(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let videos = leaderboard(&pool, &program, Metric::Videos, november(), 10)
        .await
        .unwrap();
    // ava v1 v2; ben v3 (23:30 on 30 Nov); dan v6; hana v7. Not cleo's v4 (1 Dec), eve's v5 (31 Oct).
    assert_eq!(
        places(&videos),
        vec![(1, "ava", 2), (2, "ben", 1), (2, "dan", 1), (2, "hana", 1)]
    );
    assert_eq!(
        serde_json::to_value(&videos).unwrap()[1],
        json!({"rank": 2, "handle": "ben", "videos": 1})
    );
    let views = leaderboard(&pool, &program, Metric::Views, november(), 10)
        .await
        .unwrap();
    // hana's v7 has 0 views: not listed.
    assert_eq!(
        places(&views),
        vec![(1, "ava", 4_000), (2, "dan", 2_000), (3, "ben", 500)]
    );
    assert_eq!(
        serde_json::to_value(&views).unwrap()[0],
        json!({"rank": 1, "handle": "ava", "views": 4000})
    );
    let empty = Period::new(date("2025-01-01"), date("2025-02-01")).unwrap();
    assert!(
        leaderboard(&pool, &program, Metric::Views, empty, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn tables_and_the_command_line(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let rows = leaderboard(&pool, &program, Metric::Gmv, november(), 3)
        .await
        .unwrap();
    assert_eq!(
        leaderboard_reply(Metric::Gmv, november(), "USD", &rows).text(),
        "\
Leaderboard by GMV, 2026-11-01 to 2026-11-30
#  Creator      GMV
1  @ava     $180.00
2  @ben      $40.00
3  @dan      $30.00"
    );
    assert_eq!(
        leaderboard_reply(Metric::Views, november(), "USD", &[]).text(),
        "Leaderboard by Views, 2026-11-01 to 2026-11-30: nobody yet"
    );
    let (code, stdout, stderr) = run_cli(
        &pool,
        &[
            "--program",
            "glow",
            "leaderboard",
            "--metric",
            "videos",
            "--limit",
            "2",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
            "--format",
            "json",
        ],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap(),
        json!([
            {"rank": 1, "handle": "ava", "videos": 2},
            {"rank": 2, "handle": "ben", "videos": 1}
        ])
    );
    let (code, _, stderr) = run_cli(
        &pool,
        &["--program", "glow", "leaderboard", "--metric", "likes"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("\"likes\" is not a leaderboard metric: use gmv, videos or views"),
        "{stderr}"
    );
}
