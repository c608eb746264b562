//! The KPIs as reports show them: which of the program KPIs (`features::stats::kpi`, the one set
//! of definitions) a report lists, how each reads, and how one period compares with another.
//! Values are read by their `kpi --format json` key, so a report and the KPI command cannot
//! disagree on a figure.

use std::collections::BTreeMap;

use crate::domain::format_cents;
use crate::domain::kpi::round4;
use crate::domain::messages::format_count;
use crate::features::stats::ProgramKpis;

/// How a KPI reads, and how its change is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Cents; the change is relative.
    Money,
    /// A count; the change is relative.
    Count,
    /// A ratio shown as a percentage; the change is in percentage points.
    Rate,
    /// Days; the change is in days.
    Days,
}

/// The KPIs a report lists: `(json key, label, how it reads)`.
pub const ROWS: &[(&str, &str, Shown)] = &[
    ("gmv_cents", "GMV", Shown::Money),
    ("refunded_gmv_cents", "Refunded GMV", Shown::Money),
    ("orders", "Orders", Shown::Count),
    ("aov_cents", "AOV", Shown::Money),
    ("commission_cents", "Commission", Shown::Money),
    (
        "commission_to_revenue",
        "Commission-to-revenue",
        Shown::Rate,
    ),
    ("selling_creators", "Selling creators", Shown::Count),
    ("gmv_per_creator_cents", "GMV per creator", Shown::Money),
    ("activated_creators", "Activated creators", Shown::Count),
    ("sample_conversion_rate", "Sample conversion", Shown::Rate),
    (
        "median_days_to_first_sale",
        "Days to first sale",
        Shown::Days,
    ),
    ("program_cost_cents", "Program cost", Shown::Money),
    ("roi", "ROI", Shown::Rate),
    ("cpa_cents", "CPA", Shown::Money),
    ("clv_cents", "CLV", Shown::Money),
    ("views", "Views", Shown::Count),
    ("engagement_rate", "Engagement rate", Shown::Rate),
];

/// The KPIs by JSON key, as numbers (`None` for a null such as the ROI of a costless period).
pub fn values(k: &ProgramKpis) -> BTreeMap<&'static str, Option<f64>> {
    let json = serde_json::to_value(k).unwrap_or_default();
    ROWS.iter()
        .map(|(key, _, _)| (*key, json.get(*key).and_then(|v| v.as_f64())))
        .collect()
}

/// A KPI's value for people: `$1,234.00`, `1,234`, `12.5%`, `2.5 days`, or `–`.
pub fn show(value: Option<f64>, shown: Shown, currency: &str) -> String {
    let Some(v) = value else {
        return "–".to_string();
    };
    match shown {
        Shown::Money => format_cents(v.round() as i64, currency),
        Shown::Count => format_count(v.round() as i64),
        Shown::Rate => format!("{:.1}%", v * 100.0),
        Shown::Days => format!("{} days", trim_number(v)),
    }
}

/// `3` rather than `3.0`, `2.5` as it is.
fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// How `now` compares with `before`: relative for money and counts (`None` when `before` is 0),
/// a difference for rates and days (`None` when either is missing). Not rounded, so that what
/// people read is rounded once ([`show_change`]); the JSON rounds it to 4 decimals ([`changes`]).
pub fn change(now: Option<f64>, before: Option<f64>, shown: Shown) -> Option<f64> {
    let (now, before) = (now?, before?);
    match shown {
        Shown::Money | Shown::Count => (before != 0.0).then(|| (now - before) / before),
        Shown::Rate | Shown::Days => Some(now - before),
    }
}

/// A change for people: `+12.5%`, `-3.1 pts`, `+2 days`, or `–`.
pub fn show_change(change: Option<f64>, shown: Shown) -> String {
    let Some(c) = change else {
        return "–".to_string();
    };
    match shown {
        Shown::Money | Shown::Count => format!("{:+.1}%", c * 100.0),
        Shown::Rate => format!("{:+.1} pts", c * 100.0),
        Shown::Days => {
            let sign = if c >= 0.0 { "+" } else { "-" };
            format!("{sign}{} days", trim_number(c.abs()))
        }
    }
}

/// Every listed KPI's change from `before` to `now`, by JSON key, to 4 decimals.
pub fn changes(now: &ProgramKpis, before: &ProgramKpis) -> BTreeMap<&'static str, Option<f64>> {
    let (n, b) = (values(now), values(before));
    ROWS.iter()
        .map(|(key, _, shown)| (*key, change(n[key], b[key], *shown).map(round4)))
        .collect()
}

/// One table row per KPI: its label, its value in each of `columns`, then the change from the
/// last column to `before`… read as "now against before": `[label, col…, before, change]`.
pub fn comparison_rows(
    columns: &[&ProgramKpis],
    now: &ProgramKpis,
    before: &ProgramKpis,
    currency: &str,
) -> Vec<Vec<String>> {
    let cols: Vec<_> = columns.iter().map(|k| values(k)).collect();
    let (n, b) = (values(now), values(before));
    ROWS.iter()
        .map(|(key, label, shown)| {
            let mut row = vec![label.to_string()];
            row.extend(cols.iter().map(|c| show(c[key], *shown, currency)));
            row.push(show(b[key], *shown, currency));
            row.push(show_change(change(n[key], b[key], *shown), *shown));
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_people_expect() {
        assert_eq!(change(Some(350.0), Some(200.0), Shown::Money), Some(0.75));
        // 13,500 / 10,900 = 1.23853…: shown once rounded, not 1.2385 rounded again.
        assert_eq!(
            show_change(
                change(Some(24_400.0), Some(10_900.0), Shown::Money),
                Shown::Money
            ),
            "+123.9%"
        );
        assert_eq!(change(Some(350.0), Some(0.0), Shown::Money), None);
        assert_eq!(change(Some(0.5), Some(0.25), Shown::Rate), Some(0.25));
        assert_eq!(show_change(Some(0.75), Shown::Money), "+75.0%");
        assert_eq!(show_change(Some(-0.031), Shown::Rate), "-3.1 pts");
        assert_eq!(show_change(Some(-1.5), Shown::Days), "-1.5 days");
        assert_eq!(show(Some(2.0), Shown::Days, "USD"), "2 days");
        assert_eq!(show(Some(29_500.0), Shown::Money, "USD"), "$295.00");
        assert_eq!(show(None, Shown::Rate, "USD"), "–");
    }
}
