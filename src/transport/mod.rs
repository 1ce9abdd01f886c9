//! The seam between policy and wire: [`UsageTransport`] and what it returns.

use std::time::Duration;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, ErrorBody, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};

pub(crate) mod attempt;
pub(crate) mod http;
mod shared;

/// One call of the Usage API, without policy.
///
/// # Contract
///
/// Every implementation ([`HttpTransport`](crate::HttpTransport), the in-memory
/// `FakeTransport`, a mock) meets these rules, which the conformance suite in
/// `tests/support/` checks:
///
/// 1. **One attempt per call.** No retry, no sleep, no polling: policy lives in
///    [`UsageClient`](crate::UsageClient), above this trait.
/// 2. **Any 2xx is success** and yields the decoded body plus its
///    [`ResponseMeta`] (the jobs results answer 202 while running; that is a
///    success carrying `queryStatus`).
/// 3. **Errors are typed**: 401 → [`Error::Unauthorized`], 429 →
///    [`Error::RateLimited`] (with `Retry-After`), other non-2xx →
///    [`Error::Api`] with the parsed [`ErrorBody`] and correlation id; no
///    answer → [`Error::Transport`]; an undecodable 2xx body → [`Error::Decode`].
/// 4. **Path parameters are data**: an id such as `a/b?c` names one resource;
///    it is percent-encoded, never a path change.
/// 5. **Auth is the transport's**: it attaches credentials itself; when the
///    client sees a 401 it calls [`refresh_auth`](Self::refresh_auth) once and
///    retries once.
/// 6. **Secrets never leak** into `Debug` output or errors.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UsageTransport: Send + Sync + std::fmt::Debug {
    /// L1 `POST /api/v2/usage/query`.
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>>;

    /// L2 `GET /api/v2/usage/query/{executionId}/results`.
    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>>;

    /// L3 `POST /api/v2/usage/simplesearch`.
    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>>;

    /// L4 `GET /api/v2/usage/simplesearch/{executionId}/results?after=&pageSize=`.
    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>>;

    /// L5 `POST /api/v2/oauth/clients/{clientId}/usage/query`.
    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>>;

    /// L6 `GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}`.
    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>>;

    /// L7 `GET /api/v2/oauth/clients/{clientId}/usage/summary?days=`; `days` is sent as
    /// the decimal string the service expects.
    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>>;

    /// N1 `POST /api/v2/usage/aggregates/query/jobs`.
    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>>;

    /// N2 `GET /api/v2/usage/aggregates/query/jobs/{jobId}?pageSize=&after=`.
    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>>;

    /// N3 `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs`.
    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>>;

    /// N4 `GET /api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}?pageSize=&after=`.
    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>>;

    /// Drops the cached credentials so the next call authenticates afresh.
    /// Returns `Ok(true)` when a retry may now succeed; the default (no
    /// credentials to refresh) returns `Ok(false)`.
    ///
    /// # Errors
    /// The token endpoint's refusal, as [`Error::Unauthorized`].
    async fn refresh_auth(&self) -> Result<bool> {
        Ok(false)
    }
}

/// A decoded 2xx body and the metadata of its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub body: T,
    /// Status and headers that matter.
    pub meta: ResponseMeta,
}

/// Status and headers of an answer that the policy layer and callers use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `ININ-Correlation-Id`.
    pub correlation_id: Option<String>,
    /// `Retry-After`, resolved to a duration when the answer arrived.
    pub retry_after: Option<Duration>,
    /// `inin-ratelimit-*` headers.
    pub rate_limit: Option<RateLimitInfo>,
}

/// The `inin-ratelimit-*` headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// `inin-ratelimit-count`: requests counted in the window.
    pub count: Option<u64>,
    /// `inin-ratelimit-allowed`: requests allowed in the window.
    pub allowed: Option<u64>,
    /// `inin-ratelimit-reset`: seconds until the window resets.
    pub reset: Option<u64>,
}

/// Paging parameters of the paged GETs (L4, N2, N4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// `pageSize`, 1..=1000; the service's default when `None`.
    pub page_size: Option<u32>,
    /// `after`: the opaque cursor of the page to fetch.
    pub after: Option<String>,
}

impl PageRequest {
    /// The first page with the service's default size.
    #[must_use]
    pub fn first() -> Self {
        Self::default()
    }

    /// The first page with `page_size` rows.
    #[must_use]
    pub fn with_page_size(page_size: u32) -> Self {
        Self {
            page_size: Some(page_size),
            after: None,
        }
    }

    /// The page after `cursor`.
    #[must_use]
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Reads `pageSize` and `after` from a jobs `nextUri`
    /// (`/api/v2/usage/aggregates/query/jobs/{id}?pageSize=100&after=…`).
    #[must_use]
    pub fn from_next_uri(next_uri: &str) -> Option<Self> {
        let query = next_uri.split_once('?')?.1;
        let mut page = Self::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match key.as_ref() {
                "after" => page.after = Some(value.into_owned()),
                "pageSize" => page.page_size = value.parse().ok(),
                _ => {}
            }
        }
        page.after.is_some().then_some(page)
    }
}

/// Maps a non-2xx answer to the typed error of the contract (rule 3).
///
/// Shared by every transport so the fake and HTTP give identical errors.
pub(crate) fn error_from_answer(status: u16, body: &[u8], meta: ResponseMeta) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let correlation_id = meta
        .correlation_id
        .or_else(|| parsed.as_ref().and_then(|b| b.context_id.clone()));
    let snippet = parsed.is_none().then(|| body_snippet(body));
    let body = parsed.map(Box::new);
    match status {
        401 => Error::Unauthorized {
            message: body
                .as_ref()
                .and_then(|b| b.message.clone())
                .unwrap_or_else(|| "the api refused the bearer token".to_owned()),
            status: Some(401),
            body,
            correlation_id,
        },
        429 => Error::RateLimited {
            retry_after: meta.retry_after,
            body,
            correlation_id,
        },
        _ => Error::Api {
            status,
            body,
            snippet,
            correlation_id,
        },
    }
}

/// The first 200 characters of a body, lossily decoded, for error messages.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(800)]);
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_uri_gives_the_page_request() {
        let page = PageRequest::from_next_uri(
            "/api/v2/usage/aggregates/query/jobs/x?pageSize=50&after=a%2Bb",
        )
        .unwrap();
        assert_eq!(
            page,
            PageRequest {
                page_size: Some(50),
                after: Some("a+b".into())
            }
        );
        assert_eq!(PageRequest::from_next_uri("/api/v2/x"), None);
    }

    #[test]
    fn non_json_error_body_keeps_a_snippet() {
        let err = error_from_answer(502, b"<html>bad gateway</html>", ResponseMeta::default());
        assert!(err.to_string().contains("bad gateway"), "{err}");
        assert_eq!(err.status(), Some(502));
    }

    #[test]
    fn error_body_context_id_fills_a_missing_correlation_id() {
        let body =
            serde_json::to_vec(&ErrorBody::new(404, "not.found", "x").with_context_id("c-1"))
                .unwrap();
        let err = error_from_answer(404, &body, ResponseMeta::default());
        assert_eq!(err.correlation_id(), Some("c-1"));
    }
}
