//! Reporting periods: a half-open range of program-local days `[from, to)` that KPIs, the
//! creator card, leaderboards and tier rules are computed over.

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::timefmt::start_of_day;

/// Days `[from, to)`: `to` is the day after the last day counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period is empty: it must end after it starts (from {from}, to {to})")]
    Empty { from: NaiveDate, to: NaiveDate },
    #[error("a period must cover at least one day")]
    NoDays,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to <= from {
            return Err(PeriodError::Empty { from, to });
        }
        Ok(Period { from, to })
    }

    /// The `n` days ending with `today` (included): `[today − (n−1), today + 1)`.
    pub fn last_days(today: NaiveDate, n: u32) -> Result<Period, PeriodError> {
        if n == 0 {
            return Err(PeriodError::NoDays);
        }
        let to = today + Days::new(1);
        Ok(Period {
            from: to - Days::new(u64::from(n)),
            to,
        })
    }

    /// A period from optional bounds as people give them: both, one (the other is `default_days`
    /// away from it) or neither (the `default_days` ending with `today`).
    pub fn from_bounds(
        today: NaiveDate,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        default_days: u32,
    ) -> Result<Period, PeriodError> {
        let span = Days::new(u64::from(default_days.max(1)));
        match (from, to) {
            (Some(from), Some(to)) => Period::new(from, to),
            (Some(from), None) => {
                Period::new(from, (today + Days::new(1)).max(from + Days::new(1)))
            }
            (None, Some(to)) => Period::new(to - span, to),
            (None, None) => Period::last_days(today, default_days),
        }
    }

    /// Number of days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day < self.to
    }

    /// The instant the period starts: local midnight of `from` in `tz`.
    pub fn starts_at(&self, tz: Tz) -> DateTime<Utc> {
        start_of_day(self.from, tz)
    }

    /// The instant the period ends (excluded): local midnight of `to` in `tz`.
    pub fn ends_at(&self, tz: Tz) -> DateTime<Utc> {
        start_of_day(self.to, tz)
    }

    /// The last day counted (`to − 1`).
    pub fn last_day(&self) -> NaiveDate {
        self.to - Days::new(1)
    }
}

/// For people: `2026-11-01 to 2026-11-30` (both days included).
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.last_day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn last_days_ends_tomorrow() {
        let p = Period::last_days(d("2026-11-30"), 30).unwrap();
        assert_eq!((p.from, p.to), (d("2026-11-01"), d("2026-12-01")));
        assert_eq!(p.days(), 30);
        assert_eq!(p.to_string(), "2026-11-01 to 2026-11-30");
        assert!(p.contains(d("2026-11-30")) && !p.contains(d("2026-12-01")));
        assert_eq!(
            Period::last_days(d("2026-11-30"), 0),
            Err(PeriodError::NoDays)
        );
    }

    #[test]
    fn bounds_fill_in_what_is_missing() {
        let today = d("2026-11-30");
        let p = Period::from_bounds(today, Some(d("2026-11-10")), None, 30).unwrap();
        assert_eq!((p.from, p.to), (d("2026-11-10"), d("2026-12-01")));
        let p = Period::from_bounds(today, None, Some(d("2026-11-10")), 30).unwrap();
        assert_eq!((p.from, p.to), (d("2026-10-11"), d("2026-11-10")));
        let err = Period::from_bounds(today, Some(d("2026-11-10")), Some(d("2026-11-10")), 30);
        assert_eq!(
            err.unwrap_err().to_string(),
            "the period is empty: it must end after it starts (from 2026-11-10, to 2026-11-10)"
        );
    }

    #[test]
    fn bounds_are_local_midnights() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let p = Period::new(d("2026-11-01"), d("2026-11-02")).unwrap();
        // 2026-11-01 is the day DST ends in New York: 00:00 EDT, then 00:00 EST next day.
        assert_eq!(p.starts_at(ny).to_rfc3339(), "2026-11-01T04:00:00+00:00");
        assert_eq!(p.ends_at(ny).to_rfc3339(), "2026-11-02T05:00:00+00:00");
    }
}
