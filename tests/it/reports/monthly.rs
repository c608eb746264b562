//! The monthly deep-dive of November 2026, built on 1 December after the review.

use chrono::NaiveDate;
use creator_bot::charts::ChartSpec;
use creator_bot::domain::Tier;
use creator_bot::features::reports::{Grid, Report, ReportKind, Section, monthly};
use sqlx::PgPool;

use super::{row, two_quarters};
use crate::common::local;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn november_against_october_with_the_review_by_name(pool: PgPool) {
    let (p, _) = two_quarters(&pool).await;
    let at = local(&p, "2026-12-01 09:00");
    let r = monthly::build(&pool, &p, at).await.unwrap();
    assert_eq!(
        (r.about.from, r.about.to),
        (day("2026-11-01"), day("2026-12-01"))
    );
    // November: o6 $400 + o7 $120 + o9 $90 net (o8's $60 refunded) = $610 over 3 orders.
    assert_eq!(r.kpis.sales.gmv_cents, 61_000);
    // October: o4 $300 + o5 $80.
    assert_eq!(r.previous_kpis.sales.gmv_cents, 38_000);
    // (610 − 380) / 380 = 0.60526…
    assert_eq!(r.changes["gmv_cents"], Some(0.6053));
    // Sample conversion 1/2 in November (S5 posted, S4 not) against 1/1 in October (S3).
    assert_eq!(r.changes["sample_conversion_rate"], Some(-0.5));
    let review = r.review.clone().unwrap();
    assert_eq!(review.at, local(&p, "2026-12-01 06:00"));
    let names = |m: &[creator_bot::db::reports::TierMove]| {
        m.iter()
            .map(|m| (m.handle.clone(), m.from, m.to))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&review.promotions),
        vec![("eve".to_string(), Tier::SteadyEarners, Tier::AllStars)]
    );
    assert_eq!(
        names(&review.demotions),
        vec![
            ("ana".to_string(), Tier::AllStars, Tier::SteadyEarners),
            ("cy".to_string(), Tier::SteadyEarners, Tier::NewAndPromising),
        ]
    );
    // Dee went dormant on 25 Nov; cy on 20 Oct is October's.
    assert_eq!(r.went_dormant, vec!["dee".to_string()]);
    assert_eq!(
        r.charts,
        vec![
            ChartSpec::Pareto {
                from: day("2026-11-01"),
                to: day("2026-12-01")
            },
            ChartSpec::Tiers {
                at: day("2026-12-01")
            },
        ]
    );

    let doc = r.document();
    assert_eq!(doc.title, "Monthly deep-dive, 1 Nov 2026 – 30 Nov 2026");
    let kpi_rows = vec![
        // Gross $670, refunded $60: net $610; October $380.
        row(&["GMV", "$610.00", "$380.00", "+60.5%"]),
        row(&["Refunded GMV", "$60.00", "$0.00", "–"]),
        row(&["Orders", "3", "2", "+50.0%"]),
        // 610 / 3 = 203.33; 380 / 2 = 190; +7.0 %.
        row(&["AOV", "$203.33", "$190.00", "+7.0%"]),
        // $40 + $12 + $0 (o9 earned none); October $30 + $8.
        row(&["Commission", "$52.00", "$38.00", "+36.8%"]),
        // 52 / 610 = 8.52 %; 10 % in October: −1.48 points.
        row(&["Commission-to-revenue", "8.5%", "10.0%", "-1.5 pts"]),
        // ana, eve, bo (dee's only line was refunded); ana, cy.
        row(&["Selling creators", "3", "2", "+50.0%"]),
        row(&["GMV per creator", "$203.33", "$190.00", "+7.0%"]),
        // Videos in November: eve's and fay's; in October: ana's.
        row(&["Activated creators", "2", "1", "+100.0%"]),
        row(&["Sample conversion", "50.0%", "100.0%", "-50.0 pts"]),
        // Eve's first sale 33 days after joining; nobody's first sale in October.
        row(&["Days to first sale", "33 days", "–", "–"]),
        // $52 commission + S5 ($4 + $9) + $100 bonus = $165; October $38 + S3 ($6 + $5) +
        // S4 ($4 + $9) = $62.
        row(&["Program cost", "$165.00", "$62.00", "+166.1%"]),
        // (610 − 165) / 165 = 2.697; (380 − 62) / 62 = 5.129.
        row(&["ROI", "269.7%", "512.9%", "-243.2 pts"]),
        row(&["CPA", "$55.00", "$31.00", "+77.4%"]),
        // Lifetime GMV before 1 Dec $1,340 over 4 sellers; before 1 Nov $730 over 3.
        row(&["CLV", "$335.00", "$243.33", "+37.7%"]),
        row(&["Views", "2,300", "1,500", "+53.3%"]),
        row(&["Engagement rate", "0.0%", "0.0%", "+0.0 pts"]),
    ];
    assert_eq!(
        doc.sections,
        vec![
            Section::Heading("KPIs".into()),
            Section::Table(Grid::numeric(
                &["KPI", "Nov 2026", "Oct 2026", "Change"],
                kpi_rows
            )),
            Section::Heading("Monthly review".into()),
            Section::Text("Review of 1 Dec 2026: 1 promoted, 2 demoted.".into()),
            Section::Names {
                label: "Promoted".into(),
                names: vec!["@eve (Steady Earners → All-Stars)".into()],
            },
            Section::Names {
                label: "Demoted".into(),
                names: vec![
                    "@ana (All-Stars → Steady Earners)".into(),
                    "@cy (Steady Earners → New & Promising)".into()
                ],
            },
            // After the review: eve; ana and bo; cy, dee, fay.
            Section::Text("Tiers now: 1 All-Stars, 2 Steady Earners, 3 New & Promising.".into()),
            Section::Heading("Creators".into()),
            Section::Text("Sample conversion: 50.0%; median time to first sale: 33 days.".into()),
            Section::Names {
                label: "Went dormant (1)".into(),
                names: vec!["@dee".into()],
            },
            Section::Heading("Top 10 by GMV".into()),
            Section::Table(Grid {
                header: row(&["#", "Creator", "GMV"]),
                rows: vec![
                    row(&["1", "@ana", "$400.00"]),
                    row(&["2", "@eve", "$120.00"]),
                    row(&["3", "@bo", "$90.00"]),
                ],
                right_aligned: vec![0, 2],
            }),
        ]
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn on_demand_mid_month_names_the_latest_review(pool: PgPool) {
    let (p, _) = two_quarters(&pool).await;
    // 20 November: October's deep-dive, with the review of 1 November (cy promoted).
    let r = Report::build(
        &pool,
        &p,
        ReportKind::Monthly,
        local(&p, "2026-11-20 12:00"),
    )
    .await
    .unwrap();
    let Report::Monthly(r) = r else {
        panic!("not a monthly report")
    };
    assert_eq!(r.about.from, day("2026-10-01"));
    let review = r.review.unwrap();
    assert_eq!(review.day, day("2026-11-01"));
    assert_eq!(
        review
            .promotions
            .iter()
            .map(|m| m.handle.as_str())
            .collect::<Vec<_>>(),
        vec!["cy"]
    );
    assert!(review.demotions.is_empty());
    // Cy went dormant on 20 October.
    assert_eq!(r.went_dormant, vec!["cy".to_string()]);
    // On 20 November at noon eve had just become a Steady Earner (06:00 that day).
    let mix: Vec<(Tier, i64)> = r.tier_mix.iter().map(|t| (t.tier, t.creators)).collect();
    assert_eq!(
        mix,
        vec![
            (Tier::AllStars, 1),
            (Tier::SteadyEarners, 3),
            (Tier::NewAndPromising, 2)
        ]
    );
}
