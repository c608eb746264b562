//! Leaderboards: creators ranked by GMV, videos or views over a period, read off the period's
//! board (see [`super::ranking`]) with only the places shown named from the database.

use std::fmt;
use std::str::FromStr;

use std::collections::HashSet;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use sqlx::{PgConnection, PgPool};

use super::bounds;
use super::ranking::board;
use crate::db::programs::Program;
use crate::db::stats::leaderboard::{RankedBy, RankedRow, handle_of, in_tier, places};
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
    let rows = top_creators(
        pool,
        program.id,
        ranked_by(metric),
        (days, instants),
        None,
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

/// The first `limit` creators (of `tier` only, when set) with a positive value of `by` over the
/// period given as days and instants, as [`crate::db::stats::leaderboard::ranked_in`] lists them,
/// from the period's board.
pub async fn top_creators(
    pool: &PgPool,
    program_id: i64,
    by: RankedBy,
    (days, instants): ((NaiveDate, NaiveDate), (DateTime<Utc>, DateTime<Utc>)),
    tier: Option<&str>,
    limit: i64,
) -> Result<Vec<RankedRow>> {
    // One snapshot: the board's stamp, the tiers and the handles all see the same writes.
    let mut tx = super::snapshot(pool).await?;
    let board = board(pool, &mut tx, program_id, by, days, instants).await?;
    let positive = board.positive();
    let (ids, values) = (&board.ids()[..positive], &board.values()[..positive]);
    let limit_places = usize::try_from(limit).unwrap_or(0);
    let (ids, values) = match tier {
        // Everyone at or above the last place's value: ties at the last place are listed by handle.
        None => {
            let end = match limit_places.checked_sub(1).map(|last| values.get(last)) {
                None => 0,
                Some(Some(&last)) => values.partition_point(|&v| v >= last),
                Some(None) => values.len(),
            };
            (ids[..end].to_vec(), values[..end].to_vec())
        }
        Some(tier) => {
            in_tier_down_to_last_place(&mut tx, program_id, ids, values, tier, limit_places).await?
        }
    };
    let rows = places(&mut *tx, program_id, &ids, &values, limit).await?;
    tx.commit().await?;
    Ok(rows)
}

/// The creators of `tier` on a board (`ids`/`values`, highest first) down to the value of the
/// tier's `limit`-th: read in growing chunks, as a tier's best are usually near the top.
async fn in_tier_down_to_last_place(
    conn: &mut PgConnection,
    program_id: i64,
    ids: &[i64],
    values: &[i64],
    tier: &str,
    limit: usize,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let (mut kept_ids, mut kept_values) = (Vec::new(), Vec::new());
    let (mut at, mut chunk) = (0, (limit * 4).max(64));
    while at < ids.len() && limit > 0 {
        if kept_values.len() >= limit && values[at] < kept_values[limit - 1] {
            break;
        }
        let end = (at + chunk).min(ids.len());
        let members: HashSet<i64> = in_tier(&mut *conn, program_id, &ids[at..end], tier)
            .await?
            .into_iter()
            .collect();
        for i in at..end {
            if members.contains(&ids[i]) {
                kept_ids.push(ids[i]);
                kept_values.push(values[i]);
            }
        }
        at = end;
        chunk *= 4;
    }
    Ok((kept_ids, kept_values))
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
    let mut tx = super::snapshot(pool).await?;
    let board = board(pool, &mut tx, program.id, ranked_by(metric), days, instants).await?;
    let place = match board.value_of(creator_id).filter(|&v| v > 0) {
        Some(value) => handle_of(&mut *tx, program.id, creator_id)
            .await?
            .map(|handle| LeaderboardRow {
                rank: board.rank_of(value),
                handle,
                metric,
                value,
            }),
        None => None,
    };
    tx.commit().await?;
    Ok(place)
}

fn ranked_by(metric: Metric) -> RankedBy {
    match metric {
        Metric::Gmv => RankedBy::Gmv,
        Metric::Videos => RankedBy::Videos,
        Metric::Views => RankedBy::Views,
    }
}
