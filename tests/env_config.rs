//! Configuration from variables read through a lookup (the process
//! environment is never touched here; `process_env.rs` runs the real one in
//! child processes), base URLs ending in `/api/v2`, and network errors that
//! name the host.

use std::collections::HashMap;

use genesys_usage::fake::Lifecycle;
use genesys_usage::{
    ApiUsageOrganizationQuery, Error, HttpTransport, Interval, Region, RetryPolicy, UsageClient,
};
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};

/// A lookup over `vars`.
fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.get(name).cloned()
}

fn transport(vars: &[(&str, &str)]) -> Result<HttpTransport, Error> {
    HttpTransport::builder()
        .with_env_from(lookup(vars))?
        .build()
}

fn config_field(error: &Error) -> &str {
    match error {
        Error::Config { field, .. } => field,
        other => panic!("expected a config error, got {other:?}"),
    }
}

fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new(Interval::last_days(7))
}

/// A port nothing listens on (free a moment ago).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_base_url_variable_points_unchanged_code_at_the_mock() {
    let server = MockServer::start(Config::default()).await.unwrap();
    server
        .engine()
        .set_default_lifecycle(Lifecycle::immediate());
    let url = server.url();
    let client = UsageClient::builder()
        .with_env_from(lookup(&[
            ("GENESYSCLOUD_BASE_URL", &url),
            ("GENESYSCLOUD_OAUTHCLIENT_ID", DEFAULT_CLIENT_ID),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        ]))
        .unwrap()
        .no_proxy()
        .build()
        .unwrap();
    let result = client.run_usage_query(&query()).await.unwrap();
    assert!(!result.results.unwrap_or_default().is_empty());
}

#[test]
fn the_region_variable_takes_the_terraform_spelling() {
    let transport = transport(&[
        ("GENESYSCLOUD_REGION", "eu-west-1"),
        ("GENESYSCLOUD_ACCESS_TOKEN", "t"),
    ])
    .unwrap();
    assert_eq!(transport.base_url(), "https://api.mypurecloud.ie/");
}

#[test]
fn the_documented_name_wins_over_its_alias() {
    let transport = transport(&[
        ("GENESYSCLOUD_BASE_URL", "http://127.0.0.1:1001"),
        ("GENESYS_BASE_URL", "http://127.0.0.1:1002"),
        ("GENESYS_TOKEN", "t"),
    ])
    .unwrap();
    assert_eq!(transport.base_url(), "http://127.0.0.1:1001/");
}

#[test]
fn unset_variables_leave_the_builder_as_it_was_and_later_setters_win() {
    let kept = HttpTransport::builder()
        .region(Region::ApNortheast1)
        .token("t")
        .with_env_from(lookup(&[]))
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(kept.base_url(), "https://api.mypurecloud.jp/");
    let overridden = HttpTransport::builder()
        .with_env_from(lookup(&[
            ("GENESYSCLOUD_BASE_URL", "http://127.0.0.1:1001"),
            ("GENESYSCLOUD_ACCESS_TOKEN", "t"),
        ]))
        .unwrap()
        .base_url("http://127.0.0.1:1003")
        .build()
        .unwrap();
    assert_eq!(overridden.base_url(), "http://127.0.0.1:1003/");
}

#[test]
fn unusable_values_are_refused_naming_the_variable() {
    let error = transport(&[("GENESYSCLOUD_REGION", "mars-north-1")]).unwrap_err();
    assert_eq!(config_field(&error), "GENESYSCLOUD_REGION");
    let error = transport(&[
        ("GENESYSCLOUD_PROXY_HOST", "proxy.example.com"),
        ("GENESYSCLOUD_PROXY_PORT", "eighty"),
    ])
    .unwrap_err();
    assert_eq!(config_field(&error), "GENESYSCLOUD_PROXY_PORT");
}

#[test]
fn half_of_the_client_credentials_is_reported_at_build_naming_the_other_half() {
    let error = transport(&[("GENESYSCLOUD_OAUTHCLIENT_ID", "id")]).unwrap_err();
    assert_eq!(config_field(&error), "auth");
    let message = error.to_string();
    assert!(
        message.contains("GENESYSCLOUD_OAUTHCLIENT_SECRET"),
        "{message}"
    );
    // Credentials given in code after the variables are read complete it.
    let built = HttpTransport::builder()
        .with_env_from(lookup(&[("GENESYSCLOUD_OAUTHCLIENT_ID", "id")]))
        .unwrap()
        .client_credentials("id", "secret")
        .build();
    assert!(built.is_ok());
}

#[test]
fn secrets_read_from_variables_never_reach_debug_output() {
    let builder = UsageClient::builder()
        .with_env_from(lookup(&[
            ("GENESYSCLOUD_OAUTHCLIENT_ID", "the-id"),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "env-s3cret-91b2"),
            ("GENESYSCLOUD_PROXY_HOST", "proxy.example.com"),
            ("GENESYSCLOUD_PROXY_AUTH_USERNAME", "user"),
            ("GENESYSCLOUD_PROXY_AUTH_PASSWORD", "env-pr0xy-77c3"),
        ]))
        .unwrap();
    let debug = format!("{builder:?}");
    assert!(debug.contains("the-id"), "{debug}");
    assert!(!debug.contains("env-s3cret-91b2"), "{debug}");
    assert!(!debug.contains("env-pr0xy-77c3"), "{debug}");
}

#[tokio::test]
async fn a_base_url_ending_in_api_v2_is_accepted() {
    let server = MockServer::start(Config::default()).await.unwrap();
    for suffix in ["/api/v2", "/api/v2/"] {
        let client = UsageClient::builder()
            .base_url(format!("{}{suffix}", server.url()))
            .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            .no_proxy()
            .build()
            .unwrap();
        let submitted = client.post_usage_query(&query()).await;
        assert!(submitted.is_ok(), "{suffix}: {submitted:?}");
    }
}

#[tokio::test]
async fn a_network_error_names_the_host_of_the_api_request() {
    let port = closed_port();
    let client = UsageClient::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .token("t")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.post_usage_query(&query()).await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&format!("request to 127.0.0.1:{port}")),
        "{message}"
    );
}

#[tokio::test]
async fn a_failed_login_says_it_was_the_token_request_and_to_which_host() {
    let port = closed_port();
    let client = UsageClient::builder()
        .base_url("http://127.0.0.1:9")
        .login_url(format!("http://127.0.0.1:{port}"))
        .client_credentials("id", "secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = client.post_usage_query(&query()).await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains(&format!("token request to 127.0.0.1:{port}")),
        "{message}"
    );
}
