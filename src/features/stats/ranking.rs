//! Every creator's value of one metric over a period, highest first: the boards behind the
//! leaderboards, competitions, a creator's rank, the Pareto shares and the selling-creator count.
//! Building one reads every creator-day (GMV) or every video (videos, views) of the period, costly
//! at 100 k creators, so boards are kept per database, program, metric and period and reused while
//! the database shows the same stamp: the rollups up to the period's end for GMV (refreshed with
//! the order lines), the `activity` change stamp for videos and views. A stale board is rebuilt,
//! never served.

use std::sync::{Arc, LazyLock, Mutex};

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

use super::cache::{Shared, StampedCache, database_of, lock};
use crate::db::stats::leaderboard::RankedBy;
use crate::db::stats::{self, ChangeStamp, RollupStamp};

/// Creators and their values, by value (highest first), ties by creator id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Board {
    ids: Vec<i64>,
    values: Vec<i64>,
}

impl Board {
    pub fn new(ids: Vec<i64>, values: Vec<i64>) -> Board {
        let mut pairs: Vec<(i64, i64)> = values.into_iter().zip(ids).collect();
        pairs.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let (values, ids) = pairs.into_iter().unzip();
        Board { ids, values }
    }

    /// The values, highest first.
    pub fn values(&self) -> &[i64] {
        &self.values
    }

    /// The creator ids, in the order of [`Board::values`].
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// How many creators have a positive value (they come first).
    pub fn positive(&self) -> usize {
        self.values.partition_point(|&v| v > 0)
    }

    pub fn value_of(&self, creator_id: i64) -> Option<i64> {
        // A scan of at most 100 k integers costs less than a round trip.
        let at = self.ids.iter().position(|&id| id == creator_id)?;
        Some(self.values[at])
    }

    /// The rank a value holds on the board, as SQL RANK() gives it (ties share the better rank).
    pub fn rank_of(&self, value: i64) -> i64 {
        self.values.partition_point(|&v| v > value) as i64 + 1
    }
}

/// Selling creators' period GMV (a creator sells with at least one net line in the period), and
/// how many creators ever sold before the period's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranking {
    pub board: Arc<Board>,
    lifetime_sellers: i64,
}

impl Ranking {
    pub fn gmv_desc(&self) -> &[i64] {
        self.board.values()
    }

    /// Creators whose first net sale was before the period's end.
    pub fn lifetime_sellers(&self) -> i64 {
        self.lifetime_sellers
    }

    pub fn selling_creators(&self) -> u64 {
        self.board.len() as u64
    }

    /// Rank of a creator with this period GMV among creators with GMV > 0, as SQL RANK() gives
    /// it (ties share a rank); `None` without GMV.
    pub fn rank_of(&self, gmv: i64) -> Option<i64> {
        (gmv > 0).then(|| self.board.rank_of(gmv))
    }
}

/// Enough for the periods people ask about at once (last 7/30/90 days, this month, the tier
/// window, running competitions…); a board of 100 k creators takes about 1.6 MB.
const CAPACITY: usize = 16;

type GmvKey = (String, i64, NaiveDate, NaiveDate);
type VideoKey = (String, i64, bool, DateTime<Utc>, DateTime<Utc>);

static GMV: Shared<GmvKey, RollupStamp, Ranking> =
    LazyLock::new(|| Mutex::new(StampedCache::new(CAPACITY)));
static VIDEOS: Shared<VideoKey, ChangeStamp, Board> =
    LazyLock::new(|| Mutex::new(StampedCache::new(CAPACITY)));

/// The GMV ranking of the days `[from, to)`, read through `conn` (so that it belongs to the
/// caller's snapshot); `pool` names the database the cache entry is for.
pub async fn ranking(
    pool: &PgPool,
    conn: &mut PgConnection,
    program_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Arc<Ranking>> {
    let key = (database_of(pool), program_id, from, to);
    // The stamp is read before the ranking; in a snapshot both see the same writes, and outside
    // one an import landing in between leaves the entry under the older stamp (recomputed on the
    // next call), never the other way round.
    let stamp = stats::rollup_stamp(&mut *conn, program_id, to).await?;
    if let Some(hit) = lock(&GMV).get(&key, &stamp) {
        return Ok(hit);
    }
    let selling = stats::selling(&mut *conn, program_id, from, to).await?;
    let ranking = Arc::new(Ranking {
        board: Arc::new(Board::new(selling.creator_ids, selling.period_gmv)),
        lifetime_sellers: selling.lifetime_sellers,
    });
    lock(&GMV).put(key, stamp, ranking.clone());
    Ok(ranking)
}

/// The board of `by` over a period: its days for GMV, its instants for videos and views.
pub async fn board(
    pool: &PgPool,
    conn: &mut PgConnection,
    program_id: i64,
    by: RankedBy,
    days: (NaiveDate, NaiveDate),
    instants: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Arc<Board>> {
    let views = match by {
        RankedBy::Gmv => return Ok(ranking(pool, conn, program_id, days).await?.board.clone()),
        RankedBy::Videos => false,
        RankedBy::Views => true,
    };
    let key = (database_of(pool), program_id, views, instants.0, instants.1);
    let stamp = stats::change_stamp(&mut *conn, program_id, "activity").await?;
    if let Some(hit) = lock(&VIDEOS).get(&key, &stamp) {
        return Ok(hit);
    }
    let (ids, values) = stats::video_totals(&mut *conn, program_id, instants, views).await?;
    let board = Arc::new(Board::new(ids, values));
    lock(&VIDEOS).put(key, stamp, board.clone());
    Ok(board)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties_like_sql_rank() {
        let r = Ranking {
            board: Arc::new(Board::new(vec![1, 2, 3, 4, 5], vec![500, 100, 900, 0, 500])),
            lifetime_sellers: 7,
        };
        assert_eq!(r.gmv_desc(), &[900, 500, 500, 100, 0]);
        assert_eq!(r.board.ids(), &[3, 1, 5, 2, 4]);
        assert_eq!(r.rank_of(900), Some(1));
        assert_eq!(r.rank_of(500), Some(2));
        assert_eq!(r.rank_of(100), Some(4));
        assert_eq!(r.rank_of(0), None);
        assert_eq!(r.selling_creators(), 5);
        assert_eq!(r.board.positive(), 4);
        assert_eq!(r.board.value_of(5), Some(500));
        assert_eq!(r.board.value_of(9), None);
    }
}
