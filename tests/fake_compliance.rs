//! The poll-compliance report from Rust: on `FakeTransport` (paused time)
//! and on `MockServer` (over HTTP), judged by the same rules.
#![cfg(feature = "fake")]

use std::time::Duration;

use genesys_usage::fake::{
    ComplianceReport, FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation,
    RetryAfterHint, Terminal,
};
use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient, UsageTransport};
use genesys_usage_mock::{Config, MockServer};

fn rate_limited_first_poll() -> FaultRule {
    FaultRule::new(Fault::RateLimited {
        retry_after: RetryAfterHint::Seconds(5),
    })
    .on(Operation::GetUsageQueryExecutionIdResults)
    .when(FaultTrigger::Nth(1))
}

#[tokio::test(start_paused = true)]
async fn the_sdk_polling_the_fake_is_compliant_and_waits_out_the_retry_after() {
    let fake = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, 2, Terminal::Complete))
        .fault(rate_limited_first_poll())
        .build();
    let client = UsageClient::with_transport(fake.clone());
    let handle = client
        .submit_usage_query(&ApiUsageOrganizationQuery::new(Interval::last_days(7)))
        .await
        .unwrap();
    let id = handle.execution_id().to_owned();
    handle.await.unwrap();

    let report: ComplianceReport = fake.compliance(&id).expect("a known execution");
    assert_eq!(report.total_429s, 1, "{report:?}");
    assert_eq!(report.retry_after[0].honoured, Some(true), "{report:?}");
    assert!(report.retry_after[0].next_poll_after_ms.unwrap() >= 5000);
    assert_eq!(report.polls_after_terminal, 0);
    assert!(report.compliant, "{report:?}");
}

#[tokio::test(start_paused = true)]
async fn hammering_the_fake_is_reported_as_too_fast_and_past_the_terminal_state() {
    let fake = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, 2, Terminal::Complete))
        .build();
    let query = ApiUsageOrganizationQuery::new(Interval::last_days(7));
    let id = fake
        .post_usage_query(&query)
        .await
        .unwrap()
        .body
        .execution_id
        .unwrap();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        fake.get_usage_query_execution_id_results(&id)
            .await
            .unwrap();
    }
    let report = fake.compliance(&id).unwrap();
    assert_eq!(report.polls, 4);
    assert_eq!(report.gaps_ms, [20, 20, 20]);
    assert_eq!(report.too_fast.len(), 2, "{report:?}");
    assert_eq!(report.polls_after_terminal, 1);
    assert_eq!(report.violations, 3);
    assert!(!report.compliant);
    assert!(fake.compliance("unknown").is_none());
}

#[tokio::test]
async fn the_mock_server_gives_the_same_report_in_rust() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials("mock-client-id", "mock-client-secret")
        .build()
        .unwrap();
    server.engine().script_next("complete".parse().unwrap());
    let handle = client
        .submit_usage_query(&ApiUsageOrganizationQuery::new(Interval::last_days(7)))
        .await
        .unwrap();
    let id = handle.execution_id().to_owned();
    server.engine().add_fault(
        FaultRule::new(Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(1),
        })
        .on(Operation::GetUsageQueryExecutionIdResults)
        .when(FaultTrigger::Nth(1)),
    );
    tokio::time::timeout(Duration::from_secs(30), handle.wait())
        .await
        .expect("the query finishes")
        .unwrap();
    let report = server.compliance(&id).expect("a known execution");
    assert_eq!(report.total_429s, 1, "{report:?}");
    assert!(report.all_honoured, "{report:?}");
    assert!(report.compliant, "the SDK's default polling: {report:?}");
    assert!(server.compliance("nope").is_none());
}
