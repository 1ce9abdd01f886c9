//! The client secret and bearer tokens never reach `Debug`, `Display` or
//! `tracing` output, whatever happens.

#[path = "support/wire.rs"]
mod wire;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use genesys_usage::{
    AccessToken, AccessTokenResponse, ApiUsageOrganizationQuery, ClientCredentials, Error,
    HttpTransport, RetryPolicy, StaticToken, UsageClient, UsageTransport,
};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use wire::{CLIENT_ID, SECRET, TOKEN_PREFIX, TokenSequence, mount_token_endpoint, token};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Every form in which a secret could leak.
fn secrets() -> [String; 3] {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"));
    [SECRET.to_owned(), TOKEN_PREFIX.to_owned(), basic]
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(&secret), "{what} leaks {secret:?}: {text}");
    }
}

fn assert_error_has_no_secret(what: &str, error: &Error) {
    assert_no_secret(what, &format!("{error} {error:?}"));
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures TRACE-level output of this thread (the test runtime is
/// single-threaded, so every task of the test is on it).
fn capture_traces() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    // Callsites first hit by another test thread without a subscriber have
    // their interest cached as "never"; re-evaluate them against this one.
    tracing::callsite::rebuild_interest_cache();
    (captured, guard)
}

fn credentials_builder(server: &MockServer) -> genesys_usage::UsageClientBuilder {
    UsageClient::builder()
        .base_url(server.uri())
        .client_credentials(CLIENT_ID, SECRET)
}

#[tokio::test]
async fn debug_output_never_shows_the_secret_or_the_token() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let builder = credentials_builder(&server);
    let client = builder.clone().build().unwrap();
    client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();
    let transport = HttpTransport::builder()
        .base_url(server.uri())
        .client_credentials(CLIENT_ID, SECRET);
    let provider = ClientCredentials::with_login_url(CLIENT_ID, SECRET, &server.uri()).unwrap();
    let token_answer: AccessTokenResponse = serde_json::from_value(json!({
        "access_token": token(1), "token_type": "bearer", "expires_in": 60
    }))
    .unwrap();

    let debugs = [
        ("client", format!("{client:?}")),
        ("client builder", format!("{builder:?}")),
        ("transport builder", format!("{transport:?}")),
        (
            "transport",
            format!("{:?}", transport.clone().build().unwrap()),
        ),
        ("provider", format!("{provider:?}")),
        ("token", format!("{:?}", AccessToken::new(token(1)))),
        ("static token", format!("{:?}", StaticToken::new(token(1)))),
        (
            "token builder",
            format!("{:?}", UsageClient::builder().token(token(1))),
        ),
        ("token answer", format!("{token_answer:?}")),
    ];

    for (what, debug) in &debugs {
        assert_no_secret(what, debug);
    }
    assert!(debugs[4].1.contains(CLIENT_ID), "{}", debugs[4].1);
    assert_eq!(tokens.issued(), 1);
}

#[tokio::test]
async fn errors_and_traces_of_a_credentials_run_never_show_the_secret_or_the_token() {
    let (captured, _guard) = capture_traces();
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    let refuse = |_: &Request| ResponseTemplate::new(401).set_body_json(json!({"status": 401}));
    Mock::given(path("/api/v2/usage/query/refused/results"))
        .respond_with(refuse)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/usage/query/broken/results"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{not json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/usage/query"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&server)
        .await;
    let client = credentials_builder(&server).build().unwrap();

    let refused = client.get_usage_query_execution_id_results("refused").await;
    let broken = client.get_usage_query_execution_id_results("broken").await;
    let failed = client
        .post_usage_query(&ApiUsageOrganizationQuery::new("2024-01"))
        .await;
    let unreachable = credentials_builder(&server)
        .base_url("http://127.0.0.1:1")
        .login_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .get_usage_query_execution_id_results("e")
        .await;

    let errors = [
        ("401 twice", refused.unwrap_err()),
        ("decode", broken.unwrap_err()),
        ("500", failed.unwrap_err()),
        ("transport", unreachable.unwrap_err()),
    ];
    assert!(
        matches!(errors[0].1, Error::Unauthorized { .. }),
        "{:?}",
        errors[0].1
    );
    for (what, error) in &errors {
        assert_error_has_no_secret(what, error);
    }
    let traces = captured.text();
    assert!(
        traces.contains("http_request") && traces.contains("token_request"),
        "{traces}"
    );
    assert_no_secret("traces", &traces);
    assert_eq!(
        tokens.issued(),
        3,
        "one token, one after the 401, one for the unreachable api"
    );
}

#[tokio::test]
async fn a_token_endpoint_refusal_never_shows_the_secret() {
    let (captured, _guard) = capture_traces();
    let server = MockServer::start().await;
    let body = json!({"error": "invalid_client", "description": "unknown client"});
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body))
        .mount(&server)
        .await;
    let transport = HttpTransport::builder()
        .base_url(server.uri())
        .client_credentials(CLIENT_ID, SECRET)
        .build()
        .unwrap();

    let error = transport
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(error.to_string().contains("invalid_client"), "{error}");
    assert_error_has_no_secret("token endpoint 401", &error);
    assert_no_secret("traces", &captured.text());
}
