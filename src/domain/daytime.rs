//! When a DM may reach a creator: only inside their local daytime (default 09:00–20:00 in their
//! own time zone). A message due at night waits for the next morning.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

use super::timefmt::local_to_utc;

/// A creator's daytime window, `[start, end)` in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Daytime {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Daytime {
    /// Whether `at` falls inside the window in `tz`.
    pub fn contains(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        let local = at.with_timezone(&tz).time();
        local >= self.start && local < self.end
    }

    /// `at` itself when it is daytime in `tz`, else the start of the next daytime (today's
    /// morning before `start`, tomorrow's after `end`). A morning that a DST change skips begins
    /// at the first valid instant after it.
    pub fn next_allowed(&self, at: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
        if self.contains(at, tz) {
            return at;
        }
        let local = at.with_timezone(&tz);
        let day = if local.time() < self.start {
            local.date_naive()
        } else {
            local.date_naive() + Duration::days(1)
        };
        local_to_utc(day.and_time(self.start), tz)
    }
}

impl Default for Daytime {
    fn default() -> Self {
        Daytime {
            start: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
            end: NaiveTime::from_hms_opt(20, 0, 0).expect("valid time"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn waits_for_the_local_morning() {
        let d = Daytime::default();
        let ny: Tz = "America/New_York".parse().unwrap();
        // 08:59 in New York (EDT, UTC-4) -> 09:00 the same day.
        assert_eq!(
            d.next_allowed(utc("2026-06-01T12:59:00Z"), ny),
            utc("2026-06-01T13:00:00Z")
        );
        // 09:00 exactly is daytime; 20:00 exactly is not.
        assert_eq!(
            d.next_allowed(utc("2026-06-01T13:00:00Z"), ny),
            utc("2026-06-01T13:00:00Z")
        );
        assert_eq!(
            d.next_allowed(utc("2026-06-02T00:00:00Z"), ny),
            utc("2026-06-02T13:00:00Z")
        );
        // Tokyo has no DST: 23:30 local -> 09:00 next day.
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            d.next_allowed(utc("2026-06-01T14:30:00Z"), tokyo),
            utc("2026-06-02T00:00:00Z")
        );
    }

    #[test]
    fn follows_the_dst_change() {
        let d = Daytime::default();
        let ny: Tz = "America/New_York".parse().unwrap();
        // Saturday 7 March 2026 22:00 EST (UTC-5); clocks go forward on Sunday 8 March, so the
        // next morning's 09:00 is EDT (UTC-4).
        assert_eq!(
            d.next_allowed(utc("2026-03-08T03:00:00Z"), ny),
            utc("2026-03-08T13:00:00Z")
        );
        // A window starting inside the skipped hour begins at 03:00 EDT.
        let early = Daytime {
            start: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        };
        assert_eq!(
            early.next_allowed(utc("2026-03-08T04:00:00Z"), ny),
            utc("2026-03-08T07:00:00Z")
        );
    }
}
