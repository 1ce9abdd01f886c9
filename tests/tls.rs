//! The SDK over real TLS against the mock server's HTTPS: trusting its CA
//! (added, or alone), not trusting it (a clear, immediate error), mutual
//! TLS with a client certificate, and a reqwest client of the caller's.

#[path = "support/tls.rs"]
mod tls;

use std::time::Duration;

use genesys_usage::{Error, HttpTransport, TransportErrorKind, UsageClient, UsageClientBuilder};
use genesys_usage_mock::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use tls::{Authority, Scratch, ca_of, https_mock, query};

/// Bounds every call: a TLS failure must end, never hang.
const LIMIT: Duration = Duration::from_secs(30);

/// A builder pointed at `server` with its credentials and no proxy.
fn builder(server: &MockServer) -> UsageClientBuilder {
    UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .no_proxy()
}

/// Runs one query; the rows on success.
async fn run(client: &UsageClient) -> Result<usize, Error> {
    let result = tokio::time::timeout(LIMIT, client.run_usage_query(&query()))
        .await
        .expect("the call ended within the limit")?;
    Ok(result.results.unwrap_or_default().len())
}

/// The kind and message of a transport error.
fn transport(error: &Error) -> (TransportErrorKind, &str) {
    match error {
        Error::Transport { kind, message, .. } => (*kind, message.as_str()),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_trusting_the_mock_ca_runs_a_query_over_https() {
    let server = https_mock(None).await;
    assert!(
        server.url().starts_with("https://127.0.0.1:"),
        "{}",
        server.url()
    );
    let client = builder(&server)
        .add_root_certificate(ca_of(&server))
        .build()
        .unwrap();
    let rows = run(&client).await.expect("the query runs over https");
    assert!(rows > 0);
}

#[tokio::test]
async fn only_the_corporate_ca_is_enough_to_reach_the_mock() {
    let server = https_mock(None).await;
    let client = builder(&server)
        .tls_certs_only(ca_of(&server))
        .build()
        .unwrap();
    assert!(run(&client).await.unwrap() > 0);
}

#[tokio::test]
async fn an_untrusted_certificate_fails_at_once_with_a_clear_error() {
    let server = https_mock(None).await;
    // Default roots only: the mock's generated CA is in none of them.
    let client = builder(&server).build().unwrap();
    let error = run(&client).await.unwrap_err();
    let (kind, message) = transport(&error);
    assert_eq!(kind, TransportErrorKind::Tls, "{error}");
    let host = server.url().trim_start_matches("https://").to_owned();
    assert!(message.contains(&host), "names the host: {message}");
    assert!(message.contains("not trusted"), "{message}");
    assert!(
        message.contains("add_root_certificate"),
        "says the fix: {message}"
    );
    assert!(!error.is_retryable(), "retrying cannot help");
    // The handshake failed, so no HTTP request reached the server.
    assert!(server.engine().executions().is_empty());
}

#[tokio::test]
async fn trusting_only_another_ca_refuses_the_mock() {
    let server = https_mock(None).await;
    let corporate = Authority::new("some corporate CA");
    let client = builder(&server)
        .tls_certs_only(corporate.pem())
        .build()
        .unwrap();
    let error = run(&client).await.unwrap_err();
    assert_eq!(transport(&error).0, TransportErrorKind::Tls, "{error}");
}

#[tokio::test]
async fn a_mock_requiring_client_certificates_accepts_one_signed_by_its_ca() {
    let scratch = Scratch::new();
    let clients = Authority::new("client CA");
    let client_ca = scratch.write("client-ca.pem", &clients.pem());
    let server = https_mock(Some(client_ca)).await;
    let client = builder(&server)
        .add_root_certificate(ca_of(&server))
        .identity(clients.client_identity("reporting job"))
        .build()
        .unwrap();
    assert!(run(&client).await.expect("mutual tls works") > 0);
}

#[tokio::test]
async fn a_mock_requiring_client_certificates_refuses_a_client_without_one() {
    let scratch = Scratch::new();
    let clients = Authority::new("client CA");
    let server = https_mock(Some(scratch.write("client-ca.pem", &clients.pem()))).await;
    let client = builder(&server)
        .add_root_certificate(ca_of(&server))
        .build()
        .unwrap();
    let error = run(&client).await.unwrap_err();
    let (kind, message) = transport(&error);
    assert_eq!(kind, TransportErrorKind::Tls, "{error}");
    assert!(message.contains("identity"), "says the fix: {message}");
    assert!(server.engine().executions().is_empty());
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused() {
    let scratch = Scratch::new();
    let clients = Authority::new("client CA");
    let server = https_mock(Some(scratch.write("client-ca.pem", &clients.pem()))).await;
    let stranger = Authority::new("another CA");
    let client = builder(&server)
        .add_root_certificate(ca_of(&server))
        .identity(stranger.client_identity("intruder"))
        .build()
        .unwrap();
    let error = run(&client).await.unwrap_err();
    assert_eq!(transport(&error).0, TransportErrorKind::Tls, "{error}");
}

#[tokio::test]
async fn your_own_reqwest_client_sends_the_api_and_token_requests() {
    let server = https_mock(None).await;
    let ca = reqwest::Certificate::from_pem(ca_of(&server).as_bytes()).unwrap();
    let trusting = reqwest::Client::builder()
        .tls_certs_only([ca])
        .no_proxy()
        .timeout(LIMIT)
        .build()
        .unwrap();
    let transport = HttpTransport::from_client(trusting)
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .build()
        .unwrap();
    let client = UsageClient::with_transport(transport);
    assert!(run(&client).await.unwrap() > 0);
    // The same with a client that trusts nothing of the mock's: its own
    // settings are what apply, not the SDK's defaults.
    let plain = reqwest::Client::builder().no_proxy().build().unwrap();
    let transport = HttpTransport::from_client(plain)
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .build()
        .unwrap();
    let error = run(&UsageClient::with_transport(transport))
        .await
        .unwrap_err();
    assert_eq!(
        transport_kind(&error),
        Some(TransportErrorKind::Tls),
        "{error}"
    );
}

fn transport_kind(error: &Error) -> Option<TransportErrorKind> {
    match error {
        Error::Transport { kind, .. } => Some(*kind),
        _ => None,
    }
}

#[tokio::test]
async fn options_beside_your_own_client_are_refused_naming_them() {
    let error = HttpTransport::from_client(reqwest::Client::new())
        .base_url("https://api.example.com")
        .token("t")
        .add_root_certificate("-----BEGIN CERTIFICATE-----")
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config { field, .. } if field == "tls"),
        "{error}"
    );
}

#[tokio::test]
async fn a_certificate_file_that_is_not_pem_is_refused_at_build() {
    let error = UsageClient::builder()
        .token("t")
        .add_root_certificate("not a certificate")
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config { field, .. } if field == "add_root_certificate"),
        "{error}"
    );
}
