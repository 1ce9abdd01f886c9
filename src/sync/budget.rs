//! [`BudgetTransport`]: a request budget in front of any transport, so a
//! sync of several organisations stays under each one's rate limit instead
//! of meeting it as a storm of 429s.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::Result;
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::transport::{ApiResponse, PageRequest, UsageTransport};

/// The default budget: 240 requests a minute, 80 % of the service's default
/// limit of 300 per token, leaving room for anything else on the credential.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 240;

/// A token bucket of `per_minute` requests a minute, holding at most ten
/// seconds' worth, so a burst after a pause stays small.
#[derive(Debug)]
struct Bucket {
    per_minute: u32,
    tokens: f64,
    capacity: f64,
    updated: Instant,
}

impl Bucket {
    fn new(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let capacity = (f64::from(per_minute) / 6.0).max(1.0);
        Self {
            per_minute,
            tokens: capacity,
            capacity,
            updated: Instant::now(),
        }
    }

    /// Takes a token, returning how long to wait for it first.
    fn take(&mut self, now: Instant) -> Duration {
        let rate = f64::from(self.per_minute) / 60.0;
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(self.capacity);
        self.updated = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

/// Wraps a transport so that every call first waits for the budget: at most
/// `per_minute` calls a minute on average, bursts of at most ten seconds'
/// worth. Retries and polls count like any call. The client's own handling
/// of a 429 (`Retry-After` honoured) still applies above it.
#[derive(Debug, Clone)]
pub struct BudgetTransport {
    inner: Arc<dyn UsageTransport>,
    bucket: Arc<Mutex<Bucket>>,
}

impl BudgetTransport {
    /// `inner` under a budget of `per_minute` requests a minute (at least 1).
    #[must_use]
    pub fn new(inner: Arc<dyn UsageTransport>, per_minute: u32) -> Self {
        Self {
            inner,
            bucket: Arc::new(Mutex::new(Bucket::new(per_minute))),
        }
    }

    async fn admit(&self) {
        let wait = self.bucket.lock().await.take(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[async_trait]
impl UsageTransport for BudgetTransport {
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        self.admit().await;
        self.inner.post_usage_query(body).await
    }

    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        self.admit().await;
        self.inner
            .get_usage_query_execution_id_results(execution_id)
            .await
    }

    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        self.admit().await;
        self.inner.post_usage_simplesearch(body).await
    }

    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        self.admit().await;
        self.inner
            .get_usage_simplesearch_execution_id_results(execution_id, page)
            .await
    }

    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        self.admit().await;
        self.inner
            .post_oauth_client_usage_query(client_id, body)
            .await
    }

    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        self.admit().await;
        self.inner
            .get_oauth_client_usage_query_result(client_id, execution_id)
            .await
    }

    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        self.admit().await;
        self.inner
            .get_oauth_client_usage_summary(client_id, days)
            .await
    }

    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        self.admit().await;
        self.inner.post_usage_aggregates_query_jobs(body).await
    }

    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        self.admit().await;
        self.inner
            .get_usage_aggregates_query_job(job_id, page)
            .await
    }

    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        self.admit().await;
        self.inner
            .post_usage_client_aggregates_query_jobs(client_id, body)
            .await
    }

    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        self.admit().await;
        self.inner
            .get_usage_client_aggregates_query_job(client_id, job_id, page)
            .await
    }

    async fn refresh_auth(&self) -> Result<bool> {
        self.inner.refresh_auth().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_bucket_allows_a_short_burst_then_spaces_requests() {
        let mut bucket = Bucket::new(60);
        let now = Instant::now();
        let waits: Vec<Duration> = (0..12).map(|_| bucket.take(now)).collect();
        assert!(waits[..10].iter().all(Duration::is_zero), "{waits:?}");
        assert_eq!(waits[10], Duration::from_secs(1));
        assert_eq!(waits[11], Duration::from_secs(2));
        // A minute later the bucket is full again, but not fuller.
        let later = now + Duration::from_secs(600);
        let waits: Vec<Duration> = (0..11).map(|_| bucket.take(later)).collect();
        assert!(waits[..10].iter().all(Duration::is_zero), "{waits:?}");
        assert!(!waits[10].is_zero());
    }
}
