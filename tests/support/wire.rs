//! wiremock helpers for the `HttpTransport` tests: a token endpoint handing
//! out numbered tokens, clients pointed at a server, request filters.
//!
//! Included with `#[path = "support/wire.rs"] mod wire;` so it does not
//! depend on the shared `support/mod.rs`.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use genesys_usage::{RetryPolicy, UsageClient};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The client id used with client credentials.
pub const CLIENT_ID: &str = "client-1";
/// The client secret: tests assert it never shows up anywhere.
pub const SECRET: &str = "s3cr3t-5f1d9c7e";
/// Prefix of the tokens the token endpoint hands out (`tok-1`, `tok-2`…).
pub const TOKEN_PREFIX: &str = "tok-8c2a41";

/// The `n`-th token the endpoint hands out (1-based).
pub fn token(n: usize) -> String {
    format!("{TOKEN_PREFIX}-{n}")
}

/// Answers each token request with the next numbered token.
#[derive(Clone)]
pub struct TokenSequence {
    issued: Arc<AtomicUsize>,
    expires_in: u64,
    delay: Duration,
}

impl TokenSequence {
    /// Tokens living `expires_in` seconds.
    pub fn new(expires_in: u64) -> Self {
        Self {
            issued: Arc::new(AtomicUsize::new(0)),
            expires_in,
            delay: Duration::ZERO,
        }
    }

    /// Each answer is delayed, so concurrent callers pile up behind one request.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Tokens issued so far.
    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
}

impl Respond for TokenSequence {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({
                "access_token": token(n),
                "token_type": "bearer",
                "expires_in": self.expires_in,
            }))
            .set_delay(self.delay)
    }
}

/// Mounts `POST /oauth/token` answering with `tokens`.
pub async fn mount_token_endpoint(server: &MockServer, tokens: &TokenSequence) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(tokens.clone())
        .mount(server)
        .await;
}

/// A client with a fixed token `t` and no retries.
pub fn token_client(server: &MockServer) -> UsageClient {
    UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .retry(RetryPolicy::none())
        .build()
        .expect("a loopback base url and a token build a client")
}

/// A client with client credentials (token endpoint on the same server).
pub fn credentials_client(server: &MockServer) -> UsageClient {
    UsageClient::builder()
        .base_url(server.uri())
        .client_credentials(CLIENT_ID, SECRET)
        .build()
        .expect("a loopback base url and credentials build a client")
}

/// The requests the server received, except token requests.
pub async fn api_requests(server: &MockServer) -> Vec<Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .collect()
}

/// The token requests the server received.
pub async fn token_requests(server: &MockServer) -> Vec<Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .collect()
}

/// The `Authorization` header of a request.
pub fn authorization(request: &Request) -> &str {
    request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}
