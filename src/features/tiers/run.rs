//! `tiers review` (monthly: everyone gets their earned tier, both ways) and `tiers check` (daily:
//! promotions and viral jumps only).

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

use crate::config::TierConfig;
use crate::db::programs::Program;
use crate::db::tiers::{self as tier_db, HistoryEntry, ViralAlert};
use crate::domain::Tier;
use crate::domain::tier_rules::{Decision, Run, TierWindow, decide};

/// What a review or check did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRun {
    /// `monthly_review` or `daily_check`.
    pub run: &'static str,
    pub at: DateTime<Utc>,
    pub dry_run: bool,
    pub promoted: u64,
    pub demoted: u64,
    pub unchanged: u64,
    pub pinned_skipped: u64,
    /// Viral staff alerts newly queued in the outbox.
    pub alerts_queued: u64,
    /// One entry per change, by handle.
    pub changes: Vec<TierChange>,
    #[serde(skip)]
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierChange {
    pub handle: String,
    pub from: Tier,
    pub to: Tier,
    /// `monthly_review`, `daily_check` or `viral`.
    pub kind: &'static str,
    pub reason: String,
}

/// The monthly review: every creator who is not pinned gets the tier their numbers earn.
pub async fn review(
    pool: &PgPool,
    program: &Program,
    cfg: &TierConfig,
    at: DateTime<Utc>,
    dry_run: bool,
) -> Result<TierRun> {
    run(pool, program, cfg, at, Run::MonthlyReview, dry_run).await
}

/// The daily check: promotions (and viral jumps) only; demotions wait for the monthly review.
pub async fn check(
    pool: &PgPool,
    program: &Program,
    cfg: &TierConfig,
    at: DateTime<Utc>,
) -> Result<TierRun> {
    run(pool, program, cfg, at, Run::DailyCheck, false).await
}

async fn run(
    pool: &PgPool,
    program: &Program,
    cfg: &TierConfig,
    at: DateTime<Utc>,
    kind: Run,
    dry_run: bool,
) -> Result<TierRun> {
    let mut tx = pool.begin().await?;
    tier_db::lock_program(&mut tx, program.id).await?;
    let window = TierWindow::at(at, program.timezone, cfg);
    let standings = tier_db::standings(&mut *tx, program.id, &window, None).await?;

    let mut out = TierRun {
        run: match kind {
            Run::MonthlyReview => "monthly_review",
            Run::DailyCheck => "daily_check",
        },
        at,
        dry_run,
        promoted: 0,
        demoted: 0,
        unchanged: 0,
        pinned_skipped: 0,
        alerts_queued: 0,
        changes: Vec::new(),
        currency: program.currency.clone(),
    };
    let mut moves = Vec::new();
    let mut history = Vec::new();
    let mut alerts = Vec::new();
    for s in standings {
        let decision = decide(kind, s.tier, s.pinned, &s.metrics, cfg, &program.currency);
        let viral_alert = |s: &tier_db::Standing| ViralAlert {
            creator_id: s.creator_id,
            handle: s.handle.clone(),
            gmv_7d_cents: s.metrics.gmv_7d_cents,
            vars: serde_json::json!({
                "handle": s.handle,
                "gmv": crate::domain::format_cents(s.metrics.gmv_7d_cents, &program.currency),
                "days": cfg.viral_window_days,
            }),
            dedupe_key: format!(
                "tier:viral:{}:{}",
                s.creator_id,
                window.end_day.format("%Y-%m-%d")
            ),
        };
        let (to, change_kind, reason, alert_staff) = match decision {
            Decision::PinnedSkipped { alert_staff } => {
                out.pinned_skipped += 1;
                if alert_staff {
                    alerts.push(viral_alert(&s));
                }
                continue;
            }
            Decision::Unchanged => {
                out.unchanged += 1;
                continue;
            }
            Decision::Change {
                to,
                kind,
                reason,
                alert_staff,
            } => (to, kind, reason, alert_staff),
        };
        if to.is_above(s.tier) {
            out.promoted += 1;
        } else {
            out.demoted += 1;
        }
        if alert_staff {
            alerts.push(viral_alert(&s));
        }
        moves.push((s.creator_id, to));
        history.push(HistoryEntry {
            creator_id: s.creator_id,
            from: s.tier,
            to,
            kind: change_kind,
            reason: reason.clone(),
            pinned: false,
        });
        out.changes.push(TierChange {
            handle: s.handle,
            from: s.tier,
            to,
            kind: change_kind.as_str(),
            reason,
        });
    }
    out.changes.sort_by(|a, b| a.handle.cmp(&b.handle));
    if dry_run {
        tx.rollback().await?;
        return Ok(out);
    }
    tier_db::update_tiers(&mut tx, program.id, &moves, at).await?;
    tier_db::insert_history(&mut tx, program.id, &history, at, super::SYSTEM).await?;
    out.alerts_queued = tier_db::queue_viral_alerts(&mut tx, program.id, &alerts, at).await?;
    tx.commit().await.context("saving tier changes")?;
    Ok(out)
}
