//! [`HttpTransport`]: the Usage API over HTTPS with reqwest (rustls).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use url::Url;

use crate::auth::{ClientCredentials, StaticToken, TokenProvider};
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

mod incremental;
pub(crate) mod urls;
mod wire;

use wire::{Call, Wire};
pub(crate) use wire::{JSON, meta_from_headers, transport_error};

/// Default time to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time for a whole request, body included.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Default cap on the requests in flight at once through one transport.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

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

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::ClientCredentials { client_id, .. } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
            Self::Static(_) => f.write_str("Static(<redacted>)"),
            Self::Provider(provider) => f.debug_tuple("Provider").field(provider).finish(),
        }
    }
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
    pub(crate) max_concurrent_requests: Option<usize>,
}

impl std::fmt::Debug for HttpTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransportBuilder")
            .field("region", &self.region)
            .field("base_url", &self.base_url.as_deref().map(urls::redact))
            .field("login_url", &self.login_url.as_deref().map(urls::redact))
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .finish()
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

    /// Caps the requests in flight at once through this transport (and its
    /// clones); more wait their turn, in order. Default
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`]; `usize::MAX` for no cap.
    ///
    /// Over HTTP/1.1 each request in flight needs a connection of its own,
    /// and the connection pool opens one whenever none is idle (it has no
    /// limit of its own), so without a cap 1,000 concurrent calls open about
    /// as many connections and TLS handshakes, and keep them all idle
    /// afterwards. The API's rate limits make more than a few dozen requests
    /// in flight useless anyway.
    pub fn max_concurrent_requests(mut self, max: usize) -> Self {
        self.max_concurrent_requests = Some(max);
        self
    }

    /// Validates the options and builds the transport.
    ///
    /// # Errors
    /// [`Error::Config`] naming the option at fault: `auth` when no
    /// authentication is set; `base_url` or `login_url` when unparsable, not
    /// http(s), carrying credentials, or plain `http` to a host other than
    /// loopback without [`allow_insecure_http`](Self::allow_insecure_http);
    /// `timeout`, `connect_timeout`, `user_agent` or `max_concurrent_requests`
    /// (zero) when unusable.
    pub fn build(self) -> Result<HttpTransport> {
        let limit = self
            .max_concurrent_requests
            .unwrap_or(DEFAULT_MAX_CONCURRENT_REQUESTS);
        if limit == 0 {
            return Err(Error::config(
                "max_concurrent_requests",
                "must be greater than zero",
            ));
        }
        let (base, login) = self.urls()?;
        let http = http_client(
            self.user_agent.as_deref(),
            self.connect_timeout,
            self.timeout,
        )?;
        let token_url = urls::join_path(&login, "oauth/token");
        let auth = token_provider(self.auth, token_url, &http)?;
        Ok(HttpTransport {
            wire: Arc::new(Wire::new(http, base, auth, limit)),
        })
    }

    /// The API and login base URLs, validated.
    fn urls(&self) -> Result<(Url, Url)> {
        let region = self.region.unwrap_or_default();
        let insecure = self.allow_insecure_http;
        let base_raw = self
            .base_url
            .clone()
            .unwrap_or_else(|| region.api_base_url());
        let base = urls::parse_base("base_url", &base_raw, insecure)?;
        let login_raw = match (&self.login_url, &self.base_url) {
            (Some(login), _) => login.clone(),
            (None, Some(base)) => urls::derive_login_url(base),
            (None, None) => region.login_base_url(),
        };
        let login = urls::parse_base("login_url", &login_raw, insecure)?;
        Ok((base, login))
    }
}

/// The provider for the configured authentication.
fn token_provider(
    auth: AuthConfig,
    token_url: Url,
    http: &reqwest::Client,
) -> Result<Arc<dyn TokenProvider>> {
    match auth {
        AuthConfig::None => Err(Error::config(
            "auth",
            "set client_credentials, token or token_provider",
        )),
        AuthConfig::ClientCredentials {
            client_id,
            client_secret,
        } => Ok(Arc::new(ClientCredentials::with_http(
            client_id,
            &client_secret,
            token_url,
            http.clone(),
        )?)),
        AuthConfig::Static(token) if token.is_empty() => {
            Err(Error::config("token", "must not be empty"))
        }
        AuthConfig::Static(token) => Ok(Arc::new(StaticToken::new(token))),
        AuthConfig::Provider(provider) => Ok(provider),
    }
}

/// The `User-Agent` sent by default: `genesys-usage/<version>`.
fn default_user_agent() -> String {
    format!("genesys-usage/{}", env!("CARGO_PKG_VERSION"))
}

/// The reqwest client of a transport (and of its token provider): user
/// agent, timeouts, and no redirects (a redirect could carry the bearer
/// token elsewhere; the API never redirects).
pub(crate) fn http_client(
    user_agent: Option<&str>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
) -> Result<reqwest::Client> {
    let connect_timeout = connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let timeout = timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT);
    if connect_timeout.is_zero() {
        return Err(Error::config(
            "connect_timeout",
            "must be greater than zero",
        ));
    }
    if timeout.is_zero() {
        return Err(Error::config("timeout", "must be greater than zero"));
    }
    let user_agent = user_agent.map_or_else(default_user_agent, str::to_owned);
    let user_agent = HeaderValue::from_str(&user_agent)
        .map_err(|_| Error::config("user_agent", "must be visible ascii"))?;
    reqwest::Client::builder()
        .user_agent(user_agent)
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::config("http", format!("cannot build the http client: {e}")))
}

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
