//! The admin API refuses what cannot happen: impossible fault rules, a
//! finished execution brought back, journal filters it does not know. Each
//! refusal is a Genesys-shaped 400 naming the field; 404s read as the API's.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Harness, error_body, org_query, start};

/// POSTs a fault rule; expects a 400 naming `field` and nothing added.
async fn refused_rule(h: &Harness, rule: Value, field: &str) -> Value {
    let response = h
        .http
        .post(h.url("/__admin/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    let body = error_body(response, 400, "bad.request").await;
    assert_eq!(body["details"][0]["fieldName"], field, "{rule}: {body}");
    assert_eq!(h.admin_get("faults").await["count"], 0, "{rule} was added");
    body
}

#[tokio::test]
async fn a_server_error_fault_needs_a_5xx_status() {
    let h = start().await;
    for status in [99, 200, 429, 600] {
        let rule = json!({ "fault": { "kind": "serverError", "status": status } });
        let body = refused_rule(&h, rule, "fault.status").await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(&status.to_string()), "{message}");
        assert!(
            message.contains("500") && message.contains("599"),
            "{message}"
        );
    }
    let ok = json!({ "fault": { "kind": "serverError", "status": 507 } });
    assert_eq!(h.admin_post("faults", &ok).await.0, StatusCode::CREATED);
}

#[tokio::test]
async fn a_trigger_must_be_able_to_fire() {
    let h = start().await;
    let fault = json!({ "kind": "serverError", "status": 503 });
    for (trigger, field) in [
        (json!({ "nth": 0 }), "trigger.nth"),
        (json!({ "next": 0 }), "trigger.next"),
        (
            json!({ "probability": { "p": 1.5, "seed": 1 } }),
            "trigger.probability.p",
        ),
        (
            json!({ "probability": { "p": -0.1, "seed": 1 } }),
            "trigger.probability.p",
        ),
    ] {
        refused_rule(&h, json!({ "fault": fault, "trigger": trigger }), field).await;
    }
}

#[tokio::test]
async fn fault_delays_and_retry_afters_are_capped() {
    let h = start().await;
    let hours = 1000 * 3_600_000_u64;
    refused_rule(
        &h,
        json!({ "fault": { "kind": "latency", "delayMs": hours } }),
        "fault.delayMs",
    )
    .await;
    refused_rule(
        &h,
        json!({ "fault": { "kind": "slowBody", "delayMs": hours } }),
        "fault.delayMs",
    )
    .await;
    refused_rule(
        &h,
        json!({ "fault": { "kind": "rateLimited", "retryAfter": { "httpDate": u64::MAX } } }),
        "fault.retryAfter",
    )
    .await;
    for header in [
        "latency:1000h",
        "slow:1000h",
        "429;retry-after=date:99999999999",
    ] {
        let response = h
            .api(Method::POST, "/api/v2/usage/query")
            .header("X-Mock-Fault", header)
            .json(&org_query())
            .send()
            .await
            .unwrap();
        let body = error_body(response, 400, "bad.request").await;
        assert_eq!(body["details"][0]["fieldName"], "X-Mock-Fault", "{body}");
    }
    assert_eq!(h.execution_count().await, 0);
}

async fn submit(h: &Harness, lifecycle: &str) -> (String, String) {
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", lifecycle)
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["executionId"].as_str().unwrap().to_owned();
    let uri = submitted["resultsUri"].as_str().unwrap().to_owned();
    (id, uri)
}

#[tokio::test]
async fn a_finished_execution_cannot_be_brought_back_by_a_state_change() {
    let h = start().await;
    let (id, uri) = submit(&h, "failed").await;
    let (status, body) = h
        .admin_post(
            &format!("executions/{id}/state"),
            &json!({ "state": "Running" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["details"][0]["fieldName"], "state", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("Failed"), "{message}");
    let polled: Value = h.get(&uri).await.json().await.unwrap();
    assert_eq!(polled["queryStatus"], "Failed", "still failed");
    let (same, _) = h
        .admin_post(
            &format!("executions/{id}/state"),
            &json!({ "state": "failed" }),
        )
        .await;
    assert_eq!(same, StatusCode::OK, "its own state is no change");
}

#[tokio::test]
async fn journal_filters_are_checked() {
    let h = start().await;
    for (query, field) in [
        ("status=abc", "status"),
        ("operation=nope", "operation"),
        ("limit=many", "limit"),
        ("stauts=429", "stauts"),
    ] {
        let response = h
            .http
            .get(h.url(&format!("/__admin/journal?{query}")))
            .send()
            .await
            .unwrap();
        let body = error_body(response, 400, "bad.request").await;
        assert_eq!(body["details"][0]["fieldName"], field, "{query}: {body}");
    }
    let response = h
        .http
        .get(h.url("/__admin/journal?operation=nope"))
        .send()
        .await
        .unwrap();
    let body = error_body(response, 400, "bad.request").await;
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("post_usage_query"),
        "the allowed names are listed: {body}"
    );
    let fine = h
        .admin_get("journal?operation=post_usage_query&status=202&limit=5")
        .await;
    assert_eq!(fine["count"], 0);
}

#[tokio::test]
async fn an_unknown_execution_reads_the_same_on_the_admin_api_and_the_usage_api() {
    let h = start().await;
    let api = h.get("/api/v2/usage/query/nope/results").await;
    let api = error_body(api, 404, "not.found").await;
    for path in ["executions/nope", "executions/nope/compliance"] {
        let admin = h
            .http
            .get(h.url(&format!("/__admin/{path}")))
            .send()
            .await
            .unwrap();
        let admin = error_body(admin, 404, "not.found").await;
        assert_eq!(admin["message"], api["message"], "{path}");
    }
    assert_eq!(api["message"], "execution \"nope\" was not found");
}

#[tokio::test]
async fn a_lifecycle_that_ends_in_a_step_says_what_is_wrong_with_the_step() {
    let h = start().await;
    for (header, wanted) in [
        ("running:x", "\"x\" is not a poll count"),
        ("running:3", "must end with a terminal state"),
    ] {
        let response = h
            .api(Method::POST, "/api/v2/usage/query")
            .header("X-Mock-Lifecycle", header)
            .json(&org_query())
            .send()
            .await
            .unwrap();
        let body = error_body(response, 400, "bad.request").await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(wanted), "{header}: {message}");
        assert!(!message.contains("not a terminal state"), "{message}");
    }
}
