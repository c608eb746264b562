//! Each selling creator's GMV over a period, highest first: the Pareto shares, the selling-creator
//! count and a creator's rank all come from it (with the count of creators who ever sold, for
//! CLV). Aggregating it reads every creator-day of the period (costly at 100 k creators), so it is
//! kept per database, program and period and reused while the rollups up to the period's end
//! carry the same refresh stamp. The database stays the only source: a stale entry is recomputed,
//! never served.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use anyhow::Result;
use sqlx::{PgConnection, PgPool};

use crate::db::programs::Program;
use crate::db::stats::{self, RollupStamp};
use crate::domain::Period;

/// Selling creators' period GMV, highest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    gmv_desc: Vec<i64>,
    lifetime_sellers: i64,
}

impl Ranking {
    pub fn gmv_desc(&self) -> &[i64] {
        &self.gmv_desc
    }

    /// Creators whose first net sale was before the period's end.
    pub fn lifetime_sellers(&self) -> i64 {
        self.lifetime_sellers
    }

    pub fn selling_creators(&self) -> u64 {
        self.gmv_desc.len() as u64
    }

    /// Rank of a creator with this period GMV among creators with GMV > 0, as SQL RANK() gives
    /// it (ties share a rank); `None` without GMV.
    pub fn rank_of(&self, gmv: i64) -> Option<i64> {
        if gmv <= 0 {
            return None;
        }
        Some(self.gmv_desc.partition_point(|&g| g > gmv) as i64 + 1)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    server: String,
    database: String,
    program_id: i64,
    period: Period,
}

struct Entry {
    stamp: RollupStamp,
    ranking: Arc<Ranking>,
    last_used: u64,
}

/// Enough for the periods people ask about at once (last 7/30/90 days, this month, …).
const CAPACITY: usize = 32;

#[derive(Default)]
struct Cache {
    entries: HashMap<Key, Entry>,
    clock: u64,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

/// The ranking for `period`, read through `conn` (so that it belongs to the caller's snapshot);
/// `pool` names the database the cache entry is for.
pub async fn ranking(
    pool: &PgPool,
    conn: &mut PgConnection,
    program: &Program,
    period: Period,
) -> Result<Arc<Ranking>> {
    let options = pool.connect_options();
    let key = Key {
        server: format!(
            "{}:{}:{:?}",
            options.get_host(),
            options.get_port(),
            options.get_socket()
        ),
        database: options.get_database().unwrap_or_default().to_string(),
        program_id: program.id,
        period,
    };
    // The stamp is read before the ranking: if an import lands in between, the entry is stored
    // under the older stamp and recomputed on the next call, never the other way round.
    let stamp = stats::rollup_stamp(&mut *conn, program.id, period.to).await?;
    {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        cache.clock += 1;
        let now = cache.clock;
        if let Some(entry) = cache.entries.get_mut(&key)
            && entry.stamp == stamp
        {
            entry.last_used = now;
            return Ok(entry.ranking.clone());
        }
    }
    let selling = stats::selling(&mut *conn, program.id, period.from, period.to).await?;
    let mut gmv_desc = selling.period_gmv;
    gmv_desc.sort_unstable_by(|a, b| b.cmp(a));
    let ranking = Arc::new(Ranking {
        gmv_desc,
        lifetime_sellers: selling.lifetime_sellers,
    });
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.clock += 1;
    let now = cache.clock;
    if cache.entries.len() >= CAPACITY && !cache.entries.contains_key(&key) {
        let oldest = cache
            .entries
            .iter()
            .min_by_key(|(_, e)| e.last_used)
            .map(|(k, _)| k.clone());
        if let Some(oldest) = oldest {
            cache.entries.remove(&oldest);
        }
    }
    cache.entries.insert(
        key,
        Entry {
            stamp,
            ranking: ranking.clone(),
            last_used: now,
        },
    );
    Ok(ranking)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties_like_sql_rank() {
        let r = Ranking {
            gmv_desc: vec![900, 500, 500, 100, 0],
            lifetime_sellers: 7,
        };
        assert_eq!(r.rank_of(900), Some(1));
        assert_eq!(r.rank_of(500), Some(2));
        assert_eq!(r.rank_of(100), Some(4));
        assert_eq!(r.rank_of(0), None);
        assert_eq!(r.selling_creators(), 5);
    }
}
