//! The quarterly business review of the calendar quarter before the instant's: KPIs month by
//! month against the previous quarter, the tier migration matrix, performance by creator niche
//! and by product, and the program's cost and ROI.

use std::collections::BTreeMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use super::kpis::{self, Shown};
use super::{About, Document, Grid, ReportKind, Section, months_of, quarter_before, quarter_name};
use crate::charts::ChartSpec;
use crate::db::programs::Program;
use crate::db::reports::{self as db, NicheSums, ProductSums};
use crate::domain::kpi::ratio;
use crate::domain::messages::{format_count, format_day};
use crate::domain::timefmt::local_day;
use crate::domain::{Tier, format_cents};
use crate::features::stats::ranking::ranking;
use crate::features::stats::{self, ProgramKpis};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterlyReport {
    #[serde(flatten)]
    pub about: About,
    /// `Q4 2026`.
    pub quarter: String,
    pub previous_quarter: String,
    /// The quarter's KPIs…
    pub kpis: ProgramKpis,
    /// … each of its months' …
    pub months: Vec<ProgramKpis>,
    /// … and the previous quarter's, with each KPI's change.
    pub previous_kpis: ProgramKpis,
    pub changes: BTreeMap<&'static str, Option<f64>>,
    /// Creators by tier at the quarter's start (`from`; null: joined during the quarter) and at
    /// its end (`to`), every pair listed.
    pub migrations: Vec<Migration>,
    pub niches: Vec<NicheRow>,
    pub products: Vec<ProductRow>,
    pub charts: Vec<ChartSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migration {
    pub from: Option<Tier>,
    pub to: Tier,
    pub creators: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NicheRow {
    #[serde(flatten)]
    pub sums: NicheSums,
    pub sample_conversion_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductRow {
    #[serde(flatten)]
    pub sums: ProductSums,
    pub sample_conversion_rate: Option<f64>,
    /// Sample cost / commission-earning GMV.
    pub sample_cost_to_gmv: Option<f64>,
}

/// The review of the calendar quarter before `at`'s (program-local) quarter.
pub async fn build(pool: &PgPool, program: &Program, at: DateTime<Utc>) -> Result<QuarterlyReport> {
    let tz = program.timezone;
    let quarter = quarter_before(local_day(at, tz));
    let previous = quarter_before(quarter.from);
    let months = months_of(quarter);
    let name = tz.name();
    let days = (quarter.from, quarter.to);
    // The niche table reuses the quarter's GMV ranking, which the KPIs have just computed.
    let quarter_and_niches = async {
        let kpis = stats::program_kpis(pool, program, quarter).await?;
        let mut tx = stats::snapshot(pool).await?;
        let sellers = ranking(pool, &mut tx, program.id, days).await?;
        let board = &sellers.board;
        let niches = db::by_niche(
            &mut *tx,
            program.id,
            days,
            name,
            (board.ids(), board.values()),
        )
        .await?;
        tx.commit().await?;
        anyhow::Ok((kpis, niches))
    };
    let ((kpis, niches), previous_kpis, month_kpis, cells, products) = tokio::try_join!(
        quarter_and_niches,
        stats::program_kpis(pool, program, previous),
        async {
            let mut all = Vec::with_capacity(months.len());
            for month in &months {
                all.push(stats::program_kpis(pool, program, *month).await?);
            }
            anyhow::Ok(all)
        },
        db::tier_migrations(
            pool,
            program.id,
            (quarter.starts_at(tz), quarter.from),
            (quarter.ends_at(tz), quarter.to),
        ),
        db::by_product(pool, program.id, days, name),
    )?;
    let froms = Tier::ALL.iter().map(|t| Some(*t)).chain([None]);
    let migrations = froms
        .flat_map(|from| Tier::ALL.iter().map(move |to| (from, *to)))
        .map(|(from, to)| Migration {
            from,
            to,
            creators: cells
                .iter()
                .find(|c| c.from == from && c.to == to)
                .map_or(0, |c| c.creators),
        })
        .collect();
    Ok(QuarterlyReport {
        about: About::new(ReportKind::Quarterly, program, at, quarter),
        quarter: quarter_name(quarter),
        previous_quarter: quarter_name(previous),
        changes: kpis::changes(&kpis, &previous_kpis),
        months: month_kpis,
        migrations,
        niches: niches
            .into_iter()
            .map(|sums| NicheRow {
                sample_conversion_rate: ratio(sums.samples_posted, sums.samples_delivered),
                sums,
            })
            .collect(),
        products: products
            .into_iter()
            .map(|sums| ProductRow {
                sample_conversion_rate: ratio(sums.samples_posted, sums.samples_delivered),
                sample_cost_to_gmv: ratio(sums.sample_cost_cents, sums.commission_gmv_cents),
                sums,
            })
            .collect(),
        charts: vec![
            ChartSpec::Gmv {
                from: quarter.from,
                to: quarter.to,
            },
            ChartSpec::Pareto {
                from: quarter.from,
                to: quarter.to,
            },
            ChartSpec::Tiers {
                at: quarter.last_day(),
            },
        ],
        kpis,
        previous_kpis,
    })
}

/// A line of the cost table: its label, its value in a period's KPIs, how it reads.
type CostRow = (&'static str, fn(&ProgramKpis) -> Option<f64>, Shown);

fn rate(r: Option<f64>) -> String {
    kpis::show(r, Shown::Rate, "")
}

impl QuarterlyReport {
    pub fn document(&self) -> Document {
        let currency = &self.about.currency;
        let money = |c: i64| format_cents(c, currency);
        let quarter = self.about.period();
        let mut header: Vec<String> = vec!["KPI".into()];
        header.extend(
            self.months
                .iter()
                .map(|m| m.from.format("%b %Y").to_string()),
        );
        header.extend([
            self.quarter.clone(),
            self.previous_quarter.clone(),
            "Change".into(),
        ]);
        let mut columns: Vec<&ProgramKpis> = self.months.iter().collect();
        columns.push(&self.kpis);
        let kpi_rows = kpis::comparison_rows(&columns, &self.kpis, &self.previous_kpis, currency);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut sections = vec![
            Section::Heading("KPIs by month".into()),
            Section::Table(Grid::numeric(&header, kpi_rows)),
            Section::Heading("Tier migration".into()),
            Section::Text(format!(
                "Tier on {} (rows) against tier on {} (columns).",
                format_day(quarter.from),
                format_day(quarter.last_day())
            )),
            Section::Table(self.migration_grid()),
            Section::Heading("By niche".into()),
            Section::Table(Grid::numeric(
                &[
                    "Niche",
                    "Creators",
                    "Selling",
                    "GMV",
                    "Samples",
                    "Conversion",
                ],
                self.niches
                    .iter()
                    .map(|n| {
                        vec![
                            n.sums.niche.clone().unwrap_or_else(|| "no niche".into()),
                            format_count(n.sums.creators),
                            format_count(n.sums.selling_creators),
                            money(n.sums.gmv_cents),
                            format_count(n.sums.samples_delivered),
                            rate(n.sample_conversion_rate),
                        ]
                    })
                    .collect(),
            )),
            Section::Heading("By product".into()),
        ];
        if self.products.is_empty() {
            sections.push(Section::Text("No samples or sales this quarter.".into()));
        } else {
            sections.push(Section::Table(Grid::numeric(
                &[
                    "Product",
                    "Samples sent",
                    "Conversion",
                    "GMV",
                    "Sample cost",
                    "Commission GMV",
                    "Cost/GMV",
                ],
                self.products
                    .iter()
                    .map(|p| {
                        vec![
                            p.sums.name.clone(),
                            format_count(p.sums.samples_sent),
                            rate(p.sample_conversion_rate),
                            money(p.sums.gmv_cents),
                            money(p.sums.sample_cost_cents),
                            money(p.sums.commission_gmv_cents),
                            rate(p.sample_cost_to_gmv),
                        ]
                    })
                    .collect(),
            )));
        }
        sections.push(Section::Heading("Program cost and ROI".into()));
        sections.push(Section::Table(self.cost_grid()));
        Document {
            title: format!(
                "Quarterly review, {} ({} – {})",
                self.quarter,
                format_day(quarter.from),
                format_day(quarter.last_day())
            ),
            sections,
            charts: self.charts.clone(),
            footer: Some(
                "Samples count in the quarter they were shipped (cost) and delivered (conversion)."
                    .into(),
            ),
        }
    }

    fn migration_grid(&self) -> Grid {
        let mut header = vec!["From \\ to".to_string()];
        header.extend(Tier::ALL.iter().map(|t| t.display_name().to_string()));
        let froms = Tier::ALL.iter().map(|t| Some(*t)).chain([None]);
        let rows = froms
            .map(|from| {
                let mut row = vec![match from {
                    Some(t) => t.display_name().to_string(),
                    None => "Joined in the quarter".to_string(),
                }];
                row.extend(Tier::ALL.iter().map(|to| {
                    let n = self
                        .migrations
                        .iter()
                        .find(|m| m.from == from && m.to == *to)
                        .map_or(0, |m| m.creators);
                    format_count(n)
                }));
                row
            })
            .collect();
        Grid {
            header,
            rows,
            right_aligned: vec![1, 2, 3],
        }
    }

    fn cost_grid(&self) -> Grid {
        let currency = &self.about.currency;
        let rows: [CostRow; 6] = [
            ("GMV", |k| Some(k.sales.gmv_cents as f64), Shown::Money),
            (
                "Commission",
                |k| Some(k.sales.commission_cents as f64),
                Shown::Money,
            ),
            (
                "Samples, fees and bonuses",
                |k| Some((k.program_cost_cents - k.sales.commission_cents) as f64),
                Shown::Money,
            ),
            (
                "Program cost",
                |k| Some(k.program_cost_cents as f64),
                Shown::Money,
            ),
            ("ROI", |k| k.roi, Shown::Rate),
            ("CPA", |k| k.cpa_cents.map(|c| c as f64), Shown::Money),
        ];
        Grid::numeric(
            &["", &self.quarter, &self.previous_quarter],
            rows.iter()
                .map(|(label, value, shown)| {
                    vec![
                        label.to_string(),
                        kpis::show(value(&self.kpis), *shown, currency),
                        kpis::show(value(&self.previous_kpis), *shown, currency),
                    ]
                })
                .collect(),
        )
    }
}
