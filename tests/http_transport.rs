//! Exact HTTP behaviour of `HttpTransport` against wiremock: requests of the
//! 11 operations, status mapping, retries through `UsageClient` and the URL
//! rules of the builder. Authentication is in `http_auth.rs`.

#[path = "support/wire.rs"]
mod wire;

use std::time::{Duration, Instant, SystemTime};

use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, Error, Granularity, HttpTransport, JobStatus,
    OrganizationGroupBy, OrganizationPublicApiUsageQueryRequest, PageRequest, QueryStatus,
    RateLimitInfo, Region, SimpleSearchMetric, TransportErrorKind, UsageClient, UsageMetric,
    UsageTransport,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const USER_AGENT: &str = concat!("genesys-usage/", env!("CARGO_PKG_VERSION"));

/// One expected request: method, path, raw query, JSON body ("" for none),
/// and the JSON answered.
#[rustfmt::skip]
type Case = (&'static str, &'static str, &'static str, &'static str, &'static str);

const EXECUTION: &str = r#"{"executionId": "e1", "resultsUri": "/api/v2/usage/query/e1/results"}"#;
const COMPLETE: &str =
    r#"{"queryStatus": "Complete", "results": [{"clientId": "c", "requests": 3}]}"#;
const ORG_QUERY: &str =
    r#"{"interval": "2024-01-01/2024-01-08", "granularity": "Day", "groupBy": ["OAuthClientId"]}"#;
const SEARCH: &str =
    r#"{"interval": "2024-01-01/2024-01-08", "metrics": ["ClientName", "Status200"]}"#;
const CLIENT_QUERY: &str = r#"{"interval": "2024-01-01/2024-01-08"}"#;
const JOB: &str = r#"{"id": "j1", "resultsUri": "/api/v2/usage/aggregates/query/jobs/j1"}"#;
const JOB_QUERY: &str = r#"{"interval": "2025-06-01/2025-06-30", "metrics": ["Requests"]}"#;

#[rustfmt::skip]
const LEGACY: [Case; 8] = [
    ("POST", "/api/v2/usage/query", "", ORG_QUERY, EXECUTION),
    ("GET", "/api/v2/usage/query/e1/results", "", "", COMPLETE),
    ("POST", "/api/v2/usage/simplesearch", "", SEARCH, EXECUTION),
    ("GET", "/api/v2/usage/simplesearch/e2/results", "pageSize=50&after=a%2Bb%2Fc", "", COMPLETE),
    ("POST", "/api/v2/oauth/clients/c1/usage/query", "", CLIENT_QUERY, EXECUTION),
    ("GET", "/api/v2/oauth/clients/c1/usage/query/results/e3", "", "", COMPLETE),
    ("GET", "/api/v2/oauth/clients/c1/usage/summary", "days=30", "", EXECUTION),
    ("GET", "/api/v2/oauth/clients/c2/usage/summary", "", "", EXECUTION),
];

#[rustfmt::skip]
const JOBS: [Case; 4] = [
    ("POST", "/api/v2/usage/aggregates/query/jobs", "", JOB_QUERY, JOB),
    ("GET", "/api/v2/usage/aggregates/query/jobs/j1", "pageSize=100", "", r#"{"queryStatus": "Running"}"#),
    ("POST", "/api/v2/usage/client/c1/aggregates/query/jobs", "", JOB_QUERY, JOB),
    ("GET", "/api/v2/usage/client/c1/aggregates/query/jobs/j2", "after=x", "", r#"{"queryStatus": "Succeeded"}"#),
];

/// Mounts, for each case, a mock matching exactly that request (method,
/// path, whole query, headers, body) that must be hit once.
async fn expect_exactly(server: &MockServer, cases: &[Case]) {
    for &(verb, route, query, body, answer) in cases {
        let exact_query = move |r: &Request| r.url.query().unwrap_or("") == query;
        let mock = Mock::given(method(verb))
            .and(path(route))
            .and(exact_query)
            .and(header("accept", "application/json"))
            .and(header("authorization", "Bearer t"))
            .and(header("user-agent", USER_AGENT));
        let mock = if body.is_empty() {
            mock.and(|r: &Request| !r.headers.contains_key("content-type") && r.body.is_empty())
        } else {
            let json: Value = serde_json::from_str(body).unwrap();
            mock.and(header("content-type", "application/json"))
                .and(body_json(json))
        };
        let answer: Value = serde_json::from_str(answer).unwrap();
        mock.respond_with(ResponseTemplate::new(202).set_body_json(answer))
            .named(format!("{verb} {route}?{query}"))
            .expect(1)
            .mount(server)
            .await;
    }
}

fn transport(server: &MockServer) -> HttpTransport {
    HttpTransport::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_legacy_operations_send_exact_requests() -> Result<(), Error> {
    let server = MockServer::start().await;
    expect_exactly(&server, &LEGACY).await;
    let client = wire::token_client(&server);
    let interval = "2024-01-01/2024-01-08";

    let org = ApiUsageOrganizationQuery::new(interval)
        .with_granularity(Granularity::Day)
        .with_group_by([OrganizationGroupBy::OAuthClientId]);
    let submitted = client.post_usage_query(&org).await?;
    let results = client.get_usage_query_execution_id_results("e1").await?;
    let metrics = [
        SimpleSearchMetric::ClientName,
        SimpleSearchMetric::Status200,
    ];
    let search = ApiUsageSimpleSearch::new(interval).with_metrics(metrics);
    client.post_usage_simplesearch(&search).await?;
    let page = PageRequest::with_page_size(50).after("a+b/c");
    client
        .get_usage_simplesearch_execution_id_results("e2", &page)
        .await?;
    let query = ApiUsageClientQuery::new(interval);
    client.post_oauth_client_usage_query("c1", &query).await?;
    client
        .get_oauth_client_usage_query_result("c1", "e3")
        .await?;
    client
        .get_oauth_client_usage_summary("c1", Some(30))
        .await?;
    client.get_oauth_client_usage_summary("c2", None).await?;

    assert_eq!(submitted.body.execution_id.as_deref(), Some("e1"));
    assert_eq!(submitted.meta.status, 202);
    assert_eq!(results.body.query_status, Some(QueryStatus::Complete));
    assert_eq!(results.body.results.unwrap()[0].requests, Some(3));
    Ok(())
}

#[tokio::test]
async fn the_jobs_operations_send_exact_requests() -> Result<(), Error> {
    let server = MockServer::start().await;
    expect_exactly(&server, &JOBS).await;
    let client = wire::token_client(&server);
    let interval = "2025-06-01/2025-06-30";

    let org =
        OrganizationPublicApiUsageQueryRequest::new(interval).with_metrics([UsageMetric::Requests]);
    let job = client.post_usage_aggregates_query_jobs(&org).await?;
    let first = PageRequest::with_page_size(100);
    let running = client.get_usage_aggregates_query_job("j1", &first).await?;
    let query =
        ClientPublicApiUsageQueryRequest::new(interval).with_metrics([UsageMetric::Requests]);
    client
        .post_usage_client_aggregates_query_jobs("c1", &query)
        .await?;
    let after = PageRequest::first().after("x");
    let done = client
        .get_usage_client_aggregates_query_job("c1", "j2", &after)
        .await?;

    assert_eq!(job.body.id, "j1");
    assert_eq!(
        (running.meta.status, running.body.query_status),
        (202, JobStatus::Running)
    );
    assert_eq!(done.body.query_status, JobStatus::Succeeded);
    Ok(())
}

#[tokio::test]
async fn an_execution_id_with_a_slash_and_a_question_mark_stays_one_segment() {
    let server = MockServer::start().await;
    let encoded = ("GET", "/api/v2/usage/query/a%2Fb%3Fc/results", "", "", "{}");
    expect_exactly(&server, &[encoded]).await;

    let answer = transport(&server)
        .get_usage_query_execution_id_results("a/b?c")
        .await;

    assert!(answer.is_ok(), "{answer:?}");
}

#[tokio::test]
async fn an_empty_path_parameter_is_refused_without_sending() {
    let server = MockServer::start().await;
    let t = transport(&server);
    let page = PageRequest::first();

    let errors = [
        (
            "executionId",
            t.get_usage_query_execution_id_results("")
                .await
                .unwrap_err(),
        ),
        (
            "clientId",
            t.get_oauth_client_usage_query_result("", "e")
                .await
                .unwrap_err(),
        ),
        (
            "jobId",
            t.get_usage_client_aggregates_query_job("c", "", &page)
                .await
                .unwrap_err(),
        ),
    ];

    for (expected, error) in errors {
        assert!(
            matches!(&error, Error::InvalidRequest { field, .. } if field == expected),
            "{error}"
        );
    }
    assert!(wire::api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn a_user_agent_can_be_replaced() {
    let server = MockServer::start().await;
    Mock::given(header("user-agent", "my-app/1.0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let t = HttpTransport::builder()
        .base_url(server.uri())
        .token("t")
        .user_agent("my-app/1.0")
        .build()
        .unwrap();

    t.get_usage_query_execution_id_results("e").await.unwrap();
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let server = MockServer::start().await;
    let body = json!({"queryStatus": "Complete", "newField": {"x": 1},
                      "results": [{"clientId": "c", "brandNew": true}]});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;

    let answer = transport(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert_eq!(
        answer.body.results.unwrap()[0].client_id.as_deref(),
        Some("c")
    );
}

#[tokio::test]
async fn malformed_json_on_a_200_is_a_decode_error_with_a_snippet() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"queryStatus": "Comp"#, "application/json"),
        )
        .mount(&server)
        .await;

    let error = transport(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    match &error {
        Error::Decode {
            status, snippet, ..
        } => {
            assert_eq!(*status, 200);
            assert!(snippet.contains(r#"{"queryStatus""#), "{snippet}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_non_json_error_body_is_an_api_error_with_a_snippet() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;

    let error = transport(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::Api { status: 502, body: None, snippet: Some(s), .. } if s.contains("bad gateway")),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_correlation_id_header_reaches_the_error() {
    let server = MockServer::start().await;
    let body = json!({"message": "no such execution", "code": "not.found", "status": 404});
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("ININ-Correlation-Id", "corr-123")
                .set_body_json(body),
        )
        .mount(&server)
        .await;

    let error = wire::token_client(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert_eq!(error.correlation_id(), Some("corr-123"));
    assert_eq!(
        error.error_body().and_then(|b| b.code.as_deref()),
        Some("not.found")
    );
    assert_eq!(error.status(), Some(404));
}

#[tokio::test]
async fn correlation_and_rate_limit_headers_reach_the_response_meta() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ININ-Correlation-Id", "corr-9")
                .insert_header("inin-ratelimit-count", "3")
                .insert_header("inin-ratelimit-allowed", "180")
                .insert_header("inin-ratelimit-reset", "61")
                .set_body_json(json!({})),
        )
        .mount(&server)
        .await;

    let meta = transport(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap()
        .meta;

    assert_eq!(meta.correlation_id.as_deref(), Some("corr-9"));
    let expected = RateLimitInfo {
        count: Some(3),
        allowed: Some(180),
        reset: Some(61),
    };
    assert_eq!(meta.rate_limit, Some(expected));
}

/// Mounts `first` once (highest priority), then `then` for every later request.
async fn answer_once_then(server: &MockServer, first: ResponseTemplate, then: ResponseTemplate) {
    Mock::given(method("GET"))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_the_get_succeeds() {
    let server = MockServer::start().await;
    let limited = ResponseTemplate::new(429).insert_header("Retry-After", "1");
    answer_once_then(
        &server,
        limited,
        ResponseTemplate::new(200).set_body_json(json!({})),
    )
    .await;
    let client = UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();
    let started = Instant::now();

    client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the hint was not honoured"
    );
    assert_eq!(wire::api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn an_http_date_retry_after_is_resolved_against_now() {
    let server = MockServer::start().await;
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", when.as_str()))
        .mount(&server)
        .await;

    let error = transport(&server)
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    let wait = error.retry_after().expect("the date is parsed");
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(2),
        "{wait:?}"
    );
}

#[tokio::test]
async fn a_429_with_an_http_date_retry_after_then_success() {
    let server = MockServer::start().await;
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(1));
    let limited = ResponseTemplate::new(429).insert_header("Retry-After", when.as_str());
    answer_once_then(
        &server,
        limited,
        ResponseTemplate::new(200).set_body_json(json!({})),
    )
    .await;
    let client = UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();

    client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert_eq!(wire::api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_503_on_a_get_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    answer_once_then(
        &server,
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_json(json!({})),
    )
    .await;
    let client = UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();

    client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert_eq!(wire::api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_500_and_an_html_page_on_a_get_are_retried_then_it_succeeds() {
    let server = MockServer::start().await;
    let notice = ResponseTemplate::new(200)
        .set_body_raw("<html><title>Service Notice</title></html>", "text/html");
    let running = ResponseTemplate::new(200).set_body_json(json!({"queryStatus": "Running"}));
    let answers = [
        (ResponseTemplate::new(500), Some(1)),
        (notice, Some(1)),
        (running, None),
    ];
    for (priority, (answer, times)) in (1u8..).zip(answers) {
        let mock = Mock::given(method("GET"))
            .respond_with(answer)
            .with_priority(priority);
        match times {
            Some(n) => mock.up_to_n_times(n).mount(&server).await,
            None => mock.mount(&server).await,
        }
    }
    let client = UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();

    let answer = client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap();

    assert_eq!(answer.body.query_status, Some(QueryStatus::Running));
    assert_eq!(wire::api_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn a_json_answer_of_the_wrong_shape_on_a_get_is_not_retried() {
    // Valid JSON that is not a results body would come back the same way.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"queryStatus": 42})))
        .expect(1)
        .mount(&server)
        .await;
    let client = UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();

    let error = client
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Decode {
                status: 200,
                not_json: false,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_post_answered_500_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let client = UsageClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();

    let error = client
        .post_usage_query(&ApiUsageOrganizationQuery::new("2024-01"))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Api { status: 500, .. }), "{error}");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_an_io_transport_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with_err(|_: &Request| std::io::Error::other("drop the connection"))
        .mount(&server)
        .await;

    let error = transport(&server)
        .post_usage_query(&ApiUsageOrganizationQuery::new("2024-01"))
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportErrorKind::Io,
                not_sent: false,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_not_sent() {
    let t = HttpTransport::builder()
        .base_url("http://127.0.0.1:1")
        .token("t")
        .build()
        .unwrap();

    let error = t
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                not_sent: true,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let t = HttpTransport::builder()
        .base_url(server.uri())
        .token("t")
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = t
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{error:?}"
    );
}

fn config_field(builder: genesys_usage::HttpTransportBuilder) -> String {
    match builder.build() {
        Err(Error::Config { field, .. }) => field,
        other => panic!("expected a config error, got {other:?}"),
    }
}

#[test]
fn plain_http_is_refused_to_remote_hosts_and_accepted_to_loopback() {
    let remote = HttpTransport::builder()
        .base_url("http://example.com")
        .token("t");
    assert_eq!(config_field(remote.clone()), "base_url");
    assert!(remote.allow_insecure_http(true).build().is_ok());
    let login = HttpTransport::builder()
        .base_url("https://api.example.com")
        .login_url("http://login.example.com")
        .token("t");
    assert_eq!(config_field(login), "login_url");
    assert!(
        HttpTransport::builder()
            .base_url("http://127.0.0.1:1")
            .token("t")
            .build()
            .is_ok()
    );
    assert!(
        UsageClient::builder()
            .base_url("http://127.0.0.1:1")
            .token("t")
            .build()
            .is_ok()
    );
}

#[test]
fn build_names_the_option_at_fault() {
    assert_eq!(config_field(HttpTransport::builder()), "auth");
    assert_eq!(
        config_field(HttpTransport::builder().base_url("::nope").token("t")),
        "base_url"
    );
    let login = HttpTransport::builder()
        .base_url("http://127.0.0.1:1")
        .login_url("nope")
        .token("t");
    assert_eq!(config_field(login), "login_url");
    let agent = HttpTransport::builder().token("t").user_agent("bad\nagent");
    assert_eq!(config_field(agent), "user_agent");
    assert_eq!(
        config_field(HttpTransport::builder().token("t").timeout(Duration::ZERO)),
        "timeout"
    );
}

#[test]
fn a_region_targets_its_api_host() {
    let t = HttpTransport::builder()
        .region(Region::EuWest1)
        .token("t")
        .build()
        .unwrap();
    assert_eq!(t.base_url(), "https://api.mypurecloud.ie/");
    let default = HttpTransport::builder().token("t").build().unwrap();
    assert_eq!(default.base_url(), "https://api.mypurecloud.com/");
}

/// `https://` to a server speaking plain HTTP: a configuration mistake, so a
/// TLS error naming the host, never retried (it used to be a connect error,
/// retried to no avail).
#[tokio::test]
async fn a_tls_handshake_with_a_plain_server_is_a_tls_error() {
    let server = MockServer::start().await;
    let https = format!("https://{}", server.address());
    let t = HttpTransport::builder()
        .base_url(https)
        .token("t")
        .build()
        .unwrap();

    let error = t
        .get_usage_query_execution_id_results("e")
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Transport {
                kind: TransportErrorKind::Tls,
                not_sent: true,
                ..
            }
        ),
        "{error:?}"
    );
    let host = server.address().to_string();
    assert!(error.to_string().contains(&host), "{error}");
    assert!(!error.is_retryable());
}
