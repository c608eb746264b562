//! Staging and upserting the roster files: creators (by handle, with their chat identities) and
//! products (by TikTok Shop product id).

use std::collections::HashSet;

use anyhow::{Context, Result};
use sqlx::{AssertSqlSafe, PgConnection};

use super::{Duplicate, Merged, copy_text as ct};
use crate::domain::import_rows::ColumnMap;
use crate::domain::import_rows::roster::{CreatorRow, ProductRow, creator_col, product_col};

pub const CREATOR_STAGE: &str = "import_creators";
pub const CREATOR_COPY_SQL: &str = "COPY import_creators FROM STDIN";
const CREATOR_STAGE_COLUMNS: &str = "line bigint, handle text, first_name text, joined_on date,
    timezone text, niche text, discord_user_id text, slack_user_id text";
const CREATOR_COLUMNS: &[(&str, Option<usize>)] = &[
    ("first_name", Some(creator_col::FIRST_NAME)),
    ("joined_on", None),
    ("timezone", Some(creator_col::TIMEZONE)),
    ("niche", Some(creator_col::NICHE)),
];

pub async fn create_creator_stage(conn: &mut PgConnection) -> Result<()> {
    super::create_stage(conn, CREATOR_STAGE, CREATOR_STAGE_COLUMNS).await
}

pub fn encode_creator(buf: &mut Vec<u8>, line: u64, c: &CreatorRow<'_>) {
    ct::int(buf, line as i64);
    ct::text(buf, &c.handle);
    ct::opt_text(buf, c.first_name);
    ct::date(buf, c.joined_on);
    ct::opt_text(buf, c.timezone);
    ct::opt_text(buf, c.niche);
    ct::opt_text(buf, c.discord_user_id);
    ct::opt_text(buf, c.slack_user_id);
    ct::end_row(buf);
}

/// Upserts the staged creators and links their chat accounts. A creator counts as updated when
/// its row or one of its chat links changed.
pub async fn merge_creators(
    conn: &mut PgConnection,
    program_id: i64,
    map: &ColumnMap,
    discord: Option<&str>,
    slack: Option<&str>,
) -> Result<(Merged, Vec<Duplicate>, u64, Vec<LinkConflict>)> {
    let duplicates = super::drop_duplicates(conn, CREATOR_STAGE, &["handle"]).await?;
    let staged: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {CREATOR_STAGE}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let sql = format!(
        "INSERT INTO creators (program_id, handle, first_name, joined_on, timezone, niche)
         SELECT $1, handle, first_name, joined_on, timezone, niche FROM {CREATOR_STAGE}
         ON CONFLICT (program_id, handle) DO {update}
         RETURNING id, (xmax = 0) AS inserted",
        update = super::update_clause("creators", CREATOR_COLUMNS, map),
    );
    let rows: Vec<(i64, bool)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(program_id)
        .fetch_all(&mut *conn)
        .await
        .context("saving the creators")?;
    let inserted: HashSet<i64> = rows.iter().filter(|r| r.1).map(|r| r.0).collect();
    let mut updated: HashSet<i64> = rows.iter().filter(|r| !r.1).map(|r| r.0).collect();
    let mut conflicts = Vec::new();
    for (platform, column, workspace) in [
        ("discord", "discord_user_id", discord),
        ("slack", "slack_user_id", slack),
    ] {
        let Some(workspace) = workspace else { continue };
        conflicts
            .extend(set_aside_link_conflicts(conn, program_id, platform, column, workspace).await?);
        for id in link_identities(conn, program_id, platform, column, workspace).await? {
            if !inserted.contains(&id) {
                updated.insert(id);
            }
        }
    }
    Ok((
        Merged {
            inserted: inserted.len() as u64,
            updated: updated.len() as u64,
        },
        duplicates,
        staged as u64,
        conflicts,
    ))
}

/// A chat id in the roster that cannot be linked; the creator's current link is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConflict {
    pub line: u64,
    /// `discord` or `slack`.
    pub platform: &'static str,
    pub value: String,
    pub reason: String,
}

/// Finds staged ids that belong to a staff member or that a later line gives to another creator,
/// and blanks them in the staging table so that linking leaves the creator's current link alone.
async fn set_aside_link_conflicts(
    conn: &mut PgConnection,
    program_id: i64,
    platform: &'static str,
    column: &str,
    workspace: &str,
) -> Result<Vec<LinkConflict>> {
    let rows: Vec<(i64, String, Option<i64>)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT s.line, s.{column}, NULL::bigint
           FROM {CREATOR_STAGE} s
           JOIN chat_identities ci ON ci.program_id = $1 AND ci.platform = $2
                                  AND ci.workspace_id = $3 AND ci.user_id = s.{column}
          WHERE ci.staff_id IS NOT NULL
         UNION ALL
         SELECT s.line, s.{column}, d.later
           FROM {CREATOR_STAGE} s
           JOIN (SELECT {column} AS id, max(line) AS later FROM {CREATOR_STAGE}
                  WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1) d
             ON d.id = s.{column} AND s.line < d.later
          ORDER BY 1"
    )))
    .bind(program_id)
    .bind(platform)
    .bind(workspace)
    .fetch_all(&mut *conn)
    .await
    .with_context(|| format!("checking {platform} ids"))?;
    let lines: Vec<i64> = rows.iter().map(|r| r.0).collect();
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {CREATOR_STAGE} SET {column} = NULL WHERE line = ANY($1)"
    )))
    .bind(&lines)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("setting aside {platform} ids"))?;
    Ok(rows
        .into_iter()
        .map(|(line, value, later)| LinkConflict {
            line: line as u64,
            platform,
            reason: match later {
                None => format!("{value:?} is a staff member's account; the creator's link was not changed"),
                Some(later) => format!(
                    "{value:?} is given to another creator on line {later}; the creator's link was not changed"
                ),
            },
            value,
        })
        .collect())
}

/// Points each staged user id at its creator (replacing the creator's previous account on that
/// platform), and returns the creators whose link changed. A user id linked to staff is left so.
async fn link_identities(
    conn: &mut PgConnection,
    program_id: i64,
    platform: &str,
    column: &str,
    workspace: &str,
) -> Result<Vec<i64>> {
    let removed: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "DELETE FROM chat_identities ci
          USING {CREATOR_STAGE} s JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
          WHERE ci.program_id = $1 AND ci.platform = $2 AND ci.workspace_id = $3
            AND ci.creator_id = c.id AND s.{column} IS NOT NULL AND ci.user_id <> s.{column}
          RETURNING ci.creator_id"
    )))
    .bind(program_id)
    .bind(platform)
    .bind(workspace)
    .fetch_all(&mut *conn)
    .await
    .with_context(|| format!("replacing old {platform} links"))?;
    let linked: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "INSERT INTO chat_identities (program_id, platform, workspace_id, user_id, creator_id)
         SELECT DISTINCT ON (s.{column}) $1, $2, $3, s.{column}, c.id
           FROM {CREATOR_STAGE} s JOIN creators c ON c.program_id = $1 AND c.handle = s.handle
          WHERE s.{column} IS NOT NULL
          ORDER BY s.{column}, s.line DESC
         ON CONFLICT (program_id, platform, workspace_id, user_id) DO UPDATE
            SET creator_id = EXCLUDED.creator_id, linked_at = now()
          WHERE chat_identities.staff_id IS NULL
            AND chat_identities.creator_id IS DISTINCT FROM EXCLUDED.creator_id
         RETURNING creator_id"
    )))
    .bind(program_id)
    .bind(platform)
    .bind(workspace)
    .fetch_all(&mut *conn)
    .await
    .with_context(|| format!("linking {platform} accounts"))?;
    Ok(removed.into_iter().chain(linked).collect())
}

pub const PRODUCT_STAGE: &str = "import_products";
pub const PRODUCT_COPY_SQL: &str = "COPY import_products FROM STDIN";
const PRODUCT_STAGE_COLUMNS: &str =
    "line bigint, product_id text, name text, unit_cost_cents bigint, launched_on date";
const PRODUCT_COLUMNS: &[(&str, Option<usize>)] = &[
    ("name", None),
    ("unit_cost_cents", None),
    ("launched_on", Some(product_col::LAUNCHED_ON)),
];

pub async fn create_product_stage(conn: &mut PgConnection) -> Result<()> {
    super::create_stage(conn, PRODUCT_STAGE, PRODUCT_STAGE_COLUMNS).await
}

pub fn encode_product(buf: &mut Vec<u8>, line: u64, p: &ProductRow<'_>) {
    ct::int(buf, line as i64);
    ct::text(buf, p.product_id);
    ct::text(buf, p.name);
    ct::int(buf, p.unit_cost);
    ct::opt_date(buf, p.launched_on);
    ct::end_row(buf);
}

pub async fn merge_products(
    conn: &mut PgConnection,
    program_id: i64,
    map: &ColumnMap,
) -> Result<(Merged, Vec<Duplicate>, u64)> {
    let duplicates = super::drop_duplicates(conn, PRODUCT_STAGE, &["product_id"]).await?;
    let staged: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {PRODUCT_STAGE}"
    )))
    .fetch_one(&mut *conn)
    .await?;
    let upsert = format!(
        "INSERT INTO products (program_id, product_id, name, unit_cost_cents, launched_on)
         SELECT $1, product_id, name, unit_cost_cents, launched_on FROM {PRODUCT_STAGE}
         ON CONFLICT (program_id, product_id) DO {update}",
        update = super::update_clause("products", PRODUCT_COLUMNS, map),
    );
    let merged = super::count_upsert(conn, upsert, program_id, "products").await?;
    Ok((merged, duplicates, staged as u64))
}
