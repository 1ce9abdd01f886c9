//! The 11 wire operations of [`UsageClient`], named as in the official SDKs,
//! each a thin wrapper running one transport call under the retry policy.

use tokio::time::Instant;

use crate::client::{CallSpec, UsageClient};
use crate::error::Result;
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::transport::{ApiResponse, PageRequest};

/// The 11 wire operations, named as in the official SDKs, with the retry
/// policy applied. Each returns the decoded body and its [`ResponseMeta`](crate::ResponseMeta).
impl UsageClient {
    /// L1 `POST /api/v2/usage/query`: submits an organisation query.
    ///
    /// # Errors
    /// See [`Error`](crate::Error); a POST is retried only where it provably was not processed.
    pub async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.transport();
        self.call(CallSpec::post("post_usage_query"), || {
            t.post_usage_query(body)
        })
        .await
    }

    /// L2 `GET /api/v2/usage/query/{executionId}/results`.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        self.get_usage_query_results_until(execution_id, None).await
    }

    pub(crate) async fn get_usage_query_results_until(
        &self,
        execution_id: &str,
        deadline: Option<Instant>,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let t = &self.transport();
        self.call(
            CallSpec::get(
                "get_usage_query_execution_id_results",
                execution_id,
                deadline,
            ),
            || t.get_usage_query_execution_id_results(execution_id),
        )
        .await
    }

    /// L3 `POST /api/v2/usage/simplesearch`.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.transport();
        self.call(CallSpec::post("post_usage_simplesearch"), || {
            t.post_usage_simplesearch(body)
        })
        .await
    }

    /// L4 `GET /api/v2/usage/simplesearch/{executionId}/results`, one page.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        self.get_simplesearch_results_until(execution_id, page, None)
            .await
    }

    pub(crate) async fn get_simplesearch_results_until(
        &self,
        execution_id: &str,
        page: &PageRequest,
        deadline: Option<Instant>,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let t = &self.transport();
        self.call(
            CallSpec::get(
                "get_usage_simplesearch_execution_id_results",
                execution_id,
                deadline,
            ),
            || t.get_usage_simplesearch_execution_id_results(execution_id, page),
        )
        .await
    }

    /// L5 `POST /api/v2/oauth/clients/{clientId}/usage/query`.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.transport();
        self.call(CallSpec::post("post_oauth_client_usage_query"), || {
            t.post_oauth_client_usage_query(client_id, body)
        })
        .await
    }

    /// L6 `GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}`.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        self.get_client_results_until(client_id, execution_id, None)
            .await
    }

    pub(crate) async fn get_client_results_until(
        &self,
        client_id: &str,
        execution_id: &str,
        deadline: Option<Instant>,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let t = &self.transport();
        self.call(
            CallSpec::get(
                "get_oauth_client_usage_query_result",
                execution_id,
                deadline,
            ),
            || t.get_oauth_client_usage_query_result(client_id, execution_id),
        )
        .await
    }

    /// L7 `GET /api/v2/oauth/clients/{clientId}/usage/summary?days=`: starts a
    /// client query over the last `days` days (default "7"), polled through L6.
    ///
    /// # Errors
    /// See [`Error`](crate::Error). Although a GET, it starts an execution, so it is retried
    /// like a POST.
    pub async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.transport();
        self.call(CallSpec::post("get_oauth_client_usage_summary"), || {
            t.get_oauth_client_usage_summary(client_id, days)
        })
        .await
    }

    /// N1 `POST /api/v2/usage/aggregates/query/jobs`. The service counts both
    /// ends of the interval (see [`Interval`](crate::Interval#the-two-services-read-the-end-differently)).
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        let t = &self.transport();
        self.call(CallSpec::post("post_usage_aggregates_query_jobs"), || {
            t.post_usage_aggregates_query_jobs(body)
        })
        .await
    }

    /// N2 `GET /api/v2/usage/aggregates/query/jobs/{jobId}`, one page.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        self.get_org_job_until(job_id, page, None).await
    }

    pub(crate) async fn get_org_job_until(
        &self,
        job_id: &str,
        page: &PageRequest,
        deadline: Option<Instant>,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        let t = &self.transport();
        self.call(
            CallSpec::get("get_usage_aggregates_query_job", job_id, deadline),
            || t.get_usage_aggregates_query_job(job_id, page),
        )
        .await
    }

    /// N3 `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs`. The
    /// service counts both ends of the interval.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        let t = &self.transport();
        self.call(
            CallSpec::post("post_usage_client_aggregates_query_jobs"),
            || t.post_usage_client_aggregates_query_jobs(client_id, body),
        )
        .await
    }

    /// N4 `GET /api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}`, one page.
    ///
    /// # Errors
    /// See [`Error`](crate::Error).
    pub async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        self.get_client_job_until(client_id, job_id, page, None)
            .await
    }

    pub(crate) async fn get_client_job_until(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
        deadline: Option<Instant>,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        let t = &self.transport();
        self.call(
            CallSpec::get("get_usage_client_aggregates_query_job", job_id, deadline),
            || t.get_usage_client_aggregates_query_job(client_id, job_id, page),
        )
        .await
    }
}
