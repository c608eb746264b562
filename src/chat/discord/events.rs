//! Gateway events the bot acts on: each shard's connection state (for `/readyz`), and members
//! leaving (a creator who left gets nothing more until they return) or joining (welcomed once
//! and asked to link, or counted again if they were linked).

use poise::serenity_prelude as serenity;
use serenity::{ConnectionStage, FullEvent};

use super::client::{Bot, Error};

pub async fn handle(
    fw: poise::FrameworkContext<'_, Bot, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let bot = fw.user_data;
    let shard = fw.serenity_context.shard_id.0;
    match event {
        FullEvent::Ready { data_about_bot } => {
            bot.state.shard_connected(shard, true);
            tracing::info!(
                shard,
                user = %data_about_bot.user.name,
                guilds = data_about_bot.guilds.len(),
                "connected to Discord"
            );
        }
        FullEvent::Resume { .. } => bot.state.shard_connected(shard, true),
        FullEvent::ShardStageUpdate { event } => {
            let connected = event.new == ConnectionStage::Connected;
            bot.state.shard_connected(event.shard_id.0, connected);
            if !connected {
                tracing::warn!(shard = event.shard_id.0, stage = %event.new, "Discord gateway not connected");
            }
        }
        FullEvent::GuildMemberRemoval { guild_id, user, .. } => {
            member_left(&bot.app, &guild_id.to_string(), &user.id.to_string()).await;
        }
        FullEvent::GuildMemberAddition { new_member } if !new_member.user.bot => {
            let guild = new_member.guild_id.to_string();
            let user = new_member.user.id.to_string();
            let name = new_member.display_name().to_string();
            let joined = crate::features::members::joined(
                &bot.app,
                crate::chat::Platform::Discord,
                &guild,
                &user,
                &name,
            )
            .await;
            match joined {
                Ok(joined) => {
                    tracing::info!(guild, user, ?joined, "a member joined the Discord server")
                }
                Err(e) => tracing::warn!(guild, user, "welcoming a member: {e:#}"),
            }
        }
        _ => {}
    }
    Ok(())
}

async fn member_left(app: &crate::app::App, guild: &str, user: &str) {
    let done = async {
        let Some(program) = crate::db::chat::workspace_program(&app.pool, "discord", guild).await?
        else {
            return Ok(false);
        };
        crate::db::chat::mark_left(&app.pool, program, "discord", guild, user, app.now()).await
    };
    match done.await {
        Ok(true) => tracing::info!(guild, user, "a linked member left the Discord server"),
        Ok(false) => {}
        Err(e) => tracing::warn!(guild, user, "recording a member who left: {e:#}"),
    }
}
