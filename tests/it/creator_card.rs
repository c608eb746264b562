//! A creator's stats card, checked against values computed by hand from the fixture in
//! tests/stats_fixture/mod.rs.

use crate::common::cli::shown_values;
use crate::stats_fixture;

use creator_bot::domain::{Handle, Period, Tier};
use creator_bot::features::stats::{SampleStatus, UnknownCreator, creator_card};
use serde_json::json;
use sqlx::PgPool;
use stats_fixture::{date, november, november_program, run_cli};

fn handle(raw: &str) -> Handle {
    Handle::parse(raw).unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn avas_november_card(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    // Any case, with or without '@'.
    let card = creator_card(&pool, &program, &handle("@AVA"), november())
        .await
        .unwrap();
    assert_eq!(card.handle, "ava");
    assert_eq!(card.tier, Tier::AllStars);
    assert!(!card.tier_pinned);
    // The latest of her two tier changes.
    assert_eq!(
        card.tier_reason.as_deref(),
        Some("30-day GMV reached $3,000.00")
    );
    // 18000 is the highest November GMV.
    assert_eq!(card.rank, Some(1));
    assert_eq!(card.joined_on, date("2026-10-20"));
    assert_eq!(card.first_sale_on, Some(date("2026-11-01")));
    // O1 10000 + O2 8000; O10 (1 December) is after the period's end.
    assert_eq!(card.lifetime_gmv_cents, 18_000);
    let s = &card.sales;
    // O1 10000 + O2 5000 + 3000 + O3 2000.
    assert_eq!(s.gross_gmv_cents, 20_000);
    // O3 refunded.
    assert_eq!(s.refunded_gmv_cents, 2_000);
    assert_eq!(s.gmv_cents, 18_000);
    // O1, O2 (two SKUs).
    assert_eq!(s.orders, 2);
    // 18000 / 2.
    assert_eq!(s.aov_cents, Some(9_000));
    // O1 actual 1200 + O2 500 + 300.
    assert_eq!(s.commission_cents, 2_000);
    // 1000 + 500 + 300.
    assert_eq!(s.commission_estimated_cents, 1_800);
    assert_eq!(s.commission_actual_cents, 1_200);
    // 2000 / 18000 = 0.11111.
    assert_eq!(s.commission_to_revenue, Some(0.1111));
    // v1, v2.
    assert_eq!(card.videos, 2);
    // 1000 + 3000.
    assert_eq!(card.views, 4_000);
    // (100 + 10 + 5 + 201 + 20 + 10) / 4000 = 346 / 4000.
    assert_eq!(card.engagement_rate, Some(0.0865));
    // s1 and s2 delivered in November, both followed by a video: 2 / 2.
    assert_eq!(card.sample_conversion_rate, Some(1.0));
    // Commission 2000 + s2 (p2 2000 + 300 shipping; s1 shipped in October) + her fee 5000.
    assert_eq!(card.program_cost_cents, 9_300);
    // (18000 − 9300) / 9300 = 0.93548.
    assert_eq!(card.roi, Some(0.9355));
    // 9300 / 2.
    assert_eq!(card.cpa_cents, Some(4_650));
    let samples: Vec<_> = card
        .samples
        .iter()
        .map(|s| {
            (
                s.product_id.as_str(),
                s.shipped_on.to_string(),
                s.delivered_on.map(|d| d.to_string()),
                s.first_video_at.map(|t| t.to_rfc3339()),
                s.status,
            )
        })
        .collect();
    assert_eq!(
        samples,
        vec![
            // v2 at 10:00 EST.
            (
                "p2",
                "2026-11-03".into(),
                Some("2026-11-05".into()),
                Some("2026-11-10T15:00:00+00:00".into()),
                SampleStatus::Posted
            ),
            (
                "p1",
                "2026-10-28".into(),
                Some("2026-11-01".into()),
                Some("2026-11-02T15:00:00+00:00".into()),
                SampleStatus::Posted
            ),
        ]
    );
    let json = serde_json::to_value(&card).unwrap();
    assert_eq!(
        json["last_video"],
        json!({"content_id": "v2", "posted_at": "2026-11-10T15:00:00Z", "views": 3000})
    );
    assert_eq!(json["tier"], "all_stars");
    assert_eq!(json["samples"][0]["status"], "posted");

    // People read times in the program's time zone.
    let table = creator_bot::chat::commands::stats::creator_reply(&card, program.timezone).text();
    let last_video = table.lines().find(|l| l.contains("Last video")).unwrap();
    assert!(
        last_video.contains("v2 on 2026-11-10 10:00 EST (3,000 views)"),
        "{last_video}"
    );
    assert!(table.contains("2026-11-10 10:00 EST"), "{table}");
    assert!(table.contains("2026-11-02 10:00 EST"), "{table}");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_creator_without_sales(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let card = creator_card(&pool, &program, &handle("eve"), november())
        .await
        .unwrap();
    let json = serde_json::to_value(&card).unwrap();
    assert_eq!(
        json,
        json!({
            "handle": "eve", "tier": "new_and_promising", "tier_pinned": false,
            "tier_reason": null, "rank": null, "joined_on": "2026-11-10", "first_sale_on": null,
            "lifetime_gmv_cents": 0, "from": "2026-11-01", "to": "2026-12-01", "currency": "USD",
            "gross_gmv_cents": 0, "refunded_gmv_cents": 0, "gmv_cents": 0, "orders": 0,
            "aov_cents": null, "commission_cents": 0, "commission_estimated_cents": 0,
            "commission_actual_cents": 0, "commission_to_revenue": null,
            // v5 was posted at 23:30 on 31 October, New York time.
            "videos": 0, "views": 0, "engagement_rate": null,
            // s5 delivered in November, no video: 0 / 1.
            "sample_conversion_rate": 0.0,
            // s5: unknown product (unit cost 0) + 250 shipping.
            "program_cost_cents": 250,
            // (0 − 250) / 250.
            "roi": -1.0,
            "cpa_cents": null,
            "samples": [
                {"product_id": "p5", "shipped_on": "2026-11-12", "delivered_on": "2026-11-15",
                 "first_video_at": null, "status": "delivered"},
                // v5 (after delivery on 24 October) converted it.
                {"product_id": "p3", "shipped_on": "2026-10-20", "delivered_on": "2026-10-24",
                 "first_video_at": "2026-11-01T03:30:00Z", "status": "posted"}
            ],
            "last_video": {"content_id": "v5", "posted_at": "2026-11-01T03:30:00Z", "views": 800},
            "last_messages": []
        })
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn ranks_ties_transit_and_the_videos_after_the_period(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let card = |h: &'static str| {
        let (pool, program) = (pool.clone(), program.clone());
        async move {
            creator_card(&pool, &program, &handle(h), november())
                .await
                .unwrap()
        }
    };
    // November GMV: ava 18000, ben 4000, dan 3000, cleo 2500, gus 1000, hana 1000.
    let ranks = [
        card("ben").await.rank,
        card("dan").await.rank,
        card("cleo").await.rank,
        card("gus").await.rank,
        card("hana").await.rank,
        card("finn").await.rank,
    ];
    assert_eq!(ranks, [Some(2), Some(3), Some(4), Some(5), Some(5), None]);
    let cleo = card("cleo").await;
    assert_eq!(cleo.samples.len(), 1);
    assert_eq!(cleo.samples[0].status, SampleStatus::InTransit);
    // v4 was posted at local midnight ending November.
    assert_eq!(cleo.last_video, None);
    // hana's only video of p1 came before the sample's delivery.
    let hana = card("hana").await;
    assert_eq!(hana.samples[0].status, SampleStatus::Delivered);
    assert_eq!(hana.samples[0].first_video_at, None);
    assert_eq!(hana.sample_conversion_rate, Some(0.0));
    // dan's recorded first video (v6) came before the sample was delivered: not converted.
    let dan = card("dan").await;
    assert_eq!(dan.samples[0].status, SampleStatus::Delivered);
    assert_eq!(dan.sample_conversion_rate, Some(0.0));
    // O8 7000 + O11 1000 in October + O9 3000.
    assert_eq!(dan.lifetime_gmv_cents, 11_000);
    // In December, cleo's v4 is inside and nobody sold but ava (O10).
    let december = Period::new(date("2026-12-01"), date("2027-01-01")).unwrap();
    let cleo = creator_card(&pool, &program, &handle("cleo"), december)
        .await
        .unwrap();
    assert_eq!(
        (cleo.videos, cleo.views, cleo.rank),
        (1, 9_999, None),
        "cleo in December"
    );
    let ava = creator_card(&pool, &program, &handle("ava"), december)
        .await
        .unwrap();
    assert_eq!(
        (ava.sales.gmv_cents, ava.rank, ava.lifetime_gmv_cents),
        (8_000, Some(1), 26_000)
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_unknown_handle_is_named(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let err = creator_card(&pool, &program, &handle("@Nobody"), november())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no creator @nobody in program glow"
    );
    assert!(err.downcast_ref::<UnknownCreator>().is_some());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn json_has_exactly_the_documented_keys(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let card = creator_card(&pool, &program, &handle("ava"), november())
        .await
        .unwrap();
    let json = serde_json::to_value(&card).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "handle",
        "tier",
        "tier_pinned",
        "tier_reason",
        "rank",
        "joined_on",
        "first_sale_on",
        "lifetime_gmv_cents",
        "from",
        "to",
        "currency",
        "gross_gmv_cents",
        "refunded_gmv_cents",
        "gmv_cents",
        "orders",
        "aov_cents",
        "commission_cents",
        "commission_estimated_cents",
        "commission_actual_cents",
        "commission_to_revenue",
        "videos",
        "views",
        "engagement_rate",
        "sample_conversion_rate",
        "program_cost_cents",
        "roi",
        "cpa_cents",
        "samples",
        "last_video",
        "last_messages",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let sample_keys: Vec<&str> = json["samples"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        sample_keys,
        [
            "delivered_on",
            "first_video_at",
            "product_id",
            "shipped_on",
            "status"
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_command_line_prints_the_card(pool: PgPool) {
    november_program(&pool).await;
    let (code, stdout, stderr) = run_cli(
        &pool,
        &[
            "--program",
            "glow",
            "creator",
            "@Cleo",
            "--from",
            "2026-11-01",
            "--to",
            "2026-12-01",
        ],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    // cleo: O6 2500 with actual commission 200 (estimated 250); s6 p1 1000 + 350 in transit;
    // cost 200 + 1350 = 1550; ROI (2500 − 1550) / 1550 = 61.29 %.
    assert_eq!(
        stdout,
        "\
@cleo, 2026-11-01 to 2026-11-30
Tier                  New & Promising
Tier reason                         —
Rank by GMV                        #4
Joined                     2026-11-05
First sale                 2026-11-20
Lifetime GMV                   $25.00
GMV (net)                      $25.00
Gross GMV                      $25.00
Refunded GMV                    $0.00
Orders                              1
Average order value            $25.00
Commission                      $2.00
  estimated                     $2.50
  actual                        $2.00
Commission / revenue            8.00%
Videos                              0
Views                               0
Engagement rate                     —
Sample conversion                   —
Program cost                   $15.50
ROI                            61.29%
Cost per order                 $15.50
Last video                          —
Samples
Product  Shipped     Delivered  First video  Status
p1       2026-11-25  —          —            in transit
"
    );
    // Every value the command line's own table showed is still shown, under the same label.
    let mut before = shown_values(OLD_CLI_CARD);
    let mut now = shown_values(&stdout);
    before.sort();
    now.sort();
    let card_rows = |rows: Vec<(String, String)>| -> Vec<(String, String)> {
        rows.into_iter()
            .filter(|(l, _)| !l.starts_with("p1") && l != "Product" && l != "Sample")
            .collect()
    };
    assert_eq!(card_rows(now), card_rows(before));
    // The default period is the 30 days ending today, in New York.
    let (code, stdout, _) = run_cli(
        &pool,
        &[
            "--program",
            "glow",
            "creator",
            "gus",
            "--now",
            "2026-11-30T23:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            &json["from"],
            &json["to"],
            &json["gmv_cents"],
            &json["rank"]
        ),
        (
            &json!("2026-11-01"),
            &json!("2026-12-01"),
            &json!(1000),
            &json!(5)
        )
    );
    let (code, stdout, stderr) = run_cli(&pool, &["--program", "glow", "creator", "@nobody"]);
    assert_eq!(
        (code, stdout.as_str(), stderr.as_str()),
        (
            1,
            "",
            "error: there is no creator @nobody in program glow\n"
        )
    );
}

/// What `creator-bot creator @cleo` printed before it rendered the chat's reply.
const OLD_CLI_CARD: &str = "@cleo 2026-11-01 to 2026-11-30
┌──────────────────────┬─────────────────┐
│ Tier                 ┆ New & Promising │
│ Tier reason          ┆               — │
│ Rank by GMV          ┆              #4 │
│ Joined               ┆      2026-11-05 │
│ First sale           ┆      2026-11-20 │
│ Lifetime GMV         ┆          $25.00 │
│ Gross GMV            ┆          $25.00 │
│ Refunded GMV         ┆           $0.00 │
│ GMV (net)            ┆          $25.00 │
│ Orders               ┆               1 │
│ Average order value  ┆          $25.00 │
│ Commission           ┆           $2.00 │
│   estimated          ┆           $2.50 │
│   actual             ┆           $2.00 │
│ Commission / revenue ┆           8.00% │
│ Videos               ┆               0 │
│ Views                ┆               0 │
│ Engagement rate      ┆               — │
│ Sample conversion    ┆               — │
│ Program cost         ┆          $15.50 │
│ ROI                  ┆          61.29% │
│ Cost per order       ┆          $15.50 │
│ Last video           ┆               — │
└──────────────────────┴─────────────────┘
┌────────┬────────────┬───────────┬─────────────┬────────────┐
│ Sample ┆ Shipped    ┆ Delivered ┆ First video ┆ Status     │
╞════════╪════════════╪═══════════╪═════════════╪════════════╡
│ p1     ┆ 2026-11-25 ┆ —         ┆ —           ┆ in transit │
└────────┴────────────┴───────────┴─────────────┴────────────┘
";
