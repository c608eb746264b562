//! The numbers each chart draws, read and computed apart from the drawing so that they can be
//! checked on their own. Every figure uses the stats' definitions (DOMAIN.md, "KPIs"): GMV is net
//! GMV (paid lines, less `Ineligible` and fully refunded ones), read from the daily rollups and
//! the stats' boards, never from the order lines.

mod boards;
mod tiers;

use anyhow::{Context, Result};
use chrono::{Days, NaiveDate};
use sqlx::PgPool;

use crate::db::charts as db;
use crate::db::programs::Program;
use crate::domain::Period;
use crate::domain::kpi::div_round;

pub use boards::{
    Bar, BoardSeries, CompetitionSeries, ParetoSeries, competition, leaderboard, pareto,
    pareto_series,
};
pub use tiers::{
    Joined, MovedCreator, TierChange, TierMix, TierSeries, mix_days, tier_mixes, tiers,
};

/// Days in the trailing average drawn over daily GMV.
pub const AVERAGE_DAYS: u64 = 7;

/// One day of the program's sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GmvDay {
    pub day: NaiveDate,
    /// Net GMV of the day.
    pub gmv_cents: i64,
    /// GMV of the day's lines that were refunded or made ineligible (not in the net).
    pub refunded_gmv_cents: i64,
    /// Net GMV of the 7 days ending with this one (days before the period included), divided by
    /// 7 and rounded to the cent.
    pub average_7d_cents: i64,
}

/// Net GMV per day over a period, every day listed (0 when nothing sold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GmvSeries {
    pub period: Period,
    pub days: Vec<GmvDay>,
}

impl GmvSeries {
    pub fn gmv_cents(&self) -> i64 {
        self.days.iter().map(|d| d.gmv_cents).sum()
    }

    pub fn refunded_gmv_cents(&self) -> i64 {
        self.days.iter().map(|d| d.refunded_gmv_cents).sum()
    }

    /// Nothing sold and nothing refunded in the period.
    pub fn is_empty(&self) -> bool {
        self.days
            .iter()
            .all(|d| d.gmv_cents == 0 && d.refunded_gmv_cents == 0)
    }
}

/// The first day whose rollup the 7-day average of `period`'s first day reads.
fn average_start(period: Period) -> NaiveDate {
    period.from - Days::new(AVERAGE_DAYS - 1)
}

/// The period's days from the program's rollup rows, which may start up to 6 days before the
/// period (for the average) and skip days without sales.
pub fn gmv_series(period: Period, rows: &[db::ProgramDay]) -> GmvSeries {
    let start = average_start(period);
    let span = (period.to - start).num_days().max(0) as usize;
    let mut net = vec![0i64; span];
    let mut refunded = vec![0i64; span];
    for r in rows {
        if let Ok(i) = usize::try_from((r.day - start).num_days())
            && i < span
        {
            net[i] = r.gross_gmv_cents - r.refunded_gmv_cents;
            refunded[i] = r.refunded_gmv_cents;
        }
    }
    let lead = (AVERAGE_DAYS - 1) as usize;
    let days = (lead..span)
        .map(|i| {
            let window: i64 = net[i + 1 - AVERAGE_DAYS as usize..=i].iter().sum();
            GmvDay {
                day: start + Days::new(i as u64),
                gmv_cents: net[i],
                refunded_gmv_cents: refunded[i],
                average_7d_cents: div_round(window, AVERAGE_DAYS as i64).unwrap_or(0),
            }
        })
        .collect();
    GmvSeries { period, days }
}

/// The program's net GMV per day over `period`, with its trailing 7-day average.
pub async fn gmv(pool: &PgPool, program: &Program, period: Period) -> Result<GmvSeries> {
    let rows = db::program_days(pool, program.id, (average_start(period), period.to)).await?;
    Ok(gmv_series(period, &rows))
}

/// One day of a creator's activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatorDay {
    pub day: NaiveDate,
    /// Net GMV of the day.
    pub gmv_cents: i64,
    /// Videos posted that (program-local) day.
    pub videos: i64,
}

/// One creator's net GMV and videos per day over a period, every day listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorSeries {
    pub handle: String,
    pub period: Period,
    pub days: Vec<CreatorDay>,
}

impl CreatorSeries {
    pub fn gmv_cents(&self) -> i64 {
        self.days.iter().map(|d| d.gmv_cents).sum()
    }

    pub fn videos(&self) -> i64 {
        self.days.iter().map(|d| d.videos).sum()
    }

    /// No sale and no video in the period.
    pub fn is_empty(&self) -> bool {
        self.days.iter().all(|d| d.gmv_cents == 0 && d.videos == 0)
    }
}

/// Every day of `period` from the days that have GMV and the days that have videos.
pub fn creator_series(
    handle: &str,
    period: Period,
    gmv: &[(NaiveDate, i64)],
    videos: &[(NaiveDate, i64)],
) -> CreatorSeries {
    let n = period.days().max(0) as usize;
    let mut days: Vec<CreatorDay> = (0..n)
        .map(|i| CreatorDay {
            day: period.from + Days::new(i as u64),
            gmv_cents: 0,
            videos: 0,
        })
        .collect();
    let index = |day: NaiveDate| {
        usize::try_from((day - period.from).num_days())
            .ok()
            .filter(|&i| i < n)
    };
    for &(day, cents) in gmv {
        if let Some(i) = index(day) {
            days[i].gmv_cents += cents;
        }
    }
    for &(day, count) in videos {
        if let Some(i) = index(day) {
            days[i].videos += count;
        }
    }
    CreatorSeries {
        handle: handle.to_string(),
        period,
        days,
    }
}

/// One creator's series over `period`: their rollup days and their videos, by index lookups.
pub async fn creator(
    pool: &PgPool,
    program: &Program,
    creator_id: i64,
    period: Period,
) -> Result<CreatorSeries> {
    let handle = crate::db::stats::leaderboard::handle_of(pool, program.id, creator_id)
        .await?
        .with_context(|| format!("program {} has no creator {creator_id}", program.slug))?;
    let gmv = db::creator_days(pool, program.id, creator_id, (period.from, period.to)).await?;
    let videos = db::creator_videos_per_day(
        pool,
        program.id,
        creator_id,
        (
            period.starts_at(program.timezone),
            period.ends_at(program.timezone),
        ),
        program.timezone.name(),
    )
    .await?;
    Ok(creator_series(&handle, period, &gmv, &videos))
}
