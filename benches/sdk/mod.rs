//! What the SDK benchmarks (rows 1–3 of issue 7) share: the bearer token, the
//! SDK client over HTTP, and the hand-written reqwest + serde_json baseline.
//!
//! Each bench uses a subset, hence the `dead_code` allowance; the items are
//! `pub` for the bench that includes them, not for a public API.
#![allow(dead_code, unreachable_pub)]

use genesys_usage::{ApiUsageOrganizationQuery, ApiUsageQueryResult, UsageClient};

/// The mock server's default client credentials.
pub const CLIENT_ID: &str = "mock-client-id";
/// See [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "mock-client-secret";

/// A tokio runtime as `#[tokio::main]` builds one (multi-threaded).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A token from the mock server's `/oauth/token`, fetched by hand so the SDK
/// and the baseline send the same bearer token.
pub async fn fetch_token(http: &reqwest::Client, base_url: &str) -> String {
    let answer: serde_json::Value = http
        .post(format!("{base_url}/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request")
        .error_for_status()
        .expect("token granted")
        .json()
        .await
        .expect("token json");
    answer["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The SDK client with a static token.
pub fn sdk_client(base_url: &str, token: &str) -> UsageClient {
    UsageClient::builder()
        .base_url(base_url)
        .token(token)
        .build()
        .expect("sdk client")
}

/// Submits `query` and reads its result once (with `--lifecycle complete`
/// the first read completes it, and the server computes the rows then).
/// Returns the execution id and the number of rows.
pub async fn submit_complete(
    client: &UsageClient,
    query: &ApiUsageOrganizationQuery,
) -> (String, usize) {
    let submitted = client.post_usage_query(query).await.expect("submit");
    let id = submitted.body.execution_id.expect("execution id");
    let result = client
        .get_usage_query_execution_id_results(&id)
        .await
        .expect("first read");
    let rows = result.body.results.map_or(0, |r| r.len());
    assert!(
        rows > 0,
        "the query completed with rows (use --lifecycle complete)"
    );
    (id, rows)
}

/// The URL of a legacy result.
pub fn results_url(base_url: &str, execution_id: &str) -> String {
    format!("{base_url}/api/v2/usage/query/{execution_id}/results")
}

/// The baseline: what a user would write by hand with reqwest and serde_json,
/// decoding the same type.
pub async fn hand_written(http: &reqwest::Client, url: &str, token: &str) -> ApiUsageQueryResult {
    let bytes = http
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .expect("baseline request")
        .error_for_status()
        .expect("baseline 2xx")
        .bytes()
        .await
        .expect("baseline body");
    serde_json::from_slice(&bytes).expect("baseline decode")
}

/// The SDK call being measured.
pub async fn sdk(client: &UsageClient, execution_id: &str) -> ApiUsageQueryResult {
    client
        .get_usage_query_execution_id_results(execution_id)
        .await
        .expect("sdk call")
        .body
}

/// `a / b` as a table cell, e.g. `1.03×`.
pub fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}×", a / b)
}

/// `yes` / `no` for the met column.
pub fn yes_no(met: bool) -> String {
    if met { "yes" } else { "no" }.to_owned()
}
