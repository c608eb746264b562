//! The program's KPIs over a period: the rollups' sums read each time (a few index lookups), the
//! GMV ranking and the video and sample sums kept while their database stamps hold.

use std::sync::{Arc, LazyLock, Mutex};

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::cache::{Shared, StampedCache, database_of, lock};
use super::{Sales, bounds, cost_kpis, ranking::ranking};
use crate::db::programs::Program;
use crate::db::stats::program::{ActivitySums, activity_sums, program_sums};
use crate::db::stats::{ChangeStamp, change_stamp};
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
    let sums = program_sums(&mut *tx, program.id, days).await?;
    let activity = activity(pool, &mut tx, program, days, instants).await?;
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
        cost_kpis(&sales, activity.sample_cost_cents, sums.other_cost_cents);
    let selling = ranking.selling_creators();
    let mut days_to_first_sale = sums.days_to_first_sale;
    Ok(ProgramKpis {
        from: period.from,
        to: period.to,
        currency: program.currency.clone(),
        selling_creators: selling,
        gmv_per_creator_cents: div_round(sales.gmv_cents, selling as i64),
        activated_creators: activity.activated_creators,
        sample_conversion_rate: ratio(activity.samples_posted, activity.samples_delivered),
        median_days_to_first_sale: median(&mut days_to_first_sale),
        program_cost_cents,
        roi,
        cpa_cents,
        clv_cents: div_round(sums.lifetime_gmv_cents, ranking.lifetime_sellers()),
        views: activity.views,
        engagement_rate: ratio(activity.interactions, activity.views),
        pareto: pareto(ranking.gmv_desc()),
        sales,
    })
}

type ActivityKey = (
    String,
    i64,
    NaiveDate,
    NaiveDate,
    DateTime<Utc>,
    DateTime<Utc>,
    String,
);

/// The activity sums of the periods asked about lately (they are small).
static ACTIVITY: Shared<ActivityKey, ChangeStamp, ActivitySums> =
    LazyLock::new(|| Mutex::new(StampedCache::new(64)));

/// The period's video and sample sums: reading them costs a pass over the period's videos and a
/// probe per delivered sample, so they are kept while the `activity` change stamp (videos,
/// samples, products) is the same.
async fn activity(
    pool: &PgPool,
    conn: &mut PgConnection,
    program: &Program,
    days: (NaiveDate, NaiveDate),
    instants: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Arc<ActivitySums>> {
    let tz = program.timezone.name();
    let key = (
        database_of(pool),
        program.id,
        days.0,
        days.1,
        instants.0,
        instants.1,
        tz.to_string(),
    );
    let stamp = change_stamp(&mut *conn, program.id, "activity").await?;
    if let Some(hit) = lock(&ACTIVITY).get(&key, &stamp) {
        return Ok(hit);
    }
    let sums = Arc::new(activity_sums(&mut *conn, program.id, days, instants, tz).await?);
    lock(&ACTIVITY).put(key, stamp, sums.clone());
    Ok(sums)
}
