//! The charts' numbers, checked against the stats fixture's table (tests/it/stats_fixture), not
//! their pixels: GMV per day with refunds apart and the trailing 7-day average, the leaderboard,
//! the Pareto points and the top 1 / 5 / 10 / 20 % shares, the tier mix at each month end, and one
//! creator's days.

use chrono::NaiveDate;
use creator_bot::charts::data::{self, Bar, CreatorDay, GmvDay, TierMix};
use creator_bot::charts::{ChartMetric, ChartSpec};
use creator_bot::domain::pareto::ParetoShare;
use sqlx::PgPool;

use crate::common;
use crate::stats_fixture::{date, november, november_program};

fn bar(rank: i64, handle: &str, value: i64) -> Bar {
    Bar {
        rank,
        handle: handle.into(),
        value,
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn gmv_per_day_keeps_refunds_apart_and_averages_seven_days(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let s = data::gmv(&pool, &program, november()).await.unwrap();
    assert_eq!(s.days.len(), 30);
    assert_eq!(s.days[0].day, date("2026-11-01"));
    assert_eq!(s.days[29].day, date("2026-11-30"));
    // Net GMV: O1 10000, O2 8000, O4 4000, O9 3000, O6 2500, O15 1000, O16 1000; refunded: O3
    // 2000 (refunded), O5 1500 (ineligible), O13 2000 (refunded); unpaid O7 and O12 nowhere.
    let sales: Vec<(NaiveDate, i64, i64)> = s
        .days
        .iter()
        .filter(|d| d.gmv_cents != 0 || d.refunded_gmv_cents != 0)
        .map(|d| (d.day, d.gmv_cents, d.refunded_gmv_cents))
        .collect();
    assert_eq!(
        sales,
        [
            (date("2026-11-01"), 10_000, 0),
            (date("2026-11-03"), 8_000, 0),
            (date("2026-11-04"), 0, 2_000),
            (date("2026-11-06"), 4_000, 0),
            (date("2026-11-07"), 0, 1_500),
            (date("2026-11-13"), 0, 2_000),
            (date("2026-11-15"), 3_000, 0),
            (date("2026-11-20"), 2_500, 0),
            (date("2026-11-25"), 1_000, 0),
            (date("2026-11-26"), 1_000, 0),
        ]
    );
    assert_eq!((s.gmv_cents(), s.refunded_gmv_cents()), (29_500, 5_500));
    let day = |d: &str| *s.days.iter().find(|x| x.day == date(d)).unwrap();
    // 1 November's week reaches back into October: O11's 1000 on 31 October counts.
    // (1000 + 10000) / 7 = 1571.43.
    assert_eq!(
        day("2026-11-01"),
        GmvDay {
            day: date("2026-11-01"),
            gmv_cents: 10_000,
            refunded_gmv_cents: 0,
            average_7d_cents: 1_571,
        }
    );
    // (1000 + 10000 + 8000) / 7 = 2714.29; refunds never lower the average.
    assert_eq!(day("2026-11-04").average_7d_cents, 2_714);
    // 1–7 November: (10000 + 8000 + 4000) / 7 = 3142.86.
    assert_eq!(day("2026-11-07").average_7d_cents, 3_143);
    // 24–30 November: (1000 + 1000) / 7 = 285.71.
    assert_eq!(day("2026-11-30").average_7d_cents, 286);
    // A week without net sales averages 0, whatever was refunded in it.
    assert_eq!(
        day("2026-11-13"),
        GmvDay {
            day: date("2026-11-13"),
            gmv_cents: 0,
            refunded_gmv_cents: 2_000,
            average_7d_cents: 0,
        }
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_leaderboard_chart_ranks_as_the_leaderboard(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let s = data::leaderboard(&pool, &program, november(), ChartMetric::Gmv)
        .await
        .unwrap();
    assert_eq!(
        s.bars,
        [
            bar(1, "ava", 18_000),
            bar(2, "ben", 4_000),
            bar(3, "dan", 3_000),
            bar(4, "cleo", 2_500),
            bar(5, "gus", 1_000),
            bar(5, "hana", 1_000),
        ]
    );
    // Videos posted in November: ava v1 and v2; ben v3 (23:30 on the 30th); dan v6; hana v7.
    let s = data::leaderboard(&pool, &program, november(), ChartMetric::Videos)
        .await
        .unwrap();
    assert_eq!(
        s.bars,
        [
            bar(1, "ava", 2),
            bar(2, "ben", 1),
            bar(2, "dan", 1),
            bar(2, "hana", 1)
        ]
    );
    let s = data::leaderboard(&pool, &program, november(), ChartMetric::Views)
        .await
        .unwrap();
    assert_eq!(
        s.bars,
        [
            bar(1, "ava", 4_000),
            bar(2, "dan", 2_000),
            bar(3, "ben", 500)
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn pareto_points_and_the_top_shares(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let s = data::pareto(&pool, &program, november()).await.unwrap();
    // Six selling creators: 18000, 4000, 3000, 2500, 1000, 1000 of 29500.
    assert_eq!((s.selling_creators, s.gmv_cents), (6, 29_500));
    let cumulative = [0, 18_000, 22_000, 25_000, 27_500, 28_500, 29_500];
    let expected: Vec<(f64, f64)> = cumulative
        .iter()
        .enumerate()
        .map(|(i, &c)| (i as f64 / 6.0, c as f64 / 29_500.0))
        .collect();
    assert_eq!(s.points, expected);
    // Top 1 %, 5 %, 10 % of 6 is one creator (61.02 %); top 20 % is two (74.58 %).
    let share = |top_percent, creators, gmv_share| ParetoShare {
        top_percent,
        creators,
        gmv_share: Some(gmv_share),
    };
    assert_eq!(
        s.marks,
        [
            share(1, 1, 0.6102),
            share(5, 1, 0.6102),
            share(10, 1, 0.6102),
            share(20, 2, 0.7458)
        ]
    );
}

#[test]
fn a_long_pareto_curve_keeps_its_marks_and_few_points() {
    let period = november();
    // 1234 creators of 1 cent each: the curve is the diagonal.
    let s = data::pareto_series(period, &vec![1; 1_234], 10);
    // Every 124th or so creator, plus the top 1 % (13) and 5 % (62); the top 10 % (124) and
    // 20 % (247) are on the grid already.
    let counts: Vec<usize> = s
        .points
        .iter()
        .map(|(x, _)| (x * 1_234.0).round() as usize)
        .collect();
    assert_eq!(
        counts,
        [
            0, 13, 62, 124, 247, 371, 494, 617, 741, 864, 988, 1_111, 1_234
        ]
    );
    assert!(s.points.iter().all(|(x, y)| (x - y).abs() < 1e-12));
    assert_eq!(
        s.marks.iter().map(|m| m.creators).collect::<Vec<_>>(),
        [13, 62, 124, 247]
    );
    // Nobody sold: no curve and no shares.
    let none = data::pareto_series(period, &[], 10);
    assert!(none.points.is_empty());
    assert_eq!(none.marks[0].gmv_share, None);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_tier_mix_at_each_month_end_comes_from_the_history(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    // Dan (joined 1 September) rose to Steady Earners in September and fell back in October;
    // ava (joined 20 October) moved up on 4 and 5 November (the fixture).
    common::tier_change(
        &pool,
        &program,
        c.dan,
        "steady_earners",
        "rose",
        "2026-09-15 09:00",
    )
    .await;
    common::tier_change(
        &pool,
        &program,
        c.dan,
        "new_and_promising",
        "fell",
        "2026-10-10 09:00",
    )
    .await;
    let s = data::tiers(&pool, &program, date("2026-11-30"))
        .await
        .unwrap();
    let mix = |day: &str, counts: [i64; 3]| TierMix {
        day: date(day),
        counts,
    };
    assert_eq!(
        s.mixes,
        [
            mix("2026-05-31", [0, 0, 0]),
            mix("2026-06-30", [0, 0, 0]),
            mix("2026-07-31", [0, 0, 0]),
            mix("2026-08-31", [0, 0, 0]),
            // Only dan had joined, and was a Steady Earner.
            mix("2026-09-30", [0, 1, 0]),
            // Dan, hana and ava, all New & Promising (ava's moves came in November).
            mix("2026-10-31", [0, 0, 3]),
            // Now: ava an All-Star, the seven others New & Promising.
            mix("2026-11-30", [1, 0, 7]),
        ]
    );
    // On 4 November at the end of the day ava was a Steady Earner (she moved again on the 5th).
    let s = data::tiers(&pool, &program, date("2026-11-04"))
        .await
        .unwrap();
    assert_eq!(s.now(), Some(&mix("2026-11-04", [0, 1, 4])));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creators_days_are_their_own(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let s = data::creator(&pool, &program, c.ava, november())
        .await
        .unwrap();
    assert_eq!(s.handle, "ava");
    assert_eq!(s.days.len(), 30);
    let active: Vec<CreatorDay> = s
        .days
        .iter()
        .copied()
        .filter(|d| d.gmv_cents != 0 || d.videos != 0)
        .collect();
    let day = |d: &str, gmv_cents, videos| CreatorDay {
        day: date(d),
        gmv_cents,
        videos,
    };
    // O1 and O2 (O3 refunded nets to 0), v1 and v2; O10 and nothing else of hers after the 30th.
    assert_eq!(
        active,
        [
            day("2026-11-01", 10_000, 0),
            day("2026-11-02", 0, 1),
            day("2026-11-03", 8_000, 0),
            day("2026-11-10", 0, 1),
        ]
    );
    assert_eq!((s.gmv_cents(), s.videos()), (18_000, 2));
    // Ben's video at 23:30 on 30 November (04:30 UTC on 1 December) is on his 30th.
    let s = data::creator(&pool, &program, c.ben, november())
        .await
        .unwrap();
    let active: Vec<CreatorDay> = s
        .days
        .iter()
        .copied()
        .filter(|d| d.gmv_cents != 0 || d.videos != 0)
        .collect();
    assert_eq!(
        active,
        [day("2026-11-06", 4_000, 0), day("2026-11-30", 0, 1)]
    );
}

#[test]
fn chart_specs_are_stored_as_tagged_json() {
    let spec = ChartSpec::Leaderboard {
        from: date("2026-11-01"),
        to: date("2026-12-01"),
        metric: ChartMetric::Views,
    };
    let json = serde_json::to_value(&spec).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "leaderboard", "from": "2026-11-01", "to": "2026-12-01",
                           "metric": "views"})
    );
    assert_eq!(serde_json::from_value::<ChartSpec>(json).unwrap(), spec);
    assert_eq!(spec.file_name(), "leaderboard.png");
}
