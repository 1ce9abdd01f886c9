//! `app()`: the router in-process, without a socket.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use genesys_usage_mock::{Config, app};
use serde_json::Value;
use tower::ServiceExt as _;

async fn call(method: &str, uri: &str) -> (StatusCode, Option<String>, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let response = app(Config::default()).oneshot(request).await.unwrap();
    let status = response.status();
    let correlation = response
        .headers()
        .get("inin-correlation-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        correlation,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_router_answers_without_a_socket() {
    let (status, correlation, body) = call("GET", "/__admin/health").await;
    assert_eq!(status, StatusCode::OK);
    assert!(correlation.is_some());
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn a_wrong_method_on_an_admin_route_is_a_genesys_405() {
    let (status, correlation, body) = call("PUT", "/__admin/health").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "method.not.allowed");
    assert_eq!(body["contextId"].as_str(), correlation.as_deref());
}
