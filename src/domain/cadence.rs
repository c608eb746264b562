//! Cadences: when a recurring job runs, as a five-field cron expression (`minute hour
//! day-of-month month day-of-week`, e.g. `0 10 * * Mon`) read in the program's time zone, so
//! "Monday 10:00" stays 10:00 local across DST changes.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{expr:?} is not a cron expression of five fields (minute hour day month weekday, e.g. \"0 10 * * Mon\"): {problem}"
)]
pub struct CadenceError {
    pub expr: String,
    pub problem: String,
}

/// A parsed cadence; it reads and writes (serde, `Display`) as its expression.
#[derive(Clone)]
pub struct Cadence {
    expr: String,
    schedule: cron::Schedule,
}

// Two cadences are the same when written the same: the schedule is derived from the expression.
impl PartialEq for Cadence {
    fn eq(&self, other: &Cadence) -> bool {
        self.expr == other.expr
    }
}

impl Eq for Cadence {}

impl fmt::Debug for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Cadence").field(&self.expr).finish()
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.expr)
    }
}

impl FromStr for Cadence {
    type Err = CadenceError;
    fn from_str(expr: &str) -> Result<Cadence, CadenceError> {
        Cadence::parse(expr)
    }
}

impl Serialize for Cadence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.expr)
    }
}

impl<'de> Deserialize<'de> for Cadence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cadence, D::Error> {
        let expr = String::deserialize(d)?;
        Cadence::parse(&expr).map_err(serde::de::Error::custom)
    }
}

impl Cadence {
    pub fn parse(expr: &str) -> Result<Cadence, CadenceError> {
        let fields = expr.split_whitespace().count();
        if fields != 5 {
            return Err(CadenceError {
                expr: expr.to_string(),
                problem: format!("it has {fields} fields"),
            });
        }
        // The cron crate counts seconds first.
        let schedule =
            cron::Schedule::from_str(&format!("0 {}", expr.trim())).map_err(|e| CadenceError {
                expr: expr.to_string(),
                problem: e.to_string(),
            })?;
        Ok(Cadence {
            expr: expr.trim().to_string(),
            schedule,
        })
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// The latest instant of the cadence at or before `now`, in zone `tz`.
    pub fn latest(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let after = (now + Duration::seconds(1)).with_timezone(&tz);
        self.schedule
            .after(&after)
            .next_back()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The first instant of the cadence strictly after `now`, in zone `tz`.
    pub fn next(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        self.schedule
            .after(&now.with_timezone(&tz))
            .next()
            .map(|t| t.with_timezone(&Utc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn monday_ten_stays_local_across_dst() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let c = Cadence::parse("0 10 * * Mon").unwrap();
        // Monday 26 October 2026 10:00 EDT = 14:00 UTC; Monday 2 November 10:00 EST = 15:00 UTC.
        assert_eq!(
            c.latest(utc("2026-11-01T12:00:00Z"), ny),
            Some(utc("2026-10-26T14:00:00Z"))
        );
        assert_eq!(
            c.next(utc("2026-11-01T12:00:00Z"), ny),
            Some(utc("2026-11-02T15:00:00Z"))
        );
        // An instant of the cadence is its own latest.
        assert_eq!(
            c.latest(utc("2026-11-02T15:00:00Z"), ny),
            Some(utc("2026-11-02T15:00:00Z"))
        );
        assert_eq!(
            c.latest(utc("2026-11-02T14:59:59Z"), ny),
            Some(utc("2026-10-26T14:00:00Z"))
        );
    }

    #[test]
    fn rejects_what_is_not_five_fields() {
        let err = Cadence::parse("0 0 10 * * Mon").unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"0 0 10 * * Mon\" is not a cron expression of five fields (minute hour day month weekday, e.g. \"0 10 * * Mon\"): it has 6 fields"
        );
        assert!(Cadence::parse("0 25 * * *").is_err());
    }
}
