//! Models of the legacy query service (operations L1–L7; `docs/FIDELITY.md`).

use serde::{Deserialize, Serialize};

use super::enums::{
    ClientGroupBy, Granularity, HttpMethod, OrganizationGroupBy, QueryStatus, SimpleSearchMetric,
    UsageMetric,
};

/// Body of `POST /api/v2/usage/query` (L1): the organisation usage query.
///
/// ```
/// use genesys_usage::{ApiUsageOrganizationQuery, Granularity, OrganizationGroupBy};
/// let query = ApiUsageOrganizationQuery::new("2024-01-01/2024-01-08")
///     .with_granularity(Granularity::Day)
///     .with_group_by([OrganizationGroupBy::OAuthClientId]);
/// assert_eq!(query.interval, "2024-01-01/2024-01-08");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUsageOrganizationQuery {
    /// ISO-8601 `start/end`, end excluded; see [`Interval`](crate::Interval) for a
    /// typed builder and how the jobs service reads the end differently.
    pub interval: String,
    /// Time bucket; omitted means one total for the interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granularity: Option<Granularity>,
    /// Counters to return; omitted means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<UsageMetric>>,
    /// Dimensions to group on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<OrganizationGroupBy>>,
}

/// The name of [`ApiUsageOrganizationQuery`] before SDK 176 (it had the same fields).
pub type ApiUsageQuery = ApiUsageOrganizationQuery;

/// Body of `POST /api/v2/oauth/clients/{clientId}/usage/query` (L5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUsageClientQuery {
    /// ISO-8601 `start/end`, end excluded (see [`Interval`](crate::Interval)).
    pub interval: String,
    /// Time bucket; omitted means one total for the interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granularity: Option<Granularity>,
    /// Counters to return; omitted means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<UsageMetric>>,
    /// Dimensions to group on (no `UserId` here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<ClientGroupBy>>,
}

/// Body of `POST /api/v2/usage/simplesearch` (L3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUsageSimpleSearch {
    /// ISO-8601 `start/end`, end excluded (see [`Interval`](crate::Interval)).
    pub interval: String,
    /// Columns to return; omitted means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<SimpleSearchMetric>>,
    /// Keep only these OAuth client names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_client_names: Option<Vec<String>>,
    /// Keep only these HTTP methods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_methods: Option<Vec<HttpMethod>>,
    /// Keep only these endpoint templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_uris: Option<Vec<String>>,
}

/// Answer of the legacy submits (L1, L3, L5) and of the summary (L7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageExecutionResult {
    /// The id to poll with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// Relative path of the results, e.g. `/api/v2/usage/query/{id}/results`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_uri: Option<String>,
}

/// Answer of the legacy results (L2, L4, L6): status, and rows once complete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUsageQueryResult {
    /// The rows; absent while running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ApiUsageRow>>,
    /// `Running`, `Complete` or `Failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_status: Option<QueryStatus>,
    /// Paging cursors of the simple search (L4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursors: Option<Cursors>,
}

/// The most records a simple search (L3/L4) returns, in all its pages
/// together; the service leaves out the rest without saying so (spec §13b).
pub const SIMPLE_SEARCH_MAX_RECORDS: usize = 20_000;

impl ApiUsageQueryResult {
    /// Whether this simple-search result holds [`SIMPLE_SEARCH_MAX_RECORDS`]
    /// rows or more, so the service may have left rows out: the answer does
    /// not say whether it did. Narrow the interval or the filters and query
    /// again. [`UsageClient::run_usage_simplesearch`](crate::UsageClient::run_usage_simplesearch)
    /// also logs a warning then.
    #[must_use]
    pub fn may_be_truncated(&self) -> bool {
        self.results
            .as_ref()
            .is_some_and(|rows| rows.len() >= SIMPLE_SEARCH_MAX_RECORDS)
    }
}

/// Paging cursors of the simple search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursors {
    /// Cursor of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// One row of a legacy result. Dimensions not grouped on come back as `""`;
/// counters not asked for in `metrics` are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUsageRow {
    /// OAuth client id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// OAuth client name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// Organisation id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// User id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Endpoint template, e.g. `api/v2/users`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_uri: Option<String>,
    /// HTTP method (a plain string in this model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    /// 2xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status200: Option<i64>,
    /// 3xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status300: Option<i64>,
    /// 4xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status400: Option<i64>,
    /// 5xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status500: Option<i64>,
    /// 429 count, a subset of `status400`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status429: Option<i64>,
    /// All requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<i64>,
    /// UTC start of the bucket (`2024-01-02T00:00:00Z`); only with a granularity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

macro_rules! legacy_query_setters {
    ($ty:ident, $group:ident, $metric:ident) => {
        impl $ty {
            /// A query over `interval` (an ISO-8601 `start/end` string or an [`Interval`](crate::Interval)).
            #[must_use]
            pub fn new(interval: impl Into<String>) -> Self {
                Self {
                    interval: interval.into(),
                    ..Self::default()
                }
            }

            /// Sets the time bucket.
            #[must_use]
            pub fn with_granularity(mut self, granularity: Granularity) -> Self {
                self.granularity = Some(granularity);
                self
            }

            /// Sets the counters to return.
            #[must_use]
            pub fn with_metrics(mut self, metrics: impl IntoIterator<Item = $metric>) -> Self {
                self.metrics = Some(metrics.into_iter().collect());
                self
            }

            /// Sets the dimensions to group on.
            #[must_use]
            pub fn with_group_by(mut self, group_by: impl IntoIterator<Item = $group>) -> Self {
                self.group_by = Some(group_by.into_iter().collect());
                self
            }
        }
    };
}

legacy_query_setters!(ApiUsageOrganizationQuery, OrganizationGroupBy, UsageMetric);
legacy_query_setters!(ApiUsageClientQuery, ClientGroupBy, UsageMetric);

impl ApiUsageSimpleSearch {
    /// A simple search over `interval`.
    #[must_use]
    pub fn new(interval: impl Into<String>) -> Self {
        Self {
            interval: interval.into(),
            ..Self::default()
        }
    }

    /// Sets the columns to return.
    #[must_use]
    pub fn with_metrics(mut self, metrics: impl IntoIterator<Item = SimpleSearchMetric>) -> Self {
        self.metrics = Some(metrics.into_iter().collect());
        self
    }

    /// Keeps only these OAuth client names.
    #[must_use]
    pub fn with_oauth_client_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.oauth_client_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Keeps only these HTTP methods.
    #[must_use]
    pub fn with_http_methods(mut self, methods: impl IntoIterator<Item = HttpMethod>) -> Self {
        self.http_methods = Some(methods.into_iter().collect());
        self
    }

    /// Keeps only these endpoint templates.
    #[must_use]
    pub fn with_template_uris<S: Into<String>>(
        mut self,
        uris: impl IntoIterator<Item = S>,
    ) -> Self {
        self.template_uris = Some(uris.into_iter().map(Into::into).collect());
        self
    }
}
