//! Every fault kind as a client sees it, injected by the `X-Mock-Fault`
//! header or by an admin fault rule.

mod support;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Harness, error_body, org_query, start};

async fn with_fault(h: &Harness, fault: &str) -> Result<reqwest::Response, reqwest::Error> {
    h.api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Fault", fault)
        .json(&org_query())
        .send()
        .await
}

#[tokio::test]
async fn a_429_fault_carries_retry_after_in_seconds() {
    let h = start().await;
    let response = with_fault(&h, "429;retry-after=5").await.unwrap();
    assert_eq!(response.headers()["retry-after"], "5");
    let body = error_body(response, 429, "too.many.requests.retry.after").await;
    assert_eq!(
        body["message"],
        "Rate limit exceeded the maximum. Retry the request in [5] seconds"
    );
    assert_eq!(
        h.execution_count().await,
        0,
        "a rate-limited submit is not processed"
    );
    let journal = h.admin_get("journal?path=/api/v2/usage/query").await;
    assert_eq!(journal["entries"][0]["retryAfter"], "5");
    assert_eq!(journal["entries"][0]["fault"], "rateLimited");
}

#[tokio::test]
async fn the_token_endpoint_takes_faults_too() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/oauth/token"))
        .basic_auth("mock-client-id", Some("mock-client-secret"))
        .header("X-Mock-Fault", "503")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    error_body(response, 503, "service.unavailable").await;
}

#[tokio::test]
async fn a_429_fault_can_carry_an_http_date_or_no_retry_after() {
    let h = start().await;
    let dated = with_fault(&h, "429;retry-after=date:30").await.unwrap();
    let date = dated.headers()["retry-after"].to_str().unwrap().to_owned();
    assert!(httpdate::parse_http_date(&date).is_ok(), "{date}");
    let bare = with_fault(&h, "429;retry-after=none").await.unwrap();
    assert_eq!(bare.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!bare.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn server_error_faults_answer_with_their_status() {
    let h = start().await;
    for (fault, code) in [
        ("500", "internal.server.error"),
        ("502", "bad.gateway"),
        ("503", "service.unavailable"),
        ("504", "gateway.timeout"),
    ] {
        let response = with_fault(&h, fault).await.unwrap();
        error_body(response, fault.parse().unwrap(), code).await;
    }
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_reset_fault_closes_the_connection_without_an_answer() {
    let h = start().await;
    let error = with_fault(&h, "reset").await.expect_err("no answer");
    assert!(!error.is_timeout(), "{error}");
    assert!(!error.is_status(), "{error}");
    let journal = h.admin_get("journal?path=/api/v2/usage/query").await;
    let entry = &journal["entries"][0];
    assert_eq!(entry["status"], 0, "{entry}");
    assert_eq!(entry["fault"], "connectionReset");
    let after = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(
        after.status(),
        StatusCode::ACCEPTED,
        "the next request is served"
    );
}

#[tokio::test]
async fn a_truncated_body_fails_while_reading_it() {
    let h = start().await;
    let response = with_fault(&h, "truncate").await.expect("headers arrive");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let declared: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(declared > 0);
    assert!(
        response.bytes().await.is_err(),
        "the body ends short of its length"
    );
    assert_eq!(
        h.execution_count().await,
        1,
        "the request itself was processed"
    );
}

#[tokio::test]
async fn a_malformed_fault_sends_a_body_that_is_not_json() {
    let h = start().await;
    let response = with_fault(&h, "malformed").await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert!(response.json::<Value>().await.is_err());
}

#[tokio::test]
async fn a_content_type_fault_answers_html() {
    let h = start().await;
    let response = with_fault(&h, "content-type").await.unwrap();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(response.text().await.unwrap().contains("<html>"));
}

#[tokio::test]
async fn a_slow_body_times_out_a_hurried_client_and_completes_for_a_patient_one() {
    let h = start().await;
    let hurried = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Fault", "slow:3s")
        .timeout(Duration::from_millis(300))
        .json(&org_query())
        .send()
        .await;
    let failed = match hurried {
        Ok(response) => response.bytes().await.expect_err("body times out"),
        Err(error) => error,
    };
    assert!(failed.is_timeout(), "{failed}");
    let patient = with_fault(&h, "slow:100ms").await.unwrap();
    let body: Value = patient.json().await.expect("the whole body arrives");
    assert!(body["executionId"].is_string());
}

#[tokio::test]
async fn a_latency_fault_answers_normally_and_is_journaled() {
    let h = start().await;
    let response = with_fault(&h, "latency:50ms").await.unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let journal = h
        .admin_get("journal?method=POST&path=/api/v2/usage/query")
        .await;
    assert_eq!(journal["entries"][0]["fault"], "latency:50ms");
}

#[tokio::test]
async fn a_token_expired_fault_revokes_the_presented_token() {
    let h = start().await;
    let response = with_fault(&h, "token-expired").await.unwrap();
    error_body(response, 401, "bad.credentials").await;
    let again = h.post_json("/api/v2/usage/query", &org_query()).await;
    error_body(again, 401, "bad.credentials").await;
    let fresh = support::token(&h.http, &h.server.url()).await;
    let ok = h
        .http
        .post(h.url("/api/v2/usage/query"))
        .bearer_auth(fresh)
        .json(&org_query())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_token_expired_fault_says_that_it_revoked_the_token() {
    let h = start().await;
    let response = with_fault(&h, "token-expired").await.unwrap();
    let body = error_body(response, 401, "bad.credentials").await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("revoked"), "{message}");
    assert!(message.contains("/oauth/token"), "{message}");
    let again = h.post_json("/api/v2/usage/query", &org_query()).await;
    let body = error_body(again, 401, "bad.credentials").await;
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("revoked by a token-expired fault"),
        "later calls with the token say why too: {message}"
    );
}

#[tokio::test]
async fn a_status_fault_replaces_the_query_status_of_a_poll() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let response = h
        .api(Method::GET, submitted["resultsUri"].as_str().unwrap())
        .header("X-Mock-Fault", "status:Paused")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["queryStatus"], "Paused");
}

#[tokio::test]
async fn a_bad_fault_header_is_a_400_naming_it() {
    let h = start().await;
    let response = with_fault(&h, "teapot").await.unwrap();
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(body["details"][0]["fieldName"], "X-Mock-Fault");
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn a_fault_rule_hits_the_next_n_requests_of_its_operation() {
    let h = start().await;
    let rule = json!({
        "fault": { "kind": "serverError", "status": 503 },
        "operation": "post_usage_query",
        "trigger": { "next": 2 }
    });
    let (status, created) = h.admin_post("faults", &rule).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(created["id"].is_u64());
    let other = h.get("/api/v2/usage/query/x/results").await;
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "other operations are untouched"
    );
    for _ in 0..2 {
        let hit = h.post_json("/api/v2/usage/query", &org_query()).await;
        assert_eq!(hit.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    let clean = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(clean.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_fault_rule_can_target_the_nth_poll_of_one_execution() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let uri = submitted["resultsUri"].as_str().unwrap();
    let rule = json!({
        "fault": { "kind": "rateLimited", "retryAfter": { "seconds": 2 } },
        "executionId": id,
        "trigger": { "nth": 2 }
    });
    assert_eq!(h.admin_post("faults", &rule).await.0, StatusCode::CREATED);
    let statuses = [
        h.get(uri).await.status(),
        h.get(uri).await.status(),
        h.get(uri).await.status(),
    ];
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::OK
        ]
    );
}

#[tokio::test]
async fn wire_fault_rules_work_like_the_header() {
    let h = start().await;
    let rule = json!({ "fault": { "kind": "connectionReset" }, "operation": "post_usage_query" });
    assert_eq!(h.admin_post("faults", &rule).await.0, StatusCode::CREATED);
    let reset = h
        .api(Method::POST, "/api/v2/usage/query")
        .json(&org_query())
        .send()
        .await;
    assert!(reset.is_err());
    let rule = json!({
        "fault": { "kind": "rateLimited", "retryAfter": "absent" },
        "trigger": { "probability": { "p": 1.0, "seed": 7 } }
    });
    assert_eq!(h.admin_post("faults", &rule).await.0, StatusCode::CREATED);
    let limited = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!limited.headers().contains_key("retry-after"));
}
