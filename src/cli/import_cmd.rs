//! `creator-bot import KIND FILE`: loads a CSV file and prints what happened, one line per
//! rejected row. Exit code 0 when the file's rows were imported (some may have been rejected), 2
//! when every data row was rejected.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{Format, Session};
use crate::config::Config;
use crate::features::import::{self, ImportKind, ImportReport};

/// Exit code when the file had data rows and every one of them was rejected.
pub const ALL_REJECTED: u8 = 2;

pub async fn run(
    config: Config,
    program: Option<&str>,
    kind: ImportKind,
    file: &Path,
    format: Format,
) -> Result<ExitCode> {
    let session = Session::open(config, program).await?;
    let report = import::import_file(
        &session.pool,
        &session.program,
        &session.config,
        kind,
        file,
        true,
    )
    .await?;
    match format {
        Format::Table => {
            println!("{}", report.summary());
            for row in &report.rejected {
                println!("{}", row.describe(&report.file));
            }
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(exit_code(&report))
}

/// 0 unless the file had rows and none could be imported.
pub fn exit_code(report: &ImportReport) -> ExitCode {
    if report.imported() == 0 && !report.rejected.is_empty() {
        ExitCode::from(ALL_REJECTED)
    } else {
        ExitCode::SUCCESS
    }
}
