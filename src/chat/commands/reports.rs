//! `/report weekly|monthly`: the weekly pulse now, or the monthly deep-dive (last month's KPIs,
//! the tier mix and what the latest monthly review changed).

use anyhow::Result;

use super::parse::ReportKind;
use super::{Context, Reply, Table};
use crate::db::tiers as tier_db;
use crate::domain::messages::{format_count, format_day};
use crate::domain::{Period, Tier, format_cents};
use crate::features::cadences::{Cadence, pulse};
use crate::features::stats;

pub(super) async fn run(ctx: &Context<'_>, kind: ReportKind) -> Result<Reply> {
    match kind {
        ReportKind::Weekly => {
            let c = Cadence {
                program: ctx.program,
                templates: ctx.templates,
                instant: ctx.now,
            };
            Ok(Reply::done(pulse::text(ctx.pool, &c).await?))
        }
        ReportKind::Monthly => monthly(ctx).await,
    }
}

async fn monthly(ctx: &Context<'_>) -> Result<Reply> {
    let today = ctx.today();
    let this_month = today.with_day0(0).unwrap_or(today);
    let last_month = this_month
        .pred_opt()
        .and_then(|d| d.with_day0(0))
        .unwrap_or(this_month);
    let period = Period {
        from: last_month,
        to: this_month,
    };
    let k = stats::program_kpis(ctx.pool, ctx.program, period).await?;
    let money = |c: i64| format_cents(c, &ctx.program.currency);
    let pct = |r: Option<f64>| r.map_or("–".to_string(), |r| format!("{:.1}%", r * 100.0));
    let mut reply = Reply::done(format!(
        "Monthly deep-dive, {} – {}",
        format_day(period.from),
        format_day(period.last_day())
    ))
    .table(Table::pairs([
        ("GMV".to_string(), money(k.sales.gmv_cents)),
        ("Orders".to_string(), format_count(k.sales.orders)),
        (
            "Selling creators".to_string(),
            format_count(k.selling_creators as i64),
        ),
        (
            "Activated creators".to_string(),
            format_count(k.activated_creators),
        ),
        ("Commission".to_string(), money(k.sales.commission_cents)),
        ("Program cost".to_string(), money(k.program_cost_cents)),
        ("ROI".to_string(), pct(k.roi)),
        (
            "Sample conversion".to_string(),
            pct(k.sample_conversion_rate),
        ),
    ]));
    let mix = stats::counts::tier_mix(ctx.pool, ctx.program).await?;
    let count = |t: Tier| mix.iter().find(|(x, _)| *x == t).map_or(0, |(_, n)| *n);
    reply = reply.line(format!(
        "Tiers now: {} All-Stars, {} Steady Earners, {} New & Promising.",
        count(Tier::AllStars),
        count(Tier::SteadyEarners),
        count(Tier::NewAndPromising)
    ));
    reply = reply.line(
        match tier_db::last_review(ctx.pool, ctx.program.id).await? {
            Some(r) => format!(
                "Monthly review of {}: {} promoted, {} demoted.",
                format_day(crate::domain::timefmt::local_day(
                    r.at,
                    ctx.program.timezone
                )),
                r.promoted,
                r.demoted
            ),
            None => "No monthly review has run yet.".to_string(),
        },
    );
    Ok(reply)
}

use chrono::Datelike;
