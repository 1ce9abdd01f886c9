//! Insta snapshots of every kind of answer the mock server sends: the status,
//! the headers that matter and the JSON body, with volatile values redacted.
//! Each answer that has a wire fixture in `fixtures/` must also have the
//! fixture's shape: the same keys at every level (the first element of arrays
//! standing for the rest) with the same JSON types.
//!
//! The server runs on a frozen virtual clock at [`CLOCK`] with the default
//! seed, so row values and dates are stable; only ids, tokens and correlation
//! ids vary, and those are redacted.

#[path = "support/fixtures.rs"]
mod fixtures;

use std::collections::BTreeMap;

use genesys_usage_mock::{Config, MockServer};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};

/// The emulation clock of every server in this file (frozen).
const CLOCK: &str = "2025-07-01T12:00:00Z";
/// An execution id no server knows (the one of the 404 fixture).
const UNKNOWN_ID: &str = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
/// The fixture with the plain `ErrorBody` shape (`message`, `code`, `status`,
/// `messageParams`, `contextId`, `details`, `errors`) that error answers
/// without a fixture of their own share.
const PLAIN_ERROR: &str = "error_503_service_unavailable.json";
/// Response headers worth snapshotting; the others (date, content-length) are noise.
const HEADERS: [&str; 7] = [
    "content-type",
    "inin-correlation-id",
    "retry-after",
    "inin-ratelimit-count",
    "inin-ratelimit-allowed",
    "inin-ratelimit-reset",
    "allow",
];
/// A one-day legacy query whose rows carry every field of `ApiUsageRow`.
const LEGACY_QUERY: &str =
    r#"{"interval":"2024-01-02/2024-01-03","granularity":"Day","groupBy":["OAuthClientId"]}"#;
/// A one-day simple search of one client's GET calls.
const SIMPLE_SEARCH: &str = r#"{"interval":"2024-01-02/2024-01-03","oauthClientNames":["Client Creds"],"httpMethods":["GET"]}"#;
/// A one-day organisation job of the GET calls of one user-grant client, grouped on every dimension.
const ORG_JOB: &str = r#"{"interval":"2025-06-02/2025-06-03","granularity":"Day","oauthClientIds":["e7de8a75-86bb-43eb-9063-38699f8c21af"],"httpMethods":["GET"],"groupBy":["OauthClientName","OauthClientId","UserId","HttpMethod","TemplateUri","Platform"]}"#;
/// A one-day client job grouped on every dimension.
const CLIENT_JOB: &str = r#"{"interval":"2025-06-02/2025-06-03","granularity":"Day","groupBy":["OrganizationId","HttpMethod","TemplateUri","Platform"]}"#;

/// A running server, a client without proxy and a valid bearer token.
struct Mock {
    server: MockServer,
    http: Client,
    token: String,
}

/// The default configuration on the frozen clock.
fn config() -> Config {
    Config {
        clock_start: Some(CLOCK.parse().expect("clock")),
        virtual_clock: true,
        ..Config::default()
    }
}

async fn start() -> Mock {
    start_with(config()).await
}

async fn start_with(config: Config) -> Mock {
    let server = MockServer::start(config).await.expect("server starts");
    let http = Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client builds");
    let mut mock = Mock {
        server,
        http,
        token: String::new(),
    };
    let answer = capture(mock.token_request("mock-client-secret", "client_credentials")).await;
    mock.token = answer["body"]["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    mock
}

impl Mock {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    fn token_request(&self, secret: &str, grant: &str) -> RequestBuilder {
        self.http
            .post(self.url("/oauth/token"))
            .basic_auth("mock-client-id", Some(secret))
            .form(&[("grant_type", grant)])
    }

    /// An authenticated request.
    fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    async fn get(&self, path: &str) -> Value {
        capture(self.api(Method::GET, path)).await
    }

    /// A submit with a JSON body, its execution scripted by `lifecycle`.
    async fn post(&self, path: &str, body: &str, lifecycle: &str) -> Value {
        let request = self
            .api(Method::POST, path)
            .header("content-type", "application/json")
            .header("x-mock-lifecycle", lifecycle)
            .body(body.to_owned());
        capture(request).await
    }

    /// A client id of the synthetic dataset.
    fn client_id(&self) -> String {
        self.server.engine().dataset().clients()[0].id.clone()
    }
}

/// Sends `request` and keeps what a snapshot shows: status, the headers of
/// [`HEADERS`] (the correlation id only as `[uuid]`, after checking it is one
/// and equals the body's `contextId`) and the body (JSON, else text).
async fn capture(request: RequestBuilder) -> Value {
    let response: Response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let mut headers = BTreeMap::new();
    for name in HEADERS {
        if let Some(value) = response.headers().get(name) {
            headers.insert(name, value.to_str().expect("ascii header").to_owned());
        }
    }
    let text = response.text().await.expect("body read");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    let correlation = headers
        .get("inin-correlation-id")
        .cloned()
        .unwrap_or_else(|| panic!("no ININ-Correlation-Id on a {status}: {body}"));
    assert!(uuid::Uuid::parse_str(&correlation).is_ok(), "{correlation}");
    if let Some(context) = body.get("contextId") {
        assert_eq!(
            context,
            &json!(correlation),
            "contextId is not the correlation id"
        );
    }
    headers.insert("inin-correlation-id", "[uuid]".to_owned());
    json!({ "status": status, "headers": headers, "body": body })
}

/// Replaces every occurrence of `text` inside the strings of `value` with `label`.
fn mask(value: &mut Value, text: &str, label: &str) {
    match value {
        Value::String(s) => *s = s.replace(text, label),
        Value::Array(items) => items.iter_mut().for_each(|item| mask(item, text, label)),
        Value::Object(map) => map.values_mut().for_each(|item| mask(item, text, label)),
        _ => {}
    }
}

/// The shape of a JSON value: objects keep their keys, arrays their first
/// element, scalars become the name of their type.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("boolean"),
        Value::Null => json!("null"),
    }
}

/// Asserts that the body of `answer` has the shape of `fixtures/{name}`.
fn assert_fixture_shape(answer: &Value, name: &str) {
    let fixture: Value = fixtures::fixture_json(name);
    assert_eq!(
        shape(&answer["body"]),
        shape(&fixture),
        "the server's body and {name} differ in shape; body: {}",
        answer["body"]
    );
}

/// Snapshots `answer` with `contextId` redacted, checks its status and, when
/// `fixture` is given, its shape.
fn check(name: &str, answer: &Value, status: u16, fixture: Option<&str>) {
    assert_eq!(answer["status"], json!(status), "{name}: {answer}");
    if let Some(fixture) = fixture {
        assert_fixture_shape(answer, fixture);
    }
    insta::assert_json_snapshot!(name, answer, { ".body.contextId" => "[uuid]" });
}

/// [`check`] of an answer whose snapshot bears the name of its fixture.
fn check_fixture(name: &str, answer: &Value, status: u16) {
    check(name, answer, status, Some(&format!("{name}.json")));
}

/// Submits, checks the 202 and gives the execution id and the answer, the id masked.
async fn submit(mock: &Mock, path: &str, body: &str, lifecycle: &str) -> (String, Value) {
    let mut answer = mock.post(path, body, lifecycle).await;
    assert_eq!(answer["status"], json!(202), "{answer}");
    let id = answer["body"]["executionId"]
        .as_str()
        .or_else(|| answer["body"]["id"].as_str())
        .expect("an execution id")
        .to_owned();
    mask(&mut answer, &id, "[id]");
    (id, answer)
}

/// A GET of an execution's results, its id masked.
async fn poll(mock: &Mock, uri: &str, id: &str) -> Value {
    let mut answer = mock.get(uri).await;
    mask(&mut answer, id, "[id]");
    answer
}

/// A page answer with its cursor (in `cursors.after` or in the `after` of
/// `nextUri`) and the execution id masked; the cursor is returned for the next request.
fn mask_page(mut answer: Value, id: &str) -> (Option<String>, Value) {
    let body = &answer["body"];
    let cursor = body["cursors"]["after"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let (_, query) = body["nextUri"].as_str()?.split_once('?')?;
            let after = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("after="));
            after.map(str::to_owned)
        });
    if let Some(cursor) = &cursor {
        mask(&mut answer, cursor, "[cursor]");
    }
    mask(&mut answer, id, "[id]");
    (cursor, answer)
}

/// Reads `uri` one row per page from the start; gives the first and the last page.
async fn first_and_last_pages(mock: &Mock, uri: &str, id: &str) -> (Value, Value) {
    let (mut cursor, first) = mask_page(mock.get(&format!("{uri}?pageSize=1")).await, id);
    assert!(cursor.is_some(), "need two rows to page: {first}");
    for _ in 0..200 {
        let after = cursor.expect("a cursor while rows remain");
        let page = mock.get(&format!("{uri}?pageSize=1&after={after}")).await;
        let (next, page) = mask_page(page, id);
        if next.is_none() {
            return (first, page);
        }
        cursor = next;
    }
    panic!("{uri} has no last page within 200 pages");
}

/// An authenticated POST with a JSON content type and `body` as is.
fn json_post(mock: &Mock, path: &str, body: &str) -> RequestBuilder {
    mock.api(Method::POST, path)
        .header("content-type", "application/json")
        .body(body.to_owned())
}

/// Checks the window reset of a rate-limited answer (real time, so 60 s or a
/// little less: hence `[seconds]` in the snapshot) and that `Retry-After` and
/// the 429 message agree with it.
fn mask_reset(answer: &mut Value) {
    let reset = answer["headers"]["inin-ratelimit-reset"]
        .as_str()
        .expect("inin-ratelimit-reset")
        .to_owned();
    let seconds: u64 = reset.parse().expect("whole seconds");
    assert!((1..=60).contains(&seconds), "reset {seconds}");
    for name in ["inin-ratelimit-reset", "retry-after"] {
        if let Some(value) = answer["headers"].get_mut(name) {
            assert_eq!(value, &json!(reset), "{name}");
            *value = json!("[seconds]");
        }
    }
    let message = format!("[{reset}] seconds");
    mask(&mut answer["body"], &message, "[[seconds]] seconds");
}

#[tokio::test]
async fn token_endpoint_grants_refuses_bad_clients_and_unknown_grants() {
    let mock = start().await;
    let granted = capture(mock.token_request("mock-client-secret", "client_credentials")).await;
    assert_fixture_shape(&granted, "token_success.json");
    insta::assert_json_snapshot!("token_success", granted, { ".body.access_token" => "[token]" });
    let refused = capture(mock.token_request("wrong-secret", "client_credentials")).await;
    check_fixture("token_failure_invalid_client", &refused, 401);
    let unknown = capture(mock.token_request("mock-client-secret", "password")).await;
    let fixture = Some("token_failure_invalid_client.json");
    check(
        "token_failure_unsupported_grant_type",
        &unknown,
        400,
        fixture,
    );
}

#[tokio::test]
async fn every_submit_answers_202_with_the_shape_of_its_fixture() {
    let mock = start().await;
    let client = mock.client_id();
    #[rustfmt::skip]
    let cases = [
        ("submit_l1_organization_query", "/api/v2/usage/query".to_owned(), "request_l1_organization_query.json"),
        ("submit_l3_simple_search", "/api/v2/usage/simplesearch".to_owned(), "request_l3_simple_search.json"),
        ("submit_l5_client_query", format!("/api/v2/oauth/clients/{client}/usage/query"), "request_l5_client_query.json"),
        ("submit_n1_organization_jobs", "/api/v2/usage/aggregates/query/jobs".to_owned(), "request_n1_organization_jobs.json"),
        ("submit_n3_client_jobs", format!("/api/v2/usage/client/{client}/aggregates/query/jobs"), "request_n3_client_jobs.json"),
    ];
    for (name, path, request) in cases {
        let (_, mut answer) = submit(&mock, &path, &fixtures::fixture(request), "complete").await;
        mask(&mut answer, &client, "[client]");
        check_fixture(name, &answer, 202);
    }
    let summary = format!("/api/v2/oauth/clients/{client}/usage/summary?days=7");
    let mut answer = mock.get(&summary).await;
    let id = answer["body"]["executionId"]
        .as_str()
        .expect("id")
        .to_owned();
    mask(&mut answer, &id, "[id]");
    mask(&mut answer, &client, "[client]");
    check_fixture("submit_l7_client_summary", &answer, 202);
}

#[tokio::test]
async fn legacy_results_run_then_complete_with_every_row_field() {
    let mock = start().await;
    let path = "/api/v2/usage/query";
    let (id, _) = submit(&mock, path, LEGACY_QUERY, "running:1,complete").await;
    let uri = format!("{path}/{id}/results");
    check_fixture("legacy_results_running", &mock.get(&uri).await, 200);
    check_fixture("legacy_results_complete", &mock.get(&uri).await, 200);
}

#[tokio::test]
async fn failed_legacy_query_answers_200_with_only_its_status() {
    let mock = start().await;
    let (id, _) = submit(&mock, "/api/v2/usage/query", LEGACY_QUERY, "failed").await;
    let failed = mock.get(&format!("/api/v2/usage/query/{id}/results")).await;
    check_fixture("legacy_results_failed", &failed, 200);
}

#[tokio::test]
async fn simple_search_pages_carry_a_cursor_until_the_last_page() {
    let mock = start().await;
    let path = "/api/v2/usage/simplesearch";
    let (id, _) = submit(&mock, path, SIMPLE_SEARCH, "complete").await;
    let uri = format!("{path}/{id}/results");
    let (first, last) = first_and_last_pages(&mock, &uri, &id).await;
    check_fixture("simplesearch_results_page1", &first, 200);
    check_fixture("simplesearch_results_last_page", &last, 200);
}

#[tokio::test]
async fn organisation_job_is_queued_then_running_then_pages_its_rows() {
    let mock = start().await;
    let path = "/api/v2/usage/aggregates/query/jobs";
    let (id, _) = submit(&mock, path, ORG_JOB, "pending:1,running:1,complete").await;
    let uri = format!("{path}/{id}");
    check_fixture("jobs_results_queued", &poll(&mock, &uri, &id).await, 202);
    check_fixture("jobs_results_running", &poll(&mock, &uri, &id).await, 202);
    let (first, last) = first_and_last_pages(&mock, &uri, &id).await;
    check_fixture("jobs_results_succeeded_page1", &first, 200);
    check_fixture("jobs_results_succeeded_last_page", &last, 200);
}

#[tokio::test]
async fn failed_job_answers_202_with_an_error_body_and_cancelled_job_without() {
    let mock = start().await;
    let path = "/api/v2/usage/aggregates/query/jobs";
    let (id, _) = submit(&mock, path, ORG_JOB, "failed").await;
    let failed = poll(&mock, &format!("{path}/{id}"), &id).await;
    check_fixture("jobs_results_failed", &failed, 202);
    let (id, _) = submit(&mock, path, ORG_JOB, "cancelled").await;
    let cancelled = poll(&mock, &format!("{path}/{id}"), &id).await;
    check("jobs_results_cancelled", &cancelled, 202, None);
}

#[tokio::test]
async fn client_job_pages_rows_that_name_their_organisation() {
    let mock = start().await;
    let client = mock.client_id();
    let path = format!("/api/v2/usage/client/{client}/aggregates/query/jobs");
    let (id, _) = submit(&mock, &path, CLIENT_JOB, "complete").await;
    let (_, mut page) = mask_page(mock.get(&format!("{path}/{id}?pageSize=2")).await, &id);
    mask(&mut page, &client, "[client]");
    check_fixture("client_jobs_results_succeeded_page1", &page, 200);
}

#[tokio::test]
async fn bad_requests_get_genesys_error_bodies_and_create_nothing() {
    let mock = start().await;
    let query = "/api/v2/usage/query";
    let huge = format!(r#"{{"interval":"{}"}}"#, "x".repeat(1024 * 1024));
    let text = mock
        .api(Method::POST, query)
        .header("content-type", "text/plain");
    let unknown_job = format!("/api/v2/usage/aggregates/query/jobs/{UNKNOWN_ID}");
    let not_found = Some("error_404_execution_not_found.json");
    #[rustfmt::skip]
    let cases = [
        ("error_400_bad_interval", json_post(&mock, query, r#"{"interval":"2024-01-08/2024-01-01"}"#), 400, Some("error_400_bad_interval.json")),
        ("error_400_malformed_json", json_post(&mock, query, r#"{"interval":"#), 400, Some(PLAIN_ERROR)),
        ("error_404_unknown_execution", mock.api(Method::GET, &format!("{query}/{UNKNOWN_ID}/results")), 404, not_found),
        ("error_404_unknown_job", mock.api(Method::GET, &unknown_job), 404, not_found),
        ("error_404_unknown_path", mock.api(Method::GET, "/api/v2/usage/nothing-here"), 404, Some(PLAIN_ERROR)),
        ("error_405_wrong_method", mock.api(Method::DELETE, query), 405, Some(PLAIN_ERROR)),
        ("error_413_body_too_large", json_post(&mock, query, &huge), 413, None),
        ("error_415_wrong_content_type", text.body(LEGACY_QUERY), 415, Some(PLAIN_ERROR)),
    ];
    for (name, request, status, fixture) in cases {
        check(name, &capture(request).await, status, fixture);
    }
    let executions = mock.server.engine().executions();
    assert!(
        executions.is_empty(),
        "a bad request created {executions:?}"
    );
}

#[tokio::test]
async fn requests_without_a_valid_bearer_get_401() {
    let mock = start().await;
    let path = mock.url(&format!("/api/v2/usage/query/{UNKNOWN_ID}/results"));
    let fixture = Some("error_401_authentication_required.json");
    let missing = capture(mock.http.get(&path)).await;
    check("error_401_missing_bearer", &missing, 401, fixture);
    let bad = capture(mock.http.get(&path).bearer_auth("not-a-token")).await;
    check("error_401_bad_bearer", &bad, 401, fixture);
}

#[tokio::test]
async fn injected_429_and_5xx_faults_answer_with_their_error_bodies() {
    let mock = start().await;
    let cases = [
        // The shape of this one: `injected_429_fault_has_the_normalised_429_shape`.
        ("error_429_injected", "429;retry-after=42", 429, None),
        ("error_500_injected", "500", 500, Some(PLAIN_ERROR)),
        ("error_502_injected", "502", 502, Some(PLAIN_ERROR)),
        ("error_503_injected", "503", 503, Some(PLAIN_ERROR)),
        ("error_504_injected", "504", 504, Some(PLAIN_ERROR)),
    ];
    for (name, fault, status, fixture) in cases {
        let request = json_post(&mock, "/api/v2/usage/query", LEGACY_QUERY);
        let answer = capture(request.header("x-mock-fault", fault)).await;
        check(name, &answer, status, fixture);
    }
}

#[tokio::test]
async fn injected_429_fault_has_the_normalised_429_shape() {
    let mock = start().await;
    let request = json_post(&mock, "/api/v2/usage/query", LEGACY_QUERY);
    let answer = capture(request.header("x-mock-fault", "429;retry-after=42")).await;
    assert_fixture_shape(&answer, "error_429_rate_limited.json");
}

#[tokio::test]
async fn rate_limited_token_gets_429_with_retry_after_and_rate_limit_headers() {
    let config = Config {
        rate_limit: Some(1),
        ..config()
    };
    let mock = start_with(config).await;
    let (_, mut within) = submit(&mock, "/api/v2/usage/query", LEGACY_QUERY, "complete").await;
    mask_reset(&mut within);
    let fixture = Some("submit_l1_organization_query.json");
    check("rate_limit_within_budget", &within, 202, fixture);
    let mut over = mock
        .get(&format!("/api/v2/usage/query/{UNKNOWN_ID}/results"))
        .await;
    mask_reset(&mut over);
    assert_eq!(over["headers"]["inin-ratelimit-count"], json!("2"));
    check_fixture("error_429_rate_limited", &over, 429);
}
