//! The staff reporting rhythm (DOMAIN.md "Reports"): the weekly pulse, the monthly deep-dive and
//! the quarterly review. Each is built from the database for an instant into a plain value
//! (figures, names, tables, the charts it carries as [`ChartSpec`]s); that value lays itself out
//! as a [`Document`], which the chat, the Markdown export and the #staff post render, and
//! serialises itself as the JSON export.

pub mod document;
pub mod kpis;
pub mod monthly;
pub mod quarterly;
pub mod weekly;

use std::fmt;
use std::str::FromStr;

use anyhow::Result;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::charts::ChartSpec;
use crate::db::programs::Program;
use crate::domain::Period;
use crate::domain::timefmt::local_day;

pub use document::{Document, Grid, Section};
pub use monthly::MonthlyReport;
pub use quarterly::QuarterlyReport;
pub use weekly::WeeklyReport;

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Weekly,
    Monthly,
    Quarterly,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a report: use weekly, monthly or quarterly")]
pub struct UnknownReport(pub String);

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [
        ReportKind::Weekly,
        ReportKind::Monthly,
        ReportKind::Quarterly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Weekly => "weekly",
            ReportKind::Monthly => "monthly",
            ReportKind::Quarterly => "quarterly",
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportKind {
    type Err = UnknownReport;
    fn from_str(s: &str) -> Result<ReportKind, UnknownReport> {
        ReportKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownReport(s.to_string()))
    }
}

/// A built report of any kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Report {
    Weekly(WeeklyReport),
    Monthly(MonthlyReport),
    Quarterly(QuarterlyReport),
}

impl Report {
    /// Builds the `kind` report as it stands at `at`.
    pub async fn build(
        pool: &PgPool,
        program: &Program,
        kind: ReportKind,
        at: DateTime<Utc>,
    ) -> Result<Report> {
        Ok(match kind {
            ReportKind::Weekly => Report::Weekly(weekly::build(pool, program, at).await?),
            ReportKind::Monthly => Report::Monthly(monthly::build(pool, program, at).await?),
            ReportKind::Quarterly => Report::Quarterly(quarterly::build(pool, program, at).await?),
        })
    }

    pub fn kind(&self) -> ReportKind {
        match self {
            Report::Weekly(_) => ReportKind::Weekly,
            Report::Monthly(_) => ReportKind::Monthly,
            Report::Quarterly(_) => ReportKind::Quarterly,
        }
    }

    /// The report laid out for people.
    pub fn document(&self) -> Document {
        match self {
            Report::Weekly(r) => r.document(),
            Report::Monthly(r) => r.document(),
            Report::Quarterly(r) => r.document(),
        }
    }

    pub fn charts(&self) -> &[ChartSpec] {
        match self {
            Report::Weekly(r) => &r.charts,
            Report::Monthly(r) => &r.charts,
            Report::Quarterly(r) => &r.charts,
        }
    }

    /// The report as the JSON export writes it (its KPIs under the keys of `kpi --format json`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// What every report says about itself in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct About {
    pub report: ReportKind,
    pub program: String,
    pub currency: String,
    /// The instant it was built for, and that instant's program-local day.
    pub at: DateTime<Utc>,
    pub day: NaiveDate,
    /// The period it covers, program-local days `[from, to)`.
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl About {
    fn new(kind: ReportKind, program: &Program, at: DateTime<Utc>, period: Period) -> About {
        About {
            report: kind,
            program: program.slug.clone(),
            currency: program.currency.clone(),
            at,
            day: local_day(at, program.timezone),
            from: period.from,
            to: period.to,
        }
    }

    pub fn period(&self) -> Period {
        Period {
            from: self.from,
            to: self.to,
        }
    }
}

/// A creator and their GMV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopCreator {
    pub rank: i64,
    pub handle: String,
    pub gmv_cents: i64,
}

/// The top creators as a table: place, handle, GMV.
fn top_table(top: &[TopCreator], currency: &str) -> Section {
    Section::Table(Grid {
        header: vec!["#".into(), "Creator".into(), "GMV".into()],
        rows: top
            .iter()
            .map(|t| {
                vec![
                    t.rank.to_string(),
                    format!("@{}", t.handle),
                    crate::domain::format_cents(t.gmv_cents, currency),
                ]
            })
            .collect(),
        right_aligned: vec![0, 2],
    })
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The calendar month before the one `today` is in.
pub fn month_before(today: NaiveDate) -> Period {
    let to = first_of_month(today);
    Period {
        from: to - Months::new(1),
        to,
    }
}

/// The calendar quarter (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec) before the one `today` is in.
pub fn quarter_before(today: NaiveDate) -> Period {
    let month0 = today.month0() - today.month0() % 3;
    let to = NaiveDate::from_ymd_opt(today.year(), month0 + 1, 1).unwrap_or(today);
    Period {
        from: to - Months::new(3),
        to,
    }
}

/// `Q3 2026`.
pub fn quarter_name(period: Period) -> String {
    format!("Q{} {}", period.from.month0() / 3 + 1, period.from.year())
}

/// The calendar months of a period that starts on a first of the month.
pub fn months_of(period: Period) -> Vec<Period> {
    let mut months = Vec::new();
    let mut from = period.from;
    while from < period.to {
        let to = from + Months::new(1);
        months.push(Period { from, to });
        from = to;
    }
    months
}

/// `@ana`, `@bo` … as reports list creators.
fn at_handles(handles: &[String]) -> Vec<String> {
    handles.iter().map(|h| format!("@{h}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_and_quarters_before_a_day() {
        assert_eq!(
            month_before(d("2026-12-01")),
            Period {
                from: d("2026-11-01"),
                to: d("2026-12-01")
            }
        );
        assert_eq!(month_before(d("2027-01-15")).from, d("2026-12-01"));
        let q = quarter_before(d("2027-01-04"));
        assert_eq!((q.from, q.to), (d("2026-10-01"), d("2027-01-01")));
        assert_eq!(quarter_name(q), "Q4 2026");
        let q = quarter_before(d("2026-09-30"));
        assert_eq!((q.from, q.to), (d("2026-04-01"), d("2026-07-01")));
        assert_eq!(
            months_of(q).iter().map(|m| m.from).collect::<Vec<_>>(),
            vec![d("2026-04-01"), d("2026-05-01"), d("2026-06-01")]
        );
        assert_eq!("Quarterly".parse::<ReportKind>(), Ok(ReportKind::Quarterly));
        assert_eq!(
            "daily".parse::<ReportKind>().unwrap_err().to_string(),
            "\"daily\" is not a report: use weekly, monthly or quarterly"
        );
    }
}
