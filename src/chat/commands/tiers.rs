//! `/tier list|set|why`: the tier features, worded for chat. A pin made here is recorded under
//! the staff member's name.

use anyhow::{Result, bail};

use super::parse::TierAction;
use super::{Context, Reply, Role, Table};
use crate::domain::{Handle, Tier, format_cents};
use crate::features::tiers::{self, TierList};

/// Creators shown by `/tier list <tier>`; the rest are counted.
const LIST_SIZE: u32 = 50;

pub async fn run(ctx: &Context<'_>, action: TierAction) -> Result<Reply> {
    match action {
        TierAction::List(tier) => list(ctx, tier).await,
        TierAction::Set {
            handle,
            tier,
            reason,
        } => set(ctx, &handle, tier, &reason).await,
        TierAction::Why(handle) => why(ctx, &handle).await,
    }
}

async fn list(ctx: &Context<'_>, tier: Option<Tier>) -> Result<Reply> {
    match tiers::list(ctx.pool, ctx.program, tier, LIST_SIZE).await? {
        TierList::Mix(mix) => {
            let total: i64 = mix.iter().map(|(_, n)| n).sum();
            let rows = mix
                .iter()
                .map(|(t, n)| (t.to_string(), n.to_string()))
                .chain([("Total".to_string(), total.to_string())]);
            Ok(Reply::done("Creators per tier").table(Table::pairs(rows)))
        }
        TierList::Members {
            tier,
            members,
            total,
        } => {
            let who = if total == 1 { "creator" } else { "creators" };
            let heading = format!("{tier}: {total} {who}");
            if members.is_empty() {
                return Ok(Reply::done(heading));
            }
            let tz = ctx.program.timezone;
            let table = Table {
                header: Some(vec!["Creator".into(), "Since".into(), "Pinned".into()]),
                rows: members
                    .iter()
                    .map(|m| {
                        vec![
                            format!("@{}", m.handle),
                            m.tier_since
                                .with_timezone(&tz)
                                .format("%Y-%m-%d")
                                .to_string(),
                            if m.pinned { "yes" } else { "" }.to_string(),
                        ]
                    })
                    .collect(),
                right_aligned: vec![],
            };
            let mut reply = Reply::done(heading).table(table);
            let hidden = total - members.len() as i64;
            if hidden > 0 {
                reply = reply.line(format!("… and {hidden} more"));
            }
            Ok(reply)
        }
    }
}

async fn set(ctx: &Context<'_>, handle: &Handle, tier: Tier, reason: &str) -> Result<Reply> {
    let Role::Staff { name, .. } = ctx.role else {
        bail!("/tier set reached without a staff member");
    };
    let p = tiers::set(ctx.pool, ctx.program, handle, tier, reason, name, ctx.now).await?;
    Ok(Reply::done(if p.from == p.to {
        format!(
            "@{}: pinned in {} by {} ({})",
            p.handle, p.to, p.changed_by, p.reason
        )
    } else {
        format!(
            "@{}: {} → {}, pinned by {} ({})",
            p.handle, p.from, p.to, p.changed_by, p.reason
        )
    }))
}

async fn why(ctx: &Context<'_>, handle: &Handle) -> Result<Reply> {
    let w = tiers::why(ctx.pool, ctx.program, &ctx.config.tiers, handle, ctx.now).await?;
    let tz = ctx.program.timezone;
    let money = |c: i64| format_cents(c, &w.currency);
    let mut head = format!(
        "@{}: {} since {}",
        w.handle,
        w.tier,
        w.tier_since.with_timezone(&tz).format("%Y-%m-%d")
    );
    match (&w.pinned_by, w.pinned) {
        (Some(by), _) => head.push_str(&format!(" (pinned by {by})")),
        (None, true) => head.push_str(" (pinned)"),
        _ => {}
    }
    head.push_str(&format!("\nWhy: {}", w.reason));
    head.push_str(&format!(
        "\nNumbers over the {} complete days before {}:",
        w.window_days,
        ctx.today()
    ));
    let rank = match w.rank {
        Some(r) => format!("#{r} of {} selling creators", w.selling_creators),
        None => format!("not selling ({} selling creators)", w.selling_creators),
    };
    let table = Table {
        header: None,
        rows: vec![
            vec!["GMV".into(), money(w.gmv_cents)],
            vec!["Videos".into(), w.videos.to_string()],
            vec!["Sale".into(), if w.has_sale { "yes" } else { "no" }.into()],
            vec!["Rank".into(), rank],
            vec![
                format!("{}-day GMV", w.viral_window_days),
                money(w.gmv_7d_cents),
            ],
        ],
        right_aligned: vec![],
    };
    let mut reply = Reply::done(head).table(table);
    if w.earned_tier != w.tier {
        let when = if w.pinned {
            "the pin keeps the current tier"
        } else if w.earned_tier.is_above(w.tier) {
            "the next daily check moves them up"
        } else {
            "the next monthly review moves them down"
        };
        reply = reply.line(format!(
            "Earned now: {} ({}); {when}",
            w.earned_tier, w.earned_reason
        ));
    }
    Ok(match w.next_tier_hints.split_first() {
        None => reply.line("To move up: already in the top tier"),
        Some((first, rest)) => {
            let mut text = format!("To move up: {first}");
            for hint in rest {
                text.push_str(&format!("\n        or: {hint}"));
            }
            reply.line(text)
        }
    })
}
