//! Bearer tokens: issue, check, revoke. Bounded, expiring on the wall clock.
//!
//! Token expiry follows real (monotonic) time, not the emulation clock, so that
//! moving the emulation clock to shape lifecycles never logs clients out.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use tokio::time::Instant;

/// Most live tokens kept; the oldest is forgotten first (its holder gets 401 and re-authenticates).
const MAX_TOKENS: usize = 100_000;

/// What a presented bearer token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Valid,
    Unknown,
    Expired,
    /// Revoked by a `token-expired` fault.
    Revoked,
}

/// The tokens issued by `POST /oauth/token`.
#[derive(Debug)]
pub(crate) struct TokenStore {
    ttl: Duration,
    inner: Mutex<Tokens>,
}

#[derive(Debug, Default)]
struct Tokens {
    issued: HashMap<String, Issued>,
    order: VecDeque<String>,
}

#[derive(Debug, Clone, Copy)]
struct Issued {
    expiry: Instant,
    revoked: bool,
    /// The credential it was issued to (an index into the tenants' list).
    holder: usize,
}

impl TokenStore {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            inner: Mutex::new(Tokens::default()),
        }
    }

    /// Issues a fresh token; returns it and its lifetime in whole seconds.
    #[cfg(test)]
    pub(crate) fn issue(&self) -> (String, u64) {
        self.issue_for(0)
    }

    /// Issues a fresh token to credential `holder`.
    pub(crate) fn issue_for(&self, holder: usize) -> (String, u64) {
        let token = format!(
            "mock-{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut tokens = lock(&self.inner);
        if tokens.order.len() >= MAX_TOKENS {
            if let Some(oldest) = tokens.order.pop_front() {
                tokens.issued.remove(&oldest);
            }
        }
        let issued = Issued {
            expiry: Instant::now() + self.ttl,
            revoked: false,
            holder,
        };
        tokens.issued.insert(token.clone(), issued);
        tokens.order.push_back(token.clone());
        (token, self.ttl.as_secs().max(1))
    }

    pub(crate) fn check(&self, token: &str) -> TokenCheck {
        match lock(&self.inner).issued.get(token) {
            None => TokenCheck::Unknown,
            Some(issued) if issued.revoked => TokenCheck::Revoked,
            Some(issued) if Instant::now() >= issued.expiry => TokenCheck::Expired,
            Some(_) => TokenCheck::Valid,
        }
    }

    /// The credential `token` was issued to.
    pub(crate) fn holder(&self, token: &str) -> Option<usize> {
        lock(&self.inner).issued.get(token).map(|i| i.holder)
    }

    /// Refuses `token` from now on (the `token-expired` fault).
    pub(crate) fn revoke(&self, token: &str) {
        if let Some(issued) = lock(&self.inner).issued.get_mut(token) {
            issued.revoked = true;
        }
    }
}

/// Locks a mutex, recovering from poisoning: the data here stays consistent
/// even if a holder panicked, and a mock server must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `Authorization` header split into scheme and credentials (both
/// borrowed: this runs on every API call).
pub(crate) fn authorization(headers: &HeaderMap) -> Option<(&str, &str)> {
    // UTF-8 rather than `to_str`'s visible-ASCII check: it is several times
    // faster on a long token, and a header a token or Basic credentials
    // cannot match is refused all the same.
    let value = std::str::from_utf8(headers.get(header::AUTHORIZATION)?.as_bytes())
        .ok()?
        .trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    Some((scheme, rest.trim()))
}

/// The bearer token of a request, if it sent one (the scheme in any case).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    match authorization(headers)? {
        (scheme, token) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Some(token)
        }
        _ => None,
    }
}

/// `client_id` and `client_secret` from `Authorization: Basic …`.
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let (scheme, encoded) = authorization(headers)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_bytes())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// Compares secrets without stopping at the first difference.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[tokio::test(start_paused = true)]
    async fn issued_tokens_are_valid_until_their_ttl() {
        let store = TokenStore::new(Duration::from_secs(10));
        let (token, expires_in) = store.issue();
        assert_eq!(expires_in, 10);
        assert_eq!(store.check(&token), TokenCheck::Valid);
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(store.check(&token), TokenCheck::Expired);
        assert_eq!(store.check("made-up"), TokenCheck::Unknown);
    }

    #[tokio::test(start_paused = true)]
    async fn a_revoked_token_is_refused_as_revoked() {
        let store = TokenStore::new(Duration::from_secs(10));
        let (token, _) = store.issue();
        store.revoke(&token);
        assert_eq!(store.check(&token), TokenCheck::Revoked);
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("id:se:cret");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("id".into(), "se:cret".into()))
        );
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer(&headers), None);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
