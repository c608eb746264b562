//! Importing the Seller Center affiliate orders export, then refreshing the daily rollups of
//! the days its new and changed lines touched.

use anyhow::Result;
use chrono_tz::Tz;
use indicatif::ProgressBar;
use sqlx::PgConnection;

use super::staging::{self, RowSink, Source};
use super::{ImportKind, ImportReport};
use crate::db;
use crate::db::programs::Program;
use crate::domain::import_rows::orders::{col, parse_order_line};
use crate::domain::import_rows::{FieldError, Row};

struct Orders {
    tz: Tz,
    currency: String,
}

impl RowSink for Orders {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<(), FieldError> {
        let order = parse_order_line(row, self.tz)?;
        // Amounts in another currency cannot be added to the program's money.
        if let Some(currency) = order.currency.as_deref()
            && currency != self.currency
        {
            return Err(FieldError::new(
                col::CURRENCY,
                currency,
                format!(
                    "{currency:?} is not this program's currency ({}); its amounts cannot be added to the program's",
                    self.currency
                ),
            ));
        }
        db::import::orders::encode(buf, line, &order, &self.currency);
        Ok(())
    }
}

pub(super) async fn run(
    conn: &mut PgConnection,
    program: &Program,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
) -> Result<ImportReport> {
    db::import::orders::create_stage(conn).await?;
    let sink = Orders {
        tz: program.timezone,
        currency: program.currency.clone(),
    };
    let staged = staging::stream(
        conn,
        db::import::orders::COPY_SQL,
        source,
        chunk_rows,
        bar,
        sink,
    )
    .await?;
    let merged = db::import::orders::merge(conn, program.id, &staged.map).await?;
    db::rollups::refresh_days(conn, program.id, &merged.touched_days).await?;
    Ok(super::report(
        staged,
        ImportKind::Orders,
        merged.merged,
        merged.staged,
        merged.new_creators,
        &merged.duplicates,
        &[col::ORDER_ID, col::SKU_ID],
    ))
}
