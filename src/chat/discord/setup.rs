//! `creator-bot discord setup`: creates, or adopts by name, the program's roles (All-Stars,
//! Steady Earners, Staff) and channels (#all-stars and #steady-earners seen only by their role,
//! staff and the bot; #competitions; #staff seen only by staff and the bot), stores their ids in
//! the channel and role map, and checks what would break later — a permission the bot lacks, the
//! bot's role below a tier role it must grant, a tier channel everyone can see — saying how to fix
//! each. Running it again changes nothing that is already right.

use anyhow::{Context as _, Result};
use poise::serenity_prelude as serenity;
use serenity::{
    ChannelType, CreateChannel, EditRole, GuildChannel, GuildId, Http, PermissionOverwrite,
    PermissionOverwriteType, Permissions, Role, RoleId, UserId,
};
use sqlx::PgPool;

use super::errors::describe;
use crate::chat::commands::{Reply, Rich};
use crate::chat::platforms::SetupFound;
use crate::db::channels;
use crate::db::programs::Program;
use crate::domain::Tier;
use crate::domain::channels::ProgramChannel;

/// What the bot needs in the server, and no more: see and post in its channels (with files for
/// charts and links for embeds), create its channels, and grant the tier roles.
pub const BOT_PERMISSIONS: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::EMBED_LINKS)
    .union(Permissions::ATTACH_FILES)
    .union(Permissions::MANAGE_CHANNELS)
    .union(Permissions::MANAGE_ROLES);

/// The staff role's permission: the one staff commands ask for by default, so Discord shows them
/// to staff and hides them from everyone else.
pub const STAFF_PERMISSIONS: Permissions =
    Permissions::from_bits_truncate(crate::chat::commands::export::DISCORD_STAFF_PERMISSION);

/// The staff role's name.
pub const STAFF_ROLE: &str = "Staff";

/// The link that adds the bot to a server with exactly [`BOT_PERMISSIONS`] and the slash
/// commands scope.
pub fn invite_url(application_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope=bot%20applications.commands&permissions={}",
        BOT_PERMISSIONS.bits()
    )
}

/// The roles setup looks after: (role key in the map, name in the server).
fn roles() -> [(&'static str, String); 3] {
    [
        (Tier::AllStars.as_str(), Tier::AllStars.to_string()),
        (
            Tier::SteadyEarners.as_str(),
            Tier::SteadyEarners.to_string(),
        ),
        ("staff", STAFF_ROLE.to_string()),
    ]
}

/// Sets the program's server up and says what it did and what is left to fix.
pub async fn setup(
    http: &Http,
    pool: &PgPool,
    program: &Program,
    guild: GuildId,
    application_id: u64,
) -> Result<Reply> {
    let mut found = SetupFound::default();
    let bot = http
        .get_current_user()
        .await
        .map_err(|e| anyhow::anyhow!("reading the bot's own account: {}", describe(&e)))?;
    let member = http.get_member(guild, bot.id).await.map_err(|e| {
        anyhow::anyhow!(
            "the bot is not in server {guild} ({}): invite it first with {}",
            describe(&e),
            invite_url(application_id)
        )
    })?;
    let mut server_roles = http
        .get_guild_roles(guild)
        .await
        .map_err(|e| anyhow::anyhow!("reading the server's roles: {}", describe(&e)))?;

    let granted = permissions_of(guild, &member.roles, &server_roles);
    let missing = BOT_PERMISSIONS - granted;
    if !granted.administrator() && !missing.is_empty() {
        found.problems.push(format!(
            "The bot is missing {}: in Server Settings → Roles, give the bot's role these \
             permissions (or invite it again with the link below).",
            missing.get_permission_names().join(", ")
        ));
    }

    // Roles first: the channels' permissions name them.
    let mut role_ids: Vec<(&'static str, RoleId)> = Vec::new();
    for (key, name) in roles() {
        let existing = server_roles
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(&name));
        let id = match existing {
            Some(role) => {
                found.adopted.push(format!("role {name}"));
                role.id
            }
            None => {
                let permissions = if key == "staff" {
                    STAFF_PERMISSIONS
                } else {
                    Permissions::empty()
                };
                let body = EditRole::new()
                    .name(&name)
                    .permissions(permissions)
                    .hoist(key != "staff")
                    .mentionable(false);
                match http
                    .create_role(guild, &body, Some("creator-bot setup"))
                    .await
                {
                    Ok(role) => {
                        found.created.push(format!("role {name}"));
                        let id = role.id;
                        server_roles.push(role);
                        id
                    }
                    Err(e) => {
                        found.problems.push(format!(
                            "Could not create the {name} role: {}",
                            describe(&e)
                        ));
                        continue;
                    }
                }
            }
        };
        let mut conn = pool.acquire().await?;
        channels::set_role(&mut conn, program.id, "discord", key, &id.to_string()).await?;
        role_ids.push((key, id));
    }
    check_hierarchy(&member.roles, &server_roles, &role_ids, &mut found);

    let role = |key: &str| role_ids.iter().find(|(k, _)| *k == key).map(|(_, id)| *id);
    let existing_channels = http
        .get_channels(guild)
        .await
        .map_err(|e| anyhow::anyhow!("reading the server's channels: {}", describe(&e)))?;
    for channel in ProgramChannel::ALL {
        let name = channel.name();
        let existing = existing_channels
            .iter()
            .find(|c| c.kind == ChannelType::Text && c.name.eq_ignore_ascii_case(&name));
        let id = match existing {
            Some(c) => {
                found.adopted.push(format!("channel #{name}"));
                check_privacy(guild, channel, c, &mut found);
                c.id
            }
            None => {
                let overwrites = overwrites(guild, channel, bot.id, role("staff"), &role);
                let body = CreateChannel::new(&name)
                    .kind(ChannelType::Text)
                    .topic(topic(channel))
                    .permissions(overwrites);
                match http
                    .create_channel(guild, &body, Some("creator-bot setup"))
                    .await
                {
                    Ok(c) => {
                        found.created.push(format!("channel #{name}"));
                        c.id
                    }
                    Err(e) => {
                        found
                            .problems
                            .push(format!("Could not create #{name}: {}", describe(&e)));
                        continue;
                    }
                }
            }
        };
        let mut conn = pool.acquire().await?;
        channels::set_channel(&mut conn, program.id, "discord", channel, &id.to_string())
            .await
            .context("storing the channel")?;
    }

    let reply = found.reply(format!("Discord setup for {}", program.name));
    Ok(reply.footer(Rich::from(format!(
        "Invite link with exactly the permissions the bot needs: {}",
        invite_url(application_id)
    ))))
}

fn topic(channel: ProgramChannel) -> String {
    match channel {
        ProgramChannel::Tier(t) => format!("The {t} tier: check-ins and updates from the program."),
        ProgramChannel::Competitions => "Competitions: rules, standings and winners.".into(),
        ProgramChannel::Staff => "Program staff: alerts and reports from the bot.".into(),
    }
}

/// Who sees a new channel: a tier channel its role, staff and the bot; #staff staff and the bot;
/// #competitions everyone (the bot may always post).
fn overwrites(
    guild: GuildId,
    channel: ProgramChannel,
    bot: UserId,
    staff: Option<RoleId>,
    role: &dyn Fn(&str) -> Option<RoleId>,
) -> Vec<PermissionOverwrite> {
    let see = Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES;
    let mut list = vec![PermissionOverwrite {
        allow: BOT_PERMISSIONS - Permissions::MANAGE_ROLES - Permissions::MANAGE_CHANNELS,
        deny: Permissions::empty(),
        kind: PermissionOverwriteType::Member(bot),
    }];
    let private = channel != ProgramChannel::Competitions;
    if private {
        // @everyone's role has the server's id.
        list.push(PermissionOverwrite {
            allow: Permissions::empty(),
            deny: Permissions::VIEW_CHANNEL,
            kind: PermissionOverwriteType::Role(RoleId::new(guild.get())),
        });
        if let Some(staff) = staff {
            list.push(PermissionOverwrite {
                allow: see,
                deny: Permissions::empty(),
                kind: PermissionOverwriteType::Role(staff),
            });
        }
    }
    if let ProgramChannel::Tier(t) = channel
        && let Some(tier_role) = role(t.as_str())
    {
        list.push(PermissionOverwrite {
            allow: see,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Role(tier_role),
        });
    }
    list
}

/// The bot's server-wide permissions: @everyone's and its roles'.
fn permissions_of(guild: GuildId, member_roles: &[RoleId], roles: &[Role]) -> Permissions {
    roles
        .iter()
        .filter(|r| r.id.get() == guild.get() || member_roles.contains(&r.id))
        .fold(Permissions::empty(), |acc, r| acc | r.permissions)
}

/// The bot can grant a role only while its own highest role sits above it.
fn check_hierarchy(
    member_roles: &[RoleId],
    roles: &[Role],
    managed: &[(&'static str, RoleId)],
    found: &mut SetupFound,
) {
    let top = roles
        .iter()
        .filter(|r| member_roles.contains(&r.id))
        .map(|r| r.position)
        .max()
        .unwrap_or(0);
    for (key, id) in managed {
        if *key == "staff" {
            continue;
        }
        if let Some(role) = roles.iter().find(|r| r.id == *id)
            && role.position >= top
        {
            found.problems.push(format!(
                "The bot's role is below the {} role, so it can't grant it: in Server Settings \
                 → Roles, drag the bot's role above {}.",
                role.name, role.name
            ));
        }
    }
}

/// A tier channel or #staff that everyone can read would show creators what they must not see.
fn check_privacy(
    guild: GuildId,
    channel: ProgramChannel,
    c: &GuildChannel,
    found: &mut SetupFound,
) {
    if channel == ProgramChannel::Competitions {
        return;
    }
    let hidden = c.permission_overwrites.iter().any(|o| {
        o.kind == PermissionOverwriteType::Role(RoleId::new(guild.get()))
            && o.deny.contains(Permissions::VIEW_CHANNEL)
    });
    if !hidden {
        found.problems.push(format!(
            "{channel} is visible to everyone: in its settings → Permissions, turn off View \
             Channel for @everyone and allow it for {}.",
            match channel {
                ProgramChannel::Tier(t) => format!("the {t} role, {STAFF_ROLE}"),
                _ => STAFF_ROLE.to_string(),
            }
        ));
    }
}
