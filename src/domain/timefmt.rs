//! Dates and times as brands write them: the Seller Center's `DD/MM/YYYY[ HH:MM:SS]`, and ISO
//! `YYYY-MM-DD[THH:MM[:SS][Z|±HH:MM]]` in our own CSV files and on the command line. Local times
//! are read in a given time zone; a time skipped by a DST change is moved forward to the next
//! valid instant, and an ambiguous one takes the earlier instant.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("{0:?} is not a date in DD/MM/YYYY or DD/MM/YYYY HH:MM:SS form")]
    NotSellerCenterTime(String),
    #[error("{0:?} is not a date in YYYY-MM-DD form")]
    NotDate(String),
    #[error("{0:?} is not a date-time (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or RFC 3339)")]
    NotDateTime(String),
    #[error("{0:?} is not an IANA time zone (e.g. America/New_York)")]
    NotTimeZone(String),
}

/// Parses the Seller Center's `Time Created` (`21/11/2026` or `21/11/2026 14:03:59`).
pub fn parse_seller_center_time(raw: &str) -> Result<NaiveDateTime, TimeError> {
    let s = raw.trim();
    match exact_seller_center_time(s.as_bytes()) {
        Some(t) => Ok(t),
        None => any_seller_center_time(s),
    }
}

fn any_seller_center_time(s: &str) -> Result<NaiveDateTime, TimeError> {
    let err = || TimeError::NotSellerCenterTime(s.to_string());
    let (date_part, time_part) = match s.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = NaiveDate::parse_from_str(date_part, "%d/%m/%Y")
        .ok()
        .filter(plausible)
        .ok_or_else(err)?;
    let time = match time_part {
        None => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .map_err(|_| err())?,
    };
    Ok(date.and_time(time))
}

/// The common case, `DD/MM/YYYY HH:MM:SS` with every digit written, read without a format
/// interpreter (an import reads millions); anything else, or an impossible date or time, is left
/// to the general parser.
fn exact_seller_center_time(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() != 19
        || b[2] != b'/'
        || b[5] != b'/'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date =
        NaiveDate::from_ymd_opt(num(6..10)? as i32, num(3..5)?, num(0..2)?).filter(plausible)?;
    let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    Some(date.and_time(time))
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, TimeError> {
    let s = raw.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(plausible)
        .ok_or_else(|| TimeError::NotDate(s.to_string()))
}

/// Years PostgreSQL and people agree on (chrono also accepts year 0 and negative years).
fn plausible(date: &NaiveDate) -> bool {
    (1..=9999).contains(&date.year())
}

/// Parses an RFC 3339 instant, or a local `YYYY-MM-DD[ HH:MM[:SS]]` (also with `T`) read in `tz`.
pub fn parse_datetime(raw: &str, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    let s = raw.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s)
        && plausible(&dt.date_naive())
    {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(date) = parse_date(s) {
        return Ok(local_to_utc(date.and_time(NaiveTime::MIN), tz));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt)
            && plausible(&naive.date())
        {
            return Ok(local_to_utc(naive, tz));
        }
    }
    Err(TimeError::NotDateTime(s.to_string()))
}

pub fn parse_timezone(raw: &str) -> Result<Tz, TimeError> {
    raw.trim()
        .parse::<Tz>()
        .map_err(|_| TimeError::NotTimeZone(raw.trim().to_string()))
}

/// The instant a wall-clock time in `tz` denotes (see the module note for DST gaps and overlaps).
pub fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Inside a spring-forward gap: step forward minute by minute to the first valid time.
            let mut probe = naive;
            for _ in 0..(3 * 60) {
                probe += chrono::Duration::minutes(1);
                if let Some(dt) = tz.from_local_datetime(&probe).earliest() {
                    return dt.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&naive)
        }
    }
}

/// Midnight at the start of `day` in `tz`.
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(day.and_time(NaiveTime::MIN), tz)
}

/// The calendar day of `at` in `tz`.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// `7 Dec 2026 14:05 EST`: an instant as staff in `tz` read it.
pub fn local_minute(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%-d %b %Y %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_reads_what_the_general_parser_reads() {
        let mut cases = vec![
            "21/11/2026 14:03:59",
            "29/02/2024 00:00:00",
            "29/02/2026 00:00:00",
            "31/04/2026 10:00:00",
            "00/01/2026 10:00:00",
            "01/13/2026 10:00:00",
            "01/01/0000 10:00:00",
            "01/01/9999 23:59:59",
            "01/01/2026 24:00:00",
            "01/01/2026 23:60:00",
            "01/01/2026 23:59:60",
            "1/1/2026 3:04:05",
            "01/01/2026 3:04:05",
            "01-01-2026 03:04:05",
            "01/01/2026T03:04:05",
            "0a/01/2026 03:04:05",
            "01/01/2026 03:04",
        ];
        let generated: Vec<String> = (0..400)
            .map(|n| {
                format!(
                    "{:02}/{:02}/{:04} {:02}:{:02}:{:02}",
                    n % 33,
                    n % 14,
                    1990 + n % 50,
                    n % 25,
                    (n * 7) % 61,
                    (n * 11) % 61
                )
            })
            .collect();
        cases.extend(generated.iter().map(String::as_str));
        for s in cases {
            if let Some(fast) = exact_seller_center_time(s.as_bytes()) {
                assert_eq!(Ok(fast), any_seller_center_time(s), "{s}");
            } else if s.len() == 19 && s.as_bytes()[2] == b'/' && !s.contains('a') {
                // Left to the general parser only when it is wrong, or a leap second.
                assert!(
                    any_seller_center_time(s).is_err() || s.ends_with(":60"),
                    "{s} was read only by the general parser"
                );
            }
            assert_eq!(
                parse_seller_center_time(s).ok(),
                any_seller_center_time(s).ok(),
                "{s}"
            );
        }
    }

    #[test]
    fn seller_center_times() {
        assert_eq!(
            parse_seller_center_time("21/11/2026 14:03:59")
                .unwrap()
                .to_string(),
            "2026-11-21 14:03:59"
        );
        assert_eq!(
            parse_seller_center_time("01/02/2026").unwrap().to_string(),
            "2026-02-01 00:00:00"
        );
        assert_eq!(
            parse_seller_center_time("2026-11-21"),
            Err(TimeError::NotSellerCenterTime("2026-11-21".into()))
        );
        assert!(parse_seller_center_time("31/02/2026").is_err());
        assert!(parse_seller_center_time("01/01/0000").is_err());
        assert_eq!(
            parse_date("0000-01-01"),
            Err(TimeError::NotDate("0000-01-01".into()))
        );
        assert!(parse_datetime("0000-01-01 10:00", chrono_tz::UTC).is_err());
    }

    #[test]
    fn local_times_across_dst() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 2026-03-08 02:30 does not exist in New York; it becomes 03:00 EDT = 07:00 UTC.
        let t = parse_datetime("2026-03-08 02:30", ny).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-08T07:00:00+00:00");
        // 2026-11-01 01:30 happens twice; the earlier (EDT) is taken.
        let t = parse_datetime("2026-11-01 01:30", ny).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-01T05:30:00+00:00");
        assert_eq!(
            parse_datetime("2026-11-21T10:00:00Z", ny)
                .unwrap()
                .to_rfc3339(),
            "2026-11-21T10:00:00+00:00"
        );
    }
}
