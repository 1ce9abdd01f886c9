//! [`RecordingTransport`]: any transport, with every call written down.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use serde::Serialize;
use tokio::time::Instant;

use crate::cassette::convert;
use crate::cassette::format::{Cassette, CassetteError, Exchange, RecordedRequest, TokenGrant};
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

/// Wraps any [`UsageTransport`] and writes down every call it passes on:
/// the request, the answer (or the error) and how long it took, in the
/// cassette format that [`ReplayTransport`](super::ReplayTransport) and
/// `genesys-usage-mock --replay` play back.
///
/// It sits above authentication, so no credential ever reaches it: a
/// recorded `refresh_auth` is a `token` exchange saying whether a new token
/// could be had, never the token. Cheap to clone; clones share the record.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true)
/// #     .build().unwrap().block_on(async {
/// use genesys_usage::cassette::RecordingTransport;
/// use genesys_usage::fake::FakeTransport;
/// use genesys_usage::{ApiUsageOrganizationQuery, UsageClient};
///
/// let recorder = RecordingTransport::new(FakeTransport::new());
/// let client = UsageClient::with_transport(recorder.clone());
/// client.run_usage_query(&ApiUsageOrganizationQuery::new("2024-01-01/2024-01-08")).await?;
/// let cassette = recorder.cassette();
/// assert_eq!(cassette.exchanges[0].operation.as_str(), "post_usage_query");
/// // recorder.save("usage.cassette.json")?;
/// # Ok::<(), genesys_usage::Error>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct RecordingTransport<T> {
    shared: Arc<Shared<T>>,
}

#[derive(Debug)]
struct Shared<T> {
    inner: T,
    exchanges: Mutex<Vec<Exchange>>,
}

impl<T> Clone for RecordingTransport<T> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T: UsageTransport> RecordingTransport<T> {
    /// Records the calls made through `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            shared: Arc::new(Shared {
                inner,
                exchanges: Mutex::new(Vec::new()),
            }),
        }
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.shared.inner
    }

    /// What has been recorded so far.
    #[must_use]
    pub fn cassette(&self) -> Cassette {
        Cassette {
            recorder: Some(format!(
                "genesys-usage {} RecordingTransport",
                env!("CARGO_PKG_VERSION")
            )),
            exchanges: self.exchanges().clone(),
            ..Cassette::new()
        }
    }

    /// Writes what has been recorded so far to `path` (whole or not at all).
    ///
    /// # Errors
    /// [`CassetteError::Io`] naming the file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CassetteError> {
        self.cassette().save(path)
    }

    fn exchanges(&self) -> MutexGuard<'_, Vec<Exchange>> {
        // Exchanges are pushed whole: a panic elsewhere cannot leave one torn.
        self.shared
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    async fn record<R: Serialize>(
        &self,
        operation: Operation,
        request: RecordedRequest,
        call: impl Future<Output = Result<ApiResponse<R>>>,
    ) -> Result<ApiResponse<R>> {
        let started = Instant::now();
        let result = call.await;
        let (response, error) = convert::record(&result);
        self.exchanges().push(Exchange {
            operation,
            request,
            response,
            error,
            token: None,
            elapsed_ms: elapsed_ms(started),
        });
        result
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[async_trait]
impl<T: UsageTransport> UsageTransport for RecordingTransport<T> {
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::PostUsageQuery;
        let call = self.inner().post_usage_query(body);
        self.record(op, request::post(op, &[], body), call).await
    }

    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let op = Operation::GetUsageQueryExecutionIdResults;
        let call = self
            .inner()
            .get_usage_query_execution_id_results(execution_id);
        self.record(op, request::get(op, &[execution_id], &[]), call)
            .await
    }

    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::PostUsageSimplesearch;
        let call = self.inner().post_usage_simplesearch(body);
        self.record(op, request::post(op, &[], body), call).await
    }

    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let op = Operation::GetUsageSimplesearchExecutionIdResults;
        let call = self
            .inner()
            .get_usage_simplesearch_execution_id_results(execution_id, page);
        let described = request::get(op, &[execution_id], &page_query(page));
        self.record(op, described, call).await
    }

    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::PostOauthClientUsageQuery;
        let call = self.inner().post_oauth_client_usage_query(client_id, body);
        self.record(op, request::post(op, &[client_id], body), call)
            .await
    }

    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let op = Operation::GetOauthClientUsageQueryResult;
        let call = self
            .inner()
            .get_oauth_client_usage_query_result(client_id, execution_id);
        let described = request::get(op, &[client_id, execution_id], &[]);
        self.record(op, described, call).await
    }

    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let op = Operation::GetOauthClientUsageSummary;
        let call = self.inner().get_oauth_client_usage_summary(client_id, days);
        let query = [("days", days.map(|d| d.to_string()))];
        self.record(op, request::get(op, &[client_id], &query), call)
            .await
    }

    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        let op = Operation::PostUsageAggregatesQueryJobs;
        let call = self.inner().post_usage_aggregates_query_jobs(body);
        self.record(op, request::post(op, &[], body), call).await
    }

    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        let op = Operation::GetUsageAggregatesQueryJob;
        let call = self.inner().get_usage_aggregates_query_job(job_id, page);
        let described = request::get(op, &[job_id], &page_query(page));
        self.record(op, described, call).await
    }

    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        let op = Operation::PostUsageClientAggregatesQueryJobs;
        let call = self
            .inner()
            .post_usage_client_aggregates_query_jobs(client_id, body);
        self.record(op, request::post(op, &[client_id], body), call)
            .await
    }

    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        let op = Operation::GetUsageClientAggregatesQueryJob;
        let call = self
            .inner()
            .get_usage_client_aggregates_query_job(client_id, job_id, page);
        let described = request::get(op, &[client_id, job_id], &page_query(page));
        self.record(op, described, call).await
    }

    async fn refresh_auth(&self) -> Result<bool> {
        let started = Instant::now();
        let result = self.inner().refresh_auth().await;
        let (issued, error) = match &result {
            Ok(issued) => (*issued, None),
            Err(e) => (false, convert::record_error(e).1),
        };
        self.exchanges().push(Exchange {
            operation: Operation::Token,
            request: request::token(),
            response: None,
            error,
            token: Some(TokenGrant {
                issued,
                ..TokenGrant::default()
            }),
            elapsed_ms: elapsed_ms(started),
        });
        result
    }
}
