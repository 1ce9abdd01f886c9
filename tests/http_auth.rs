//! Client-credentials authentication of `HttpTransport` against wiremock:
//! the token request, caching, refresh ahead of expiry, one refresh for
//! many waiters, and re-authentication on 401 through `UsageClient`.

#[path = "support/wire.rs"]
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use genesys_usage::{Error, RetryPolicy, TransportErrorKind, UsageClient};
use serde_json::json;
use wire::{TokenSequence, mount_token_endpoint, token};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Mounts a GET answering `{}` to any bearer.
async fn mount_ok(server: &MockServer) {
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
}

/// Mounts a GET refusing the bearer `refused` with 401, and answering others.
async fn mount_refusing(server: &MockServer, refused: &str) {
    let bearer = format!("Bearer {refused}");
    let body = json!({"message": "expired", "code": "bad.credentials", "status": 401});
    Mock::given(method("GET"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(body))
        .with_priority(1)
        .mount(server)
        .await;
    mount_ok(server).await;
}

#[tokio::test]
async fn the_token_request_is_a_basic_auth_client_credentials_form() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    mount_ok(&server).await;

    wire::credentials_client(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    let requests = wire::token_requests(&server).await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        wire::CLIENT_ID,
        wire::SECRET
    ));
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(wire::authorization(request), format!("Basic {basic}"));
    let content_type = request.headers.get("content-type").unwrap();
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    assert_eq!(request.headers.get("accept").unwrap(), "application/json");
    assert_eq!(request.body, b"grant_type=client_credentials");
    let api = wire::api_requests(&server).await;
    assert_eq!(wire::authorization(&api[0]), format!("Bearer {}", token(1)));
}

#[tokio::test]
async fn one_token_is_fetched_for_fifty_concurrent_calls() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600).with_delay(Duration::from_millis(200));
    mount_token_endpoint(&server, &tokens).await;
    mount_ok(&server).await;
    let client = wire::credentials_client(&server);

    let mut calls = tokio::task::JoinSet::new();
    for n in 0..50 {
        let client = client.clone();
        calls.spawn(async move {
            client
                .get_usage_query_execution_id_results(&format!("e{n}"))
                .await
        });
    }
    let outcomes = calls.join_all().await;

    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(tokens.issued(), 1);
    assert_eq!(wire::api_requests(&server).await.len(), 50);
}

#[tokio::test]
async fn a_token_is_refreshed_ahead_of_its_expiry() {
    let server = MockServer::start().await;
    // A 2 s lifetime is refreshed once half of it has passed.
    let tokens = TokenSequence::new(2);
    mount_token_endpoint(&server, &tokens).await;
    mount_ok(&server).await;
    let client = wire::credentials_client(&server);

    client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();
    // Past the refresh point (1 s after the token was requested), before expiry.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert_eq!(tokens.issued(), 2);
    let bearers: Vec<String> = wire::api_requests(&server)
        .await
        .iter()
        .map(|r| wire::authorization(r).to_owned())
        .collect();
    let (first, second) = (
        format!("Bearer {}", token(1)),
        format!("Bearer {}", token(2)),
    );
    assert_eq!(bearers, [first, second]);
}

#[tokio::test]
async fn a_401_causes_one_refresh_and_one_retry_with_the_new_token() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    mount_refusing(&server, &token(1)).await;

    wire::credentials_client(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert_eq!(tokens.issued(), 2);
    let api = wire::api_requests(&server).await;
    assert_eq!(api.len(), 2);
    assert_eq!(wire::authorization(&api[1]), format!("Bearer {}", token(2)));
}

#[tokio::test]
async fn fifty_concurrent_401s_cause_one_refresh() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600).with_delay(Duration::from_millis(100));
    mount_token_endpoint(&server, &tokens).await;
    mount_refusing(&server, &token(1)).await;
    let client = wire::credentials_client(&server);

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        calls.spawn(async move { client.get_usage_query_execution_id_results("e").await });
    }
    let outcomes = calls.join_all().await;

    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(tokens.issued(), 2);
}

#[tokio::test]
async fn a_late_401_for_an_already_replaced_token_does_not_refresh_again() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    // The first refusal is immediate; the others arrive once the first caller
    // has already fetched the next token.
    let refusals = Arc::new(AtomicUsize::new(0));
    let refused = format!("Bearer {}", token(1));
    let answer = move |r: &Request| {
        if wire::authorization(r) != refused {
            return ResponseTemplate::new(200).set_body_json(json!({}));
        }
        let delay = match refusals.fetch_add(1, Ordering::SeqCst) {
            0 => Duration::ZERO,
            _ => Duration::from_millis(300),
        };
        ResponseTemplate::new(401).set_delay(delay)
    };
    Mock::given(method("GET"))
        .respond_with(answer)
        .mount(&server)
        .await;
    let client = wire::credentials_client(&server);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let client = client.clone();
        calls.spawn(async move { client.get_usage_query_execution_id_results("e").await });
    }
    let outcomes = calls.join_all().await;

    assert!(outcomes.iter().all(Result::is_ok));
    assert_eq!(tokens.issued(), 2);
}

#[tokio::test]
async fn a_second_401_is_unauthorized() {
    let server = MockServer::start().await;
    let tokens = TokenSequence::new(3600);
    mount_token_endpoint(&server, &tokens).await;
    let body = json!({"message": "no", "code": "bad.credentials", "status": 401});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body))
        .mount(&server)
        .await;

    let error = wire::credentials_client(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Unauthorized {
                status: Some(401),
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(tokens.issued(), 2);
    assert_eq!(wire::api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_refused_static_token_is_not_retried() {
    let server = MockServer::start().await;
    mount_refusing(&server, "t").await;

    let error = wire::token_client(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Unauthorized { .. }), "{error:?}");
    assert_eq!(wire::api_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_token_endpoint_refusal_is_unauthorized_naming_the_oauth_error() {
    let server = MockServer::start().await;
    let body = json!({"error": "invalid_client", "error_description": "client not found"});
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(body))
        .mount(&server)
        .await;

    let error = wire::credentials_client(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    match &error {
        Error::Unauthorized {
            message, status, ..
        } => {
            assert!(
                message.starts_with("token request refused: invalid_client"),
                "{message}"
            );
            assert_eq!(*status, Some(401));
        }
        other => panic!("expected unauthorized, got {other:?}"),
    }
    assert_eq!(wire::token_requests(&server).await.len(), 1);
    assert!(wire::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_connect_error() {
    let server = MockServer::start().await;
    let client = UsageClient::builder()
        .base_url(server.uri())
        .login_url("http://127.0.0.1:1")
        .client_credentials(wire::CLIENT_ID, wire::SECRET)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    let error = client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(wire::api_requests(&server).await.is_empty());
}
