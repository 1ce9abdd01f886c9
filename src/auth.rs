//! Authentication: the [`TokenProvider`] seam, [`ClientCredentials`] and [`StaticToken`].
//!
//! STUB: the HTTP/auth helper replaces the bodies; the signatures are the contract.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::Result;

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
