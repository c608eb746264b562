//! `tier why`: a creator's tier, who pinned it and why, the numbers behind it, and what it takes
//! to move up.

use crate::domain::for_user;
use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::config::TierConfig;
use crate::db::programs::Program;
use crate::db::tiers as tier_db;
use crate::domain::tier_rules::{ChangeKind, TierError, TierWindow, earned_tier, next_step};
use crate::domain::{Handle, Tier};
use crate::features::stats::{self, ranking};

/// The answer to "why am I in this tier?". JSON keys are stable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierWhy {
    pub handle: String,
    pub tier: Tier,
    pub tier_since: DateTime<Utc>,
    pub pinned: bool,
    pub pinned_by: Option<String>,
    /// Why the creator is in `tier`: the pin's reason, the rule their numbers meet, or the reason
    /// recorded when they got it.
    pub reason: String,
    pub at: DateTime<Utc>,
    pub window_days: u32,
    pub gmv_cents: i64,
    pub videos: i64,
    pub has_sale: bool,
    pub rank: Option<i64>,
    pub selling_creators: i64,
    pub viral_window_days: u32,
    pub gmv_7d_cents: i64,
    /// The tier the numbers earn today (differs from `tier` when pinned, or before the next
    /// review or check applies it).
    pub earned_tier: Tier,
    pub earned_reason: String,
    pub next_tier: Option<Tier>,
    pub next_tier_gap_cents: Option<i64>,
    pub next_tier_videos_needed: Option<i64>,
    /// The ways up, as sentences.
    pub next_tier_hints: Vec<String>,
    #[serde(skip)]
    pub currency: String,
}

pub async fn why(
    pool: &PgPool,
    program: &Program,
    cfg: &TierConfig,
    handle: &Handle,
    at: DateTime<Utc>,
) -> Result<TierWhy> {
    // One snapshot for the creator, their numbers and the ranking they are placed in.
    let mut tx = stats::snapshot(pool).await?;
    let creator = tier_db::creator_by_handle(&mut *tx, program.id, handle.as_str())
        .await?
        .ok_or_else(|| for_user(TierError::UnknownCreator(handle.as_str().to_string())))?;
    let window = TierWindow::at(at, program.timezone, cfg);
    let mut standing = tier_db::own_standing(&mut *tx, program.id, &window, creator.id)
        .await?
        .ok_or_else(|| for_user(TierError::UnknownCreator(handle.as_str().to_string())))?;
    // The rank among every selling creator of the window comes from the window's GMV ranking
    // (the same selling creators and GMV as the full pass), kept between calls.
    let days = (window.first_day, window.end_day);
    let ranking = ranking::ranking(pool, &mut tx, program.id, days).await?;
    standing.metrics.selling_creators = ranking.selling_creators() as i64;
    standing.metrics.rank = standing
        .metrics
        .has_sale
        .then(|| ranking.board.rank_of(standing.metrics.gmv_cents));
    let history = tier_db::history(&mut *tx, program.id, creator.id).await?;
    tx.commit().await?;
    let m = standing.metrics;
    let currency = &program.currency;
    let earned = earned_tier(&m, cfg, currency);
    let pin = history
        .iter()
        .rev()
        .find(|h| h.kind == ChangeKind::Pinned.as_str())
        .filter(|_| standing.pinned);
    // The last change that put them in this tier (an unpin only releases a pin; it places no one).
    let placed = history
        .iter()
        .rev()
        .find(|h| h.kind != ChangeKind::Unpinned.as_str() && h.to_tier == standing.tier.as_str());
    let reason = match (pin, placed) {
        (Some(pin), _) => pin.reason.clone(),
        _ if earned.tier == standing.tier => earned.reason.clone(),
        (None, Some(h)) => h.reason.clone(),
        (None, None) if standing.tier == Tier::NewAndPromising => {
            "every creator starts in New & Promising".to_string()
        }
        (None, None) => "no reason recorded".to_string(),
    };
    let next = next_step(standing.tier, &m, cfg, currency);
    Ok(TierWhy {
        handle: standing.handle,
        tier: standing.tier,
        tier_since: standing.tier_since,
        pinned: standing.pinned,
        pinned_by: pin.map(|p| p.changed_by.clone()),
        reason,
        at,
        window_days: cfg.window_days,
        gmv_cents: m.gmv_cents,
        videos: m.videos,
        has_sale: m.has_sale,
        rank: m.rank,
        selling_creators: m.selling_creators,
        viral_window_days: cfg.viral_window_days,
        gmv_7d_cents: m.gmv_7d_cents,
        earned_tier: earned.tier,
        earned_reason: earned.reason,
        next_tier: next.as_ref().map(|n| n.tier),
        next_tier_gap_cents: next.as_ref().map(|n| n.gap_cents),
        next_tier_videos_needed: next.as_ref().and_then(|n| n.videos_needed),
        next_tier_hints: next.map(|n| n.hints).unwrap_or_default(),
        currency: currency.clone(),
    })
}
