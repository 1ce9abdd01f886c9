//! A recording made through `HttpTransport` with client credentials never
//! holds the secret, the tokens or an `Authorization` header: the file is
//! grepped for the known values. The 401 → refresh → retry it recorded
//! replays the same way offline.
#![cfg(feature = "cassette")]

#[path = "support/wire.rs"]
mod wire;

use base64::Engine as _;
use genesys_usage::cassette::{RecordingTransport, ReplayTransport};
use genesys_usage::fake::Operation;
use genesys_usage::{ApiUsageOrganizationQuery, HttpTransport, UsageClient};
use serde_json::json;
use wire::{TokenSequence, mount_token_endpoint, token};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_usage_api(server: &MockServer) {
    let submitted = json!({"executionId": "e-1", "resultsUri": "/api/v2/usage/query/e-1/results"});
    Mock::given(method("POST"))
        .and(path("/api/v2/usage/query"))
        .respond_with(ResponseTemplate::new(202).set_body_json(submitted))
        .mount(server)
        .await;
    // The first token is refused once, as if it had expired.
    let expired = json!({"message": "expired", "code": "bad.credentials", "status": 401});
    Mock::given(method("GET"))
        .and(header(
            "authorization",
            format!("Bearer {}", token(1)).as_str(),
        ))
        .respond_with(ResponseTemplate::new(401).set_body_json(expired))
        .with_priority(1)
        .mount(server)
        .await;
    let complete =
        json!({"queryStatus": "Complete", "results": [{"clientId": "c", "requests": 3}]});
    Mock::given(method("GET"))
        .and(path("/api/v2/usage/query/e-1/results"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(complete)
                .insert_header("ININ-Correlation-Id", "corr-77")
                .insert_header("inin-ratelimit-allowed", "300"),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_cassette_never_holds_the_secret_or_a_token() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    mount_usage_api(&server).await;
    let http = HttpTransport::builder()
        .base_url(server.uri())
        .client_credentials(wire::CLIENT_ID, wire::SECRET)
        .build()
        .unwrap();
    let recorder = RecordingTransport::new(http);
    let client = UsageClient::with_transport(recorder.clone());
    let query = ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08");
    let recorded = client.run_usage_query(&query).await.unwrap();
    assert_eq!(
        tokens.issued(),
        2,
        "the 401 made the client fetch a second token"
    );

    let dir = std::env::temp_dir().join(format!("cassette-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.json");
    recorder.save(&file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        wire::CLIENT_ID,
        wire::SECRET
    ));
    for secret in [
        wire::SECRET,
        &token(1),
        &token(2),
        wire::TOKEN_PREFIX,
        &basic,
    ] {
        assert!(
            !text.contains(secret),
            "{secret:?} leaked into the cassette:\n{text}"
        );
    }
    let lower = text.to_lowercase();
    assert!(
        !lower.contains("authorization") && !lower.contains("bearer"),
        "{text}"
    );
    assert!(!format!("{recorder:?}").contains(wire::SECRET));

    // What it does hold: the 401, the refresh as a grant, the answer's headers.
    let cassette = recorder.cassette();
    let refresh = cassette
        .exchanges
        .iter()
        .find(|e| e.operation == Operation::Token)
        .expect("the refresh was recorded");
    assert!(refresh.token.as_ref().is_some_and(|t| t.issued));
    assert!(text.contains("\"status\": 401"), "{text}");
    assert!(
        text.contains("\"inin-correlation-id\": \"corr-77\""),
        "{text}"
    );
    assert!(
        text.contains("\"inin-ratelimit-allowed\": \"300\""),
        "{text}"
    );

    // Offline, the same run: 401, refresh, retry, complete.
    drop(server);
    let replay = ReplayTransport::load(&file).unwrap();
    let replayed = UsageClient::with_transport(replay.clone())
        .run_usage_query(&query)
        .await
        .unwrap();
    assert_eq!(replayed, recorded);
    replay.assert_done();
    std::fs::remove_dir_all(&dir).unwrap();
}
