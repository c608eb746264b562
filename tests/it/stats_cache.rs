//! The stats kept between calls (boards, activity sums, counts) against a fresh computation in
//! SQL, and the change log that tells them a write happened: every answer served from a cache is
//! what the database gives at that moment, before and after writes of every kind.

use crate::common;
use crate::stats_fixture;

use chrono::{DateTime, Utc};
use creator_bot::db::programs::Program;
use creator_bot::db::stats::leaderboard::{RankedBy, ranked_in, standing};
use creator_bot::db::stats::{ChangeStamp, change_stamp};
use creator_bot::domain::Tier;
use creator_bot::domain::tier_rules::TierWindow;
use creator_bot::domain::timefmt::start_of_day;
use creator_bot::features::stats::{self, Metric, counts, program_kpis, top_creators};
use creator_bot::features::tiers;
use sqlx::PgPool;
use stats_fixture::{Creators, date, november, november_program};

async fn stamp(pool: &PgPool, program: &Program, source: &str) -> i64 {
    let s: ChangeStamp = change_stamp(pool, program.id, source).await.unwrap();
    s.changes
}

fn instants(program: &Program, from: &str, to: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start_of_day(date(from), program.timezone),
        start_of_day(date(to), program.timezone),
    )
}

/// Every board answer against the SQL ranking, for each metric, limit and tier scope.
async fn assert_boards_match_sql(pool: &PgPool, program: &Program, c: &Creators) {
    let days = (date("2026-11-01"), date("2026-12-01"));
    let at = instants(program, "2026-11-01", "2026-12-01");
    for by in [RankedBy::Gmv, RankedBy::Videos, RankedBy::Views] {
        for tier in [None, Some("all_stars"), Some("new_and_promising")] {
            for limit in 0..=9 {
                let cached = top_creators(pool, program.id, by, (days, at), tier, limit)
                    .await
                    .unwrap();
                let fresh = ranked_in(pool, program.id, by, days, at, tier, limit)
                    .await
                    .unwrap();
                assert_eq!(cached, fresh, "{by:?} {tier:?} top {limit}");
            }
        }
    }
    let all = [c.ava, c.ben, c.cleo, c.dan, c.eve, c.finn, c.gus, c.hana];
    for metric in Metric::ALL {
        let by = match metric {
            Metric::Gmv => RankedBy::Gmv,
            Metric::Videos => RankedBy::Videos,
            Metric::Views => RankedBy::Views,
        };
        for id in all {
            let cached = stats::place_of(pool, program, metric, november(), id)
                .await
                .unwrap()
                .map(|p| (p.rank, p.handle, p.value));
            let fresh = standing(pool, program.id, by, days, at, id)
                .await
                .unwrap()
                .map(|r| (r.rank, r.handle, r.value));
            assert_eq!(cached, fresh, "{metric} place of {id}");
        }
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn boards_give_what_the_sql_ranking_gives_before_and_after_writes(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    common::set_tier(&pool, c.ben, "all_stars").await;
    common::set_tier(&pool, c.gus, "all_stars").await;
    assert_boards_match_sql(&pool, &program, &c).await;
    // Asked again (served from the boards), then after each kind of write.
    assert_boards_match_sql(&pool, &program, &c).await;
    common::video(
        &pool,
        &program,
        "new1",
        c.gus,
        None,
        "2026-11-20 10:00",
        900_000,
    )
    .await;
    common::lines(
        &pool,
        &program,
        &[common::Line::settled(
            "N1",
            c.eve,
            "2026-11-21 09:00",
            2_500,
        )],
    )
    .await;
    common::set_tier(&pool, c.eve, "all_stars").await;
    assert_boards_match_sql(&pool, &program, &c).await;
    sqlx::query("UPDATE videos SET views = 0 WHERE content_id = 'new1'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM videos WHERE creator_id = $1")
        .bind(c.ava)
        .execute(&pool)
        .await
        .unwrap();
    assert_boards_match_sql(&pool, &program, &c).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_change_log_counts_writing_transactions_of_what_the_caches_read(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let activity = stamp(&pool, &program, "activity").await;
    common::video(&pool, &program, "x1", c.eve, None, "2026-11-02 10:00", 5).await;
    assert_eq!(stamp(&pool, &program, "activity").await, activity + 1);
    // Two statements in one transaction: one change.
    let mut tx = pool.begin().await.unwrap();
    for id in ["x2", "x3"] {
        sqlx::query(
            "INSERT INTO videos (program_id, content_id, creator_id, posted_at)
             VALUES ($1, $2, $3, now())",
        )
        .bind(program.id)
        .bind(id)
        .bind(c.eve)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE samples SET delivered_on = shipped_on WHERE program_id = $1")
        .bind(program.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(stamp(&pool, &program, "activity").await, activity + 2);

    // A stage move is not a tier change; a tier change and a new creator are.
    let tiers = stamp(&pool, &program, "tiers").await;
    let accounts = stamp(&pool, &program, "accounts").await;
    sqlx::query("UPDATE creators SET stage = 'active', tier = tier WHERE program_id = $1")
        .bind(program.id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(stamp(&pool, &program, "tiers").await, tiers);
    common::set_tier(&pool, c.eve, "steady_earners").await;
    assert_eq!(stamp(&pool, &program, "tiers").await, tiers + 1);
    common::creator(&pool, &program, "zed", "2026-11-03").await;
    assert_eq!(stamp(&pool, &program, "tiers").await, tiers + 2);
    assert_eq!(stamp(&pool, &program, "accounts").await, accounts + 1);

    // Linking counts; remembering a DM channel does not.
    sqlx::query(
        "INSERT INTO chat_workspaces (program_id, platform, workspace_id) VALUES ($1, 'discord', 'g1');
         ",
    )
    .bind(program.id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id)
         VALUES ($1, 'discord', 'g1', 'u1', $2)",
    )
    .bind(program.id)
    .bind(c.eve)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(stamp(&pool, &program, "accounts").await, accounts + 3);
    sqlx::query("UPDATE chat_identities SET dm_channel_id = 'dm1' WHERE user_id = 'u1'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(stamp(&pool, &program, "accounts").await, accounts + 3);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn kpis_follow_new_videos_and_samples(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let before = program_kpis(&pool, &program, november()).await.unwrap();
    assert_eq!(
        program_kpis(&pool, &program, november()).await.unwrap(),
        before
    );
    common::video_engaged(
        &pool,
        &program,
        "k1",
        c.finn,
        Some("p1"),
        "2026-11-09 12:00",
        [1_000, 10, 5, 5],
    )
    .await;
    let after = program_kpis(&pool, &program, november()).await.unwrap();
    assert_eq!(after.activated_creators, before.activated_creators + 1);
    assert_eq!(after.views, before.views + 1_000);
    // cleo's sample in transit is delivered: one more delivered sample, no video after it.
    sqlx::query("UPDATE samples SET delivered_on = '2026-11-27' WHERE creator_id = $1")
        .bind(c.cleo)
        .execute(&pool)
        .await
        .unwrap();
    let delivered = program_kpis(&pool, &program, november()).await.unwrap();
    assert_ne!(
        delivered.sample_conversion_rate,
        after.sample_conversion_rate
    );
    assert_eq!(delivered.views, after.views);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn tier_why_places_a_creator_as_the_full_pass_does(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let cfg = common::config().tiers;
    let at = common::local(&program, "2026-11-28 12:00");
    let window = TierWindow::at(at, program.timezone, &cfg);
    let handles = ["ava", "ben", "cleo", "dan", "eve", "finn", "gus", "hana"];
    for round in 0..2 {
        let all = creator_bot::db::tiers::standings(&pool, program.id, &window, None)
            .await
            .unwrap();
        for handle in handles {
            let full = all.iter().find(|s| s.handle == handle).unwrap();
            let why = tiers::why(
                &pool,
                &program,
                &cfg,
                &creator_bot::domain::Handle::parse(handle).unwrap(),
                at,
            )
            .await
            .unwrap();
            let m = full.metrics;
            assert_eq!(
                (why.gmv_cents, why.videos, why.has_sale, why.rank),
                (m.gmv_cents, m.videos, m.has_sale, m.rank),
                "{handle}, round {round}"
            );
            assert_eq!(why.selling_creators, m.selling_creators);
            assert_eq!(why.gmv_7d_cents, m.gmv_7d_cents);
        }
        if round == 1 {
            break;
        }
        // A sale that moves ranks, then the same questions again.
        common::lines(
            &pool,
            &program,
            &[common::Line::settled(
                "W1",
                c.gus,
                "2026-11-26 09:00",
                50_000,
            )],
        )
        .await;
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn counts_follow_tier_changes_links_and_first_videos(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let fresh_mix = || creator_bot::db::tiers::tier_mix(&pool, program.id);
    let before = counts::tier_mix(&pool, &program).await.unwrap();
    assert_eq!(before, fresh_mix().await.unwrap());
    assert_eq!(counts::tier_mix(&pool, &program).await.unwrap(), before);
    common::set_tier(&pool, c.eve, "all_stars").await;
    let after = counts::tier_mix(&pool, &program).await.unwrap();
    assert_eq!(after, fresh_mix().await.unwrap());
    assert_eq!(after[0], (Tier::AllStars, before[0].1 + 1));

    assert_eq!(counts::unlinked_creators(&pool, &program).await.unwrap(), 8);
    sqlx::query(
        "INSERT INTO chat_workspaces (program_id, platform, workspace_id) VALUES ($1, 'discord', 'g1')",
    )
    .bind(program.id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id)
         VALUES ($1, 'discord', 'g1', 'u1', $2)",
    )
    .bind(program.id)
    .bind(c.ava)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(counts::unlinked_creators(&pool, &program).await.unwrap(), 7);

    // First videos of the week, against the definition: the earliest video ever falls in it.
    let (from, to) = instants(&program, "2026-11-01", "2026-11-08");
    let fresh = |pool: PgPool| async move {
        sqlx::query_scalar::<_, String>(
            "SELECT c.handle FROM creators c
               JOIN (SELECT creator_id, MIN(posted_at) AS first FROM videos
                      WHERE program_id = $1 GROUP BY creator_id) f ON f.creator_id = c.id
              WHERE c.program_id = $1 AND f.first >= $2 AND f.first < $3
              ORDER BY c.handle",
        )
        .bind(program.id)
        .bind(from)
        .bind(to)
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let first = counts::new_activations(&pool, &program, from, to)
        .await
        .unwrap();
    assert_eq!(first, fresh(pool.clone()).await);
    common::video(&pool, &program, "f1", c.finn, None, "2026-11-03 10:00", 1).await;
    common::video(&pool, &program, "f0", c.gus, None, "2026-10-03 10:00", 1).await;
    let again = counts::new_activations(&pool, &program, from, to)
        .await
        .unwrap();
    assert!(again.contains(&"finn".to_string()));
    assert_eq!(again, fresh(pool.clone()).await);
}
