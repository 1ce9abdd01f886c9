//! Bad requests get Genesys-shaped answers (spec §12), create no execution,
//! and never crash or wedge the server.

mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{error_body, org_query, start};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

#[tokio::test]
async fn an_unknown_path_is_a_404_error_body() {
    let h = start().await;
    let response = h.get("/api/v2/usage/nothing-here").await;
    error_body(response, 404, "not.found").await;
}

#[tokio::test]
async fn a_wrong_method_is_a_405_error_body() {
    let h = start().await;
    let response = h
        .api(Method::DELETE, "/api/v2/usage/query")
        .send()
        .await
        .unwrap();
    error_body(response, 405, "method.not.allowed").await;
    let response = h
        .api(Method::GET, "/api/v2/usage/query")
        .send()
        .await
        .unwrap();
    error_body(response, 405, "method.not.allowed").await;
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413_and_creates_nothing() {
    let h = start().await;
    let huge = format!(r#"{{"interval":"{}"}}"#, "x".repeat(1024 * 1024 + 10));
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    let body = error_body(response, 413, "request.entity.too.large").await;
    assert!(
        body["message"].as_str().unwrap().contains("1048576"),
        "{body}"
    );
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_missing_or_wrong_content_type_is_a_415() {
    let h = start().await;
    let body = serde_json::to_vec(&org_query()).unwrap();
    let missing = h
        .api(Method::POST, "/api/v2/usage/query")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    error_body(missing, 415, "unsupported.media.type").await;
    let wrong = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    error_body(wrong, 415, "unsupported.media.type").await;
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn malformed_json_is_a_400_and_creates_nothing() {
    let h = start().await;
    for body in ["{\"interval\": ", "not json at all", ""] {
        let response = h
            .api(Method::POST, "/api/v2/usage/aggregates/query/jobs")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        error_body(response, 400, "bad.request").await;
    }
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_wrong_type_is_a_400_naming_the_field() {
    let h = start().await;
    let response = h
        .post_json("/api/v2/usage/query", &json!({ "interval": 20240101 }))
        .await;
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(body["details"][0]["fieldName"], "interval");
    let response = h
        .post_json(
            "/api/v2/usage/simplesearch",
            &json!({ "metrics": ["Date"] }),
        )
        .await;
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(
        body["details"][0]["fieldName"], "interval",
        "a missing field is named too"
    );
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_non_numeric_page_size_is_a_400_naming_it() {
    let h = start().await;
    let response = h
        .get("/api/v2/usage/aggregates/query/jobs/x?pageSize=lots")
        .await;
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(body["details"][0]["fieldName"], "pageSize");
}

#[tokio::test]
async fn oversized_headers_are_a_431_error_body() {
    let h = start().await;
    let response = h
        .api(Method::GET, "/api/v2/usage/query/x/results")
        .header("x-padding", "p".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    error_body(response, 431, "request.header.fields.too.large").await;
}

/// Writes raw bytes, reads whatever comes back within a second.
async fn raw_exchange(addr: std::net::SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.read_to_end(&mut answer)).await;
    answer
}

#[tokio::test]
async fn a_burst_of_garbage_leaves_the_server_answering() {
    let h = start().await;
    let addr = h.server.addr();
    let mut binary = b"POST /api/v2/usage/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 256\r\n\r\n".to_vec();
    binary.extend((0..=255u8).collect::<Vec<u8>>());
    let garbage: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02\x03 not http at all\r\n\r\n".to_vec(),
        b"BREW /coffee HTTP/1.1\r\nhost: x\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\n"
            .iter()
            .copied()
            .chain(b"x-h: ".iter().copied())
            .chain(std::iter::repeat_n(b'a', 200_000))
            .collect(),
        b"GET /api/v2/usage/query/%ff%fe/results HTTP/1.1\r\nhost: x\r\n\r\n".to_vec(),
        b"POST /api/v2/usage/query HTTP/1.1\r\nhost: x\r\ncontent-length: 99999999999\r\n\r\nabc"
            .to_vec(),
        b"POST /oauth/token HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"
            .to_vec(),
        binary,
    ];
    for bytes in &garbage {
        raw_exchange(addr, bytes).await;
    }
    let custom = h
        .api(Method::from_bytes(b"PURGE").unwrap(), "/api/v2/usage/query")
        .send()
        .await
        .unwrap();
    assert_eq!(custom.status(), StatusCode::METHOD_NOT_ALLOWED);
    let response = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let health = h.admin_get("health").await;
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn an_enum_value_that_is_not_allowed_lists_the_allowed_ones() {
    let h = start().await;
    let response = h
        .post_json(
            "/api/v2/usage/aggregates/query/jobs",
            &json!({ "interval": support::recent_interval(3), "groupBy": ["OAuthClientId"] }),
        )
        .await;
    let body = error_body(response, 400, "bad.request").await;
    let message = body["message"].as_str().unwrap();
    for allowed in [
        "OauthClientId",
        "OauthClientName",
        "TemplateUri",
        "Platform",
    ] {
        assert!(message.contains(allowed), "{message}");
    }
    let response = h
        .post_json(
            "/api/v2/usage/aggregates/query/jobs",
            &json!({
                "interval": support::recent_interval(3),
                "sortBy": [{ "fieldName": "bananas", "order": "Desc" }]
            }),
        )
        .await;
    let body = error_body(response, 400, "bad.request").await;
    let message = body["message"].as_str().unwrap();
    for allowed in ["requestCount", "status429", "date", "templateUri"] {
        assert!(message.contains(allowed), "{message}");
    }
}

#[tokio::test]
async fn a_json_array_body_says_an_object_is_expected_without_rust_names() {
    let h = start().await;
    for (path, body) in [
        ("/api/v2/usage/query", json!([])),
        (
            "/api/v2/usage/aggregates/query/jobs",
            json!({ "interval": support::recent_interval(3), "sortBy": [[]] }),
        ),
    ] {
        let response = h.post_json(path, &body).await;
        let answer = error_body(response, 400, "bad.request").await;
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains("JSON object"), "{message}");
        assert!(!message.contains("struct"), "{message}");
        assert!(!message.contains("Query"), "{message}");
    }
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_json_token_request_is_told_the_expected_content_type() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/oauth/token"))
        .basic_auth("mock-client-id", Some("mock-client-secret"))
        .json(&json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request", "{body}");
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.contains("application/x-www-form-urlencoded")
            && description.contains("application/json"),
        "{description}"
    );
}
