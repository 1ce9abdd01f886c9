//! The request journal (redaction, filters, bound) and the poll-compliance
//! report.

mod support;

use std::time::Duration;

use genesys_usage_mock::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Harness, org_query, start, start_with};

#[tokio::test]
async fn the_journal_records_requests_with_credentials_redacted() {
    let h = start().await;
    let submitted = h.post_json("/api/v2/usage/query", &org_query()).await;
    let correlation = submitted.headers()["inin-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let submitted: Value = submitted.json().await.unwrap();
    let journal = h.admin_get("journal").await;
    let text = journal.to_string();
    assert!(!text.contains(&h.token), "the bearer token never appears");
    assert!(!text.contains("mock-client-secret"));
    let entries = journal["entries"].as_array().unwrap();
    let token = &entries[0];
    assert_eq!(token["path"], "/oauth/token");
    assert_eq!(token["operation"], "token");
    assert_eq!(token["headers"]["authorization"], "Basic <redacted>");
    let post = &entries[1];
    assert_eq!(post["method"], "POST");
    assert_eq!(post["status"], 202);
    assert_eq!(post["operation"], "post_usage_query");
    assert_eq!(post["executionId"], submitted["executionId"]);
    assert_eq!(post["correlationId"], correlation);
    assert_eq!(post["headers"]["authorization"], "Bearer <redacted>");
    assert!(post["time"].is_string());
}

#[tokio::test]
async fn the_journal_filters_by_method_path_execution_and_limit() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let uri = submitted["resultsUri"].as_str().unwrap();
    for _ in 0..3 {
        h.get(uri).await;
    }
    h.get("/api/v2/usage/query/other/results").await;
    let by_execution = h.admin_get(&format!("journal?executionId={id}")).await;
    assert_eq!(by_execution["count"], 4, "the submit and three polls");
    let gets = h
        .admin_get(&format!("journal?method=get&executionId={id}&limit=2"))
        .await;
    assert_eq!(gets["count"], 2);
    let all_polls = h
        .admin_get(&format!("journal?method=GET&executionId={id}"))
        .await;
    let seqs = |v: &Value| -> Vec<u64> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        seqs(&gets),
        seqs(&all_polls)[1..],
        "limit keeps the latest entries"
    );
    let by_path = h.admin_get("journal?path=/other/").await;
    assert_eq!(by_path["count"], 1);
    assert_eq!(by_path["entries"][0]["status"], 404);
    let admin_calls = h.admin_get("journal?path=__admin").await;
    assert_eq!(admin_calls["count"], 0, "admin calls are not journaled");
}

#[tokio::test]
async fn the_journal_keeps_only_its_configured_size() {
    let h = start_with(Config {
        journal_size: 3,
        ..Config::default()
    })
    .await;
    for _ in 0..5 {
        h.get("/api/v2/usage/query/x/results").await;
    }
    let journal = h.admin_get("journal").await;
    assert_eq!(journal["count"], 3);
    assert_eq!(journal["capacity"], 3);
    let cleared = h
        .http
        .delete(h.url("/__admin/journal"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    assert_eq!(h.admin_get("journal").await["count"], 0);
}

/// Submits a query whose first poll answers 429 with `Retry-After: 1`.
async fn rate_limited_first_poll(h: &Harness) -> (String, String) {
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "complete")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["executionId"].as_str().unwrap().to_owned();
    let rule = json!({
        "fault": { "kind": "rateLimited", "retryAfter": { "seconds": 1 } },
        "executionId": id,
        "trigger": { "nth": 1 }
    });
    assert_eq!(h.admin_post("faults", &rule).await.0, StatusCode::CREATED);
    let uri = submitted["resultsUri"].as_str().unwrap().to_owned();
    assert_eq!(h.get(&uri).await.status(), StatusCode::TOO_MANY_REQUESTS);
    (id, uri)
}

#[tokio::test]
async fn compliance_shows_a_retry_after_that_was_not_honoured() {
    let h = start().await;
    let (id, uri) = rate_limited_first_poll(&h).await;
    h.get(&uri).await;
    h.get(&uri).await;
    let report = h.admin_get(&format!("executions/{id}/compliance")).await;
    assert_eq!(report["executionId"], id);
    assert_eq!(report["polls"], 3);
    assert_eq!(report["gapsMs"].as_array().unwrap().len(), 2);
    assert_eq!(report["retryAfter"][0]["retryAfterMs"], 1000);
    assert_eq!(report["retryAfter"][0]["honoured"], false);
    assert_eq!(report["allHonoured"], false);
    assert_eq!(report["total429s"], 1);
    assert_eq!(report["firstTerminalPoll"], 2);
    assert_eq!(report["pollsAfterTerminal"], 1);
}

#[tokio::test]
async fn compliance_shows_a_retry_after_that_was_honoured() {
    let h = start().await;
    let (id, uri) = rate_limited_first_poll(&h).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.get(&uri).await;
    let report = h.admin_get(&format!("executions/{id}/compliance")).await;
    assert_eq!(report["retryAfter"][0]["honoured"], true);
    assert_eq!(report["allHonoured"], true);
    assert_eq!(report["pollsAfterTerminal"], 0);
}

#[tokio::test]
async fn compliance_of_an_unpolled_execution_is_empty_and_of_an_unknown_one_is_404() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let report = h.admin_get(&format!("executions/{id}/compliance")).await;
    assert_eq!(report["polls"], 0);
    let unknown = h
        .http
        .get(h.url("/__admin/executions/nope/compliance"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn page_fetches_are_not_counted_as_polls() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/aggregates/query/jobs")
        .header("X-Mock-Lifecycle", "complete")
        .json(&json!({ "interval": support::recent_interval(7), "granularity": "Day" }))
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["id"].as_str().unwrap();
    let uri = submitted["resultsUri"].as_str().unwrap();
    let first: Value = h
        .get(&format!("{uri}?pageSize=1"))
        .await
        .json()
        .await
        .unwrap();
    let next = first["nextUri"].as_str().expect("more pages");
    assert_eq!(h.get(next).await.status(), StatusCode::OK);
    let report = h.admin_get(&format!("executions/{id}/compliance")).await;
    assert_eq!(report["polls"], 1);
    assert_eq!(report["pollsAfterTerminal"], 0);
}

#[tokio::test]
async fn the_journal_keeps_what_a_client_posted() {
    let h = start().await;
    let query = json!({ "interval": support::recent_interval(3), "groupBy": ["HttpMethod"] });
    h.post_json("/api/v2/usage/query", &query).await;
    let journal = h.admin_get("journal?operation=post_usage_query").await;
    let entry = &journal["entries"][0];
    assert_eq!(entry["body"], query, "{entry}");
    assert!(entry.get("bodyTruncated").is_none(), "{entry}");
}

#[tokio::test]
async fn the_journal_bounds_the_bodies_it_keeps() {
    let h = start().await;
    let templates: Vec<String> = (0..2000).map(|i| format!("api/v2/t/{i}")).collect();
    let search = json!({ "interval": support::recent_interval(3), "templateUris": templates });
    h.post_json("/api/v2/usage/simplesearch", &search).await;
    let journal = h
        .admin_get("journal?operation=post_usage_simplesearch")
        .await;
    let entry = &journal["entries"][0];
    assert_eq!(entry["bodyTruncated"], true, "{entry}");
    let kept = entry["body"].as_str().expect("a cut body is kept as text");
    assert!(kept.len() <= 4100, "{} bytes kept", kept.len());
    assert!(entry["bodyBytes"].as_u64().unwrap() > 20_000, "{entry}");
}

#[tokio::test]
async fn the_journal_redacts_every_credential_shaped_header_parameter_and_field() {
    let h = start().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "mock-client-id"),
        ("client_secret", "form-s3cret"),
    ];
    h.http
        .post(h.url("/oauth/token?client_secret=query-s3cret&access_token=query-t0ken&keep=1"))
        .header("Cookie", "session=cookie-s3cret")
        .header("X-Api-Key", "key-s3cret")
        .header("X-Auth-Token", "auth-s3cret")
        .form(&form)
        .send()
        .await
        .unwrap();
    h.api(Method::POST, "/api/v2/usage/query")
        .json(&json!({ "interval": support::recent_interval(3), "password": "json-s3cret" }))
        .send()
        .await
        .unwrap();
    let journal = h.admin_get("journal").await;
    let text = journal.to_string();
    for secret in [
        "form-s3cret",
        "query-s3cret",
        "query-t0ken",
        "cookie-s3cret",
        "key-s3cret",
        "auth-s3cret",
        "json-s3cret",
    ] {
        assert!(!text.contains(secret), "{secret} is in the journal: {text}");
    }
    let entries = journal["entries"].as_array().unwrap();
    let (token, post) = (&entries[entries.len() - 2], &entries[entries.len() - 1]);
    assert_eq!(token["headers"]["cookie"], "<redacted>");
    assert_eq!(token["headers"]["x-api-key"], "<redacted>");
    let query = token["query"].as_str().unwrap();
    assert!(
        query.contains("client_secret=<redacted>") && query.contains("keep=1"),
        "{query}"
    );
    let body = token["body"].as_str().unwrap();
    assert!(body.contains("client_id=mock-client-id"), "{body}");
    assert!(body.contains("client_secret=<redacted>"), "{body}");
    assert_eq!(post["body"]["password"], "<redacted>", "{post}");
}

#[tokio::test]
async fn compliance_counts_fast_polls_and_polls_after_terminal_as_violations() {
    let h = start().await;
    let response = h
        .api(Method::POST, "/api/v2/usage/query")
        .header("X-Mock-Lifecycle", "running:2,complete")
        .json(&org_query())
        .send()
        .await
        .unwrap();
    let submitted: Value = response.json().await.unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let uri = submitted["resultsUri"].as_str().unwrap();
    for _ in 0..4 {
        h.get(uri).await;
    }
    let report = h.admin_get(&format!("executions/{id}/compliance")).await;
    assert_eq!(
        report["allHonoured"], true,
        "no Retry-After was sent: {report}"
    );
    assert_eq!(report["minIntervalMs"], 1000, "{report}");
    assert_eq!(report["tooFast"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["pollsAfterTerminal"], 1, "{report}");
    assert_eq!(report["violations"], 3, "{report}");
    assert_eq!(report["compliant"], false, "{report}");
    let lenient = h
        .admin_get(&format!("executions/{id}/compliance?minInterval=0s"))
        .await;
    assert_eq!(lenient["tooFast"].as_array().unwrap().len(), 0, "{lenient}");
    assert_eq!(lenient["violations"], 1, "still the poll after terminal");
}
