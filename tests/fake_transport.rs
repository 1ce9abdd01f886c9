//! `FakeTransport` through the `UsageTransport` contract: lifecycles and wire
//! statuses per family, duration lifecycles on paused time, retention,
//! validation, the lifecycle grammar, every fault kind and the call record.
#![cfg(feature = "fake")]

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use genesys_usage::fake::{
    CallOutcome, Clock, ExecutionState, FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle,
    Operation, QueryKind, RetryAfterHint, Terminal,
};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch, ClientJobsGroupBy,
    ClientPublicApiUsageQueryRequest, Error, Granularity, HttpMethod, JobStatus,
    OrganizationGroupBy, OrganizationPublicApiUsageQueryRequest, PageRequest, QueryStatus,
    SortOrder, TransportErrorKind, UsageMetric, UsageTransport,
};

const CLIENT_CREDS: &str = "7de3af06-c0b3-4f9b-af45-72f4a14037cc";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap()
}

fn fake() -> FakeTransport {
    FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .build()
}

fn org_query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08").with_granularity(Granularity::Day)
}

fn jobs_query() -> OrganizationPublicApiUsageQueryRequest {
    OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08")
}

async fn submit_org(fake: &FakeTransport) -> String {
    fake.post_usage_query(&org_query())
        .await
        .unwrap()
        .body
        .execution_id
        .unwrap()
}

async fn submit_job(fake: &FakeTransport) -> String {
    fake.post_usage_aggregates_query_jobs(&jobs_query())
        .await
        .unwrap()
        .body
        .id
}

fn fields(err: &Error) -> Vec<String> {
    err.error_body()
        .map(|b| b.field_names().map(str::to_owned).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn legacy_query_completes_on_the_third_poll_with_http_200_throughout() {
    let fake = fake();
    let submitted = fake.post_usage_query(&org_query()).await.unwrap();
    assert_eq!(submitted.meta.status, 202);
    let id = submitted.body.execution_id.unwrap();
    assert_eq!(
        submitted.body.results_uri.unwrap(),
        format!("/api/v2/usage/query/{id}/results")
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        let answer = fake
            .get_usage_query_execution_id_results(&id)
            .await
            .unwrap();
        assert_eq!(answer.meta.status, 200);
        seen.push((
            answer.body.query_status.unwrap(),
            answer.body.results.is_some(),
        ));
    }
    use QueryStatus::*;
    assert_eq!(seen, [(Running, false), (Running, false), (Complete, true)]);
}

#[tokio::test]
async fn legacy_rows_blank_ungrouped_dimensions_and_date_the_bucket_start() {
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .lifecycle(Lifecycle::immediate())
        .build();
    let query = org_query()
        .with_group_by([OrganizationGroupBy::TemplateUri])
        .with_metrics([UsageMetric::Requests]);
    let id = fake
        .post_usage_query(&query)
        .await
        .unwrap()
        .body
        .execution_id
        .unwrap();
    let rows = fake
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap()
        .body
        .results
        .unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row.client_id.as_deref(), Some(""));
        assert_eq!(row.user_id.as_deref(), Some(""));
        assert!(!row.template_uri.as_deref().unwrap().starts_with('/'));
        assert!(row.requests.is_some() && row.status200.is_none());
        let date = row.date.as_deref().unwrap();
        assert!(
            date.starts_with("2025-06-0") && date.ends_with("T00:00:00Z"),
            "{date}"
        );
    }
}

#[tokio::test]
async fn simple_search_scripted_to_fail_ends_failed_with_http_200() {
    let fake = fake();
    fake.engine()
        .script_next("running:1,failed".parse().unwrap());
    let id = fake
        .post_usage_simplesearch(&ApiUsageSimpleSearch::new("2025-06-01/2025-06-02"))
        .await
        .unwrap()
        .body
        .execution_id
        .unwrap();
    let page = PageRequest::first();
    let first = fake
        .get_usage_simplesearch_execution_id_results(&id, &page)
        .await
        .unwrap();
    assert_eq!(first.body.query_status, Some(QueryStatus::Running));
    let second = fake
        .get_usage_simplesearch_execution_id_results(&id, &page)
        .await
        .unwrap();
    assert_eq!(
        (second.meta.status, second.body.query_status),
        (200, Some(QueryStatus::Failed))
    );
    assert!(second.body.results.is_none());
}

#[tokio::test]
async fn legacy_cancelled_lifecycle_ends_failed() {
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .lifecycle(Lifecycle::terminal(Terminal::Cancelled))
        .build();
    let id = submit_org(&fake).await;
    let answer = fake
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap();
    assert_eq!(answer.body.query_status, Some(QueryStatus::Failed));
}

#[tokio::test]
async fn client_query_and_summary_are_polled_through_l6_of_their_client_only() {
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .lifecycle(Lifecycle::immediate())
        .build();
    let query = ApiUsageClientQuery::new("2025-06-01/2025-06-03");
    let l5 = fake
        .post_oauth_client_usage_query(CLIENT_CREDS, &query)
        .await
        .unwrap()
        .body;
    let l7 = fake
        .get_oauth_client_usage_summary(CLIENT_CREDS, Some(3))
        .await
        .unwrap();
    assert_eq!(l7.meta.status, 202);
    let l7 = l7.body;
    assert!(l7.results_uri.unwrap().starts_with(&format!(
        "/api/v2/oauth/clients/{CLIENT_CREDS}/usage/query/results/"
    )));
    for id in [l5.execution_id.unwrap(), l7.execution_id.unwrap()] {
        let rows = fake
            .get_oauth_client_usage_query_result(CLIENT_CREDS, &id)
            .await
            .unwrap()
            .body
            .results
            .unwrap();
        assert!(
            rows.iter()
                .all(|r| r.client_id.as_deref() == Some(CLIENT_CREDS))
        );
        let other = fake
            .get_oauth_client_usage_query_result("someone-else", &id)
            .await
            .unwrap_err();
        assert_eq!(other.status(), Some(404));
        let wrong_family = fake
            .get_usage_query_execution_id_results(&id)
            .await
            .unwrap_err();
        assert_eq!(wrong_family.status(), Some(404));
    }
}

#[tokio::test]
async fn jobs_go_queued_running_succeeded_with_202_202_200() {
    let fake = fake();
    let created = fake
        .post_usage_aggregates_query_jobs(&jobs_query())
        .await
        .unwrap();
    assert_eq!(created.meta.status, 202);
    let id = created.body.id;
    assert_eq!(
        created.body.self_uri.unwrap(),
        format!("/api/v2/usage/aggregates/query/jobs/{id}")
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        let answer = fake
            .get_usage_aggregates_query_job(&id, &PageRequest::first())
            .await
            .unwrap();
        seen.push((
            answer.body.query_status.clone(),
            answer.meta.status,
            answer.body.entities.is_some(),
        ));
    }
    use JobStatus::*;
    assert_eq!(
        seen,
        [
            (Queued, 202, false),
            (Running, 202, false),
            (Succeeded, 200, true)
        ]
    );
}

#[tokio::test]
async fn failed_and_cancelled_jobs_answer_202_failed_with_an_error_body() {
    let fake = fake();
    fake.engine()
        .script_kind(QueryKind::ClientJobs, "cancelled".parse().unwrap());
    fake.engine().script_next("failed".parse().unwrap());
    let failed = submit_job(&fake).await;
    let answer = fake
        .get_usage_aggregates_query_job(&failed, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(
        (answer.meta.status, answer.body.query_status),
        (202, JobStatus::Failed)
    );
    assert!(answer.body.error_body.is_some());
    let query = ClientPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08");
    let job = fake
        .post_usage_client_aggregates_query_jobs(CLIENT_CREDS, &query)
        .await
        .unwrap()
        .body
        .id;
    let answer = fake
        .get_usage_client_aggregates_query_job(CLIENT_CREDS, &job, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(
        (answer.meta.status, answer.body.query_status),
        (202, JobStatus::Cancelled)
    );
}

#[tokio::test]
async fn client_jobs_rows_carry_the_organization_only_when_grouped_on_it() {
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .lifecycle(Lifecycle::immediate())
        .build();
    let partner_hub = fake
        .engine()
        .dataset()
        .client_by_name("Partner Integration Hub")
        .unwrap();
    let query = ClientPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08")
        .with_group_by([ClientJobsGroupBy::OrganizationId])
        .with_sort_by("requestCount", SortOrder::Desc);
    let job = fake
        .post_usage_client_aggregates_query_jobs(&partner_hub.id, &query)
        .await
        .unwrap()
        .body
        .id;
    let rows = fake
        .get_usage_client_aggregates_query_job(&partner_hub.id, &job, &PageRequest::first())
        .await
        .unwrap()
        .body
        .entities
        .unwrap();
    assert!(rows.len() > 1, "the hub serves several organisations");
    assert!(
        rows.iter()
            .all(|r| r.organization_id.is_some() && r.template_uri.is_none() && r.date.is_none())
    );
    assert!(
        rows.windows(2)
            .all(|w| w[0].request_count >= w[1].request_count)
    );
}

#[tokio::test(start_paused = true)]
async fn duration_lifecycle_follows_paused_tokio_time() {
    let fake = FakeTransport::builder()
        .clock(Clock::starting_at(now()))
        .lifecycle("pending:1,running:5s,complete".parse().unwrap())
        .build();
    let id = submit_job(&fake).await;
    let poll = || async {
        fake.get_usage_aggregates_query_job(&id, &PageRequest::first())
            .await
            .unwrap()
            .body
            .query_status
    };
    assert_eq!(poll().await, JobStatus::Queued);
    assert_eq!(poll().await, JobStatus::Running);
    tokio::time::advance(Duration::from_secs(4)).await;
    assert_eq!(poll().await, JobStatus::Running);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(poll().await, JobStatus::Succeeded);
}

#[tokio::test(start_paused = true)]
async fn executions_answer_404_naming_the_id_once_retention_has_passed() {
    let fake = FakeTransport::builder()
        .clock(Clock::starting_at(now()))
        .lifecycle(Lifecycle::immediate())
        .retention(Duration::from_secs(60))
        .build();
    let id = submit_org(&fake).await;
    assert!(fake.get_usage_query_execution_id_results(&id).await.is_ok());
    tokio::time::advance(Duration::from_secs(59)).await;
    assert!(fake.get_usage_query_execution_id_results(&id).await.is_ok());
    tokio::time::advance(Duration::from_secs(1)).await;
    let err = fake
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap_err();
    let body = err.error_body().unwrap();
    assert_eq!(
        (err.status(), body.code.as_deref()),
        (Some(404), Some("not.found"))
    );
    assert!(body.message.as_deref().unwrap().contains(&id));
    assert!(fake.engine().execution(&id).is_none());
}

#[tokio::test]
async fn validation_errors_are_400_bad_request_naming_the_field() {
    let fake = fake();
    let bad_interval = fake
        .post_usage_query(&ApiUsageOrganizationQuery::new("2025-06-08/2025-06-01"))
        .await
        .unwrap_err();
    assert_eq!(
        (bad_interval.status(), fields(&bad_interval)),
        (Some(400), vec!["interval".to_owned()])
    );
    assert_eq!(
        bad_interval.error_body().unwrap().code.as_deref(),
        Some("bad.request")
    );
    let group = org_query().with_group_by([OrganizationGroupBy::from_wire("TemplateURI")]);
    assert_eq!(
        fields(&fake.post_usage_query(&group).await.unwrap_err()),
        ["groupBy"]
    );
    let metric = org_query().with_metrics([UsageMetric::from_wire("Status418")]);
    assert_eq!(
        fields(&fake.post_usage_query(&metric).await.unwrap_err()),
        ["metrics"]
    );
    let trace = jobs_query().with_http_methods([HttpMethod::Trace]);
    assert_eq!(
        fields(
            &fake
                .post_usage_aggregates_query_jobs(&trace)
                .await
                .unwrap_err()
        ),
        ["httpMethods"]
    );
    let sort = jobs_query().with_sort_by("colour", SortOrder::Asc);
    assert_eq!(
        fields(
            &fake
                .post_usage_aggregates_query_jobs(&sort)
                .await
                .unwrap_err()
        ),
        ["sortBy"]
    );
    let too_old = OrganizationPublicApiUsageQueryRequest::new("2024-05-01/2024-05-08");
    assert_eq!(
        fields(
            &fake
                .post_usage_aggregates_query_jobs(&too_old)
                .await
                .unwrap_err()
        ),
        ["interval"]
    );
    let too_long = OrganizationPublicApiUsageQueryRequest::new("2025-01-01/2025-06-01");
    assert_eq!(
        fields(
            &fake
                .post_usage_aggregates_query_jobs(&too_long)
                .await
                .unwrap_err()
        ),
        ["interval"]
    );
    let days = fake
        .get_oauth_client_usage_summary(CLIENT_CREDS, Some(0))
        .await
        .unwrap_err();
    assert_eq!(fields(&days), ["days"]);
    assert!(
        fake.engine().executions().is_empty(),
        "a refused request creates nothing"
    );
}

#[tokio::test]
async fn bad_page_size_and_cursor_are_400_naming_the_parameter() {
    let fake = fake();
    let id = submit_job(&fake).await;
    let size = fake
        .get_usage_aggregates_query_job(&id, &PageRequest::with_page_size(1001))
        .await
        .unwrap_err();
    assert_eq!(fields(&size), ["pageSize"]);
    let cursor = fake
        .get_usage_aggregates_query_job(&id, &PageRequest::first().after("bogus"))
        .await
        .unwrap_err();
    assert_eq!(fields(&cursor), ["after"]);
}

#[tokio::test]
async fn empty_path_parameters_are_refused_before_sending() {
    let fake = fake();
    let err = fake
        .post_oauth_client_usage_query("", &ApiUsageClientQuery::new("2025-06-01/2025-06-02"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidRequest { ref field, .. } if field == "clientId"),
        "{err}"
    );
    assert_eq!(fake.calls()[0].outcome, CallOutcome::Refused);
    let engine_side = fake
        .engine()
        .post_oauth_client_usage_query("", &ApiUsageClientQuery::new("2025-06-01/2025-06-02"), None)
        .unwrap_err();
    assert_eq!(
        (
            engine_side.status,
            engine_side.body.field_names().collect::<Vec<_>>()
        ),
        (400, vec!["clientId"])
    );
}

#[test]
fn lifecycle_grammar_round_trips_and_explains_errors() {
    for text in [
        "complete",
        "running:3,complete",
        "running:2,failed",
        "pending:1,running:5s,complete",
        "pending:manual,cancelled",
        "running:250ms,running:2m,running:1h,complete",
    ] {
        let parsed: Lifecycle = text.parse().unwrap();
        assert_eq!(parsed.to_string(), text);
        assert_eq!(parsed.to_string().parse::<Lifecycle>().unwrap(), parsed);
    }
    assert_eq!(
        "after:5s".parse::<Lifecycle>().unwrap().to_string(),
        "running:5s,complete"
    );
    assert_eq!(
        Lifecycle::default().to_string(),
        "pending:1,running:1,complete"
    );
    for (text, needle) in [
        ("running:3", "terminal"),
        ("done", "terminal"),
        ("walking:1,complete", "phase"),
        ("running:3x,complete", "duration"),
        ("", "empty"),
    ] {
        let err = text.parse::<Lifecycle>().unwrap_err().to_string();
        assert!(err.contains(needle), "{text:?}: {err}");
    }
}

#[tokio::test]
async fn rate_limited_fault_gives_retry_after_and_a_matching_correlation_id() {
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .fault(
            FaultRule::new(Fault::RateLimited {
                retry_after: RetryAfterHint::Seconds(30),
            })
            .on(Operation::PostUsageQuery),
        )
        .build();
    let err = fake.post_usage_query(&org_query()).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    let body = err.error_body().unwrap();
    assert_eq!(body.code.as_deref(), Some("too.many.requests.retry.after"));
    assert_eq!(body.context_id.as_deref(), err.correlation_id());
    assert!(
        fake.engine().executions().is_empty(),
        "a rate-limited submit is not processed"
    );
    assert!(
        fake.post_usage_query(&org_query()).await.is_ok(),
        "the rule fires once"
    );
}

#[tokio::test]
async fn server_error_and_token_expired_faults_give_api_and_unauthorized_errors() {
    let fake = fake();
    let id = submit_org(&fake).await;
    fake.engine()
        .add_fault(FaultRule::new(Fault::ServerError { status: 503 }).for_execution(id.clone()));
    let err = fake
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { status: 503, .. }) && err.is_retryable(),
        "{err}"
    );
    fake.engine().add_fault(FaultRule::new(Fault::TokenExpired));
    let err = fake
        .get_usage_query_execution_id_results(&id)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unauthorized {
                status: Some(401),
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        fake.engine().execution(&id).unwrap().polls,
        0,
        "faulted polls are not processed"
    );
}

#[tokio::test]
async fn unknown_status_fault_replaces_the_query_status() {
    let fake = fake();
    let id = submit_job(&fake).await;
    let rule = FaultRule::new(Fault::UnknownStatus {
        status: "Paused".into(),
    })
    .on(Operation::GetUsageAggregatesQueryJob);
    fake.engine().add_fault(rule);
    let answer = fake
        .get_usage_aggregates_query_job(&id, &PageRequest::first())
        .await
        .unwrap();
    assert_eq!(
        answer.body.query_status,
        JobStatus::Unknown("Paused".into())
    );
    assert_eq!(fake.engine().execution(&id).unwrap().polls, 1);
}

#[tokio::test(start_paused = true)]
async fn latency_fault_delays_the_answer_on_the_tokio_clock() {
    let fake = FakeTransport::builder()
        .clock(Clock::starting_at(now()))
        .build();
    fake.engine().add_fault(FaultRule::new(Fault::Latency {
        delay: Duration::from_secs(3),
    }));
    let before = fake.engine().clock().now();
    assert!(fake.post_usage_query(&org_query()).await.is_ok());
    assert!(fake.engine().clock().now() - before >= chrono::Duration::seconds(3));
}

#[tokio::test(start_paused = true)]
async fn http_level_faults_map_to_transport_and_decode_errors_after_processing() {
    let fake = FakeTransport::builder()
        .clock(Clock::starting_at(now()))
        .build();
    let cases = [
        (Fault::ConnectionReset, "transport io"),
        (Fault::TruncatedBody, "transport io"),
        (Fault::MalformedJson, "decode"),
        (Fault::WrongContentType, "decode"),
        (
            Fault::SlowBody {
                delay: Duration::from_secs(60),
            },
            "transport timeout",
        ),
    ];
    for (i, (fault, expected)) in cases.into_iter().enumerate() {
        fake.engine()
            .add_fault(FaultRule::new(fault.clone()).on(Operation::PostUsageQuery));
        let err = fake.post_usage_query(&org_query()).await.unwrap_err();
        let kind = match &err {
            Error::Transport {
                kind: TransportErrorKind::Io,
                ..
            } => "transport io",
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            } => "transport timeout",
            Error::Decode { status: 202, .. } => "decode",
            other => panic!("{fault:?} gave {other}"),
        };
        assert_eq!(kind, expected, "{fault:?}");
        assert_eq!(
            fake.engine().executions().len(),
            i + 1,
            "{fault:?}: the submit was processed"
        );
    }
}

#[tokio::test]
async fn nth_trigger_hits_only_the_nth_matching_call() {
    let fake = fake();
    let rule = FaultRule::new(Fault::ServerError { status: 500 })
        .on(Operation::PostUsageAggregatesQueryJobs)
        .when(FaultTrigger::Nth(2));
    fake.engine().add_fault(rule);
    let mut results = Vec::new();
    for _ in 0..3 {
        results.push(
            fake.post_usage_aggregates_query_jobs(&jobs_query())
                .await
                .is_ok(),
        );
    }
    assert_eq!(results, [true, false, true]);
}

#[tokio::test]
async fn call_record_names_operation_ids_page_outcome_and_time() {
    let fake = fake();
    let id = submit_job(&fake).await;
    let page = PageRequest::with_page_size(5);
    fake.get_usage_aggregates_query_job(&id, &page)
        .await
        .unwrap();
    fake.get_usage_aggregates_query_job("nope", &page)
        .await
        .unwrap_err();
    assert!(fake.refresh_auth().await.unwrap());
    let calls = fake.calls();
    assert_eq!(calls.len(), 4);
    assert_eq!(
        (
            calls[0].operation,
            calls[0].execution_id.as_deref(),
            calls[0].outcome
        ),
        (
            Operation::PostUsageAggregatesQueryJobs,
            Some(id.as_str()),
            CallOutcome::Status(202)
        )
    );
    assert_eq!(
        (calls[1].page.as_ref(), calls[1].status()),
        (Some(&page), Some(202))
    );
    assert_eq!(
        (calls[2].execution_id.as_deref(), calls[2].outcome),
        (Some("nope"), CallOutcome::Status(404))
    );
    assert_eq!(
        (calls[3].operation, calls[3].outcome),
        (Operation::Token, CallOutcome::Status(200))
    );
    assert!(calls.iter().all(|c| c.at == now() && c.fault.is_none()));
    assert_eq!(
        fake.engine().execution(&id).unwrap().state,
        ExecutionState::Pending
    );
}

#[tokio::test(start_paused = true)]
async fn builder_latency_delays_every_call() {
    let fake = FakeTransport::builder()
        .clock(Clock::starting_at(now()))
        .latency(Duration::from_millis(1500))
        .build();
    let before = fake.engine().clock().now();
    submit_org(&fake).await;
    submit_job(&fake).await;
    assert!(fake.engine().clock().now() - before >= chrono::Duration::milliseconds(3000));
    assert_eq!(
        fake.calls()[1].at - fake.calls()[0].at,
        chrono::Duration::milliseconds(1500)
    );
}

#[tokio::test]
async fn refresh_auth_is_refused_by_a_token_fault() {
    let fake = fake();
    fake.engine()
        .add_fault(FaultRule::new(Fault::TokenExpired).on(Operation::Token));
    let err = fake.refresh_auth().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err}");
    assert!(fake.refresh_auth().await.unwrap());
    let tokens = fake.calls_of(Operation::Token);
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0].fault, Some(Fault::TokenExpired));
    assert_eq!(tokens[0].outcome, CallOutcome::Status(401));
}
