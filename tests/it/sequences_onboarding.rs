//! Onboarding over 60 days, the scheduler running every hour: welcome, content guide and
//! catalogue from each creator's own join date, at their local morning (New York across the
//! 8 March 2026 DST change, Tokyo), stopping when they post or opt out; a creator imported late
//! keeps the spacing, one imported long after joining gets nothing; runs are idempotent.

use crate::common;

use chrono::Duration;
use common::lifecycle::{
    Row, Scheduler, assert_outbox, creator_in, glow, import_videos, launched_product, opt_out,
    outbox, outbox_row, stage_of, utc, video_id,
};
use creator_bot::features::sequences::Scheduled;
use sqlx::PgPool;

fn welcome(first_name: &str, handle: &str) -> String {
    format!(
        "Hi {first_name}, welcome to the Glow Skincare creator program! 🎉\n\n\
         Here's how it works: you film TikToks with our products and tag them in TikTok Shop, and \
         you earn commission on every sale your videos bring in. Your account @{handle} starts in \
         New & Promising; as your sales grow you move up to Steady Earners and then All-Stars, \
         with more perks at each step.\n\n\
         Over the next few days we'll send you a short content guide and our product catalogue. \
         Type /mystats any time to see your numbers."
    )
}

fn content_guide(first_name: &str) -> String {
    format!(
        "Hi {first_name}! A few things that make Glow Skincare videos sell:\n\n\
         • Hook in the first two seconds: show the product or the result straight away.\n\
         • Use it for real, in your own routine. Natural beats polished.\n\
         • Say in one sentence why you like it, then point to the orange cart.\n\
         • Keep it short (15 to 40 seconds) and post when your followers are online.\n\n\
         No script needed: your own style is what your followers come for."
    )
}

fn catalogue(first_name: &str) -> String {
    format!(
        "Hi {first_name}, here's what you can feature from Glow Skincare:\n\
         • Glow Serum\n\
         • Night Cream\n\
         • Lip Balm\n\n\
         Want to try something before you film? Request a free sample from the product's page in \
         the TikTok Shop affiliate center, or reply here with the product's name and we'll send \
         one your way."
    )
}

fn dm(key: String, creator_id: i64, template: &str, text: String, due_at: &str) -> Row {
    Row {
        dedupe_key: key,
        kind: "dm".into(),
        creator_id: Some(creator_id),
        channel: None,
        template: Some(template.into()),
        text,
        due_at: utc(due_at),
        status: "sent".into(),
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sixty_days_of_onboarding(pool: PgPool) {
    let p = glow(&pool).await;
    launched_product(&pool, &p, "p-serum", "Glow Serum", Some("2026-02-01")).await;
    launched_product(&pool, &p, "p-cream", "Night Cream", Some("2026-01-10")).await;
    launched_product(&pool, &p, "p-balm", "Lip Balm", None).await;
    // New York (the program's zone): joined on Friday 6 March; clocks go forward on Sunday 8th.
    let ada = creator_in(&pool, &p, "ada", "Ada", "2026-03-06", None).await;
    // Posts a video on her second day: onboarding stops.
    let bea = creator_in(&pool, &p, "bea", "Bea", "2026-03-06", None).await;
    // Opts out before her welcome goes out.
    let cyd = creator_in(&pool, &p, "cyd", "Cyd", "2026-03-06", None).await;
    // Tokyo: 09:00 there is midnight UTC, and Japan has no daylight saving.
    let ken = creator_in(&pool, &p, "ken", "Ken", "2026-03-06", Some("Asia/Tokyo")).await;
    // Joined three days before the bot first runs: still welcomed, with the spacing kept.
    let lou = creator_in(&pool, &p, "lou", "Lou", "2026-03-02", None).await;
    // Joined months ago: too late for a welcome.
    let old = creator_in(&pool, &p, "old", "Old", "2025-12-01", None).await;

    let mut s = Scheduler::new(&pool, &p);
    let start = utc("2026-03-05T15:00:00Z");
    // 10:00 in New York, midnight in Tokyo: Ken's join day has begun, Lou's welcome is 3 days due.
    assert_eq!(
        s.run_at(start).await,
        Scheduled {
            onboarding: 2,
            to_onboarding: 2,
            ..Scheduled::default()
        }
    );
    s.run_every(
        start + Duration::hours(1),
        utc("2026-03-06T07:00:00Z"),
        Duration::hours(1),
    )
    .await;
    // 02:00 in New York, the welcome is queued for 09:00: opting out cancels it.
    opt_out(&pool, &p, cyd, utc("2026-03-06T07:30:00Z")).await;
    s.run_every(
        utc("2026-03-06T08:00:00Z"),
        utc("2026-03-07T18:00:00Z"),
        Duration::hours(1),
    )
    .await;
    // Bea posts on Saturday at noon; the file is imported that evening.
    import_videos(&pool, &p, &["v-bea,bea,p-serum,2026-03-07 12:00,800"]).await;
    s.run_every(
        utc("2026-03-07T19:00:00Z"),
        utc("2026-03-08T13:00:00Z"),
        Duration::hours(1),
    )
    .await;
    // The same instant again adds nothing.
    assert_eq!(
        s.run_at(utc("2026-03-08T13:00:00Z")).await,
        Scheduled::default()
    );
    s.run_every(
        utc("2026-03-08T14:00:00Z"),
        start + Duration::days(60),
        Duration::hours(1),
    )
    .await;

    let key = |id: i64, step: &str| format!("seq:onboarding:{id}:{step}");
    let v_bea = video_id(&pool, "v-bea").await;
    let mut cancelled = dm(
        key(cyd, "welcome"),
        cyd,
        "onboarding_welcome",
        welcome("Cyd", "cyd"),
        "2026-03-06T14:00:00Z",
    );
    cancelled.status = "cancelled".into();
    assert_outbox(
        &pool,
        &[
            // Lou's welcome goes out when the bot first runs (10:00 EST)...
            dm(key(lou, "welcome"), lou, "onboarding_welcome", welcome("Lou", "lou"), "2026-03-05T15:00:00Z"),
            // ...Ken's at 09:00 in Tokyo on his join day...
            dm(key(ken, "welcome"), ken, "onboarding_welcome", welcome("Ken", "ken"), "2026-03-06T00:00:00Z"),
            // ...and the New York creators' at 09:00 EST on theirs.
            dm(key(ada, "welcome"), ada, "onboarding_welcome", welcome("Ada", "ada"), "2026-03-06T14:00:00Z"),
            dm(key(bea, "welcome"), bea, "onboarding_welcome", welcome("Bea", "bea"), "2026-03-06T14:00:00Z"),
            cancelled,
            // Lou's guide comes two days after her welcome, at the same time of day.
            dm(key(lou, "content_guide"), lou, "onboarding_content_guide", content_guide("Lou"), "2026-03-07T15:00:00Z"),
            dm(key(ken, "content_guide"), ken, "onboarding_content_guide", content_guide("Ken"), "2026-03-08T00:00:00Z"),
            // Day 2 is Sunday 8 March, now on daylight time: 09:00 EDT is 13:00 UTC.
            dm(key(ada, "content_guide"), ada, "onboarding_content_guide", content_guide("Ada"), "2026-03-08T13:00:00Z"),
            // Bea's first video earns its thank-you 48 hours later (a general performer)...
            dm(format!("seq:first_post:{bea}"), bea, "first_post_general",
               "Thank you for your first video with Glow Serum, Bea! We really appreciate it.\n\n\
                Your affiliate link stays active, so that video keeps earning commission on every \
                sale it brings. Feel free to share the link on your other platforms too.".into(),
               "2026-03-09T17:00:00Z"),
            dm(key(lou, "catalogue"), lou, "onboarding_catalogue", catalogue("Lou"), "2026-03-10T14:00:00Z"),
            dm(key(ken, "catalogue"), ken, "onboarding_catalogue", catalogue("Ken"), "2026-03-11T00:00:00Z"),
            dm(key(ada, "catalogue"), ada, "onboarding_catalogue", catalogue("Ada"), "2026-03-11T13:00:00Z"),
            // ...and, silent since, her check-ins at 30 and 45 days (12:00 EDT, as she posted).
            dm(format!("seq:reactivation:{bea}:{v_bea}:checkin1"), bea, "reactivation_checkin_1",
               "Hi Bea, we haven't seen a new video from you in 30 days and we miss your content!\n\n\
                Is there anything we can help with: ideas, product details, a fresh sample? Our \
                newest product, Glow Serum, could be a great one to film. Say the word and we'll \
                send it.".into(),
               "2026-04-06T16:00:00Z"),
            dm(format!("seq:reactivation:{bea}:{v_bea}:checkin2"), bea, "reactivation_checkin_2",
               "Hi Bea, just checking in: it's been 45 days since your last video. Your link still \
                earns on every sale, and one new post can wake it right up.\n\n\
                Shall we send you Glow Serum to film next? Reply here and tell us what would help.".into(),
               "2026-04-21T16:00:00Z"),
        ],
    )
    .await;
    // Each step is queued by the first run at or after its due time, never earlier.
    assert_eq!(
        s.queued_at(&key(ada, "welcome")),
        Some(utc("2026-03-06T05:00:00Z"))
    );
    assert_eq!(
        s.queued_at(&key(ada, "content_guide")),
        Some(utc("2026-03-08T13:00:00Z"))
    );
    assert_eq!(
        s.queued_at(&key(ken, "catalogue")),
        Some(utc("2026-03-11T00:00:00Z"))
    );
    assert_eq!(
        s.queued_at(&key(lou, "catalogue")),
        Some(utc("2026-03-10T14:00:00Z"))
    );

    assert_eq!(stage_of(&pool, ada).await, "onboarding");
    assert_eq!(stage_of(&pool, bea).await, "active");
    assert_eq!(stage_of(&pool, cyd).await, "onboarding");
    assert_eq!(stage_of(&pool, ken).await, "onboarding");
    assert_eq!(stage_of(&pool, old).await, "invited");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_video_cancels_the_queued_step_and_stops_the_rest(pool: PgPool) {
    let p = glow(&pool).await;
    let ada = creator_in(&pool, &p, "ada", "Ada", "2026-11-01", None).await;
    let mut s = Scheduler::new(&pool, &p);
    // Sunday 1 November: midnight is still daylight time (04:00 UTC); New York falls back to EST
    // at 02:00, so the welcome waits for 09:00 EST, 14:00 UTC.
    s.run_at(utc("2026-11-01T04:00:00Z")).await;
    let welcome_key = format!("seq:onboarding:{ada}:welcome");
    let queued = outbox_row(&pool, &welcome_key).await;
    assert_eq!(queued.due_at, utc("2026-11-01T14:00:00Z"));
    assert_eq!(queued.status, "pending");
    assert_eq!(stage_of(&pool, ada).await, "onboarding");
    // She posts at 07:00 that morning; importing the video cancels the welcome at once.
    import_videos(&pool, &p, &["v1,ada,,2026-11-01 07:00,10"]).await;
    assert_eq!(outbox_row(&pool, &welcome_key).await.status, "cancelled");
    s.run_every(
        utc("2026-11-01T12:00:00Z"),
        utc("2026-11-12T12:00:00Z"),
        Duration::hours(1),
    )
    .await;
    // Nothing more of onboarding; her first video gets its thank-you 48 hours later, at 09:00.
    let rows: Vec<(String, String, _)> = outbox(&pool)
        .await
        .into_iter()
        .map(|r| (r.dedupe_key, r.status, r.due_at))
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                welcome_key,
                "cancelled".to_string(),
                utc("2026-11-01T14:00:00Z")
            ),
            (
                format!("seq:first_post:{ada}"),
                "sent".to_string(),
                utc("2026-11-03T14:00:00Z")
            ),
        ]
    );
    assert_eq!(stage_of(&pool, ada).await, "active");
}
