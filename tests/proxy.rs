//! The SDK through a `CONNECT` proxy on 127.0.0.1 (started by each test)
//! to the mock server's HTTPS: an explicit proxy, Basic proxy auth in the
//! URL or apart, refused credentials (a clear error, not retried), the
//! `GENESYSCLOUD_PROXY_*` variables, and no proxy password in any output.
//! `HTTPS_PROXY`/`NO_PROXY` are read by reqwest from the process
//! environment; `tests/process_env.rs` covers them in child processes.

#[path = "support/proxy.rs"]
mod proxy;
#[path = "support/tls.rs"]
mod tls;

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use genesys_usage::{Error, TransportErrorKind, UsageClient, UsageClientBuilder};
use genesys_usage_mock::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use proxy::ConnectProxy;
use tls::{ca_of, https_mock, query};

const LIMIT: Duration = Duration::from_secs(30);
const USER: &str = "squid-user";
const PASSWORD: &str = "pr0xy-pa55-7d1e";

fn builder(server: &MockServer) -> UsageClientBuilder {
    UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .add_root_certificate(ca_of(server))
}

async fn run(client: &UsageClient) -> Result<usize, Error> {
    let result = tokio::time::timeout(LIMIT, client.run_usage_query(&query()))
        .await
        .expect("the call ended within the limit")?;
    Ok(result.results.unwrap_or_default().len())
}

fn basic(user: &str, password: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}

/// `host:port` of the mock, as a `CONNECT` names it.
fn target(server: &MockServer) -> String {
    server.url().trim_start_matches("https://").to_owned()
}

#[tokio::test]
async fn an_explicit_proxy_tunnels_every_request_to_the_https_mock() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::open().await;
    let client = builder(&server).proxy(proxy.url()).build().unwrap();
    assert!(
        run(&client)
            .await
            .expect("the query runs through the proxy")
            > 0
    );
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty(), "the proxy was used");
    assert!(
        tunnels
            .iter()
            .all(|t| t.target == target(&server) && t.status == 200),
        "{tunnels:?}"
    );
}

#[tokio::test]
async fn proxy_credentials_in_the_url_are_sent_as_basic_auth() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::with_credentials(USER, PASSWORD).await;
    let url = format!("http://{USER}:{PASSWORD}@127.0.0.1:{}", proxy.port());
    let client = builder(&server).proxy(url).build().unwrap();
    assert!(run(&client).await.unwrap() > 0);
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty());
    let expected = basic(USER, PASSWORD);
    assert!(
        tunnels
            .iter()
            .all(|t| t.authorization.as_deref() == Some(expected.as_str())),
        "{tunnels:?}"
    );
}

#[tokio::test]
async fn proxy_credentials_set_apart_are_sent_as_basic_auth() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::with_credentials(USER, PASSWORD).await;
    let client = builder(&server)
        .proxy(proxy.url())
        .proxy_basic_auth(USER, PASSWORD)
        .build()
        .unwrap();
    assert!(run(&client).await.unwrap() > 0);
    assert!(proxy.tunnels().iter().all(|t| t.status == 200));
}

#[tokio::test]
async fn a_proxy_refusing_the_credentials_gives_a_clear_error_at_once() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::with_credentials(USER, PASSWORD).await;
    let client = builder(&server)
        .proxy(proxy.url())
        .proxy_basic_auth(USER, "wrong-password")
        .build()
        .unwrap();
    let error = run(&client).await.unwrap_err();
    let Error::Transport { kind, message, .. } = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(*kind, TransportErrorKind::Proxy, "{error}");
    assert!(message.contains("407"), "{message}");
    assert!(
        message.contains(&target(&server)),
        "names the host: {message}"
    );
    assert!(!error.is_retryable());
    // Asked once, never again: refused credentials are not retried.
    assert_eq!(proxy.tunnels().len(), 1, "{:?}", proxy.tunnels());
    assert!(!format!("{error} {error:?}").contains("wrong-password"));
}

#[tokio::test]
async fn a_proxy_asking_for_credentials_none_were_given_for_says_so() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::with_credentials(USER, PASSWORD).await;
    let client = builder(&server).proxy(proxy.url()).build().unwrap();
    let error = run(&client).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Transport {
                kind: TransportErrorKind::Proxy,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(proxy.tunnels()[0].authorization, None);
}

#[tokio::test]
async fn the_genesyscloud_proxy_variables_route_requests_through_the_proxy() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::with_credentials(USER, PASSWORD).await;
    let port = proxy.port().to_string();
    let url = server.url();
    let vars: HashMap<&str, &str> = HashMap::from([
        ("GENESYSCLOUD_BASE_URL", url.as_str()),
        ("GENESYSCLOUD_OAUTHCLIENT_ID", DEFAULT_CLIENT_ID),
        ("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        ("GENESYSCLOUD_PROXY_HOST", "127.0.0.1"),
        ("GENESYSCLOUD_PROXY_PORT", port.as_str()),
        ("GENESYSCLOUD_PROXY_PROTOCOL", "http"),
        ("GENESYSCLOUD_PROXY_AUTH_USERNAME", USER),
        ("GENESYSCLOUD_PROXY_AUTH_PASSWORD", PASSWORD),
    ]);
    let client = UsageClient::builder()
        .with_env_from(|name| vars.get(name).map(|v| (*v).to_owned()))
        .unwrap()
        .add_root_certificate(ca_of(&server))
        .build()
        .unwrap();
    assert!(run(&client).await.unwrap() > 0);
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty());
    assert!(tunnels.iter().all(|t| t.status == 200), "{tunnels:?}");
}

#[test]
fn no_builder_shows_the_proxy_password() {
    let with_url = UsageClient::builder()
        .proxy(format!("http://{USER}:{PASSWORD}@proxy.example.com:3128"))
        .token("t");
    let apart = UsageClient::builder()
        .proxy("http://proxy.example.com:3128")
        .proxy_basic_auth(USER, PASSWORD)
        .token("t");
    for debug in [format!("{with_url:?}"), format!("{apart:?}")] {
        assert!(!debug.contains(PASSWORD), "{debug}");
        assert!(debug.contains("proxy.example.com"), "{debug}");
    }
    let client = apart.build().unwrap();
    assert!(!format!("{client:?}").contains(PASSWORD));
}

#[test]
fn unusable_proxy_settings_are_refused_at_build_naming_the_option() {
    let error = UsageClient::builder()
        .token("t")
        .proxy("socks5://127.0.0.1:1080")
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config { field, .. } if field == "proxy"),
        "{error}"
    );
    let error = UsageClient::builder()
        .token("t")
        .proxy_basic_auth(USER, PASSWORD)
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Config { field, .. } if field == "proxy_basic_auth"),
        "{error}"
    );
    assert!(!error.to_string().contains(PASSWORD));
}
