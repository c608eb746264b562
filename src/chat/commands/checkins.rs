//! `/checkin …`: an All-Star answers the weekly check-in.

use anyhow::{Result, bail};

use super::{Context, Reply, Role};
use crate::db::tiers as tier_db;
use crate::domain::messages::format_day;
use crate::features::cadences::checkins;

pub(super) async fn answer(ctx: &Context<'_>, text: &str) -> Result<Reply> {
    let Role::Creator { creator_id, handle } = ctx.role else {
        bail!("/checkin reached without a creator");
    };
    let tier = tier_db::creator_by_handle(ctx.pool, ctx.program.id, handle)
        .await?
        .map(|c| c.tier)
        .unwrap_or(crate::domain::Tier::NewAndPromising);
    let week = checkins::answer(ctx.pool, ctx.program, *creator_id, tier, text, ctx.now).await?;
    Ok(Reply::done(format!(
        "Thanks! Your answer to the check-in of {} is recorded; the team will get back to you.",
        format_day(week)
    )))
}
