//! Importing the Seller Center affiliate orders export, then refreshing the daily rollups of
//! the days its new and changed lines touched.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use chrono::NaiveDate;
use chrono_tz::Tz;
use indicatif::ProgressBar;
use sqlx::{PgConnection, PgPool};

use super::fresh::FreshDays;
use super::staging::{self, DirectChunk, RowSink, Source};
use super::stored::{Stored, StoredLines};
use super::{ImportKind, ImportReport};
use crate::db;
use crate::db::import::Duplicate;
use crate::db::import::orders::{
    CreatorIds, DIRECT_COPY_SQL, Known, direct_row, encode_fields, finish,
};
use crate::db::programs::Program;
use crate::db::rollups::DayTotals;
use crate::domain::import_rows::orders::{col, parse_order_line};
use crate::domain::import_rows::{FieldError, Row};

struct Orders {
    program_id: i64,
    tz: Tz,
    currency: String,
    seed: u64,
    stored: StoredLines,
    /// The program's creators by handle (up to [`CREATORS_KEPT`]): a new line of one of them
    /// goes straight into `order_lines`, without staging.
    creators: CreatorIds,
    /// New lines written for `order_lines` and not sent yet, and the same as staging rows.
    direct: Vec<u8>,
    fallback: Vec<u8>,
    direct_rows: usize,
    /// The first and last line in `direct`.
    direct_lines: Option<(u64, u64)>,
    /// Set when a chunk of new lines met a stored key: no more lines go straight in.
    direct_failed: Arc<AtomicBool>,
    /// The days of the lines sent straight in.
    direct_days: BTreeSet<NaiveDate>,
    /// Lines sent straight in whose key came again later in the file: (key hash, line).
    direct_repeats: Vec<(u64, u64)>,
    /// Per key hash seen (while there are at most [`KEYS_KEPT`]): the last line with that key,
    /// [`STAGED`] set if a line with it was staged (or sent straight in), and [`DIRECT`] while
    /// the last line with it is one sent straight in.
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
const DIRECT: u32 = 1 << 30;
const LINE: u32 = DIRECT - 1;
/// Creators whose ids the reader keeps (the most recently created first): 200k, about 8 MB.
/// Lines of the others are staged, as are those of creators new to the program.
const CREATORS_KEPT: i64 = 200_000;

/// What became of the last line with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Earlier {
    /// No line had the key.
    None,
    /// Left out: stored as it is.
    Skipped,
    Staged,
    /// Sent straight into `order_lines`.
    Direct,
}

impl Orders {
    /// Notes a key on `line`; answers what became of the last line with that key, or `None`
    /// when the key cannot be noted (too many keys).
    fn note_key(&mut self, key: u64, line: u64) -> Option<Earlier> {
        let line32 = line.min(u64::from(LINE)) as u32;
        let full = self.keys_full || self.keys.len() >= KEYS_KEPT;
        match self.keys.get_mut(&key) {
            Some(v) => {
                let earlier = if *v & DIRECT != 0 {
                    Earlier::Direct
                } else if *v & STAGED != 0 {
                    Earlier::Staged
                } else {
                    Earlier::Skipped
                };
                match earlier {
                    Earlier::Skipped => self.skipped_repeats.push((key, u64::from(*v & LINE))),
                    Earlier::Direct => self.direct_repeats.push((key, u64::from(*v & LINE))),
                    _ => {}
                }
                *v = line32 | (*v & STAGED);
                Some(earlier)
            }
            None if full => {
                self.keys_full = true;
                self.maybe_duplicates = true;
                None
            }
            None => {
                self.keys.insert(key, line32);
                Some(Earlier::None)
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
        let earlier = self.note_key(hashes.key, line);
        let stored = self
            .stored
            .lookup(order.created_on, hashes.key, hashes.line);
        // A line is left out only when it is stored as it is and no earlier line with its key
        // was staged (that one would otherwise win over it).
        let none_staged = matches!(earlier, Some(Earlier::None | Earlier::Skipped));
        if none_staged && stored == Some(Stored::Same) {
            buf.truncate(start);
            self.skipped += 1;
            return Ok(false);
        }
        if matches!(earlier, Some(Earlier::Staged | Earlier::Direct)) {
            self.maybe_duplicates = true;
        }
        let known = match stored {
            // Its key went straight in a moment ago.
            _ if earlier == Some(Earlier::Direct) => Known::Stored,
            Some(Stored::Absent) => Known::New,
            Some(Stored::Same | Stored::Other) => Known::Stored,
            None => Known::Unknown,
        };
        if known == Known::New && self.stored.day_is_empty(order.created_on) {
            self.fresh.add(&order, &self.creators);
        } else if stored.is_none() {
            self.fresh.abandon();
        }
        finish(buf, hashes, known);
        // A new line of a known creator, its key seen for the first time, goes straight in.
        let creator = match known {
            Known::New
                if earlier == Some(Earlier::None)
                    && !self.direct_failed.load(Ordering::Relaxed) =>
            {
                self.creators.get(&order.creator).map(|c| c.id)
            }
            _ => None,
        };
        let flag = if creator.is_some() {
            STAGED | DIRECT
        } else {
            STAGED
        };
        if let Some(v) = self.keys.get_mut(&hashes.key) {
            *v |= flag;
        }
        let Some(creator_id) = creator else {
            return Ok(true);
        };
        direct_row(&mut self.direct, self.program_id, creator_id, &buf[start..]);
        self.fallback.extend_from_slice(&buf[start..]);
        buf.truncate(start);
        self.direct_rows += 1;
        self.direct_lines = Some(self.direct_lines.map_or((line, line), |(a, _)| (a, line)));
        self.direct_days.insert(order.created_on);
        Ok(false)
    }

    fn take_direct(&mut self, chunk_rows: usize, end: bool) -> Option<DirectChunk> {
        if self.direct_rows == 0 || (self.direct_rows < chunk_rows && !end) {
            return None;
        }
        self.direct_rows = 0;
        Some(DirectChunk {
            sql: DIRECT_COPY_SQL.as_str(),
            rows: std::mem::take(&mut self.direct),
            fallback: std::mem::take(&mut self.fallback),
            lines: self.direct_lines.take().unwrap_or_default(),
            failed: Arc::clone(&self.direct_failed),
        })
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
    let creators = db::import::orders::creator_ids(&mut *conn, program.id, CREATORS_KEPT).await?;
    let sink = Orders {
        program_id: program.id,
        creators,
        direct: Vec::new(),
        fallback: Vec::new(),
        direct_rows: 0,
        direct_lines: None,
        direct_failed: Arc::default(),
        direct_days: BTreeSet::new(),
        direct_repeats: Vec::new(),
        tz: program.timezone,
        currency: program.currency.clone(),
        seed: db::import::orders::hash_seed(&source.map),
        stored: StoredLines::open(pool, program.id).await,
        keys: HashMap::with_capacity(KEYS_KEPT),
        keys_full: false,
        maybe_duplicates: false,
        skipped: 0,
        skipped_repeats: Vec::new(),
        fresh: FreshDays::new(program.id),
    };
    let started = std::time::Instant::now();
    let mut staged = staging::stream(
        conn,
        db::import::orders::COPY_SQL,
        source,
        chunk_rows,
        bar,
        sink,
    )
    .await?;
    let read = started.elapsed();
    let check = staged.sink().maybe_duplicates;
    // A line sent straight in whose key came again: the later line was compared with it, so
    // the key counts once, as inserted, and the earlier line as a repeat. (Lines of a chunk that
    // was staged instead are the database's to sort out.)
    let failed = &staged.direct.failed;
    let direct_repeats: Vec<(u64, u64)> = staged
        .sink()
        .direct_repeats
        .iter()
        .copied()
        .filter(|&(_, line)| !failed.iter().any(|&(a, b)| a <= line && line <= b))
        .collect();
    let repeated: Vec<i64> = direct_repeats.iter().map(|&(key, _)| key as i64).collect();
    let mut merged =
        db::import::orders::merge(conn, program.id, &staged.map, check, &repeated).await?;
    let merge = started.elapsed() - read;
    let direct_inserted = staged.direct.inserted;
    // The days no line of which was stored take the totals added up while reading, unless a
    // line was dropped as a repeat or found stored after all (then the database adds up).
    let direct_days = std::mem::take(&mut staged.sink_mut().direct_days);
    let sink = staged.sink_mut();
    let fresh = &mut sink.fresh;
    fresh.finish_day(&sink.creators);
    let mut refresh = merged.touched_days.clone();
    refresh.extend(direct_days);
    refresh.sort_unstable();
    refresh.dedup();
    if !check && merged.all_new_inserted && !fresh.done.is_empty() {
        let days: Vec<NaiveDate> = fresh.done.iter().copied().collect();
        refresh.retain(|d| !fresh.done.contains(d));
        db::rollups::insert_new_days(
            conn,
            program.id,
            DayTotals {
                days: &days,
                creator_days: fresh.take_creator_days(),
                first_sales: std::mem::take(&mut fresh.first_sales).into_iter().collect(),
                creators: std::mem::take(&mut fresh.creator_rows),
                program: std::mem::take(&mut fresh.program_rows),
                products: std::mem::take(&mut fresh.product_rows),
            },
        )
        .await?;
    }
    let new_days = started.elapsed() - read - merge;
    db::rollups::refresh_days(conn, program.id, &refresh).await?;
    // What each step took, for anyone measuring the import (CREATOR_BOT_LOG=…=debug).
    tracing::debug!(
        read_ms = read.as_millis(),
        merge_ms = merge.as_millis(),
        new_days_ms = new_days.as_millis(),
        refresh_ms = (started.elapsed() - read - merge - new_days).as_millis(),
        straight_in = direct_inserted,
        skipped = staged.sink().skipped,
        refreshed_days = refresh.len(),
        "orders import steps"
    );
    let sink = staged.sink();
    let later = |key: &u64| u64::from(sink.keys[key] & LINE);
    // Skipped lines whose key came again: the last line with the key wins, as in the database.
    merged
        .duplicates
        .extend(sink.skipped_repeats.iter().map(|(key, line)| Duplicate {
            line: *line,
            later_line: later(key),
        }));
    merged
        .duplicates
        .extend(direct_repeats.iter().map(|(key, line)| Duplicate {
            line: *line,
            later_line: later(key),
        }));
    merged.merged.inserted += direct_inserted;
    merged.merged.updated -= merged.changed_among;
    let unchanged_skipped = sink.skipped - sink.skipped_repeats.len() as u64;
    Ok(super::report(
        staged,
        ImportKind::Orders,
        merged.merged,
        merged.staged + unchanged_skipped + direct_inserted - direct_repeats.len() as u64,
        merged.new_creators,
        &merged.duplicates,
        &[col::ORDER_ID, col::SKU_ID],
    ))
}
