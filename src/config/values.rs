//! How typed config values are written in the file and the environment: a time zone by its IANA
//! name, a time of day as `HH:MM`. Parsing happens while the config is extracted, so a bad value
//! is reported with its key and where it came from, like any other type error.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

/// A `chrono_tz::Tz` by its IANA name (`"America/New_York"`).
pub mod timezone {
    use super::*;
    use chrono_tz::Tz;

    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(|_| {
            D::Error::custom(format!(
                "{name:?} is not an IANA time zone (e.g. \"America/New_York\")"
            ))
        })
    }
}

/// A `chrono::NaiveTime` as `HH:MM`; surrounding spaces are ignored.
pub mod clock_time {
    use super::*;
    use chrono::NaiveTime;

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
            D::Error::custom(format!(
                "{text:?} is not a time in HH:MM form (e.g. \"09:00\")"
            ))
        })
    }
}
