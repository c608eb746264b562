//! The tier-mix chart's numbers: creators per tier on a day, and at the end of each of the six
//! months before it, rebuilt from the current mix. Two kinds of creators held another place at a
//! past day: those who joined after it (counted per join day and tier, never one by one) and those
//! whose tier changed since (few: read one by one with their changes). Everyone else has held their
//! current tier all along.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use sqlx::PgPool;

use crate::db::charts as db;
use crate::db::programs::Program;
use crate::domain::Tier;
use crate::domain::timefmt::start_of_day;
use crate::features::stats;

/// Months shown before the day itself.
pub const MONTHS: u32 = 6;

/// The tier mix at the end of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierMix {
    /// The last day counted (a month's last day, or the chart's day).
    pub day: NaiveDate,
    /// Creators per tier, in [`Tier::ALL`] order (All-Stars first).
    pub counts: [i64; 3],
}

impl TierMix {
    pub fn total(&self) -> i64 {
        self.counts.iter().sum()
    }
}

/// Creators per tier on a day and at the end of each of the [`MONTHS`] months before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSeries {
    /// The month ends, oldest first, then the day itself.
    pub mixes: Vec<TierMix>,
}

impl TierSeries {
    /// The mix on the chart's day.
    pub fn now(&self) -> Option<&TierMix> {
        self.mixes.last()
    }

    /// No creator at any of the days.
    pub fn is_empty(&self) -> bool {
        self.mixes.iter().all(|m| m.total() == 0)
    }
}

/// A recorded change of tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierChange {
    pub creator_id: i64,
    /// `None`: the creator had no tier before.
    pub from: Option<Tier>,
    pub to: Tier,
    pub at: DateTime<Utc>,
}

/// A creator whose tier changed: their tier now and the day they joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedCreator {
    pub id: i64,
    pub tier: Tier,
    pub joined_on: NaiveDate,
}

/// How many creators now in `tier` joined on `day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joined {
    pub day: NaiveDate,
    pub tier: Tier,
    pub creators: i64,
}

fn slot(tier: Tier) -> usize {
    Tier::ALL.iter().position(|t| *t == tier).unwrap_or(2)
}

/// The mix at the end of each of `days` (each ending at the instant given with it): the current
/// mix, less the creators who joined after the day (at their current tier), with each creator who
/// changed tier since moved back to the tier they held then (the last change before the instant,
/// else what the first change after it moved them from) if they had joined by then. `joined`
/// counts every creator who joined after the earliest day; `changes` hold every change at or after
/// the earliest instant and `moved` their creators.
pub fn tier_mixes(
    current: [i64; 3],
    joined: &[Joined],
    moved: &[MovedCreator],
    changes: &[TierChange],
    days: &[(NaiveDate, DateTime<Utc>)],
) -> Vec<TierMix> {
    let mut by_creator: HashMap<i64, Vec<&TierChange>> = HashMap::new();
    for c in changes {
        by_creator.entry(c.creator_id).or_default().push(c);
    }
    for list in by_creator.values_mut() {
        list.sort_by_key(|c| c.at);
    }
    days.iter()
        .map(|&(day, end)| {
            let mut counts = current;
            for j in joined.iter().filter(|j| j.day > day) {
                counts[slot(j.tier)] -= j.creators;
            }
            for m in moved.iter().filter(|m| m.joined_on <= day) {
                let list = by_creator.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
                let after = list.partition_point(|c| c.at < end);
                let held = match (after.checked_sub(1).map(|i| list[i]), list.get(after)) {
                    (Some(before), _) => before.to,
                    (None, Some(next)) => next.from.unwrap_or(Tier::NewAndPromising),
                    (None, None) => m.tier,
                };
                counts[slot(m.tier)] -= 1;
                counts[slot(held)] += 1;
            }
            TierMix { day, counts }
        })
        .collect()
}

/// The last days of the [`MONTHS`] months before `at`'s month, oldest first, then `at`.
pub fn mix_days(at: NaiveDate) -> Vec<NaiveDate> {
    let first = at.with_day(1).unwrap_or(at);
    let mut days: Vec<NaiveDate> = (1..=MONTHS)
        .rev()
        .map(|back| first - Months::new(back - 1) - Days::new(1))
        .collect();
    days.push(at);
    days
}

fn tier(raw: &str) -> Result<Tier> {
    raw.parse()
        .with_context(|| format!("unknown tier {raw:?} in the database"))
}

/// The tier mix on `at` and at the six month ends before it, in the program's time zone.
pub async fn tiers(pool: &PgPool, program: &Program, at: NaiveDate) -> Result<TierSeries> {
    let days: Vec<(NaiveDate, DateTime<Utc>)> = mix_days(at)
        .into_iter()
        .map(|d| (d, start_of_day(d + Days::new(1), program.timezone)))
        .collect();
    let (oldest_day, oldest_end) = days[0];
    let mut tx = stats::snapshot(pool).await?;
    let mix = crate::db::tiers::tier_mix(&mut *tx, program.id).await?;
    let joined = db::joined_after(&mut *tx, program.id, oldest_day).await?;
    let changes = db::tier_changes_since(&mut *tx, program.id, oldest_end).await?;
    let mut ids: Vec<i64> = changes.iter().map(|c| c.creator_id).collect();
    ids.dedup();
    let moved = db::creator_tiers(&mut *tx, program.id, &ids).await?;
    tx.commit().await?;
    let mut current = [0i64; 3];
    for (t, n) in mix {
        current[slot(t)] = n;
    }
    let joined = joined
        .into_iter()
        .map(|(day, t, creators)| {
            Ok(Joined {
                day,
                tier: tier(&t)?,
                creators,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let changes = changes
        .into_iter()
        .map(|c| {
            Ok(TierChange {
                creator_id: c.creator_id,
                from: c.from_tier.as_deref().map(tier).transpose()?,
                to: tier(&c.to_tier)?,
                at: c.changed_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let moved = moved
        .into_iter()
        .map(|m| {
            Ok(MovedCreator {
                id: m.id,
                tier: tier(&m.tier)?,
                joined_on: m.joined_on,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(TierSeries {
        mixes: tier_mixes(current, &joined, &moved, &changes, &days),
    })
}
