//! `--record PATH --upstream URL`: the recording proxy, with another mock
//! server as the upstream. What it records replays in a second server
//! (`--replay`) and in the SDK's `ReplayTransport`, offline; the file never
//! holds the secret or a token; `--pseudonymise` leaves no user id or
//! client name behind.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use genesys_usage::cassette::{Cassette, ReplayTransport};
use genesys_usage::fake::{Lifecycle, Operation, Terminal};
use genesys_usage::{
    ApiUsageOrganizationQuery, Granularity, OrganizationJobsGroupBy,
    OrganizationPublicApiUsageQueryRequest, RetryPolicy, UsageClient, UsageTransport, WaitPolicy,
};
use genesys_usage_mock::{Config, MockServer, RecordConfig};
use serde_json::Value;
use support::http_client;

const SECRET: &str = "mock-client-secret";

fn org_query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08").with_granularity(Granularity::Day)
}

fn jobs_query() -> OrganizationPublicApiUsageQueryRequest {
    OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08")
        .with_group_by([OrganizationJobsGroupBy::OauthClientId])
}

/// A cassette path in a fresh directory of its own.
fn cassette_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "genesys-record-{}-{name}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("usage.cassette.json")
}

/// The upstream: a mock whose executions poll Running twice, then complete,
/// its clock frozen in July 2025 (so the June intervals are recent).
async fn upstream() -> MockServer {
    MockServer::start(Config {
        lifecycle: Lifecycle::polls(0, 2, Terminal::Complete),
        clock_start: Some(
            chrono::DateTime::parse_from_rfc3339("2025-07-01T09:00:00Z")
                .unwrap()
                .into(),
        ),
        virtual_clock: true,
        min_poll_interval: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap()
}

async fn recorder(upstream: &MockServer, path: &std::path::Path, pseudonymise: bool) -> MockServer {
    MockServer::start(Config {
        record: Some(RecordConfig {
            path: path.to_owned(),
            upstream: upstream.url(),
            upstream_login: None,
            pseudonymise,
        }),
        ..Config::default()
    })
    .await
    .unwrap()
}

async fn replaying(cassette: Cassette) -> MockServer {
    MockServer::start(Config {
        replay: Some(cassette),
        min_poll_interval: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap()
}

/// A client of `url` with the default credentials (a replay takes any secret).
fn client_of(url: &str, secret: &str) -> UsageClient {
    UsageClient::builder()
        .base_url(url)
        .client_credentials("mock-client-id", secret)
        .retry(RetryPolicy::none())
        .wait(WaitPolicy::fixed(
            Duration::from_millis(10),
            Duration::from_secs(30),
        ))
        .build()
        .unwrap()
}

/// `POST /__admin/recording/save`: the exchange count it reports.
async fn save(server: &MockServer) -> u64 {
    let response = http_client()
        .post(format!("{}/__admin/recording/save", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["exchanges"].as_u64().unwrap()
}

/// Runs the legacy query and a paged jobs query; their rows.
async fn run_both(client: &UsageClient) -> (Value, Value) {
    let legacy = client.run_usage_query(&org_query()).await.unwrap();
    let handle = client
        .submit_usage_aggregates_query_job(&jobs_query())
        .await
        .unwrap();
    handle.wait().await.unwrap();
    let rows = genesys_usage::collect_rows(handle.rows(Some(2)))
        .await
        .unwrap();
    assert!(rows.len() > 2, "several pages: {}", rows.len());
    (
        serde_json::to_value(legacy).unwrap(),
        serde_json::to_value(rows).unwrap(),
    )
}

#[tokio::test]
async fn a_proxy_recording_replays_in_a_second_server_and_in_replay_transport() {
    let upstream = upstream().await;
    let path = cassette_path("round-trip");
    let proxy = recorder(&upstream, &path, false).await;
    let recorded = run_both(&client_of(&proxy.url(), SECRET)).await;
    let saved = save(&proxy).await;
    let cassette = Cassette::load(&path).unwrap();
    assert_eq!(saved, cassette.exchanges.len() as u64);
    let ops: Vec<Operation> = cassette.exchanges.iter().map(|e| e.operation).collect();
    assert_eq!(ops[0], Operation::Token, "{ops:?}");
    let grant = cassette.exchanges[0].token.clone().unwrap();
    assert!(grant.issued && grant.expires_in.is_some(), "{grant:?}");
    assert_eq!(grant.client_id.as_deref(), Some("mock-client-id"));
    let polls = ops
        .iter()
        .filter(|op| **op == Operation::GetUsageQueryExecutionIdResults)
        .count();
    assert_eq!(polls, 3, "Running, Running, Complete: {ops:?}");

    // A second server replays it, with another secret and no upstream.
    upstream.shutdown().await.unwrap();
    let replay = replaying(cassette.clone()).await;
    let replayed = run_both(&client_of(&replay.url(), "any-secret")).await;
    assert_eq!(replayed, recorded);
    replay.shutdown().await.unwrap();

    // The SDK's ReplayTransport answers the same file.
    let transport = ReplayTransport::builder(cassette).without_delays().build();
    let sdk = UsageClient::with_transport(transport.clone()).with_wait_policy(WaitPolicy::fixed(
        Duration::from_millis(10),
        Duration::from_secs(30),
    ));
    assert_eq!(run_both(&sdk).await, recorded);
    transport.assert_done();
    proxy.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_cassette_is_written_on_shutdown_without_the_secret_or_a_token() {
    let upstream = upstream().await;
    let path = cassette_path("secrets");
    let proxy = recorder(&upstream, &path, false).await;
    let http = http_client();
    let token_of = |secret: &'static str| {
        http.post(format!("{}/oauth/token", proxy.url()))
            .basic_auth("mock-client-id", Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
    };
    let granted: Value = token_of(SECRET).await.unwrap().json().await.unwrap();
    let token = granted["access_token"].as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    let refused = token_of("wrong-secret-value").await.unwrap();
    assert_eq!(refused.status(), 401, "the upstream's refusal, passed back");
    // The form variant too, and an API call with the token.
    let form = http
        .post(format!("{}/oauth/token", proxy.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "mock-client-id"),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let answer = http
        .post(format!("{}/api/v2/usage/query", proxy.url()))
        .bearer_auth(&token)
        .json(&serde_json::json!({"interval": "2025-06-01/2025-06-08"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    let correlation = answer.headers()["inin-correlation-id"].clone();
    proxy.shutdown().await.unwrap();

    let text = std::fs::read_to_string(&path).expect("written on shutdown");
    assert!(!text.contains(SECRET), "the secret was recorded");
    assert!(
        !text.contains("wrong-secret-value"),
        "a refused secret was recorded"
    );
    assert!(!text.contains(&token), "a token was recorded");
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "{text}"
    );
    assert!(!text.contains("access_token"), "{text}");
    let cassette = Cassette::from_slice(text.as_bytes()).unwrap();
    let grants: Vec<bool> = cassette
        .exchanges
        .iter()
        .filter_map(|e| e.token.as_ref().map(|g| g.issued))
        .collect();
    assert_eq!(grants, [true, false, true]);
    // The upstream's correlation id reached the client and the cassette.
    let recorded = &cassette.exchanges[3].response.as_ref().unwrap().headers;
    assert_eq!(
        recorded["inin-correlation-id"],
        correlation.to_str().unwrap()
    );
    upstream.shutdown().await.unwrap();
}

#[tokio::test]
async fn offline_the_replay_serves_and_an_unmatched_request_is_never_forwarded() {
    let upstream = upstream().await;
    let port = upstream.addr().port();
    let path = cassette_path("offline");
    let proxy = recorder(&upstream, &path, false).await;
    let (recorded, _) = run_both(&client_of(&proxy.url(), SECRET)).await;
    proxy.shutdown().await.unwrap();
    upstream.shutdown().await.unwrap();
    // Nothing listens on the upstream's port any more: a plain connect fails.
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "the upstream port is closed"
    );

    let replay = replaying(Cassette::load(&path).unwrap()).await;
    let client = client_of(&replay.url(), "offline-secret");
    let replayed = client.run_usage_query(&org_query()).await.unwrap();
    assert_eq!(serde_json::to_value(replayed).unwrap(), recorded);

    // Now a listener on the old upstream port sees any forward attempt.
    let watch = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let other = ApiUsageOrganizationQuery::new("2025-06-02/2025-06-08");
    let http = genesys_usage::HttpTransport::builder()
        .base_url(replay.url())
        .client_credentials("mock-client-id", "offline-secret")
        .build()
        .unwrap();
    let err = http.post_usage_query(&other).await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    let message = err.error_body().and_then(|b| b.message.clone()).unwrap();
    assert!(message.contains("no recording matches"), "{message}");
    assert!(message.contains("body.interval"), "{message}");
    let forwarded = tokio::time::timeout(Duration::from_millis(300), watch.accept()).await;
    assert!(
        forwarded.is_err(),
        "the replay connected to the upstream port"
    );
    replay.shutdown().await.unwrap();
}

#[tokio::test]
async fn pseudonymised_recordings_keep_no_client_name_and_still_replay() {
    let upstream = upstream().await;
    let path = cassette_path("pseudonyms");
    let proxy = recorder(&upstream, &path, true).await;
    let client = client_of(&proxy.url(), SECRET);
    let handle = client
        .submit_usage_aggregates_query_job(&jobs_query())
        .await
        .unwrap();
    handle.wait().await.unwrap();
    let rows = genesys_usage::collect_rows(handle.rows(None))
        .await
        .unwrap();
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.oauth_client.as_ref().and_then(|c| c.name.clone()))
        .filter(|n| !n.is_empty())
        .collect();
    assert!(!names.is_empty(), "the upstream names its clients");
    save(&proxy).await;
    // Saved twice in one run: the same stand-ins both times.
    let first = std::fs::read_to_string(&path).unwrap();
    save(&proxy).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    for name in &names {
        assert!(!first.contains(&format!("\"{name}\"")), "{name} was kept");
    }
    proxy.shutdown().await.unwrap();
    upstream.shutdown().await.unwrap();

    let replay = replaying(Cassette::load(&path).unwrap()).await;
    let client = client_of(&replay.url(), "x");
    let handle = client
        .submit_usage_aggregates_query_job(&jobs_query())
        .await
        .unwrap();
    handle.wait().await.unwrap();
    let replayed = genesys_usage::collect_rows(handle.rows(None))
        .await
        .unwrap();
    assert_eq!(replayed.len(), rows.len());
    let total = |rows: &[genesys_usage::OrganizationPublicApiUsage]| {
        rows.iter().map(|r| r.status200.unwrap_or(0)).sum::<i64>()
    };
    assert_eq!(total(&replayed), total(&rows), "counts are kept");
    assert!(
        replayed.iter().all(|r| {
            let name = r.oauth_client.as_ref().and_then(|c| c.name.as_deref());
            name.is_none_or(|n| n.is_empty() || n.starts_with("client-"))
        }),
        "stand-in names only"
    );
    replay.shutdown().await.unwrap();
}
