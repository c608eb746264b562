//! Importing the creator roster (with chat account links) and the product list.

use anyhow::Result;
use indicatif::ProgressBar;
use sqlx::PgConnection;

use super::staging::{self, RowSink, Source};
use super::{ImportKind, ImportReport, RejectedRow};
use crate::db;
use crate::db::programs::Program;
use crate::domain::import_rows::roster::{
    LinkedWorkspaces, creator_col, parse_creator, parse_product, product_col,
};
use crate::domain::import_rows::{FieldError, Row};

struct Creators(LinkedWorkspaces);

impl RowSink for Creators {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError> {
        let creator = parse_creator(row, self.0)?;
        db::import::roster::encode_creator(buf, line, &creator);
        Ok(true)
    }
}

pub(super) async fn creators(
    conn: &mut PgConnection,
    program: &Program,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
) -> Result<ImportReport> {
    let discord = db::programs::workspace(&mut *conn, program.id, "discord").await?;
    let slack = db::programs::workspace(&mut *conn, program.id, "slack").await?;
    let linked = LinkedWorkspaces {
        discord: discord.is_some(),
        slack: slack.is_some(),
    };
    db::import::roster::create_creator_stage(conn).await?;
    let staged = staging::stream(
        conn,
        db::import::roster::CREATOR_COPY_SQL,
        source,
        chunk_rows,
        bar,
        Creators(linked),
    )
    .await?;
    let (merged, duplicates, rows, conflicts) = db::import::roster::merge_creators(
        conn,
        program.id,
        &staged.map,
        discord.as_deref(),
        slack.as_deref(),
    )
    .await?;
    let new_creators = merged.inserted;
    let conflicts: Vec<RejectedRow> = conflicts
        .into_iter()
        .map(|c| {
            let column = match c.platform {
                "discord" => creator_col::DISCORD_USER_ID,
                _ => creator_col::SLACK_USER_ID,
            };
            RejectedRow {
                line: c.line,
                column: Some(staged.map.header_name(column).to_string()),
                value: Some(c.value),
                reason: c.reason,
            }
        })
        .collect();
    let mut report = super::report(
        staged,
        ImportKind::Creators,
        merged,
        rows,
        new_creators,
        &duplicates,
        &[creator_col::HANDLE],
    );
    report.rejected.extend(conflicts);
    Ok(report)
}

struct Products;

impl RowSink for Products {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError> {
        let product = parse_product(row)?;
        db::import::roster::encode_product(buf, line, &product);
        Ok(true)
    }
}

pub(super) async fn products(
    conn: &mut PgConnection,
    program: &Program,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
) -> Result<ImportReport> {
    db::import::roster::create_product_stage(conn).await?;
    let staged = staging::stream(
        conn,
        db::import::roster::PRODUCT_COPY_SQL,
        source,
        chunk_rows,
        bar,
        Products,
    )
    .await?;
    let (merged, duplicates, rows) =
        db::import::roster::merge_products(conn, program.id, &staged.map).await?;
    Ok(super::report(
        staged,
        ImportKind::Products,
        merged,
        rows,
        0,
        &duplicates,
        &[product_col::PRODUCT_ID],
    ))
}
