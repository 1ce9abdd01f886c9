//! [`HttpTransportBuilder`]: where to send, how to authenticate, and the
//! HTTP client (timeouts, user agent, proxy, TLS, or one of your own).

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::client::ClientOptions;
use super::proxy::{ProxyAuth, ProxyChoice};
use super::wire::Wire;
use super::{DEFAULT_MAX_CONCURRENT_REQUESTS, HttpTransport, urls};
use crate::auth::{ClientCredentials, StaticToken, TokenProvider};
use crate::error::{Error, Result};
use crate::region::Region;

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
///
/// `Debug` shows no secret: not the client secret, the token, the proxy
/// password or the TLS identity.
#[derive(Clone, Default)]
#[must_use = "a builder does nothing until build() is called"]
pub struct HttpTransportBuilder {
    pub(crate) region: Option<Region>,
    pub(crate) base_url: Option<String>,
    pub(crate) login_url: Option<String>,
    pub(crate) auth: AuthConfig,
    /// Why the environment gave no usable credentials, for `build()`'s error.
    pub(crate) env_auth_gap: Option<String>,
    pub(crate) client: ClientOptions,
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
            .field("client", &self.client)
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
    /// A trailing `/api/v2` (as in the API's documented paths) is dropped:
    /// the operations add it themselves.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The login base URL (token endpoint at `{login_url}/oauth/token`; a
    /// trailing `/oauth/token` is dropped). Default: derived from the base
    /// URL (`api.` → `login.`), or the base URL itself.
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

    /// Timeout of a whole request, body included. Default
    /// [`DEFAULT_REQUEST_TIMEOUT`](super::DEFAULT_REQUEST_TIMEOUT).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.client.timeout = Some(timeout);
        self
    }

    /// Timeout to connect. Default [`DEFAULT_CONNECT_TIMEOUT`](super::DEFAULT_CONNECT_TIMEOUT).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.client.connect_timeout = Some(timeout);
        self
    }

    /// Replaces the `User-Agent` (default `genesys-usage/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.client.user_agent = Some(user_agent.into());
        self
    }

    /// Sends every request through the proxy at `url` (`http://` or
    /// `https://`), instead of the one the environment names.
    /// `http://user:password@proxy:3128` authenticates with Basic auth, as
    /// does [`proxy_basic_auth`](Self::proxy_basic_auth). HTTPS requests go
    /// through a `CONNECT` tunnel, so the proxy never sees their content.
    ///
    /// Without this, the proxy comes from the process environment when the
    /// transport is built: `HTTPS_PROXY` (the API is HTTPS), `HTTP_PROXY`,
    /// `ALL_PROXY` or their lowercase forms, except for the hosts of
    /// `NO_PROXY`, as curl reads them.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.client.proxy.choice = ProxyChoice::Url(url.into());
        self
    }

    /// Basic credentials for the proxy set with [`proxy`](Self::proxy).
    /// Never shown by `Debug`, logs or errors.
    pub fn proxy_basic_auth(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.client.proxy.auth = Some(ProxyAuth {
            username: username.into(),
            password: password.into(),
        });
        self
    }

    /// Connects directly, whatever `HTTPS_PROXY` and the other variables say.
    pub fn no_proxy(mut self) -> Self {
        self.client.proxy.choice = ProxyChoice::Direct;
        self
    }

    /// Trusts the CA certificates of `pem` (one or more PEM certificates,
    /// e.g. a corporate TLS-inspection CA) besides the default roots.
    /// Can be called more than once.
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.client.tls.add_roots(pem.as_ref());
        self
    }

    /// Trusts only the CA certificates of `pem` (and those of other calls of
    /// this method or [`add_root_certificate`](Self::add_root_certificate)):
    /// neither the operating system's roots nor `SSL_CERT_FILE`.
    pub fn tls_certs_only(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.client.tls.only_roots(pem.as_ref());
        self
    }

    /// Presents a client certificate (mutual TLS): `pem` holds the
    /// certificate chain and its private key (PKCS#8, RSA or SEC1), e.g.
    /// `[cert_pem, key_pem].concat()`. Never shown by `Debug`.
    pub fn identity(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.client.tls.set_identity(pem.as_ref());
        self
    }

    /// Sends with your own [`reqwest::Client`], for anything the options
    /// here do not cover (a custom resolver, other TLS settings, …). It is
    /// used for the token requests too. Its own timeouts, proxy, TLS, user
    /// agent and redirect policy apply, so the options that would configure
    /// them here (`timeout`, `connect_timeout`, `user_agent`, `proxy`,
    /// `proxy_basic_auth`, `no_proxy`, the TLS options) are refused by
    /// [`build`](Self::build). Give it a timeout: a request without one
    /// can wait forever.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.client.given = Some(client);
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
    /// (zero) when unusable; `proxy`, `proxy_basic_auth`,
    /// `add_root_certificate`, `tls_certs_only` or `identity` when unusable,
    /// or when combined with [`http_client`](Self::http_client).
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
        let http = self.client.build()?;
        let token_url = urls::join_path(&login, "oauth/token");
        let auth = token_provider(self.auth, self.env_auth_gap, token_url, &http)?;
        Ok(HttpTransport {
            wire: Arc::new(Wire::new(http, base, auth, limit)),
        })
    }

    /// The API and login base URLs, validated.
    fn urls(&self) -> Result<(Url, Url)> {
        let region = self.region.unwrap_or_default();
        let insecure = self.allow_insecure_http;
        let base = match &self.base_url {
            Some(raw) => urls::without_suffix(
                "base_url",
                urls::parse_base("base_url", raw, insecure)?,
                "api/v2",
            ),
            None => urls::parse_base("base_url", &region.api_base_url(), insecure)?,
        };
        let login_raw = match (&self.login_url, &self.base_url) {
            (Some(login), _) => login.clone(),
            (None, Some(_)) => urls::derive_login_url(base.as_str()),
            (None, None) => region.login_base_url(),
        };
        let login = urls::parse_base("login_url", &login_raw, insecure)?;
        Ok((
            base,
            urls::without_suffix("login_url", login, "oauth/token"),
        ))
    }
}

/// The provider for the configured authentication.
fn token_provider(
    auth: AuthConfig,
    env_gap: Option<String>,
    token_url: Url,
    http: &reqwest::Client,
) -> Result<Arc<dyn TokenProvider>> {
    match auth {
        AuthConfig::None => Err(Error::config(
            "auth",
            env_gap.unwrap_or_else(|| "set client_credentials, token or token_provider".into()),
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
