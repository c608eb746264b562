//! Every object the fake sends parses with serenity 0.12.5's models (serenity drops a gateway
//! event it cannot parse with only a DEBUG log, so an incomplete payload would fail silently).

use serde_json::{Value, json};
use serenity::all::{
    Command, CurrentApplicationInfo, CurrentUser, Event, GatewayEvent, GuildChannel, Interaction,
    Member, Message, PartialGuild, PrivateChannel, Role,
};
use serenity::model::Permissions;

use super::harness::{CREATOR, CREATOR_ROLE, GUILD, guild};
use crate::discord_fake::model::FakeOverwrite;
use crate::discord_fake::state::World;
use crate::discord_fake::{FakeChannel, FakeDiscord, FakeMember, wire};

fn parse<T: serde::de::DeserializeOwned>(what: &str, value: Value) -> T {
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("{what} does not parse: {e}\n{value:#}"))
}

/// A gateway dispatch as serenity's shard reads it.
fn dispatch(name: &str, data: Value) -> Event {
    let frame = json!({ "op": 0, "s": 1, "t": name, "d": data });
    match parse::<GatewayEvent>(name, frame) {
        GatewayEvent::Dispatch(_, event) => event,
        other => panic!("{name}: not a dispatch: {other:?}"),
    }
}

#[test]
fn rest_objects_parse_as_serenity_models() {
    let fake_guild = guild().channel(FakeChannel::text(4_001, "briefs").overwrite(
        FakeOverwrite::role(GUILD, 0, Permissions::VIEW_CHANNEL.bits()),
    ));
    let role: Role = parse(
        "role",
        wire::role(fake_guild.find_role(fake_guild.bot_role_id()).unwrap()),
    );
    assert_eq!(
        role.tags.bot_id.map(|id| id.get()),
        Some(crate::discord_fake::BOT_USER_ID)
    );
    let member: Member = parse(
        "member",
        wire::member(fake_guild.find_member(CREATOR).unwrap()),
    );
    assert_eq!(
        member.roles.iter().map(|r| r.get()).collect::<Vec<_>>(),
        [CREATOR_ROLE]
    );
    let channel: GuildChannel = parse(
        "channel",
        wire::channel(fake_guild.find_channel(4_001).unwrap(), GUILD),
    );
    assert_eq!(channel.permission_overwrites.len(), 1);
    let partial: PartialGuild = parse("guild", wire::guild(&fake_guild));
    assert_eq!(partial.roles.len(), 4);
    let dm: PrivateChannel = parse(
        "dm channel",
        wire::dm_channel(9, &fake_guild.find_member(CREATOR).unwrap().user),
    );
    assert_eq!(dm.recipient.name, "maya");
    let me: CurrentUser = parse("current user", wire::current_user());
    assert!(me.bot);
    let application: CurrentApplicationInfo = parse("application", wire::application());
    assert_eq!(
        application.owner.map(|o| o.id.get()),
        Some(crate::discord_fake::OWNER_USER_ID)
    );
    let sent = json!({ "name": "stats", "description": "Your numbers", "options": [] });
    let command: Command = parse("command", wire::command(&sent, 77, GUILD, 5));
    assert_eq!((command.id.get(), command.name.as_str()), (77, "stats"));
}

#[test]
fn messages_parse_as_serenity_messages() {
    let mut world = World::new(
        "http://127.0.0.1:1".into(),
        vec![guild()],
        std::time::Duration::from_secs(3),
    );
    let sent = json!({
        "content": "hello",
        "nonce": "n1",
        "embeds": [{ "title": "Stats", "fields": [{ "name": "GMV", "value": "$1", "inline": true }] }],
    });
    let message: Message = parse("message", world.build_message(5, &sent, &[]));
    assert_eq!(
        (message.content.as_str(), message.embeds[0].title.as_deref()),
        ("hello", Some("Stats"))
    );
}

#[tokio::test]
async fn gateway_dispatches_parse_as_serenity_events() {
    let fake = FakeDiscord::start(guild()).await;
    let fake_guild = fake.guild(GUILD).unwrap();
    assert!(matches!(
        dispatch("GUILD_CREATE", wire::guild_create(&fake_guild, true)),
        Event::GuildCreate(_)
    ));
    let member = FakeMember::new(CREATOR, "maya").roles([CREATOR_ROLE]);
    let add = dispatch("GUILD_MEMBER_ADD", wire::member_in_guild(&member, GUILD));
    assert!(matches!(add, Event::GuildMemberAdd(_)));
    let update = dispatch("GUILD_MEMBER_UPDATE", wire::member_in_guild(&member, GUILD));
    assert!(matches!(update, Event::GuildMemberUpdate(_)));

    let options = json!([{ "name": "handle", "type": 3, "value": "@maya" }]);
    let run = fake.interaction_command(GUILD, &member, "stats", options, None);
    let Event::InteractionCreate(event) = dispatch("INTERACTION_CREATE", run.payload.clone())
    else {
        panic!("not an interaction")
    };
    let Interaction::Command(command) = event.interaction else {
        panic!("not a command")
    };
    assert_eq!(command.member.map(|m| m.roles.len()), Some(1));

    let typing = json!([{ "name": "handle", "type": 3, "value": "ma", "focused": true }]);
    let complete = fake.interaction_autocomplete(GUILD, &member, "stats", typing);
    let Event::InteractionCreate(event) = dispatch("INTERACTION_CREATE", complete.payload.clone())
    else {
        panic!("not an interaction")
    };
    assert!(matches!(event.interaction, Interaction::Autocomplete(_)));

    let in_dm = fake.interaction(crate::discord_fake::InteractionSpec::dm(
        &member.user,
        "stats",
    ));
    let Event::InteractionCreate(event) = dispatch("INTERACTION_CREATE", in_dm.payload.clone())
    else {
        panic!("not an interaction")
    };
    let Interaction::Command(command) = event.interaction else {
        panic!("not a command")
    };
    assert_eq!((command.guild_id, command.user.id.get()), (None, CREATOR));
}
