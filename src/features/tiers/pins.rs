//! `tier set` (staff pin a tier with a reason) and `tier unpin` (release it to the rules again).

use crate::domain::for_user;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::db::programs::Program;
use crate::db::tiers::{self as tier_db, CreatorTier, HistoryEntry};
use crate::domain::tier_rules::{ChangeKind, TierError};
use crate::domain::{Handle, Tier};

/// A pin or unpin as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinOutcome {
    pub handle: String,
    pub from: Tier,
    pub to: Tier,
    pub pinned: bool,
    /// `pinned` or `unpinned`.
    pub kind: &'static str,
    pub reason: String,
    pub changed_by: String,
    pub at: DateTime<Utc>,
}

/// Pins `tier` on the creator (setting it if different). Review and check leave it alone until
/// it is unpinned.
pub async fn set(
    pool: &PgPool,
    program: &Program,
    handle: &Handle,
    tier: Tier,
    reason: &str,
    changed_by: &str,
    at: DateTime<Utc>,
) -> Result<PinOutcome> {
    let reason = required(reason)?;
    let mut tx = pool.begin().await?;
    let creator = find(&mut tx, program, handle).await?;
    let pin = entry(&creator, tier, ChangeKind::Pinned, reason);
    record(&mut tx, program, pin, changed_by, at).await?;
    tx.commit().await.context("saving the pin")?;
    Ok(outcome(
        creator,
        tier,
        ChangeKind::Pinned,
        reason,
        changed_by,
        at,
    ))
}

/// Releases a pin; the creator keeps the tier until the next review or check decides.
pub async fn unpin(
    pool: &PgPool,
    program: &Program,
    handle: &Handle,
    reason: &str,
    changed_by: &str,
    at: DateTime<Utc>,
) -> Result<PinOutcome> {
    let reason = required(reason)?;
    let mut tx = pool.begin().await?;
    let creator = find(&mut tx, program, handle).await?;
    if !creator.pinned {
        return Err(for_user(TierError::NotPinned(creator.handle)));
    }
    let tier = creator.tier;
    let unpin = entry(&creator, tier, ChangeKind::Unpinned, reason);
    record(&mut tx, program, unpin, changed_by, at).await?;
    tx.commit().await.context("saving the unpin")?;
    Ok(outcome(
        creator,
        tier,
        ChangeKind::Unpinned,
        reason,
        changed_by,
        at,
    ))
}

fn required(reason: &str) -> Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(for_user(TierError::MissingReason));
    }
    Ok(reason)
}

/// Locks the program's tiers (so a running review cannot overwrite the pin) and finds the creator.
async fn find(conn: &mut PgConnection, program: &Program, handle: &Handle) -> Result<CreatorTier> {
    tier_db::lock_program(conn, program.id).await?;
    tier_db::creator_by_handle(&mut *conn, program.id, handle.as_str())
        .await?
        .ok_or_else(|| for_user(TierError::UnknownCreator(handle.as_str().to_string())))
}

/// Stores a pin or unpin: the creator's tier and flag, and the history row saying who and why.
async fn record(
    conn: &mut PgConnection,
    program: &Program,
    entry: HistoryEntry,
    changed_by: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    tier_db::set_pin(
        conn,
        program.id,
        entry.creator_id,
        entry.to,
        entry.pinned,
        at,
    )
    .await?;
    tier_db::insert_history(conn, program.id, &[entry], at, changed_by).await?;
    Ok(())
}

fn entry(creator: &CreatorTier, to: Tier, kind: ChangeKind, reason: &str) -> HistoryEntry {
    HistoryEntry {
        creator_id: creator.id,
        from: creator.tier,
        to,
        kind,
        reason: reason.to_string(),
        pinned: kind == ChangeKind::Pinned,
    }
}

fn outcome(
    creator: CreatorTier,
    to: Tier,
    kind: ChangeKind,
    reason: &str,
    changed_by: &str,
    at: DateTime<Utc>,
) -> PinOutcome {
    PinOutcome {
        handle: creator.handle,
        from: creator.tier,
        to,
        pinned: kind == ChangeKind::Pinned,
        kind: kind.as_str(),
        reason: reason.to_string(),
        changed_by: changed_by.to_string(),
        at,
    }
}
