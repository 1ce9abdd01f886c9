//! A typed ISO-8601 interval (`start/end`), parsed in the forms
//! `docs/FIDELITY.md` lists under "Intervals".

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A half-open UTC interval `[start, end)`, rendered as `start/end` in ISO-8601.
///
/// Parses each side as a full RFC 3339 date-time (with or without an offset;
/// without one it is UTC), a date `YYYY-MM-DD` or a month `YYYY-MM`; a date or
/// month stands for its first instant. The end must be after the start.
///
/// # The two services read the end differently
///
/// The text is what goes on the wire; how the service reads it depends on
/// the service:
///
/// - the **legacy** queries (`ApiUsageOrganizationQuery`, `ApiUsageClientQuery`,
///   `ApiUsageSimpleSearch`) count the days in `[start, end)`: the end is
///   excluded, as this type's own methods assume;
/// - the **jobs** queries (`OrganizationPublicApiUsageQueryRequest`,
///   `ClientPublicApiUsageQueryRequest`) count `[start, end]`: Genesys
///   documents both ends as inclusive, so an end of `2026-12-01` (that day's
///   first instant) counts 1 December too.
///
/// So `2026-11-30/2026-12-01` is one day for a legacy query and two for a
/// jobs query, and [`Interval::days(first, last)`](Self::days), which ends at
/// the midnight after `last`, covers one day more than asked when sent to
/// the jobs service. For the days `first..=last`, send the jobs service
/// `format!("{first}/{last}")` (or an end of `…T23:59:59`, as Genesys's own
/// examples do). The CLI prints a note whenever the two readings differ.
///
/// # A window in the future is not an error
///
/// Usage data of a UTC day appears only after that day ends; the current
/// day and later never have rows. A window that starts today or later is
/// accepted and comes back with no rows (`results`/`entities` empty or
/// absent), not with an error. The CLI warns about such a window.
///
/// ```
/// use genesys_usage::Interval;
/// let week: Interval = "2024-01-01/2024-01-08".parse().unwrap();
/// assert_eq!(week.to_string(), "2024-01-01T00:00:00Z/2024-01-08T00:00:00Z");
/// assert!("2024-01-08/2024-01-01".parse::<Interval>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Why a text is not an [`Interval`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntervalError {
    /// The text has no `/` between start and end.
    #[error("interval must be `start/end`, got {0:?}")]
    MissingSlash(String),
    /// One side is not a date-time, a date or a month.
    #[error(
        "interval {side} {value:?} is not an RFC 3339 date-time, a YYYY-MM-DD date or a YYYY-MM month"
    )]
    BadBound {
        /// `start` or `end`.
        side: &'static str,
        /// The text of that side.
        value: String,
    },
    /// The end is not after the start.
    #[error("interval end must be after its start")]
    EndNotAfterStart,
}

impl Interval {
    /// An interval from `start` to `end`.
    ///
    /// # Errors
    /// [`IntervalError::EndNotAfterStart`] when `end <= start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, IntervalError> {
        if end <= start {
            return Err(IntervalError::EndNotAfterStart);
        }
        Ok(Self { start, end })
    }

    /// The whole UTC days `[first, last]` (both inclusive).
    ///
    /// # Errors
    /// [`IntervalError::EndNotAfterStart`] when `last < first`.
    pub fn days(first: NaiveDate, last: NaiveDate) -> Result<Self, IntervalError> {
        let end = last.succ_opt().ok_or(IntervalError::EndNotAfterStart)?;
        Self::new(midnight(first), midnight(end))
    }

    /// The last `days` whole UTC days before today (today excluded, as the
    /// service has no data for it yet). `days` of 0 is taken as 1. It ends at
    /// today's midnight, so the jobs service, which also counts the end, adds
    /// only today, which has no data: both services give the same days.
    #[must_use]
    pub fn last_days(days: u32) -> Self {
        Self::last_days_before(Utc::now(), days)
    }

    /// The last `days` whole UTC days before the day of `now`.
    #[must_use]
    pub fn last_days_before(now: DateTime<Utc>, days: u32) -> Self {
        let end = midnight(now.date_naive());
        let start = end - Duration::days(i64::from(days.max(1)));
        Self { start, end }
    }

    /// The first instant.
    #[must_use]
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the interval.
    #[must_use]
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Whether `t` lies in `[start, end)`.
    #[must_use]
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// Parses `start/end`.
    ///
    /// # Errors
    /// An [`IntervalError`] naming what is wrong.
    pub fn parse(text: &str) -> Result<Self, IntervalError> {
        let (start, end) = text
            .split_once('/')
            .ok_or_else(|| IntervalError::MissingSlash(text.to_owned()))?;
        let start = parse_bound(start).ok_or_else(|| IntervalError::BadBound {
            side: "start",
            value: start.to_owned(),
        })?;
        let end = parse_bound(end).ok_or_else(|| IntervalError::BadBound {
            side: "end",
            value: end.to_owned(),
        })?;
        Self::new(start, end)
    }
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// One side of an interval: RFC 3339 (offset optional), `YYYY-MM-DD` or `YYYY-MM`,
/// in UTC years 0000 to 9999. RFC 3339 has four-digit years only, so an
/// instant outside them (chrono reads `-024-02-01` or `+12345-01-01`) could
/// not be displayed back in a form that parses.
fn parse_bound(text: &str) -> Option<DateTime<Utc>> {
    parse_any_year(text).filter(|t| (0..=9999).contains(&t.year()))
}

fn parse_any_year(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    if text.len() == 10 {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(midnight);
    }
    if text.len() == 7 {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
        return Some(midnight(date));
    }
    None
}

/// Whole seconds when there is no fraction, else 3, 6 or 9 digits (`%.f`):
/// milliseconds as the wire shows them, and never a lossy rounding, which
/// could render a sub-millisecond interval as an empty `t/t`.
fn write_instant(f: &mut fmt::Formatter<'_>, t: DateTime<Utc>) -> fmt::Result {
    write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.fZ"))
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.start)?;
        f.write_str("/")?;
        write_instant(f, self.end)
    }
}

impl FromStr for Interval {
    type Err = IntervalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<Interval> for String {
    fn from(interval: Interval) -> Self {
        interval.to_string()
    }
}

impl serde::Serialize for Interval {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Interval {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_form() {
        for text in [
            "2024-01-01T00:00:00Z/2024-01-08T00:00:00Z",
            "2025-06-01T00:00:00/2025-06-30T23:59:59",
            "2020-02-01/2020-02-28",
            "2020-01/2020-06",
            "2024-01-01T02:00:00+02:00/2024-01-02",
        ] {
            assert!(Interval::parse(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn offset_is_converted_to_utc() {
        let i = Interval::parse("2024-01-01T02:00:00+02:00/2024-01-02").unwrap();
        assert_eq!(
            i.start(),
            midnight(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        );
    }

    #[test]
    fn rejects_bad_forms_with_the_side_named() {
        assert!(matches!(
            Interval::parse("2024-01-01"),
            Err(IntervalError::MissingSlash(_))
        ));
        assert!(matches!(
            Interval::parse("2024-13/2025-01"),
            Err(IntervalError::BadBound { side: "start", .. })
        ));
        assert!(matches!(
            Interval::parse("2024-01-01/tomorrow"),
            Err(IntervalError::BadBound { side: "end", .. })
        ));
        assert_eq!(
            Interval::parse("2024-02/2024-02"),
            Err(IntervalError::EndNotAfterStart)
        );
    }

    #[test]
    fn display_round_trips() {
        let i = Interval::parse("2024-01-01T00:00:00.250Z/2024-01-02").unwrap();
        assert_eq!(Interval::parse(&i.to_string()).unwrap(), i);
    }

    #[test]
    fn display_keeps_sub_millisecond_precision() {
        let start = Interval::parse("2024-01-01/2024-01-02").unwrap().start();
        let i = Interval::new(start, start + Duration::nanoseconds(1)).unwrap();
        assert_eq!(
            i.to_string(),
            "2024-01-01T00:00:00Z/2024-01-01T00:00:00.000000001Z"
        );
        assert_eq!(Interval::parse(&i.to_string()).unwrap(), i);
    }

    #[test]
    fn last_days_ends_at_todays_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 15, 0, 0).unwrap();
        let i = Interval::last_days_before(now, 7);
        assert_eq!(i.to_string(), "2026-11-19T00:00:00Z/2026-11-26T00:00:00Z");
    }
}
