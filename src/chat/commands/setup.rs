//! `/setup`: the program's channels and roles created or adopted on the caller's own platform,
//! by staff who may also manage the workspace itself.

use anyhow::Result;

use super::{Context, Reply};
use crate::chat::Platform;

pub async fn run(ctx: &Context<'_>) -> Result<Reply> {
    if !ctx.caller.workspace_admin {
        return Ok(Reply::refused(match ctx.caller.platform {
            Platform::Slack => {
                "/setup changes the workspace's channels, so it is for Workspace Admins and \
                 Owners (or the user ids in slack.staff_user_ids): ask one of them to run it."
            }
            _ => {
                "/setup changes the server's channels and roles, so it needs the Manage Server \
                 permission as well: ask a server admin to run it."
            }
        }));
    }
    let Some(platform) = ctx.platforms.get(ctx.caller.platform) else {
        return Ok(Reply::refused(format!(
            "This bot process is not connected to {}; run `creator-bot {} setup` on the server.",
            ctx.caller.platform.as_str(),
            ctx.caller.platform.as_str()
        )));
    };
    platform
        .setup(ctx.pool, ctx.config, ctx.program, &ctx.caller.workspace_id)
        .await
}
