//! [`UsageClient`]: the 11 operations with retry and re-authentication applied.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::TokenProvider;
use crate::error::{Error, Result};
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::polling::WaitPolicy;
use crate::region::Region;
use crate::retry::{Method, RetryPolicy};
use crate::transport::http::HttpTransportBuilder;
use crate::transport::{ApiResponse, PageRequest, UsageTransport};

/// The Usage API client: typed operations, retries, re-authentication,
/// polling and paging over any [`UsageTransport`].
///
/// Cheap to clone (an `Arc` inside) and safe to share across tasks.
#[derive(Debug, Clone)]
pub struct UsageClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Arc<dyn UsageTransport>,
    retry: RetryPolicy,
    wait: WaitPolicy,
    rng: Mutex<fastrand::Rng>,
}

/// Builder of [`UsageClient`] over HTTP. Setters never fail; [`build`](Self::build) validates.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until build() is called"]
pub struct UsageClientBuilder {
    http: HttpTransportBuilder,
    retry: RetryPolicy,
    wait: WaitPolicy,
}

impl UsageClientBuilder {
    /// Targets a Genesys region (API and login hosts derived). Default `us_east_1`.
    pub fn region(mut self, region: Region) -> Self {
        self.http = self.http.region(region);
        self
    }

    /// Targets a custom API base URL, e.g. the mock server's `url()`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.http = self.http.base_url(url);
        self
    }

    /// The login base URL (default derived from the API URL).
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.http = self.http.login_url(url);
        self
    }

    /// Authenticates with OAuth client credentials.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.http = self.http.client_credentials(client_id, client_secret);
        self
    }

    /// Authenticates with a fixed bearer token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.http = self.http.token(token);
        self
    }

    /// Authenticates with a caller-supplied [`TokenProvider`].
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.http = self.http.token_provider(provider);
        self
    }

    /// Timeout of one HTTP request. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Timeout to connect. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(user_agent);
        self
    }

    /// Allows plain `http://` to hosts other than loopback (off by default).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.http = self.http.allow_insecure_http(allow);
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The wait policy of `wait()` and `run_…`. Default [`WaitPolicy::default`].
    pub fn wait(mut self, wait: WaitPolicy) -> Self {
        self.wait = wait;
        self
    }

    /// Validates the options and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] naming the option at fault.
    pub fn build(self) -> Result<UsageClient> {
        self.wait.validate()?;
        let transport = self.http.build()?;
        Ok(UsageClient::from_parts(
            Arc::new(transport),
            self.retry,
            self.wait,
        ))
    }
}

impl UsageClient {
    /// A builder for a client over HTTP.
    pub fn builder() -> UsageClientBuilder {
        UsageClientBuilder::default()
    }

    /// A client over any transport (the fake, a mock, your own), with the
    /// default policies.
    pub fn with_transport(transport: impl UsageTransport + 'static) -> Self {
        Self::from_parts(
            Arc::new(transport),
            RetryPolicy::default(),
            WaitPolicy::default(),
        )
    }

    /// A client over a shared transport.
    pub fn with_shared_transport(transport: Arc<dyn UsageTransport>) -> Self {
        Self::from_parts(transport, RetryPolicy::default(), WaitPolicy::default())
    }

    fn from_parts(
        transport: Arc<dyn UsageTransport>,
        retry: RetryPolicy,
        wait: WaitPolicy,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport,
                retry,
                wait,
                rng: Mutex::new(fastrand::Rng::new()),
            }),
        }
    }

    /// A copy of this client with another retry policy (same transport).
    #[must_use]
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        Self::from_parts(self.inner.transport.clone(), retry, self.inner.wait.clone())
    }

    /// A copy of this client with another wait policy (same transport).
    #[must_use]
    pub fn with_wait_policy(&self, wait: WaitPolicy) -> Self {
        Self::from_parts(self.inner.transport.clone(), self.inner.retry.clone(), wait)
    }

    /// The transport underneath.
    #[must_use]
    pub fn transport(&self) -> &Arc<dyn UsageTransport> {
        &self.inner.transport
    }

    /// The retry policy.
    #[must_use]
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The wait policy.
    #[must_use]
    pub fn wait_policy(&self) -> &WaitPolicy {
        &self.inner.wait
    }

    /// Runs one operation with the retry policy and one re-authentication on 401.
    /// `deadline` (from a wait) bounds the retries further.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        operation: &'static str,
        method: Method,
        deadline: Option<Instant>,
        attempt_once: F,
    ) -> Result<ApiResponse<T>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ApiResponse<T>>>,
    {
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            let span = tracing::debug_span!("usage_call", operation, attempt = retries + 1);
            let outcome = attempt_once().instrument(span).await;
            let error = match outcome {
                Ok(response) => {
                    tracing::debug!(
                        operation,
                        status = response.meta.status,
                        correlation_id = response.meta.correlation_id.as_deref().unwrap_or(""),
                        "usage call succeeded"
                    );
                    return Ok(response);
                }
                Err(error) => error,
            };
            tracing::debug!(operation, status = error.status(), error = %error, "usage call failed");
            if matches!(error, Error::Unauthorized { .. }) && !reauthenticated {
                reauthenticated = true;
                if self.inner.transport.refresh_auth().await? {
                    continue;
                }
                return Err(error);
            }
            if retries >= policy.max_retries || !RetryPolicy::is_retryable(method, &error) {
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(hint) if hint > policy.max_retry_after => return Err(error),
                Some(hint) => hint,
                None => {
                    let unit = self.inner.rng.lock().map(|mut r| r.f64()).unwrap_or(0.5);
                    policy.backoff(retries, unit)
                }
            };
            let wake = Instant::now() + delay;
            let over_budget = wake.duration_since(started) > policy.budget;
            let past_deadline = deadline.is_some_and(|d| wake > d);
            if over_budget || past_deadline {
                return Err(error);
            }
            tracing::debug!(operation, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }
}

/// The 11 wire operations, named as in the official SDKs, with the retry
/// policy applied. Each returns the decoded body and its [`ResponseMeta`](crate::ResponseMeta).
impl UsageClient {
    /// L1 `POST /api/v2/usage/query`: submits an organisation query.
    ///
    /// # Errors
    /// See [`Error`]; a POST is retried only where it provably was not processed.
    pub async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.inner.transport;
        self.call("post_usage_query", Method::Post, None, || {
            t.post_usage_query(body)
        })
        .await
    }

    /// L2 `GET /api/v2/usage/query/{executionId}/results`.
    ///
    /// # Errors
    /// See [`Error`].
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
        let t = &self.inner.transport;
        self.call(
            "get_usage_query_execution_id_results",
            Method::Get,
            deadline,
            || t.get_usage_query_execution_id_results(execution_id),
        )
        .await
    }

    /// L3 `POST /api/v2/usage/simplesearch`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.inner.transport;
        self.call("post_usage_simplesearch", Method::Post, None, || {
            t.post_usage_simplesearch(body)
        })
        .await
    }

    /// L4 `GET /api/v2/usage/simplesearch/{executionId}/results`, one page.
    ///
    /// # Errors
    /// See [`Error`].
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
        let t = &self.inner.transport;
        self.call(
            "get_usage_simplesearch_execution_id_results",
            Method::Get,
            deadline,
            || t.get_usage_simplesearch_execution_id_results(execution_id, page),
        )
        .await
    }

    /// L5 `POST /api/v2/oauth/clients/{clientId}/usage/query`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.inner.transport;
        self.call("post_oauth_client_usage_query", Method::Post, None, || {
            t.post_oauth_client_usage_query(client_id, body)
        })
        .await
    }

    /// L6 `GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}`.
    ///
    /// # Errors
    /// See [`Error`].
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
        let t = &self.inner.transport;
        self.call(
            "get_oauth_client_usage_query_result",
            Method::Get,
            deadline,
            || t.get_oauth_client_usage_query_result(client_id, execution_id),
        )
        .await
    }

    /// L7 `GET /api/v2/oauth/clients/{clientId}/usage/summary?days=`: starts a
    /// client query over the last `days` days (default "7"), polled through L6.
    ///
    /// # Errors
    /// See [`Error`]. Although a GET, it starts an execution, so it is retried
    /// like a POST.
    pub async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let t = &self.inner.transport;
        self.call("get_oauth_client_usage_summary", Method::Post, None, || {
            t.get_oauth_client_usage_summary(client_id, days)
        })
        .await
    }

    /// N1 `POST /api/v2/usage/aggregates/query/jobs`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        let t = &self.inner.transport;
        self.call(
            "post_usage_aggregates_query_jobs",
            Method::Post,
            None,
            || t.post_usage_aggregates_query_jobs(body),
        )
        .await
    }

    /// N2 `GET /api/v2/usage/aggregates/query/jobs/{jobId}`, one page.
    ///
    /// # Errors
    /// See [`Error`].
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
        let t = &self.inner.transport;
        self.call(
            "get_usage_aggregates_query_job",
            Method::Get,
            deadline,
            || t.get_usage_aggregates_query_job(job_id, page),
        )
        .await
    }

    /// N3 `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        let t = &self.inner.transport;
        self.call(
            "post_usage_client_aggregates_query_jobs",
            Method::Post,
            None,
            || t.post_usage_client_aggregates_query_jobs(client_id, body),
        )
        .await
    }

    /// N4 `GET /api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}`, one page.
    ///
    /// # Errors
    /// See [`Error`].
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
        let t = &self.inner.transport;
        self.call(
            "get_usage_client_aggregates_query_job",
            Method::Get,
            deadline,
            || t.get_usage_client_aggregates_query_job(client_id, job_id, page),
        )
        .await
    }
}
