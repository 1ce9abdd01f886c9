//! `impl UsageTransport for ReplayTransport`: each operation described as
//! the recorder describes it, then answered from the cassette.

use async_trait::async_trait;

use crate::cassette::ReplayTransport;
use crate::cassette::request::{self, page_query};
use crate::error::Result;
use crate::fake::Operation;
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::transport::{ApiResponse, PageRequest, UsageTransport};

#[async_trait]
impl UsageTransport for ReplayTransport {
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::PostUsageQuery;
        self.answer(op, request::post(op, &[], body)).await
    }

    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let op = Operation::GetUsageQueryExecutionIdResults;
        self.answer(op, request::get(op, &[execution_id], &[]))
            .await
    }

    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::PostUsageSimplesearch;
        self.answer(op, request::post(op, &[], body)).await
    }

    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let op = Operation::GetUsageSimplesearchExecutionIdResults;
        self.answer(op, request::get(op, &[execution_id], &page_query(page)))
            .await
    }

    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::PostOauthClientUsageQuery;
        self.answer(op, request::post(op, &[client_id], body)).await
    }

    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let op = Operation::GetOauthClientUsageQueryResult;
        self.answer(op, request::get(op, &[client_id, execution_id], &[]))
            .await
    }

    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::GetOauthClientUsageSummary;
        let query = [("days", days.map(|d| d.to_string()))];
        self.answer(op, request::get(op, &[client_id], &query))
            .await
    }

    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        let op = Operation::PostUsageAggregatesQueryJobs;
        self.answer(op, request::post(op, &[], body)).await
    }

    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        let op = Operation::GetUsageAggregatesQueryJob;
        self.answer(op, request::get(op, &[job_id], &page_query(page)))
            .await
    }

    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        let op = Operation::PostUsageClientAggregatesQueryJobs;
        self.answer(op, request::post(op, &[client_id], body)).await
    }

    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        let op = Operation::GetUsageClientAggregatesQueryJob;
        let described = request::get(op, &[client_id, job_id], &page_query(page));
        self.answer(op, described).await
    }

    async fn refresh_auth(&self) -> Result<bool> {
        self.refresh().await
    }
}
