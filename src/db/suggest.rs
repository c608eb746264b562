//! What commands suggest while an option is typed: creators' handles by prefix (through the
//! `text_pattern_ops` index) and competitions' names.

use anyhow::{Context, Result};
use sqlx::PgExecutor;

/// Up to `limit` handles starting with `prefix` (lower case, no `@`), in order.
pub async fn handles_starting_with(
    db: impl PgExecutor<'_>,
    program_id: i64,
    prefix: &str,
    limit: i64,
) -> Result<Vec<String>> {
    // Handles are [a-z0-9_.], all below '~' byte-wise: [prefix, prefix || '~') is the prefix's
    // range, which the index serves without LIKE's escaping of '_'.
    sqlx::query_scalar(
        r#"SELECT handle FROM creators
          WHERE program_id = $1 AND handle ~>=~ $2 AND handle ~<~ ($2 || '~')
          ORDER BY handle COLLATE "C"
          LIMIT $3"#,
    )
    .bind(program_id)
    .bind(prefix)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("suggesting handles")
}

/// Up to `limit` competition names containing `typed` (any case), newest first.
pub async fn competition_names(
    db: impl PgExecutor<'_>,
    program_id: i64,
    typed: &str,
    limit: i64,
) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT name FROM competitions
          WHERE program_id = $1 AND strpos(lower(name), lower($2)) > 0
          ORDER BY starts_on DESC, name
          LIMIT $3",
    )
    .bind(program_id)
    .bind(typed)
    .bind(limit)
    .fetch_all(db)
    .await
    .context("suggesting competitions")
}
