//! Sample follow-up over 60 days, the scheduler running every hour: a friendly nudge a week
//! after delivery, a direct one a week later, then dormant and a staff alert; a video of the
//! product stops it (a queued nudge is cancelled by the import), a video of another product does
//! not; opting out stops it; New York across the DST change and Tokyo get their mornings.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::lifecycle::{
    Row, Scheduler, creator_in, glow, import_samples, import_videos, launched_product, opt_out,
    outbox, outbox_row, stage_of, utc, video_id,
};
use creator_bot::features::sequences::Scheduled;
use sqlx::PgPool;

fn nudge1(first_name: &str, product: &str) -> String {
    format!(
        "Hi {first_name}, your {product} should have arrived by now. How are you liking it?\n\n\
         Whenever you're ready to film, a quick first impression or a \"how I use it\" video works \
         really well. If you need anything from us (product details, video ideas), just ask!"
    )
}

fn nudge2(first_name: &str, product: &str, days: u32) -> String {
    format!(
        "Hi {first_name}, it's been {days} days since your {product} arrived and we haven't seen \
         a video yet.\n\n\
         Creators who post within the first two weeks of getting a sample earn the most, so now \
         is the moment. Could you post one this week? If something is holding you back, tell us \
         and we'll help."
    )
}

fn row(
    key: String,
    kind: &str,
    creator_id: i64,
    template: &str,
    text: String,
    due_at: &str,
) -> Row {
    Row {
        dedupe_key: key,
        kind: kind.into(),
        creator_id: Some(creator_id),
        channel: (kind == "staff_alert").then(|| "staff".to_string()),
        template: Some(template.into()),
        text,
        due_at: utc(due_at),
        status: "sent".into(),
    }
}

async fn sample_id(pool: &PgPool, creator_id: i64) -> i64 {
    sqlx::query_scalar("SELECT id FROM samples WHERE creator_id = $1")
        .bind(creator_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn hourly() -> Duration {
    Duration::hours(1)
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sixty_days_of_sample_follow_up(pool: PgPool) {
    let p = glow(&pool).await;
    launched_product(&pool, &p, "p-serum", "Glow Serum", Some("2026-01-15")).await;
    launched_product(&pool, &p, "p-cream", "Night Cream", None).await;
    // Everyone joined long before: onboarding is over and plays no part here.
    let ada = creator_in(&pool, &p, "ada", "Ada", "2026-01-05", None).await;
    let bea = creator_in(&pool, &p, "bea", "Bea", "2026-01-05", None).await;
    let cyd = creator_in(&pool, &p, "cyd", "Cyd", "2026-01-05", None).await;
    let dan = creator_in(&pool, &p, "dan", "Dan", "2026-01-05", None).await;
    let eve = creator_in(&pool, &p, "eve", "Eve", "2026-01-05", None).await;
    let ken = creator_in(&pool, &p, "ken", "Ken", "2026-01-05", Some("Asia/Tokyo")).await;
    import_samples(
        &pool,
        &p,
        &[
            // Never posts about it: two nudges, then dormant.
            "ada,p-serum,2026-02-25,2026-02-27",
            // Posts about it early on the morning her first nudge is due.
            "bea,p-serum,2026-02-27,2026-03-01",
            // Posts about another product only: her sample's nudges carry on.
            "cyd,p-serum,2026-02-27,2026-03-01",
            // Still in transit: nothing to follow up yet.
            "dan,p-serum,2026-02-27,",
            // Opts out after the first nudge.
            "eve,p-serum,2026-02-25,2026-02-27",
            // Tokyo; posts between the nudges.
            "ken,p-cream,2026-02-25,2026-02-27",
        ],
    )
    .await;

    let mut s = Scheduler::new(&pool, &p);
    s.run_every(
        utc("2026-02-20T05:00:00Z"),
        utc("2026-03-05T17:00:00Z"),
        hourly(),
    )
    .await;
    assert_eq!(stage_of(&pool, ada).await, "awaiting_first_post");
    assert_eq!(stage_of(&pool, dan).await, "awaiting_first_post");
    import_videos(&pool, &p, &["v-cyd,cyd,p-cream,2026-03-05 12:00,300"]).await;
    s.run_every(
        utc("2026-03-05T18:00:00Z"),
        utc("2026-03-08T11:00:00Z"),
        hourly(),
    )
    .await;
    // Sunday 8 March, 07:00 EDT: Bea posts before her 09:00 nudge goes out.
    let bea_nudge = format!("seq:activation:{}:nudge1", sample_id(&pool, bea).await);
    assert_eq!(outbox_row(&pool, &bea_nudge).await.status, "pending");
    import_videos(&pool, &p, &["v-bea,bea,p-serum,2026-03-08 07:00,12000"]).await;
    assert_eq!(outbox_row(&pool, &bea_nudge).await.status, "cancelled");
    s.run_every(
        utc("2026-03-08T12:00:00Z"),
        utc("2026-03-09T15:00:00Z"),
        hourly(),
    )
    .await;
    import_videos(&pool, &p, &["v-ken,ken,p-cream,2026-03-09 10:00,900"]).await;
    s.run_every(
        utc("2026-03-09T16:00:00Z"),
        utc("2026-03-10T14:00:00Z"),
        hourly(),
    )
    .await;
    opt_out(&pool, &p, eve, utc("2026-03-10T14:30:00Z")).await;
    s.run_every(
        utc("2026-03-10T15:00:00Z"),
        utc("2026-03-20T12:00:00Z"),
        hourly(),
    )
    .await;
    // Three weeks after delivery: Ada goes dormant and staff hear of it, once.
    let dormant_at = utc("2026-03-20T13:00:00Z");
    assert_eq!(
        s.run_at(dormant_at).await,
        Scheduled {
            staff_alerts: 1,
            to_dormant: 1,
            ..Scheduled::default()
        }
    );
    assert_eq!(s.run_at(dormant_at).await, Scheduled::default());
    s.run_every(
        dormant_at + hourly(),
        utc("2026-02-20T05:00:00Z") + Duration::days(60),
        hourly(),
    )
    .await;

    let [sa, sb, sc, se, sk] = [
        sample_id(&pool, ada).await,
        sample_id(&pool, bea).await,
        sample_id(&pool, cyd).await,
        sample_id(&pool, eve).await,
        sample_id(&pool, ken).await,
    ];
    let key = |sample: i64, step: &str| format!("seq:activation:{sample}:{step}");
    let mut bea_cancelled = row(
        key(sb, "nudge1"),
        "dm",
        bea,
        "activation_nudge_1",
        nudge1("Bea", "Glow Serum"),
        "2026-03-08T13:00:00Z",
    );
    bea_cancelled.status = "cancelled".into();
    let activation: Vec<Row> = vec![
        // A week after delivery, 09:00 in Tokyo (midnight UTC) and in New York (EST).
        row(
            key(sk, "nudge1"),
            "dm",
            ken,
            "activation_nudge_1",
            nudge1("Ken", "Night Cream"),
            "2026-03-06T00:00:00Z",
        ),
        row(
            key(sa, "nudge1"),
            "dm",
            ada,
            "activation_nudge_1",
            nudge1("Ada", "Glow Serum"),
            "2026-03-06T14:00:00Z",
        ),
        row(
            key(se, "nudge1"),
            "dm",
            eve,
            "activation_nudge_1",
            nudge1("Eve", "Glow Serum"),
            "2026-03-06T14:00:00Z",
        ),
        // Delivered on the 1st: due on Sunday the 8th, which starts on EST and wakes up on EDT.
        bea_cancelled,
        row(
            key(sc, "nudge1"),
            "dm",
            cyd,
            "activation_nudge_1",
            nudge1("Cyd", "Glow Serum"),
            "2026-03-08T13:00:00Z",
        ),
        row(
            key(sa, "nudge2"),
            "dm",
            ada,
            "activation_nudge_2",
            nudge2("Ada", "Glow Serum", 14),
            "2026-03-13T13:00:00Z",
        ),
        row(
            key(sc, "nudge2"),
            "dm",
            cyd,
            "activation_nudge_2",
            nudge2("Cyd", "Glow Serum", 14),
            "2026-03-15T13:00:00Z",
        ),
        row(
            key(sa, "dormant"),
            "staff_alert",
            ada,
            "activation_dormant_alert",
            "@ada has not posted about Glow Serum 21 days after the sample arrived (27 Feb 2026), \
             despite two nudges. Moved to dormant."
                .into(),
            "2026-03-20T13:00:00Z",
        ),
        // Cyd posts (about something else), so she is active, not dormant.
        row(
            key(sc, "dormant"),
            "staff_alert",
            cyd,
            "activation_dormant_alert",
            "@cyd has not posted about Glow Serum 21 days after the sample arrived (1 Mar 2026), \
             despite two nudges."
                .into(),
            "2026-03-22T13:00:00Z",
        ),
    ];
    let all = outbox(&pool).await;
    let queued: Vec<Row> = all
        .iter()
        .filter(|r| r.dedupe_key.starts_with("seq:activation:"))
        .cloned()
        .collect();
    assert_eq!(queued.len(), activation.len(), "{queued:#?}");
    for (q, e) in queued.iter().zip(&activation) {
        assert_eq!(q, e);
    }
    // The videos meanwhile earn their thank-yous and, later, check-ins; nothing else is queued.
    let others: Vec<(String, DateTime<Utc>)> = all
        .iter()
        .filter(|r| !r.dedupe_key.starts_with("seq:activation:"))
        .map(|r| (r.dedupe_key.clone(), r.due_at))
        .collect();
    let [vb, vc, vk] = [
        video_id(&pool, "v-bea").await,
        video_id(&pool, "v-cyd").await,
        video_id(&pool, "v-ken").await,
    ];
    assert_eq!(
        others,
        vec![
            (format!("seq:first_post:{cyd}"), utc("2026-03-07T17:00:00Z")),
            (format!("seq:first_post:{bea}"), utc("2026-03-10T13:00:00Z")),
            // 48 hours after 10:00 EDT is 23:00 in Tokyo: Ken's morning.
            (format!("seq:first_post:{ken}"), utc("2026-03-12T00:00:00Z")),
            (
                format!("seq:reactivation:{cyd}:{vc}:checkin1"),
                utc("2026-04-04T16:00:00Z")
            ),
            (
                format!("seq:reactivation:{bea}:{vb}:checkin1"),
                utc("2026-04-07T13:00:00Z")
            ),
            (
                format!("seq:reactivation:{ken}:{vk}:checkin1"),
                utc("2026-04-09T00:00:00Z")
            ),
            (
                format!("seq:reactivation:{cyd}:{vc}:checkin2"),
                utc("2026-04-19T16:00:00Z")
            ),
        ]
    );
    assert_eq!(stage_of(&pool, ada).await, "dormant");
    assert_eq!(stage_of(&pool, bea).await, "active");
    assert_eq!(stage_of(&pool, cyd).await, "active");
    assert_eq!(stage_of(&pool, dan).await, "awaiting_first_post");
    assert_eq!(stage_of(&pool, eve).await, "awaiting_first_post");
    assert_eq!(stage_of(&pool, ken).await, "active");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_dormant_creator_who_posts_becomes_active_again(pool: PgPool) {
    let p = glow(&pool).await;
    let ada = creator_in(&pool, &p, "ada", "Ada", "2026-01-05", None).await;
    import_samples(&pool, &p, &["ada,p-serum,2026-02-25,2026-02-27"]).await;
    let mut s = Scheduler::new(&pool, &p);
    s.run_every(
        utc("2026-03-01T00:00:00Z"),
        utc("2026-03-21T00:00:00Z"),
        Duration::hours(3),
    )
    .await;
    assert_eq!(stage_of(&pool, ada).await, "dormant");
    // A late video of the sample: active again, and nothing of the sequence is left to send.
    import_videos(&pool, &p, &["v1,ada,p-serum,2026-03-22 18:00,40"]).await;
    let done = s.run_at(utc("2026-03-22T23:00:00Z")).await;
    assert_eq!(
        done,
        Scheduled {
            to_active: 1,
            ..Scheduled::default()
        }
    );
    assert_eq!(stage_of(&pool, ada).await, "active");
    let sample = sample_id(&pool, ada).await;
    let keys: Vec<String> = outbox(&pool)
        .await
        .into_iter()
        .map(|r| r.dedupe_key)
        .collect();
    assert_eq!(
        keys,
        ["nudge1", "nudge2", "dormant"].map(|step| format!("seq:activation:{sample}:{step}"))
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_scheduler_cancels_a_nudge_answered_by_a_video_from_elsewhere(pool: PgPool) {
    let p = glow(&pool).await;
    let ada = creator_in(&pool, &p, "ada", "Ada", "2026-01-05", None).await;
    import_samples(&pool, &p, &["ada,p-serum,2026-10-20,2026-10-22"]).await;
    let mut s = Scheduler::new(&pool, &p);
    // Thursday 29 October, midnight EDT: the nudge waits for 09:00.
    s.run_at(utc("2026-10-29T04:00:00Z")).await;
    let nudge = format!("seq:activation:{}:nudge1", sample_id(&pool, ada).await);
    assert_eq!(
        outbox_row(&pool, &nudge).await.due_at,
        utc("2026-10-29T13:00:00Z")
    );
    // A video written straight into the table (not through the CSV import), posted at 07:00.
    common::video(
        &pool,
        &p,
        "v1",
        ada,
        Some("p-serum"),
        "2026-10-29 07:00",
        50,
    )
    .await;
    // Not yet posted at 06:00: the nudge stands.
    assert_eq!(
        s.run_at(utc("2026-10-29T10:00:00Z")).await,
        Scheduled::default()
    );
    assert_eq!(outbox_row(&pool, &nudge).await.status, "pending");
    assert_eq!(
        s.run_at(utc("2026-10-29T12:00:00Z")).await,
        Scheduled {
            cancelled: 1,
            to_active: 1,
            ..Scheduled::default()
        }
    );
    assert_eq!(outbox_row(&pool, &nudge).await.status, "cancelled");
    s.run_every(
        utc("2026-10-29T13:00:00Z"),
        utc("2026-11-20T13:00:00Z"),
        Duration::hours(6),
    )
    .await;
    let keys: Vec<String> = outbox(&pool)
        .await
        .into_iter()
        .map(|r| r.dedupe_key)
        .collect();
    // Only her first video's thank-you follows, 48 hours later at 09:00.
    assert_eq!(keys, vec![nudge, format!("seq:first_post:{ada}")]);
    assert_eq!(
        outbox_row(&pool, &format!("seq:first_post:{ada}"))
            .await
            .due_at,
        utc("2026-10-31T13:00:00Z")
    );
}
