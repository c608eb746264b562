//! Periods as people type them in chat: `7d`, `30d`, `90d` (any `Nd`), `this-month`,
//! `last-month` or `YYYY-MM-DD..YYYY-MM-DD` (the end day excluded, like the CLI's `--to`). They
//! are read once and resolved to days later, against the program-local "today".

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::Period;
use super::timefmt::parse_date;

/// The longest `Nd` accepted: two years covers every question the stats answer.
pub const MAX_DAYS: u32 = 730;

/// A period before it is placed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodSpec {
    /// The `n` days ending with today (included).
    LastDays(u32),
    /// From the first of the current month to today (included).
    ThisMonth,
    /// The whole previous calendar month.
    LastMonth,
    /// Exactly these days.
    Days(Period),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodSpecError {
    #[error(
        "unknown period {0:?}: use 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD"
    )]
    Unknown(String),
    #[error("period {0:?}: a number of days from 1d to {MAX_DAYS}d")]
    DayCount(String),
    #[error("period {period:?}: {day:?} is not a date in YYYY-MM-DD form")]
    BadDay { period: String, day: String },
    #[error(
        "period {0:?} is empty: the end day is not counted, so it must come after the start day"
    )]
    Empty(String),
}

impl PeriodSpec {
    pub fn parse(raw: &str) -> Result<PeriodSpec, PeriodSpecError> {
        let s = raw.trim();
        let lower = s.to_lowercase();
        match lower.as_str() {
            "this-month" | "thismonth" | "this_month" => return Ok(PeriodSpec::ThisMonth),
            "last-month" | "lastmonth" | "last_month" => return Ok(PeriodSpec::LastMonth),
            _ => {}
        }
        if let Some((from, to)) = s.split_once("..") {
            let day = |d: &str| {
                parse_date(d).map_err(|_| PeriodSpecError::BadDay {
                    period: s.to_string(),
                    day: d.trim().to_string(),
                })
            };
            let (from, to) = (day(from)?, day(to)?);
            return Period::new(from, to)
                .map(PeriodSpec::Days)
                .map_err(|_| PeriodSpecError::Empty(s.to_string()));
        }
        if let Some(n) = lower.strip_suffix('d')
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
        {
            return match n.parse::<u32>() {
                Ok(n) if (1..=MAX_DAYS).contains(&n) => Ok(PeriodSpec::LastDays(n)),
                _ => Err(PeriodSpecError::DayCount(s.to_string())),
            };
        }
        Err(PeriodSpecError::Unknown(s.to_string()))
    }

    /// Whether `raw` looks like an attempt at a period (so that an error names the period, not
    /// whatever else the argument could have been).
    pub fn looks_like_one(raw: &str) -> bool {
        let s = raw.trim().to_lowercase();
        s.starts_with(|c: char| c.is_ascii_digit()) || s.contains("month") || s.contains("..")
    }

    /// The days meant when today is `today` (program-local).
    pub fn resolve(self, today: NaiveDate) -> Period {
        let tomorrow = today + Days::new(1);
        let first_of_month = today.with_day(1).unwrap_or(today);
        match self {
            PeriodSpec::LastDays(n) => Period {
                from: tomorrow - Days::new(u64::from(n.max(1))),
                to: tomorrow,
            },
            PeriodSpec::ThisMonth => Period {
                from: first_of_month,
                to: tomorrow,
            },
            PeriodSpec::LastMonth => Period {
                from: first_of_month - Months::new(1),
                to: first_of_month,
            },
            PeriodSpec::Days(p) => p,
        }
    }
}

/// As it would be typed: `30d`, `this-month`, `2026-11-01..2026-12-01`.
impl fmt::Display for PeriodSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeriodSpec::LastDays(n) => write!(f, "{n}d"),
            PeriodSpec::ThisMonth => f.write_str("this-month"),
            PeriodSpec::LastMonth => f.write_str("last-month"),
            PeriodSpec::Days(p) => write!(f, "{}..{}", p.from, p.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn resolved(raw: &str, today: &str) -> (NaiveDate, NaiveDate) {
        let p = PeriodSpec::parse(raw).unwrap().resolve(d(today));
        (p.from, p.to)
    }

    #[test]
    fn relative_periods_end_with_today() {
        assert_eq!(
            resolved("7d", "2026-11-21"),
            (d("2026-11-15"), d("2026-11-22"))
        );
        assert_eq!(
            resolved("30D", "2026-11-30"),
            (d("2026-11-01"), d("2026-12-01"))
        );
        assert_eq!(
            resolved("90d", "2026-11-30"),
            (d("2026-09-02"), d("2026-12-01"))
        );
        assert_eq!(
            resolved("this-month", "2026-11-21"),
            (d("2026-11-01"), d("2026-11-22"))
        );
        assert_eq!(
            resolved("last-month", "2026-03-31"),
            (d("2026-02-01"), d("2026-03-01"))
        );
        assert_eq!(
            resolved("last-month", "2026-01-15"),
            (d("2025-12-01"), d("2026-01-01"))
        );
        assert_eq!(
            resolved("2026-11-01..2026-11-08", "2027-01-01"),
            (d("2026-11-01"), d("2026-11-08"))
        );
    }

    #[test]
    fn bad_periods_name_what_is_wrong() {
        let err = |raw: &str| PeriodSpec::parse(raw).unwrap_err().to_string();
        assert_eq!(
            err("2w"),
            "unknown period \"2w\": use 7d, 30d, 90d, this-month, last-month or YYYY-MM-DD..YYYY-MM-DD"
        );
        assert_eq!(err("0d"), "period \"0d\": a number of days from 1d to 730d");
        assert_eq!(
            err("2026-11-01..2026-13-01"),
            "period \"2026-11-01..2026-13-01\": \"2026-13-01\" is not a date in YYYY-MM-DD form"
        );
        assert_eq!(
            err("2026-11-08..2026-11-08"),
            "period \"2026-11-08..2026-11-08\" is empty: the end day is not counted, so it must come after the start day"
        );
        assert!(PeriodSpec::looks_like_one("14days"));
        assert!(!PeriodSpec::looks_like_one("likes"));
    }

    #[test]
    fn shows_as_typed() {
        for raw in ["7d", "this-month", "last-month", "2026-11-01..2026-12-01"] {
            assert_eq!(PeriodSpec::parse(raw).unwrap().to_string(), raw);
        }
    }
}
