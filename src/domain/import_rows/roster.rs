//! Rows of our own roster files: creators (`import creators`) and products (`import products`),
//! in the formats the README documents.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::{ColumnSpec, FieldError, Row};
use crate::domain::money::Cents;
use crate::domain::timefmt;

/// Indexes into [`CREATOR_COLUMNS`].
pub mod creator_col {
    pub const HANDLE: usize = 0;
    pub const FIRST_NAME: usize = 1;
    pub const JOINED_ON: usize = 2;
    pub const TIMEZONE: usize = 3;
    pub const NICHE: usize = 4;
    pub const DISCORD_USER_ID: usize = 5;
    pub const SLACK_USER_ID: usize = 6;
}

pub const CREATOR_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("handle"),
    ColumnSpec::optional("first_name"),
    ColumnSpec::required("joined_on"),
    ColumnSpec::optional("timezone"),
    ColumnSpec::optional("niche"),
    ColumnSpec::optional("discord_user_id"),
    ColumnSpec::optional("slack_user_id"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    #[error("{0:?} is not a Discord user id (a number such as 123456789012345678)")]
    DiscordUser(String),
    #[error("{0:?} is not a Slack user id (such as U024BE7LH)")]
    SlackUser(String),
    #[error(
        "cannot link a Discord user: programs[].discord_guild_id is not configured for this program"
    )]
    NoDiscordGuild,
    #[error(
        "cannot link a Slack user: programs[].slack_team_id is not configured for this program"
    )]
    NoSlackTeam,
    #[error("{0:?} is negative; an amount of at least 0 is needed")]
    Negative(String),
}

/// Which chat workspaces the program has linked, so user ids can be attached to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkedWorkspaces {
    pub discord: bool,
    pub slack: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatorRow<'r> {
    pub handle: Cow<'r, str>,
    pub first_name: Option<&'r str>,
    pub joined_on: NaiveDate,
    /// IANA name, checked; `None` means the program's.
    pub timezone: Option<&'r str>,
    pub niche: Option<&'r str>,
    pub discord_user_id: Option<&'r str>,
    pub slack_user_id: Option<&'r str>,
}

pub fn parse_creator<'r>(
    row: &Row<'r>,
    linked: LinkedWorkspaces,
) -> Result<CreatorRow<'r>, FieldError> {
    use creator_col as c;
    let timezone = match row.opt(c::TIMEZONE)? {
        None => None,
        Some(s) => {
            timefmt::parse_timezone(s).map_err(|e| FieldError::new(c::TIMEZONE, s, e))?;
            Some(s)
        }
    };
    let discord_user_id = match row.opt(c::DISCORD_USER_ID)? {
        None => None,
        Some(s) if !(15..=21).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(FieldError::new(
                c::DISCORD_USER_ID,
                s,
                RosterError::DiscordUser(s.into()),
            ));
        }
        Some(s) if !linked.discord => {
            return Err(FieldError::new(
                c::DISCORD_USER_ID,
                s,
                RosterError::NoDiscordGuild,
            ));
        }
        Some(s) => Some(s),
    };
    let slack_user_id = match row.opt(c::SLACK_USER_ID)? {
        None => None,
        Some(s)
            if s.len() < 3
                || !matches!(s.as_bytes()[0], b'U' | b'W')
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            return Err(FieldError::new(
                c::SLACK_USER_ID,
                s,
                RosterError::SlackUser(s.into()),
            ));
        }
        Some(s) if !linked.slack => {
            return Err(FieldError::new(
                c::SLACK_USER_ID,
                s,
                RosterError::NoSlackTeam,
            ));
        }
        Some(s) => Some(s),
    };
    Ok(CreatorRow {
        handle: row.handle(c::HANDLE)?,
        first_name: row.opt(c::FIRST_NAME)?,
        joined_on: row.required_date(c::JOINED_ON)?,
        timezone,
        niche: row.opt(c::NICHE)?,
        discord_user_id,
        slack_user_id,
    })
}

/// Indexes into [`PRODUCT_COLUMNS`].
pub mod product_col {
    pub const PRODUCT_ID: usize = 0;
    pub const NAME: usize = 1;
    pub const UNIT_COST: usize = 2;
    pub const LAUNCHED_ON: usize = 3;
}

pub const PRODUCT_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("product_id"),
    ColumnSpec::required("name"),
    ColumnSpec::required("unit_cost"),
    ColumnSpec::optional("launched_on"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct ProductRow<'r> {
    pub product_id: &'r str,
    pub name: &'r str,
    pub unit_cost: Cents,
    pub launched_on: Option<NaiveDate>,
}

pub fn parse_product<'r>(row: &Row<'r>) -> Result<ProductRow<'r>, FieldError> {
    use product_col as c;
    Ok(ProductRow {
        product_id: row.required(c::PRODUCT_ID)?,
        name: row.required(c::NAME)?,
        unit_cost: non_negative(row, c::UNIT_COST)?.unwrap_or(0),
        launched_on: row.date(c::LAUNCHED_ON)?,
    })
}

/// An optional amount that may not be negative (costs).
pub(super) fn non_negative(row: &Row<'_>, col: usize) -> Result<Option<Cents>, FieldError> {
    let value = if row.map.specs[col].required {
        Some(row.required_money(col)?)
    } else {
        row.money(col)?
    };
    match value {
        Some(v) if v < 0 => {
            let raw = row.text(col)?;
            Err(FieldError::new(col, raw, RosterError::Negative(raw.into())))
        }
        v => Ok(v),
    }
}
