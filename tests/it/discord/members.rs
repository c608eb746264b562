//! Members joining and leaving the server (with `discord.welcome_new_members`): a newcomer is
//! welcomed once by DM and asked to link; a linked creator who left gets nothing until they come
//! back, and is not welcomed as a stranger when they do.

use std::time::Duration;

use serde_json::json;
use sqlx::PgPool;

use super::{AVA, GUILD, NOW, PATIENCE, config, guild, start_with};
use crate::common::lifecycle::creator_in;
use crate::discord_fake::{FakeDiscord, FakeMember};

const NIA: u64 = 3_010;

async fn welcomes(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE template = 'member_welcome'")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn left_at(pool: &PgPool, creator_id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    sqlx::query_scalar("SELECT left_at FROM chat_identities WHERE creator_id = $1")
        .bind(creator_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Polls `check` until it holds (gateway events are handled in the background).
async fn eventually<F: std::future::Future<Output = bool>>(mut check: impl FnMut() -> F) -> bool {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn newcomers_are_welcomed_once_and_linked_creators_come_back(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let mut config = config(&fake);
    config.discord.welcome_new_members = true;
    let bot = start_with(&pool, &fake, NOW.parse().unwrap(), config).await;
    // The privileged intent is asked for only now: GUILDS | GUILD_MEMBERS.
    assert_eq!(fake.identified_intents(), vec![3]);
    let ava = creator_in(&pool, &bot.program, "ava", "Ava", "2026-11-01", None).await;
    bot.link(AVA, ava).await;

    // Nia joins: one welcome DM, asking her to link.
    assert_eq!(
        fake.member_join(GUILD, FakeMember::new(NIA, "nia").nick("Nia")),
        1
    );
    assert!(eventually(|| async { welcomes(&pool).await == 1 }).await);
    bot.dispatch().await;
    let dms = fake.dms_to(NIA);
    assert_eq!(dms.len(), 1);
    assert_eq!(
        dms[0]["content"],
        "Welcome to the Glow Creators server, Nia! 👋\n\nIf you're one of our TikTok Shop \
         creators, link your account so the bot can send you your numbers, samples news and \
         perks: type /link followed by your TikTok handle (for example /link @yourhandle). Not a \
         creator yet? Just say hi in the server."
    );

    // She leaves and comes back: not welcomed twice.
    fake.push_event(
        "GUILD_MEMBER_REMOVE",
        json!({ "guild_id": GUILD.to_string(), "user": crate::discord_fake::wire::user(&crate::discord_fake::FakeUser::new(NIA, "nia")) }),
    );
    fake.member_join(GUILD, FakeMember::new(NIA, "nia"));
    // Ava (linked) leaves: marked as left; she comes back: counted again, no welcome.
    fake.push_event(
        "GUILD_MEMBER_REMOVE",
        json!({ "guild_id": GUILD.to_string(), "user": crate::discord_fake::wire::user(&crate::discord_fake::FakeUser::new(AVA, "ava")) }),
    );
    assert!(eventually(|| async { left_at(&pool, ava).await.is_some() }).await);
    fake.member_join(GUILD, FakeMember::new(AVA, "ava"));
    assert!(eventually(|| async { left_at(&pool, ava).await.is_none() }).await);
    bot.dispatch().await;
    assert_eq!(welcomes(&pool).await, 1);
    assert_eq!(fake.dms_to(NIA).len(), 1);
    assert!(fake.dms_to(AVA).is_empty());
}
