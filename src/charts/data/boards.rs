//! The ranked charts' numbers: the leaderboard and a competition's standings (read with the
//! leaderboards' own ranking code), and the Pareto curve of the period's GMV board.

use anyhow::{Context, Result};
use chrono::Days;
use sqlx::PgPool;

use super::super::ChartMetric;
use crate::db::cadences::Competition;
use crate::db::programs::Program;
use crate::db::stats::leaderboard::{RankedBy, RankedRow};
use crate::domain::Period;
use crate::domain::pareto::{ParetoShare, pareto as shares};
use crate::domain::timefmt::start_of_day;
use crate::features::stats::{self, ranking};

/// Places a ranked chart shows.
pub const PLACES: i64 = 10;

/// One place on a ranked chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// As SQL RANK() gives it: ties share a rank.
    pub rank: i64,
    pub handle: String,
    pub value: i64,
}

impl From<RankedRow> for Bar {
    fn from(r: RankedRow) -> Bar {
        Bar {
            rank: r.rank,
            handle: r.handle,
            value: r.value,
        }
    }
}

/// The top creators by one metric over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardSeries {
    pub period: Period,
    pub metric: ChartMetric,
    /// Best first; only creators with a positive value.
    pub bars: Vec<Bar>,
}

fn ranked_by(metric: ChartMetric) -> RankedBy {
    match metric {
        ChartMetric::Gmv => RankedBy::Gmv,
        ChartMetric::Videos => RankedBy::Videos,
        ChartMetric::Views => RankedBy::Views,
    }
}

/// The top 10 creators by `metric` in `period`, as `/leaderboard` ranks them.
pub async fn leaderboard(
    pool: &PgPool,
    program: &Program,
    period: Period,
    metric: ChartMetric,
) -> Result<BoardSeries> {
    let bounds = (
        (period.from, period.to),
        (
            period.starts_at(program.timezone),
            period.ends_at(program.timezone),
        ),
    );
    let rows =
        stats::top_creators(pool, program.id, ranked_by(metric), bounds, None, PLACES).await?;
    Ok(BoardSeries {
        period,
        metric,
        bars: rows.into_iter().map(Bar::from).collect(),
    })
}

/// A competition's standings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionSeries {
    pub name: String,
    pub metric: ChartMetric,
    /// Its window, `[starts_on, ends_on)`.
    pub window: Period,
    /// The tier it is open to (`None`: everyone).
    pub tier: Option<String>,
    /// Ended (by staff or at its end), so the standings are final.
    pub ended: bool,
    pub bars: Vec<Bar>,
}

/// The standings of competition `competition_id`: final once it ended (as of when it ended), else
/// over its whole window, which holds no sales or videos from after today yet.
pub async fn competition(
    pool: &PgPool,
    program: &Program,
    competition_id: i64,
) -> Result<CompetitionSeries> {
    let k: Competition = crate::db::charts::competition(pool, program.id, competition_id)
        .await?
        .with_context(|| {
            format!(
                "program {} has no competition {competition_id}",
                program.slug
            )
        })?;
    let at = k.ended_at.unwrap_or_else(|| {
        // The last instant of the window: the standings of the whole window.
        start_of_day(k.ends_on, program.timezone) - chrono::Duration::microseconds(1)
    });
    let rows =
        crate::features::cadences::competitions::standings(pool, program, &k, at, PLACES).await?;
    let metric = match k.metric.as_str() {
        "videos" => ChartMetric::Videos,
        "views" => ChartMetric::Views,
        _ => ChartMetric::Gmv,
    };
    Ok(CompetitionSeries {
        window: Period::new(k.starts_on, k.ends_on.max(k.starts_on + Days::new(1)))?,
        name: k.name,
        metric,
        tier: k.tier,
        ended: k.ended_at.is_some(),
        bars: rows.into_iter().map(Bar::from).collect(),
    })
}

/// The power law of a period's sales: the cumulative share of GMV made by the top share of
/// selling creators, ranked by GMV.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoSeries {
    pub period: Period,
    /// Creators with at least one net line in the period.
    pub selling_creators: u64,
    pub gmv_cents: i64,
    /// `(share of selling creators, share of GMV)`, both 0 to 1, from `(0, 0)` to `(1, 1)`:
    /// every creator when there are at most `max_points`, else evenly spaced ones plus the marks.
    pub points: Vec<(f64, f64)>,
    /// The top 1 %, 5 %, 10 % and 20 % and their shares (as the KPIs give them).
    pub marks: Vec<ParetoShare>,
}

/// The curve of `gmv_desc` (each selling creator's GMV, highest first) in at most `max_points`
/// points besides the origin and the marks.
pub fn pareto_series(period: Period, gmv_desc: &[i64], max_points: usize) -> ParetoSeries {
    let n = gmv_desc.len();
    let total: i64 = gmv_desc.iter().sum();
    let marks = shares(gmv_desc);
    let mut cumulative = Vec::with_capacity(n + 1);
    cumulative.push(0i64);
    for &g in gmv_desc {
        cumulative.push(cumulative.last().copied().unwrap_or(0) + g);
    }
    // Which prefixes (how many top creators) become points.
    let mut counts: Vec<usize> = if n <= max_points.max(1) {
        (1..=n).collect()
    } else {
        let m = max_points.max(1);
        (1..=m).map(|k| (k * n).div_ceil(m)).collect()
    };
    counts.extend(marks.iter().map(|m| m.creators as usize));
    counts.sort_unstable();
    counts.dedup();
    let mut points = Vec::with_capacity(counts.len() + 1);
    if n > 0 && total > 0 {
        points.push((0.0, 0.0));
        for c in counts.into_iter().filter(|&c| c >= 1 && c <= n) {
            points.push((c as f64 / n as f64, cumulative[c] as f64 / total as f64));
        }
    }
    ParetoSeries {
        period,
        selling_creators: n as u64,
        gmv_cents: total,
        points,
        marks,
    }
}

/// Points drawn on a Pareto curve at most (besides the marks): more than a chart's pixels.
pub const PARETO_POINTS: usize = 1_000;

/// The Pareto curve of `period` from the period's GMV board (kept between calls while the
/// rollups stay the same).
pub async fn pareto(pool: &PgPool, program: &Program, period: Period) -> Result<ParetoSeries> {
    let mut tx = stats::snapshot(pool).await?;
    let ranking = ranking::ranking(pool, &mut tx, program.id, (period.from, period.to)).await?;
    tx.commit().await?;
    Ok(pareto_series(period, ranking.gmv_desc(), PARETO_POINTS))
}
