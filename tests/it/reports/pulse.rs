//! The weekly report behind the pulse: new activations and first sales by name, the GMV chart.

use chrono::NaiveDate;
use creator_bot::charts::ChartSpec;
use creator_bot::features::reports::{Section, weekly};
use sqlx::PgPool;

use super::two_quarters;
use crate::common::local;

fn names(sections: &[Section]) -> Vec<(String, Vec<String>)> {
    sections
        .iter()
        .filter_map(|s| match s {
            Section::Names { label, names } => Some((label.clone(), names.clone())),
            _ => None,
        })
        .collect()
}

fn pair(label: &str, names: &[&str]) -> (String, Vec<String>) {
    (
        label.to_string(),
        names.iter().map(|n| n.to_string()).collect(),
    )
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn the_pulse_names_first_videos_and_first_sales(pool: PgPool) {
    let (p, _) = two_quarters(&pool).await;
    // Monday 2 November: the week of 26 Oct – 1 Nov holds eve's first video (1 Nov) and no
    // first sale (ana's and cy's lines were not their first).
    let r = weekly::build(&pool, &p, local(&p, "2026-11-02 09:00"))
        .await
        .unwrap();
    assert_eq!(r.new_activations, vec!["eve".to_string()]);
    assert_eq!(r.first_sales, Vec::<String>::new());
    assert_eq!(
        names(&r.document().sections),
        vec![
            pair("New activations (1)", &["@eve"]),
            pair("First sales (0)", &[])
        ]
    );
    // Monday 16 November: 9–15 Nov holds eve's first sale (12 Nov) and nobody's first video.
    let r = weekly::build(&pool, &p, local(&p, "2026-11-16 09:00"))
        .await
        .unwrap();
    assert_eq!(
        names(&r.document().sections),
        vec![
            pair("New activations (0)", &[]),
            pair("First sales (1)", &["@eve"])
        ]
    );
    // The GMV chart of the 8 weeks before Monday 16 November.
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(
        r.charts,
        vec![ChartSpec::Gmv {
            from: d("2026-09-21"),
            to: d("2026-11-16")
        }]
    );
}
