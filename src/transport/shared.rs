//! `Arc<T>` of any transport is a transport: so a shared one (such as
//! [`UsageClient::transport`](crate::UsageClient::transport)'s
//! `Arc<dyn UsageTransport>`) can be wrapped by another, e.g. a
//! `RecordingTransport` (feature `cassette`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Result;
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::transport::{ApiResponse, PageRequest, UsageTransport};

#[async_trait]
impl<T: UsageTransport + ?Sized> UsageTransport for Arc<T> {
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        (**self).post_usage_query(body).await
    }

    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        (**self)
            .get_usage_query_execution_id_results(execution_id)
            .await
    }

    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        (**self).post_usage_simplesearch(body).await
    }

    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        (**self)
            .get_usage_simplesearch_execution_id_results(execution_id, page)
            .await
    }

    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        (**self)
            .post_oauth_client_usage_query(client_id, body)
            .await
    }

    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        (**self)
            .get_oauth_client_usage_query_result(client_id, execution_id)
            .await
    }

    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        (**self)
            .get_oauth_client_usage_summary(client_id, days)
            .await
    }

    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        (**self).post_usage_aggregates_query_jobs(body).await
    }

    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        (**self).get_usage_aggregates_query_job(job_id, page).await
    }

    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        (**self)
            .post_usage_client_aggregates_query_jobs(client_id, body)
            .await
    }

    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        (**self)
            .get_usage_client_aggregates_query_job(client_id, job_id, page)
            .await
    }

    async fn refresh_auth(&self) -> Result<bool> {
        (**self).refresh_auth().await
    }
}
