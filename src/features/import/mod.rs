//! `import`: loads a CSV file the brand brings (the Seller Center affiliate orders export, or our
//! own creators / products / samples / videos files) into the database in one transaction, and
//! reports what it inserted, updated, left unchanged and rejected (with line, column and reason).

mod activity;
mod fresh;
mod orders;
mod records;
mod roster;
mod staging;
mod stored;

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result};
use serde::Serialize;
use sqlx::PgPool;

use crate::config::Config;
use crate::db::import::Duplicate;
use crate::db::programs::Program;
use crate::domain::import_rows::{self, ColumnMap, ColumnSpec, FieldError};
use staging::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Orders,
    Creators,
    Samples,
    Videos,
    Products,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Orders,
        ImportKind::Creators,
        ImportKind::Samples,
        ImportKind::Videos,
        ImportKind::Products,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Orders => "orders",
            ImportKind::Creators => "creators",
            ImportKind::Samples => "samples",
            ImportKind::Videos => "videos",
            ImportKind::Products => "products",
        }
    }

    /// The columns the file format knows.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            ImportKind::Orders => import_rows::orders::COLUMNS,
            ImportKind::Creators => import_rows::roster::CREATOR_COLUMNS,
            ImportKind::Samples => import_rows::activity::SAMPLE_COLUMNS,
            ImportKind::Videos => import_rows::activity::VIDEO_COLUMNS,
            ImportKind::Products => import_rows::roster::PRODUCT_COLUMNS,
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<ImportKind, String> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("{s:?} is not something to import: use orders, creators, samples, videos or products")
            })
    }
}

/// Problems that stop an import before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: missing required column(s): {}", columns.join(", "))]
    MissingColumns { file: String, columns: Vec<String> },
    #[error("{file}: the file is empty (not even a header line)")]
    Empty { file: String },
    #[error(
        "{file}: the header line (line 1) is not readable: a name in it is far too long or opens a quote that is never closed"
    )]
    BadHeader { file: String },
}

/// One line the import left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// Physical line in the file; the header is line 1.
    pub line: u64,
    /// The column as the file's header wrote it; `None` when the whole line is wrong.
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl RejectedRow {
    fn from_field_error(map: &ColumnMap, line: u64, e: FieldError) -> RejectedRow {
        RejectedRow {
            line,
            column: e.column.map(|c| map.header_name(c).to_string()),
            value: e.value,
            reason: e.reason,
        }
    }

    fn duplicate(map: &ColumnMap, key: &[usize], d: &Duplicate) -> RejectedRow {
        let names: Vec<&str> = key.iter().map(|c| map.header_name(*c)).collect();
        RejectedRow {
            line: d.line,
            column: None,
            value: None,
            reason: format!(
                "line {} has the same {}; the later line wins",
                d.later_line,
                names.join(" and ")
            ),
        }
    }

    /// `orders.csv:7: column "Payment Amount": "abc" is not an amount of money`.
    pub fn describe(&self, file: &str) -> String {
        match &self.column {
            Some(column) => format!("{file}:{}: column {column:?}: {}", self.line, self.reason),
            None => format!("{file}:{}: {}", self.line, self.reason),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub kind: ImportKind,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Creators met for the first time in this file (created in New & Promising).
    pub new_creators: u64,
    /// Sorted by line.
    pub rejected: Vec<RejectedRow>,
}

impl ImportReport {
    /// Rows that made it in (new, changed or already up to date).
    pub fn imported(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }

    /// `orders.csv: 120 inserted, 3 updated, 0 unchanged, 2 rejected; 4 new creators`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} inserted, {} updated, {} unchanged, {} rejected",
            self.file,
            self.inserted,
            self.updated,
            self.unchanged,
            self.rejected.len()
        );
        if self.new_creators > 0 {
            let noun = if self.new_creators == 1 {
                "creator"
            } else {
                "creators"
            };
            s.push_str(&format!("; {} new {noun}", self.new_creators));
        }
        s
    }
}

/// Imports the file at `path` (named in the report by its file name). `progress`: show a bar on
/// stderr when it is a terminal and the file is larger than `import.progress_min_bytes`.
pub async fn import_file(
    pool: &PgPool,
    program: &Program,
    config: &Config,
    kind: ImportKind,
    path: &Path,
    progress: bool,
) -> Result<ImportReport> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    import_reader(pool, program, config, kind, &name, file, size, progress).await
}

/// Imports CSV data from `reader`; `name` names it in messages, `total_bytes` (when known) drives
/// the progress bar. Everything happens in one transaction: on error nothing is kept.
#[allow(clippy::too_many_arguments)]
pub async fn import_reader(
    pool: &PgPool,
    program: &Program,
    config: &Config,
    kind: ImportKind,
    name: &str,
    reader: impl Read + Send + 'static,
    total_bytes: Option<u64>,
    progress: bool,
) -> Result<ImportReport> {
    let source = Source::open(
        name,
        reader,
        kind.columns(),
        config.import.max_field_bytes as usize,
    )?;
    let bar = staging::progress_bar(progress, total_bytes, config.import.progress_min_bytes);
    let chunk = config.import.copy_chunk_rows;
    let mut tx = pool.begin().await.context("starting the import")?;
    let mut report = match kind {
        ImportKind::Orders => orders::run(&mut tx, pool, program, source, chunk, bar).await?,
        ImportKind::Creators => roster::creators(&mut tx, program, source, chunk, bar).await?,
        ImportKind::Products => roster::products(&mut tx, program, source, chunk, bar).await?,
        ImportKind::Samples => activity::samples(&mut tx, program, source, chunk, bar).await?,
        ImportKind::Videos => activity::videos(&mut tx, program, source, chunk, bar).await?,
    };
    if kind == ImportKind::Creators {
        // Creators the roster just linked get the welcome they could not be sent.
        crate::db::outbox::requeue_unlinked_welcomes(
            &mut tx,
            program.id,
            None,
            chrono::Utc::now(),
            config.sequences.catch_up_days,
        )
        .await?;
    }
    tx.commit()
        .await
        .with_context(|| format!("committing the import of {name}"))?;
    report.rejected.sort_by_key(|r| r.line);
    crate::metrics::record_import_report(&report);
    Ok(report)
}

/// Puts a report together from the merge counts.
fn report(
    staged: staging::Staged<impl staging::RowSink>,
    kind: ImportKind,
    merged: crate::db::import::Merged,
    staged_rows: u64,
    new_creators: u64,
    duplicates: &[Duplicate],
    key: &[usize],
) -> ImportReport {
    let mut rejected = staged.rejected;
    rejected.extend(
        duplicates
            .iter()
            .map(|d| RejectedRow::duplicate(&staged.map, key, d)),
    );
    ImportReport {
        file: staged.name,
        kind,
        inserted: merged.inserted,
        updated: merged.updated,
        unchanged: staged_rows.saturating_sub(merged.inserted + merged.updated),
        new_creators,
        rejected,
    }
}
