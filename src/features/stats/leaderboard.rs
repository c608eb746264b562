//! Leaderboards: creators ranked by GMV, videos or views over a period.

use std::fmt;
use std::str::FromStr;

use anyhow::Result;
use serde::ser::{Serialize, SerializeMap, Serializer};
use sqlx::PgPool;

use super::bounds;
use crate::db::programs::Program;
use crate::db::stats::leaderboard::{RankedBy, ranked, standing};
use crate::domain::Period;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    Gmv,
    Videos,
    Views,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a leaderboard metric: use gmv, videos or views")]
pub struct UnknownMetric(pub String);

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Gmv, Metric::Videos, Metric::Views];

    /// The JSON key of the value (the same key as in the KPIs and the creator card).
    pub fn key(self) -> &'static str {
        match self {
            Metric::Gmv => "gmv_cents",
            Metric::Videos => "videos",
            Metric::Views => "views",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Gmv => "gmv",
            Metric::Videos => "videos",
            Metric::Views => "views",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metric {
    type Err = UnknownMetric;
    fn from_str(s: &str) -> Result<Metric, UnknownMetric> {
        match s.trim().to_lowercase().as_str() {
            "gmv" => Ok(Metric::Gmv),
            "videos" => Ok(Metric::Videos),
            "views" => Ok(Metric::Views),
            _ => Err(UnknownMetric(s.trim().to_string())),
        }
    }
}

/// One place on a leaderboard; serializes as `{"rank": 1, "handle": "…", "<metric key>": n}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderboardRow {
    pub rank: i64,
    pub handle: String,
    pub metric: Metric,
    pub value: i64,
}

impl Serialize for LeaderboardRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("rank", &self.rank)?;
        map.serialize_entry("handle", &self.handle)?;
        map.serialize_entry(self.metric.key(), &self.value)?;
        map.end()
    }
}

/// The top `limit` creators with a positive `metric` in `period`: by value, ties sharing a rank
/// (and listed by handle).
pub async fn leaderboard(
    pool: &PgPool,
    program: &Program,
    metric: Metric,
    period: Period,
    limit: u32,
) -> Result<Vec<LeaderboardRow>> {
    let (days, instants) = bounds(program, period);
    let rows = ranked(
        pool,
        program.id,
        ranked_by(metric),
        days,
        instants,
        i64::from(limit),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LeaderboardRow {
            rank: r.rank,
            handle: r.handle,
            metric,
            value: r.value,
        })
        .collect())
}

/// One creator's place on the leaderboard of `metric` in `period`; `None` without a positive
/// value.
pub async fn place_of(
    pool: &PgPool,
    program: &Program,
    metric: Metric,
    period: Period,
    creator_id: i64,
) -> Result<Option<LeaderboardRow>> {
    let (days, instants) = bounds(program, period);
    let row = standing(
        pool,
        program.id,
        ranked_by(metric),
        days,
        instants,
        creator_id,
    )
    .await?;
    Ok(row.map(|r| LeaderboardRow {
        rank: r.rank,
        handle: r.handle,
        metric,
        value: r.value,
    }))
}

fn ranked_by(metric: Metric) -> RankedBy {
    match metric {
        Metric::Gmv => RankedBy::Gmv,
        Metric::Videos => RankedBy::Videos,
        Metric::Views => RankedBy::Views,
    }
}
