//! [`UsageRecord`]: one row model for both query services, stamped with its
//! bucket, as a store keeps it.
//!
//! The legacy rows ([`ApiUsageRow`]) and the jobs rows
//! ([`OrganizationPublicApiUsage`], [`ClientPublicApiUsage`]) spell the same
//! facts differently: a date-time or a date, `requests` or `requestCount`, a
//! flat client id or a nested `oauthClient`. Neither says which granularity
//! its date belongs to. A `UsageRecord` carries every dimension and counter
//! under snake_case field names (`oauth_client_id`, `template_uri`, …), so that what a store
//! holds does not depend on which service filled it, and an export loads back
//! into the fake or the mock server as a dataset.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::enums::Granularity;
use super::jobs::{ClientPublicApiUsage, OrganizationPublicApiUsage};
use super::legacy::ApiUsageRow;
use crate::error::{Error, Result};

/// One bucket of usage: the requests of one OAuth client (and user, where one
/// acted) to one endpoint template with one method and platform, in one
/// organisation, over the bucket starting on `date` (UTC).
///
/// A dimension the query did not group on, or the service does not report
/// (the legacy rows have no platform), is the empty string. Counters keep the
/// invariants of the service: [`requests`](Self::requests) is the sum of the
/// four status classes and `status429` is a subset of `status400`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageRecord {
    /// First UTC day of the bucket (the day itself, the Monday of an ISO week,
    /// or the first of a month).
    pub date: NaiveDate,
    /// The bucket's length.
    pub granularity: Granularity,
    /// The organisation whose traffic it is.
    pub organization_id: String,
    /// OAuth client id.
    pub oauth_client_id: String,
    /// OAuth client name.
    pub oauth_client_name: String,
    /// User id; empty for client-credentials traffic.
    pub user_id: String,
    /// Endpoint template as the service writes it, e.g. `api/v2/users`.
    pub template_uri: String,
    /// HTTP method, e.g. `GET`.
    pub http_method: String,
    /// Calling platform (jobs rows only; empty from the legacy service).
    pub platform: String,
    /// 2xx count.
    pub status200: i64,
    /// 3xx count.
    pub status300: i64,
    /// 4xx count (429s included).
    pub status400: i64,
    /// 429 count, a subset of `status400`.
    pub status429: i64,
    /// 5xx count.
    pub status500: i64,
}

impl UsageRecord {
    /// An empty record of `date` at `granularity`: every dimension `""`,
    /// every counter 0. Set the fields you need.
    #[must_use]
    pub fn new(date: NaiveDate, granularity: Granularity) -> Self {
        Self {
            date,
            granularity,
            organization_id: String::new(),
            oauth_client_id: String::new(),
            oauth_client_name: String::new(),
            user_id: String::new(),
            template_uri: String::new(),
            http_method: String::new(),
            platform: String::new(),
            status200: 0,
            status300: 0,
            status400: 0,
            status429: 0,
            status500: 0,
        }
    }

    /// All requests: `status200 + status300 + status400 + status500`.
    #[must_use]
    pub fn requests(&self) -> i64 {
        self.status200 + self.status300 + self.status400 + self.status500
    }

    /// A legacy row (L2, L4, L6) of a query with `granularity`.
    /// `organization_id` fills the organisation when the row leaves it empty
    /// (a query not grouped on `OrganizationId` reports the caller's own).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming `date` when the row has no date (the
    /// query had no granularity) or an unreadable one.
    pub fn from_legacy_row(
        row: &ApiUsageRow,
        granularity: Granularity,
        organization_id: &str,
    ) -> Result<Self> {
        let date = row.date.as_deref().ok_or_else(|| missing_date("legacy"))?;
        // `2024-01-02T00:00:00Z`, sometimes with milliseconds: the day is the
        // first ten characters of a UTC date-time.
        let date = parse_day(date.get(..10).unwrap_or(date))?;
        Ok(Self {
            organization_id: non_empty_or(row.organization_id.as_deref(), organization_id),
            oauth_client_id: text(row.client_id.as_deref()),
            oauth_client_name: text(row.client_name.as_deref()),
            user_id: text(row.user_id.as_deref()),
            template_uri: text(row.template_uri.as_deref()),
            http_method: text(row.http_method.as_deref()),
            status200: row.status200.unwrap_or(0),
            status300: row.status300.unwrap_or(0),
            status400: row.status400.unwrap_or(0),
            status429: row.status429.unwrap_or(0),
            status500: row.status500.unwrap_or(0),
            ..Self::new(date, granularity)
        })
    }

    /// An organisation jobs row (N2) of a query with `granularity`, for the
    /// organisation `organization_id` (the rows do not name it).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming `date` when the row has no date or an
    /// unreadable one.
    pub fn from_organization_jobs_row(
        row: &OrganizationPublicApiUsage,
        granularity: Granularity,
        organization_id: &str,
    ) -> Result<Self> {
        let date = parse_day(row.date.as_deref().ok_or_else(|| missing_date("jobs"))?)?;
        let client = row.oauth_client.as_ref();
        Ok(Self {
            organization_id: organization_id.to_owned(),
            oauth_client_id: text(client.and_then(|c| c.id.as_deref())),
            oauth_client_name: text(client.and_then(|c| c.name.as_deref())),
            user_id: text(row.user.as_ref().and_then(|u| u.id.as_deref())),
            template_uri: text(row.template_uri.as_deref()),
            http_method: text(row.http_method.as_ref().map(|m| m.as_str())),
            platform: text(row.platform.as_deref()),
            status200: row.status200.unwrap_or(0),
            status300: row.status300.unwrap_or(0),
            status400: row.status400.unwrap_or(0),
            status429: row.status429.unwrap_or(0),
            status500: row.status500.unwrap_or(0),
            ..Self::new(date, granularity)
        })
    }

    /// A client jobs row (N4) of a query with `granularity`, for the OAuth
    /// client `client_id` named `client_name` (the rows name neither).
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] naming `date` when the row has no date or an
    /// unreadable one.
    pub fn from_client_jobs_row(
        row: &ClientPublicApiUsage,
        granularity: Granularity,
        client_id: &str,
        client_name: &str,
    ) -> Result<Self> {
        let date = parse_day(row.date.as_deref().ok_or_else(|| missing_date("jobs"))?)?;
        Ok(Self {
            organization_id: text(row.organization_id.as_deref()),
            oauth_client_id: client_id.to_owned(),
            oauth_client_name: client_name.to_owned(),
            template_uri: text(row.template_uri.as_deref()),
            http_method: text(row.http_method.as_ref().map(|m| m.as_str())),
            platform: text(row.platform.as_deref()),
            status200: row.status200.unwrap_or(0),
            status300: row.status300.unwrap_or(0),
            status400: row.status400.unwrap_or(0),
            status429: row.status429.unwrap_or(0),
            status500: row.status500.unwrap_or(0),
            ..Self::new(date, granularity)
        })
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn non_empty_or(value: Option<&str>, fallback: &str) -> String {
    match value {
        Some(v) if !v.is_empty() => v.to_owned(),
        _ => fallback.to_owned(),
    }
}

fn missing_date(service: &str) -> Error {
    Error::InvalidRequest {
        field: "date".to_owned(),
        message: format!("the {service} row has no date: query with a granularity"),
    }
}

fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| Error::InvalidRequest {
        field: "date".to_owned(),
        message: format!("{text:?} is not a yyyy-mm-dd day: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{DomainEntityRef, HttpMethod, UserReference};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, d).unwrap()
    }

    #[test]
    fn a_legacy_row_keeps_its_bucket_dimensions_and_counters() {
        let row = ApiUsageRow {
            client_id: Some("c1".into()),
            client_name: Some("Client Creds".into()),
            organization_id: Some(String::new()),
            user_id: Some(String::new()),
            template_uri: Some("api/v2/users".into()),
            http_method: Some("GET".into()),
            status200: Some(10),
            status300: Some(1),
            status400: Some(3),
            status429: Some(2),
            status500: Some(1),
            requests: Some(15),
            date: Some("2025-06-02T00:00:00.000Z".into()),
        };
        let r = UsageRecord::from_legacy_row(&row, Granularity::Day, "org-1").unwrap();
        assert_eq!(r.date, day(2));
        assert_eq!(r.granularity, Granularity::Day);
        assert_eq!(
            r.organization_id, "org-1",
            "an empty organisation is the caller's"
        );
        assert_eq!((r.oauth_client_id.as_str(), r.user_id.as_str()), ("c1", ""));
        assert_eq!(r.platform, "");
        assert_eq!(r.requests(), 15);
        assert_eq!(r.status429, 2);
    }

    #[test]
    fn a_legacy_row_without_a_date_names_the_field() {
        let err = UsageRecord::from_legacy_row(&ApiUsageRow::default(), Granularity::Day, "o")
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { ref field, .. } if field == "date"),
            "{err}"
        );
    }

    #[test]
    fn jobs_rows_map_to_the_same_record_as_the_legacy_row_of_the_same_facts() {
        let jobs = OrganizationPublicApiUsage {
            date: Some("2025-06-02".into()),
            http_method: Some(HttpMethod::Get),
            template_uri: Some("api/v2/users".into()),
            oauth_client: Some(DomainEntityRef {
                id: Some("c1".into()),
                name: Some("Client Creds".into()),
                ..DomainEntityRef::default()
            }),
            user: Some(UserReference::default()),
            status200: Some(10),
            status400: Some(3),
            status429: Some(2),
            ..OrganizationPublicApiUsage::default()
        };
        let legacy = ApiUsageRow {
            client_id: Some("c1".into()),
            client_name: Some("Client Creds".into()),
            template_uri: Some("api/v2/users".into()),
            http_method: Some("GET".into()),
            status200: Some(10),
            status400: Some(3),
            status429: Some(2),
            date: Some("2025-06-02T00:00:00Z".into()),
            ..ApiUsageRow::default()
        };
        let a = UsageRecord::from_organization_jobs_row(&jobs, Granularity::Day, "org-1").unwrap();
        let b = UsageRecord::from_legacy_row(&legacy, Granularity::Day, "org-1").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_client_jobs_row_takes_the_client_it_was_asked_for() {
        let row = ClientPublicApiUsage {
            date: Some("2025-06-03".into()),
            organization_id: Some("org-2".into()),
            platform: Some("PublicApi".into()),
            status500: Some(4),
            ..ClientPublicApiUsage::default()
        };
        let r = UsageRecord::from_client_jobs_row(&row, Granularity::Week, "c9", "Nine").unwrap();
        assert_eq!((r.date, &r.granularity), (day(3), &Granularity::Week));
        assert_eq!(
            (r.organization_id.as_str(), r.oauth_client_id.as_str()),
            ("org-2", "c9")
        );
        assert_eq!((r.platform.as_str(), r.requests()), ("PublicApi", 4));
    }

    #[test]
    fn a_bad_jobs_date_is_refused_with_the_field() {
        let row = ClientPublicApiUsage {
            date: Some("02/06/2025".into()),
            ..ClientPublicApiUsage::default()
        };
        let err = UsageRecord::from_client_jobs_row(&row, Granularity::Day, "c", "n").unwrap_err();
        assert!(err.to_string().contains("date"), "{err}");
    }
}
