//! The conformance suite: one set of async checks run against every
//! transport (the in-memory fake and HTTP → mock server), so both behave the
//! same. Each check takes a [`Harness`] and panics on a mismatch.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use genesys_usage::fake::{
    Engine, ExecutionState, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, RetryAfterHint,
    Terminal,
};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, Error, Granularity, Interval, OrganizationGroupBy,
    OrganizationJobsGroupBy, OrganizationPublicApiUsageQueryRequest, PollOutcome, UsageClient,
    UsageMetric, WaitPolicy, collect_rows,
};

/// What a check needs: a client over the transport under test, and the
/// engine behind it to script lifecycles and faults.
pub(crate) trait Harness {
    /// A client whose transport reaches `engine()`.
    fn client(&self) -> UsageClient;
    /// The engine serving the client.
    fn engine(&self) -> Arc<Engine>;
}

/// Short waits: the lifecycles here count polls, so real time barely matters.
pub(crate) fn quick_wait() -> WaitPolicy {
    WaitPolicy {
        first_poll_delay: Duration::ZERO,
        initial_delay: Duration::from_millis(5),
        multiplier: 1.5,
        max_delay: Duration::from_millis(20),
        deadline: Duration::from_secs(20),
        max_polls: Some(50),
    }
}

fn last_week() -> String {
    Interval::last_days(7).to_string()
}

fn jobs_interval() -> String {
    Interval::last_days(30).to_string()
}

fn a_client_id(engine: &Engine) -> String {
    engine.dataset().clients()[0].id.clone()
}

fn api_status(error: &Error) -> Option<u16> {
    error.status()
}

pub(crate) async fn organisation_query_runs_to_complete(h: &impl Harness) {
    let client = h.client();
    let query = ApiUsageOrganizationQuery::new(last_week())
        .with_granularity(Granularity::Day)
        .with_group_by([OrganizationGroupBy::OAuthClientId]);
    let result = client
        .run_usage_query(&query)
        .await
        .expect("query completes");
    let rows = result.results.expect("complete results carry rows");
    assert!(!rows.is_empty(), "a week of synthetic usage has rows");
    for row in &rows {
        let sum = row.status200.unwrap()
            + row.status300.unwrap()
            + row.status400.unwrap()
            + row.status500.unwrap();
        assert_eq!(row.requests, Some(sum));
        assert!(row.status429.unwrap() <= row.status400.unwrap());
        assert!(
            row.date
                .as_deref()
                .is_some_and(|d| d.ends_with("T00:00:00Z"))
        );
        assert_eq!(
            row.template_uri.as_deref(),
            Some(""),
            "ungrouped dimensions are empty strings"
        );
    }
}

pub(crate) async fn the_same_query_gives_the_same_rows(h: &impl Harness) {
    let client = h.client();
    let query = ApiUsageOrganizationQuery::new("2026-01-01/2026-01-15")
        .with_group_by([OrganizationGroupBy::TemplateUri]);
    let first = client.run_usage_query(&query).await.unwrap();
    let second = client.run_usage_query(&query).await.unwrap();
    assert_eq!(first.results, second.results);
}

pub(crate) async fn a_failed_query_stops_polling_with_a_typed_error(h: &impl Harness) {
    let engine = h.engine();
    engine.script_next("running:2,failed".parse().unwrap());
    let handle = h
        .client()
        .submit_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await
        .unwrap();
    let id = handle.execution_id().to_owned();
    let error = handle.wait().await.unwrap_err();
    assert!(
        matches!(&error, Error::QueryFailed { status, .. } if status == "Failed"),
        "{error}"
    );
    assert_eq!(error.execution_id(), Some(id.as_str()));
    let info = engine.execution(&id).unwrap();
    assert_eq!(info.state, ExecutionState::Failed);
    assert_eq!(
        info.polls, 3,
        "two running polls, then the failing one, then none"
    );
}

pub(crate) async fn a_failed_job_carries_its_error_body(h: &impl Harness) {
    h.engine()
        .script_next(Lifecycle::polls(1, 1, Terminal::Failed));
    let query = OrganizationPublicApiUsageQueryRequest::new(jobs_interval());
    let error = h
        .client()
        .run_usage_aggregates_query_job(&query)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::QueryFailed { status, .. } if status == "Failed"),
        "{error}"
    );
    assert!(
        error.error_body().is_some(),
        "a failed job answers with errorBody"
    );
}

pub(crate) async fn a_cancelled_job_ends_polling(h: &impl Harness) {
    h.engine()
        .script_next(Lifecycle::polls(0, 1, Terminal::Cancelled));
    let query = OrganizationPublicApiUsageQueryRequest::new(jobs_interval());
    let error = h
        .client()
        .run_usage_aggregates_query_job(&query)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::QueryFailed { status, .. } if status == "Cancelled"),
        "{error}"
    );
}

pub(crate) async fn poll_once_reports_pending_then_complete(h: &impl Harness) {
    h.engine()
        .script_next(Lifecycle::polls(0, 1, Terminal::Complete));
    let handle = h
        .client()
        .submit_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await
        .unwrap();
    assert_eq!(
        handle.poll_once().await.unwrap(),
        PollOutcome::Pending("Running".into())
    );
    assert!(matches!(
        handle.poll_once().await.unwrap(),
        PollOutcome::Complete(_)
    ));
}

pub(crate) async fn simple_search_pages_every_row_exactly_once(h: &impl Harness) {
    let client = h.client();
    let search = ApiUsageSimpleSearch::new(last_week());
    let handle = client.submit_usage_simplesearch(&search).await.unwrap();
    let all = handle.wait_all().await.unwrap().results.unwrap();
    assert!(all.len() > 7, "enough rows to page");
    let paged = collect_rows(handle.rows(Some(7))).await.unwrap();
    assert_eq!(paged, all);
}

pub(crate) async fn client_query_and_summary_complete(h: &impl Harness) {
    let client_id = a_client_id(&h.engine());
    let client = h.client();
    let result = client
        .run_oauth_client_usage_query(&client_id, &ApiUsageClientQuery::new(last_week()))
        .await
        .unwrap();
    assert!(result.results.is_some());
    let summary = client
        .run_oauth_client_usage_summary(&client_id, Some(3))
        .await
        .unwrap();
    assert!(summary.results.is_some());
}

pub(crate) async fn organisation_jobs_page_with_next_uri(h: &impl Harness) {
    let client = h.client();
    let query = OrganizationPublicApiUsageQueryRequest::new(jobs_interval())
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationJobsGroupBy::OauthClientId,
            OrganizationJobsGroupBy::TemplateUri,
        ]);
    let handle = client
        .submit_usage_aggregates_query_job(&query)
        .await
        .unwrap();
    let first = handle.wait().await.unwrap();
    assert!(
        first.next_uri.is_some(),
        "a month grouped by client and template spans pages of 100"
    );
    let all = handle.wait_all().await.unwrap().entities.unwrap();
    let paged = collect_rows(handle.rows(Some(33))).await.unwrap();
    assert_eq!(paged, all);
    assert!(
        all.iter()
            .all(|r| r.date.as_deref().is_some_and(|d| d.len() == 10))
    );
}

pub(crate) async fn client_jobs_complete_with_organisation_rows(h: &impl Harness) {
    let client_id = a_client_id(&h.engine());
    let query = ClientPublicApiUsageQueryRequest::new(jobs_interval())
        .with_metrics([UsageMetric::Requests]);
    let result = h
        .client()
        .run_usage_client_aggregates_query_job(&client_id, &query)
        .await
        .unwrap();
    let rows = result.entities.unwrap_or_default();
    assert!(
        rows.iter()
            .all(|r| r.request_count.is_some() && r.status200.is_none())
    );
}

pub(crate) async fn a_bad_interval_is_a_400_naming_the_field(h: &impl Harness) {
    let error = h
        .client()
        .run_usage_query(&ApiUsageOrganizationQuery::new("2024-02-01/2024-01-01"))
        .await
        .unwrap_err();
    assert_eq!(api_status(&error), Some(400), "{error}");
    let body = error.error_body().expect("an ErrorBody");
    assert_eq!(body.code.as_deref(), Some("bad.request"));
    assert!(body.field_names().any(|f| f == "interval"));
    assert!(
        h.engine().executions().is_empty(),
        "a rejected query creates no execution"
    );
}

pub(crate) async fn an_unknown_group_by_is_a_400_naming_the_field(h: &impl Harness) {
    let query = ApiUsageOrganizationQuery::new(last_week())
        .with_group_by([OrganizationGroupBy::from("TemplateURI")]);
    let error = h.client().run_usage_query(&query).await.unwrap_err();
    assert_eq!(api_status(&error), Some(400));
    assert!(
        error
            .error_body()
            .unwrap()
            .field_names()
            .any(|f| f == "groupBy")
    );
}

pub(crate) async fn a_jobs_interval_over_90_days_is_refused(h: &impl Harness) {
    let query = OrganizationPublicApiUsageQueryRequest::new(Interval::last_days(120).to_string());
    let error = h
        .client()
        .run_usage_aggregates_query_job(&query)
        .await
        .unwrap_err();
    assert_eq!(api_status(&error), Some(400));
    assert!(
        error
            .error_body()
            .unwrap()
            .field_names()
            .any(|f| f == "interval")
    );
}

pub(crate) async fn an_unknown_execution_id_is_a_404(h: &impl Harness) {
    let error = h
        .client()
        .resume_usage_query("no-such-execution")
        .wait()
        .await
        .unwrap_err();
    assert_eq!(api_status(&error), Some(404));
    let body = error.error_body().unwrap();
    assert_eq!(body.code.as_deref(), Some("not.found"));
    assert!(
        body.message
            .as_deref()
            .unwrap_or_default()
            .contains("no-such-execution")
    );
}

pub(crate) async fn a_503_on_a_poll_is_retried(h: &impl Harness) {
    let engine = h.engine();
    engine.add_fault(FaultRule {
        fault: Fault::ServerError { status: 503 },
        operation: Some(Operation::GetUsageQueryExecutionIdResults),
        execution_id: None,
        trigger: FaultTrigger::Nth(1),
    });
    let client = h.client().with_retry_policy(genesys_usage::RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        ..genesys_usage::RetryPolicy::default()
    });
    let result = client
        .run_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await;
    assert!(result.is_ok(), "{result:?}");
}

pub(crate) async fn a_429_on_a_poll_waits_and_succeeds(h: &impl Harness) {
    h.engine().add_fault(FaultRule {
        fault: Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(1),
        },
        operation: Some(Operation::GetUsageQueryExecutionIdResults),
        execution_id: None,
        trigger: FaultTrigger::Nth(1),
    });
    let result = h
        .client()
        .run_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await;
    assert!(result.is_ok(), "{result:?}");
}

pub(crate) async fn a_post_answered_500_is_not_sent_again(h: &impl Harness) {
    let engine = h.engine();
    engine.add_fault(FaultRule {
        fault: Fault::ServerError { status: 500 },
        operation: Some(Operation::PostUsageQuery),
        execution_id: None,
        trigger: FaultTrigger::Next(1),
    });
    let error = h
        .client()
        .run_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await
        .unwrap_err();
    assert_eq!(api_status(&error), Some(500));
    // Had the client sent the POST again, the second one would have created an execution.
    assert!(engine.executions().is_empty());
}

pub(crate) async fn an_expired_token_is_refreshed_once(h: &impl Harness) {
    h.engine().add_fault(FaultRule {
        fault: Fault::TokenExpired,
        operation: Some(Operation::GetUsageQueryExecutionIdResults),
        execution_id: None,
        trigger: FaultTrigger::Nth(1),
    });
    let result = h
        .client()
        .run_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await;
    assert!(result.is_ok(), "{result:?}");
}

pub(crate) async fn a_forced_state_is_seen_by_the_next_poll(h: &impl Harness) {
    let engine = h.engine();
    engine.script_next("running:manual,complete".parse().unwrap());
    let handle = h
        .client()
        .submit_usage_query(&ApiUsageOrganizationQuery::new(last_week()))
        .await
        .unwrap();
    assert!(matches!(
        handle.poll_once().await.unwrap(),
        PollOutcome::Pending(_)
    ));
    engine
        .force_state(handle.execution_id(), ExecutionState::Complete)
        .unwrap();
    assert!(matches!(
        handle.poll_once().await.unwrap(),
        PollOutcome::Complete(_)
    ));
}

/// Generates one `#[tokio::test]` per check for a harness constructor;
/// `$flavor` is the parenthesised argument list of `tokio::test`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr, $flavor:tt) => {
        $crate::conformance_tests!(@each $make, $flavor,
            organisation_query_runs_to_complete,
            the_same_query_gives_the_same_rows,
            a_failed_query_stops_polling_with_a_typed_error,
            a_failed_job_carries_its_error_body,
            a_cancelled_job_ends_polling,
            poll_once_reports_pending_then_complete,
            simple_search_pages_every_row_exactly_once,
            client_query_and_summary_complete,
            organisation_jobs_page_with_next_uri,
            client_jobs_complete_with_organisation_rows,
            a_bad_interval_is_a_400_naming_the_field,
            an_unknown_group_by_is_a_400_naming_the_field,
            a_jobs_interval_over_90_days_is_refused,
            an_unknown_execution_id_is_a_404,
            a_503_on_a_poll_is_retried,
            a_429_on_a_poll_waits_and_succeeds,
            a_post_answered_500_is_not_sent_again,
            an_expired_token_is_refreshed_once,
            a_forced_state_is_seen_by_the_next_poll,
        );
    };
    (@each $make:expr, $flavor:tt, $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test $flavor]
            async fn $name() {
                let harness = $make.await;
                conformance::$name(&harness).await;
            }
        )+
    };
}
