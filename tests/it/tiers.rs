//! `tiers review` and `tiers check` on a real database: thresholds, the top-percent cut with ties,
//! the viral jump and its staff alert, promotions-only checks, dry runs, idempotence, windows.

use crate::common;

use chrono::{DateTime, Utc};
use common::{Line, creator, lines, program, tier_of, video};
use creator_bot::config::{Config, TierConfig};
use creator_bot::db::programs::Program;
use creator_bot::db::tiers::history;
use creator_bot::domain::Tier;
use creator_bot::domain::timefmt::parse_datetime;
use creator_bot::features::tiers::{self, TierChange};
use sqlx::PgPool;

fn at(program: &Program, local: &str) -> DateTime<Utc> {
    parse_datetime(local, program.timezone).unwrap()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn cfg() -> TierConfig {
    Config::default().tiers
}

/// Without the top-percent route, for tests about the other rules.
fn cfg_no_top() -> TierConfig {
    TierConfig {
        all_stars_top_percent: 0,
        ..cfg()
    }
}

fn change(handle: &str, from: Tier, to: Tier, kind: &'static str, reason: &str) -> TierChange {
    TierChange {
        handle: handle.into(),
        from,
        to,
        kind,
        reason: reason.into(),
    }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn gmv_thresholds_are_inclusive_and_net_of_refunds(pool: PgPool) {
    let p = program(&pool).await;
    let a = creator(&pool, &p, "ada", "2026-10-01").await;
    let b = creator(&pool, &p, "bea", "2026-10-01").await;
    let c = creator(&pool, &p, "cyd", "2026-10-01").await;
    let d = creator(&pool, &p, "dot", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[
            Line::settled("o1", a, "2026-11-03 10:00", 200_000),
            Line::settled("o2", a, "2026-11-20 10:00", 100_000),
            Line::settled("o3", b, "2026-11-10 10:00", 299_999),
            // Refunded, ineligible and unpaid lines are not GMV.
            Line {
                refunded: true,
                ..Line::settled("o4", b, "2026-11-11 10:00", 5_000)
            },
            Line {
                status: "ineligible",
                ..Line::settled("o5", b, "2026-11-12 10:00", 5_000)
            },
            Line {
                status: "customer_unpaid",
                ..Line::settled("o6", b, "2026-11-12 11:00", 5_000)
            },
            Line::settled("o7", c, "2026-11-15 10:00", 30_000),
            Line::settled("o8", d, "2026-11-15 10:00", 29_999),
        ],
    )
    .await;
    let now = at(&p, "2026-12-01 09:00");
    let run = tiers::review(&pool, &p, &cfg_no_top(), now, false)
        .await
        .unwrap();
    assert_eq!(
        run.changes,
        vec![
            change(
                "ada",
                Tier::NewAndPromising,
                Tier::AllStars,
                "monthly_review",
                "trailing 30-day GMV $3,000.00 ≥ $3,000.00"
            ),
            change(
                "bea",
                Tier::NewAndPromising,
                Tier::SteadyEarners,
                "monthly_review",
                "trailing 30-day GMV $2,999.99 ≥ $300.00"
            ),
            change(
                "cyd",
                Tier::NewAndPromising,
                Tier::SteadyEarners,
                "monthly_review",
                "trailing 30-day GMV $300.00 ≥ $300.00"
            ),
        ]
    );
    assert_eq!(
        (run.promoted, run.demoted, run.unchanged, run.pinned_skipped),
        (3, 0, 1, 0)
    );
    assert_eq!(tier_of(&pool, "ada").await, "all_stars");
    assert_eq!(tier_of(&pool, "bea").await, "steady_earners");
    assert_eq!(tier_of(&pool, "dot").await, "new_and_promising");
    let h = history(&pool, p.id, a).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].from_tier.as_deref(), Some("new_and_promising"));
    assert_eq!(h[0].to_tier, "all_stars");
    assert_eq!(h[0].kind, "monthly_review");
    assert_eq!(h[0].reason, "trailing 30-day GMV $3,000.00 ≥ $3,000.00");
    assert_eq!(h[0].changed_at, now);
    assert_eq!(h[0].changed_by, "system");
    assert!(!h[0].pinned);
    let since: DateTime<Utc> = sqlx::query_scalar("SELECT tier_since FROM creators WHERE id = $1")
        .bind(a)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(since, now);
    assert_eq!(count(&pool, "tier_history").await, 3);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn four_videos_count_only_with_a_sale(pool: PgPool) {
    let p = program(&pool).await;
    let with_sale = creator(&pool, &p, "with_sale", "2026-10-01").await;
    let no_sale = creator(&pool, &p, "no_sale", "2026-10-01").await;
    let refunded = creator(&pool, &p, "refunded", "2026-10-01").await;
    let three = creator(&pool, &p, "three", "2026-10-01").await;
    for (id, n) in [(with_sale, 4), (no_sale, 4), (refunded, 4), (three, 3)] {
        for i in 0..n {
            let content = format!("v-{id}-{i}");
            let day = format!("2026-11-{:02} 12:00", 10 + i);
            video(&pool, &p, &content, id, None, &day, 100).await;
        }
    }
    lines(
        &pool,
        &p,
        &[
            Line::settled("o1", with_sale, "2026-11-20 10:00", 1_000),
            Line {
                refunded: true,
                ..Line::settled("o2", refunded, "2026-11-20 10:00", 1_000)
            },
            Line::settled("o3", three, "2026-11-20 10:00", 1_000),
        ],
    )
    .await;
    let run = tiers::check(&pool, &p, &cfg_no_top(), at(&p, "2026-12-01 09:00"))
        .await
        .unwrap();
    assert_eq!(
        run.changes,
        vec![change(
            "with_sale",
            Tier::NewAndPromising,
            Tier::SteadyEarners,
            "daily_check",
            "4 videos and a sale in the last 30 days"
        )]
    );
    assert_eq!((run.promoted, run.unchanged), (1, 3));
}

/// `n` selling creators `c01…` with the given GMVs (cents), all sold on 2026-11-15.
async fn sellers(pool: &PgPool, p: &Program, gmvs: &[i64]) {
    let mut all = Vec::new();
    for (i, gmv) in gmvs.iter().enumerate() {
        let handle = format!("c{:02}", i + 1);
        let id = creator(pool, p, &handle, "2026-10-01").await;
        all.push(Line::settled(
            leak(format!("o{}", i + 1)),
            id,
            "2026-11-15 10:00",
            *gmv,
        ));
    }
    lines(pool, p, &all).await;
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn top_ten_percent_takes_everyone_tied_at_the_cut(pool: PgPool) {
    let p = program(&pool).await;
    // 20 selling creators: ceil(10 % × 20) = 2 places; c02 and c03 share rank 2, so both are in.
    let mut gmvs = vec![200_000, 150_000, 150_000, 100_000];
    gmvs.extend((0..16).map(|i| 1_000 + i * 100));
    sellers(&pool, &p, &gmvs).await;
    // A creator who sells nothing is not a selling creator and does not count in N.
    creator(&pool, &p, "idle", "2026-10-01").await;
    let run = tiers::review(&pool, &p, &cfg(), at(&p, "2026-12-01 09:00"), false)
        .await
        .unwrap();
    let promoted: Vec<(String, Tier, String)> = run
        .changes
        .iter()
        .map(|c| (c.handle.clone(), c.to, c.reason.clone()))
        .collect();
    assert_eq!(
        promoted,
        vec![
            (
                "c01".into(),
                Tier::AllStars,
                "top 10% of selling creators (rank 1 of 20)".into()
            ),
            (
                "c02".into(),
                Tier::AllStars,
                "top 10% of selling creators (rank 2 of 20)".into()
            ),
            (
                "c03".into(),
                Tier::AllStars,
                "top 10% of selling creators (rank 2 of 20)".into()
            ),
            (
                "c04".into(),
                Tier::SteadyEarners,
                "trailing 30-day GMV $1,000.00 ≥ $300.00".into()
            ),
        ]
    );
    assert_eq!((run.promoted, run.unchanged), (4, 17));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn top_ten_percent_of_25_is_three_places(pool: PgPool) {
    let p = program(&pool).await;
    let gmvs: Vec<i64> = (0..25).map(|i| 100_000 - i * 1_000).collect();
    sellers(&pool, &p, &gmvs).await;
    let run = tiers::review(&pool, &p, &cfg(), at(&p, "2026-12-01 09:00"), false)
        .await
        .unwrap();
    let all_stars: Vec<&str> = run
        .changes
        .iter()
        .filter(|c| c.to == Tier::AllStars)
        .map(|c| c.handle.as_str())
        .collect();
    assert_eq!(all_stars, ["c01", "c02", "c03"]);
    assert_eq!(
        run.changes[2].reason,
        "top 10% of selling creators (rank 3 of 25)"
    );
    assert_eq!(tier_of(&pool, "c04").await, "steady_earners");
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct OutboxRow {
    dedupe_key: String,
    kind: String,
    creator_id: Option<i64>,
    channel: Option<String>,
    template: Option<String>,
    payload: serde_json::Value,
    due_at: DateTime<Utc>,
    status: String,
}

/// The staff alerts queued (membership actions have their own tests, tests/membership.rs).
async fn outbox(pool: &PgPool) -> Vec<OutboxRow> {
    sqlx::query_as(
        "SELECT dedupe_key, kind, creator_id, channel, template, payload, due_at, status
           FROM outbox WHERE kind = 'staff_alert' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn going_viral_jumps_to_all_stars_and_alerts_staff_once(pool: PgPool) {
    let p = program(&pool).await;
    let viral = creator(&pool, &p, "viral", "2026-10-01").await;
    let almost = creator(&pool, &p, "almost", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[
            // Exactly $10,000 in the 7 complete days before 2026-12-01 (from 2026-11-24 on).
            Line::settled("o1", viral, "2026-11-24 00:00", 600_000),
            Line::settled("o2", viral, "2026-11-30 23:59", 400_000),
            // $9,999.99 inside the 7 days; the $5,000 of 2026-11-23 is outside them.
            Line::settled("o3", almost, "2026-11-23 23:59", 500_000),
            Line::settled("o4", almost, "2026-11-24 10:00", 999_999),
        ],
    )
    .await;
    let now = at(&p, "2026-12-01 09:00");
    let run = tiers::check(&pool, &p, &cfg(), now).await.unwrap();
    assert_eq!(
        run.changes,
        vec![
            change(
                "almost",
                Tier::NewAndPromising,
                Tier::AllStars,
                "daily_check",
                "trailing 30-day GMV $14,999.99 ≥ $3,000.00"
            ),
            change(
                "viral",
                Tier::NewAndPromising,
                Tier::AllStars,
                "viral",
                "7-day GMV $10,000.00 ≥ $10,000.00 (went viral)"
            ),
        ]
    );
    assert_eq!(run.alerts_queued, 1);
    let expected = vec![OutboxRow {
        dedupe_key: format!("tier:viral:{viral}:2026-12-01"),
        kind: "staff_alert".into(),
        creator_id: Some(viral),
        channel: Some("staff".into()),
        template: Some("milestone_viral_alert".into()),
        // The text is rendered from these when the alert is sent.
        payload: serde_json::json!({
            "handle": "viral",
            "gmv_7d_cents": 1_000_000,
            "vars": {"handle": "viral", "gmv": "$10,000.00", "days": 7}
        }),
        due_at: now,
        status: "pending".into(),
    }];
    assert_eq!(outbox(&pool).await, expected);

    // A second check the same day: already an All-Star, so no promotion and no second alert.
    let again = tiers::check(&pool, &p, &cfg(), now).await.unwrap();
    assert_eq!((again.changes.len(), again.alerts_queued), (0, 0));
    // Even if staff put the creator back and the check sees the jump again that day, the alert's
    // dedupe key keeps it to one.
    tiers::set(
        &pool,
        &p,
        &creator_bot::domain::Handle::parse("viral").unwrap(),
        Tier::SteadyEarners,
        "testing",
        "ops",
        now,
    )
    .await
    .unwrap();
    tiers::unpin(
        &pool,
        &p,
        &creator_bot::domain::Handle::parse("viral").unwrap(),
        "testing",
        "ops",
        now,
    )
    .await
    .unwrap();
    let third = tiers::check(&pool, &p, &cfg(), now).await.unwrap();
    assert_eq!(third.changes.len(), 1);
    assert_eq!(third.changes[0].kind, "viral");
    assert_eq!(third.alerts_queued, 0);
    assert_eq!(outbox(&pool).await, expected);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn daily_check_never_demotes_but_the_monthly_review_does(pool: PgPool) {
    let p = program(&pool).await;
    let star = creator(&pool, &p, "star", "2026-09-01").await;
    lines(
        &pool,
        &p,
        &[Line::settled("o1", star, "2026-10-20 10:00", 350_000)],
    )
    .await;
    let nov5 = at(&p, "2026-11-05 09:00");
    let up = tiers::check(&pool, &p, &cfg(), nov5).await.unwrap();
    assert_eq!(up.promoted, 1);
    assert_eq!(tier_of(&pool, "star").await, "all_stars");

    // By December the sales have left the window: the check keeps the tier…
    let dec1 = at(&p, "2026-12-01 09:00");
    let check = tiers::check(&pool, &p, &cfg(), dec1).await.unwrap();
    assert_eq!((check.promoted, check.demoted, check.unchanged), (0, 0, 1));
    assert!(check.changes.is_empty());
    assert_eq!(tier_of(&pool, "star").await, "all_stars");
    // …and the monthly review demotes.
    let review = tiers::review(&pool, &p, &cfg(), dec1, false).await.unwrap();
    assert_eq!(
        review.changes,
        vec![change(
            "star",
            Tier::AllStars,
            Tier::NewAndPromising,
            "monthly_review",
            "trailing 30-day GMV $0.00 below $300.00"
        )]
    );
    assert_eq!((review.promoted, review.demoted), (0, 1));
    let h = history(&pool, p.id, star).await.unwrap();
    let rows: Vec<_> = h
        .iter()
        .map(|r| (r.from_tier.as_deref(), r.to_tier.as_str(), r.kind.as_str()))
        .collect();
    let reasons: Vec<_> = h
        .iter()
        .map(|r| (r.reason.as_str(), r.changed_at))
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some("new_and_promising"), "all_stars", "daily_check"),
            (Some("all_stars"), "new_and_promising", "monthly_review"),
        ]
    );
    assert_eq!(
        reasons,
        vec![
            ("trailing 30-day GMV $3,500.00 ≥ $3,000.00", nov5),
            ("trailing 30-day GMV $0.00 below $300.00", dec1),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn dry_run_writes_nothing_and_a_second_review_changes_nothing(pool: PgPool) {
    let p = program(&pool).await;
    let big = creator(&pool, &p, "big", "2026-10-01").await;
    let mid = creator(&pool, &p, "mid", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[
            Line::settled("o1", big, "2026-11-28 10:00", 1_200_000),
            Line::settled("o2", mid, "2026-11-10 10:00", 50_000),
        ],
    )
    .await;
    let now = at(&p, "2026-12-01 09:00");
    let dry = tiers::review(&pool, &p, &cfg_no_top(), now, true)
        .await
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(
        dry.changes,
        vec![
            change(
                "big",
                Tier::NewAndPromising,
                Tier::AllStars,
                "viral",
                "7-day GMV $12,000.00 ≥ $10,000.00 (went viral)"
            ),
            change(
                "mid",
                Tier::NewAndPromising,
                Tier::SteadyEarners,
                "monthly_review",
                "trailing 30-day GMV $500.00 ≥ $300.00"
            ),
        ]
    );
    assert_eq!((dry.promoted, dry.alerts_queued), (2, 0));
    assert_eq!(count(&pool, "tier_history").await, 0);
    assert_eq!(count(&pool, "outbox").await, 0);
    assert_eq!(tier_of(&pool, "big").await, "new_and_promising");

    let real = tiers::review(&pool, &p, &cfg_no_top(), now, false)
        .await
        .unwrap();
    assert_eq!(real.changes, dry.changes);
    assert_eq!(real.alerts_queued, 1);
    assert_eq!(count(&pool, "tier_history").await, 2);

    let again = tiers::review(&pool, &p, &cfg_no_top(), now, false)
        .await
        .unwrap();
    assert!(again.changes.is_empty());
    assert_eq!(
        (
            again.promoted,
            again.demoted,
            again.unchanged,
            again.alerts_queued
        ),
        (0, 0, 2, 0)
    );
    assert_eq!(count(&pool, "tier_history").await, 2);
    assert_eq!(outbox(&pool).await.len(), 1);
    // Two changes, each a revoke and a grant, queued once.
    assert_eq!(count(&pool, "outbox").await, 1 + 4);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_window_is_the_30_complete_local_days_before_at(pool: PgPool) {
    let p = program(&pool).await;
    let first = creator(&pool, &p, "first_midnight", "2026-10-01").await;
    let today = creator(&pool, &p, "sold_today", "2026-10-01").await;
    let before = creator(&pool, &p, "day_before", "2026-10-01").await;
    let vids_in = creator(&pool, &p, "videos_in", "2026-10-01").await;
    let vids_out = creator(&pool, &p, "videos_out", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[
            // Local midnight at the window's start counts.
            Line::settled("o1", first, "2026-11-01 00:00", 30_000),
            // The day of `at` is not over: it does not count, even before `at`.
            Line::settled("o2", today, "2026-12-01 08:00", 30_000),
            Line::settled("o3", before, "2026-10-31 23:59", 30_000),
            Line::settled("o4", vids_in, "2026-11-15 10:00", 500),
            Line::settled("o5", vids_out, "2026-11-15 10:00", 500),
        ],
    )
    .await;
    for (i, when) in [
        "2026-11-01 00:00",
        "2026-11-05 10:00",
        "2026-11-06 10:00",
        "2026-11-30 23:59",
    ]
    .iter()
    .enumerate()
    {
        video(&pool, &p, &format!("in{i}"), vids_in, None, when, 10).await;
    }
    for (i, when) in [
        "2026-10-31 23:59",
        "2026-11-05 10:00",
        "2026-11-06 10:00",
        "2026-12-01 00:00",
    ]
    .iter()
    .enumerate()
    {
        video(&pool, &p, &format!("out{i}"), vids_out, None, when, 10).await;
    }
    let run = tiers::review(&pool, &p, &cfg_no_top(), at(&p, "2026-12-01 09:00"), false)
        .await
        .unwrap();
    let moved: Vec<(&str, Tier)> = run
        .changes
        .iter()
        .map(|c| (c.handle.as_str(), c.to))
        .collect();
    assert_eq!(
        moved,
        [
            ("first_midnight", Tier::SteadyEarners),
            ("videos_in", Tier::SteadyEarners)
        ]
    );
    assert_eq!(run.unchanged, 3);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_zero_value_sale_makes_a_selling_creator_as_in_the_kpis(pool: PgPool) {
    let p = program(&pool).await;
    // Ten creators with GMV, and one whose only net line is a settled $0.00 order: 11 selling
    // creators (as `kpi` counts them), so the top 10 % is ceil(1.1) = 2 places, not 1.
    let gmvs: Vec<i64> = (0..10).map(|i| 100_000 - i * 1_000).collect();
    sellers(&pool, &p, &gmvs).await;
    let free = creator(&pool, &p, "free", "2026-10-01").await;
    lines(
        &pool,
        &p,
        &[Line::settled("o-free", free, "2026-11-15 10:00", 0)],
    )
    .await;
    let run = tiers::review(&pool, &p, &cfg(), at(&p, "2026-12-01 09:00"), false)
        .await
        .unwrap();
    let all_stars: Vec<(&str, &str)> = run
        .changes
        .iter()
        .filter(|c| c.to == Tier::AllStars)
        .map(|c| (c.handle.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        all_stars,
        [
            ("c01", "top 10% of selling creators (rank 1 of 11)"),
            ("c02", "top 10% of selling creators (rank 2 of 11)"),
        ]
    );
    // A $0.00 seller is never All-Stars by rank, however few sell.
    assert_eq!(tier_of(&pool, "free").await, "new_and_promising");
    let kpis = creator_bot::features::stats::program_kpis(
        &pool,
        &p,
        creator_bot::domain::Period::new(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(kpis.selling_creators, 11);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_pinned_creator_who_goes_viral_keeps_the_pin_but_staff_hear_of_it(pool: PgPool) {
    let p = program(&pool).await;
    let pinned = creator(&pool, &p, "pinned", "2026-10-01").await;
    let t0 = at(&p, "2026-11-20 09:00");
    tiers::set(
        &pool,
        &p,
        &creator_bot::domain::Handle::parse("pinned").unwrap(),
        Tier::SteadyEarners,
        "trial month",
        "ops",
        t0,
    )
    .await
    .unwrap();
    lines(
        &pool,
        &p,
        &[Line::settled("o1", pinned, "2026-11-28 10:00", 1_200_000)],
    )
    .await;
    let run = tiers::check(&pool, &p, &cfg(), at(&p, "2026-12-01 09:00"))
        .await
        .unwrap();
    assert_eq!((run.changes.len(), run.pinned_skipped), (0, 1));
    assert_eq!(run.alerts_queued, 1);
    assert_eq!(tier_of(&pool, "pinned").await, "steady_earners");
    let rows = outbox(&pool).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].dedupe_key,
        format!("tier:viral:{pinned}:2026-12-01")
    );
    assert_eq!(
        rows[0].payload,
        serde_json::json!({
            "handle": "pinned",
            "gmv_7d_cents": 1_200_000,
            "vars": {"handle": "pinned", "gmv": "$12,000.00", "days": 7}
        })
    );
    // The next check the same day queues nothing more.
    let again = tiers::check(&pool, &p, &cfg(), at(&p, "2026-12-01 10:00"))
        .await
        .unwrap();
    assert_eq!(again.alerts_queued, 0);
}
