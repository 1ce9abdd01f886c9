//! The token endpoint and bearer checks (spec §4, §12).

mod support;

use std::time::Duration;

use genesys_usage_mock::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{error_body, http_client, org_query, start, start_with};

async fn token_answer(base: &str, id: &str, secret: &str, grant: &str) -> (StatusCode, Value) {
    let response = http_client()
        .post(format!("{base}/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", grant)])
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("inin-correlation-id"));
    (response.status(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_token_endpoint_issues_a_bearer_token_with_its_lifetime() {
    let h = start().await;
    let (status, body) = token_answer(
        &h.server.url(),
        "mock-client-id",
        "mock-client-secret",
        "client_credentials",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86_400);
    assert!(body["access_token"].as_str().unwrap().len() > 20);
}

#[tokio::test]
async fn bad_client_credentials_are_invalid_client() {
    let h = start().await;
    let (status, body) = token_answer(
        &h.server.url(),
        "mock-client-id",
        "wrong",
        "client_credentials",
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert!(body["description"].is_string());
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn another_grant_type_is_unsupported_grant_type() {
    let h = start().await;
    let (status, body) = token_answer(
        &h.server.url(),
        "mock-client-id",
        "mock-client-secret",
        "password",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn configured_credentials_replace_the_defaults() {
    let config = Config {
        client_id: "ci".into(),
        client_secret: "shh".into(),
        ..Config::default()
    };
    let server = genesys_usage_mock::MockServer::start(config).await.unwrap();
    let (ok, _) = token_answer(&server.url(), "ci", "shh", "client_credentials").await;
    assert_eq!(ok, StatusCode::OK);
    let (refused, _) = token_answer(
        &server.url(),
        "mock-client-id",
        "mock-client-secret",
        "client_credentials",
    )
    .await;
    assert_eq!(refused, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn accept_any_credentials_accepts_any_client() {
    let config = Config {
        accept_any_credentials: true,
        ..Config::default()
    };
    let server = genesys_usage_mock::MockServer::start(config).await.unwrap();
    let (status, _) = token_answer(&server.url(), "who", "ever", "client_credentials").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn credentials_in_the_form_body_are_accepted() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "mock-client-id"),
            ("client_secret", "mock-client-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_api_call_without_a_token_is_authentication_required() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/api/v2/usage/query"))
        .json(&org_query())
        .send()
        .await
        .unwrap();
    error_body(response, 401, "authentication.required").await;
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn an_unknown_token_is_bad_credentials() {
    let h = start().await;
    for auth in ["Bearer made-up-token", "Basic bW9jazptb2Nr", "Bearer"] {
        let response = h
            .http
            .get(h.url("/api/v2/usage/query/x/results"))
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        error_body(response, 401, "bad.credentials").await;
    }
}

#[tokio::test]
async fn a_token_stops_working_after_its_ttl() {
    let h = start_with(Config {
        token_ttl: Duration::from_secs(1),
        ..Config::default()
    })
    .await;
    let fresh = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(fresh.status(), StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let stale = h.post_json("/api/v2/usage/query", &org_query()).await;
    error_body(stale, 401, "bad.credentials").await;
}

#[tokio::test]
async fn the_token_endpoint_wants_a_post() {
    let h = start().await;
    let response = h.http.get(h.url("/oauth/token")).send().await.unwrap();
    let body = error_body(response, 405, "method.not.allowed").await;
    assert_eq!(body["status"], json!(405));
}
