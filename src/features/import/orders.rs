//! Importing the Seller Center affiliate orders export, then refreshing the daily rollups of
//! the days its new and changed lines touched.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

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
    /// Hashes of the (order, SKU) keys staged so far, while there are at most [`KEYS_KEPT`]:
    /// when no key repeats, the database's duplicate check can be skipped.
    keys: Option<HashSet<u64>>,
    /// A key may repeat (two equal hashes, or too many keys to keep).
    maybe_duplicates: bool,
}

/// Keys remembered at most: about 20 MB (the set's table holds up to 1,835,008 keys before it
/// doubles); a larger file has the database look for repeats.
const KEYS_KEPT: usize = 1_800_000;

impl Orders {
    fn note_key(&mut self, order_id: &str, sku_id: &str) {
        let Some(keys) = &mut self.keys else { return };
        let mut h = std::hash::DefaultHasher::new();
        (order_id, sku_id).hash(&mut h);
        if !keys.insert(h.finish()) || keys.len() > KEYS_KEPT {
            self.maybe_duplicates = true;
            self.keys = None;
        }
    }
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
        self.note_key(order.order_id, order.sku_id);
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
        keys: Some(HashSet::new()),
        maybe_duplicates: false,
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
    let check = staged.sink().maybe_duplicates;
    let merged = db::import::orders::merge(conn, program.id, &staged.map, check).await?;
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
