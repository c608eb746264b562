//! What the program already holds, as the orders reader needs it: the key and line hashes of the
//! stored lines, by day, read from the day index on a connection of their own (the import's own
//! connection is busy with the COPY). A window of days is read at once, and as soon as it
//! arrives the next window in the direction the file is going (an export is sorted by time, one
//! way or the other) is asked for, so the reading overlaps the parsing. The days least recently
//! used are dropped past a bound, so memory stays flat whatever the file; a file so disordered
//! that days are read again and again stops the lookups and is compared in the database instead.

use std::collections::HashMap;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::mpsc;

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

/// Stored (key hash, line hash) pairs kept at most: 6 MB.
const MAX_ENTRIES: usize = 400_000;
/// Days read at once.
const WINDOW_DAYS: i64 = 15;
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

/// The days read, and the (key hash, line hash) pairs of each, sorted.
type Window = (Vec<NaiveDate>, Result<HashMap<NaiveDate, Vec<(u64, u64)>>>);

pub(super) struct StoredLines {
    /// `None`: lookups are off (every line is staged and compared in the database).
    reader: Option<Reader>,
    days: HashMap<NaiveDate, Day>,
    entries: usize,
    clock: u64,
    reads: u32,
    /// The day of the last lookup that had to wait, to tell which way the file goes.
    last_wait: Option<NaiveDate>,
}

/// The task reading windows of days on its own connection.
struct Reader {
    ask: mpsc::UnboundedSender<Vec<NaiveDate>>,
    answers: mpsc::UnboundedReceiver<Window>,
    /// The days asked for and not answered yet, in order.
    pending: Vec<Vec<NaiveDate>>,
}

impl StoredLines {
    /// Opens the lookup connection and its task; without a connection, lookups are off and the
    /// import goes on.
    pub async fn open(pool: &PgPool, program_id: i64) -> StoredLines {
        let reader = match PgConnection::connect_with(&pool.connect_options()).await {
            Ok(conn) => Some(Reader::spawn(conn, program_id)),
            Err(e) => {
                tracing::warn!(
                    "could not open a connection to read the stored order lines ({e}); \
                     every line of the file is compared in the database"
                );
                None
            }
        };
        StoredLines {
            reader,
            days: HashMap::new(),
            entries: 0,
            clock: 0,
            reads: 0,
            last_wait: None,
        }
    }

    /// What the program stores under `key` on `day`; `None` when lookups are off. Called from a
    /// blocking thread (it may wait for the database).
    pub fn lookup(&mut self, day: NaiveDate, key: u64, line: u64) -> Option<Stored> {
        self.reader.as_ref()?;
        self.clock += 1;
        if !self.days.contains_key(&day) {
            self.wait_for(day);
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

    /// Whether `day` is loaded and has no stored line (a lookup of it came first).
    pub fn day_is_empty(&self, day: NaiveDate) -> bool {
        self.reader.is_some() && self.days.get(&day).is_some_and(|d| d.lines.is_empty())
    }

    /// Makes `day` loaded: takes the answers already asked for, asks for the window around it if
    /// none held it, then asks ahead for the next window the way the file is going.
    fn wait_for(&mut self, day: NaiveDate) {
        let forward = self.last_wait.is_none_or(|last| day >= last);
        self.last_wait = Some(day);
        while !self.days.contains_key(&day) {
            let Some(reader) = self.reader.as_mut() else {
                return;
            };
            if reader.pending.is_empty() {
                let wanted = self.missing(day, -WINDOW_DAYS / 2..=WINDOW_DAYS / 2);
                if !self.ask(wanted) {
                    return;
                }
            }
            if !self.take_answer() {
                return;
            }
        }
        // The next window, unless one is on its way.
        if self.reader.as_ref().is_some_and(|r| r.pending.is_empty()) {
            let step = if forward { 1 } else { -1 };
            // The first day past the loaded ones, that way.
            let Some(from) = (1..=WINDOW_DAYS)
                .filter_map(|n| shift(day, n * step))
                .find(|d| !self.days.contains_key(d))
            else {
                return;
            };
            let next = self.missing(from, (0..WINDOW_DAYS).map(|n| n * step));
            self.ask(next);
        }
    }

    /// The days `day + n` for each offset `n` that are not loaded.
    fn missing(&self, day: NaiveDate, offsets: impl Iterator<Item = i64>) -> Vec<NaiveDate> {
        offsets
            .filter_map(|n| shift(day, n))
            .filter(|d| !self.days.contains_key(d))
            .collect()
    }

    /// Asks for `days`; false when lookups went off.
    fn ask(&mut self, days: Vec<NaiveDate>) -> bool {
        if days.is_empty() {
            return true;
        }
        self.reads += 1;
        if self.reads > MAX_READS {
            tracing::info!(
                "the file's days are too scattered to compare it with the stored lines as it \
                 is read; the rest is compared in the database"
            );
            self.off_now();
            return false;
        }
        let Some(reader) = self.reader.as_mut() else {
            return false;
        };
        if reader.ask.send(days.clone()).is_err() {
            self.off_now();
            return false;
        }
        reader.pending.push(days);
        true
    }

    /// Waits for the oldest answer and loads it, then drops the least recently used days past
    /// the bound; false when lookups went off.
    fn take_answer(&mut self) -> bool {
        let Some(reader) = self.reader.as_mut() else {
            return false;
        };
        let Some((days, rows)) = reader.answers.blocking_recv() else {
            self.off_now();
            return false;
        };
        reader.pending.retain(|p| *p != days);
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(
                    "reading the stored order lines failed ({e:#}); the rest of the file is \
                     compared in the database"
                );
                self.off_now();
                return false;
            }
        };
        let clock = self.clock;
        let mut loaded: HashMap<NaiveDate, Day> = days
            .iter()
            .map(|d| {
                let day = Day {
                    lines: Vec::new(),
                    used: clock,
                };
                (*d, day)
            })
            .collect();
        for (d, lines) in rows {
            if let Some(day) = loaded.get_mut(&d) {
                self.entries += lines.len();
                day.lines = lines;
            }
        }
        self.days.extend(loaded);
        while self.entries > MAX_ENTRIES {
            let oldest = self
                .days
                .iter()
                .filter(|(d, _)| !days.contains(d))
                .min_by_key(|(_, v)| v.used)
                .map(|(d, _)| *d);
            let Some(oldest) = oldest else { break };
            if let Some(gone) = self.days.remove(&oldest) {
                self.entries -= gone.lines.len();
            }
        }
        true
    }

    fn off_now(&mut self) {
        self.reader = None;
        self.days = HashMap::new();
        self.entries = 0;
    }
}

impl Reader {
    fn spawn(mut conn: PgConnection, program_id: i64) -> Reader {
        let (ask, mut asked) = mpsc::unbounded_channel::<Vec<NaiveDate>>();
        let (answer, answers) = mpsc::unbounded_channel::<Window>();
        tokio::spawn(async move {
            while let Some(days) = asked.recv().await {
                let mut rows: HashMap<NaiveDate, Vec<(u64, u64)>> = HashMap::new();
                let read = db::import::orders::stored_hashes(
                    &mut conn,
                    program_id,
                    &days,
                    |d, key, line| {
                        rows.entry(d)
                            .or_default()
                            .push((key, line.unwrap_or(NO_HASH)))
                    },
                )
                .await
                .map(|()| {
                    for lines in rows.values_mut() {
                        lines.sort_unstable();
                        lines.shrink_to_fit();
                    }
                    rows
                });
                let failed = read.is_err();
                if answer.send((days, read)).is_err() || failed {
                    break;
                }
            }
            // The reader gone (its sender dropped), the connection is closed.
            let _ = conn.close().await;
        });
        Reader {
            ask,
            answers,
            pending: Vec::new(),
        }
    }
}

fn shift(day: NaiveDate, days: i64) -> Option<NaiveDate> {
    day.checked_add_signed(Duration::days(days))
}
