//! Sixty days of a small program driven hour by hour through the scheduler's registry and the
//! dispatcher, as the running bot would: exactly which DMs each creator receives, with which
//! text, at which local instant — across the New York DST change, in Tokyo, with a sample left
//! unfilmed, a video that stops a follow-up, and an opt-out halfway through.

use crate::common;
use crate::common::app::app_with;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use common::lifecycle::{
    creator_in, deliver, glow, import_samples, import_videos, launched_product, opt_out, utc,
};
use creator_bot::chat::{MessageKind, Recipient};
use creator_bot::config::Config;
use creator_bot::jobs::schedule::run_due;
use sqlx::PgPool;

/// (recipient, template, local time) of one delivered message.
type Seen = (String, String, String);

fn local(at: DateTime<Utc>, tz: &str) -> String {
    let tz: Tz = tz.parse().unwrap();
    at.with_timezone(&tz)
        .format("%a %d %b %H:%M %Z")
        .to_string()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sixty_days_of_dms_hour_by_hour(pool: PgPool) {
    let p = glow(&pool).await;
    let config = Config::default();
    launched_product(&pool, &p, "p1", "Glow Serum", Some("2026-01-10")).await;
    let ana = creator_in(&pool, &p, "ana", "Ana", "2026-03-02", None).await;
    let kenji = creator_in(
        &pool,
        &p,
        "kenji",
        "Kenji",
        "2026-03-02",
        Some("Asia/Tokyo"),
    )
    .await;
    let bo = creator_in(&pool, &p, "bo", "Bo", "2026-03-02", None).await;
    import_samples(
        &pool,
        &p,
        &[
            "ana,p1,2026-03-02,2026-03-04",
            "kenji,p1,2026-03-02,2026-03-04",
            "bo,p1,2026-03-02,2026-03-04",
        ],
    )
    .await;

    let mut seen: Vec<Seen> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let start = utc("2026-03-01T15:00:00Z"); // midnight on 2 March in Tokyo
    let mut now = start;
    while now < start + Duration::days(60) {
        // Bo films the sample on day 9, between the first and second nudge.
        if now == utc("2026-03-11T15:00:00Z") {
            import_videos(&pool, &p, &["v1,bo,p1,2026-03-11 10:30,800"]).await;
        }
        // Kenji opts out between his two nudges (noon on 14 March in Tokyo).
        if now == utc("2026-03-14T03:00:00Z") {
            opt_out(&pool, &p, kenji, now).await;
        }
        for run in run_due(&app_with(&pool, &config), now).await.unwrap() {
            assert!(!run.failed, "{} at {now}: {}", run.job, run.summary);
        }
        for r in deliver(&pool, now).await {
            if r.message.kind != MessageKind::Dm {
                continue;
            }
            let Recipient::Creator { handle, creator_id } = r.message.to else {
                continue;
            };
            let tz = if creator_id == kenji {
                "Asia/Tokyo"
            } else {
                "America/New_York"
            };
            if handle == "ana" {
                texts.push(r.message.text.clone());
            }
            seen.push((
                handle,
                r.message.template.unwrap_or_default(),
                local(r.at, tz),
            ));
        }
        now += Duration::hours(1);
    }
    let _ = (ana, bo);
    let dm = |h: &str, t: &str, at: &str| (h.to_string(), t.to_string(), at.to_string());
    assert_eq!(
        seen,
        vec![
            // Onboarding from each creator's own join day, at 09:00 in their own time zone.
            dm("kenji", "onboarding_welcome", "Mon 02 Mar 09:00 JST"),
            dm("ana", "onboarding_welcome", "Mon 02 Mar 09:00 EST"),
            dm("bo", "onboarding_welcome", "Mon 02 Mar 09:00 EST"),
            dm("kenji", "onboarding_content_guide", "Wed 04 Mar 09:00 JST"),
            dm("ana", "onboarding_content_guide", "Wed 04 Mar 09:00 EST"),
            dm("bo", "onboarding_content_guide", "Wed 04 Mar 09:00 EST"),
            dm("kenji", "onboarding_catalogue", "Sat 07 Mar 09:00 JST"),
            dm("ana", "onboarding_catalogue", "Sat 07 Mar 09:00 EST"),
            dm("bo", "onboarding_catalogue", "Sat 07 Mar 09:00 EST"),
            // Seven days after the delivery (4 March), still 09:00 after New York's clocks went
            // forward on 8 March.
            dm("kenji", "activation_nudge_1", "Wed 11 Mar 09:00 JST"),
            dm("ana", "activation_nudge_1", "Wed 11 Mar 09:00 EDT"),
            dm("bo", "activation_nudge_1", "Wed 11 Mar 09:00 EDT"),
            // Bo filmed it that morning: no second nudge, and a thank-you 48 h after the post.
            dm("bo", "first_post_general", "Fri 13 Mar 11:00 EDT"),
            // Kenji opted out on the 14th: nothing more for him.
            dm("ana", "activation_nudge_2", "Wed 18 Mar 09:00 EDT"),
            // Thirty and forty-five days after Bo's last video.
            dm("bo", "reactivation_checkin_1", "Fri 10 Apr 11:00 EDT"),
            dm("bo", "reactivation_checkin_2", "Sat 25 Apr 11:00 EDT"),
        ]
    );
    assert_eq!(texts.len(), 5);
    assert_eq!(
        texts[4],
        "Hi Ana, it's been 14 days since your Glow Serum arrived and we haven't seen a video yet.\n\n\
         Creators who post within the first two weeks of getting a sample earn the most, so now is \
         the moment. Could you post one this week? If something is holding you back, tell us and \
         we'll help."
    );
}
