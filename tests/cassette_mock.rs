//! `genesys-usage-mock --replay` serving a cassette the SDK recorded:
//! the same rows through HTTP, a fresh execution per submit replaying the
//! recorded poll sequence (429s and `Retry-After`s in place), and a
//! Genesys-shaped error, journalled as unmatched, for a request no
//! recording matches.
#![cfg(feature = "cassette")]

use std::time::Duration;

use chrono::{TimeZone, Utc};
use genesys_usage::cassette::{Cassette, RecordingTransport};
use genesys_usage::fake::{
    Clock, FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, RetryAfterHint,
    Terminal,
};
use genesys_usage::{
    ApiUsageOrganizationQuery, Error, OrganizationJobsGroupBy,
    OrganizationPublicApiUsageQueryRequest, PageRequest, RetryPolicy, UsageClient, UsageTransport,
    WaitPolicy,
};
use genesys_usage_mock::{Config, MockServer};

fn fake(lifecycle: Lifecycle) -> genesys_usage::fake::FakeTransportBuilder {
    FakeTransport::builder()
        .clock(Clock::frozen_at(
            Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap(),
        ))
        .lifecycle(lifecycle)
}

fn org_query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08")
}

fn jobs_query() -> OrganizationPublicApiUsageQueryRequest {
    OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-08")
        .with_group_by([OrganizationJobsGroupBy::OauthClientId])
}

fn polls() -> WaitPolicy {
    WaitPolicy::fixed(Duration::from_millis(10), Duration::from_secs(30))
}

async fn replaying(cassette: Cassette) -> MockServer {
    let config = Config {
        replay: Some(cassette),
        min_poll_interval: Duration::ZERO,
        ..Config::default()
    };
    MockServer::start(config).await.unwrap()
}

/// A client of `server` with credentials the recording never saw.
fn client_of(server: &MockServer) -> UsageClient {
    UsageClient::builder()
        .base_url(server.url())
        .client_credentials("any-client", "any-secret")
        .retry(RetryPolicy::none())
        .wait(polls())
        .build()
        .unwrap()
}

fn http_of(server: &MockServer) -> genesys_usage::HttpTransport {
    genesys_usage::HttpTransport::builder()
        .base_url(server.url())
        .client_credentials("any-client", "any-secret")
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_sdk_recording_replays_through_the_mock_server() {
    let recorder =
        RecordingTransport::new(fake(Lifecycle::polls(0, 2, Terminal::Complete)).build());
    let sdk = UsageClient::with_transport(recorder.clone()).with_wait_policy(polls());
    let recorded = sdk.run_usage_query(&org_query()).await.unwrap();
    let handle = sdk
        .submit_usage_aggregates_query_job(&jobs_query())
        .await
        .unwrap();
    let recorded_id = handle.execution_id().to_owned();
    handle.wait().await.unwrap();
    let recorded_rows = genesys_usage::collect_rows(handle.rows(Some(2)))
        .await
        .unwrap();
    assert!(recorded_rows.len() > 2, "several pages were recorded");

    let server = replaying(recorder.cassette()).await;
    let client = client_of(&server);
    let replayed = client.run_usage_query(&org_query()).await.unwrap();
    assert_eq!(replayed, recorded);
    let handle = client
        .submit_usage_aggregates_query_job(&jobs_query())
        .await
        .unwrap();
    assert_ne!(handle.execution_id(), recorded_id, "a fresh id per submit");
    handle.wait().await.unwrap();
    let rows = genesys_usage::collect_rows(handle.rows(Some(2)))
        .await
        .unwrap();
    assert_eq!(rows, recorded_rows);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_new_submit_replays_running_running_complete_in_order() {
    let recorder =
        RecordingTransport::new(fake(Lifecycle::polls(0, 2, Terminal::Complete)).build());
    let id = recorder.post_usage_query(&org_query()).await.unwrap();
    let id = id.body.execution_id.unwrap();
    for _ in 0..3 {
        recorder
            .get_usage_query_execution_id_results(&id)
            .await
            .unwrap();
    }
    let server = replaying(recorder.cassette()).await;
    let http = http_of(&server);

    let mut ids = Vec::new();
    for _ in 0..2 {
        let submitted = http.post_usage_query(&org_query()).await.unwrap();
        let fresh = submitted.body.execution_id.unwrap();
        assert!(submitted.body.results_uri.unwrap().contains(&fresh));
        ids.push(fresh);
    }
    assert_ne!(ids[0], ids[1]);
    // Interleaved polls of the two fresh executions, each in recorded order.
    let mut seen = [Vec::new(), Vec::new()];
    for _ in 0..4 {
        for (n, id) in ids.iter().enumerate() {
            let poll = http.get_usage_query_execution_id_results(id).await.unwrap();
            seen[n].push(poll.body.query_status.unwrap().to_string());
        }
    }
    for statuses in seen {
        assert_eq!(statuses, ["Running", "Running", "Complete", "Complete"]);
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_recorded_429_comes_back_at_its_position_with_its_retry_after() {
    let fake = fake(Lifecycle::polls(0, 2, Terminal::Complete))
        .fault(
            FaultRule::new(Fault::RateLimited {
                retry_after: RetryAfterHint::Seconds(1),
            })
            .on(Operation::GetUsageQueryExecutionIdResults)
            .when(FaultTrigger::Nth(2)),
        )
        .build();
    let recorder = RecordingTransport::new(fake);
    let id = recorder.post_usage_query(&org_query()).await.unwrap();
    let id = id.body.execution_id.unwrap();
    let mut recorded = Vec::new();
    for _ in 0..4 {
        let poll = recorder.get_usage_query_execution_id_results(&id).await;
        recorded.push(
            poll.map(|p| p.meta.status)
                .unwrap_or_else(|e| e.status().unwrap()),
        );
    }
    assert_eq!(recorded, [200, 429, 200, 200]);

    let server = replaying(recorder.cassette()).await;
    let http = http_of(&server);
    let fresh = http.post_usage_query(&org_query()).await.unwrap();
    let fresh = fresh.body.execution_id.unwrap();
    let mut replayed = Vec::new();
    for _ in 0..4 {
        match http.get_usage_query_execution_id_results(&fresh).await {
            Ok(poll) => replayed.push(poll.meta.status),
            Err(error) => {
                assert_eq!(error.retry_after(), Some(Duration::from_secs(1)), "{error}");
                replayed.push(error.status().unwrap());
            }
        }
    }
    assert_eq!(replayed, recorded);

    // Through the client, which waits the Retry-After out: the mock's
    // compliance report sees the replayed 429 as honoured.
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials("any-client", "any-secret")
        .wait(polls())
        .build()
        .unwrap();
    let handle = client.submit_usage_query(&org_query()).await.unwrap();
    let id = handle.execution_id().to_owned();
    handle.wait().await.unwrap();
    let report: serde_json::Value = reqwest::get(format!(
        "{}/__admin/executions/{id}/compliance",
        server.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(report["total429s"], 1, "{report}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_request_no_recording_matches_gets_an_error_body_and_is_journalled() {
    let recorder = RecordingTransport::new(fake(Lifecycle::immediate()).build());
    recorder.post_usage_query(&org_query()).await.unwrap();
    let server = replaying(recorder.cassette()).await;
    let http = http_of(&server);

    let other = ApiUsageOrganizationQuery::new("2025-06-02/2025-06-08");
    let err = http.post_usage_query(&other).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    let message = err.error_body().and_then(|b| b.message.clone()).unwrap();
    assert!(
        message.contains(
            r#"body.interval: recorded "2025-06-01/2025-06-08", requested "2025-06-02/2025-06-08""#
        ),
        "{message}"
    );
    let err = http
        .get_usage_query_execution_id_results("never-started")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    let err = http
        .get_usage_aggregates_query_job("never-started", &PageRequest::first())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err}");

    let journal: serde_json::Value = reqwest::get(format!("{}/__admin/journal", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = journal.to_string();
    assert!(text.contains("\"unmatched\""), "{text}");
    assert!(
        text.contains("the nearest, exchanges[0], differs in body.interval"),
        "{text}"
    );
    server.shutdown().await.unwrap();
}
