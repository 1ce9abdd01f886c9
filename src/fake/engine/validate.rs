//! Validation of request fields into Genesys-shaped 400 answers (the rules
//! of `docs/FIDELITY.md`, "Decisions where Genesys is silent").

use chrono::{DateTime, Months, Utc};

use crate::fake::answer::EngineFailure;
use crate::fake::data::aggregate::{
    Bucket, CLIENT, Counter, DATE, Filter, METHOD, ORG, PLATFORM, SortField, SortKey, TEMPLATE,
    USER,
};
use crate::fake::data::cast::METHODS;
use crate::fake::data::dataset::Dataset;
use crate::fake::data::view::MetricSet;
use crate::models::{Granularity, HttpMethod, Interval, SortOrder, UsageMetric, UsageQuerySortBy};

fn bad(field: &str, code: &str, message: impl Into<String>) -> EngineFailure {
    EngineFailure::bad_request(field, code, message)
}

/// An interval in one of the forms of `docs/FIDELITY.md`, "Intervals".
pub(crate) fn interval(text: &str) -> Result<Interval, EngineFailure> {
    Interval::parse(text).map_err(|e| {
        bad(
            "interval",
            "invalid.interval",
            format!("interval is not valid: {e}"),
        )
    })
}

/// A jobs interval: also at most a year back and at most 90 days long.
pub(crate) fn jobs_interval(text: &str, now: DateTime<Utc>) -> Result<Interval, EngineFailure> {
    let parsed = interval(text)?;
    let year_ago = now.checked_sub_months(Months::new(12)).unwrap_or(now);
    if parsed.start() < year_ago {
        return Err(bad(
            "interval",
            "out.of.range",
            "interval start cannot be more than a year ago",
        ));
    }
    if parsed.end() - parsed.start() > chrono::Duration::days(90) {
        return Err(bad(
            "interval",
            "out.of.range",
            "interval end cannot be more than 90 days after the start",
        ));
    }
    Ok(parsed)
}

/// `granularity` → bucket.
pub(crate) fn granularity(g: Option<&Granularity>) -> Result<Option<Bucket>, EngineFailure> {
    match g {
        None => Ok(None),
        Some(Granularity::Day) => Ok(Some(Bucket::Day)),
        Some(Granularity::Week) => Ok(Some(Bucket::Week)),
        Some(Granularity::Month) => Ok(Some(Bucket::Month)),
        Some(other) => Err(unknown(
            "granularity",
            other.as_str(),
            names(Granularity::KNOWN, Granularity::as_str),
        )),
    }
}

/// The 400 for a value outside a field's enum, listing the allowed values
/// (and the one meant, when only the case differs: matching is exact).
pub(crate) fn unknown<'a>(
    field: &str,
    value: &str,
    allowed: impl IntoIterator<Item = &'a str>,
) -> EngineFailure {
    let allowed: Vec<&str> = allowed.into_iter().collect();
    let mut message = format!(
        "{field} value {value:?} is not allowed; allowed values: {}",
        allowed.join(", ")
    );
    if let Some(meant) = allowed.iter().find(|a| a.eq_ignore_ascii_case(value)) {
        message.push_str(&format!(
            " (matching is case-sensitive: did you mean {meant:?}?)"
        ));
    }
    bad(field, "invalid.value", message)
}

/// The wire names of an enum's known values.
pub(crate) fn names<T>(known: &[T], name: impl Fn(&T) -> &str) -> Vec<&str> {
    known.iter().map(name).collect()
}

/// `metrics` of the organisation, client and jobs queries (omitted or empty: all).
pub(crate) fn metrics(list: Option<&[UsageMetric]>) -> Result<MetricSet, EngineFailure> {
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        return Ok(MetricSet::ALL);
    };
    let mut set = MetricSet::NONE;
    for m in list {
        match m {
            UsageMetric::Status200 => set.s200 = true,
            UsageMetric::Status300 => set.s300 = true,
            UsageMetric::Status400 => set.s400 = true,
            UsageMetric::Status500 => set.s500 = true,
            UsageMetric::Status429 => set.s429 = true,
            UsageMetric::Requests => set.requests = true,
            other => {
                let allowed = names(UsageMetric::KNOWN, UsageMetric::as_str);
                return Err(unknown("metrics", other.as_str(), allowed));
            }
        }
    }
    Ok(set)
}

/// `httpMethods` filter; the jobs service knows only six methods.
pub(crate) fn http_methods(
    filter: &mut Filter,
    list: Option<&[HttpMethod]>,
    jobs: bool,
) -> Result<(), EngineFailure> {
    let Some(list) = list else { return Ok(()) };
    for m in list {
        let jobs_only_rejects = jobs
            && matches!(
                m,
                HttpMethod::Connect | HttpMethod::Options | HttpMethod::Trace
            );
        if !m.is_known() || jobs_only_rejects {
            let known = if jobs {
                &HttpMethod::KNOWN[..6]
            } else {
                HttpMethod::KNOWN
            };
            return Err(unknown(
                "httpMethods",
                m.as_str(),
                names(known, HttpMethod::as_str),
            ));
        }
    }
    filter.restrict(METHOD, METHODS.len(), |i| list.contains(&METHODS[i]));
    Ok(())
}

/// A filter on text values of one slot; `None` leaves the slot open.
pub(crate) fn text_filter(
    filter: &mut Filter,
    slot: usize,
    list: Option<&[String]>,
    dataset: &Dataset,
) {
    let Some(list) = list else { return };
    let has = |text: &str| list.iter().any(|s| s == text);
    let c = dataset.catalog();
    match slot {
        TEMPLATE => filter.restrict(slot, c.templates.len(), |i| has(&c.templates[i])),
        PLATFORM => filter.restrict(slot, c.platforms.len(), |i| has(&c.platforms[i])),
        ORG => filter.restrict(slot, c.orgs.len(), |i| has(&c.orgs[i].0)),
        CLIENT => filter.restrict(slot, c.clients.len(), |i| has(&c.clients[i].id)),
        USER => filter.restrict(slot, c.users.len(), |i| has(&c.users[i].id)),
        _ => {}
    }
}

/// The `oauthClientNames` filter of the simple search.
pub(crate) fn client_names(filter: &mut Filter, list: Option<&[String]>, dataset: &Dataset) {
    if let Some(list) = list {
        let clients = &dataset.catalog().clients;
        filter.restrict(CLIENT, clients.len(), |i| {
            list.iter().any(|n| *n == clients[i].name)
        });
    }
}

/// Keeps one OAuth client (an unknown id keeps nothing: a client without usage).
pub(crate) fn only_client(filter: &mut Filter, client_id: &str, dataset: &Dataset) {
    let clients = &dataset.catalog().clients;
    filter.restrict(CLIENT, clients.len(), |i| clients[i].id == client_id);
}

/// The owners that mark Genesys's own OAuth clients (spec §13b).
pub(crate) const GENESYS_OWNERS: [&str; 2] = ["purecloud", "purecloud-builtin"];

/// Leaves out Genesys's own clients: the legacy service (L1–L7) does not
/// report them; the jobs service does (spec §13b).
pub(crate) fn without_genesys_clients(filter: &mut Filter, dataset: &Dataset) {
    let clients = &dataset.catalog().clients;
    filter.restrict(CLIENT, clients.len(), |i| {
        !GENESYS_OWNERS.contains(&clients[i].owner.as_str())
    });
}

/// Keeps the main organisation (legacy and organisation queries report on it).
pub(crate) fn only_main_org(filter: &mut Filter, dataset: &Dataset) {
    let c = dataset.catalog();
    filter.restrict(ORG, c.orgs.len(), |i| i == c.main_org as usize);
}

/// A path client id: it must not be empty.
pub(crate) fn client_id(id: &str) -> Result<&str, EngineFailure> {
    if id.trim().is_empty() {
        return Err(bad("clientId", "required", "clientId must not be empty"));
    }
    Ok(id)
}

/// `days` of the summary: a decimal string 1..=365, default 7.
pub(crate) fn days(text: Option<&str>) -> Result<u32, EngineFailure> {
    let Some(text) = text else { return Ok(7) };
    let err = || {
        bad(
            "days",
            "invalid.value",
            format!("days must be a whole number from 1 to 365, got {text:?}"),
        )
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    match text.parse::<u32>() {
        Ok(n @ 1..=365) => Ok(n),
        _ => Err(err()),
    }
}

/// `sortBy` of the jobs queries. `organization` allows `organizationId`
/// (client jobs rows carry it).
pub(crate) fn sort_by(
    list: Option<&[UsageQuerySortBy]>,
    client_rows: bool,
) -> Result<Vec<SortKey>, EngineFailure> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|s| {
            let name = s.field_name.as_deref().unwrap_or("");
            let field = sort_field(name, client_rows).ok_or_else(|| {
                let fields = SORT_FIELDS.iter().copied();
                let org = client_rows.then_some("organizationId");
                unknown("sortBy", name, fields.chain(org))
            })?;
            let descending = match &s.order {
                None | Some(SortOrder::Asc) => false,
                Some(SortOrder::Desc) => true,
                Some(other) => {
                    let allowed = names(SortOrder::KNOWN, SortOrder::as_str);
                    return Err(unknown("sortBy", other.as_str(), allowed));
                }
            };
            Ok(SortKey { field, descending })
        })
        .collect()
}

/// The row fields a jobs query can sort by (client rows also `organizationId`).
const SORT_FIELDS: [&str; 10] = [
    "requestCount",
    "status200",
    "status300",
    "status400",
    "status429",
    "status500",
    "date",
    "templateUri",
    "httpMethod",
    "platform",
];

fn sort_field(name: &str, client_rows: bool) -> Option<SortField> {
    let counter = match name {
        "requestCount" => Counter::Requests,
        "status200" => Counter::S200,
        "status300" => Counter::S300,
        "status400" => Counter::S400,
        "status429" => Counter::S429,
        "status500" => Counter::S500,
        "date" => return Some(SortField::Slot(DATE)),
        "templateUri" => return Some(SortField::Slot(TEMPLATE)),
        "httpMethod" => return Some(SortField::Slot(METHOD)),
        "platform" => return Some(SortField::Slot(PLATFORM)),
        "organizationId" if client_rows => return Some(SortField::Slot(ORG)),
        _ => return None,
    };
    Some(SortField::Counter(counter))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn field_of(e: &EngineFailure) -> Vec<&str> {
        e.body.field_names().collect()
    }

    #[test]
    fn bad_interval_names_the_field() {
        let e = interval("yesterday").unwrap_err();
        assert_eq!((e.status, field_of(&e)), (400, vec!["interval"]));
    }

    #[test]
    fn jobs_interval_enforces_a_year_back_and_ninety_days() {
        let now = Utc.with_ymd_and_hms(2025, 6, 15, 0, 0, 0).unwrap();
        assert!(jobs_interval("2025-03-01/2025-05-30", now).is_ok());
        assert!(jobs_interval("2025-01-01/2025-06-01", now).is_err());
        assert!(jobs_interval("2024-06-01/2024-06-10", now).is_err());
    }

    #[test]
    fn days_accepts_only_1_to_365() {
        assert_eq!(days(None).unwrap(), 7);
        assert_eq!(days(Some("365")).unwrap(), 365);
        for text in ["0", "366", "-1", "7.5", "", " 7", "seven"] {
            assert_eq!(
                field_of(&days(Some(text)).unwrap_err()),
                vec!["days"],
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_enum_values_are_refused() {
        assert!(granularity(Some(&Granularity::from_wire("Hour"))).is_err());
        assert!(metrics(Some(&[UsageMetric::from_wire("Status418")])).is_err());
        let mut f = Filter::default();
        assert!(http_methods(&mut f, Some(&[HttpMethod::Trace]), true).is_err());
        assert!(http_methods(&mut f, Some(&[HttpMethod::Trace]), false).is_ok());
    }

    #[test]
    fn a_value_that_is_not_allowed_lists_the_allowed_values_and_the_one_meant() {
        let e = unknown(
            "groupBy",
            "OAuthClientId",
            ["OauthClientName", "OauthClientId"],
        );
        let message = e.body.message.unwrap();
        assert!(
            message.contains("allowed values: OauthClientName, OauthClientId"),
            "{message}"
        );
        assert!(
            message.contains("did you mean \"OauthClientId\""),
            "{message}"
        );
        let e = unknown("granularity", "Hour", ["Day", "Week", "Month"]);
        assert!(!e.body.message.unwrap().contains("did you mean"));
        let bad_field = UsageQuerySortBy {
            field_name: Some("bananas".into()),
            order: Some(SortOrder::Desc),
        };
        let message = sort_by(Some(&[bad_field]), true).unwrap_err().body.message;
        let message = message.unwrap();
        for field in SORT_FIELDS.iter().chain(&["organizationId"]) {
            assert!(message.contains(field), "{message}");
        }
    }

    #[test]
    fn sort_by_knows_counters_and_date_only() {
        let ok = UsageQuerySortBy {
            field_name: Some("status429".into()),
            order: Some(SortOrder::Desc),
        };
        assert_eq!(sort_by(Some(&[ok]), false).unwrap().len(), 1);
        let bad_field = UsageQuerySortBy {
            field_name: Some("colour".into()),
            order: None,
        };
        assert_eq!(
            field_of(&sort_by(Some(&[bad_field]), false).unwrap_err()),
            vec!["sortBy"]
        );
    }
}
