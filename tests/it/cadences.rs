//! The tier channels' cadences on a real database, delivered through the dispatcher into the
//! recording sender: the exact posts each channel gets, when, and once.

use crate::common;

use chrono::{DateTime, Utc};
use common::{Line, creator, lines, local, program, set_tier, video};
use creator_bot::chat::Recipient;
use creator_bot::db::programs::Program;
use creator_bot::domain::{Period, Tier};
use creator_bot::features::cadences::checkins::{self, AnswerError};
use creator_bot::features::cadences::competitions::{self, CompetitionError, NewCompetition};
use creator_bot::features::cadences::{Cadence, pulse, steady_update};
use creator_bot::templates::Templates;
use sqlx::PgPool;

/// Sends everything due at `at` and returns (channel, text) of what went out.
async fn sent(pool: &PgPool, at: DateTime<Utc>) -> Vec<(String, String)> {
    common::lifecycle::deliver(pool, at)
        .await
        .into_iter()
        .filter_map(|r| match r.message.to {
            Recipient::Channel(c) => Some((c.key(), r.message.text)),
            Recipient::Creator { .. } | Recipient::ChatUser { .. } => None,
        })
        .collect()
}

fn post(channel: &str, text: &str) -> (String, String) {
    (channel.to_string(), text.to_string())
}

fn at<'a>(p: &'a Program, t: &'a Templates, when: &str) -> Cadence<'a> {
    Cadence {
        program: p,
        templates: t,
        instant: local(p, when),
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_check_in_records_answers_and_tells_staff_who_did_not_answer(pool: PgPool) {
    let p = program(&pool).await;
    let t = common::templates();
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    let bo = creator(&pool, &p, "bo", "2026-10-01").await;
    let cy = creator(&pool, &p, "cy", "2026-10-01").await;
    set_tier(&pool, ana, "all_stars").await;
    set_tier(&pool, bo, "all_stars").await;
    set_tier(&pool, cy, "steady_earners").await;
    let early = local(&p, "2026-11-22 18:00");
    let err = checkins::answer(&pool, &p, ana, Tier::AllStars, "Serum video", early)
        .await
        .unwrap_err();
    assert_eq!(err.downcast_ref(), Some(&AnswerError::NoCheckin));

    let monday = at(&p, &t, "2026-11-23 10:00");
    assert!(checkins::post(&pool, &monday).await.unwrap());
    assert!(!checkins::post(&pool, &monday).await.unwrap());
    assert_eq!(
        sent(&pool, monday.instant).await,
        vec![post(
            "tier:all_stars",
            "☀️ Weekly check-in, week of 23 Nov 2026\n\nAll-Stars, what are you filming this week, and what do you need from the glow program team (samples, early access to new products, a brief, a rate question)? Answer with /checkin followed by a line or two, and we'll get back to each of you."
        )]
    );

    let tuesday = local(&p, "2026-11-24 12:00");
    let day = checkins::answer(
        &pool,
        &p,
        ana,
        Tier::AllStars,
        "  GRWM with the serum ",
        tuesday,
    )
    .await
    .unwrap();
    assert_eq!(day.to_string(), "2026-11-23");
    // A second answer replaces the first.
    checkins::answer(
        &pool,
        &p,
        ana,
        Tier::AllStars,
        "GRWM with the serum; need the new SPF",
        tuesday,
    )
    .await
    .unwrap();
    let err = checkins::answer(&pool, &p, cy, Tier::SteadyEarners, "me too", tuesday)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the weekly check-in is for All-Stars; you are in Steady Earners"
    );

    let wednesday = at(&p, &t, "2026-11-25 10:00");
    assert!(checkins::report(&pool, &wednesday).await.unwrap());
    assert!(!checkins::report(&pool, &wednesday).await.unwrap());
    assert_eq!(
        sent(&pool, wednesday.instant).await,
        vec![post(
            "staff",
            "All-Stars check-in of 23 Nov 2026: 1 answered, 1 did not.\n\nAnswered:\n• @ana: GRWM with the serum; need the new SPF\n\nNo answer yet:\n• @bo"
        )]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_weekly_pulse_compares_with_the_week_before(pool: PgPool) {
    let p = program(&pool).await;
    let t = common::templates();
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    let bo = creator(&pool, &p, "bo", "2026-10-01").await;
    // Ana and Bo have chat accounts; Cy, who joined later, has not linked one yet.
    crate::common::app::connect_recording(&pool, p.id).await;
    creator(&pool, &p, "cy", "2026-11-20").await;
    lines(
        &pool,
        &p,
        &[
            // The week before (9–15 Nov): $200.
            Line::settled("o1", ana, "2026-11-10 10:00", 20_000),
            // Last week (16–22 Nov): $250 by Ana, $100 by Bo, one refunded line.
            Line::settled("o2", ana, "2026-11-16 00:30", 25_000),
            Line::settled("o3", bo, "2026-11-22 23:59", 10_000),
            Line {
                refunded: true,
                ..Line::settled("o4", bo, "2026-11-20 10:00", 5_000)
            },
            // Bo's first net sale is o3 (o4 was refunded); Ana's was the week before.
            // Today (Monday 23 Nov) is not in the week.
            Line::settled("o5", bo, "2026-11-23 08:00", 99_000),
        ],
    )
    .await;
    video(&pool, &p, "v1", ana, None, "2026-10-20 10:00", 100).await;
    video(&pool, &p, "v2", ana, None, "2026-11-18 10:00", 100).await;
    video(&pool, &p, "v3", bo, None, "2026-11-19 10:00", 100).await;

    let monday = at(&p, &t, "2026-11-23 09:00");
    assert!(pulse::post(&pool, &monday).await.unwrap());
    // The GMV chart of the 8 weeks before Monday 23 November goes with the post.
    let extra: serde_json::Value = sqlx::query_scalar(
        "SELECT payload - 'text' FROM outbox WHERE dedupe_key = 'cadence:weekly_pulse:2026-11-23'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        extra,
        serde_json::json!({"charts": [{"kind": "gmv", "from": "2026-09-28", "to": "2026-11-23"}]})
    );
    assert_eq!(
        sent(&pool, monday.instant).await,
        vec![post(
            "staff",
            "Weekly pulse, 16 Nov 2026 – 22 Nov 2026\n• GMV: $350.00 (+75.0% vs $200.00 the week before)\n• Orders: 2\n• New activations: 1 (@bo)\n• First sales: 1 (@bo)\n• Top creators: @ana $250.00, @bo $100.00\n• Not linked to a chat account: 1 creator (the bot can't DM them until they /link their TikTok handle)"
        )]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_steady_earners_update_comes_every_other_week(pool: PgPool) {
    let p = program(&pool).await;
    let t = common::templates();
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    let bo = creator(&pool, &p, "bo", "2026-10-01").await;
    let star = creator(&pool, &p, "star", "2026-10-01").await;
    set_tier(&pool, ana, "steady_earners").await;
    set_tier(&pool, bo, "steady_earners").await;
    set_tier(&pool, star, "all_stars").await;
    lines(
        &pool,
        &p,
        &[
            Line::settled("o1", ana, "2026-11-20 10:00", 40_000),
            Line::settled("o2", bo, "2026-11-21 10:00", 55_000),
            // All-Stars are not on the Steady Earners' leaderboard.
            Line::settled("o3", star, "2026-11-21 10:00", 900_000),
        ],
    )
    .await;
    video(&pool, &p, "v1", ana, Some("p1"), "2026-11-25 10:00", 12_400).await;
    video(&pool, &p, "v2", star, None, "2026-11-26 10:00", 150_000).await;
    // Posted before the fortnight: not a top video of it.
    video(&pool, &p, "v0", bo, None, "2026-11-18 23:59", 999_999).await;
    sqlx::query(
        "INSERT INTO products (program_id, product_id, name, unit_cost_cents, launched_on)
         VALUES ($1, 'p1', 'Glow Serum', 900, '2026-09-01'), ($1, 'p9', 'Night Mask', 700, '2026-11-20')",
    )
    .bind(p.id)
    .execute(&pool)
    .await
    .unwrap();

    // Thursday 3 December 2026 is in a week that starts a fortnight (counted from Monday
    // 1 January 2024); 26 November is not.
    assert_eq!(steady_update::cycle("2026-11-26".parse().unwrap(), 2), None);
    let thursday = at(&p, &t, "2026-12-03 10:00");
    let n = steady_update::cycle(thursday.today(), 2).unwrap();
    assert!(steady_update::post(&pool, &thursday, 2).await.unwrap());
    assert!(!steady_update::post(&pool, &thursday, 2).await.unwrap());
    let tip = t.tip(n as usize).to_string();
    assert_eq!(
        sent(&pool, thursday.instant).await,
        vec![post(
            "tier:steady_earners",
            &format!(
                "📈 Steady Earners update, 19 Nov 2026 – 2 Dec 2026\n\nTop videos:\n• @star: 150,000 views\n• @ana: 12,400 views (Glow Serum)\n\nLeaderboard (GMV):\n1. @bo: $550.00\n2. @ana: $400.00\n\nTip of the fortnight: {tip}\n\nNew products to feature:\n• Night Mask"
            )
        )]
    );
    // The week after is not an update week.
    let next = at(&p, &t, "2026-12-10 10:00");
    assert!(!steady_update::post(&pool, &next, 2).await.unwrap());
    // Tips rotate: the next update has the next tip.
    assert_eq!(
        steady_update::cycle(at(&p, &t, "2026-12-17 10:00").today(), 2),
        Some(n + 1)
    );
    assert_ne!(t.tip(n as usize), t.tip(n as usize + 1));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_competition_is_announced_ranked_and_won(pool: PgPool) {
    let p = program(&pool).await;
    let t = common::templates();
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    let bo = creator(&pool, &p, "bo", "2026-10-01").await;
    let star = creator(&pool, &p, "star", "2026-10-01").await;
    for id in [ana, bo] {
        set_tier(&pool, id, "steady_earners").await;
    }
    set_tier(&pool, star, "all_stars").await;
    let start = local(&p, "2026-11-30 15:00");
    let new = NewCompetition {
        name: "Holiday Sprint".into(),
        metric: "gmv".into(),
        period: Period::new("2026-12-01".parse().unwrap(), "2026-12-08".parse().unwrap()).unwrap(),
        tier: Some(Tier::SteadyEarners),
        prize: "$500 gift card".into(),
    };
    competitions::start(&pool, &p, &t, &new, "Maya", start)
        .await
        .unwrap();
    let again = competitions::start(&pool, &p, &t, &new, "Maya", start)
        .await
        .unwrap_err();
    assert_eq!(
        again.downcast_ref(),
        Some(&CompetitionError::NameTaken("Holiday Sprint".into()))
    );
    assert_eq!(
        sent(&pool, start).await,
        vec![post(
            "competitions",
            "🏁 New competition: Holiday Sprint\nMost GMV from 1 Dec 2026 to 7 Dec 2026 wins, open to Steady Earners. Prize: $500 gift card.\n\nGood luck, everyone!"
        )]
    );

    lines(
        &pool,
        &p,
        &[
            // Before the start: does not count.
            Line::settled("o0", bo, "2026-11-30 23:00", 90_000),
            Line::settled("o1", ana, "2026-12-01 00:10", 30_000),
            Line::settled("o2", bo, "2026-12-02 10:00", 20_000),
            // Not in the tier: does not compete.
            Line::settled("o3", star, "2026-12-02 10:00", 500_000),
        ],
    )
    .await;
    let thursday = at(&p, &t, "2026-12-03 12:00");
    assert_eq!(
        competitions::post_standings(&pool, &thursday)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        competitions::post_standings(&pool, &thursday)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        sent(&pool, thursday.instant).await,
        vec![post(
            "competitions",
            "Holiday Sprint: standings (most GMV, ends 7 Dec 2026)\n1. @ana: $300.00\n2. @bo: $200.00"
        )]
    );
    // The post carries the standings chart, drawn when it is sent.
    let (id, charts): (i64, serde_json::Value) = sqlx::query_as(
        "SELECT c.id, o.payload->'charts' FROM outbox o, competitions c
          WHERE o.dedupe_key LIKE 'competition:%:standings:%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        charts,
        serde_json::json!([{"kind": "competition", "competition_id": id}])
    );

    // The last day counts; winners are announced once the competition is over.
    lines(
        &pool,
        &p,
        &[Line::settled("o4", bo, "2026-12-07 23:30", 15_000)],
    )
    .await;
    let late_sunday = at(&p, &t, "2026-12-07 23:59");
    assert_eq!(
        competitions::close_finished(&pool, &late_sunday)
            .await
            .unwrap(),
        0
    );
    let over = at(&p, &t, "2026-12-08 00:05");
    assert_eq!(competitions::close_finished(&pool, &over).await.unwrap(), 1);
    assert_eq!(competitions::close_finished(&pool, &over).await.unwrap(), 0);
    assert_eq!(
        sent(&pool, over.instant).await,
        vec![post(
            "competitions",
            "🏆 Holiday Sprint is over!\n1. @bo: $350.00\n2. @ana: $300.00\n\nCongratulations! Prize: $500 gift card. We'll be in touch."
        )]
    );
    let err = competitions::end(&pool, &p, &t, "holiday sprint", over.instant)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "\"Holiday Sprint\" is over already");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn staff_can_end_a_competition_early_and_bad_ones_are_refused(pool: PgPool) {
    let p = program(&pool).await;
    let t = common::templates();
    let ana = creator(&pool, &p, "ana", "2026-10-01").await;
    video(&pool, &p, "v1", ana, None, "2026-12-02 10:00", 100).await;
    video(&pool, &p, "v2", ana, None, "2026-12-03 10:00", 100).await;
    let now = local(&p, "2026-12-01 09:00");
    let period =
        |from: &str, to: &str| Period::new(from.parse().unwrap(), to.parse().unwrap()).unwrap();
    let new = NewCompetition {
        name: "Video Week".into(),
        metric: "videos".into(),
        period: period("2026-12-01", "2026-12-15"),
        tier: None,
        prize: String::new(),
    };
    let past = NewCompetition {
        period: period("2026-11-01", "2026-12-01"),
        ..new.clone()
    };
    let err = competitions::start(&pool, &p, &t, &past, "Maya", now)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a competition must end after today (1 Dec 2026)"
    );
    let likes = NewCompetition {
        metric: "likes".into(),
        ..new.clone()
    };
    let err = competitions::start(&pool, &p, &t, &likes, "Maya", now)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown metric \"likes\": use gmv, videos or views"
    );
    competitions::start(&pool, &p, &t, &new, "Maya", now)
        .await
        .unwrap();
    let winners = competitions::end(&pool, &p, &t, "Video Week", local(&p, "2026-12-04 12:00"))
        .await
        .unwrap();
    assert_eq!(winners.len(), 1);
    let texts: Vec<String> = sent(&pool, local(&p, "2026-12-04 12:00"))
        .await
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        texts,
        vec![
            "🏁 New competition: Video Week\nMost videos from 1 Dec 2026 to 14 Dec 2026 wins.\n\nGood luck, everyone!".to_string(),
            "🏆 Video Week is over!\n1. @ana: 2".to_string(),
        ]
    );
    let unknown = competitions::find(&pool, &p, "Nope").await.unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "there is no competition called \"Nope\""
    );
}
