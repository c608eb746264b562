//! Streaming a CSV file into a staging table: a blocking thread reads and checks the records and
//! encodes the good ones as COPY text in chunks, while this task sends each chunk to PostgreSQL,
//! so parsing and the server's work overlap and memory stays flat whatever the file's size.

use crate::domain::for_user;
use std::io::{Cursor, Read};

use anyhow::{Context, Result, anyhow};
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use super::records::{Next, Records};
use super::{ImportError, RejectedRow};
use crate::domain::import_rows::{ColumnMap, ColumnSpec, FieldError, Row};

/// Checks one record and appends its COPY row to `buf`, writing nothing when it fails. Answers
/// whether it staged the row: `false` when there is no need (it is stored as it is).
pub(super) trait RowSink: Send + 'static {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError>;
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
            if sender.blocking_send(full).is_err() {
                break;
            }
        }
        if since_shown >= chunk_rows {
            since_shown = 0;
            if let Some(bar) = &bar {
                bar.set_position(source.records.position());
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
        sink,
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
