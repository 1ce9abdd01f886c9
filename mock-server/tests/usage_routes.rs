//! The 11 Usage routes end to end over HTTP: submit, poll to completion,
//! page, and the `X-Mock-Lifecycle` header.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Harness, error_body, org_query, recent_interval, start};

const TERMINAL: [&str; 4] = ["Complete", "Failed", "Succeeded", "Cancelled"];

/// Polls `uri` until its `queryStatus` is terminal (at most 10 polls).
async fn poll_to_end(h: &Harness, uri: &str) -> (StatusCode, Value) {
    for _ in 0..10 {
        let response = h.get(uri).await;
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        if TERMINAL.contains(&body["queryStatus"].as_str().unwrap_or("")) {
            return (status, body);
        }
    }
    panic!("{uri} did not finish within 10 polls");
}

/// Submits with a POST (or GET for the summary) and returns the 202 body.
async fn submitted(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert!(response.headers().contains_key("inin-correlation-id"));
    response.json().await.expect("json")
}

#[tokio::test]
async fn organization_query_runs_through_l1_and_l2_to_complete() {
    let h = start().await;
    let body = submitted(h.post_json("/api/v2/usage/query", &org_query()).await).await;
    let id = body["executionId"].as_str().unwrap();
    assert_eq!(
        body["resultsUri"],
        json!(format!("/api/v2/usage/query/{id}/results"))
    );
    let first = h.get(body["resultsUri"].as_str().unwrap()).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        first.json::<Value>().await.unwrap(),
        json!({"queryStatus": "Running"})
    );
    let (status, done) = poll_to_end(&h, body["resultsUri"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["queryStatus"], "Complete");
    assert!(!done["results"].as_array().unwrap().is_empty(), "{done}");
}

#[tokio::test]
async fn simple_search_runs_through_l3_and_pages_through_l4() {
    let h = start().await;
    let query = json!({ "interval": recent_interval(7) });
    let body = submitted(h.post_json("/api/v2/usage/simplesearch", &query).await).await;
    let uri = body["resultsUri"].as_str().unwrap().to_owned();
    let (_, done) = poll_to_end(&h, &uri).await;
    assert_eq!(done["queryStatus"], "Complete");
    let total = done["results"].as_array().unwrap().len();
    assert!(total > 1, "need at least two rows to page: {total}");
    let first = h.get(&format!("{uri}?pageSize=1")).await;
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["results"].as_array().unwrap().len(), 1);
    let cursor = first["cursors"]["after"]
        .as_str()
        .expect("a cursor while rows remain");
    let second = h
        .api(Method::GET, &uri)
        .query(&[("pageSize", "1"), ("after", cursor)])
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::OK);
    let second: Value = second.json().await.unwrap();
    assert_ne!(second["results"], first["results"]);
}

#[tokio::test]
async fn client_query_runs_through_l5_and_l6_to_complete() {
    let h = start().await;
    let client = h.client_id();
    let path = format!("/api/v2/oauth/clients/{client}/usage/query");
    let body = submitted(h.post_json(&path, &org_query()).await).await;
    let id = body["executionId"].as_str().unwrap();
    let uri = format!("/api/v2/oauth/clients/{client}/usage/query/results/{id}");
    assert_eq!(body["resultsUri"], json!(uri));
    let (status, done) = poll_to_end(&h, &uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["queryStatus"], "Complete");
}

#[tokio::test]
async fn client_summary_runs_through_l7_and_l6_to_complete() {
    let h = start().await;
    let client = h.client_id();
    let response = h
        .get(&format!(
            "/api/v2/oauth/clients/{client}/usage/summary?days=7"
        ))
        .await;
    let body = submitted(response).await;
    let (status, done) = poll_to_end(&h, body["resultsUri"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["queryStatus"], "Complete");
}

#[tokio::test]
async fn organization_job_runs_through_n1_and_pages_through_n2() {
    let h = start().await;
    let query =
        json!({ "interval": recent_interval(7), "granularity": "Day", "groupBy": ["TemplateUri"] });
    let body = submitted(
        h.post_json("/api/v2/usage/aggregates/query/jobs", &query)
            .await,
    )
    .await;
    let id = body["id"].as_str().unwrap();
    let uri = format!("/api/v2/usage/aggregates/query/jobs/{id}");
    assert_eq!(body["resultsUri"], json!(uri));
    let running = h.get(&uri).await;
    assert_eq!(running.status(), StatusCode::ACCEPTED);
    let (status, done) = poll_to_end(&h, &format!("{uri}?pageSize=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["queryStatus"], "Succeeded");
    assert_eq!(done["entities"].as_array().unwrap().len(), 1);
    let next = done["nextUri"].as_str().expect("nextUri while rows remain");
    let page = h.get(next).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page: Value = page.json().await.unwrap();
    assert_eq!(page["entities"].as_array().unwrap().len(), 1);
    assert_ne!(page["entities"], done["entities"]);
}

#[tokio::test]
async fn client_job_runs_through_n3_and_n4_to_succeeded() {
    let h = start().await;
    let client = h.client_id();
    let path = format!("/api/v2/usage/client/{client}/aggregates/query/jobs");
    let body = submitted(
        h.post_json(&path, &json!({ "interval": recent_interval(7) }))
            .await,
    )
    .await;
    let id = body["id"].as_str().unwrap();
    let uri = format!("/api/v2/usage/client/{client}/aggregates/query/jobs/{id}");
    let (status, done) = poll_to_end(&h, &uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done["queryStatus"], "Succeeded");
}

#[tokio::test]
async fn lifecycle_header_scripts_a_failed_legacy_query() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "running:1,failed")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let body = submitted(response).await;
    let uri = body["resultsUri"].as_str().unwrap();
    let (status, done) = poll_to_end(&h, uri).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(done, json!({"queryStatus": "Failed"}));
}

#[tokio::test]
async fn lifecycle_header_scripts_a_failed_job_with_its_error_body() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/aggregates/query/jobs")
        .header("X-Mock-Lifecycle", "failed")
        .json(&json!({ "interval": recent_interval(7) }))
        .send()
        .await
        .unwrap();
    let body = submitted(response).await;
    let (status, done) = poll_to_end(&h, body["resultsUri"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(done["queryStatus"], "Failed");
}

#[tokio::test]
async fn lifecycle_header_complete_finishes_on_the_first_poll() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "complete")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let body = submitted(response).await;
    let first: Value = h
        .get(body["resultsUri"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["queryStatus"], "Complete");
}

#[tokio::test]
async fn a_bad_lifecycle_header_is_a_400_naming_the_header_and_creates_nothing() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "sometimes")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(body["details"][0]["fieldName"], "X-Mock-Lifecycle");
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn an_unknown_execution_id_is_a_404_naming_it() {
    let h = start().await;
    let response = h.get("/api/v2/usage/query/no-such-id/results").await;
    let body = error_body(response, 404, "not.found").await;
    assert!(
        body["message"].as_str().unwrap().contains("no-such-id"),
        "{body}"
    );
}

#[tokio::test]
async fn engine_validation_errors_reach_the_client_as_400_with_the_field() {
    let h = start().await;
    let response = h
        .post_json("/api/v2/usage/query", &json!({ "interval": "yesterday" }))
        .await;
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(body["details"][0]["fieldName"], "interval");
    assert_eq!(h.execution_count().await, 0);
}

#[tokio::test]
async fn every_answer_carries_a_uuid_correlation_id() {
    let h = start().await;
    let a = h.post_json("/api/v2/usage/query", &org_query()).await;
    let b = h.post_json("/api/v2/usage/query", &org_query()).await;
    let id = |r: &reqwest::Response| {
        r.headers()["inin-correlation-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (a, b) = (id(&a), id(&b));
    assert_ne!(a, b);
    assert_eq!(a.len(), 36);
    assert_eq!(a.as_bytes()[14], b'4', "a v4 uuid: {a}");
}
