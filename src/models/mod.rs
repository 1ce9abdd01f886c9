//! Wire models: the request and response bodies of the Usage API, with the
//! Genesys names, camelCase on the wire and absent fields omitted.

mod enums;
mod error_body;
mod interval;
mod jobs;
mod legacy;
mod oauth;
mod record;

pub use enums::{
    ClientGroupBy, ClientJobsGroupBy, Granularity, HttpMethod, JobStatus, OrganizationGroupBy,
    OrganizationJobsGroupBy, QueryStatus, SimpleSearchMetric, SortOrder, UsageMetric,
};
pub use error_body::{Detail, ErrorBody, Limit};
pub use interval::{Interval, IntervalError};
pub use jobs::{
    ClientPublicApiUsage, ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, DomainEntityRef, OrganizationPublicApiUsage,
    OrganizationPublicApiUsageQueryRequest, OrganizationPublicApiUsageResultsResponse,
    OrganizationUsageQueryResponse, PublicApiUsageResultsResponse, UsageQuerySortBy, UserReference,
};
pub use legacy::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQuery, ApiUsageQueryResult,
    ApiUsageRow, ApiUsageSimpleSearch, Cursors, SIMPLE_SEARCH_MAX_RECORDS, UsageExecutionResult,
};
pub use oauth::{AccessTokenResponse, OAuthErrorBody};
pub use record::UsageRecord;
