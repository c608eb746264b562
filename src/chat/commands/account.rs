//! `/link`, `/optout` and `/optin`: a creator's own account and message preference.

use anyhow::{Result, bail};

use super::{Context, Reply, Rich, Role};
use crate::domain::Handle;
use crate::features::{linking, opt_out};

pub async fn link(ctx: &Context<'_>, handle: &Handle) -> Result<Reply> {
    linking::link(
        ctx.pool,
        ctx.program,
        ctx.caller.chat_user(),
        handle,
        ctx.now,
        ctx.config.sequences.catch_up_days,
    )
    .await?;
    Ok(Reply::done(
        Rich::fill("Linked: your account is now {}", &[&handle.to_string()]).plain(format!(
            " in {}. Try /mystats to see your numbers.",
            ctx.program.name
        )),
    ))
}

fn creator_id(ctx: &Context<'_>) -> Result<i64> {
    match ctx.role {
        Role::Creator { creator_id, .. } => Ok(*creator_id),
        _ => bail!("a creator command reached without a creator"),
    }
}

pub async fn opt_out(ctx: &Context<'_>) -> Result<Reply> {
    let done = opt_out::opt_out(ctx.pool, ctx.program.id, creator_id(ctx)?, ctx.now).await?;
    Ok(Reply::done(if done.changed {
        "You're opted out: the bot won't send you direct messages any more. \
         Use /optin whenever you want them back."
    } else {
        "You were opted out already: the bot sends you no direct messages. \
         Use /optin to get them again."
    }))
}

pub async fn opt_in(ctx: &Context<'_>) -> Result<Reply> {
    let changed = opt_out::opt_in(ctx.pool, ctx.program.id, creator_id(ctx)?, ctx.now).await?;
    Ok(Reply::done(if changed {
        "Welcome back: the bot will send you direct messages again. Use /optout to stop them."
    } else {
        "You're already getting direct messages from the bot. Use /optout to stop them."
    }))
}
