//! Chat workspaces and identities: which program a Discord server, Slack workspace or console
//! belongs to, and whether a chat user in it is a staff member or a creator.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use crate::db::programs::{Program, ProgramRow};

/// The program a workspace belongs to.
pub async fn workspace_program(
    db: impl PgExecutor<'_>,
    platform: &str,
    workspace_id: &str,
) -> Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT program_id FROM chat_workspaces WHERE platform = $1 AND workspace_id = $2",
    )
    .bind(platform)
    .bind(workspace_id)
    .fetch_optional(db)
    .await
    .context("looking up the chat workspace")
}

/// Links a workspace to a program (moving it if it belonged to another). Posts that waited for
/// the program to be connected to a platform are put back in line.
pub async fn add_workspace(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
) -> Result<()> {
    sqlx::query(
        "WITH linked AS (
             INSERT INTO chat_workspaces (program_id, platform, workspace_id) VALUES ($1, $2, $3)
             ON CONFLICT (platform, workspace_id) DO UPDATE SET program_id = EXCLUDED.program_id
             RETURNING program_id)
         UPDATE outbox SET status = 'pending', last_error = NULL
          WHERE program_id IN (SELECT program_id FROM linked) AND status = 'waiting'",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .execute(db)
    .await
    .with_context(|| format!("linking {platform} workspace {workspace_id}"))?;
    Ok(())
}

/// Who a chat user is: exactly one of staff or creator is set.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Identity {
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub creator_id: Option<i64>,
    pub handle: Option<String>,
}

pub async fn identity(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
) -> Result<Option<Identity>> {
    sqlx::query_as(
        "SELECT ci.staff_id, s.name AS staff_name, ci.creator_id, c.handle
           FROM chat_identities ci
           LEFT JOIN staff s ON s.id = ci.staff_id
           LEFT JOIN creators c ON c.id = ci.creator_id
          WHERE ci.program_id = $1 AND ci.platform = $2 AND ci.workspace_id = $3
            AND ci.user_id = $4",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .fetch_optional(db)
    .await
    .context("looking up the chat user")
}

/// A caller as [`caller_lookup`] finds them.
pub struct CallerLookup {
    pub program: Program,
    pub identity: Option<Identity>,
    pub staff_role: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CallerRow {
    #[sqlx(flatten)]
    program: ProgramRow,
    linked: bool,
    #[sqlx(flatten)]
    identity: Identity,
    staff_role: Option<String>,
}

/// In one round trip: the program `workspace_id` is linked to, the user's identity in it and the
/// workspace's staff role. `None` when the workspace is not linked to a program.
pub async fn caller_lookup(
    db: impl PgExecutor<'_>,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
) -> Result<Option<CallerLookup>> {
    let row: Option<CallerRow> = sqlx::query_as(
        "SELECT p.id, p.slug, p.name, p.timezone, p.currency,
                ci.user_id IS NOT NULL AS linked,
                ci.staff_id, s.name AS staff_name, ci.creator_id, c.handle,
                (SELECT r.role_id FROM chat_roles r
                  WHERE r.program_id = w.program_id AND r.platform = w.platform
                    AND r.role = 'staff'
                  LIMIT 1) AS staff_role
           FROM chat_workspaces w
           JOIN programs p ON p.id = w.program_id
           LEFT JOIN chat_identities ci
                  ON ci.program_id = w.program_id AND ci.platform = w.platform
                 AND ci.workspace_id = w.workspace_id AND ci.user_id = $3
           LEFT JOIN staff s ON s.id = ci.staff_id
           LEFT JOIN creators c ON c.id = ci.creator_id
          WHERE w.platform = $1 AND w.workspace_id = $2",
    )
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .fetch_optional(db)
    .await
    .context("looking up the chat user and their workspace")?;
    row.map(|r| {
        Ok(CallerLookup {
            program: Program::try_from(r.program)?,
            identity: r.linked.then_some(r.identity),
            staff_role: r.staff_role,
        })
    })
    .transpose()
}

/// The chat user already linked to a creator in this workspace, if any.
pub async fn creator_user(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    creator_id: i64,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT user_id FROM chat_identities
          WHERE program_id = $1 AND platform = $2 AND workspace_id = $3 AND creator_id = $4
          LIMIT 1",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(creator_id)
    .fetch_optional(db)
    .await
    .context("looking up the creator's chat account")
}

/// Links a chat user to a creator; `false` when the user was linked already (to anyone).
pub async fn link_creator(
    conn: &mut PgConnection,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
    creator_id: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id,
                                      linked_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (program_id, platform, workspace_id, user_id) DO NOTHING",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .bind(creator_id)
    .bind(at)
    .execute(conn)
    .await
    .context("linking the chat account")?;
    Ok(done.rows_affected() == 1)
}

/// Adds a staff member by name (or finds them) and returns their id.
pub async fn add_staff(db: impl PgExecutor<'_>, program_id: i64, name: &str) -> Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO staff (program_id, name) VALUES ($1, $2)
         ON CONFLICT (program_id, name) DO UPDATE SET name = EXCLUDED.name
         RETURNING id",
    )
    .bind(program_id)
    .bind(name)
    .fetch_one(db)
    .await
    .with_context(|| format!("adding staff member {name}"))
}

/// Makes a chat user a staff member's account (replacing a creator link the user had).
pub async fn link_staff(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
    staff_id: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, staff_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (program_id, platform, workspace_id, user_id) DO UPDATE
            SET staff_id = EXCLUDED.staff_id, creator_id = NULL, linked_at = now()",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .bind(staff_id)
    .execute(db)
    .await
    .context("linking a staff member's chat account")?;
    Ok(())
}

/// Links every creator of the program not linked in this workspace yet to the chat user named
/// like their handle (the console workspace's accounts); returns how many were linked.
pub async fn link_creators_by_handle(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    at: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id,
                                      linked_at)
         SELECT c.program_id, $2, $3, c.handle, c.id, $4
           FROM creators c
          WHERE c.program_id = $1
            AND NOT EXISTS (SELECT 1 FROM chat_identities ci
                             WHERE ci.program_id = c.program_id AND ci.platform = $2
                               AND ci.workspace_id = $3 AND ci.creator_id = c.id)
          ORDER BY c.id
         ON CONFLICT (program_id, platform, workspace_id, user_id) DO NOTHING",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(at)
    .execute(db)
    .await
    .context("linking creators' chat accounts")?;
    Ok(done.rows_affected())
}

/// Marks a chat account as having left its workspace: it keeps its link (coming back restores
/// it) but no longer counts for sending.
pub async fn mark_left(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE chat_identities SET left_at = $5
          WHERE program_id = $1 AND platform = $2 AND workspace_id = $3 AND user_id = $4
            AND left_at IS NULL",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .bind(at)
    .execute(db)
    .await
    .context("marking the chat account as left")?;
    Ok(done.rows_affected() == 1)
}

/// A chat user (re)joined the workspace: an account marked as left counts again. `true` when
/// the user had left.
pub async fn mark_back(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
    workspace_id: &str,
    user_id: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE chat_identities SET left_at = NULL
          WHERE program_id = $1 AND platform = $2 AND workspace_id = $3 AND user_id = $4
            AND left_at IS NOT NULL",
    )
    .bind(program_id)
    .bind(platform)
    .bind(workspace_id)
    .bind(user_id)
    .execute(db)
    .await
    .context("marking the chat account as back")?;
    Ok(done.rows_affected() == 1)
}
