//! Streaming a CSV file into a staging table: a blocking thread reads and checks the records and
//! encodes the good ones as COPY text in chunks, while this task sends each chunk to PostgreSQL,
//! so parsing and the server's work overlap and memory stays flat whatever the file's size.

use crate::domain::for_user;
use std::io::{Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use super::records::{Next, Records};
use super::{ImportError, RejectedRow};
use crate::domain::import_rows::{ColumnMap, ColumnSpec, FieldError, Row};

/// Checks one record and appends its COPY row to `buf`, writing nothing when it fails. Answers
/// whether it staged the row in `buf`: `false` when there is no need (it is stored as it is) or
/// the sink keeps it for a [`DirectChunk`].
pub(super) trait RowSink: Send + 'static {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError>;

    /// Rows the sink wrote straight for their table instead of staging them: a chunk once at
    /// least `chunk_rows` are ready, or whatever is left at the `end`.
    fn take_direct(&mut self, _chunk_rows: usize, _end: bool) -> Option<DirectChunk> {
        None
    }
}

/// Rows that skip the staging table: COPYed straight into their table under a savepoint of their
/// own. Should that COPY fail on the table's unique key (one of the rows is stored after all),
/// the savepoint is rolled back, `failed` is set and the same rows, in the staging table's form,
/// are staged instead, so nothing is lost and the merge sorts them out.
pub(super) struct DirectChunk {
    pub sql: &'static str,
    pub rows: Vec<u8>,
    /// The same rows as staging rows.
    pub fallback: Vec<u8>,
    /// The physical lines of the first and the last row.
    pub lines: (u64, u64),
    pub failed: Arc<AtomicBool>,
}

/// What became of the direct chunks.
#[derive(Debug, Default)]
pub(super) struct DirectDone {
    /// Rows written straight into their table.
    pub inserted: u64,
    /// The line ranges of the chunks that were staged instead.
    pub failed: Vec<(u64, u64)>,
}

enum Chunk {
    Stage(Vec<u8>),
    Direct(DirectChunk),
}

/// An opened CSV file whose header matched the format.
pub(super) struct Source {
    pub name: String,
    pub map: ColumnMap,
    records: Records<Box<dyn Read + Send>>,
    max_field: usize,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl Source {
    /// Reads the header; fails with a typed [`ImportError`] when the file is empty or lacks a
    /// required column. A field longer than `max_field` bytes rejects its row.
    pub fn open(
        name: &str,
        mut reader: impl Read + Send + 'static,
        specs: &'static [ColumnSpec],
        max_field: usize,
    ) -> Result<Source> {
        let mut head = [0u8; 3];
        let mut n = 0;
        while n < head.len() {
            let k = reader
                .read(&mut head[n..])
                .with_context(|| format!("reading {name}"))?;
            if k == 0 {
                break;
            }
            n += k;
        }
        let prefix = if head[..n] == *BOM {
            Vec::new()
        } else {
            head[..n].to_vec()
        };
        let body: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(reader));
        // The header may be longer than a field (every name), never unbounded.
        let mut records = Records::new(body, max_field.max(64 * 1024));
        let mut header = csv::ByteRecord::new();
        let headers: Vec<String> = match records
            .next(&mut header)
            .with_context(|| format!("reading the header of {name}"))?
        {
            Next::Record { .. } => header
                .iter()
                .map(|h| String::from_utf8_lossy(h).into_owned())
                .collect(),
            Next::End => Vec::new(),
            Next::TooLong { .. } | Next::Unterminated { .. } => {
                return Err(for_user(ImportError::BadHeader { file: name.into() }));
            }
        };
        records = records.with_max_field(max_field);
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(for_user(ImportError::Empty { file: name.into() }));
        }
        let map = ColumnMap::resolve(&headers, specs).map_err(|missing| {
            for_user(ImportError::MissingColumns {
                file: name.into(),
                columns: missing.into_iter().map(String::from).collect(),
            })
        })?;
        Ok(Source {
            name: name.into(),
            map,
            records,
            max_field,
        })
    }
}

/// What streaming a file did.
pub(super) struct Staged<S> {
    sink: S,
    pub name: String,
    pub map: ColumnMap,
    pub rejected: Vec<RejectedRow>,
    pub direct: DirectDone,
}

impl<S> Staged<S> {
    /// The sink as the last record left it.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }
}

/// Sends every good record of `source` through `copy_sql` in chunks of `chunk_rows` rows (and
/// the sink's direct chunks straight into their table).
pub(super) async fn stream<S: RowSink>(
    conn: &mut PgConnection,
    copy_sql: &'static str,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
    sink: S,
) -> Result<Staged<S>> {
    let (sender, mut receiver) = mpsc::channel::<Chunk>(4);
    let reader =
        tokio::task::spawn_blocking(move || read_all(source, sink, chunk_rows, bar, sender));
    let written = write_all(conn, copy_sql, &mut receiver).await;
    // Unblocks the reader if we stopped early.
    drop(receiver);
    let read = reader
        .await
        .map_err(|e| anyhow!("the CSV reader stopped: {e}"))?;
    let direct = written?;
    let mut staged = read?;
    staged.direct = direct;
    Ok(staged)
}

/// Writes the chunks as they come: runs of staging chunks through one COPY, each direct chunk
/// through a COPY of its own.
async fn write_all(
    conn: &mut PgConnection,
    copy_sql: &'static str,
    receiver: &mut mpsc::Receiver<Chunk>,
) -> Result<DirectDone> {
    let mut done = DirectDone::default();
    let mut next = receiver.recv().await;
    while let Some(chunk) = next.take() {
        match chunk {
            Chunk::Direct(direct) => {
                write_direct(conn, copy_sql, direct, &mut done).await?;
                next = receiver.recv().await;
            }
            Chunk::Stage(rows) => {
                let mut copy = conn
                    .copy_in_raw(copy_sql)
                    .await
                    .context("starting the COPY into the staging table")?;
                let mut rows = Some(rows);
                let mut sent = Ok(());
                while let Some(r) = rows.take() {
                    if let Err(e) = copy.send(r).await {
                        sent = Err(e);
                        break;
                    }
                    match receiver.recv().await {
                        Some(Chunk::Stage(r)) => rows = Some(r),
                        other => next = other,
                    }
                }
                if let Err(e) = sent {
                    let _ = copy.abort("import failed").await;
                    return Err(e).context("sending rows to PostgreSQL");
                }
                copy.finish()
                    .await
                    .context("finishing the COPY into the staging table")?;
            }
        }
    }
    Ok(done)
}

/// COPYs a direct chunk into its table under a savepoint; stages it instead when a row's key is
/// stored after all.
async fn write_direct(
    conn: &mut PgConnection,
    copy_sql: &'static str,
    chunk: DirectChunk,
    done: &mut DirectDone,
) -> Result<()> {
    sqlx::query("SAVEPOINT import_direct")
        .execute(&mut *conn)
        .await?;
    let mut copy = conn
        .copy_in_raw(chunk.sql)
        .await
        .context("starting the COPY of new rows")?;
    let written = match copy.send(chunk.rows).await {
        Ok(_) => copy.finish().await,
        Err(e) => {
            let _ = copy.abort("import failed").await;
            Err(e)
        }
    };
    match written {
        Ok(n) => {
            sqlx::query("RELEASE SAVEPOINT import_direct")
                .execute(&mut *conn)
                .await?;
            done.inserted += n;
            Ok(())
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("23505") => {
            sqlx::query("ROLLBACK TO SAVEPOINT import_direct")
                .execute(&mut *conn)
                .await?;
            sqlx::query("RELEASE SAVEPOINT import_direct")
                .execute(&mut *conn)
                .await?;
            chunk.failed.store(true, Ordering::Relaxed);
            done.failed.push(chunk.lines);
            let mut copy = conn
                .copy_in_raw(copy_sql)
                .await
                .context("starting the COPY into the staging table")?;
            copy.send(chunk.fallback)
                .await
                .context("sending rows to PostgreSQL")?;
            copy.finish()
                .await
                .context("finishing the COPY into the staging table")?;
            Ok(())
        }
        Err(e) => Err(e).context("writing new rows"),
    }
}

fn read_all<S: RowSink>(
    mut source: Source,
    mut sink: S,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
    sender: mpsc::Sender<Chunk>,
) -> Result<Staged<S>> {
    let width = source.map.width();
    let capacity = 1 << 20;
    let mut buf = Vec::with_capacity(capacity);
    let mut record = csv::ByteRecord::new();
    let mut rejected = Vec::new();
    let mut in_chunk = 0usize;
    let mut since_shown = 0usize;
    loop {
        let next = source
            .records
            .next(&mut record)
            .with_context(|| format!("reading {}", source.name))?;
        let (line, outcome) = match next {
            Next::End => break,
            Next::Record { line } if record.len() != width => {
                (line, Err(FieldError::field_count(record.len(), width)))
            }
            Next::Record { line } => (line, sink.stage(&source.map.row(&record), line, &mut buf)),
            Next::TooLong { line, field } => {
                rejected.push(RejectedRow {
                    line,
                    column: source.map.physical_header(field).map(str::to_string),
                    value: None,
                    reason: format!(
                        "is longer than import.max_field_bytes ({} bytes); the row is left out",
                        source.max_field
                    ),
                });
                continue;
            }
            Next::Unterminated { line } => {
                rejected.push(RejectedRow {
                    line,
                    column: None,
                    value: None,
                    reason: "a quote (\") opened in this row is never closed, so the rest of the \
                             file was read as one value: close the quote and import the file again"
                        .to_string(),
                });
                break;
            }
        };
        match outcome {
            Ok(true) => in_chunk += 1,
            Ok(false) => {}
            Err(e) => rejected.push(RejectedRow::from_field_error(&source.map, line, e)),
        }
        since_shown += 1;
        if in_chunk >= chunk_rows {
            in_chunk = 0;
            let full = std::mem::replace(&mut buf, Vec::with_capacity(capacity));
            if sender.blocking_send(Chunk::Stage(full)).is_err() {
                break;
            }
        }
        if let Some(direct) = sink.take_direct(chunk_rows, false)
            && sender.blocking_send(Chunk::Direct(direct)).is_err()
        {
            break;
        }
        if since_shown >= chunk_rows {
            since_shown = 0;
            if let Some(bar) = &bar {
                bar.set_position(source.records.position());
            }
        }
    }
    if !buf.is_empty() {
        let _ = sender.blocking_send(Chunk::Stage(buf));
    }
    if let Some(direct) = sink.take_direct(chunk_rows, true) {
        let _ = sender.blocking_send(Chunk::Direct(direct));
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(Staged {
        sink,
        name: source.name,
        map: source.map,
        rejected,
        direct: DirectDone::default(),
    })
}

/// A byte-driven progress bar on stderr, or `None` when not wanted: stderr is not a terminal or
/// the file is small.
pub(super) fn progress_bar(
    wanted: bool,
    total_bytes: Option<u64>,
    min_bytes: u64,
) -> Option<ProgressBar> {
    use std::io::IsTerminal;
    let total = total_bytes?;
    if !wanted || total <= min_bytes || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("importing");
    Some(bar)
}
