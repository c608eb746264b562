//! `/tier list|set|why`: the tier features, worded for people. A pin made here is recorded under
//! the staff member's name. Why a creator is in their tier is built here once, for the chat and
//! the command line alike.

use anyhow::{Result, bail};

use super::parse::TierAction;
use chrono_tz::Tz;

use super::{Context, Reply, Rich, Role, Table};
use crate::domain::timefmt::local_day;
use crate::domain::{Handle, Tier, format_cents};
use crate::features::tiers::{self, TierList, TierWhy};

/// Creators shown by `/tier list <tier>`; the rest are counted.
const LIST_SIZE: u32 = 50;

pub(super) async fn run(ctx: &Context<'_>, action: TierAction) -> Result<Reply> {
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
    let to = p.to.to_string();
    Ok(Reply::done(if p.from == p.to {
        Rich::fill(
            "@{}: pinned in {} by {} ({})",
            &[&p.handle, &to, &p.changed_by, &p.reason],
        )
    } else {
        Rich::fill(
            "@{}: {} → {}, pinned by {} ({})",
            &[
                &p.handle,
                &p.from.to_string(),
                &to,
                &p.changed_by,
                &p.reason,
            ],
        )
    }))
}

async fn why(ctx: &Context<'_>, handle: &Handle) -> Result<Reply> {
    let w = tiers::why(ctx.pool, ctx.program, &ctx.config.tiers, handle, ctx.now).await?;
    Ok(why_reply(&w, ctx.program.timezone))
}

/// The tier, the reason, the numbers and the way up. Days are shown in `tz`.
pub fn why_reply(w: &TierWhy, tz: Tz) -> Reply {
    let money = |c: i64| format_cents(c, &w.currency);
    let mut head = Rich::fill("@{}: ", &[&w.handle]).plain(format!(
        "{} since {}",
        w.tier,
        w.tier_since.with_timezone(&tz).format("%Y-%m-%d")
    ));
    match (&w.pinned_by, w.pinned) {
        (Some(by), _) => head = head.plain(" (pinned by ").and_user(by).plain(")"),
        (None, true) => head = head.plain(" (pinned)"),
        _ => {}
    }
    let mut reply = Reply::titled(head)
        .line(Rich::from("Why: ").and_user(&w.reason))
        .line(format!(
            "Numbers over the {} complete days before {}:",
            w.window_days,
            local_day(w.at, tz)
        ));
    let rank = match w.rank {
        Some(r) => format!("#{r} of {} selling creators", w.selling_creators),
        None => format!("not selling ({} selling creators)", w.selling_creators),
    };
    reply = reply.table(Table {
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
    });
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
    match w.next_tier_hints.split_first() {
        None => reply.line("To move up: already in the top tier"),
        Some((first, rest)) => {
            let mut text = format!("To move up: {first}");
            for hint in rest {
                text.push_str(&format!("\n        or: {hint}"));
            }
            reply.line(text)
        }
    }
}
