//! Charts as PNG images: what a chart shows ([`ChartSpec`], small enough to store in an outbox
//! row and drawn when the row is sent, from the data as it is then) and [`draw`], which reads its
//! data and draws it.
//!
//! Each kind reads its numbers with a function of [`data`] (the same definitions and the same
//! rollups and boards as the stats) and draws them apart ([`render`]), with plotters on an RGB
//! buffer encoded as PNG. Every chart carries a title and its period (program-local days, the
//! program's time zone named), money in the program's currency, text in the embedded DejaVu Sans
//! (`assets/fonts/`, its licence beside it) at 16 px or more at 1200×675 and growing with the
//! image, and colours from the Okabe–Ito palette, which stay distinct with colour-blindness (see
//! [`style`]). A period without data draws a chart that says so.

mod bars;
mod creator;
pub mod data;
pub mod find;
mod gmv;
mod pareto;
pub mod style;
mod tiers;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::config::Config;
use crate::db::programs::Program;
use crate::domain::period_spec::MAX_DAYS;
use crate::domain::{Period, Tier, for_user, format_cents};
use crate::features::stats::Metric;

/// The ranking a leaderboard chart draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartMetric {
    Gmv,
    Videos,
    Views,
}

impl ChartMetric {
    /// As titles write it: `GMV`, `videos`, `views`.
    pub fn name(self) -> &'static str {
        match self {
            ChartMetric::Gmv => "GMV",
            ChartMetric::Videos => "videos",
            ChartMetric::Views => "views",
        }
    }
}

impl From<Metric> for ChartMetric {
    fn from(m: Metric) -> ChartMetric {
        match m {
            Metric::Gmv => ChartMetric::Gmv,
            Metric::Videos => ChartMetric::Videos,
            Metric::Views => ChartMetric::Views,
        }
    }
}

/// What a chart shows. Periods are program-local days `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartSpec {
    /// Net GMV per day with its 7-day average, refunds apart.
    Gmv { from: NaiveDate, to: NaiveDate },
    /// The top 10 creators by a metric.
    Leaderboard {
        from: NaiveDate,
        to: NaiveDate,
        metric: ChartMetric,
    },
    /// Cumulative share of GMV against share of creators.
    Pareto { from: NaiveDate, to: NaiveDate },
    /// Creators per tier on `at`, and the tier mix at the end of each of the 6 months before.
    Tiers { at: NaiveDate },
    /// One creator's GMV per day and videos posted.
    Creator {
        creator_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// A competition's standings.
    Competition { competition_id: i64 },
}

/// A drawn chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub png: Vec<u8>,
    /// `gmv.png`, `pareto.png`…
    pub file_name: String,
    /// A one-line description for screen readers and text-only surfaces.
    pub alt: String,
}

impl ChartSpec {
    /// `gmv`, `leaderboard`, `pareto`, `tiers`, `creator` or `competition`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChartSpec::Gmv { .. } => "gmv",
            ChartSpec::Leaderboard { .. } => "leaderboard",
            ChartSpec::Pareto { .. } => "pareto",
            ChartSpec::Tiers { .. } => "tiers",
            ChartSpec::Creator { .. } => "creator",
            ChartSpec::Competition { .. } => "competition",
        }
    }

    /// The image's file name: `pareto.png`.
    pub fn file_name(&self) -> String {
        format!("{}.png", self.kind())
    }
}

/// A chart's numbers, read by [`load`] and drawn by [`render`].
#[derive(Debug, Clone, PartialEq)]
pub enum ChartData {
    Gmv(data::GmvSeries),
    Leaderboard(data::BoardSeries),
    Pareto(data::ParetoSeries),
    Tiers(data::TierSeries),
    Creator(data::CreatorSeries),
    Competition(data::CompetitionSeries),
}

/// A chart's period refused: empty, or longer than a chart can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    #[error("the chart's period is empty: it must end after it starts (from {from}, to {to})")]
    Empty { from: NaiveDate, to: NaiveDate },
    #[error("a chart covers at most {MAX_DAYS} days; {period} is {days} days")]
    TooLong { period: Period, days: i64 },
}

fn period(from: NaiveDate, to: NaiveDate) -> Result<Period> {
    let p = Period::new(from, to).map_err(|_| for_user(ChartError::Empty { from, to }))?;
    if p.days() > i64::from(MAX_DAYS) {
        return Err(for_user(ChartError::TooLong {
            period: p,
            days: p.days(),
        }));
    }
    Ok(p)
}

/// Reads what `spec` shows, in the program's time zone.
pub async fn load(pool: &PgPool, program: &Program, spec: &ChartSpec) -> Result<ChartData> {
    Ok(match *spec {
        ChartSpec::Gmv { from, to } => {
            ChartData::Gmv(data::gmv(pool, program, period(from, to)?).await?)
        }
        ChartSpec::Leaderboard { from, to, metric } => ChartData::Leaderboard(
            data::leaderboard(pool, program, period(from, to)?, metric).await?,
        ),
        ChartSpec::Pareto { from, to } => {
            ChartData::Pareto(data::pareto(pool, program, period(from, to)?).await?)
        }
        ChartSpec::Tiers { at } => ChartData::Tiers(data::tiers(pool, program, at).await?),
        ChartSpec::Creator {
            creator_id,
            from,
            to,
        } => ChartData::Creator(data::creator(pool, program, creator_id, period(from, to)?).await?),
        ChartSpec::Competition { competition_id } => {
            ChartData::Competition(data::competition(pool, program, competition_id).await?)
        }
    })
}

impl ChartData {
    pub fn kind(&self) -> &'static str {
        match self {
            ChartData::Gmv(_) => "gmv",
            ChartData::Leaderboard(_) => "leaderboard",
            ChartData::Pareto(_) => "pareto",
            ChartData::Tiers(_) => "tiers",
            ChartData::Creator(_) => "creator",
            ChartData::Competition(_) => "competition",
        }
    }

    /// One line saying what the chart shows, for screen readers and text-only surfaces.
    pub fn alt(&self, program: &Program) -> String {
        let money = |c: i64| format_cents(c, &program.currency);
        let places = |bars: &[data::Bar], metric: ChartMetric| {
            bars.iter()
                .take(3)
                .map(|b| {
                    format!(
                        "@{} {}",
                        b.handle,
                        bars::value(metric, &program.currency, b.value)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            ChartData::Gmv(s) => format!(
                "Net GMV per day, {}: {} net, {} refunded",
                s.period,
                money(s.gmv_cents()),
                money(s.refunded_gmv_cents())
            ),
            ChartData::Leaderboard(s) if s.bars.is_empty() => format!(
                "Top creators by {}, {}: nobody yet",
                s.metric.name(),
                s.period
            ),
            ChartData::Leaderboard(s) => format!(
                "Top creators by {}, {}: {}",
                s.metric.name(),
                s.period,
                places(&s.bars, s.metric)
            ),
            ChartData::Pareto(s) => {
                let shares: Vec<String> = s
                    .marks
                    .iter()
                    .filter_map(|m| {
                        m.gmv_share
                            .map(|g| format!("top {}% {}", m.top_percent, style::percent(g)))
                    })
                    .collect();
                if shares.is_empty() {
                    format!("Share of GMV by top creators, {}: no sales", s.period)
                } else {
                    format!(
                        "Share of GMV by top creators, {}: {} of {} made by {} selling creators",
                        s.period,
                        shares.join(", "),
                        money(s.gmv_cents),
                        style::count(s.selling_creators as i64)
                    )
                }
            }
            ChartData::Tiers(s) => match s.now() {
                Some(m) => format!(
                    "Creators per tier on {}: {}",
                    m.day,
                    Tier::ALL
                        .iter()
                        .zip(m.counts)
                        .map(|(t, n)| format!("{} {}", t.display_name(), style::count(n)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "Creators per tier".to_string(),
            },
            ChartData::Creator(s) => {
                let videos = s.videos();
                format!(
                    "@{}, {}: {} net GMV, {} {}",
                    s.handle,
                    s.period,
                    money(s.gmv_cents()),
                    style::count(videos),
                    if videos == 1 { "video" } else { "videos" }
                )
            }
            ChartData::Competition(s) if s.bars.is_empty() => {
                format!("{} standings: no entries yet", s.name)
            }
            ChartData::Competition(s) => format!(
                "{} standings ({}): {}",
                s.name,
                if s.ended { "final" } else { "so far" },
                places(&s.bars, s.metric)
            ),
        }
    }
}

/// Draws `data` as a PNG of `size` (width, height) pixels.
pub fn render(data: &ChartData, program: &Program, size: (u32, u32)) -> Result<Chart> {
    style::fonts()?;
    let canvas = style::Canvas::new(size);
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        match data {
            ChartData::Gmv(s) => gmv::draw(&root, &canvas, program, s)?,
            ChartData::Leaderboard(s) => bars::draw_leaderboard(&root, &canvas, program, s)?,
            ChartData::Pareto(s) => pareto::draw(&root, &canvas, program, s)?,
            ChartData::Tiers(s) => tiers::draw(&root, &canvas, program, s)?,
            ChartData::Creator(s) => creator::draw(&root, &canvas, program, s)?,
            ChartData::Competition(s) => bars::draw_competition(&root, &canvas, program, s)?,
        }
        root.present().map_err(style::failed)?;
    }
    Ok(Chart {
        png: style::png(&canvas, &rgb)?,
        file_name: format!("{}.png", data.kind()),
        alt: data.alt(program),
    })
}

/// Reads the chart's data and draws it at the configured size (`[charts]`), in the program's
/// currency and time zone.
pub async fn draw(
    pool: &PgPool,
    config: &Config,
    program: &Program,
    spec: &ChartSpec,
) -> Result<Chart> {
    let data = load(pool, program, spec).await?;
    let size = config.charts.size();
    let program = program.clone();
    // Drawing and encoding take a few milliseconds of CPU: off the async workers.
    tokio::task::spawn_blocking(move || render(&data, &program, size))
        .await
        .context("drawing the chart")?
}
