//! [`UsageClientBuilder`]: the HTTP transport's options plus the client's
//! policies.

use std::sync::Arc;
use std::time::Duration;

use super::UsageClient;
use crate::auth::TokenProvider;
use crate::error::Result;
use crate::polling::WaitPolicy;
use crate::region::Region;
use crate::retry::RetryPolicy;
use crate::transport::http::HttpTransportBuilder;

/// Builder of [`UsageClient`] over HTTP. Setters never fail; [`build`](Self::build) validates.
///
/// The transport options are those of [`HttpTransportBuilder`], whose docs
/// say more about each.
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

    /// Targets a custom API base URL, e.g. the mock server's `url()`. A
    /// trailing `/api/v2` is dropped.
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

    /// Applies the `GENESYSCLOUD_*` variables that are set (aliases
    /// `GENESYS_*`): credentials, region, URLs, proxy. See
    /// [`HttpTransportBuilder::with_env`] for the list.
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) naming the variable whose value is unusable.
    pub fn with_env(mut self) -> Result<Self> {
        self.http = self.http.with_env()?;
        Ok(self)
    }

    /// As [`with_env`](Self::with_env), reading each variable through `lookup`.
    ///
    /// # Errors
    /// As [`with_env`](Self::with_env).
    pub fn with_env_from<F>(mut self, lookup: F) -> Result<Self>
    where
        F: Fn(&str) -> Option<String>,
    {
        self.http = self.http.with_env_from(lookup)?;
        Ok(self)
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

    /// Sends every request through this proxy (`http://user:password@host:port`
    /// for Basic auth) instead of `HTTPS_PROXY`'s. See [`HttpTransportBuilder::proxy`].
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.http = self.http.proxy(url);
        self
    }

    /// Basic credentials for the [`proxy`](Self::proxy). Never shown.
    pub fn proxy_basic_auth(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.http = self.http.proxy_basic_auth(username, password);
        self
    }

    /// No proxy, whatever `HTTPS_PROXY` says.
    pub fn no_proxy(mut self) -> Self {
        self.http = self.http.no_proxy();
        self
    }

    /// Trusts the CA certificates of `pem` besides the default roots.
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.http = self.http.add_root_certificate(pem);
        self
    }

    /// Trusts only the CA certificates of `pem` (a corporate CA).
    pub fn tls_certs_only(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.http = self.http.tls_certs_only(pem);
        self
    }

    /// A client certificate and its key, in PEM, for mutual TLS.
    pub fn identity(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.http = self.http.identity(pem);
        self
    }

    /// Sends with your own [`reqwest::Client`]; see [`HttpTransportBuilder::http_client`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = self.http.http_client(client);
        self
    }

    /// Caps the HTTP requests in flight at once; more wait their turn.
    /// Default [`DEFAULT_MAX_CONCURRENT_REQUESTS`](crate::DEFAULT_MAX_CONCURRENT_REQUESTS)
    /// (64); `usize::MAX` for no cap. See
    /// [`HttpTransportBuilder::max_concurrent_requests`].
    pub fn max_concurrent_requests(mut self, max: usize) -> Self {
        self.http = self.http.max_concurrent_requests(max);
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
    /// [`Error::Config`](crate::Error::Config) naming the option at fault.
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
