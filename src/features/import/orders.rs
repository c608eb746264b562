//! Importing the Seller Center affiliate orders export, then refreshing the daily rollups of
//! the days its new and changed lines touched.

use std::collections::HashMap;

use anyhow::Result;
use chrono::NaiveDate;
use chrono_tz::Tz;
use indicatif::ProgressBar;
use sqlx::{PgConnection, PgPool};

use super::fresh::FreshDays;
use super::staging::{self, RowSink, Source};
use super::stored::{Stored, StoredLines};
use super::{ImportKind, ImportReport};
use crate::db;
use crate::db::import::Duplicate;
use crate::db::import::orders::{Known, encode_fields, finish};
use crate::db::programs::Program;
use crate::db::rollups::DayTotals;
use crate::domain::import_rows::orders::{col, parse_order_line};
use crate::domain::import_rows::{FieldError, Row};

struct Orders {
    tz: Tz,
    currency: String,
    seed: u64,
    stored: StoredLines,
    /// Per key hash seen (while there are at most [`KEYS_KEPT`]): the last line with that key,
    /// and [`STAGED`] set if a line with it was staged.
    keys: HashMap<u64, u32>,
    /// More keys than [`KEYS_KEPT`]: new keys are no longer noted, and no line is skipped.
    keys_full: bool,
    /// A key may repeat among the staged lines (two equal hashes, or too many keys to keep): the
    /// database looks for repeats.
    maybe_duplicates: bool,
    /// Lines left out because they are stored as they are.
    skipped: u64,
    /// Skipped lines whose key came again later in the file: (key hash, line).
    skipped_repeats: Vec<(u64, u64)>,
    /// The totals of the days with no stored line, added up as their lines pass.
    fresh: FreshDays,
}

/// Keys remembered at most: the map is made this large at once (36 MB of address space, resident
/// as it fills), so it never grows by copying; past them, every line is staged and the database
/// looks for repeats.
const KEYS_KEPT: usize = 1_800_000;
const STAGED: u32 = 1 << 31;

impl Orders {
    /// Notes a key on `line`; answers whether a line with that key was staged before, or `None`
    /// when the key cannot be noted (too many keys).
    fn note_key(&mut self, key: u64, line: u64) -> Option<bool> {
        let line32 = (line.min(u64::from(STAGED - 1))) as u32;
        let full = self.keys_full || self.keys.len() >= KEYS_KEPT;
        match self.keys.get_mut(&key) {
            Some(v) => {
                let staged = *v & STAGED != 0;
                if !staged {
                    self.skipped_repeats.push((key, u64::from(*v)));
                }
                *v = line32 | (*v & STAGED);
                Some(staged)
            }
            None if full => {
                self.keys_full = true;
                self.maybe_duplicates = true;
                None
            }
            None => {
                self.keys.insert(key, line32);
                Some(false)
            }
        }
    }
}

impl RowSink for Orders {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError> {
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
        let start = buf.len();
        let hashes = encode_fields(buf, line, &order, &self.currency, self.seed);
        let staged_before = self.note_key(hashes.key, line);
        let stored = self
            .stored
            .lookup(order.created_on, hashes.key, hashes.line);
        // A line is left out only when it is stored as it is and no earlier line with its key
        // was staged (that one would otherwise win over it).
        if staged_before == Some(false) && stored == Some(Stored::Same) {
            buf.truncate(start);
            self.skipped += 1;
            return Ok(false);
        }
        if staged_before == Some(true) {
            self.maybe_duplicates = true;
        }
        if let Some(v) = self.keys.get_mut(&hashes.key) {
            *v |= STAGED;
        }
        let known = match stored {
            Some(Stored::Absent) => Known::New,
            Some(Stored::Same | Stored::Other) => Known::Stored,
            None => Known::Unknown,
        };
        if known == Known::New && self.stored.day_is_empty(order.created_on) {
            self.fresh.add(&order);
        } else if stored.is_none() {
            self.fresh.abandon();
        }
        finish(buf, hashes, known);
        Ok(true)
    }
}

pub(super) async fn run(
    conn: &mut PgConnection,
    pool: &PgPool,
    program: &Program,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
) -> Result<ImportReport> {
    // Held from the start, so that the stored lines read while the file streams in stay as read
    // until this import commits.
    db::import::orders::lock_program(&mut *conn, program.id).await?;
    db::import::orders::create_stage(conn).await?;
    let sink = Orders {
        tz: program.timezone,
        currency: program.currency.clone(),
        seed: db::import::orders::hash_seed(&source.map),
        stored: StoredLines::open(pool, program.id).await,
        keys: HashMap::with_capacity(KEYS_KEPT),
        keys_full: false,
        maybe_duplicates: false,
        skipped: 0,
        skipped_repeats: Vec::new(),
        fresh: FreshDays::default(),
    };
    let mut staged = staging::stream(
        conn,
        db::import::orders::COPY_SQL,
        source,
        chunk_rows,
        bar,
        sink,
    )
    .await?;
    let check = staged.sink().maybe_duplicates;
    let mut merged = db::import::orders::merge(conn, program.id, &staged.map, check).await?;
    // The days no line of which was stored take the totals added up while reading, unless a
    // line was dropped as a repeat or found stored after all (then the database adds up).
    let fresh = &mut staged.sink_mut().fresh;
    fresh.finish_day();
    let mut refresh = merged.touched_days.clone();
    if !check && merged.all_new_inserted && !fresh.done.is_empty() {
        let days: Vec<NaiveDate> = fresh.done.iter().copied().collect();
        refresh.retain(|d| !fresh.done.contains(d));
        db::rollups::insert_new_days(
            conn,
            program.id,
            DayTotals {
                days: &days,
                creators: std::mem::take(&mut fresh.creator_rows),
                program: std::mem::take(&mut fresh.program_rows),
                products: std::mem::take(&mut fresh.product_rows),
            },
        )
        .await?;
    }
    db::rollups::refresh_days(conn, program.id, &refresh).await?;
    let sink = staged.sink();
    // Skipped lines whose key came again: the last line with the key wins, as in the database.
    merged
        .duplicates
        .extend(sink.skipped_repeats.iter().map(|&(key, line)| Duplicate {
            line,
            later_line: u64::from(sink.keys[&key] & !STAGED),
        }));
    let unchanged_skipped = sink.skipped - sink.skipped_repeats.len() as u64;
    Ok(super::report(
        staged,
        ImportKind::Orders,
        merged.merged,
        merged.staged + unchanged_skipped,
        merged.new_creators,
        &merged.duplicates,
        &[col::ORDER_ID, col::SKU_ID],
    ))
}
