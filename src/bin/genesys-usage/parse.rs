//! Value parsers for flags clap cannot parse on its own: durations, the
//! `--last` window, `--sort`, and the wire enums (matched without regard to
//! case, then written back with the wire's spelling).

use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use genesys_usage::{
    ClientGroupBy, ClientJobsGroupBy, Granularity, HttpMethod, Interval, OrganizationGroupBy,
    OrganizationJobsGroupBy, SimpleSearchMetric, SortOrder, UsageMetric, UsageQuerySortBy,
};

/// A wire enum with a closed list of known values.
pub(crate) trait WireValue: Clone + Send + Sync + 'static {
    /// Every value the SDK knows.
    fn known() -> &'static [Self];
    /// The wire spelling.
    fn wire(&self) -> &'static str;
}

macro_rules! wire_value {
    ($($ty:ty),+) => {$(
        impl WireValue for $ty {
            fn known() -> &'static [Self] {
                <$ty>::KNOWN
            }
            fn wire(&self) -> &'static str {
                // KNOWN holds only known variants, whose text is 'static.
                Self::known()
                    .iter()
                    .find(|v| *v == self)
                    .map_or("", |v| v.as_str())
            }
        }
    )+};
}

wire_value!(
    Granularity,
    UsageMetric,
    SimpleSearchMetric,
    OrganizationGroupBy,
    ClientGroupBy,
    OrganizationJobsGroupBy,
    ClientJobsGroupBy,
    HttpMethod
);

/// A clap parser accepting the known values of `T`, case-insensitively when
/// the argument sets `ignore_case`, and listing them in `--help`.
pub(crate) fn wire<T: WireValue>() -> impl TypedValueParser<Value = T> {
    let names: Vec<&'static str> = T::known().iter().map(WireValue::wire).collect();
    PossibleValuesParser::new(names).map(|text: String| {
        T::known()
            .iter()
            .find(|v| v.wire().eq_ignore_ascii_case(&text))
            .cloned()
            // The possible-values check ran first, so a match exists.
            .unwrap_or_else(|| T::known()[0].clone())
    })
}

/// A duration such as `500ms`, `30s`, `10m`, `1h` or `2d`; a bare number is
/// seconds.
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 30s, 10m or 1h"))?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => {
            return Err(format!(
                "unknown duration unit {other:?} (use ms, s, m, h or d)"
            ));
        }
    };
    Ok(Duration::from_secs(n.saturating_mul(seconds)))
}

/// A window ending today at 00:00 UTC: `7d`, `2w`, or a bare number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastDays(pub(crate) u32);

impl LastDays {
    /// The interval of whole UTC days ending at today's midnight.
    pub(crate) fn interval(self) -> Interval {
        Interval::last_days(self.0)
    }
}

/// The longest `--last`: 3660 days, about ten years.
const MAX_LAST_DAYS: u32 = 3660;

/// Parses `--last`. Both refusals name the units and the range, so `10y`
/// and `100000d` get the same advice.
pub(crate) fn last(text: &str) -> Result<LastDays, String> {
    let text = text.trim();
    let rule = format!("use days (d) or weeks (w), 1 to {MAX_LAST_DAYS} days, e.g. 7d or 2w");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let per_unit = match unit {
        "" | "d" => 1,
        "w" => 7,
        other => return Err(format!("{text:?}: unknown unit {other:?}; {rule}")),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a number of days or weeks; {rule}"))?;
    let days = n.saturating_mul(per_unit);
    match u32::try_from(days) {
        Ok(days @ 1..=MAX_LAST_DAYS) => Ok(LastDays(days)),
        _ => Err(format!("{text:?} is {days} days; {rule}")),
    }
}

/// Parses an execution id: anything but empty (it becomes a path segment).
pub(crate) fn execution_id(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("an execution id cannot be empty: pass the id the submit printed".to_owned());
    }
    Ok(text.to_owned())
}

/// Parses `--interval START/END`, checking it locally so typos fail before
/// anything is sent.
pub(crate) fn interval(text: &str) -> Result<Interval, String> {
    Interval::parse(text).map_err(|e| e.to_string())
}

/// Parses `--sort field:asc|desc` (the order may be left out).
pub(crate) fn sort(text: &str) -> Result<UsageQuerySortBy, String> {
    let (field, order) = match text.rsplit_once(':') {
        Some((field, order)) => (field, Some(order)),
        None => (text, None),
    };
    if field.trim().is_empty() {
        return Err(format!(
            "{text:?} has no field name (use field:asc or field:desc)"
        ));
    }
    let order = match order.map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("asc") => Some(SortOrder::Asc),
        Some("desc") => Some(SortOrder::Desc),
        Some(other) => return Err(format!("sort order {other:?} must be asc or desc")),
    };
    Ok(UsageQuerySortBy {
        field_name: Some(field.trim().to_owned()),
        order,
    })
}

/// Parses `--days` of the summary: 1 to 365, as the service accepts.
pub(crate) fn days(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(days @ 1..=365) => Ok(days),
        _ => Err(format!(
            "{text:?} must be a whole number of days from 1 to 365"
        )),
    }
}

/// Parses `--page-size`: 1 to 1000, as the service accepts.
pub(crate) fn page_size(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(size @ 1..=1000) => Ok(size),
        _ => Err(format!("{text:?} must be a page size from 1 to 1000")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn bad_durations_say_what_is_wrong() {
        assert!(duration("ten").unwrap_err().contains("not a duration"));
        assert!(duration("5y").unwrap_err().contains("unit"));
        assert!(duration("").is_err());
    }

    #[test]
    fn last_accepts_days_weeks_and_bare_numbers() {
        assert_eq!(last("7d"), Ok(LastDays(7)));
        assert_eq!(last("2w"), Ok(LastDays(14)));
        assert_eq!(last("30"), Ok(LastDays(30)));
    }

    #[test]
    fn last_refuses_zero_and_nonsense() {
        assert!(last("0d").is_err());
        assert!(last("w").is_err());
        assert!(last("3x").is_err());
        assert!(last("-3d").is_err());
    }

    #[test]
    fn an_unknown_unit_and_a_window_too_long_get_the_same_advice() {
        let unit = last("10y").unwrap_err();
        let long = last("100000d").unwrap_err();
        assert_eq!(
            unit,
            r#""10y": unknown unit "y"; use days (d) or weeks (w), 1 to 3660 days, e.g. 7d or 2w"#
        );
        assert_eq!(
            long,
            r#""100000d" is 100000 days; use days (d) or weeks (w), 1 to 3660 days, e.g. 7d or 2w"#
        );
        assert!(last("600w").unwrap_err().contains("is 4200 days"));
        assert_eq!(last("3660d"), Ok(LastDays(3660)));
    }

    #[test]
    fn an_empty_execution_id_is_refused() {
        assert!(execution_id("").unwrap_err().contains("cannot be empty"));
        assert!(execution_id("  ").is_err());
        assert_eq!(execution_id("abc"), Ok("abc".to_owned()));
    }

    #[test]
    fn sort_reads_field_and_order() {
        let s = sort("requestCount:desc").unwrap();
        assert_eq!(s.field_name.as_deref(), Some("requestCount"));
        assert_eq!(s.order, Some(SortOrder::Desc));
        assert_eq!(sort("date:ASC").unwrap().order, Some(SortOrder::Asc));
        assert_eq!(sort("date").unwrap().order, None);
    }

    #[test]
    fn sort_refuses_a_missing_field_or_a_bad_order() {
        assert!(sort(":asc").is_err());
        assert!(sort("date:up").unwrap_err().contains("asc or desc"));
    }

    #[test]
    fn wire_values_keep_the_wire_spelling() {
        assert_eq!(OrganizationGroupBy::OAuthClientId.wire(), "OAuthClientId");
        assert_eq!(HttpMethod::Get.wire(), "GET");
    }

    #[test]
    fn days_and_page_sizes_are_bounded() {
        assert_eq!(days("30"), Ok(30));
        assert!(days("0").is_err());
        assert!(days("366").is_err());
        assert_eq!(page_size("1000"), Ok(1000));
        assert!(page_size("1001").is_err());
    }
}
