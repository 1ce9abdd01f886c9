//! The admin API: health, executions, lifecycle scripts, clock, faults,
//! reset, shutdown, `--no-admin` and the admin token.

mod support;

use genesys_usage_mock::{Config, MockServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{error_body, http_client, org_query, start, start_with};

#[tokio::test]
async fn health_and_ready_answer_json() {
    let h = start().await;
    assert_eq!(h.admin_get("health").await, json!({ "status": "ok" }));
    assert_eq!(h.admin_get("ready").await, json!({ "ready": true }));
}

#[tokio::test]
async fn executions_are_listed_and_read_one_by_one() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let list = h.admin_get("executions").await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["executions"][0]["id"], id);
    let one = h.admin_get(&format!("executions/{id}")).await;
    assert_eq!(one["kind"], "organization");
    assert_eq!(one["state"], "pending");
    let missing = h
        .http
        .get(h.url("/__admin/executions/nope"))
        .send()
        .await
        .unwrap();
    error_body(missing, 404, "not.found").await;
}

#[tokio::test]
async fn forcing_the_state_shows_in_the_next_poll() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let (status, info) = h
        .admin_post(
            &format!("executions/{id}/state"),
            &json!({ "state": "Complete" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["state"], "complete");
    let polled: Value = h
        .get(submitted["resultsUri"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(polled["queryStatus"], "Complete");
    let (bad, body) = h
        .admin_post(
            &format!("executions/{id}/state"),
            &json!({ "state": "Sleeping" }),
        )
        .await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
    assert_eq!(body["details"][0]["fieldName"], "state");
}

#[tokio::test]
async fn advancing_ends_the_current_step() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "running:manual,complete")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let uri = submitted["resultsUri"].as_str().unwrap();
    let polled: Value = h.get(uri).await.json().await.unwrap();
    assert_eq!(polled["queryStatus"], "Running");
    let (status, _) = h
        .admin_post(&format!("executions/{id}/advance"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let polled: Value = h.get(uri).await.json().await.unwrap();
    assert_eq!(polled["queryStatus"], "Complete");
}

#[tokio::test]
async fn an_execution_can_be_rescripted() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let (status, info) = h
        .admin_post(
            &format!("executions/{id}/lifecycle"),
            &json!({ "lifecycle": "failed" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let polled: Value = h
        .get(submitted["resultsUri"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(polled["queryStatus"], "Failed");
    let (bad, body) = h
        .admin_post(
            &format!("executions/{id}/lifecycle"),
            &json!({ "lifecycle": "maybe" }),
        )
        .await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
    assert_eq!(body["details"][0]["fieldName"], "lifecycle");
}

#[tokio::test]
async fn lifecycles_can_be_scripted_for_the_next_execution_and_by_default() {
    let h = start().await;
    let (status, _) = h
        .admin_post(
            "lifecycle",
            &json!({ "lifecycle": "failed", "for": "next" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = h
        .admin_post(
            "lifecycle",
            &json!({ "lifecycle": "complete", "for": "default" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut seen = Vec::new();
    for _ in 0..2 {
        let submitted: Value = h
            .post_json("/api/v2/usage/query", &org_query())
            .await
            .json()
            .await
            .unwrap();
        let polled: Value = h
            .get(submitted["resultsUri"].as_str().unwrap())
            .await
            .json()
            .await
            .unwrap();
        seen.push(polled["queryStatus"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, ["Failed", "Complete"]);
    let (bad, _) = h
        .admin_post(
            "lifecycle",
            &json!({ "lifecycle": "complete", "for": "everything" }),
        )
        .await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_clock_can_be_frozen_set_and_advanced() {
    let h = start().await;
    assert_eq!(h.admin_get("clock").await["mode"], "real");
    let (status, clock) = h
        .admin_post(
            "clock",
            &json!({ "mode": "virtual", "set": "2026-01-01T00:00:00Z", "advance": "30s" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock["mode"], "virtual");
    assert_eq!(clock["now"], "2026-01-01T00:00:30Z");
    let (_, clock) = h.admin_post("clock", &json!({ "advance": 90 })).await;
    assert_eq!(clock["now"], "2026-01-01T00:02:00Z");
    let (_, clock) = h.admin_post("clock", &json!({ "mode": "real" })).await;
    assert_eq!(clock["mode"], "real");
    let (bad, _) = h.admin_post("clock", &json!({ "advance": "soon" })).await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
}

/// Seconds between the clock's `now` and the wall clock.
fn off_real_time(clock: &Value) -> i64 {
    let now: chrono::DateTime<chrono::Utc> = clock["now"].as_str().unwrap().parse().unwrap();
    (now - chrono::Utc::now()).num_seconds().abs()
}

#[tokio::test]
async fn real_mode_returns_the_clock_to_real_time() {
    let h = start().await;
    h.admin_post(
        "clock",
        &json!({ "mode": "virtual", "set": "2026-01-01T00:00:00Z" }),
    )
    .await;
    let (status, clock) = h.admin_post("clock", &json!({ "mode": "real" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(clock["mode"], "real");
    assert!(off_real_time(&clock) < 5, "{clock}");
}

#[tokio::test]
async fn reset_puts_the_clock_back_as_configured() {
    let h = start().await;
    h.admin_post(
        "clock",
        &json!({ "mode": "virtual", "set": "2020-01-01T00:00:00Z" }),
    )
    .await;
    h.admin_post("reset", &json!({})).await;
    let clock = h.admin_get("clock").await;
    assert_eq!(clock["mode"], "real");
    assert!(off_real_time(&clock) < 5, "{clock}");

    let start_at = "2025-03-01T00:00:00Z";
    let frozen = start_with(Config {
        virtual_clock: true,
        clock_start: Some(start_at.parse().unwrap()),
        ..Config::default()
    })
    .await;
    frozen
        .admin_post("clock", &json!({ "advance": "7d" }))
        .await;
    frozen.admin_post("reset", &json!({})).await;
    let clock = frozen.admin_get("clock").await;
    assert_eq!(clock["mode"], "virtual");
    assert_eq!(clock["now"], start_at);
}

#[tokio::test]
async fn the_clock_drives_duration_lifecycles() {
    let h = start().await;
    h.admin_post("clock", &json!({ "mode": "virtual" })).await;
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "after:1h")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    let uri = submitted["resultsUri"].as_str().unwrap();
    let before: Value = h.get(uri).await.json().await.unwrap();
    assert_eq!(before["queryStatus"], "Running");
    h.admin_post("clock", &json!({ "advance": "1h" })).await;
    let after: Value = h.get(uri).await.json().await.unwrap();
    assert_eq!(after["queryStatus"], "Complete");
}

#[tokio::test]
async fn fault_rules_are_listed_removed_and_cleared() {
    let h = start().await;
    let rule = json!({ "fault": { "kind": "serverError", "status": 500 } });
    let (_, first) = h.admin_post("faults", &rule).await;
    h.admin_post("faults", &rule).await;
    let listed = h.admin_get("faults").await;
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["faults"][0]["rule"]["fault"]["kind"], "serverError");
    let id = first["id"].as_u64().unwrap();
    let removed = h
        .http
        .delete(h.url(&format!("/__admin/faults/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    let again = h
        .http
        .delete(h.url(&format!("/__admin/faults/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let cleared = h
        .http
        .delete(h.url("/__admin/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(h.admin_get("faults").await["count"], 0);
    let (bad, _) = h
        .admin_post("faults", &json!({ "fault": { "kind": "gremlins" } }))
        .await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn reset_forgets_executions_faults_and_the_journal_but_not_tokens() {
    let h = start().await;
    h.post_json("/api/v2/usage/query", &org_query()).await;
    h.admin_post(
        "faults",
        &json!({ "fault": { "kind": "tokenExpired" }, "operation": "token" }),
    )
    .await;
    let (status, _) = h.admin_post("reset", &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.execution_count().await, 0);
    assert_eq!(h.admin_get("faults").await["count"], 0);
    assert_eq!(h.admin_get("journal").await["count"], 0);
    let still = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(still.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn admin_shutdown_stops_the_server() {
    let h = start().await;
    let (status, body) = h.admin_post("shutdown", &json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(body["shuttingDown"], true);
    let addr = h.server.addr();
    let mut refused = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the listener closes after an admin shutdown");
}

#[tokio::test]
async fn no_admin_turns_the_admin_api_into_404s() {
    let h = start_with(Config {
        admin: false,
        ..Config::default()
    })
    .await;
    let response = h.http.get(h.url("/__admin/health")).send().await.unwrap();
    error_body(response, 404, "not.found").await;
    let api = h.post_json("/api/v2/usage/query", &org_query()).await;
    assert_eq!(api.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn an_admin_token_is_required_when_configured() {
    let server = MockServer::start(Config {
        admin_token: Some("admin-secret".into()),
        ..Config::default()
    })
    .await
    .unwrap();
    let http = http_client();
    let url = format!("{}/__admin/executions", server.url());
    let refused = http.get(&url).send().await.unwrap();
    error_body(refused, 401, "authentication.required").await;
    let wrong = http.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let allowed = http
        .get(&url)
        .bearer_auth("admin-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
}
