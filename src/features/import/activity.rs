//! Importing samples and videos; both create creators met for the first time and keep each
//! sample's first video up to date. A videos import also cancels queued sequence messages that
//! its videos answer.

use anyhow::Result;
use chrono_tz::Tz;
use indicatif::ProgressBar;
use sqlx::PgConnection;

use super::staging::{self, RowSink, Source};
use super::{ImportKind, ImportReport};
use crate::db;
use crate::db::programs::Program;
use crate::domain::import_rows::activity::{parse_sample, parse_video, sample_col, video_col};
use crate::domain::import_rows::{FieldError, Row};

struct Samples;

impl RowSink for Samples {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError> {
        let sample = parse_sample(row)?;
        db::import::activity::encode_sample(buf, line, &sample);
        Ok(true)
    }
}

pub(super) async fn samples(
    conn: &mut PgConnection,
    program: &Program,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
) -> Result<ImportReport> {
    db::import::activity::create_sample_stage(conn).await?;
    let staged = staging::stream(
        conn,
        db::import::activity::SAMPLE_COPY_SQL,
        source,
        chunk_rows,
        bar,
        Samples,
    )
    .await?;
    let (merged, new_creators, duplicates, rows) =
        db::import::activity::merge_samples(conn, program.id, program.timezone.name(), &staged.map)
            .await?;
    Ok(super::report(
        staged,
        ImportKind::Samples,
        merged,
        rows,
        new_creators,
        &duplicates,
        &[
            sample_col::HANDLE,
            sample_col::PRODUCT_ID,
            sample_col::SHIPPED_ON,
        ],
    ))
}

struct Videos(Tz);

impl RowSink for Videos {
    fn stage(&mut self, row: &Row<'_>, line: u64, buf: &mut Vec<u8>) -> Result<bool, FieldError> {
        let video = parse_video(row, self.0)?;
        db::import::activity::encode_video(buf, line, &video);
        Ok(true)
    }
}

pub(super) async fn videos(
    conn: &mut PgConnection,
    program: &Program,
    source: Source,
    chunk_rows: usize,
    bar: Option<ProgressBar>,
) -> Result<ImportReport> {
    db::import::activity::create_video_stage(conn).await?;
    let staged = staging::stream(
        conn,
        db::import::activity::VIDEO_COPY_SQL,
        source,
        chunk_rows,
        bar,
        Videos(program.timezone),
    )
    .await?;
    let (merged, new_creators, duplicates, rows) =
        db::import::activity::merge_videos(conn, program.id, program.timezone.name(), &staged.map)
            .await?;
    // Nudges for a sample (and onboarding or check-ins) still queued stop as soon as the video
    // that answers them is imported, not at the scheduler's next run.
    db::sequences::cancel_stopped(conn, program.id, program.timezone.name(), None).await?;
    Ok(super::report(
        staged,
        ImportKind::Videos,
        merged,
        rows,
        new_creators,
        &duplicates,
        &[video_col::CONTENT_ID],
    ))
}
