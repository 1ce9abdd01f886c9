//! Models of the jobs query service (operations N1–N4; `docs/FIDELITY.md`).

use serde::{Deserialize, Serialize};

use super::enums::{
    ClientJobsGroupBy, Granularity, HttpMethod, JobStatus, OrganizationJobsGroupBy, SortOrder,
    UsageMetric,
};
use super::error_body::ErrorBody;

/// Body of `POST /api/v2/usage/aggregates/query/jobs` (N1).
///
/// The service limits the interval: start at most a year ago, at most 90 days long.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPublicApiUsageQueryRequest {
    /// ISO-8601 `start/end`, **both ends inclusive**: `2026-11-30/2026-12-01`
    /// is two days here but one in the legacy queries (see
    /// [`Interval`](crate::Interval#the-two-services-read-the-end-differently)).
    pub interval: String,
    /// Time bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granularity: Option<Granularity>,
    /// Sort order of the rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<Vec<UsageQuerySortBy>>,
    /// Counters to return; omitted means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<UsageMetric>>,
    /// Keep only these endpoint templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_uris: Option<Vec<String>>,
    /// Keep only these HTTP methods (GET, POST, PUT, PATCH, DELETE, HEAD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_methods: Option<Vec<HttpMethod>>,
    /// Keep only these platforms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Vec<String>>,
    /// Dimensions to group on; by default the data is not aggregated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<OrganizationJobsGroupBy>>,
    /// Keep only these users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_ids: Option<Vec<String>>,
    /// Keep only these OAuth clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_client_ids: Option<Vec<String>>,
}

/// Body of `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs` (N3).
///
/// The service limits the interval: start at most a year ago, at most 90 days long.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientPublicApiUsageQueryRequest {
    /// ISO-8601 `start/end`, **both ends inclusive** (see
    /// [`Interval`](crate::Interval#the-two-services-read-the-end-differently)).
    pub interval: String,
    /// Time bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granularity: Option<Granularity>,
    /// Sort order of the rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<Vec<UsageQuerySortBy>>,
    /// Counters to return; omitted means all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<UsageMetric>>,
    /// Keep only these endpoint templates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_uris: Option<Vec<String>>,
    /// Keep only these HTTP methods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_methods: Option<Vec<HttpMethod>>,
    /// Keep only these platforms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Vec<String>>,
    /// Dimensions to group on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<ClientJobsGroupBy>>,
    /// Keep only these organisations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_ids: Option<Vec<String>>,
}

/// One sort key of a jobs query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageQuerySortBy {
    /// The row field to sort on, e.g. `requestCount` (values not documented by Genesys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    /// Direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
}

/// Answer of a jobs submit (N1 and N3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationUsageQueryResponse {
    /// The job id to poll with (the docs call it `queryExecutionId`).
    pub id: String,
    /// Name of the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Relative path of the results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_uri: Option<String>,
    /// Relative path of the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// Answer of the client jobs submit (N3): the same shape as the organisation one.
pub type ClientUsageQueryResponse = OrganizationUsageQueryResponse;

/// A page of jobs results (N2 and N4), generic over the row type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicApiUsageResultsResponse<R> {
    /// Name of the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Status of the job.
    pub query_status: JobStatus,
    /// Why the job failed; may be absent even when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_body: Option<ErrorBody>,
    /// Relative URI of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_uri: Option<String>,
    /// The rows of this page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<R>>,
    /// Relative path of this resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// A page of organisation jobs results (N2).
pub type OrganizationPublicApiUsageResultsResponse =
    PublicApiUsageResultsResponse<OrganizationPublicApiUsage>;

/// A page of client jobs results (N4).
pub type ClientPublicApiUsageResultsResponse = PublicApiUsageResultsResponse<ClientPublicApiUsage>;

impl<R> PublicApiUsageResultsResponse<R> {
    /// A page with only a status, as the service answers while the job runs.
    #[must_use]
    pub fn with_status(query_status: JobStatus) -> Self {
        Self {
            name: None,
            query_status,
            error_body: None,
            next_uri: None,
            entities: None,
            self_uri: None,
        }
    }
}

/// One row of organisation jobs results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPublicApiUsage {
    /// The day, `yyyy-MM-dd` (a date, unlike the legacy date-time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The calling platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// HTTP method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_method: Option<HttpMethod>,
    /// Endpoint template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_uri: Option<String>,
    /// All requests (the legacy row calls this `requests`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_count: Option<i64>,
    /// 2xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status200: Option<i64>,
    /// 3xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status300: Option<i64>,
    /// 4xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status400: Option<i64>,
    /// 429 count, a subset of `status400`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status429: Option<i64>,
    /// 5xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status500: Option<i64>,
    /// The OAuth client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth_client: Option<DomainEntityRef>,
    /// The user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserReference>,
}

/// One row of client jobs results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientPublicApiUsage {
    /// The day, `yyyy-MM-dd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The calling platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// HTTP method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_method: Option<HttpMethod>,
    /// Endpoint template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_uri: Option<String>,
    /// All requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_count: Option<i64>,
    /// 2xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status200: Option<i64>,
    /// 3xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status300: Option<i64>,
    /// 4xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status400: Option<i64>,
    /// 429 count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status429: Option<i64>,
    /// 5xx count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status500: Option<i64>,
    /// The calling organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// A reference to an entity (`{id, name, selfUri}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainEntityRef {
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Relative path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

/// A reference to a user (`{id, selfUri}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserReference {
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Relative path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_uri: Option<String>,
}

macro_rules! jobs_query_setters {
    ($ty:ident, $group:ident) => {
        impl $ty {
            /// A jobs query over `interval`.
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
            pub fn with_metrics(mut self, metrics: impl IntoIterator<Item = UsageMetric>) -> Self {
                self.metrics = Some(metrics.into_iter().collect());
                self
            }

            /// Sets the dimensions to group on.
            #[must_use]
            pub fn with_group_by(mut self, group_by: impl IntoIterator<Item = $group>) -> Self {
                self.group_by = Some(group_by.into_iter().collect());
                self
            }

            /// Adds a sort key.
            #[must_use]
            pub fn with_sort_by(mut self, field_name: impl Into<String>, order: SortOrder) -> Self {
                self.sort_by
                    .get_or_insert_with(Vec::new)
                    .push(UsageQuerySortBy {
                        field_name: Some(field_name.into()),
                        order: Some(order),
                    });
                self
            }

            /// Keeps only these HTTP methods.
            #[must_use]
            pub fn with_http_methods(
                mut self,
                methods: impl IntoIterator<Item = HttpMethod>,
            ) -> Self {
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
    };
}

jobs_query_setters!(
    OrganizationPublicApiUsageQueryRequest,
    OrganizationJobsGroupBy
);
jobs_query_setters!(ClientPublicApiUsageQueryRequest, ClientJobsGroupBy);
