//! Starting: the registry registered in the program's server, the fewest intents, readiness;
//! setup creating then adopting roles and channels; staff and strangers answered privately.

use chrono::Utc;
use creator_bot::chat::commands::export::discord_commands;
use creator_bot::chat::discord::setup;
use serde_json::json;
use sqlx::PgPool;

use super::{AVA, GUILD, LENA, NOW, PATIENCE, STRANGER, config, guild, start, start_with};
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
    assert_eq!(put.version, "HTTP/1.1", "HTTP/1.1 unless discord.api_http2");
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
    bot.wait_ready().await;
    bot.discord.disconnect().await;
    assert!(!bot.discord.is_ready());
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setup_creates_what_is_missing_and_staff_get_private_answers(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let bot = start(&pool, &fake, NOW.parse().unwrap()).await;
    let reply = bot.setup().await;
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
    let again = bot.setup().await;
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

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn setup_says_what_would_break_and_how_to_fix_it(pool: PgPool) {
    use crate::discord_fake::FakeRole;
    // An All-Stars role already exists, placed above the bot's role; the bot cannot manage
    // channels.
    let everything_but_channels = crate::discord_fake::default_bot_permissions() & !(1 << 4);
    let fake = FakeDiscord::start(
        guild()
            .role(FakeRole::new(7_001, "All-Stars", 20))
            .bot_permissions(everything_but_channels),
    )
    .await;
    let bot = start(&pool, &fake, NOW.parse().unwrap()).await;
    let reply = bot.setup().await;
    assert_eq!(reply.outcome, creator_bot::chat::commands::Outcome::Refused);
    let text = reply.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "Created: role Steady Earners, role Staff.");
    assert_eq!(lines[2], "Already there, now used: role All-Stars.");
    assert_eq!(lines[3], "To fix (6):");
    assert_eq!(
        lines[4],
        "• The bot is missing Manage Channels: in Server Settings → Roles, give the bot's role \
         these permissions (or invite it again with the link below)."
    );
    assert_eq!(
        lines[5],
        "• The bot's role is below the All-Stars role, so it can't grant it: in Server Settings \
         → Roles, drag the bot's role above All-Stars."
    );
    assert!(
        lines[6].starts_with("• Could not create #all-stars: HTTP 403 POST (code 50013)"),
        "{}",
        lines[6]
    );
    // The role it adopted is in the map all the same.
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role_id FROM chat_roles WHERE platform = 'discord' AND role = 'all_stars'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(role.as_deref(), Some("7001"));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn slash_setup_is_for_staff_who_may_manage_the_server(pool: PgPool) {
    use crate::discord_fake::{FakeMember, FakeRole};
    const ADMIN_ROLE: u64 = 7_100;
    const STAFF_ROLE: u64 = 7_101;
    let fake = FakeDiscord::start(
        guild()
            .role(FakeRole::new(ADMIN_ROLE, "Admins", 5).permissions(1 << 5))
            .role(FakeRole::new(STAFF_ROLE, "Staff", 4).permissions(1 << 13))
            .member(FakeMember::new(LENA, "lena").roles([ADMIN_ROLE, STAFF_ROLE]))
            .member(FakeMember::new(STRANGER, "sam").roles([STAFF_ROLE])),
    )
    .await;
    let bot = start(&pool, &fake, NOW.parse().unwrap()).await;
    let mut conn = pool.acquire().await.unwrap();
    creator_bot::db::channels::set_role(&mut conn, bot.program.id, "discord", "staff", "7101")
        .await
        .unwrap();
    drop(conn);

    // Staff without Manage Server: refused, privately, with who can do it.
    let sam = fake.member(GUILD, STRANGER).unwrap();
    let run = fake.interaction_command(GUILD, &sam, "setup", json!([]), None);
    assert_eq!(
        run.callback(PATIENCE).await.unwrap().json().unwrap()["type"],
        5
    );
    let edit = run.edit(PATIENCE).await.unwrap();
    assert_eq!(
        edit.json().unwrap()["embeds"][0]["description"],
        "/setup changes the server's channels and roles, so it needs the Manage Server \
         permission as well: ask a server admin to run it."
    );
    assert!(fake.requests_to("POST", "/guilds/*/channels").is_empty());

    // Lena may: deferred at once, then the report edited in.
    let lena = fake.member(GUILD, LENA).unwrap();
    let run = fake.interaction_command(GUILD, &lena, "setup", json!([]), None);
    let callback = run.callback(PATIENCE).await.unwrap();
    assert_eq!(callback.json().unwrap()["type"], 5);
    assert_eq!(callback.json().unwrap()["data"]["flags"], 64);
    let edit = run.edit(PATIENCE).await.unwrap();
    let embed = &edit.json().unwrap()["embeds"][0];
    assert_eq!(embed["title"], "Discord setup for Glow Creators");
    assert_eq!(
        embed["description"],
        "Created: role All-Stars, role Steady Earners, channel #all-stars, channel \
         #steady-earners, channel #competitions, channel #staff.\n\
         Already there, now used: role Staff.\n\
         Everything the bot needs is in place."
    );
    assert_eq!(fake.requests_to("POST", "/guilds/*/channels").len(), 4);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_proxy_that_speaks_http2_gets_every_request_in_http2(pool: PgPool) {
    let fake = FakeDiscord::start(guild()).await;
    let mut config = config(&fake);
    config.discord.api_http2 = true;
    config.validate().unwrap();
    let bot = start_with(&pool, &fake, Utc::now(), config).await;
    let put = fake
        .wait_for_request("PUT", "/applications/*/guilds/*/commands", PATIENCE)
        .await
        .expect("the commands were registered");
    assert_eq!(put.json().unwrap(), &discord_commands());
    // A command in a burst: every answer over HTTP/2, the same answers as in HTTP/1.1.
    let sam = fake.member(GUILD, STRANGER).unwrap();
    let runs: Vec<_> = (0..5)
        .map(|_| fake.interaction_command(GUILD, &sam, "kpi", json!([]), None))
        .collect();
    for run in &runs {
        let callback = run.callback(PATIENCE).await.expect("answered");
        assert_eq!(callback.status / 100, 2, "{:?}", callback.response);
        let answer = match callback.json().unwrap()["type"].as_u64() {
            Some(5) => run.edit(PATIENCE).await.expect("edited in"),
            _ => callback.clone(),
        };
        let body = answer.json().unwrap();
        let embed = if body["data"].is_object() {
            &body["data"]["embeds"][0]
        } else {
            &body["embeds"][0]
        };
        assert_eq!(
            embed["description"],
            "/kpi is for the program's staff only. If you are a creator in the program, link \
             your account first: /link <your TikTok handle>"
        );
    }
    // The sender too: a DM channel opened for ava.
    use creator_bot::chat::ChatPlatform;
    let dm = bot.discord.open_dm(&AVA.to_string()).await.unwrap();
    let opened = fake
        .wait_for_request("POST", "/users/@me/channels", PATIENCE)
        .await
        .expect("the DM channel was asked for");
    assert_eq!(opened.response.as_ref().unwrap()["id"], dm);
    let versions: std::collections::BTreeSet<String> =
        fake.requests().into_iter().map(|r| r.version).collect();
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        vec!["HTTP/2.0".to_string()]
    );
}

#[test]
fn http2_to_discord_itself_is_refused_as_a_setting() {
    let mut config = creator_bot::config::Config::default();
    config.discord.api_http2 = true;
    let e = config.validate().unwrap_err().to_string();
    assert!(
        e.contains("discord.api_http2: only for a proxy reached over plain HTTP"),
        "{e}"
    );
    config.discord.api_url = Some("https://proxy.example:3000".into());
    assert!(config.validate().is_err());
    config.discord.api_url = Some("http://proxy:3000".into());
    config.validate().unwrap();
}
