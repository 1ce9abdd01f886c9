//! The high-level query API: `submit_…` (a [`QueryHandle`]), `run_…` (submit
//! and wait, all pages) and `resume_…` (a handle from an id).

use crate::client::UsageClient;
use crate::error::{Error, Result};
use crate::execution::{ExecutionKind, ExecutionRef, QueryOutput};
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    OrganizationPublicApiUsageQueryRequest, OrganizationPublicApiUsageResultsResponse,
    UsageExecutionResult,
};
use crate::polling::QueryHandle;
use crate::transport::ApiResponse;

/// The execution id of a legacy submit answer; a 2xx without one is a decode error.
fn legacy_id(response: ApiResponse<UsageExecutionResult>) -> Result<String> {
    let status = response.meta.status;
    let correlation_id = response.meta.correlation_id;
    response
        .body
        .execution_id
        .filter(|id| !id.is_empty())
        .ok_or(Error::Decode {
            status,
            message: "the submit answer has no executionId".to_owned(),
            snippet: String::new(),
            correlation_id,
            not_json: false,
        })
}

impl UsageClient {
    /// Rebuilds a handle from an execution, e.g. after [`Error::WaitTimeout`].
    pub fn resume<T: QueryOutput>(&self, execution: ExecutionRef) -> QueryHandle<T> {
        QueryHandle::new(self.clone(), execution)
    }

    /// Submits an organisation query (L1).
    ///
    /// # Errors
    /// Any error of the POST (see [`Error`]).
    pub async fn submit_usage_query(
        &self,
        query: &ApiUsageOrganizationQuery,
    ) -> Result<QueryHandle<ApiUsageQueryResult>> {
        let id = legacy_id(self.post_usage_query(query).await?)?;
        Ok(self.resume_usage_query(id))
    }

    /// Submits an organisation query and waits for its result.
    ///
    /// ```
    /// # #[cfg(feature = "fake")] {
    /// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
    /// use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient, fake::FakeTransport};
    /// let client = UsageClient::with_transport(FakeTransport::new());
    /// let query = ApiUsageOrganizationQuery::new(Interval::last_days(7));
    /// let result = client.run_usage_query(&query).await.unwrap();
    /// assert!(result.results.is_some());
    /// # }) }
    /// ```
    ///
    /// # Errors
    /// As [`submit_usage_query`](Self::submit_usage_query) and [`QueryHandle::wait`].
    pub async fn run_usage_query(
        &self,
        query: &ApiUsageOrganizationQuery,
    ) -> Result<ApiUsageQueryResult> {
        self.submit_usage_query(query).await?.wait().await
    }

    /// A handle on an organisation query already submitted.
    pub fn resume_usage_query(
        &self,
        execution_id: impl Into<String>,
    ) -> QueryHandle<ApiUsageQueryResult> {
        self.resume(ExecutionRef::new(ExecutionKind::Organization, execution_id))
    }

    /// Submits a simple search (L3).
    ///
    /// # Errors
    /// Any error of the POST.
    pub async fn submit_usage_simplesearch(
        &self,
        query: &ApiUsageSimpleSearch,
    ) -> Result<QueryHandle<ApiUsageQueryResult>> {
        let id = legacy_id(self.post_usage_simplesearch(query).await?)?;
        Ok(self.resume_usage_simplesearch(id))
    }

    /// Submits a simple search, waits, and returns every row of every page.
    /// The service returns at most
    /// [`SIMPLE_SEARCH_MAX_RECORDS`](crate::SIMPLE_SEARCH_MAX_RECORDS) rows
    /// in all: check [`ApiUsageQueryResult::may_be_truncated`] (a warning is
    /// logged too when the cap is reached).
    ///
    /// # Errors
    /// As [`QueryHandle::wait_all`].
    pub async fn run_usage_simplesearch(
        &self,
        query: &ApiUsageSimpleSearch,
    ) -> Result<ApiUsageQueryResult> {
        let handle = self.submit_usage_simplesearch(query).await?;
        let result = handle.wait_all().await?;
        if result.may_be_truncated() {
            tracing::warn!(
                execution_id = handle.execution_id(),
                rows = crate::SIMPLE_SEARCH_MAX_RECORDS,
                "the simple search reached the service's row cap: rows may be left out; \
                 narrow the interval or the filters"
            );
        }
        Ok(result)
    }

    /// A handle on a simple search already submitted.
    pub fn resume_usage_simplesearch(
        &self,
        execution_id: impl Into<String>,
    ) -> QueryHandle<ApiUsageQueryResult> {
        self.resume(ExecutionRef::new(ExecutionKind::SimpleSearch, execution_id))
    }

    /// Submits an OAuth-client query (L5).
    ///
    /// # Errors
    /// Any error of the POST.
    pub async fn submit_oauth_client_usage_query(
        &self,
        client_id: &str,
        query: &ApiUsageClientQuery,
    ) -> Result<QueryHandle<ApiUsageQueryResult>> {
        let id = legacy_id(self.post_oauth_client_usage_query(client_id, query).await?)?;
        Ok(self.resume_oauth_client_usage_query(client_id, id))
    }

    /// Submits an OAuth-client query and waits for its result.
    ///
    /// # Errors
    /// As [`QueryHandle::wait`].
    pub async fn run_oauth_client_usage_query(
        &self,
        client_id: &str,
        query: &ApiUsageClientQuery,
    ) -> Result<ApiUsageQueryResult> {
        self.submit_oauth_client_usage_query(client_id, query)
            .await?
            .wait()
            .await
    }

    /// Starts the usage summary of an OAuth client over the last `days` days
    /// (L7; the service's default of 7 when `None`), polled like a client query.
    ///
    /// # Errors
    /// Any error of the GET that starts it.
    pub async fn submit_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<QueryHandle<ApiUsageQueryResult>> {
        let id = legacy_id(self.get_oauth_client_usage_summary(client_id, days).await?)?;
        Ok(self.resume_oauth_client_usage_query(client_id, id))
    }

    /// Starts the usage summary of an OAuth client and waits for it.
    ///
    /// # Errors
    /// As [`QueryHandle::wait`].
    pub async fn run_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiUsageQueryResult> {
        self.submit_oauth_client_usage_summary(client_id, days)
            .await?
            .wait()
            .await
    }

    /// A handle on an OAuth-client query (or summary) already submitted.
    pub fn resume_oauth_client_usage_query(
        &self,
        client_id: impl Into<String>,
        execution_id: impl Into<String>,
    ) -> QueryHandle<ApiUsageQueryResult> {
        self.resume(ExecutionRef::for_client(
            ExecutionKind::Client,
            client_id,
            execution_id,
        ))
    }

    /// Submits an organisation jobs query (N1).
    ///
    /// The jobs service counts **both ends** of `query.interval`, unlike the
    /// legacy queries: see
    /// [`Interval`](crate::Interval#the-two-services-read-the-end-differently).
    ///
    /// # Errors
    /// Any error of the POST.
    pub async fn submit_usage_aggregates_query_job(
        &self,
        query: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<QueryHandle<OrganizationPublicApiUsageResultsResponse>> {
        let id = self.post_usage_aggregates_query_jobs(query).await?.body.id;
        Ok(self.resume_usage_aggregates_query_job(id))
    }

    /// Submits an organisation jobs query, waits, and returns every row of every page.
    /// Both ends of the interval count (see [`submit_usage_aggregates_query_job`](Self::submit_usage_aggregates_query_job)).
    ///
    /// # Errors
    /// As [`QueryHandle::wait_all`].
    pub async fn run_usage_aggregates_query_job(
        &self,
        query: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<OrganizationPublicApiUsageResultsResponse> {
        self.submit_usage_aggregates_query_job(query)
            .await?
            .wait_all()
            .await
    }

    /// A handle on an organisation jobs query already submitted.
    pub fn resume_usage_aggregates_query_job(
        &self,
        job_id: impl Into<String>,
    ) -> QueryHandle<OrganizationPublicApiUsageResultsResponse> {
        self.resume(ExecutionRef::new(ExecutionKind::OrganizationJob, job_id))
    }

    /// Submits a client jobs query (N3). Both ends of the interval count,
    /// unlike the legacy queries: see
    /// [`Interval`](crate::Interval#the-two-services-read-the-end-differently).
    ///
    /// # Errors
    /// Any error of the POST.
    pub async fn submit_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        query: &ClientPublicApiUsageQueryRequest,
    ) -> Result<QueryHandle<ClientPublicApiUsageResultsResponse>> {
        let id = self
            .post_usage_client_aggregates_query_jobs(client_id, query)
            .await?
            .body
            .id;
        Ok(self.resume_usage_client_aggregates_query_job(client_id, id))
    }

    /// Submits a client jobs query, waits, and returns every row of every page.
    /// Both ends of the interval count.
    ///
    /// # Errors
    /// As [`QueryHandle::wait_all`].
    pub async fn run_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        query: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ClientPublicApiUsageResultsResponse> {
        self.submit_usage_client_aggregates_query_job(client_id, query)
            .await?
            .wait_all()
            .await
    }

    /// A handle on a client jobs query already submitted.
    pub fn resume_usage_client_aggregates_query_job(
        &self,
        client_id: impl Into<String>,
        job_id: impl Into<String>,
    ) -> QueryHandle<ClientPublicApiUsageResultsResponse> {
        self.resume(ExecutionRef::for_client(
            ExecutionKind::ClientJob,
            client_id,
            job_id,
        ))
    }
}
