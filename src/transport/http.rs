//! [`HttpTransport`]: the Usage API over HTTPS with reqwest (rustls).
//!
//! STUB: the HTTP/auth helper implements this file; the builder setters are the contract.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::auth::TokenProvider;
use crate::error::{Error, Result};
use crate::models::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use crate::region::Region;
use crate::transport::{ApiResponse, PageRequest, UsageTransport};

/// Default time to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for a whole request, body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the transport authenticates.
#[derive(Clone, Default)]
pub(crate) enum AuthConfig {
    /// Not set: `build()` fails.
    #[default]
    None,
    /// OAuth client credentials.
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
    /// A fixed token.
    Static(String),
    /// A caller-supplied provider.
    Provider(Arc<dyn TokenProvider>),
}

/// Builder of [`HttpTransport`]. Setters never fail; [`build`](Self::build) validates.
#[derive(Clone, Default)]
#[must_use = "a builder does nothing until build() is called"]
pub struct HttpTransportBuilder {
    pub(crate) region: Option<Region>,
    pub(crate) base_url: Option<String>,
    pub(crate) login_url: Option<String>,
    pub(crate) auth: AuthConfig,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) user_agent: Option<String>,
    pub(crate) allow_insecure_http: bool,
}

impl std::fmt::Debug for HttpTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransportBuilder")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("login_url", &self.login_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpTransportBuilder {
    /// Targets a Genesys region (API and login hosts derived). Default `us_east_1`.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Targets a custom API base URL (e.g. the mock server); overrides `region`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The login base URL (token endpoint at `{login_url}/oauth/token`).
    /// Default: derived from the base URL (`api.` → `login.`), or the base URL itself.
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.login_url = Some(url.into());
        self
    }

    /// Authenticates with OAuth client credentials.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.auth = AuthConfig::ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        };
        self
    }

    /// Authenticates with a fixed bearer token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.auth = AuthConfig::Static(token.into());
        self
    }

    /// Authenticates with a caller-supplied [`TokenProvider`].
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.auth = AuthConfig::Provider(provider);
        self
    }

    /// Timeout of a whole request. Default [`DEFAULT_REQUEST_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout to connect. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Replaces the `User-Agent` (default `genesys-usage/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Allows plain `http://` URLs to hosts other than loopback.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Validates the options and builds the transport.
    ///
    /// # Errors
    /// [`Error::Config`] naming the option at fault.
    pub fn build(self) -> Result<HttpTransport> {
        Err(Error::config("http", "not implemented yet"))
    }
}

/// The Usage API over HTTPS.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    _private: (),
}

impl HttpTransport {
    /// A builder with the defaults.
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }
}

fn stub<T>() -> Result<T> {
    Err(Error::config("http", "not implemented yet"))
}

#[async_trait]
impl UsageTransport for HttpTransport {
    async fn post_usage_query(
        &self,
        _b: &ApiUsageOrganizationQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        stub()
    }
    async fn get_usage_query_execution_id_results(
        &self,
        _id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        stub()
    }
    async fn post_usage_simplesearch(
        &self,
        _b: &ApiUsageSimpleSearch,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        stub()
    }
    async fn get_usage_simplesearch_execution_id_results(
        &self,
        _id: &str,
        _p: &PageRequest,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        stub()
    }
    async fn post_oauth_client_usage_query(
        &self,
        _c: &str,
        _b: &ApiUsageClientQuery,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        stub()
    }
    async fn get_oauth_client_usage_query_result(
        &self,
        _c: &str,
        _id: &str,
    ) -> Result<ApiResponse<ApiUsageQueryResult>> {
        stub()
    }
    async fn get_oauth_client_usage_summary(
        &self,
        _c: &str,
        _d: Option<u32>,
    ) -> Result<ApiResponse<UsageExecutionResult>> {
        stub()
    }
    async fn post_usage_aggregates_query_jobs(
        &self,
        _b: &OrganizationPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<OrganizationUsageQueryResponse>> {
        stub()
    }
    async fn get_usage_aggregates_query_job(
        &self,
        _id: &str,
        _p: &PageRequest,
    ) -> Result<ApiResponse<OrganizationPublicApiUsageResultsResponse>> {
        stub()
    }
    async fn post_usage_client_aggregates_query_jobs(
        &self,
        _c: &str,
        _b: &ClientPublicApiUsageQueryRequest,
    ) -> Result<ApiResponse<ClientUsageQueryResponse>> {
        stub()
    }
    async fn get_usage_client_aggregates_query_job(
        &self,
        _c: &str,
        _id: &str,
        _p: &PageRequest,
    ) -> Result<ApiResponse<ClientPublicApiUsageResultsResponse>> {
        stub()
    }
}
