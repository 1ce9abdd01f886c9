//! [`HttpTransport`]: the Usage API over HTTPS with reqwest (rustls).
//!
//! Parts: `builder.rs` (the options), `client.rs` (the reqwest client they
//! build), `proxy.rs` and `tls.rs` (those options), `urls.rs` (base URLs and
//! path templates), `wire.rs` (one request and its answer), `failure.rs`
//! (reqwest errors as [`Error::Transport`](crate::Error::Transport)) and
//! `incremental.rs` (decoding large bodies as they arrive).

use std::sync::Arc;
use std::time::Duration;

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

mod builder;
mod client;
pub(crate) mod failure;
mod incremental;
mod proxy;
mod tls;
pub(crate) mod urls;
mod wire;

pub(crate) use builder::AuthConfig;
pub use builder::HttpTransportBuilder;
pub(crate) use client::ClientOptions;
pub(crate) use proxy::{ProxyAuth, ProxyChoice};
use wire::{Call, Wire};
pub(crate) use wire::{JSON, meta_from_headers};

/// Default time to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for a whole request, body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Default cap on the requests in flight at once through one transport.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

/// The Usage API over HTTPS: URLs, headers, authentication and status
/// mapping for the 11 operations, one attempt per call (policy lives in
/// [`UsageClient`](crate::UsageClient)).
///
/// Cheap to clone (an `Arc` inside). `Debug` shows no secret.
#[derive(Clone)]
pub struct HttpTransport {
    wire: Arc<Wire>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.wire.fmt(f)
    }
}

impl HttpTransport {
    /// A builder with the defaults.
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// A builder that sends with your own [`reqwest::Client`] (API and token
    /// requests): see [`HttpTransportBuilder::http_client`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use genesys_usage::HttpTransport;
    ///
    /// let http = reqwest::Client::builder()
    ///     .timeout(Duration::from_secs(20))
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .unwrap();
    /// let transport = HttpTransport::from_client(http)
    ///     .base_url("http://127.0.0.1:8080")
    ///     .token("a-token")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(transport.base_url(), "http://127.0.0.1:8080/");
    /// ```
    pub fn from_client(client: reqwest::Client) -> HttpTransportBuilder {
        HttpTransportBuilder::default().http_client(client)
    }

    /// The API base URL the transport sends to.
    #[must_use]
    pub fn base_url(&self) -> &str {
        self.wire.base.as_str()
    }
}

#[async_trait]
impl UsageTransport for HttpTransport {
    async fn post_usage_query(
        &self,
        body: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let call = Call::post("/api/v2/usage/query", [], body);
        self.wire.send(call).await
    }

    async fn get_usage_query_execution_id_results(
        &self,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let call = Call::get("/api/v2/usage/query/{executionId}/results", [execution_id]);
        self.wire.send(call).await
    }

    async fn post_usage_simplesearch(
        &self,
        body: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let call = Call::post("/api/v2/usage/simplesearch", [], body);
        self.wire.send(call).await
    }

    async fn get_usage_simplesearch_execution_id_results(
        &self,
        execution_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let template = "/api/v2/usage/simplesearch/{executionId}/results";
        let call = Call::get(template, [execution_id]).page(page);
        self.wire.send(call).await
    }

    async fn post_oauth_client_usage_query(
        &self,
        client_id: &str,
        body: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let call = Call::post(
            "/api/v2/oauth/clients/{clientId}/usage/query",
            [client_id],
            body,
        );
        self.wire.send(call).await
    }

    async fn get_oauth_client_usage_query_result(
        &self,
        client_id: &str,
        execution_id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        let template = "/api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}";
        let call = Call::get(template, [client_id, execution_id]);
        self.wire.send(call).await
    }

    async fn get_oauth_client_usage_summary(
        &self,
        client_id: &str,
        days: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        let template = "/api/v2/oauth/clients/{clientId}/usage/summary";
        let call = Call::get(template, [client_id]).query("days", days.map(|d| d.to_string()));
        self.wire.send(call).await
    }

    async fn post_usage_aggregates_query_jobs(
        &self,
        body: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        let call = Call::post("/api/v2/usage/aggregates/query/jobs", [], body);
        self.wire.send(call).await
    }

    async fn get_usage_aggregates_query_job(
        &self,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        let call = Call::get("/api/v2/usage/aggregates/query/jobs/{jobId}", [job_id]).page(page);
        self.wire.send(call).await
    }

    async fn post_usage_client_aggregates_query_jobs(
        &self,
        client_id: &str,
        body: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        let template = "/api/v2/usage/client/{clientId}/aggregates/query/jobs";
        let call = Call::post(template, [client_id], body);
        self.wire.send(call).await
    }

    async fn get_usage_client_aggregates_query_job(
        &self,
        client_id: &str,
        job_id: &str,
        page: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        let template = "/api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}";
        let call = Call::get(template, [client_id, job_id]).page(page);
        self.wire.send(call).await
    }

    async fn refresh_auth(&self) -> Result<bool> {
        self.wire.refresh_auth().await
    }
}
