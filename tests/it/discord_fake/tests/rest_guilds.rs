//! Guild routes through serenity's Http: roles granted with an audit-log reason, roles and
//! channels created and edited, overwrites, command registration.

use serenity::all::{
    ChannelId, ChannelType, CommandOptionType, CreateChannel, CreateCommand, CreateCommandOption,
    EditChannel, EditRole, GuildId, PermissionOverwrite, PermissionOverwriteType, RoleId, UserId,
};
use serenity::model::Permissions;

use super::harness::{CREATOR, CREATOR_ROLE, GUILD, guild, http};
use crate::discord_fake::{APPLICATION_ID, BOT_USER_ID, FakeDiscord};

#[tokio::test]
async fn granting_a_role_is_recorded_with_its_audit_log_reason() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let (guild_id, creator) = (GuildId::new(GUILD), UserId::new(CREATOR));
    let silver = guild_id
        .create_role(&http, EditRole::new().name("Silver"))
        .await
        .expect("created")
        .id;

    http.add_member_role(
        guild_id,
        creator,
        silver,
        Some("Tier: reached Silver (GMV $1,200)"),
    )
    .await
    .expect("granted");
    http.remove_member_role(
        guild_id,
        creator,
        RoleId::new(CREATOR_ROLE),
        Some("Tier change"),
    )
    .await
    .expect("removed");

    let grant = &fake.requests_to("PUT", "/guilds/{g}/members/{u}/roles/{r}")[0];
    assert_eq!(
        grant.path,
        format!("/guilds/{GUILD}/members/{CREATOR}/roles/{silver}")
    );
    assert_eq!(
        grant.audit_log_reason(),
        Some("Tier: reached Silver (GMV $1,200)")
    );
    assert_eq!(grant.status, 204);
    assert_eq!(fake.member_roles(GUILD, CREATOR), [silver.get()]);
    let member = guild_id.member(&http, creator).await.expect("a member");
    assert_eq!(member.roles, [silver]);
}

#[tokio::test]
async fn roles_are_created_above_everyone_and_move_only_below_the_bot() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let guild_id = GuildId::new(GUILD);
    let bot_role = fake.guild(GUILD).unwrap().bot_role_id();

    let gold = guild_id
        .create_role(
            &http,
            EditRole::new()
                .name("Gold")
                .permissions(Permissions::empty())
                .position(5),
        )
        .await
        .expect("created");
    let too_high = guild_id.edit_role_position(&http, gold.id, 30).await;

    let roles = guild_id.roles(&http).await.expect("roles");
    assert_eq!(roles[&gold.id].position, 5);
    assert_eq!(
        roles[&RoleId::new(bot_role)].position,
        11,
        "the new role went in at 1 and pushed the others up"
    );
    assert_eq!(
        super::rest_messages::discord_code(&too_high.unwrap_err()),
        Some(50013)
    );
    assert_eq!(
        fake.requests_to("PATCH", "/guilds/*/roles")[0]
            .json()
            .unwrap()[0]["position"],
        5
    );
}

#[tokio::test]
async fn channels_are_created_edited_and_given_overwrites() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let guild_id = GuildId::new(GUILD);
    let hidden = PermissionOverwrite {
        allow: Permissions::empty(),
        deny: Permissions::VIEW_CHANNEL,
        kind: PermissionOverwriteType::Role(RoleId::new(GUILD)),
    };

    let category = guild_id
        .create_channel(
            &http,
            CreateChannel::new("Program").kind(ChannelType::Category),
        )
        .await
        .unwrap();
    let briefs = guild_id
        .create_channel(
            &http,
            CreateChannel::new("briefs")
                .category(category.id)
                .permissions([hidden]),
        )
        .await
        .expect("created");
    let renamed = briefs
        .id
        .edit(
            &http,
            EditChannel::new().name("weekly-briefs").topic("Briefs"),
        )
        .await
        .unwrap();
    let creators_see = PermissionOverwrite {
        allow: Permissions::VIEW_CHANNEL,
        deny: Permissions::empty(),
        kind: PermissionOverwriteType::Role(RoleId::new(CREATOR_ROLE)),
    };
    briefs
        .id
        .create_permission(&http, creators_see)
        .await
        .expect("overwrite set");

    assert_eq!(
        (renamed.name.as_str(), renamed.parent_id),
        ("weekly-briefs", Some(category.id))
    );
    let channels = guild_id.channels(&http).await.unwrap();
    assert_eq!(channels[&briefs.id].permission_overwrites.len(), 2);
    let stored = fake.guild(GUILD).unwrap();
    let view = Permissions::VIEW_CHANNEL.bits();
    assert_ne!(
        stored.channel_permissions(CREATOR, briefs.id.get()) & view,
        0,
        "creators see it"
    );
    assert_eq!(
        stored.channel_permissions(42, briefs.id.get()) & view,
        0,
        "others do not"
    );
    assert_eq!(
        stored.channel_permissions(BOT_USER_ID, briefs.id.get()) & view,
        0
    );
    let sending = ChannelId::new(briefs.id.get())
        .say(&http, "hello")
        .await
        .unwrap_err();
    assert_eq!(
        super::rest_messages::discord_code(&sending),
        Some(50013),
        "the bot cannot see it either"
    );
}

#[tokio::test]
async fn guild_commands_are_overwritten_in_bulk_and_keep_their_ids() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    http.set_application_id(APPLICATION_ID.into());
    let guild_id = GuildId::new(GUILD);
    let stats = CreateCommand::new("stats")
        .description("Your numbers")
        .add_option(
            CreateCommandOption::new(CommandOptionType::String, "handle", "TikTok handle")
                .set_autocomplete(true),
        );

    let first = guild_id
        .set_commands(&http, vec![stats.clone()])
        .await
        .expect("registered");
    let second = guild_id
        .set_commands(
            &http,
            vec![stats, CreateCommand::new("help").description("Help")],
        )
        .await
        .expect("registered");

    assert_eq!(first[0].name, "stats");
    assert_eq!(second[0].id, first[0].id, "re-registering keeps the id");
    assert_eq!(second[1].application_id.get(), APPLICATION_ID);
    assert!(second[0].options[0].autocomplete);
    let listed = http.get_guild_commands(guild_id).await.expect("listed");
    assert_eq!(listed.len(), 2);
    assert_eq!(fake.commands(GUILD).len(), 2);
}
