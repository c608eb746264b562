//! serenity's gateway client against the fake: connecting, intents, member joins, heartbeats,
//! resuming after a dropped connection, identifying again after an outage or invalid session.

use std::time::Duration;

use serde_json::json;
use serenity::all::{GatewayIntents, GuildId, RoleId, UserId};

use super::harness::{Bot, CREATOR, CREATOR_ROLE, GUILD, PATIENCE, Seen, guild};
use crate::discord_fake::{BOT_USER_ID, FakeDiscord, FakeMember, wire};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_connects_and_gets_ready_and_the_guild() {
    let fake = FakeDiscord::start(guild()).await;
    let intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MEMBERS;
    let mut bot = Bot::start(&fake, intents).await;

    let (ready, guild) = bot.connected().await;

    assert_eq!(ready.user.id.get(), BOT_USER_ID);
    assert_eq!(ready.guilds[0].id.get(), GUILD);
    assert_eq!(guild.name, "Glow Creators");
    assert_eq!(guild.roles.len(), 4);
    assert_eq!(
        guild.members[&UserId::new(CREATOR)].roles,
        [RoleId::new(CREATOR_ROLE)]
    );
    assert_eq!(guild.channels.len(), 1);
    assert_eq!(fake.identify_count(), 1);
    assert_eq!(fake.identified_intents(), [intents.bits()]);
    assert!(fake.is_connected());
    assert_eq!(
        fake.requests_to("GET", "/gateway").len(),
        1,
        "the client builder asks for the URL"
    );
    assert_eq!(
        fake.requests_to("GET", "/gateway/bot").len(),
        1,
        "start_autosharded asks for shards"
    );

    let joined = fake.member_join(GUILD, FakeMember::new(3_002, "lena"));
    let member = bot.next(Seen::member_add).await;
    assert_eq!(joined, 1);
    assert_eq!(
        (member.user.name.as_str(), member.guild_id),
        ("lena", GuildId::new(GUILD))
    );

    bot.http
        .add_member_role(
            GuildId::new(GUILD),
            UserId::new(3_002),
            RoleId::new(CREATOR_ROLE),
            None,
        )
        .await
        .unwrap();
    let update = bot.next(Seen::member_update).await;
    assert_eq!(update.roles, [RoleId::new(CREATOR_ROLE)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_members_intent_only_the_bot_member_comes_and_joins_are_not_sent() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;

    let (_, guild) = bot.connected().await;

    assert_eq!(
        guild.members.keys().map(|id| id.get()).collect::<Vec<_>>(),
        [BOT_USER_ID]
    );
    assert_eq!(fake.member_join(GUILD, FakeMember::new(3_002, "lena")), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_are_acknowledged() {
    let fake = FakeDiscord::builder()
        .guild(guild())
        .heartbeat_interval(Duration::from_millis(200))
        .start()
        .await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    assert!(
        fake.wait_gateway(|s| s.heartbeats >= 3, PATIENCE).await,
        "serenity keeps heartbeating"
    );
    assert!(
        fake.is_connected(),
        "acknowledged heartbeats keep the session"
    );
    assert_eq!(fake.identify_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_resumed_and_missed_events_are_replayed() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    // Held, serenity cannot reconnect before the interaction is sent: it must be replayed.
    fake.hold_connections();
    fake.drop_connections();
    let maya = FakeMember::new(CREATOR, "maya");
    let missed = fake.interaction_command(GUILD, &maya, "stats", json!([]), None);
    fake.release_connections();

    assert_eq!(missed.delivered, 0, "nobody was connected");
    // serenity runs each handler call in its own task, so the two may come in either order.
    let (mut resumed, mut command) = (false, None);
    while !resumed || command.is_none() {
        match bot.next(Some).await {
            Seen::Resumed => resumed = true,
            Seen::Interaction(interaction) => command = interaction.command(),
            _ => {}
        }
    }
    assert_eq!(command.unwrap().id.get(), missed.id);
    assert_eq!((fake.resume_count(), fake.identify_count()), (1, 1));
    let resume = fake
        .gateway_frames()
        .into_iter()
        .find(|f| f["op"] == 6)
        .expect("a Resume frame");
    assert_eq!(
        resume["d"]["seq"], 2,
        "READY and one GUILD_CREATE were seen before the drop"
    );

    let lena = FakeMember::new(3_002, "lena");
    let after = fake.push_event("GUILD_MEMBER_ADD", wire::member_in_guild(&lena, GUILD));
    assert_eq!(after, 1, "the resumed session is live");
    let member = bot.next(Seen::member_add).await;
    assert_eq!(member.user.name, "lena");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_gateway_was_down_serenity_identifies_again() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    fake.refuse_connections(Duration::from_secs(3600));
    fake.drop_connections();

    assert!(
        fake.wait_gateway(|s| s.refused >= 2, PATIENCE).await,
        "serenity tried to resume, then to start again, while the gateway was down"
    );
    assert!(!fake.is_connected());
    assert_eq!(fake.resume_count(), 0);
    fake.accept_connections();
    assert!(
        fake.wait_gateway(|s| s.identifies == 2 && s.live_sessions == 1, PATIENCE)
            .await
    );
    bot.next(Seen::ready).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalidated_session_makes_serenity_identify_again() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    fake.invalidate_sessions();

    assert!(
        fake.wait_gateway(|s| s.identifies == 2 && s.live_sessions == 1, PATIENCE)
            .await
    );
    assert_eq!(fake.resume_count(), 0);
    bot.next(Seen::ready).await;
}
