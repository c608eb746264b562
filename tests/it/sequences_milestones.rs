//! Milestones, first-post thanks and promotion notes over 60 days, the scheduler running every
//! hour: first sale, commission passing $100, going viral (a staff alert only when the tier check
//! has not queued one), a thank-you worded by the first video's views 48 hours after it was
//! posted, a note for each promotion (none for a demotion); opted-out creators get nothing.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::lifecycle::{
    Row, Scheduler, assert_outbox, creator_in, glow, import_videos, launched_product, opt_out,
    templates, utc,
};
use common::{Line, lines, tier_change};
use creator_bot::config::Config;
use creator_bot::db::programs::Program;
use creator_bot::features::sequences::Scheduled;
use creator_bot::features::tiers;
use sqlx::PgPool;

fn row(key: String, creator_id: i64, template: &str, text: &str, due_at: &str) -> Row {
    Row {
        dedupe_key: key,
        kind: "dm".into(),
        creator_id: Some(creator_id),
        channel: None,
        template: Some(template.into()),
        text: text.into(),
        due_at: utc(due_at),
        status: "sent".into(),
    }
}

fn first_sale(first_name: &str) -> String {
    format!(
        "Congratulations {first_name}, you just made your first sale with Glow Skincare! 🎉 Your \
         content is turning into commission. Keep going: a video that sold once usually sells \
         again."
    )
}

fn commission(first_name: &str, amount: &str) -> String {
    format!(
        "{first_name}, you've now earned {amount} in commission with us, past the $100.00 mark! \
         Thank you for every video, and keep them coming."
    )
}

fn viral(first_name: &str, gmv: &str) -> String {
    format!(
        "{first_name}, you went viral! 🚀 Your videos brought in {gmv} in sales over the last 7 \
         days, and that makes you one of our All-Stars.\n\n\
         Welcome to the top tier: weekly check-ins with our team, first access to new products \
         and exclusive commission rates. We'll be in touch very soon!"
    )
}

fn steady(first_name: &str, gap: &str) -> String {
    format!(
        "Great news {first_name}: you've moved up to Steady Earners! 🎉\n\n\
         You're now in our bi-weekly creator update (top videos, tips and new products), our \
         competitions with prizes, and our milestone bonuses. {gap} more in monthly sales takes \
         you to All-Stars."
    )
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// One settled order line per local time, `amount_cents` each, named `{prefix}-{n}`.
fn sales(prefix: &str, creator_id: i64, at: &[&str], amount_cents: i64) -> Vec<Line> {
    at.iter()
        .enumerate()
        .map(|(n, at)| {
            Line::settled(
                leak(format!("{prefix}-{n}")),
                creator_id,
                leak(at.to_string()),
                amount_cents,
            )
        })
        .collect()
}

async fn history_id(pool: &PgPool, creator_id: i64, to_tier: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM tier_history WHERE creator_id = $1 AND to_tier = $2")
        .bind(creator_id)
        .bind(to_tier)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A viral jump recorded without the tier check's staff alert.
async fn viral_jump(pool: &PgPool, program: &Program, creator_id: i64, at: DateTime<Utc>) {
    sqlx::query(
        "INSERT INTO tier_history (program_id, creator_id, from_tier, to_tier, kind, reason,
                                   changed_at, changed_by)
         VALUES ($1, $2, 'new_and_promising', 'all_stars', 'viral',
                 '7-day GMV $10,500.00 ≥ $10,000.00 (went viral)', $3, 'system')",
    )
    .bind(program.id)
    .bind(creator_id)
    .bind(at)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE creators SET tier = 'all_stars' WHERE id = $1")
        .bind(creator_id)
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn sixty_days_of_milestones_thanks_and_promotions(pool: PgPool) {
    let p = glow(&pool).await;
    launched_product(&pool, &p, "p-serum", "Glow Serum", Some("2026-01-15")).await;
    launched_product(&pool, &p, "p-mask", "Clay Mask", Some("2026-03-01")).await;
    let c = |handle: &'static str, tz: Option<&'static str>| {
        let pool = pool.clone();
        let p = p.clone();
        async move {
            let first = format!("{}{}", handle[..1].to_uppercase(), &handle[1..]);
            creator_in(&pool, &p, handle, &first, "2026-01-05", tz).await
        }
    };
    let (ada, bea, cyd, dan) = (
        c("ada", None).await,
        c("bea", None).await,
        c("cyd", None).await,
        c("dan", None).await,
    );
    let (eve, fay, gus, hal) = (
        c("eve", None).await,
        c("fay", None).await,
        c("gus", None).await,
        c("hal", None).await,
    );
    let ivy = c("ivy", None).await;
    let ken = c("ken", Some("Asia/Tokyo")).await;
    opt_out(&pool, &p, ivy, utc("2026-02-01T12:00:00Z")).await;
    // An old promotion: long past, never announced.
    tier_change(
        &pool,
        &p,
        hal,
        "all_stars",
        "pinned for the launch",
        "2026-02-01 10:00",
    )
    .await;
    let cfg = Config::default();
    let hour = Duration::hours(1);
    let mut s = Scheduler::new(&pool, &p);

    s.run_every(
        utc("2026-03-01T00:00:00Z"),
        utc("2026-03-10T18:00:00Z"),
        hour,
    )
    .await;
    lines(
        &pool,
        &p,
        &sales("dan-a", dan, &["2026-03-10 14:00"], 20_000),
    )
    .await;
    lines(
        &pool,
        &p,
        &sales("ivy-a", ivy, &["2026-03-10 13:00"], 50_000),
    )
    .await;
    s.run_every(
        utc("2026-03-10T19:00:00Z"),
        utc("2026-03-20T15:00:00Z"),
        hour,
    )
    .await;
    // $20 + $90 commission: past $100.
    lines(
        &pool,
        &p,
        &sales("dan-b", dan, &["2026-03-20 11:00"], 90_000),
    )
    .await;
    s.run_every(
        utc("2026-03-20T16:00:00Z"),
        utc("2026-03-25T16:00:00Z"),
        hour,
    )
    .await;
    lines(
        &pool,
        &p,
        &sales("gus-a", gus, &["2026-03-25 12:00"], 40_000),
    )
    .await;
    s.run_every(
        utc("2026-03-25T17:00:00Z"),
        utc("2026-04-02T00:00:00Z"),
        hour,
    )
    .await;
    // First videos; the export is downloaded again later with more views.
    import_videos(
        &pool,
        &p,
        &[
            "v-ada,ada,p-serum,2026-04-01 18:00,1200",
            "v-ken,ken,,2026-04-01 09:00,300",
            "v-ivy,ivy,p-serum,2026-04-01 10:00,10000",
        ],
    )
    .await;
    s.run_every(
        utc("2026-04-02T01:00:00Z"),
        utc("2026-04-03T12:00:00Z"),
        hour,
    )
    .await;
    import_videos(
        &pool,
        &p,
        &[
            "v-ada,ada,p-serum,2026-04-01 18:00,80000",
            "v-ken,ken,,2026-04-01 09:00,5000",
            "v-bea,bea,p-mask,2026-04-02 09:00,6000",
            "v-cyd,cyd,,2026-04-02 19:30,120",
        ],
    )
    .await;
    s.run_every(
        utc("2026-04-03T13:00:00Z"),
        utc("2026-04-06T13:00:00Z"),
        hour,
    )
    .await;
    // Eve sells $12,000 in five days; the daily tier check at 09:45 makes her an All-Star (and
    // queues its own staff alert) and moves Dan, Gus and Ivy up to Steady Earners (Ivy opted out:
    // no note for her).
    let eve_days = [
        "2026-04-01 12:00",
        "2026-04-02 12:00",
        "2026-04-03 12:00",
        "2026-04-04 12:00",
        "2026-04-05 12:00",
    ];
    lines(&pool, &p, &sales("eve", eve, &eve_days, 240_000)).await;
    let check = tiers::check(&pool, &p, &cfg.tiers, utc("2026-04-06T13:45:00Z"))
        .await
        .unwrap();
    assert_eq!((check.promoted, check.alerts_queued), (4, 1));
    let at = utc("2026-04-06T14:00:00Z");
    assert_eq!(
        s.run_at(at).await,
        Scheduled {
            milestones: 3,
            promotions: 2,
            ..Scheduled::default()
        }
    );
    assert_eq!(s.run_at(at).await, Scheduled::default());
    s.run_every(
        utc("2026-04-06T15:00:00Z"),
        utc("2026-04-10T13:00:00Z"),
        hour,
    )
    .await;
    // Fay's viral jump comes without a staff alert: the sequence queues one.
    let fay_days = ["2026-04-07 12:00", "2026-04-08 12:00", "2026-04-09 12:00"];
    let fay_sales: Vec<Line> = sales("fay", fay, &fay_days, 350_000)
        .into_iter()
        .map(|l| Line {
            est_commission_cents: 0,
            ..l
        })
        .collect();
    lines(&pool, &p, &fay_sales).await;
    viral_jump(&pool, &p, fay, utc("2026-04-10T13:30:00Z")).await;
    s.run_every(
        utc("2026-04-10T14:00:00Z"),
        utc("2026-04-15T17:00:00Z"),
        hour,
    )
    .await;
    lines(
        &pool,
        &p,
        &sales("gus-b", gus, &["2026-04-15 12:00"], 300_000),
    )
    .await;
    s.run_every(
        utc("2026-04-15T18:00:00Z"),
        utc("2026-04-20T13:00:00Z"),
        hour,
    )
    .await;
    // Gus reaches $3,400 in 30 days: All-Stars. Hal is moved down: no note for that.
    tier_change(
        &pool,
        &p,
        hal,
        "steady_earners",
        "monthly review",
        "2026-04-20 09:40",
    )
    .await;
    tiers::check(&pool, &p, &cfg.tiers, utc("2026-04-20T13:45:00Z"))
        .await
        .unwrap();
    s.run_every(
        utc("2026-04-20T14:00:00Z"),
        utc("2026-04-30T00:00:00Z"),
        hour,
    )
    .await;

    let m = |id: i64, what: &str| format!("seq:milestone:{id}:{what}");
    let promotion = |history: i64| format!("seq:promotion:{history}");
    let eve_viral = history_id(&pool, eve, "all_stars").await;
    let fay_viral = history_id(&pool, fay, "all_stars").await;
    let mut expected = vec![
        row(
            m(dan, "first_sale"),
            dan,
            "milestone_first_sale",
            &first_sale("Dan"),
            "2026-03-10T19:00:00Z",
        ),
        row(
            m(dan, "commission_10000"),
            dan,
            "milestone_commission",
            &commission("Dan", "$110.00"),
            "2026-03-20T16:00:00Z",
        ),
        row(
            m(gus, "first_sale"),
            gus,
            "milestone_first_sale",
            &first_sale("Gus"),
            "2026-03-25T17:00:00Z",
        ),
        // 48 hours after 18:00 EDT, judged on the views by then: a high performer.
        row(
            format!("seq:first_post:{ada}"),
            ada,
            "first_post_high",
            "Ada, thank you for your first video with Glow Serum! 80,000 views already: it's \
             taking off. 🙌\n\nWe'd love to keep this going. Can we send you our Clay Mask to \
             try next?",
            "2026-04-03T22:00:00Z",
        ),
        // 48 hours after 09:00 EDT is 22:00 in Tokyo: Ken hears at his 09:00.
        row(
            format!("seq:first_post:{ken}"),
            ken,
            "first_post_medium",
            "Thank you for your first video, Ken! 5,000 views is a really good start.\n\n\
             Fancy filming something new next? We'd be happy to send you our Clay Mask: just \
             reply yes.",
            "2026-04-04T00:00:00Z",
        ),
        // Bea filmed the Clay Mask: she is offered the other product.
        row(
            format!("seq:first_post:{bea}"),
            bea,
            "first_post_medium",
            "Thank you for your first video with Clay Mask, Bea! 6,000 views is a really good \
             start.\n\nFancy filming something new next? We'd be happy to send you our Glow \
             Serum: just reply yes.",
            "2026-04-04T13:00:00Z",
        ),
        // Due at 19:30 EDT; the hourly run that sees it is at 20:00, too late: next morning.
        row(
            format!("seq:first_post:{cyd}"),
            cyd,
            "first_post_general",
            "Thank you for your first video, Cyd! We really appreciate it.\n\n\
             Your affiliate link stays active, so that video keeps earning commission on every \
             sale it brings. Feel free to share the link on your other platforms too.",
            "2026-04-05T13:00:00Z",
        ),
        row(
            m(eve, "first_sale"),
            eve,
            "milestone_first_sale",
            &first_sale("Eve"),
            "2026-04-06T14:00:00Z",
        ),
        row(
            m(eve, "commission_10000"),
            eve,
            "milestone_commission",
            &commission("Eve", "$1,200.00"),
            "2026-04-06T14:00:00Z",
        ),
        row(
            m(eve, &format!("viral:{eve_viral}")),
            eve,
            "milestone_viral",
            &viral("Eve", "$12,000.00"),
            "2026-04-06T14:00:00Z",
        ),
        row(
            promotion(history_id(&pool, dan, "steady_earners").await),
            dan,
            "tier_promotion_steady_earners",
            &steady("Dan", "$1,900.00"),
            "2026-04-06T14:00:00Z",
        ),
        row(
            promotion(history_id(&pool, gus, "steady_earners").await),
            gus,
            "tier_promotion_steady_earners",
            &steady("Gus", "$2,600.00"),
            "2026-04-06T14:00:00Z",
        ),
        row(
            m(fay, "first_sale"),
            fay,
            "milestone_first_sale",
            &first_sale("Fay"),
            "2026-04-10T14:00:00Z",
        ),
        row(
            m(fay, &format!("viral:{fay_viral}")),
            fay,
            "milestone_viral",
            &viral("Fay", "$10,500.00"),
            "2026-04-10T14:00:00Z",
        ),
        row(
            m(gus, "commission_10000"),
            gus,
            "milestone_commission",
            &commission("Gus", "$340.00"),
            "2026-04-15T18:00:00Z",
        ),
        row(
            promotion(history_id(&pool, gus, "all_stars").await),
            gus,
            "tier_promotion_all_stars",
            "Gus, welcome to All-Stars, our top tier! 🌟\n\nAs an All-Star you get a weekly \
             check-in with our team, first access to new products and exclusive commission \
             rates. Thank you for everything you do for us.",
            "2026-04-20T14:00:00Z",
        ),
    ];
    // The tier check's own alert for Eve (worded when it is sent), and the one the sequence adds
    // for Fay.
    expected.push(Row {
        dedupe_key: format!("tier:viral:{eve}:2026-04-06"),
        kind: "staff_alert".into(),
        creator_id: Some(eve),
        channel: Some("staff".into()),
        template: Some("milestone_viral_alert".into()),
        text: String::new(),
        due_at: utc("2026-04-06T13:45:00Z"),
        status: "sent".into(),
    });
    expected.push(Row {
        dedupe_key: m(fay, &format!("viral_alert:{fay_viral}")),
        kind: "staff_alert".into(),
        creator_id: Some(fay),
        channel: Some("staff".into()),
        template: Some("milestone_viral_alert".into()),
        text: "@fay went viral: $10,500.00 GMV in the last 7 days.".into(),
        due_at: utc("2026-04-10T14:00:00Z"),
        status: "sent".into(),
    });
    expected.sort_by(|a, b| (a.due_at, &a.dedupe_key).cmp(&(b.due_at, &b.dedupe_key)));
    assert_outbox(&pool, &expected).await;
    // Both viral alerts read alike in the staff channel.
    let vars: serde_json::Value =
        sqlx::query_scalar("SELECT payload->'vars' FROM outbox WHERE dedupe_key = $1")
            .bind(format!("tier:viral:{eve}:2026-04-06"))
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        templates()
            .render_json("milestone_viral_alert", &vars)
            .unwrap(),
        "@eve went viral: $12,000.00 GMV in the last 7 days."
    );
}
