//! What the TikTok Shop sync of a program looks like: the shop, its tokens' expiry, whether the
//! sync is stopped, the latest runs with what each did, and when each sync runs next.

use anyhow::Result;
use chrono::{DateTime, Utc};

use sqlx::PgPool;

use crate::config::Config;
use crate::db::programs::Program;
use crate::db::tiktok::{self as db, SyncRun};
use crate::domain::timefmt;

/// The shop as staff may see it (no token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopView {
    pub name: String,
    pub id: String,
    pub region: Option<String>,
    pub connected_at: DateTime<Utc>,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    pub stopped: Option<String>,
    pub orders_read_until: Option<DateTime<Utc>>,
    pub failures_in_a_row: i32,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub program: Program,
    pub shop: Option<ShopView>,
    /// Newest first.
    pub runs: Vec<SyncRun>,
    /// Each scheduled sync and its next run.
    pub next: Vec<(&'static str, Option<DateTime<Utc>>)>,
}

pub async fn status(
    pool: &PgPool,
    config: &Config,
    program: &Program,
    runs: i64,
    now: DateTime<Utc>,
) -> Result<Status> {
    let mut conn = pool.acquire().await?;
    let shop = db::shop(&mut conn, program.id, false)
        .await?
        .map(|s| ShopView {
            name: s.shop_name,
            id: s.shop_id,
            region: s.region,
            connected_at: s.connected_at,
            access_expires_at: s.access_expires_at,
            refresh_expires_at: s.refresh_expires_at,
            stopped: s.stopped_reason,
            orders_read_until: s.orders_watermark,
            failures_in_a_row: s.failures_in_a_row,
        });
    let runs = db::recent_runs(&mut *conn, program.id, runs).await?;
    let c = &config.cadences;
    let next = vec![
        ("orders", c.tiktok_orders.next(now, program.timezone)),
        (
            "settlements",
            c.tiktok_settlements.next(now, program.timezone),
        ),
        ("samples", c.tiktok_samples.next(now, program.timezone)),
    ];
    Ok(Status {
        program: program.clone(),
        shop,
        runs,
        next,
    })
}

/// `120 inserted, 4 updated, 10 unchanged, 1 rejected (3 pages); 2 new creators`, or the error.
pub fn run_summary(run: &SyncRun) -> String {
    let mut s = if run.kind == "samples" {
        format!(
            "{} sample applications changed ({} pages)",
            run.samples_changed, run.pages
        )
    } else {
        format!(
            "{} inserted, {} updated, {} unchanged, {} rejected ({} pages)",
            run.inserted, run.updated, run.unchanged, run.rejected, run.pages
        )
    };
    if run.new_creators > 0 {
        s.push_str(&format!("; {} new creators", run.new_creators));
    }
    match (run.status.as_str(), &run.error) {
        ("failed", Some(e)) => format!("failed after {s}: {e}"),
        ("running", _) => format!("running: {s} so far"),
        _ => s,
    }
}

/// `7 Dec 2026 14:05` in the program's time zone.
pub fn when(at: DateTime<Utc>, program: &Program) -> String {
    timefmt::local_minute(at, program.timezone)
}
