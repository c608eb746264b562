//! Program-wide counts that read every creator or many videos (the tier mix, creators without a
//! chat account, creators who posted their first video), kept while the database's change stamp
//! of what they count is the same (`tiers`, `accounts`, `activity`: see the `stats_changes`
//! migration), so a staff report does not count 100 k rows each time.

use std::sync::{Arc, LazyLock, Mutex};

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::cache::{Shared, StampedCache, database_of, lock};
use crate::db::cadences::{first_posters, handles_in_order, unlinked_creators as count_unlinked};
use crate::db::programs::Program;
use crate::db::stats::{ChangeStamp, change_stamp};
use crate::db::tiers::tier_mix as count_tiers;
use crate::domain::Tier;

type Key = (String, i64);

type RangeKey = (String, i64, DateTime<Utc>, DateTime<Utc>);

static TIER_MIX: Shared<Key, ChangeStamp, Vec<(Tier, i64)>> =
    LazyLock::new(|| Mutex::new(StampedCache::new(16)));
static FIRST_POSTERS: Shared<RangeKey, ChangeStamp, Vec<i64>> =
    LazyLock::new(|| Mutex::new(StampedCache::new(16)));
static UNLINKED: Shared<Key, ChangeStamp, i64> =
    LazyLock::new(|| Mutex::new(StampedCache::new(16)));

/// How many creators each tier holds, top tier first (every tier listed, even when empty).
pub async fn tier_mix(pool: &PgPool, program: &Program) -> Result<Vec<(Tier, i64)>> {
    let key = (database_of(pool), program.id);
    let mut tx = super::snapshot(pool).await?;
    let stamp = change_stamp(&mut *tx, program.id, "tiers").await?;
    if let Some(hit) = lock(&TIER_MIX).get(&key, &stamp) {
        return Ok(hit.as_ref().clone());
    }
    let mix = Arc::new(count_tiers(&mut *tx, program.id).await?);
    tx.commit().await?;
    lock(&TIER_MIX).put(key, stamp, mix.clone());
    Ok(mix.as_ref().clone())
}

/// Creators without a chat account in a connected workspace (the bot cannot DM them).
pub async fn unlinked_creators(pool: &PgPool, program: &Program) -> Result<i64> {
    let key = (database_of(pool), program.id);
    let mut tx = super::snapshot(pool).await?;
    let stamp = change_stamp(&mut *tx, program.id, "accounts").await?;
    if let Some(hit) = lock(&UNLINKED).get(&key, &stamp) {
        return Ok(*hit);
    }
    let n = count_unlinked(&mut *tx, program.id).await?;
    tx.commit().await?;
    lock(&UNLINKED).put(key, stamp, Arc::new(n));
    Ok(n)
}

/// Creators whose first video ever was posted in `[from, to)`, by handle. Who they are is kept
/// under the `activity` stamp; their handles are read each time.
pub async fn new_activations(
    pool: &PgPool,
    program: &Program,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<String>> {
    let key = (database_of(pool), program.id, from, to);
    let mut tx = super::snapshot(pool).await?;
    let stamp = change_stamp(&mut *tx, program.id, "activity").await?;
    let cached = lock(&FIRST_POSTERS).get(&key, &stamp);
    let ids = match cached {
        Some(ids) => ids,
        None => {
            let ids = Arc::new(first_posters(&mut *tx, program.id, from, to).await?);
            lock(&FIRST_POSTERS).put(key, stamp, ids.clone());
            ids
        }
    };
    let handles = handles_in_order(&mut *tx, program.id, &ids).await?;
    tx.commit().await?;
    Ok(handles)
}
