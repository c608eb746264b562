//! `/sync` (staff): the latest TikTok Shop syncs of the program — when, what each read (lines
//! inserted, updated, unchanged, rejected; sample applications changed) — and the next runs.

use anyhow::Result;

use super::{Context, Outcome, Reply, Table};
use crate::features::tiktok::status::{self, when};

/// Syncs shown.
const RUNS: i64 = 8;

pub(super) async fn run(ctx: &Context<'_>) -> Result<Reply> {
    let s = status::status(ctx.pool, ctx.config, ctx.program, RUNS, ctx.now).await?;
    let Some(shop) = &s.shop else {
        return Ok(Reply::titled("TikTok Shop sync").line(
            "No TikTok shop is connected to this program: run `creator-bot tiktok connect` on \
             the bot's machine and open the link it prints as the shop's owner.",
        ));
    };
    let p = ctx.program;
    let mut reply = Reply::titled(format!("TikTok Shop sync: {}", shop.name));
    if let Some(reason) = &shop.stopped {
        reply =
            Reply::of(Outcome::Failed, format!("TikTok Shop sync: {}", shop.name)).line(format!(
                "Stopped: {reason}. Run `creator-bot tiktok connect --program {}` and approve \
                 the app again.",
                p.slug
            ));
    }
    if s.runs.is_empty() {
        reply = reply.line("No syncs yet.");
    } else {
        let rows = s
            .runs
            .iter()
            .map(|r| {
                let orders = r.kind != "samples";
                let n = |v: i64, show: bool| if show { v.to_string() } else { "–".into() };
                vec![
                    when(r.started_at, p),
                    r.kind.clone(),
                    match r.status.as_str() {
                        "done" => "ok".to_string(),
                        other => other.to_string(),
                    },
                    n(r.inserted, orders),
                    n(r.updated, orders),
                    n(r.unchanged, orders),
                    n(r.rejected, true),
                    n(r.samples_changed, !orders),
                ]
            })
            .collect();
        reply = reply.table(Table {
            header: Some(
                [
                    "started",
                    "sync",
                    "result",
                    "inserted",
                    "updated",
                    "unchanged",
                    "rejected",
                    "samples",
                ]
                .map(String::from)
                .to_vec(),
            ),
            rows,
            right_aligned: vec![3, 4, 5, 6, 7],
        });
        for r in s.runs.iter().filter(|r| r.status == "failed").take(1) {
            reply = reply.line(format!(
                "Last failure ({}): {}",
                when(r.started_at, p),
                r.error.as_deref().unwrap_or("unknown")
            ));
        }
    }
    let next: Vec<String> = s
        .next
        .iter()
        .filter_map(|(kind, at)| Some(format!("{kind} {}", when((*at)?, p))))
        .collect();
    Ok(reply.footer(format!("Next: {}", next.join(" · "))))
}
