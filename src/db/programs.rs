//! Programs (one per brand): kept in step with the config file.

use anyhow::{Context, Result, anyhow};
use chrono_tz::Tz;
use sqlx::{PgExecutor, PgPool};

use crate::config::ProgramConfig;

#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub timezone: Tz,
    pub currency: String,
}

/// A program as stored (the time zone as text), for queries that read it with other rows.
#[derive(sqlx::FromRow)]
pub(crate) struct ProgramRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub timezone: String,
    pub currency: String,
}

impl TryFrom<ProgramRow> for Program {
    type Error = anyhow::Error;
    fn try_from(r: ProgramRow) -> Result<Program> {
        let timezone = r.timezone.parse().map_err(|_| {
            anyhow!(
                "program {} has an unknown timezone {:?}",
                r.slug,
                r.timezone
            )
        })?;
        Ok(Program {
            id: r.id,
            slug: r.slug,
            name: r.name,
            timezone,
            currency: r.currency,
        })
    }
}

/// Inserts or updates a program from its configuration and returns it.
pub async fn upsert(db: impl PgExecutor<'_>, p: &ProgramConfig) -> Result<Program> {
    let row: ProgramRow = sqlx::query_as(
        "INSERT INTO programs (slug, name, timezone, currency) VALUES ($1, $2, $3, $4)
         ON CONFLICT (slug) DO UPDATE
            SET name = EXCLUDED.name, timezone = EXCLUDED.timezone, currency = EXCLUDED.currency
         RETURNING id, slug, name, timezone, currency",
    )
    .bind(&p.slug)
    .bind(&p.name)
    .bind(p.timezone.name())
    .bind(&p.currency)
    .fetch_one(db)
    .await
    .with_context(|| format!("saving program {}", p.slug))?;
    row.try_into()
}

/// Links the program's configured Discord guild and Slack workspace to it.
pub async fn link_workspaces(
    conn: &mut sqlx::PgConnection,
    program: &Program,
    p: &ProgramConfig,
) -> Result<()> {
    for (platform, id) in [
        ("discord", p.discord_guild_id.as_deref()),
        ("slack", p.slack_team_id.as_deref()),
    ] {
        let Some(id) = id else { continue };
        super::chat::add_workspace(&mut *conn, program.id, platform, id)
            .await
            .with_context(|| format!("linking {platform} workspace {id} to program {}", p.slug))?;
    }
    Ok(())
}

/// The workspace id of `platform` linked to the program, if any.
pub async fn workspace(
    db: impl PgExecutor<'_>,
    program_id: i64,
    platform: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT workspace_id FROM chat_workspaces WHERE program_id = $1 AND platform = $2
          ORDER BY created_at LIMIT 1",
    )
    .bind(program_id)
    .bind(platform)
    .fetch_optional(db)
    .await?)
}

/// Makes every configured program exist in the database.
pub async fn sync(pool: &PgPool, programs: &[ProgramConfig]) -> Result<Vec<Program>> {
    let mut out = Vec::with_capacity(programs.len());
    for p in programs {
        let mut tx = pool.begin().await?;
        let program = upsert(&mut *tx, p).await?;
        link_workspaces(&mut tx, &program, p).await?;
        tx.commit().await?;
        out.push(program);
    }
    Ok(out)
}

pub async fn by_slug(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<Program>> {
    let row: Option<ProgramRow> =
        sqlx::query_as("SELECT id, slug, name, timezone, currency FROM programs WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db)
            .await?;
    row.map(Program::try_from).transpose()
}

pub async fn by_id(db: impl PgExecutor<'_>, id: i64) -> Result<Option<Program>> {
    let row: Option<ProgramRow> =
        sqlx::query_as("SELECT id, slug, name, timezone, currency FROM programs WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(Program::try_from).transpose()
}

/// Deletes a program and everything it holds (the demo uses it to start again).
pub async fn delete(pool: &PgPool, slug: &str) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM programs WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    // Order lines and rollups first: they are the bulk, and deleting them directly is far cheaper
    // than cascading row by row from creators.
    for table in ["creator_daily", "program_daily", "order_lines"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE program_id = $1"
        )))
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("deleting {table} of program {slug}"))?;
    }
    sqlx::query("DELETE FROM programs WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("deleting program {slug}"))?;
    tx.commit().await?;
    Ok(true)
}

/// Every program in the database, by slug.
pub async fn all(db: impl PgExecutor<'_>) -> Result<Vec<Program>> {
    let rows: Vec<ProgramRow> =
        sqlx::query_as("SELECT id, slug, name, timezone, currency FROM programs ORDER BY slug")
            .fetch_all(db)
            .await?;
    rows.into_iter().map(Program::try_from).collect()
}
