//! Sample applications from the API: each status stamped with the time the bot first saw it
//! (the API has no dates), samples opened, delivered and closed accordingly, the video that
//! completed an application stored — and the sample follow-up nudges running on them.

use chrono::{DateTime, Duration, Utc};
use creator_bot::db::tiktok::SyncRun;
use creator_bot::domain::timefmt::local_day;
use creator_bot::features::tiktok::orders::Outcome;
use creator_bot::features::tiktok::samples;
use sqlx::PgPool;

use super::Harness;
use crate::common::lifecycle::Scheduler;
use crate::tiktok_fake::{DEFAULT_PRODUCT_ID, FakeProduct, FakeSample, FakeShop, FakeVideo};

/// First seen, awaiting shipment, shipped, content pending.
type Stamps = (
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

const CREAM: &str = "1729000000000000002";

async fn sync_at(h: &Harness, at: DateTime<Utc>) -> SyncRun {
    h.t.clock.set(at);
    match samples::sync(&h.t.app, h.creds(), &h.program)
        .await
        .unwrap()
    {
        Outcome::Ran(run) => {
            assert_eq!(run.status, "done", "{:?}", run.error);
            *run
        }
        other => panic!("{}", other.summary()),
    }
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct Sample {
    handle: String,
    product_id: String,
    shipped_on: chrono::NaiveDate,
    delivered_on: Option<chrono::NaiveDate>,
    closed: bool,
    first_video_at: Option<DateTime<Utc>>,
}

async fn samples_of(pool: &PgPool) -> Vec<Sample> {
    sqlx::query_as(
        "SELECT c.handle, s.product_id, s.shipped_on, s.delivered_on, s.closed_at IS NOT NULL AS closed,
                s.first_video_at
           FROM samples s JOIN creators c ON c.id = s.creator_id ORDER BY c.handle",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn sample_id(pool: &PgPool, handle: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT s.id FROM samples s JOIN creators c ON c.id = s.creator_id WHERE c.handle = $1",
    )
    .bind(handle)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn statuses_are_stamped_when_first_seen_and_drive_the_sample_nudges(pool: PgPool) {
    let shop = FakeShop::new()
        .product(FakeProduct::new(DEFAULT_PRODUCT_ID, "Glow Serum"))
        .sample(FakeSample::new("S1", "maya", "Glow Serum").status("AWAITING_SHIPMENT"))
        .sample(
            FakeSample::new("S2", "lee", "Night Cream")
                .product(CREAM)
                .status("CONTENT_PENDING"),
        )
        .sample(FakeSample::new("S3", "sam", "Glow Serum").status("CONTENT_PENDING"))
        .sample(FakeSample::new("S4", "ava", "Glow Serum"));
    let h = Harness::connected(&pool, shop).await;
    let tz = h.program.timezone;
    // Noon in New York, so each day below is that calendar day there.
    let t0 = crate::common::local(&h.program, "2027-01-04 12:00");
    let day = |at: DateTime<Utc>| local_day(at, tz);

    let first = sync_at(&h, t0).await;
    assert_eq!(
        (first.pages, first.samples_changed, first.new_creators),
        (1, 4, 4)
    );
    let d0 = day(t0);
    assert_eq!(
        samples_of(&pool).await,
        vec![
            // First seen delivered: shipped and delivered that day.
            Sample {
                handle: "lee".into(),
                product_id: CREAM.into(),
                shipped_on: d0,
                delivered_on: Some(d0),
                closed: false,
                first_video_at: None
            },
            Sample {
                handle: "sam".into(),
                product_id: DEFAULT_PRODUCT_ID.into(),
                shipped_on: d0,
                delivered_on: Some(d0),
                closed: false,
                first_video_at: None
            },
        ]
    );
    let name: String = sqlx::query_scalar("SELECT name FROM products WHERE product_id = $1")
        .bind(CREAM)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(name, "Night Cream");

    // A day later maya's sample ships and sam withdraws.
    let t1 = t0 + Duration::days(1);
    h.fake.set_sample_status("S1", "SHIPPED");
    h.fake.set_sample_status("S3", "WITHDRAW_CANCELLED");
    assert_eq!(sync_at(&h, t1).await.samples_changed, 2);
    // Lee posts on day 2; the application completes on day 3, when maya's sample arrives.
    let posted = t0 + Duration::days(2);
    let t3 = t0 + Duration::days(3);
    h.fake.set_sample_status("S1", "CONTENT_PENDING");
    h.fake.update_sample("S2", |s| {
        s.status = "COMPLETED".into();
        s.videos
            .push(FakeVideo::new("7300000000000000042", posted, 1_234));
    });
    assert_eq!(sync_at(&h, t3).await.samples_changed, 2);
    // Seen again unchanged: nothing changes, no second stamp.
    assert_eq!(
        sync_at(&h, t3 + Duration::hours(5)).await.samples_changed,
        0
    );

    assert_eq!(
        samples_of(&pool).await,
        vec![
            Sample {
                handle: "lee".into(),
                product_id: CREAM.into(),
                shipped_on: d0,
                delivered_on: Some(d0),
                closed: false,
                first_video_at: Some(posted.with_nanosecond0())
            },
            Sample {
                handle: "maya".into(),
                product_id: DEFAULT_PRODUCT_ID.into(),
                shipped_on: day(t1),
                delivered_on: Some(day(t3)),
                closed: false,
                first_video_at: None
            },
            Sample {
                handle: "sam".into(),
                product_id: DEFAULT_PRODUCT_ID.into(),
                shipped_on: d0,
                delivered_on: Some(d0),
                closed: true,
                first_video_at: None
            },
        ]
    );
    let stamps: Stamps = sqlx::query_as(
        "SELECT first_seen_at, awaiting_shipment_at, shipped_at, content_pending_at
           FROM tiktok_sample_applications WHERE application_id = 'S1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stamps, (t0, Some(t0), Some(t1), Some(t3)));
    let video: (String, i64) = sqlx::query_as(
        "SELECT c.handle, v.views FROM videos v JOIN creators c ON c.id = v.creator_id
          WHERE v.content_id = '7300000000000000042'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(video, ("lee".to_string(), 1_234));

    // The follow-up nudges: only maya's sample (delivered on day 3, no video) is nudged, 7
    // days after delivery; lee posted, sam's application was cancelled.
    let mut scheduler = Scheduler::with_config(&pool, &h.program, h.t.app.config.as_ref().clone());
    scheduler
        .run_every(t0, t0 + Duration::days(12), Duration::hours(6))
        .await;
    let nudges: Vec<&str> = scheduler
        .queued_keys()
        .into_iter()
        .filter(|k| k.starts_with("seq:activation:"))
        .collect();
    let maya = sample_id(&pool, "maya").await;
    assert_eq!(nudges, vec![format!("seq:activation:{maya}:nudge1")]);
    // Queued on the 7th day after delivery (program time).
    assert_eq!(
        day(scheduler.queued_at(nudges[0]).unwrap()),
        day(t3) + Duration::days(7)
    );
}

trait Second {
    fn with_nanosecond0(self) -> Self;
}

impl Second for DateTime<Utc> {
    fn with_nanosecond0(self) -> Self {
        DateTime::from_timestamp(self.timestamp(), 0).unwrap()
    }
}
