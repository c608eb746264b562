//! Unit tests of the tier rules at their edges.

use super::*;

fn cfg() -> TierConfig {
    TierConfig::default()
}

fn gmv(cents: Cents) -> TierMetrics {
    TierMetrics {
        gmv_cents: cents,
        has_sale: cents > 0,
        ..TierMetrics::default()
    }
}

fn earned(m: TierMetrics) -> (Tier, String) {
    let p = earned_tier(&m, &cfg(), "USD");
    (p.tier, p.reason)
}

#[test]
fn all_stars_threshold_is_inclusive() {
    assert_eq!(
        earned(gmv(300_000)),
        (
            Tier::AllStars,
            "trailing 30-day GMV $3,000.00 ≥ $3,000.00".into()
        )
    );
    assert_eq!(
        earned(gmv(299_999)),
        (
            Tier::SteadyEarners,
            "trailing 30-day GMV $2,999.99 ≥ $300.00".into()
        )
    );
}

#[test]
fn steady_threshold_is_inclusive() {
    assert_eq!(
        earned(gmv(30_000)),
        (
            Tier::SteadyEarners,
            "trailing 30-day GMV $300.00 ≥ $300.00".into()
        )
    );
    assert_eq!(
        earned(gmv(29_999)),
        (
            Tier::NewAndPromising,
            "trailing 30-day GMV $299.99 below $300.00".into()
        )
    );
}

#[test]
fn four_videos_need_a_sale() {
    let with_sale = TierMetrics {
        gmv_cents: 1_000,
        has_sale: true,
        videos: 4,
        ..TierMetrics::default()
    };
    assert_eq!(
        earned(with_sale),
        (
            Tier::SteadyEarners,
            "4 videos and a sale in the last 30 days".into()
        )
    );
    let without = TierMetrics {
        videos: 4,
        ..TierMetrics::default()
    };
    assert_eq!(
        earned(without),
        (
            Tier::NewAndPromising,
            "trailing 30-day GMV $0.00 below $300.00; 4 videos but no sale in the last 30 days"
                .into()
        )
    );
    let three = TierMetrics {
        videos: 3,
        ..with_sale
    };
    assert_eq!(earned(three).0, Tier::NewAndPromising);
}

#[test]
fn top_percent_slots_round_up() {
    assert_eq!(top_slots(10, 20), 2);
    assert_eq!(top_slots(10, 25), 3);
    assert_eq!(top_slots(10, 1), 1);
    assert_eq!(top_slots(10, 0), 0);
    assert_eq!(top_slots(0, 500), 0);
    assert_eq!(top_slots(100, 7), 7);
}

#[test]
fn top_percent_with_ties_at_the_cut() {
    // 20 selling creators: 2 slots; two creators tied at rank 2 are both in.
    let tied = TierMetrics {
        gmv_cents: 50_000,
        has_sale: true,
        rank: Some(2),
        selling_creators: 20,
        ..TierMetrics::default()
    };
    assert_eq!(
        earned(tied),
        (
            Tier::AllStars,
            "top 10% of selling creators (rank 2 of 20)".into()
        )
    );
    let third = TierMetrics {
        rank: Some(3),
        ..tied
    };
    assert_eq!(earned(third).0, Tier::SteadyEarners);
    let of_25 = TierMetrics {
        rank: Some(3),
        selling_creators: 25,
        ..tied
    };
    assert_eq!(earned(of_25).0, Tier::AllStars);
    let off = TierConfig {
        all_stars_top_percent: 0,
        ..cfg()
    };
    assert_eq!(
        earned_tier(
            &TierMetrics {
                rank: Some(1),
                ..tied
            },
            &off,
            "USD"
        )
        .tier,
        Tier::SteadyEarners
    );
}

#[test]
fn viral_jump_and_alert() {
    let m = TierMetrics {
        gmv_cents: 1_000_000,
        gmv_7d_cents: 1_000_000,
        has_sale: true,
        ..TierMetrics::default()
    };
    assert_eq!(
        decide(
            Run::DailyCheck,
            Tier::NewAndPromising,
            false,
            &m,
            &cfg(),
            "USD"
        ),
        Decision::Change {
            to: Tier::AllStars,
            kind: ChangeKind::Viral,
            reason: "7-day GMV $10,000.00 ≥ $10,000.00 (went viral)".into(),
            alert_staff: true,
        }
    );
    assert_eq!(
        decide(Run::DailyCheck, Tier::AllStars, false, &m, &cfg(), "USD"),
        Decision::Unchanged
    );
    let almost = TierMetrics {
        gmv_7d_cents: 999_999,
        ..m
    };
    assert_eq!(
        decide(
            Run::DailyCheck,
            Tier::SteadyEarners,
            false,
            &almost,
            &cfg(),
            "USD"
        ),
        Decision::Change {
            to: Tier::AllStars,
            kind: ChangeKind::DailyCheck,
            reason: "trailing 30-day GMV $10,000.00 ≥ $3,000.00".into(),
            alert_staff: false,
        }
    );
}

#[test]
fn daily_check_never_demotes_review_does() {
    let m = gmv(12_000);
    assert_eq!(
        decide(Run::DailyCheck, Tier::AllStars, false, &m, &cfg(), "USD"),
        Decision::Unchanged
    );
    assert_eq!(
        decide(Run::MonthlyReview, Tier::AllStars, false, &m, &cfg(), "USD"),
        Decision::Change {
            to: Tier::NewAndPromising,
            kind: ChangeKind::MonthlyReview,
            reason: "trailing 30-day GMV $120.00 below $300.00".into(),
            alert_staff: false,
        }
    );
    assert_eq!(
        decide(
            Run::MonthlyReview,
            Tier::NewAndPromising,
            false,
            &m,
            &cfg(),
            "USD"
        ),
        Decision::Unchanged
    );
}

#[test]
fn pinned_creators_are_skipped() {
    let m = gmv(1_000_000);
    let viral = TierMetrics {
        gmv_7d_cents: 1_000_000,
        ..gmv(1_000_000)
    };
    for run in [Run::DailyCheck, Run::MonthlyReview] {
        assert_eq!(
            decide(run, Tier::NewAndPromising, true, &m, &cfg(), "USD"),
            Decision::PinnedSkipped { alert_staff: false }
        );
        // The pin holds, but staff hear that a pinned creator went viral.
        assert_eq!(
            decide(run, Tier::SteadyEarners, true, &viral, &cfg(), "USD"),
            Decision::PinnedSkipped { alert_staff: true }
        );
        assert_eq!(
            decide(run, Tier::AllStars, true, &viral, &cfg(), "USD"),
            Decision::PinnedSkipped { alert_staff: false }
        );
    }
}

#[test]
fn next_step_from_new_and_promising() {
    let m = TierMetrics {
        gmv_cents: 12_000,
        has_sale: true,
        videos: 2,
        rank: Some(3),
        selling_creators: 3,
        ..TierMetrics::default()
    };
    assert_eq!(
        next_step(Tier::NewAndPromising, &m, &cfg(), "USD"),
        Some(NextStep {
            tier: Tier::SteadyEarners,
            gap_cents: 18_000,
            videos_needed: Some(2),
            hints: vec![
                "$180.00 more GMV in the trailing 30 days reaches Steady Earners ($300.00)".into(),
                "2 more videos (with a sale) reaches Steady Earners".into(),
            ],
        })
    );
    let no_sale = TierMetrics {
        videos: 5,
        ..TierMetrics::default()
    };
    let step = next_step(Tier::NewAndPromising, &no_sale, &cfg(), "USD").unwrap();
    assert_eq!(step.videos_needed, Some(0));
    assert_eq!(
        step.hints[1],
        "a sale in the trailing 30 days (with 5 videos posted) reaches Steady Earners"
    );
}

#[test]
fn next_step_from_steady_earners() {
    let m = TierMetrics {
        gmv_cents: 175_000,
        has_sale: true,
        rank: Some(5),
        selling_creators: 25,
        ..TierMetrics::default()
    };
    assert_eq!(
        next_step(Tier::SteadyEarners, &m, &cfg(), "USD"),
        Some(NextStep {
            tier: Tier::AllStars,
            gap_cents: 125_000,
            videos_needed: None,
            hints: vec![
                "$1,250.00 more GMV in the trailing 30 days reaches All-Stars ($3,000.00)".into(),
                "a place in the top 10% of selling creators (the top 3 of 25) reaches All-Stars"
                    .into(),
            ],
        })
    );
    assert_eq!(next_step(Tier::AllStars, &m, &cfg(), "USD"), None);
    // Numbers that already earn the tier above (the check has not run yet).
    let ready = gmv(310_000);
    assert_eq!(
        next_step(Tier::SteadyEarners, &ready, &cfg(), "USD")
            .unwrap()
            .hints,
        vec!["already qualifies for All-Stars (trailing 30-day GMV $3,100.00 ≥ $3,000.00)"]
    );
}

#[test]
fn window_is_the_complete_local_days_before_at() {
    let ny: Tz = "America/New_York".parse().unwrap();
    let at = crate::domain::timefmt::parse_datetime("2026-12-01 10:00", ny).unwrap();
    let w = TierWindow::at(at, ny, &cfg());
    assert_eq!(w.first_day.to_string(), "2026-11-01");
    assert_eq!(w.viral_first_day.to_string(), "2026-11-24");
    assert_eq!(w.end_day.to_string(), "2026-12-01");
    // 2026-11-01 starts in daylight time (DST ends at 02:00 that day); 2026-12-01 in standard.
    assert_eq!(w.videos_from.to_rfc3339(), "2026-11-01T04:00:00+00:00");
    assert_eq!(w.videos_to.to_rfc3339(), "2026-12-01T05:00:00+00:00");
}
