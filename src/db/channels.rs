//! The channel and role map: which platform channel is a program's #staff, #competitions or tier
//! channel, and which platform role is a tier's (or the staff's) role. Setting an entry wakes the
//! deliveries that were waiting for it.

use anyhow::{Context, Result};
use sqlx::{PgConnection, PgExecutor};

use super::deliveries;
use crate::domain::channels::ProgramChannel;

/// Maps `channel` of `program_id` on `platform` to the platform's `channel_id`; returns how many
/// waiting deliveries it woke.
pub async fn set_channel(
    conn: &mut PgConnection,
    program_id: i64,
    platform: &str,
    channel: ProgramChannel,
    channel_id: &str,
) -> Result<u64> {
    sqlx::query(
        "INSERT INTO chat_channels (program_id, platform, channel, channel_id)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (program_id, platform, channel)
         DO UPDATE SET channel_id = EXCLUDED.channel_id, updated_at = now()",
    )
    .bind(program_id)
    .bind(platform)
    .bind(channel.key())
    .bind(channel_id)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("mapping {channel} on {platform}"))?;
    deliveries::wake_waiting(conn, program_id, platform).await
}

/// Maps a role (`staff`, `all_stars`, `steady_earners`) of `program_id` on `platform`; returns
/// how many waiting deliveries it woke.
pub async fn set_role(
    conn: &mut PgConnection,
    program_id: i64,
    platform: &str,
    role: &str,
    role_id: &str,
) -> Result<u64> {
    sqlx::query(
        "INSERT INTO chat_roles (program_id, platform, role, role_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (program_id, platform, role)
         DO UPDATE SET role_id = EXCLUDED.role_id, updated_at = now()",
    )
    .bind(program_id)
    .bind(platform)
    .bind(role)
    .bind(role_id)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("mapping the {role} role on {platform}"))?;
    deliveries::wake_waiting(conn, program_id, platform).await
}

/// One entry of the map as `channels list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub platform: String,
    /// `channel` or `role`.
    pub what: String,
    /// The channel key (`tier:all_stars`) or role name (`all_stars`).
    pub name: String,
    /// `None`: not mapped.
    pub id: Option<String>,
    /// Deliveries waiting for this platform's map to be completed.
    pub waiting: i64,
}

/// Every channel (and tier role) of the program on each platform it is connected to, mapped or
/// not.
pub async fn list(db: impl PgExecutor<'_>, program_id: i64) -> Result<Vec<Entry>> {
    sqlx::query_as(
        "WITH platforms AS (SELECT DISTINCT platform FROM chat_workspaces WHERE program_id = $1),
         wanted AS (
             SELECT p.platform, 'channel' AS what, c.name, c.ord
               FROM platforms p
              CROSS JOIN (VALUES ('tier:all_stars', 1), ('tier:steady_earners', 2),
                                 ('competitions', 3), ('staff', 4)) c(name, ord)
             UNION ALL
             SELECT p.platform, 'role', r.name, r.ord
               FROM platforms p
              CROSS JOIN (VALUES ('all_stars', 5), ('steady_earners', 6), ('staff', 7)) r(name, ord))
         SELECT w.platform, w.what, w.name,
                CASE w.what WHEN 'channel' THEN ch.channel_id ELSE r.role_id END AS id,
                (SELECT count(*) FROM deliveries d
                  WHERE d.program_id = $1 AND d.platform = w.platform
                    AND d.status = 'waiting') AS waiting
           FROM wanted w
           LEFT JOIN chat_channels ch ON w.what = 'channel' AND ch.program_id = $1
                                     AND ch.platform = w.platform AND ch.channel = w.name
           LEFT JOIN chat_roles r ON w.what = 'role' AND r.program_id = $1
                                 AND r.platform = w.platform AND r.role = w.name
          ORDER BY w.platform, w.ord",
    )
    .bind(program_id)
    .fetch_all(db)
    .await
    .context("reading the channel map")
}

/// The program channels not mapped on a platform, as `(program slug, platform, #channel)`, for
/// every program connected to one of `platforms` (what `/readyz` reports as missing).
pub async fn missing(
    db: impl PgExecutor<'_>,
    platforms: &[&str],
) -> Result<Vec<(String, String, String)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.slug, w.platform, c.name
           FROM (SELECT DISTINCT program_id, platform FROM chat_workspaces
                  WHERE platform = ANY($1)) w
           JOIN programs p ON p.id = w.program_id
          CROSS JOIN (VALUES ('tier:all_stars', 1), ('tier:steady_earners', 2),
                             ('competitions', 3), ('staff', 4)) c(name, ord)
          WHERE NOT EXISTS (SELECT 1 FROM chat_channels ch
                             WHERE ch.program_id = w.program_id AND ch.platform = w.platform
                               AND ch.channel = c.name)
          ORDER BY p.slug, w.platform, c.ord",
    )
    .bind(platforms)
    .fetch_all(db)
    .await
    .context("looking for unmapped channels")?;
    Ok(rows
        .into_iter()
        .map(|(slug, platform, key)| (slug, platform, ProgramChannel::display_key(&key)))
        .collect())
}

/// The platforms the program is connected to, by name.
pub async fn connected_platforms(db: impl PgExecutor<'_>, program_id: i64) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT platform FROM chat_workspaces WHERE program_id = $1 ORDER BY platform",
    )
    .bind(program_id)
    .fetch_all(db)
    .await
    .context("reading the program's chat platforms")
}

/// Posts that wait for the program to be connected to any chat platform at all.
pub async fn posts_waiting_for_a_platform(db: impl PgExecutor<'_>, program_id: i64) -> Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE program_id = $1 AND status = 'waiting'")
        .bind(program_id)
        .fetch_one(db)
        .await
        .context("counting posts waiting for a chat platform")
}

/// The platform role that makes its holders staff of the program a workspace belongs to (the
/// Discord staff role), if it is mapped.
pub async fn workspace_staff_role(
    db: impl PgExecutor<'_>,
    platform: &str,
    workspace_id: &str,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT r.role_id FROM chat_workspaces w
           JOIN chat_roles r ON r.program_id = w.program_id AND r.platform = w.platform
                            AND r.role = 'staff'
          WHERE w.platform = $1 AND w.workspace_id = $2",
    )
    .bind(platform)
    .bind(workspace_id)
    .fetch_optional(db)
    .await
    .context("looking up the staff role")
}

/// The platform channel mapped as `channel` for the program `workspace_id` belongs to (Slack's
/// #staff, whose members are the staff).
pub async fn workspace_channel(
    db: impl PgExecutor<'_>,
    platform: &str,
    workspace_id: &str,
    channel: ProgramChannel,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT ch.channel_id FROM chat_workspaces w
           JOIN chat_channels ch ON ch.program_id = w.program_id AND ch.platform = w.platform
                                AND ch.channel = $3
          WHERE w.platform = $1 AND w.workspace_id = $2",
    )
    .bind(platform)
    .bind(workspace_id)
    .bind(channel.key())
    .fetch_optional(db)
    .await
    .with_context(|| format!("looking up {channel} on {platform}"))
}

/// Whether `channel_id` is one of the program channels of the program `workspace_id` belongs to.
pub async fn is_program_channel(
    db: impl PgExecutor<'_>,
    platform: &str,
    workspace_id: &str,
    channel_id: &str,
) -> Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM chat_workspaces w
           JOIN chat_channels ch ON ch.program_id = w.program_id AND ch.platform = w.platform
          WHERE w.platform = $1 AND w.workspace_id = $2 AND ch.channel_id = $3)",
    )
    .bind(platform)
    .bind(workspace_id)
    .bind(channel_id)
    .fetch_one(db)
    .await
    .context("looking up a program channel")
}
