//! `/optout` and `/optin`: a creator stops (or resumes) every DM from the bot. Opting out cancels
//! the DMs already queued in the same transaction, so nothing slips through; opting back in
//! does not bring the cancelled ones back.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::chat::MessageKind;
use crate::db::creators as creator_db;
use crate::db::outbox;

/// Why queued DMs of an opted-out creator were cancelled (kept on the outbox row).
pub const OPT_OUT_REASON: &str = "creator opted out";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptOut {
    /// `false` when the creator had opted out already.
    pub changed: bool,
    /// Queued DMs cancelled.
    pub cancelled: u64,
}

pub async fn opt_out(
    pool: &PgPool,
    program_id: i64,
    creator_id: i64,
    at: DateTime<Utc>,
) -> Result<OptOut> {
    let mut tx = pool.begin().await?;
    let changed = creator_db::set_opted_out(&mut tx, program_id, creator_id, true, at).await?;
    // Cancelled even when the flag was set already: a DM queued meanwhile must not go out.
    let cancelled = outbox::cancel_pending_for_creator(
        &mut tx,
        program_id,
        creator_id,
        &[MessageKind::Dm],
        OPT_OUT_REASON,
    )
    .await?;
    tx.commit().await.context("saving the opt-out")?;
    Ok(OptOut { changed, cancelled })
}

/// Opts the creator back in; `false` when they were not opted out.
pub async fn opt_in(
    pool: &PgPool,
    program_id: i64,
    creator_id: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let changed = creator_db::set_opted_out(&mut tx, program_id, creator_id, false, at).await?;
    tx.commit().await.context("saving the opt-in")?;
    Ok(changed)
}
