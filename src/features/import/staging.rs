//! Streaming a CSV file into a staging table: a blocking thread reads and checks the records and
//! encodes the good ones as COPY text in chunks, while this task sends each chunk to PostgreSQL,
//! so parsing and the server's work overlap and memory stays flat whatever the file's size.

use crate::domain::for_user;
use std::io::{Cursor, Read};

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use super::lines::LineCounter;
use super::{ImportError, RejectedRow};
use crate::domain::import_rows::{ColumnMap, ColumnSpec, FieldError, Row};

/// Checks one record and appends its COPY row to `buf`, writing nothing when it fails.
pub(super) trait RowSink: Send + 'static {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<(), FieldError>;
}

/// An opened CSV file whose header matched the format.
pub(super) struct Source {
    pub name: String,
    pub map: ColumnMap,
    reader: csv::Reader<LineCounter<Box<dyn Read + Send>>>,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl Source {
    /// Reads the header; fails with a typed [`ImportError`] when the file is empty or lacks a
    /// required column.
    pub fn open(
        name: &str,
        mut reader: impl Read + Send + 'static,
        specs: &'static [ColumnSpec],
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
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(LineCounter::new(body));
        let headers: Vec<String> = reader
            .byte_headers()
            .with_context(|| format!("reading the header of {name}"))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
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
            reader,
        })
    }
}

/// What streaming a file did.
pub(super) struct Staged<S> {
    /// The sink, done with (its type says what was staged).
    _sink: S,
    pub name: String,
    pub map: ColumnMap,
    pub rejected: Vec<RejectedRow>,
}

/// Sends every good record of `source` through `copy_sql` in chunks of `chunk_rows` rows.
pub(super) async fn stream<S: RowSink>(
    conn: &mut PgConnection,
    copy_sql: &'static str,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
    sink: S,
) -> Result<Staged<S>> {
    let mut copy = conn
        .copy_in_raw(copy_sql)
        .await
        .context("starting the COPY into the staging table")?;
    let (sender, mut receiver) = mpsc::channel::<Vec<u8>>(4);
    let reader =
        tokio::task::spawn_blocking(move || read_all(source, sink, chunk_rows, bar, sender));
    let mut send_error = None;
    while let Some(chunk) = receiver.recv().await {
        if let Err(e) = copy.send(chunk).await {
            send_error = Some(e);
            break;
        }
    }
    // Unblocks the reader if we stopped early.
    drop(receiver);
    let read = reader
        .await
        .map_err(|e| anyhow!("the CSV reader stopped: {e}"))?;
    if let Some(e) = send_error {
        let _ = copy.abort("import failed").await;
        return Err(e).context("sending rows to PostgreSQL");
    }
    match read {
        Ok(staged) => {
            copy.finish()
                .await
                .context("finishing the COPY into the staging table")?;
            Ok(staged)
        }
        Err(e) => {
            let _ = copy.abort("import failed").await;
            Err(e)
        }
    }
}

fn read_all<S: RowSink>(
    mut source: Source,
    mut sink: S,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
    sender: mpsc::Sender<Vec<u8>>,
) -> Result<Staged<S>> {
    let width = source.map.width();
    let capacity = 1 << 20;
    let mut buf = Vec::with_capacity(capacity);
    let mut record = csv::ByteRecord::new();
    let mut rejected = Vec::new();
    let mut in_chunk = 0usize;
    loop {
        let more = source
            .reader
            .read_byte_record(&mut record)
            .with_context(|| format!("reading {}", source.name))?;
        if !more {
            break;
        }
        let start = record.position().map_or(0, |p| p.byte());
        let line = source.reader.get_mut().record_line(start);
        let outcome = if record.len() != width {
            Err(FieldError::field_count(record.len(), width))
        } else {
            sink.stage(&source.map.row(&record), line, &mut buf)
        };
        match outcome {
            Ok(()) => in_chunk += 1,
            Err(e) => rejected.push(RejectedRow::from_field_error(&source.map, line, e)),
        }
        if in_chunk >= chunk_rows {
            in_chunk = 0;
            let full = std::mem::replace(&mut buf, Vec::with_capacity(capacity));
            if sender.blocking_send(full).is_err() {
                break;
            }
            if let Some(bar) = &bar {
                bar.set_position(record.position().map_or(0, |p| p.byte()));
            }
        }
    }
    if !buf.is_empty() {
        let _ = sender.blocking_send(buf);
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(Staged {
        _sink: sink,
        name: source.name,
        map: source.map,
        rejected,
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
