//! `GET /__admin/` lists every admin endpoint; each one it lists is served,
//! and `docs/ADMIN.md` documents each one.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{org_query, start};

/// `(method, path)` of every endpoint the index lists.
async fn listed(h: &support::Harness) -> Vec<(String, String)> {
    let index = h.admin_get("").await;
    index["endpoints"]
        .as_array()
        .expect("an endpoints list")
        .iter()
        .map(|e| {
            assert!(e["summary"].as_str().is_some_and(|s| !s.is_empty()), "{e}");
            let text = |k: &str| e[k].as_str().expect("method and path").to_owned();
            (text("method"), text("path"))
        })
        .collect()
}

#[tokio::test]
async fn the_admin_index_lists_endpoints_that_are_all_served() {
    let h = start().await;
    let submitted: Value = h
        .post_json("/api/v2/usage/query", &org_query())
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["executionId"].as_str().unwrap();
    let endpoints = listed(&h).await;
    assert!(endpoints.len() >= 20, "{endpoints:?}");
    for (method, path) in &endpoints {
        // Shutdown would stop the server under the rest of the test.
        if path.ends_with("/shutdown") {
            continue;
        }
        let concrete = path.replace("{id}", id).replace("{faultId}", "1");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let response = h
            .http
            .request(method.clone(), h.url(&concrete))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let routed = body["message"]
            .as_str()
            .is_none_or(|m| !m.contains("requested resource was not found"));
        assert!(routed, "{method} {path} is not routed: {body}");
    }
}

#[tokio::test]
async fn every_listed_endpoint_is_documented_in_the_admin_docs() {
    let h = start().await;
    let docs_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ADMIN.md");
    let docs = std::fs::read_to_string(docs_path).expect("docs/ADMIN.md exists");
    for (method, path) in listed(&h).await {
        let heading = format!("`{method} {path}`");
        assert!(docs.contains(&heading), "docs/ADMIN.md lacks {heading}");
    }
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    assert!(
        readme.contains("docs/ADMIN.md"),
        "the README links the admin docs"
    );
}
