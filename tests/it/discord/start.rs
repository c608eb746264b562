//! Starting: the registry registered in the program's server, the fewest intents, readiness;
//! setup creating then adopting roles and channels; staff and strangers answered privately.

use chrono::Utc;
use creator_bot::chat::commands::export::discord_commands;
use creator_bot::chat::discord::{Discord, setup};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;

use super::{GUILD, LENA, NOW, PATIENCE, STRANGER, guild, start};
use crate::discord_fake::{APPLICATION_ID, FakeDiscord};

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn at_start_the_registry_is_registered_in_the_programs_server(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, Utc::now()).await;
    let put = fake
        .wait_for_request("PUT", "/applications/*/guilds/*/commands", PATIENCE)
        .await
        .expect("the commands were registered");
    assert_eq!(
        put.path,
        format!("/applications/{APPLICATION_ID}/guilds/{GUILD}/commands")
    );
    // Exactly the registry's export: names, options, choices, limits, staff permissions.
    assert_eq!(put.json().unwrap(), &discord_commands());
    let names: Vec<String> = fake
        .commands(GUILD)
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        creator_bot::chat::commands::registry()
            .iter()
            .map(|c| c.name.to_string())
            .collect::<Vec<_>>()
    );
    let kpi = fake
        .commands(GUILD)
        .into_iter()
        .find(|c| c["name"] == "kpi")
        .unwrap();
    assert_eq!(kpi["default_member_permissions"], "8192");
    // The fewest intents: guilds only (members are welcomed only when configured).
    assert_eq!(fake.identified_intents(), vec![1]);
    use creator_bot::chat::ChatPlatform;
    // Ready once the shard's READY went through the framework's setup.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !bot.discord.is_ready() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(bot.discord.is_ready());
    bot.discord.disconnect().await;
    assert!(!bot.discord.is_ready());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setup_creates_what_is_missing_and_staff_get_private_answers(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, NOW.parse().unwrap()).await;
    let http = Discord::http(&bot.app.config, "fake-bot-token").unwrap();
    let reply = setup::setup(
        &http,
        &pool,
        &bot.program,
        poise::serenity_prelude::GuildId::new(GUILD),
        APPLICATION_ID,
    )
    .await
    .unwrap();
    assert_eq!(
        reply.text(),
        format!(
            "Discord setup for Glow Creators\n\
             Created: role All-Stars, role Steady Earners, role Staff, channel #all-stars, \
             channel #steady-earners, channel #competitions, channel #staff.\n\
             Everything the bot needs is in place.\n\
             Invite link with exactly the permissions the bot needs: {}",
            setup::invite_url(APPLICATION_ID)
        )
    );
    let g = fake.guild(GUILD).unwrap();
    let staff_role = g.roles.iter().find(|r| r.name == "Staff").unwrap().id;
    let all_stars_role = g.roles.iter().find(|r| r.name == "All-Stars").unwrap().id;
    let all_stars = g.channels.iter().find(|c| c.name == "all-stars").unwrap();
    // #all-stars: hidden from @everyone, open to its role and staff.
    let seen_by: Vec<(u64, u64, u64)> = all_stars
        .permission_overwrites
        .iter()
        .map(|o| (o.id, o.allow, o.deny))
        .collect();
    assert!(seen_by.contains(&(GUILD, 0, 1 << 10)), "{seen_by:?}");
    assert!(seen_by.contains(&(all_stars_role, (1 << 10) | (1 << 11), 0)));
    assert!(seen_by.contains(&(staff_role, (1 << 10) | (1 << 11), 0)));

    // Run again: everything is adopted, nothing created.
    let again = setup::setup(
        &http,
        &pool,
        &bot.program,
        poise::serenity_prelude::GuildId::new(GUILD),
        APPLICATION_ID,
    )
    .await
    .unwrap();
    assert!(
        again
            .text()
            .contains("Created: nothing (everything was there already)."),
        "{}",
        again.text()
    );
    assert_eq!(fake.requests_to("POST", "/guilds/*/roles").len(), 3);
    assert_eq!(fake.requests_to("POST", "/guilds/*/channels").len(), 4);

    // Lena holds the staff role: her /kpi is answered privately, as an embed.
    fake.update_guild(GUILD, |g| {
        if let Some(m) = g.members.iter_mut().find(|m| m.user.id == LENA) {
            m.roles.push(staff_role);
        }
    });
    let lena = fake.member(GUILD, LENA).unwrap();
    let run = fake.interaction_command(
        GUILD,
        &lena,
        "kpi",
        json!([{ "name": "period", "type": 3, "value": "30d" }]),
        None,
    );
    let callback = run.callback(PATIENCE).await.expect("answered");
    let body = callback.json().unwrap();
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64, "ephemeral");
    let title = body["data"]["embeds"][0]["title"].as_str().unwrap();
    assert_eq!(title, "KPIs for Glow Creators, 2026-11-02 to 2026-12-01");
    assert_eq!(body["data"]["embeds"][0]["fields"][0]["name"], "GMV (net)");
    assert_eq!(body["data"]["embeds"][0]["color"], 0x009E73);

    // Sam holds no role and linked nothing: refused with how to link, privately.
    let sam = fake.member(GUILD, STRANGER).unwrap();
    let run = fake.interaction_command(GUILD, &sam, "kpi", json!([]), None);
    let body = run
        .callback(PATIENCE)
        .await
        .unwrap()
        .json()
        .unwrap()
        .clone();
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(
        body["data"]["embeds"][0]["description"],
        "/kpi is for the program's staff only. If you are a creator in the program, link your \
         account first: /link <your TikTok handle>"
    );
    assert_eq!(body["data"]["embeds"][0]["color"], 0xE69F00);
}
