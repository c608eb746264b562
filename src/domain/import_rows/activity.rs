//! Rows of our own activity files: samples sent to creators (`import samples`) and the videos
//! they posted (`import videos`), in the formats the README documents.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::roster::non_negative;
use super::{ColumnSpec, FieldError, Row};
use crate::domain::money::Cents;
use crate::domain::timefmt;

/// Indexes into [`SAMPLE_COLUMNS`].
pub mod sample_col {
    pub const HANDLE: usize = 0;
    pub const PRODUCT_ID: usize = 1;
    pub const SHIPPED_ON: usize = 2;
    pub const DELIVERED_ON: usize = 3;
    pub const COST: usize = 4;
}

pub const SAMPLE_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("handle"),
    ColumnSpec::required("product_id"),
    ColumnSpec::required("shipped_on"),
    ColumnSpec::optional("delivered_on"),
    ColumnSpec::optional("cost"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    #[error("delivered on {delivered} is before it was shipped ({shipped})")]
    DeliveredBeforeShipped {
        delivered: NaiveDate,
        shipped: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SampleRow<'r> {
    pub handle: Cow<'r, str>,
    pub product_id: &'r str,
    pub shipped_on: NaiveDate,
    pub delivered_on: Option<NaiveDate>,
    /// Shipping and handling (0 when blank).
    pub cost: Cents,
}

pub fn parse_sample<'r>(row: &Row<'r>) -> Result<SampleRow<'r>, FieldError> {
    use sample_col as c;
    let shipped_on = row.required_date(c::SHIPPED_ON)?;
    let delivered_on = row.date(c::DELIVERED_ON)?;
    if let Some(delivered) = delivered_on.filter(|d| *d < shipped_on) {
        let raw = row.text(c::DELIVERED_ON)?;
        return Err(FieldError::new(
            c::DELIVERED_ON,
            raw,
            ActivityError::DeliveredBeforeShipped {
                delivered,
                shipped: shipped_on,
            },
        ));
    }
    Ok(SampleRow {
        handle: row.handle(c::HANDLE)?,
        product_id: row.required(c::PRODUCT_ID)?,
        shipped_on,
        delivered_on,
        cost: non_negative(row, c::COST)?.unwrap_or(0),
    })
}

/// Indexes into [`VIDEO_COLUMNS`].
pub mod video_col {
    pub const CONTENT_ID: usize = 0;
    pub const HANDLE: usize = 1;
    pub const PRODUCT_ID: usize = 2;
    pub const POSTED_AT: usize = 3;
    pub const VIEWS: usize = 4;
    pub const LIKES: usize = 5;
    pub const COMMENTS: usize = 6;
    pub const SHARES: usize = 7;
}

pub const VIDEO_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("content_id"),
    ColumnSpec::required("handle"),
    ColumnSpec::optional("product_id"),
    ColumnSpec::required("posted_at"),
    ColumnSpec::optional("views"),
    ColumnSpec::optional("likes"),
    ColumnSpec::optional("comments"),
    ColumnSpec::optional("shares"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct VideoRow<'r> {
    pub content_id: &'r str,
    pub handle: Cow<'r, str>,
    pub product_id: Option<&'r str>,
    pub posted_at: DateTime<Utc>,
    /// The program-local day of `posted_at` (a new creator's join day).
    pub posted_on: NaiveDate,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
}

/// Checks one record; local times are read in `tz`, the program's time zone.
pub fn parse_video<'r>(row: &Row<'r>, tz: Tz) -> Result<VideoRow<'r>, FieldError> {
    use video_col as c;
    let raw = row.required(c::POSTED_AT)?;
    let posted_at =
        timefmt::parse_datetime(raw, tz).map_err(|e| FieldError::new(c::POSTED_AT, raw, e))?;
    Ok(VideoRow {
        content_id: row.required(c::CONTENT_ID)?,
        handle: row.handle(c::HANDLE)?,
        product_id: row.opt(c::PRODUCT_ID)?,
        posted_at,
        posted_on: timefmt::local_day(posted_at, tz),
        views: row.count(c::VIEWS)?.unwrap_or(0),
        likes: row.count(c::LIKES)?.unwrap_or(0),
        comments: row.count(c::COMMENTS)?.unwrap_or(0),
        shares: row.count(c::SHARES)?.unwrap_or(0),
    })
}
