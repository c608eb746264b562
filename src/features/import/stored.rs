//! What the program already holds, as the orders reader needs it: the key and line hashes of the
//! stored lines, by day, read on demand from the day index on a connection of their own while
//! the import's own connection is busy with the COPY. A window of days is read at once (an
//! export is sorted by time), and the days least recently used are dropped past a bound, so
//! memory stays flat whatever the file; a file so disordered that the same days are read again
//! and again stops the lookups and is compared in the database instead.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::runtime::Handle;

use crate::db;

/// What is stored under a line's key on the line's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stored {
    /// The same line, hash for hash: nothing to write.
    Same,
    /// The key, with other content (or stored before hashes were kept).
    Other,
    /// Not that key on that day.
    Absent,
}

/// Stored (key hash, line hash) pairs kept at most: 8 MB.
const MAX_ENTRIES: usize = 500_000;
/// Days read around a day that is not loaded.
const WINDOW_DAYS: i64 = 7;
/// Reads after which a file is taken to be too disordered for the lookups to pay.
const MAX_READS: u32 = 1_000;
/// The line hash a stored line without one is kept under; a file line whose hash happens to be
/// this value is never taken as the same.
const NO_HASH: u64 = u64::MAX;

struct Day {
    /// Sorted by key hash.
    lines: Vec<(u64, u64)>,
    used: u64,
}

pub(super) struct StoredLines {
    /// `None`: lookups are off (every line is staged and compared in the database).
    conn: Option<PgConnection>,
    rt: Handle,
    program_id: i64,
    days: HashMap<NaiveDate, Day>,
    entries: usize,
    clock: u64,
    reads: u32,
}

impl StoredLines {
    /// Opens the lookup connection; without one, lookups are off and the import goes on.
    pub async fn open(pool: &PgPool, program_id: i64) -> StoredLines {
        let conn = match PgConnection::connect_with(&pool.connect_options()).await {
            Ok(conn) => Some(conn),
            Err(e) => {
                tracing::warn!(
                    "could not open a connection to read the stored order lines ({e}); \
                     every line of the file is compared in the database"
                );
                None
            }
        };
        StoredLines {
            conn,
            rt: Handle::current(),
            program_id,
            days: HashMap::new(),
            entries: 0,
            clock: 0,
            reads: 0,
        }
    }

    /// What the program stores under `key` on `day`; `None` when lookups are off. Called from a
    /// blocking thread (it waits for the database).
    pub fn lookup(&mut self, day: NaiveDate, key: u64, line: u64) -> Option<Stored> {
        self.conn.as_ref()?;
        self.clock += 1;
        if !self.days.contains_key(&day) {
            self.read_around(day);
        }
        let clock = self.clock;
        let d = self.days.get_mut(&day)?;
        d.used = clock;
        let from = d.lines.partition_point(|&(k, _)| k < key);
        let mut found = Stored::Absent;
        for &(k, l) in &d.lines[from..] {
            if k != key {
                break;
            }
            if l == line && line != NO_HASH {
                return Some(Stored::Same);
            }
            found = Stored::Other;
        }
        Some(found)
    }

    /// Reads the days around `day` that are not loaded, then drops the least recently used ones
    /// past the bound. Turns lookups off if the database fails or the file is too disordered.
    fn read_around(&mut self, day: NaiveDate) {
        self.reads += 1;
        if self.reads > MAX_READS {
            tracing::info!(
                "the file's days are too scattered to compare it with the stored lines as it \
                 is read; the rest is compared in the database"
            );
            self.off_now();
            return;
        }
        let wanted: Vec<NaiveDate> = (-WINDOW_DAYS..=WINDOW_DAYS)
            .filter_map(|n| day.checked_add_signed(Duration::days(n)))
            .filter(|d| !self.days.contains_key(d))
            .collect();
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        let clock = self.clock;
        let mut loaded: HashMap<NaiveDate, Day> = wanted
            .iter()
            .map(|d| {
                (
                    *d,
                    Day {
                        lines: Vec::new(),
                        used: clock,
                    },
                )
            })
            .collect();
        let read = self.rt.block_on(db::import::orders::stored_hashes(
            conn,
            self.program_id,
            &wanted,
            |d, key, line| {
                if let Some(day) = loaded.get_mut(&d) {
                    day.lines.push((key, line.unwrap_or(NO_HASH)));
                }
            },
        ));
        if let Err(e) = read {
            tracing::warn!(
                "reading the stored order lines failed ({e:#}); the rest of the file is \
                 compared in the database"
            );
            self.off_now();
            return;
        }
        self.days.extend(loaded);
        for d in &wanted {
            if let Some(day) = self.days.get_mut(d) {
                day.lines.sort_unstable();
                day.lines.shrink_to_fit();
                self.entries += day.lines.len();
            }
        }
        while self.entries > MAX_ENTRIES {
            let oldest = self
                .days
                .iter()
                .filter(|(d, _)| !wanted.contains(d))
                .min_by_key(|(_, v)| v.used)
                .map(|(d, _)| *d);
            let Some(oldest) = oldest else { break };
            if let Some(gone) = self.days.remove(&oldest) {
                self.entries -= gone.lines.len();
            }
        }
    }

    fn off_now(&mut self) {
        self.conn = None;
        self.days = HashMap::new();
        self.entries = 0;
    }
}
