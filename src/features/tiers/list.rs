//! `tier list`: how many creators each tier holds, or who is in one tier.

use anyhow::Result;
use sqlx::PgPool;

use crate::db::programs::Program;
use crate::db::tiers::{self as tier_db, TierMember};
use crate::domain::Tier;

#[derive(Debug, Clone, PartialEq)]
pub enum TierList {
    /// Creators per tier, top tier first.
    Mix(Vec<(Tier, i64)>),
    /// The first creators of one tier by handle, and how many it holds.
    Members {
        tier: Tier,
        members: Vec<TierMember>,
        total: i64,
    },
}

/// The tier mix (`tier = None`), or the first `limit` creators of `tier`.
pub async fn list(
    pool: &PgPool,
    program: &Program,
    tier: Option<Tier>,
    limit: u32,
) -> Result<TierList> {
    Ok(match tier {
        None => TierList::Mix(crate::features::stats::counts::tier_mix(pool, program).await?),
        Some(tier) => {
            let (members, total) =
                tier_db::members(pool, program.id, tier, i64::from(limit)).await?;
            TierList::Members {
                tier,
                members,
                total,
            }
        }
    })
}
