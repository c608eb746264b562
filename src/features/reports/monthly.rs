//! The monthly deep-dive, posted after the monthly review: last month's KPIs against the month
//! before, what the review changed (by name), the tier mix, who went dormant, the top 10, and the
//! Pareto and tier charts.

use anyhow::Result;
use chrono::{DateTime, Days, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::kpis;
use super::{
    About, Document, Grid, ReportKind, Section, TopCreator, at_handles, month_before, top_table,
};
use crate::charts::ChartSpec;
use crate::db::programs::Program;
use crate::db::reports::{self as db, TierMove};
use crate::db::stats::leaderboard::RankedBy;
use crate::domain::Tier;
use crate::domain::messages::format_day;
use crate::domain::timefmt::local_day;
use crate::features::stats::{self, ProgramKpis};

/// How many creators the deep-dive ranks.
pub const TOP: i64 = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyReport {
    #[serde(flatten)]
    pub about: About,
    pub kpis: ProgramKpis,
    /// The month before.
    pub previous_kpis: ProgramKpis,
    /// Each KPI's change (relative for money and counts, a difference for rates and days).
    pub changes: std::collections::BTreeMap<&'static str, Option<f64>>,
    /// The latest monthly review at or before the instant.
    pub review: Option<Review>,
    /// Creators per tier at the instant (after the review).
    pub tier_mix: Vec<TierCount>,
    /// Creators the sequences moved to dormant during the month.
    pub went_dormant: Vec<String>,
    pub top: Vec<TopCreator>,
    pub charts: Vec<ChartSpec>,
}

/// What a monthly review changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub at: DateTime<Utc>,
    /// The program-local day it ran.
    pub day: chrono::NaiveDate,
    pub promotions: Vec<TierMove>,
    pub demotions: Vec<TierMove>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierCount {
    pub tier: Tier,
    pub creators: i64,
}

/// The deep-dive of the calendar month before `at`'s (program-local) month.
pub async fn build(pool: &PgPool, program: &Program, at: DateTime<Utc>) -> Result<MonthlyReport> {
    let tz = program.timezone;
    let today = local_day(at, tz);
    let month = month_before(today);
    let before = month_before(month.from);
    let instants = (month.starts_at(tz), month.ends_at(tz));
    let (kpis, previous_kpis, review, mix, went_dormant, top) = tokio::try_join!(
        stats::program_kpis(pool, program, month),
        stats::program_kpis(pool, program, before),
        db::latest_review(pool, program.id, at),
        db::tier_mix_at(pool, program.id, at, today + Days::new(1)),
        db::went_dormant(pool, program.id, instants),
        stats::top_creators(
            pool,
            program.id,
            RankedBy::Gmv,
            ((month.from, month.to), instants),
            None,
            TOP,
        ),
    )?;
    let review = review.map(|(at, moves)| {
        let (promotions, demotions) = moves.into_iter().partition(|m| m.to.is_above(m.from));
        Review {
            at,
            day: local_day(at, tz),
            promotions,
            demotions,
        }
    });
    Ok(MonthlyReport {
        about: About::new(ReportKind::Monthly, program, at, month),
        changes: kpis::changes(&kpis, &previous_kpis),
        review,
        tier_mix: mix
            .into_iter()
            .map(|(tier, creators)| TierCount { tier, creators })
            .collect(),
        went_dormant,
        top: top
            .into_iter()
            .map(|r| TopCreator {
                rank: r.rank,
                handle: r.handle,
                gmv_cents: r.value,
            })
            .collect(),
        charts: vec![
            ChartSpec::Pareto {
                from: month.from,
                to: month.to,
            },
            ChartSpec::Tiers { at: today },
        ],
        kpis,
        previous_kpis,
    })
}

/// `@ana (New & Promising → Steady Earners)`.
fn moved(m: &TierMove) -> String {
    format!("@{} ({} → {})", m.handle, m.from, m.to)
}

impl MonthlyReport {
    pub fn document(&self) -> Document {
        let currency = &self.about.currency;
        let month = self.about.period();
        let mut sections = vec![
            Section::Heading("KPIs".into()),
            Section::Table(Grid::numeric(
                &[
                    "KPI",
                    &month.from.format("%b %Y").to_string(),
                    &self.previous_kpis.from.format("%b %Y").to_string(),
                    "Change",
                ],
                kpis::comparison_rows(&[&self.kpis], &self.kpis, &self.previous_kpis, currency),
            )),
            Section::Heading("Monthly review".into()),
        ];
        match &self.review {
            Some(r) => {
                sections.push(Section::Text(format!(
                    "Review of {}: {} promoted, {} demoted.",
                    format_day(r.day),
                    r.promotions.len(),
                    r.demotions.len()
                )));
                sections.push(Section::Names {
                    label: "Promoted".into(),
                    names: r.promotions.iter().map(moved).collect(),
                });
                sections.push(Section::Names {
                    label: "Demoted".into(),
                    names: r.demotions.iter().map(moved).collect(),
                });
            }
            None => sections.push(Section::Text("No monthly review has run yet.".into())),
        }
        sections.push(Section::Text(format!(
            "Tiers now: {}.",
            self.tier_mix
                .iter()
                .map(|t| format!("{} {}", t.creators, t.tier))
                .collect::<Vec<_>>()
                .join(", ")
        )));
        sections.push(Section::Heading("Creators".into()));
        sections.push(Section::Text(format!(
            "Sample conversion: {}; median time to first sale: {}.",
            kpis::show(
                self.kpis.sample_conversion_rate,
                kpis::Shown::Rate,
                currency
            ),
            kpis::show(
                self.kpis.median_days_to_first_sale,
                kpis::Shown::Days,
                currency
            )
        )));
        sections.push(Section::Names {
            label: format!("Went dormant ({})", self.went_dormant.len()),
            names: at_handles(&self.went_dormant),
        });
        sections.push(Section::Heading(format!("Top {TOP} by GMV")));
        if self.top.is_empty() {
            sections.push(Section::Text("No sales this month.".into()));
        } else {
            sections.push(top_table(&self.top, currency));
        }
        Document {
            title: format!(
                "Monthly deep-dive, {} – {}",
                format_day(month.from),
                format_day(month.last_day())
            ),
            sections,
            charts: self.charts.clone(),
            footer: None,
        }
    }
}
