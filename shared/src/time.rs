//! Timestamps on the wire: RFC 3339 in UTC with its offset, `2026-12-02T03:04:05.123456Z`.
//!
//! The types keep chrono's `NaiveDateTime` (every time in flowwalk is UTC), so neither side
//! changes its code; only the text form carries the `Z` a generated client or a browser
//! needs to read the time right. Reading accepts any RFC 3339 offset (converted to UTC) and
//! also the older form without one (taken as UTC), so data a phone stored before still
//! loads. Use as `#[serde(with = "crate::time::utc")]` (or `utc_option`).

use chrono::{DateTime, NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Deserializer, Serializer};

fn format(t: &NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// RFC 3339 with any offset, or the naive form (as UTC).
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.naive_utc())
        .ok()
        .or_else(|| text.parse::<NaiveDateTime>().ok())
}

fn read<'de, D: Deserializer<'de>>(text: &str) -> Result<NaiveDateTime, D::Error> {
    parse(text).ok_or_else(|| {
        serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(text),
            &"an RFC 3339 timestamp such as 2026-12-02T03:04:05Z",
        )
    })
}

pub mod utc {
    use super::*;

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        read::<D>(&text)
    }
}

pub mod utc_option {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&format(t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<std::borrow::Cow<str>>::deserialize(d)? {
            Some(text) => read::<D>(&text).map(Some),
            None => Ok(None),
        }
    }
}

/// China Standard Time (UTC+8 all year, no daylight saving), where every date a person
/// reads or picks is counted: deadlines, periods, quotas, campaign days, printed times.
/// Every time flowwalk stores is UTC; these turn one into the other.
pub mod china {
    use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

    /// The offset from UTC.
    pub const OFFSET: Duration = Duration::hours(8);

    /// The China date at a UTC instant.
    pub fn date_of(utc: NaiveDateTime) -> NaiveDate {
        (utc + OFFSET).date()
    }

    /// The UTC instant at which a China date begins.
    pub fn midnight_utc(date: NaiveDate) -> NaiveDateTime {
        date.and_time(chrono::NaiveTime::MIN) - OFFSET
    }

    /// Today in China.
    pub fn today() -> NaiveDate {
        date_of(Utc::now().naive_utc())
    }

    /// The China wall-clock time of a UTC instant.
    pub fn local(utc: NaiveDateTime) -> NaiveDateTime {
        utc + OFFSET
    }

    /// `2026-07-01 14:05`, China time, as printed forms and screens show a moment.
    pub fn minute_text(utc: NaiveDateTime) -> String {
        local(utc).format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Serialize};

    use super::china;

    #[test]
    fn china_dates_turn_at_16_utc() {
        let at = |s: &str| s.parse::<NaiveDateTime>().unwrap();
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(china::date_of(at("2026-12-31T15:59:59")), d("2026-12-31"));
        assert_eq!(china::date_of(at("2026-12-31T16:00:00")), d("2027-01-01"));
        assert_eq!(
            china::midnight_utc(d("2027-01-01")),
            at("2026-12-31T16:00:00")
        );
        assert_eq!(
            china::minute_text(at("2026-07-01T06:05:59")),
            "2026-07-01 14:05"
        );
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        #[serde(with = "super::utc")]
        at: chrono::NaiveDateTime,
        #[serde(default, with = "super::utc_option")]
        maybe: Option<chrono::NaiveDateTime>,
    }

    #[test]
    fn written_with_z_read_with_or_without_an_offset() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 123_456_000)
            .unwrap()
            .naive_utc();
        let t = T { at, maybe: None };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"at":"2027-01-15T08:00:00.123456Z","maybe":null}"#);
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), t);
        // Stored by an older version: no offset.
        let old: T = serde_json::from_str(r#"{"at":"2027-01-15T08:00:00.123456"}"#).unwrap();
        assert_eq!(old, t);
        // Another offset is converted.
        let east: T = serde_json::from_str(
            r#"{"at":"2027-01-15T16:00:00.123456+08:00","maybe":"2027-01-15T08:00:00.123456Z"}"#,
        )
        .unwrap();
        assert_eq!(east.at, at);
        assert_eq!(east.maybe, Some(at));
        assert!(serde_json::from_str::<T>(r#"{"at":"yesterday"}"#).is_err());
    }
}
