//! Program KPIs over a period, each checked against a value computed by hand from the fixture in
//! tests/stats_fixture/mod.rs.

use crate::common;
use crate::stats_fixture;

use crate::common::cli::shown_values;
use creator_bot::chat::commands::stats::kpi_reply;
use creator_bot::domain::Period;
use creator_bot::domain::pareto::ParetoShare;
use creator_bot::features::stats::program_kpis;
use sqlx::PgPool;
use stats_fixture::{date, november, november_program};

fn share(top_percent: u32, creators: u64, gmv_share: Option<f64>) -> ParetoShare {
    ParetoShare {
        top_percent,
        creators,
        gmv_share,
    }
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn november_kpis_match_the_hand_computed_values(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let k = program_kpis(&pool, &program, november()).await.unwrap();
    let s = &k.sales;
    // Not unpaid: O1 10000 + O2 5000 + 3000 + O3 2000 + O4 4000 + O5 1500 + O6 2500 + O9 3000
    // + O13 2000 + O15 1000 + O16 1000 (O7, O12 unpaid; O8, O11, O14 October; O10 December).
    assert_eq!(s.gross_gmv_cents, 35_000);
    // O3 refunded 2000 + O5 ineligible 1500 + O13 refunded 2000.
    assert_eq!(s.refunded_gmv_cents, 5_500);
    // 35000 − 5500.
    assert_eq!(s.gmv_cents, 29_500);
    // O1, O2 (two SKUs, one order), O4, O6, O9, O15, O16.
    assert_eq!(s.orders, 7);
    // 29500 / 7 = 4214.29.
    assert_eq!(s.aov_cents, Some(4_214));
    // O1 actual 1200 + O2 500 + 300 + O4 400 + O6 actual 200 + O9 300 + O15 100 + O16 100.
    assert_eq!(s.commission_cents, 3_100);
    // 1000 + 800 + 400 + 250 + 300 + 100 + 100.
    assert_eq!(s.commission_estimated_cents, 2_950);
    // 1200 + 200.
    assert_eq!(s.commission_actual_cents, 1_400);
    // 3100 / 29500 = 0.10508.
    assert_eq!(s.commission_to_revenue, Some(0.1051));
    // ava, ben, cleo, dan, gus, hana (finn has no net line).
    assert_eq!(k.selling_creators, 6);
    // 29500 / 6 = 4916.67.
    assert_eq!(k.gmv_per_creator_cents, Some(4_917));
    // v1, v2 ava; v3 ben (23:30 EST on 30 Nov); v6 dan; v7 hana — not v4 (1 Dec), v5 (31 Oct).
    assert_eq!(k.activated_creators, 4);
    // Delivered in November: s1 s2 s3 s5 s7 s8 s9 = 7; followed by a video after delivery:
    // s1 s2 s3 (videos), s8 (recorded first video) = 4 — not s7 nor s9, whose videos came before
    // the sample arrived → 4 / 7 = 0.57143.
    assert_eq!(k.sample_conversion_rate, Some(0.5714));
    // First sale in November − joined: ava 12, ben 4, cleo 15, gus 5 → (5 + 12) / 2.
    assert_eq!(k.median_days_to_first_sale, Some(8.5));
    // Commission 3100 + samples shipped in November (unit cost + shipping): s2 2000+300,
    // s3 1000+400, s5 0+250, s6 1000+350, s7 1500+200, s8 2000+100, s9 1000+0 = 10100
    // + costs incurred in November 5000 + 2000 = 3100 + 10100 + 7000.
    assert_eq!(k.program_cost_cents, 20_200);
    // (29500 − 20200) / 20200 = 0.46040.
    assert_eq!(k.roi, Some(0.4604));
    // 20200 / 7 = 2885.71.
    assert_eq!(k.cpa_cents, Some(2_886));
    // Net GMV before 1 Dec: 29500 + O8 7000 + O11 1000 + O14 500 = 38000, over the 6 creators
    // who sold by then = 6333.33.
    assert_eq!(k.clv_cents, Some(6_333));
    // v1 1000 + v2 3000 + v3 500 + v6 2000 + v7 0.
    assert_eq!(k.views, 6_500);
    // (115 + 231 + 55 + 50 + 0) / 6500 = 0.06938.
    assert_eq!(k.engagement_rate, Some(0.0694));
    // Selling GMV, highest first: 18000, 4000, 3000, 2500, 1000, 1000. Top 1/5/10 % of 6 = 1
    // creator: 18000 / 29500 = 0.61017; top 20 % = ceil(1.2) = 2: 22000 / 29500 = 0.74576.
    assert_eq!(
        k.pareto,
        vec![
            share(1, 1, Some(0.6102)),
            share(5, 1, Some(0.6102)),
            share(10, 1, Some(0.6102)),
            share(20, 2, Some(0.7458)),
        ]
    );
    assert_eq!((k.from, k.to), (date("2026-11-01"), date("2026-12-01")));
    assert_eq!(k.currency, "USD");
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn json_has_exactly_the_documented_keys(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let k = program_kpis(&pool, &program, november()).await.unwrap();
    let json = serde_json::to_value(&k).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
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
        "selling_creators",
        "gmv_per_creator_cents",
        "activated_creators",
        "sample_conversion_rate",
        "median_days_to_first_sale",
        "program_cost_cents",
        "roi",
        "cpa_cents",
        "clv_cents",
        "views",
        "engagement_rate",
        "pareto",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(
        json["pareto"][3],
        serde_json::json!({"top_percent": 20, "creators": 2, "gmv_share": 0.7458})
    );
    assert_eq!(json["from"], "2026-11-01");
    assert_eq!(json["gmv_cents"], 29_500);
    assert_eq!(json["commission_to_revenue"], 0.1051);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn an_empty_period_has_zeros_and_nulls(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let january = Period::new(date("2025-01-01"), date("2025-02-01")).unwrap();
    let k = program_kpis(&pool, &program, january).await.unwrap();
    let json = serde_json::to_value(&k).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "from": "2025-01-01", "to": "2025-02-01", "currency": "USD",
            "gross_gmv_cents": 0, "refunded_gmv_cents": 0, "gmv_cents": 0, "orders": 0,
            "aov_cents": null, "commission_cents": 0, "commission_estimated_cents": 0,
            "commission_actual_cents": 0, "commission_to_revenue": null, "selling_creators": 0,
            "gmv_per_creator_cents": null, "activated_creators": 0, "sample_conversion_rate": null,
            "median_days_to_first_sale": null, "program_cost_cents": 0, "roi": null,
            "cpa_cents": null, "clv_cents": null, "views": 0, "engagement_rate": null,
            "pareto": [
                {"top_percent": 1, "creators": 0, "gmv_share": null},
                {"top_percent": 5, "creators": 0, "gmv_share": null},
                {"top_percent": 10, "creators": 0, "gmv_share": null},
                {"top_percent": 20, "creators": 0, "gmv_share": null}
            ]
        })
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn new_lines_show_up_in_the_next_call(pool: PgPool) {
    let (program, c) = november_program(&pool).await;
    let before = program_kpis(&pool, &program, november()).await.unwrap();
    assert_eq!(
        (before.selling_creators, before.sales.gmv_cents),
        (6, 29_500)
    );
    // eve's first sale lands in November: a seventh seller, and the cached ranking must notice.
    common::lines(
        &pool,
        &program,
        &[common::Line::settled(
            "O17",
            c.eve,
            "2026-11-28 10:00",
            20_000,
        )],
    )
    .await;
    let after = program_kpis(&pool, &program, november()).await.unwrap();
    assert_eq!((after.selling_creators, after.sales.gmv_cents), (7, 49_500));
    // Top 1 % is now eve: 20000 / 49500 = 0.40404.
    assert_eq!(after.pareto[0], share(1, 1, Some(0.404)));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn table_shows_money_percentages_and_dashes(pool: PgPool) {
    let (program, _) = november_program(&pool).await;
    let k = program_kpis(&pool, &program, november()).await.unwrap();
    let text = kpi_reply(&program.name, &k).text();
    assert_eq!(
        text,
        "\
KPIs for glow program, 2026-11-01 to 2026-11-30
GMV (net)                        $295.00
Gross GMV                        $350.00
Refunded GMV                      $55.00
Orders                                 7
Average order value               $42.14
Commission                        $31.00
  estimated                       $29.50
  actual                          $14.00
Commission / revenue              10.51%
Selling creators                       6
GMV per selling creator           $49.17
Activated creators                     4
Sample conversion                 57.14%
Median days to first sale       8.5 days
Program cost                     $202.00
ROI                               46.04%
Cost per order                    $28.86
CLV (lifetime GMV per seller)     $63.33
Views                              6,500
Engagement rate                    6.94%
Top 1% (1 creator) GMV share      61.02%
Top 5% (1 creator) GMV share      61.02%
Top 10% (1 creator) GMV share     61.02%
Top 20% (2 creators) GMV share    74.58%"
    );
    // The command line used to print a table of its own: the same values under the same (or
    // renamed) labels are shown now.
    let renamed = |label: &str| {
        label
            .replace(
                "Lifetime GMV per seller (CLV)",
                "CLV (lifetime GMV per seller)",
            )
            .replace("share of GMV", "GMV share")
    };
    let mut before: Vec<(String, String)> = shown_values(OLD_CLI_TABLE)
        .into_iter()
        .map(|(l, v)| (renamed(&l), v))
        .collect();
    let mut now = shown_values(&text);
    before.sort();
    now.sort();
    assert_eq!(now, before);
    let january = Period::new(date("2025-01-01"), date("2025-02-01")).unwrap();
    let empty = kpi_reply(
        &program.name,
        &program_kpis(&pool, &program, january).await.unwrap(),
    )
    .text();
    let lines: Vec<&str> = empty.lines().collect();
    assert_eq!(lines[0], "KPIs for glow program, 2025-01-01 to 2025-01-31");
    assert_eq!(
        lines[5],
        format!("{:<30}  {:>5}", "Average order value", "—")
    );
    assert_eq!(
        lines[14],
        format!("{:<30}  {:>5}", "Median days to first sale", "—")
    );
    assert_eq!(lines[16], format!("{:<30}  {:>5}", "ROI", "—"));
    assert_eq!(lines[20], format!("{:<30}  {:>5}", "Engagement rate", "—"));
    assert_eq!(
        lines[24],
        format!("{:<30}  {:>5}", "Top 20% (0 creators) GMV share", "—")
    );
}

/// What `creator-bot kpi` printed for November before it rendered the chat's reply.
const OLD_CLI_TABLE: &str = "KPIs 2026-11-01 to 2026-11-30
┌───────────────────────────────────┬──────────┐
│ Gross GMV                         ┆  $350.00 │
│ Refunded GMV                      ┆   $55.00 │
│ GMV (net)                         ┆  $295.00 │
│ Orders                            ┆        7 │
│ Average order value               ┆   $42.14 │
│ Commission                        ┆   $31.00 │
│   estimated                       ┆   $29.50 │
│   actual                          ┆   $14.00 │
│ Commission / revenue              ┆   10.51% │
│ Selling creators                  ┆        6 │
│ GMV per selling creator           ┆   $49.17 │
│ Activated creators                ┆        4 │
│ Sample conversion                 ┆   57.14% │
│ Median days to first sale         ┆ 8.5 days │
│ Program cost                      ┆  $202.00 │
│ ROI                               ┆   46.04% │
│ Cost per order                    ┆   $28.86 │
│ Lifetime GMV per seller (CLV)     ┆   $63.33 │
│ Views                             ┆    6,500 │
│ Engagement rate                   ┆    6.94% │
│ Top 1% (1 creator) share of GMV   ┆   61.02% │
│ Top 5% (1 creator) share of GMV   ┆   61.02% │
│ Top 10% (1 creator) share of GMV  ┆   61.02% │
│ Top 20% (2 creators) share of GMV ┆   74.58% │
└───────────────────────────────────┴──────────┘
";
