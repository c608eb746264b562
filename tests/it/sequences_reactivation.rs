//! Reactivation over 60 days, the scheduler running every hour: check-ins after 30 and 45 days
//! without a video (offering the newest product of the day), then the dormant list with a staff
//! alert; a new video starts a new quiet spell and cancels a check-in still waiting for morning;
//! creators who never posted, or opted out, get nothing.

use crate::common;

use chrono::Duration;
use common::lifecycle::{
    Row, Scheduler, assert_outbox, creator_in, glow, import_videos, launched_product, opt_out,
    outbox_row, stage_of, utc, video_id,
};
use creator_bot::features::sequences::Scheduled;
use sqlx::PgPool;

fn checkin1(first_name: &str, days: u32, product: &str) -> String {
    format!(
        "Hi {first_name}, we haven't seen a new video from you in {days} days and we miss your \
         content!\n\n\
         Is there anything we can help with: ideas, product details, a fresh sample? Our newest \
         product, {product}, could be a great one to film. Say the word and we'll send it."
    )
}

fn checkin2(first_name: &str, days: u32, product: &str) -> String {
    format!(
        "Hi {first_name}, just checking in: it's been {days} days since your last video. Your \
         link still earns on every sale, and one new post can wake it right up.\n\n\
         Shall we send you {product} to film next? Reply here and tell us what would help."
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

fn alert(key: String, creator_id: i64, text: &str, due_at: &str) -> Row {
    Row {
        dedupe_key: key,
        kind: "staff_alert".into(),
        creator_id: Some(creator_id),
        channel: Some("staff".into()),
        template: Some("reactivation_dormant_alert".into()),
        text: text.into(),
        due_at: utc(due_at),
        status: "sent".into(),
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sixty_days_of_reactivation(pool: PgPool) {
    let p = glow(&pool).await;
    launched_product(&pool, &p, "p-serum", "Glow Serum", Some("2026-01-15")).await;
    // Launches mid-way: later check-ins offer it instead.
    launched_product(&pool, &p, "p-mask", "Clay Mask", Some("2026-04-01")).await;
    let ada = creator_in(&pool, &p, "ada", "Ada", "2026-01-05", None).await;
    let bea = creator_in(&pool, &p, "bea", "Bea", "2026-01-05", None).await;
    let cyd = creator_in(&pool, &p, "cyd", "Cyd", "2026-01-05", None).await;
    let dan = creator_in(&pool, &p, "dan", "Dan", "2026-01-05", None).await;
    let eve = creator_in(&pool, &p, "eve", "Eve", "2026-01-05", None).await;
    let ken = creator_in(&pool, &p, "ken", "Ken", "2026-01-05", Some("Asia/Tokyo")).await;
    // Times are New York time; first videos long ago, so no thank-yous are due.
    import_videos(
        &pool,
        &p,
        &[
            "v-a0,ada,p-serum,2026-01-10 12:00,100",
            // At 21:00: her check-ins wait for the next morning.
            "v-a1,ada,p-serum,2026-02-27 21:00,100",
            "v-b0,bea,,2026-01-10 12:00,100",
            "v-b1,bea,,2026-02-20 12:00,100",
            "v-c0,cyd,,2026-01-10 12:00,100",
            "v-c1,cyd,,2026-02-25 22:00,100",
            "v-k0,ken,,2026-01-10 12:00,100",
            // 10:00 in New York is midnight starting 27 February in Tokyo.
            "v-k1,ken,,2026-02-26 10:00,100",
            "v-e1,eve,,2026-02-20 12:00,100",
        ],
    )
    .await;
    opt_out(&pool, &p, eve, utc("2026-02-28T12:00:00Z")).await;

    let start = utc("2026-03-01T00:00:00Z");
    let mut s = Scheduler::new(&pool, &p);
    s.run_every(start, utc("2026-03-25T14:00:00Z"), Duration::hours(1))
        .await;
    // Bea posts again after her first check-in: a new quiet spell begins.
    import_videos(&pool, &p, &["v-b2,bea,,2026-03-25 10:00,100"]).await;
    s.run_every(
        utc("2026-03-25T15:00:00Z"),
        utc("2026-03-28T12:00:00Z"),
        Duration::hours(1),
    )
    .await;
    // Cyd's check-in was queued at 22:00 for 09:00; she posts at 08:00 and it is cancelled.
    let [vc1, va1, vb1, vb2, vk1] = [
        video_id(&pool, "v-c1").await,
        video_id(&pool, "v-a1").await,
        video_id(&pool, "v-b1").await,
        video_id(&pool, "v-b2").await,
        video_id(&pool, "v-k1").await,
    ];
    let cyd_checkin = format!("seq:reactivation:{cyd}:{vc1}:checkin1");
    assert_eq!(outbox_row(&pool, &cyd_checkin).await.status, "pending");
    assert_eq!(s.queued_at(&cyd_checkin), Some(utc("2026-03-28T02:00:00Z")));
    import_videos(&pool, &p, &["v-c2,cyd,,2026-03-28 08:00,100"]).await;
    assert_eq!(outbox_row(&pool, &cyd_checkin).await.status, "cancelled");
    let vc2 = video_id(&pool, "v-c2").await;
    s.run_every(
        utc("2026-03-28T13:00:00Z"),
        utc("2026-04-29T12:00:00Z"),
        Duration::hours(1),
    )
    .await;
    let dormant_at = utc("2026-04-29T13:00:00Z");
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
        dormant_at + Duration::hours(1),
        start + Duration::days(60),
        Duration::hours(1),
    )
    .await;

    let key =
        |creator: i64, video: i64, step: &str| format!("seq:reactivation:{creator}:{video}:{step}");
    let mut cancelled = dm(
        cyd_checkin.clone(),
        cyd,
        "reactivation_checkin_1",
        checkin1("Cyd", 31, "Glow Serum"),
        "2026-03-28T13:00:00Z",
    );
    cancelled.status = "cancelled".into();
    assert_outbox(
        &pool,
        &[
            dm(
                key(bea, vb1, "checkin1"),
                bea,
                "reactivation_checkin_1",
                checkin1("Bea", 30, "Glow Serum"),
                "2026-03-22T16:00:00Z",
            ),
            cancelled,
            // 09:00 in Tokyo.
            dm(
                key(ken, vk1, "checkin1"),
                ken,
                "reactivation_checkin_1",
                checkin1("Ken", 30, "Glow Serum"),
                "2026-03-29T00:00:00Z",
            ),
            // Due at 21:00, sent the next morning: 31 days by then.
            dm(
                key(ada, va1, "checkin1"),
                ada,
                "reactivation_checkin_1",
                checkin1("Ada", 31, "Glow Serum"),
                "2026-03-30T13:00:00Z",
            ),
            dm(
                key(ken, vk1, "checkin2"),
                ken,
                "reactivation_checkin_2",
                checkin2("Ken", 45, "Clay Mask"),
                "2026-04-13T00:00:00Z",
            ),
            dm(
                key(ada, va1, "checkin2"),
                ada,
                "reactivation_checkin_2",
                checkin2("Ada", 46, "Clay Mask"),
                "2026-04-14T13:00:00Z",
            ),
            // The new spells.
            dm(
                key(bea, vb2, "checkin1"),
                bea,
                "reactivation_checkin_1",
                checkin1("Bea", 30, "Clay Mask"),
                "2026-04-24T14:00:00Z",
            ),
            dm(
                key(cyd, vc2, "checkin1"),
                cyd,
                "reactivation_checkin_1",
                checkin1("Cyd", 30, "Clay Mask"),
                "2026-04-27T13:00:00Z",
            ),
            // Ken's last video day is his own: 27 February in Tokyo.
            alert(
                key(ken, vk1, "dormant"),
                ken,
                "@ken has not posted for 60 days (last video 27 Feb 2026) after two check-ins: \
                   now on the dormant list.",
                "2026-04-28T00:00:00Z",
            ),
            alert(
                key(ada, va1, "dormant"),
                ada,
                "@ada has not posted for 61 days (last video 27 Feb 2026) after two check-ins: \
                   now on the dormant list.",
                "2026-04-29T13:00:00Z",
            ),
        ],
    )
    .await;
    assert_eq!(stage_of(&pool, ada).await, "dormant");
    assert_eq!(stage_of(&pool, ken).await, "dormant");
    // When each went on the dormant list (the monthly deep-dive names them): the run that
    // moved them.
    let went: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "SELECT handle, went_dormant_at FROM creators
          WHERE went_dormant_at IS NOT NULL ORDER BY handle",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        went,
        vec![
            ("ada".to_string(), dormant_at),
            ("ken".to_string(), utc("2026-04-28T00:00:00Z"))
        ]
    );
    assert_eq!(stage_of(&pool, bea).await, "active");
    assert_eq!(stage_of(&pool, cyd).await, "active");
    // Never posted: onboarding's and activation's business, not reactivation's.
    assert_eq!(stage_of(&pool, dan).await, "invited");
}
