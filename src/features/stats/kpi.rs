//! The program's KPIs over a period.

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::PgPool;

use super::{Sales, bounds, cost_kpis, ranking::ranking};
use crate::db::programs::Program;
use crate::db::stats::program::program_sums;
use crate::domain::Period;
use crate::domain::kpi::{div_round, median, ratio};
use crate::domain::pareto::{ParetoShare, pareto};

/// Every program KPI of DOMAIN.md for one period; the JSON keys are documented in the README.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramKpis {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    #[serde(flatten)]
    pub sales: Sales,
    pub selling_creators: u64,
    pub gmv_per_creator_cents: Option<i64>,
    pub activated_creators: i64,
    pub sample_conversion_rate: Option<f64>,
    pub median_days_to_first_sale: Option<f64>,
    pub program_cost_cents: i64,
    pub roi: Option<f64>,
    pub cpa_cents: Option<i64>,
    pub clv_cents: Option<i64>,
    pub views: i64,
    pub engagement_rate: Option<f64>,
    pub pareto: Vec<ParetoShare>,
}

pub async fn program_kpis(pool: &PgPool, program: &Program, period: Period) -> Result<ProgramKpis> {
    let (days, instants) = bounds(program, period);
    // One snapshot for every number, so an import committing meanwhile cannot mix old and new.
    let mut tx = super::snapshot(pool).await?;
    let sums = program_sums(
        &mut *tx,
        program.id,
        days,
        instants,
        program.timezone.name(),
    )
    .await?;
    let ranking = ranking(pool, &mut tx, program.id, (period.from, period.to)).await?;
    tx.commit().await?;
    let sales = Sales::new(
        sums.gross_gmv_cents,
        sums.refunded_gmv_cents,
        sums.orders,
        [
            sums.commission_cents,
            sums.commission_estimated_cents,
            sums.commission_actual_cents,
        ],
    );
    let (program_cost_cents, roi, cpa_cents) =
        cost_kpis(&sales, sums.sample_cost_cents, sums.other_cost_cents);
    let selling = ranking.selling_creators();
    let mut days_to_first_sale = sums.days_to_first_sale;
    Ok(ProgramKpis {
        from: period.from,
        to: period.to,
        currency: program.currency.clone(),
        selling_creators: selling,
        gmv_per_creator_cents: div_round(sales.gmv_cents, selling as i64),
        activated_creators: sums.activated_creators,
        sample_conversion_rate: ratio(sums.samples_posted, sums.samples_delivered),
        median_days_to_first_sale: median(&mut days_to_first_sale),
        program_cost_cents,
        roi,
        cpa_cents,
        clv_cents: div_round(sums.lifetime_gmv_cents, ranking.lifetime_sellers()),
        views: sums.views,
        engagement_rate: ratio(sums.interactions, sums.views),
        pareto: pareto(ranking.gmv_desc()),
        sales,
    })
}
