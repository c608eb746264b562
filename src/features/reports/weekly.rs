//! The weekly pulse: the 7 days before the instant's day against the 7 before them — GMV, orders,
//! creators who posted their first video or made their first sale (by name), the top creators,
//! creators the bot cannot DM yet — and the GMV chart of the last 8 weeks.

use anyhow::Result;
use chrono::{DateTime, Days, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::kpis::{self, Shown};
use super::{About, Document, ReportKind, Section, TopCreator, at_handles, top_table};
use crate::charts::ChartSpec;
use crate::db::programs::Program;
use crate::db::reports as db;
use crate::db::stats::leaderboard::RankedBy;
use crate::domain::Period;
use crate::domain::format_cents;
use crate::domain::kpi::round4;
use crate::domain::messages::{format_count, format_day};
use crate::domain::timefmt::local_day;
use crate::features::stats::{self, ProgramKpis, counts};

/// How many creators the pulse lists as top.
pub const TOP: i64 = 3;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyReport {
    #[serde(flatten)]
    pub about: About,
    pub kpis: ProgramKpis,
    /// The week before.
    pub previous_kpis: ProgramKpis,
    /// GMV against the week before (0.75 = +75 %); null when that week had none.
    pub gmv_change: Option<f64>,
    /// Creators whose first video ever was posted in the week.
    pub new_activations: Vec<String>,
    /// Creators whose first net sale was in the week.
    pub first_sales: Vec<String>,
    pub top: Vec<TopCreator>,
    /// Creators without a chat account on a connected platform (the bot cannot DM them).
    pub unlinked_creators: i64,
    pub charts: Vec<ChartSpec>,
}

/// The pulse of the 7 program-local days before `at`'s day.
pub async fn build(pool: &PgPool, program: &Program, at: DateTime<Utc>) -> Result<WeeklyReport> {
    let tz = program.timezone;
    let today = local_day(at, tz);
    let week = Period {
        from: today - Days::new(7),
        to: today,
    };
    let before = Period {
        from: week.from - Days::new(7),
        to: week.from,
    };
    let instants = (week.starts_at(tz), week.ends_at(tz));
    let (kpis, previous_kpis, new_activations, first_sales, unlinked_creators, top) = tokio::try_join!(
        stats::program_kpis(pool, program, week),
        stats::program_kpis(pool, program, before),
        counts::new_activations(pool, program, instants.0, instants.1),
        db::first_sellers(pool, program.id, (week.from, week.to)),
        counts::unlinked_creators(pool, program),
        stats::top_creators(
            pool,
            program.id,
            RankedBy::Gmv,
            ((week.from, week.to), instants),
            None,
            TOP,
        ),
    )?;
    let gmv_change = gmv_change(&kpis, &previous_kpis).map(round4);
    Ok(WeeklyReport {
        about: About::new(ReportKind::Weekly, program, at, week),
        gmv_change,
        new_activations,
        first_sales,
        top: top
            .into_iter()
            .map(|r| TopCreator {
                rank: r.rank,
                handle: r.handle,
                gmv_cents: r.value,
            })
            .collect(),
        unlinked_creators,
        charts: vec![ChartSpec::Gmv {
            from: week.to - Days::new(8 * 7),
            to: week.to,
        }],
        kpis,
        previous_kpis,
    })
}

/// GMV against the week before, unrounded (0.75 = +75 %); `None` when that week had none.
pub fn gmv_change(kpis: &ProgramKpis, previous: &ProgramKpis) -> Option<f64> {
    kpis::change(
        Some(kpis.sales.gmv_cents as f64),
        Some(previous.sales.gmv_cents as f64),
        Shown::Money,
    )
}

impl WeeklyReport {
    pub fn document(&self) -> Document {
        let currency = &self.about.currency;
        let money = |c: i64| format_cents(c, currency);
        let week = self.about.period();
        let mut gmv = money(self.kpis.sales.gmv_cents);
        if let Some(change) = gmv_change(&self.kpis, &self.previous_kpis) {
            gmv = format!(
                "{gmv} ({} vs {} the week before)",
                kpis::show_change(Some(change), Shown::Money),
                money(self.previous_kpis.sales.gmv_cents)
            );
        }
        let mut sections = vec![
            Section::Text(format!("GMV: {gmv}")),
            Section::Text(format!("Orders: {}", format_count(self.kpis.sales.orders))),
            Section::Names {
                label: format!("New activations ({})", self.new_activations.len()),
                names: at_handles(&self.new_activations),
            },
            Section::Names {
                label: format!("First sales ({})", self.first_sales.len()),
                names: at_handles(&self.first_sales),
            },
        ];
        if !self.top.is_empty() {
            sections.push(Section::Heading("Top creators".into()));
            sections.push(top_table(&self.top, currency));
        }
        if self.unlinked_creators > 0 {
            sections.push(Section::Text(format!(
                "Not linked to a chat account: {} (the bot can't DM them until they /link their TikTok handle)",
                format_count(self.unlinked_creators)
            )));
        }
        Document {
            title: format!(
                "Weekly pulse, {} – {}",
                format_day(week.from),
                format_day(week.last_day())
            ),
            sections,
            charts: self.charts.clone(),
            footer: None,
        }
    }
}
