//! `/chart`: staff ask for a chart and get it as an image, titled with what it shows and its
//! period. Creators see their own chart in `/mystats` only.

use anyhow::Result;

use super::parse::ChartRequest;
use super::{Context, Reply, Rich};
use crate::charts::{self, ChartMetric, ChartSpec, find};
use crate::domain::Period;

pub(super) async fn run(ctx: &Context<'_>, request: ChartRequest) -> Result<Reply> {
    let today = ctx.today();
    let days = |p: Period| (p.from, p.to);
    let (spec, title) = match request {
        ChartRequest::Gmv { period } => {
            let p = period.resolve(today);
            let (from, to) = days(p);
            (
                ChartSpec::Gmv { from, to },
                Rich::from(format!("Net GMV per day, {p}")),
            )
        }
        ChartRequest::Leaderboard { metric, period } => {
            let p = period.resolve(today);
            let (from, to) = days(p);
            let metric: ChartMetric = metric.into();
            (
                ChartSpec::Leaderboard { from, to, metric },
                Rich::from(format!("Top creators by {}, {p}", metric.name())),
            )
        }
        ChartRequest::Pareto { period } => {
            let p = period.resolve(today);
            let (from, to) = days(p);
            (
                ChartSpec::Pareto { from, to },
                Rich::from(format!("Share of GMV by top creators, {p}")),
            )
        }
        ChartRequest::Tiers { day } => {
            let at = day.unwrap_or(today);
            (
                ChartSpec::Tiers { at },
                Rich::from(format!("Creators per tier on {at}")),
            )
        }
        ChartRequest::Creator { handle, period } => {
            let p = period.resolve(today);
            let (from, to) = days(p);
            let creator_id = find::creator_id(ctx.pool, ctx.program, &handle).await?;
            (
                ChartSpec::Creator {
                    creator_id,
                    from,
                    to,
                },
                Rich::fill("@{}, ", &[handle.as_str()]).plain(p.to_string()),
            )
        }
        ChartRequest::Competition { name } => {
            let k = find::competition(ctx.pool, ctx.program, name.as_deref(), today).await?;
            (
                ChartSpec::Competition {
                    competition_id: k.id,
                },
                Rich::user(k.name).plain(" standings"),
            )
        }
    };
    let chart = charts::draw(ctx.pool, ctx.config, ctx.program, &spec).await?;
    Ok(Reply::titled(title).image(chart.png, &chart.file_name, &chart.alt))
}
