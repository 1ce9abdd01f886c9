//! `impl UsageTransport for FakeTransport`: each operation routed to the engine.

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::fake::operation::Operation;
use crate::fake::transport::{CallArgs, FakeTransport};
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::transport::{ApiResponse, PageRequest, UsageTransport};

#[async_trait]
impl UsageTransport for FakeTransport {
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let args = CallArgs::new(Operation::PostUsageQuery);
        self.call(args, |e| e.post_usage_query(body, None)).await
    }

    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let args = CallArgs {
            execution_id: Some(execution_id),
            ..CallArgs::new(Operation::GetUsageQueryExecutionIdResults)
        };
        self.call(args, |e| {
            e.get_usage_query_execution_id_results(execution_id)
        })
        .await
    }

    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let args = CallArgs::new(Operation::PostUsageSimplesearch);
        self.call(args, |e| e.post_usage_simplesearch(body, None))
            .await
    }

    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let args = CallArgs {
            execution_id: Some(execution_id),
            page: Some(page),
            ..CallArgs::new(Operation::GetUsageSimplesearchExecutionIdResults)
        };
        self.call(args, |e| {
            e.get_usage_simplesearch_execution_id_results(execution_id, page)
        })
        .await
    }

    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let args = CallArgs {
            client_id: Some(client_id),
            ..CallArgs::new(Operation::PostOauthClientUsageQuery)
        };
        self.call(args, |e| {
            e.post_oauth_client_usage_query(client_id, body, None)
        })
        .await
    }

    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let args = CallArgs {
            client_id: Some(client_id),
            execution_id: Some(execution_id),
            ..CallArgs::new(Operation::GetOauthClientUsageQueryResult)
        };
        self.call(args, |e| {
            e.get_oauth_client_usage_query_result(client_id, execution_id)
        })
        .await
    }

    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let days = days.map(|d| d.to_string());
        let days = days.as_deref();
        let args = CallArgs {
            client_id: Some(client_id),
            days,
            ..CallArgs::new(Operation::GetOauthClientUsageSummary)
        };
        self.call(args, |e| {
            e.get_oauth_client_usage_summary(client_id, days, None)
        })
        .await
    }

    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        let args = CallArgs::new(Operation::PostUsageAggregatesQueryJobs);
        self.call(args, |e| e.post_usage_aggregates_query_jobs(body, None))
            .await
    }

    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        let args = CallArgs {
            execution_id: Some(job_id),
            page: Some(page),
            ..CallArgs::new(Operation::GetUsageAggregatesQueryJob)
        };
        self.call(args, |e| e.get_usage_aggregates_query_job(job_id, page))
            .await
    }

    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        let args = CallArgs {
            client_id: Some(client_id),
            ..CallArgs::new(Operation::PostUsageClientAggregatesQueryJobs)
        };
        self.call(args, |e| {
            e.post_usage_client_aggregates_query_jobs(client_id, body, None)
        })
        .await
    }

    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        let args = CallArgs {
            client_id: Some(client_id),
            execution_id: Some(job_id),
            page: Some(page),
            ..CallArgs::new(Operation::GetUsageClientAggregatesQueryJob)
        };
        self.call(args, |e| {
            e.get_usage_client_aggregates_query_job(client_id, job_id, page)
        })
        .await
    }

    /// Records the call and consults the `token` fault rules: an error
    /// fault refuses with [`Error::Unauthorized`], a connection reset gives
    /// [`Error::Transport`]; otherwise `Ok(true)`.
    async fn refresh_auth(&self) -> Result<bool> {
        let at = self.engine().clock().now();
        let args = CallArgs::new(Operation::Token);
        let fault = self.engine().take_fault(Operation::Token, None);
        if let Some(Fault::Latency { delay }) = &fault {
            tokio::time::sleep(*delay).await;
        }
        let result = match fault.as_ref() {
            Some(Fault::ConnectionReset) => Err(Error::Transport {
                kind: crate::TransportErrorKind::Io,
                message: "connection reset by peer while fetching a token".into(),
                not_sent: false,
            }),
            Some(f) => match f.error_answer() {
                Some(failure) => Err(Error::Unauthorized {
                    message: "the token endpoint refused the credentials".into(),
                    status: Some(failure.status),
                    body: None,
                    correlation_id: None,
                }),
                None => Ok(true),
            },
            None => Ok(true),
        };
        let status = if result.is_ok() { 200 } else { 0 };
        self.record(
            args,
            fault,
            crate::fake::transport::calls::outcome_of(&result, status),
            None,
            at,
        );
        result
    }
}

use crate::fake::script::faults::Fault;
