//! Authentication: the [`TokenProvider`] seam, [`ClientCredentials`] and [`StaticToken`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::error::{Error, Result};
use crate::models::{AccessTokenResponse, OAuthErrorBody};
use crate::region::Region;
use crate::transport::http::failure::{Target, authority, transport_error};
use crate::transport::http::{ClientOptions, urls};
use crate::transport::{ResponseMeta, error_from_answer};

/// A bearer token. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    /// Wraps a token.
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(Arc::from(token.into()))
    }

    /// The token itself, to put in an `Authorization` header.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Supplies bearer tokens to [`HttpTransport`](crate::HttpTransport).
#[async_trait]
pub trait TokenProvider: Send + Sync + std::fmt::Debug {
    /// A valid token, from cache when possible.
    ///
    /// # Errors
    /// [`Error::Unauthorized`](crate::Error::Unauthorized) when the token
    /// endpoint refuses; [`Error::Transport`](crate::Error::Transport) when unreachable.
    async fn access_token(&self) -> Result<AccessToken>;

    /// Called after the API refused `rejected` with a 401: drop it so the next
    /// [`access_token`](Self::access_token) fetches a new one. Returns whether a
    /// new token can be had (a static token cannot).
    ///
    /// # Errors
    /// As [`access_token`](Self::access_token).
    async fn refresh(&self, rejected: &AccessToken) -> Result<bool>;
}

/// A fixed token, for tests and for tokens obtained elsewhere.
#[derive(Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wraps `token`.
    #[must_use]
    pub fn new(token: impl Into<String>) -> Self {
        Self(AccessToken::new(token))
    }
}

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn access_token(&self) -> Result<AccessToken> {
        Ok(self.0.clone())
    }

    async fn refresh(&self, _rejected: &AccessToken) -> Result<bool> {
        Ok(false)
    }
}

/// OAuth client credentials (Genesys's client-credentials grant): fetches a token from
/// `{login}/oauth/token`, caches it and refreshes it ahead of expiry.
///
/// - The token is refreshed when less than [`MIN_REFRESH_MARGIN`](Self::MIN_REFRESH_MARGIN)
///   or [`REFRESH_MARGIN_PERCENT`](Self::REFRESH_MARGIN_PERCENT) % of its lifetime
///   (whichever is longer) remains, but never before half its lifetime has passed,
///   so short-lived tokens are still reused.
/// - One refresh runs at a time however many tasks wait; the others get its result.
/// - Cancel-safe: a caller dropped while its token request is in flight
///   (a timeout, a `select!`) abandons that request and nothing else; the
///   cache keeps what it had and the next caller, or one already waiting,
///   sends a new request.
/// - When a refresh fails while the current token has not yet expired, the
///   current token is used until it does.
/// - An answer without `expires_in` (or with 0) counts as
///   [`DEFAULT_LIFETIME`](Self::DEFAULT_LIFETIME).
/// - `Debug` shows the client id, never the secret or the token.
pub struct ClientCredentials {
    client_id: String,
    /// `Basic base64(id:secret)`, marked sensitive; the secret is kept only here.
    basic: HeaderValue,
    token_url: Url,
    http: reqwest::Client,
    cached: Mutex<Option<CachedToken>>,
    /// Held while a token request is in flight: one refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
struct CachedToken {
    token: AccessToken,
    refresh_at: Instant,
    expires_at: Instant,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// The least time before expiry at which the token is refreshed.
    pub const MIN_REFRESH_MARGIN: Duration = Duration::from_secs(60);
    /// The share of the token's lifetime, in percent, before expiry at which
    /// it is refreshed, when that is longer than [`MIN_REFRESH_MARGIN`](Self::MIN_REFRESH_MARGIN).
    pub const REFRESH_MARGIN_PERCENT: u32 = 10;
    /// The lifetime assumed when the token endpoint gives none: the shortest
    /// Genesys allows (5 minutes).
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
    /// The longest lifetime honoured: the longest Genesys allows (48 hours).
    pub const MAX_LIFETIME: Duration = Duration::from_secs(48 * 3600);

    /// Credentials for `region`'s login host, with their own HTTP client
    /// (default timeouts and user agent).
    ///
    /// # Errors
    /// [`Error::Config`] when the id or secret is empty.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        region: Region,
    ) -> Result<Self> {
        Self::with_login_url(client_id, client_secret, &region.login_base_url())
    }

    /// Credentials for a custom login base URL (the token endpoint is
    /// `{login_url}/oauth/token`), e.g. a mock server. Plain `http` is
    /// accepted for loopback hosts only.
    ///
    /// # Errors
    /// [`Error::Config`] when the id or secret is empty or the URL is unusable.
    pub fn with_login_url(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        login_url: &str,
    ) -> Result<Self> {
        let login = urls::parse_base("login_url", login_url, false)?;
        let http = ClientOptions::default().build()?;
        Self::with_http(
            client_id.into(),
            &client_secret.into(),
            urls::join_path(&login, "oauth/token"),
            http,
        )
    }

    /// Credentials posting to `token_url` through `http` (shared with the transport).
    pub(crate) fn with_http(
        client_id: String,
        client_secret: &str,
        token_url: Url,
        http: reqwest::Client,
    ) -> Result<Self> {
        if client_id.is_empty() {
            return Err(Error::config("client_id", "must not be empty"));
        }
        if client_secret.is_empty() {
            return Err(Error::config("client_secret", "must not be empty"));
        }
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{client_secret}"));
        let mut basic = HeaderValue::from_str(&format!("Basic {encoded}"))
            .map_err(|_| Error::config("client_secret", "cannot be sent in a header"))?;
        basic.set_sensitive(true);
        Ok(Self {
            client_id,
            basic,
            token_url,
            http,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    /// The OAuth client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    fn cache(&self) -> MutexGuard<'_, Option<CachedToken>> {
        // The guarded value is replaced whole: a panic elsewhere cannot leave it torn.
        self.cached.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached token if it needs no refresh yet.
    fn fresh(&self) -> Option<AccessToken> {
        let now = Instant::now();
        self.cache()
            .as_ref()
            .filter(|c| now < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// The cached token if it has not expired (it may be due for refresh).
    fn unexpired(&self) -> Option<AccessToken> {
        let now = Instant::now();
        self.cache()
            .as_ref()
            .filter(|c| now < c.expires_at)
            .map(|c| c.token.clone())
    }

    /// One `POST /oauth/token`.
    async fn fetch(&self) -> Result<CachedToken> {
        let requested_at = Instant::now();
        let host = authority(&self.token_url);
        let failed = |error| {
            transport_error(
                error,
                Target {
                    what: "token request",
                    host: &host,
                },
            )
        };
        let response = self
            .http
            .post(self.token_url.clone())
            .header(AUTHORIZATION, self.basic.clone())
            .header(ACCEPT, crate::transport::http::JSON)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(failed)?;
        let status = response.status().as_u16();
        tracing::Span::current().record("http.response.status_code", status);
        let meta = crate::transport::http::meta_from_headers(status, response.headers());
        let bytes = response.bytes().await.map_err(failed)?;
        tracing::debug!(status, "token endpoint answered");
        if !(200..300).contains(&status) {
            return Err(refusal(status, &bytes, meta));
        }
        let body = parse_token(status, &bytes, meta)?;
        let lifetime = lifetime_of(body.expires_in);
        Ok(CachedToken {
            token: AccessToken::new(body.access_token),
            refresh_at: after(requested_at, lifetime - refresh_margin(lifetime)),
            expires_at: after(requested_at, lifetime),
        })
    }
}

fn after(start: Instant, delay: Duration) -> Instant {
    start.checked_add(delay).unwrap_or(start)
}

/// The token's lifetime from `expires_in`, with the documented fallbacks.
fn lifetime_of(expires_in: u64) -> Duration {
    match expires_in {
        0 => ClientCredentials::DEFAULT_LIFETIME,
        secs => Duration::from_secs(secs).min(ClientCredentials::MAX_LIFETIME),
    }
}

/// How long before expiry to refresh: max(60 s, 10 %), at most half the lifetime.
fn refresh_margin(lifetime: Duration) -> Duration {
    let share = lifetime * ClientCredentials::REFRESH_MARGIN_PERCENT / 100;
    share
        .max(ClientCredentials::MIN_REFRESH_MARGIN)
        .min(lifetime / 2)
}

/// Decodes the token answer. The body holds the token, so no snippet of it
/// goes into the error.
fn parse_token(status: u16, bytes: &[u8], meta: ResponseMeta) -> Result<AccessTokenResponse> {
    let decode_error = |message: String| Error::Decode {
        status,
        message,
        snippet: String::from("<redacted>"),
        correlation_id: meta.correlation_id.clone(),
        // The token request is a POST, never retried on a decode error.
        not_json: false,
    };
    let body: AccessTokenResponse = serde_json::from_slice(bytes).map_err(|e| {
        decode_error(format!(
            "token endpoint answer is not an access token response (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    if body.access_token.is_empty() {
        return Err(decode_error(
            "token endpoint answer has an empty access_token".into(),
        ));
    }
    Ok(body)
}

/// Maps a non-2xx token answer: 400/401/403 are a refusal of the credentials.
fn refusal(status: u16, bytes: &[u8], meta: ResponseMeta) -> Error {
    if !matches!(status, 400 | 401 | 403) {
        return error_from_answer(status, bytes, meta);
    }
    let oauth = serde_json::from_slice::<OAuthErrorBody>(bytes)
        .ok()
        .filter(|b| !b.error.is_empty());
    let reason = match oauth {
        Some(body) => match body.error_description.or(body.description) {
            Some(description) => format!("{}: {description}", body.error),
            None => body.error,
        },
        None => format!("http {status}"),
    };
    Error::Unauthorized {
        message: format!("token request refused: {reason}"),
        status: Some(status),
        body: None,
        correlation_id: meta.correlation_id,
    }
}

#[async_trait]
impl TokenProvider for ClientCredentials {
    async fn access_token(&self) -> Result<AccessToken> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        // Another task may have refreshed while this one waited for the lock.
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        // Its own operation name, so a failed login is never reported as
        // the API call that needed the token.
        let span = tracing::debug_span!(
            "token_request",
            operation = "post_oauth_token",
            client_id = %self.client_id,
            http.request.method = "POST",
            url.template = "/oauth/token",
            server.address = %authority(&self.token_url),
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        match self.fetch().instrument(span.clone()).await {
            Ok(cached) => {
                let token = cached.token.clone();
                *self.cache() = Some(cached);
                Ok(token)
            }
            Err(error) => {
                span.record("error.type", error.error_type().as_ref());
                let _entered = span.enter();
                match self.unexpired() {
                    Some(token) => {
                        tracing::debug!(error = %error, "token refresh failed; the current token is still valid");
                        Ok(token)
                    }
                    None => {
                        tracing::debug!(error = %error, "token request failed");
                        Err(error)
                    }
                }
            }
        }
    }

    async fn refresh(&self, rejected: &AccessToken) -> Result<bool> {
        let mut cached = self.cache();
        // Only the rejected token is dropped: when many calls see the same
        // 401, the first drops it and the others keep the new one.
        if cached.as_ref().is_some_and(|c| &c.token == rejected) {
            *cached = None;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_margin_is_sixty_seconds_or_ten_percent() {
        let hour = Duration::from_secs(3600);
        assert_eq!(refresh_margin(hour), Duration::from_secs(360));
        assert_eq!(
            refresh_margin(Duration::from_secs(300)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(100)),
            Duration::from_secs(50)
        );
        assert_eq!(refresh_margin(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn absent_or_huge_lifetimes_fall_back_to_documented_bounds() {
        assert_eq!(lifetime_of(0), ClientCredentials::DEFAULT_LIFETIME);
        assert_eq!(lifetime_of(u64::MAX), ClientCredentials::MAX_LIFETIME);
        assert_eq!(lifetime_of(86_400), Duration::from_secs(86_400));
    }

    #[test]
    fn a_refusal_names_the_oauth_error_without_the_body() {
        let body = br#"{"error":"invalid_client","error_description":"bad credentials"}"#;
        let err = refusal(401, body, ResponseMeta::default());
        assert_eq!(
            err.to_string(),
            "unauthorized: token request refused: invalid_client: bad credentials"
        );
        assert_eq!(err.status(), Some(401));
        let err = refusal(503, b"down", ResponseMeta::default());
        assert!(matches!(err, Error::Api { status: 503, .. }), "{err}");
    }

    #[test]
    fn debug_shows_the_client_id_but_not_the_secret() {
        let url = Url::parse("http://127.0.0.1:1/oauth/token").unwrap();
        let http = reqwest::Client::new();
        let creds = ClientCredentials::with_http("my-id".into(), "s3cr3t", url, http).unwrap();
        let debug = format!("{creds:?}");
        assert!(debug.contains("my-id"), "{debug}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
    }
}
