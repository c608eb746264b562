//! The quarterly review of Q4 2026, built on Monday 4 January 2027.

use chrono::NaiveDate;
use creator_bot::charts::ChartSpec;
use creator_bot::domain::Tier;
use creator_bot::features::reports::{Grid, Section, quarterly};
use sqlx::PgPool;

use super::{row, two_quarters};
use crate::common::local;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn q4_month_by_month_against_q3(pool: PgPool) {
    let (p, _) = two_quarters(&pool).await;
    let r = quarterly::build(&pool, &p, local(&p, "2027-01-04 09:00"))
        .await
        .unwrap();
    assert_eq!(
        (r.quarter.as_str(), r.previous_quarter.as_str()),
        ("Q4 2026", "Q3 2026")
    );
    assert_eq!(
        (r.about.from, r.about.to),
        (day("2026-10-01"), day("2027-01-01"))
    );
    assert_eq!(
        r.months
            .iter()
            .map(|m| m.sales.gmv_cents)
            .collect::<Vec<_>>(),
        vec![38_000, 61_000, 7_000]
    );
    assert_eq!(r.kpis.sales.gmv_cents, 106_000);
    assert_eq!(r.previous_kpis.sales.gmv_cents, 35_000);
    assert_eq!(r.changes["gmv_cents"], Some(2.0286));
    assert_eq!(
        r.charts,
        vec![
            ChartSpec::Gmv {
                from: day("2026-10-01"),
                to: day("2027-01-01")
            },
            ChartSpec::Pareto {
                from: day("2026-10-01"),
                to: day("2027-01-01")
            },
            ChartSpec::Tiers {
                at: day("2026-12-31")
            },
        ]
    );
    // Tier on 1 Oct 00:00 against tier on 1 Jan 00:00 (bo's demotion at 06:00 on 1 Jan is
    // the next quarter's): ana All-Stars → Steady Earners; bo N&P → Steady Earners; cy and dee
    // N&P → N&P (cy went up and down again); eve and fay joined, now All-Stars and N&P.
    let cell = |from: Option<Tier>, to: Tier| {
        r.migrations
            .iter()
            .find(|m| m.from == from && m.to == to)
            .unwrap()
            .creators
    };
    assert_eq!(r.migrations.len(), 12);
    assert_eq!(r.migrations.iter().map(|m| m.creators).sum::<i64>(), 6);
    assert_eq!(cell(Some(Tier::AllStars), Tier::SteadyEarners), 1);
    assert_eq!(cell(Some(Tier::NewAndPromising), Tier::SteadyEarners), 1);
    assert_eq!(cell(Some(Tier::NewAndPromising), Tier::NewAndPromising), 2);
    assert_eq!(cell(None, Tier::AllStars), 1);
    assert_eq!(cell(None, Tier::NewAndPromising), 1);

    let doc = r.document();
    assert_eq!(
        doc.title,
        "Quarterly review, Q4 2026 (1 Oct 2026 – 31 Dec 2026)"
    );
    // Columns: Oct, Nov, Dec, Q4, Q3, change Q4 against Q3.
    // Dec: o10 $70 (dee), commission $7, S6 ($5 + $5) shipped, bo's video, dee's first sale
    // 131 days after joining; CLV $1,410 over 5 sellers.
    // Q4: $380 + $610 + $70 = $1,060 over 6 orders; commission $97; sellers ana, cy, eve, bo,
    // dee; videos by ana, eve, fay, bo; samples delivered S3, S4, S5, S6 (3 posted); first sales
    // eve 33 and dee 131 days (median 82); cost $97 + samples $47 (S3 $11, S4 $13, S5 $13,
    // S6 $10) + $100 bonus = $244.
    // Q3: $350 over 3 orders, commission $35, sellers ana, bo, cy; videos by ana, cy; S1 posted,
    // S2 not; first sales 39, 65, 67 days; cost $35 + S1 $14 + S2 $10 + $50 fee = $109.
    let kpi_rows = vec![
        row(&[
            "GMV",
            "$380.00",
            "$610.00",
            "$70.00",
            "$1,060.00",
            "$350.00",
            "+202.9%",
        ]),
        row(&[
            "Refunded GMV",
            "$0.00",
            "$60.00",
            "$0.00",
            "$60.00",
            "$0.00",
            "–",
        ]),
        row(&["Orders", "2", "3", "1", "6", "3", "+100.0%"]),
        // 1,060 / 6 = 176.67; 350 / 3 = 116.67.
        row(&[
            "AOV", "$190.00", "$203.33", "$70.00", "$176.67", "$116.67", "+51.4%",
        ]),
        row(&[
            "Commission",
            "$38.00",
            "$52.00",
            "$7.00",
            "$97.00",
            "$35.00",
            "+177.1%",
        ]),
        // 97 / 1,060 = 9.15 %.
        row(&[
            "Commission-to-revenue",
            "10.0%",
            "8.5%",
            "10.0%",
            "9.2%",
            "10.0%",
            "-0.9 pts",
        ]),
        row(&["Selling creators", "2", "3", "1", "5", "3", "+66.7%"]),
        row(&[
            "GMV per creator",
            "$190.00",
            "$203.33",
            "$70.00",
            "$212.00",
            "$116.67",
            "+81.7%",
        ]),
        row(&["Activated creators", "1", "2", "1", "4", "2", "+100.0%"]),
        row(&[
            "Sample conversion",
            "100.0%",
            "50.0%",
            "100.0%",
            "75.0%",
            "50.0%",
            "+25.0 pts",
        ]),
        row(&[
            "Days to first sale",
            "–",
            "33 days",
            "131 days",
            "82 days",
            "65 days",
            "+17 days",
        ]),
        row(&[
            "Program cost",
            "$62.00",
            "$165.00",
            "$17.00",
            "$244.00",
            "$109.00",
            "+123.9%",
        ]),
        // (1,060 − 244) / 244 = 3.3443; (350 − 109) / 109 = 2.2110.
        row(&[
            "ROI",
            "512.9%",
            "269.7%",
            "311.8%",
            "334.4%",
            "221.1%",
            "+113.3 pts",
        ]),
        // 244 / 6 = 40.67; 109 / 3 = 36.33.
        row(&[
            "CPA", "$31.00", "$55.00", "$17.00", "$40.67", "$36.33", "+11.9%",
        ]),
        row(&[
            "CLV", "$243.33", "$335.00", "$282.00", "$282.00", "$116.67", "+141.7%",
        ]),
        row(&[
            "Views", "1,500", "2,300", "800", "4,600", "1,500", "+206.7%",
        ]),
        row(&[
            "Engagement rate",
            "0.0%",
            "0.0%",
            "0.0%",
            "0.0%",
            "0.0%",
            "+0.0 pts",
        ]),
    ];
    let numeric = |header: &[&str], rows| Section::Table(Grid::numeric(header, rows));
    assert_eq!(
        doc.sections,
        vec![
            Section::Heading("KPIs by month".into()),
            numeric(
                &[
                    "KPI", "Oct 2026", "Nov 2026", "Dec 2026", "Q4 2026", "Q3 2026", "Change"
                ],
                kpi_rows
            ),
            Section::Heading("Tier migration".into()),
            Section::Text(
                "Tier on 1 Oct 2026 (rows) against tier on 31 Dec 2026 (columns).".into()
            ),
            Section::Table(Grid {
                header: row(&[
                    "From \\ to",
                    "All-Stars",
                    "Steady Earners",
                    "New & Promising"
                ]),
                rows: vec![
                    row(&["All-Stars", "0", "1", "0"]),
                    row(&["Steady Earners", "0", "0", "0"]),
                    row(&["New & Promising", "0", "1", "2"]),
                    row(&["Joined in the quarter", "1", "0", "1"]),
                ],
                right_aligned: vec![1, 2, 3],
            }),
            Section::Heading("By niche".into()),
            // beauty: ana $300 + $400, bo $90; bo's S6 posted. fitness: cy $80, eve $120; eve's
            // S3 posted. No niche (dee, and fay's empty one): dee $70 (her $60 refunded); S4
            // not posted, S5 posted.
            numeric(
                &[
                    "Niche",
                    "Creators",
                    "Selling",
                    "GMV",
                    "Samples",
                    "Conversion"
                ],
                vec![
                    row(&["beauty", "2", "2", "$790.00", "1", "100.0%"]),
                    row(&["fitness", "2", "2", "$200.00", "1", "100.0%"]),
                    row(&["no niche", "2", "1", "$70.00", "2", "50.0%"]),
                ]
            ),
            Section::Heading("By product".into()),
            // Glow Serum: S4 and S5 sent ($13 each), S5 posted; o4 $300 + o6 $400 + o9 $90 (no
            // commission) net, o8 refunded; $26 / $700 = 3.7 %.
            // Night Mask: S3 ($11) and S6 ($10), both posted; o5 $80 + o7 $120 + o10 $70;
            // $21 / $270 = 7.8 %.
            numeric(
                &[
                    "Product",
                    "Samples sent",
                    "Conversion",
                    "GMV",
                    "Sample cost",
                    "Commission GMV",
                    "Cost/GMV"
                ],
                vec![
                    row(&[
                        "Glow Serum",
                        "2",
                        "50.0%",
                        "$790.00",
                        "$26.00",
                        "$700.00",
                        "3.7%"
                    ]),
                    row(&[
                        "Night Mask",
                        "2",
                        "100.0%",
                        "$270.00",
                        "$21.00",
                        "$270.00",
                        "7.8%"
                    ]),
                ]
            ),
            Section::Heading("Program cost and ROI".into()),
            numeric(
                &["", "Q4 2026", "Q3 2026"],
                vec![
                    row(&["GMV", "$1,060.00", "$350.00"]),
                    row(&["Commission", "$97.00", "$35.00"]),
                    // Q4: $47 samples + $100 bonus; Q3: $24 samples + $50 fee.
                    row(&["Samples, fees and bonuses", "$147.00", "$74.00"]),
                    row(&["Program cost", "$244.00", "$109.00"]),
                    row(&["ROI", "334.4%", "221.1%"]),
                    row(&["CPA", "$40.67", "$36.33"]),
                ]
            ),
        ]
    );
}
