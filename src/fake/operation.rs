//! [`Operation`]: the names of the API's operations.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One operation of the Usage API (plus the token endpoint), as faults and
/// call records name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// L1 `POST /api/v2/usage/query`.
    PostUsageQuery,
    /// L2 `GET /api/v2/usage/query/{executionId}/results`.
    GetUsageQueryExecutionIdResults,
    /// L3 `POST /api/v2/usage/simplesearch`.
    PostUsageSimplesearch,
    /// L4 `GET /api/v2/usage/simplesearch/{executionId}/results`.
    GetUsageSimplesearchExecutionIdResults,
    /// L5 `POST /api/v2/oauth/clients/{clientId}/usage/query`.
    PostOauthClientUsageQuery,
    /// L6 `GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}`.
    GetOauthClientUsageQueryResult,
    /// L7 `GET /api/v2/oauth/clients/{clientId}/usage/summary`.
    GetOauthClientUsageSummary,
    /// N1 `POST /api/v2/usage/aggregates/query/jobs`.
    PostUsageAggregatesQueryJobs,
    /// N2 `GET /api/v2/usage/aggregates/query/jobs/{jobId}`.
    GetUsageAggregatesQueryJob,
    /// N3 `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs`.
    PostUsageClientAggregatesQueryJobs,
    /// N4 `GET /api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}`.
    GetUsageClientAggregatesQueryJob,
    /// `POST /oauth/token` (and `FakeTransport::refresh_auth`).
    Token,
}

impl Operation {
    /// Every operation, in the order of the spec.
    pub const ALL: [Operation; 12] = [
        Self::PostUsageQuery,
        Self::GetUsageQueryExecutionIdResults,
        Self::PostUsageSimplesearch,
        Self::GetUsageSimplesearchExecutionIdResults,
        Self::PostOauthClientUsageQuery,
        Self::GetOauthClientUsageQueryResult,
        Self::GetOauthClientUsageSummary,
        Self::PostUsageAggregatesQueryJobs,
        Self::GetUsageAggregatesQueryJob,
        Self::PostUsageClientAggregatesQueryJobs,
        Self::GetUsageClientAggregatesQueryJob,
        Self::Token,
    ];

    /// The snake_case name, as the SDK's `UsageClient` method (and the
    /// official SDKs) call it; `token` for the token endpoint.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PostUsageQuery => "post_usage_query",
            Self::GetUsageQueryExecutionIdResults => "get_usage_query_execution_id_results",
            Self::PostUsageSimplesearch => "post_usage_simplesearch",
            Self::GetUsageSimplesearchExecutionIdResults => {
                "get_usage_simplesearch_execution_id_results"
            }
            Self::PostOauthClientUsageQuery => "post_oauth_client_usage_query",
            Self::GetOauthClientUsageQueryResult => "get_oauth_client_usage_query_result",
            Self::GetOauthClientUsageSummary => "get_oauth_client_usage_summary",
            Self::PostUsageAggregatesQueryJobs => "post_usage_aggregates_query_jobs",
            Self::GetUsageAggregatesQueryJob => "get_usage_aggregates_query_job",
            Self::PostUsageClientAggregatesQueryJobs => "post_usage_client_aggregates_query_jobs",
            Self::GetUsageClientAggregatesQueryJob => "get_usage_client_aggregates_query_job",
            Self::Token => "token",
        }
    }

    /// Whether this operation submits a query (L1, L3, L5, L7, N1, N3).
    #[must_use]
    pub fn is_submit(&self) -> bool {
        matches!(
            self,
            Self::PostUsageQuery
                | Self::PostUsageSimplesearch
                | Self::PostOauthClientUsageQuery
                | Self::GetOauthClientUsageSummary
                | Self::PostUsageAggregatesQueryJobs
                | Self::PostUsageClientAggregatesQueryJobs
        )
    }

    /// Whether this operation polls results (L2, L4, L6, N2, N4).
    #[must_use]
    pub fn is_poll(&self) -> bool {
        matches!(
            self,
            Self::GetUsageQueryExecutionIdResults
                | Self::GetUsageSimplesearchExecutionIdResults
                | Self::GetOauthClientUsageQueryResult
                | Self::GetUsageAggregatesQueryJob
                | Self::GetUsageClientAggregatesQueryJob
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not an [`Operation`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown operation {0:?}")]
pub struct UnknownOperation(pub String);

impl FromStr for Operation {
    type Err = UnknownOperation;

    /// Also accepts the official SDKs' longer names of N3/N4
    /// (`…_client_client_id_…`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "post_usage_client_client_id_aggregates_query_jobs" => {
                Ok(Self::PostUsageClientAggregatesQueryJobs)
            }
            "get_usage_client_client_id_aggregates_query_job" => {
                Ok(Self::GetUsageClientAggregatesQueryJob)
            }
            _ => Self::ALL
                .into_iter()
                .find(|op| op.as_str() == s)
                .ok_or_else(|| UnknownOperation(s.to_owned())),
        }
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
