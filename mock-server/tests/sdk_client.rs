//! The SDK's `UsageClient` over HTTP against the mock server, end to end:
//! client credentials, every query family, Retry-After and re-authentication.

mod support;

use std::time::Duration;

use genesys_usage::fake::{Fault, FaultRule, FaultTrigger, Operation, RetryAfterHint};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, Interval, OrganizationPublicApiUsageQueryRequest,
    UsageClient, WaitPolicy,
};
use genesys_usage_mock::{Config, MockServer};

async fn client_for(server: &MockServer) -> UsageClient {
    UsageClient::builder()
        .base_url(server.url())
        .client_credentials("mock-client-id", "mock-client-secret")
        .wait(WaitPolicy::fixed(
            Duration::from_millis(10),
            Duration::from_secs(20),
        ))
        .build()
        .expect("client builds")
}

fn client_id(server: &MockServer) -> String {
    server.engine().dataset().clients()[0].id.clone()
}

#[tokio::test]
async fn the_sdk_runs_every_legacy_query_against_the_server() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = client_for(&server).await;
    let interval = Interval::last_days(7);
    let org = client
        .run_usage_query(&ApiUsageOrganizationQuery::new(interval))
        .await
        .unwrap();
    assert!(!org.results.unwrap().is_empty());
    let search = client
        .run_usage_simplesearch(&ApiUsageSimpleSearch::new(interval))
        .await
        .unwrap();
    assert!(search.results.is_some());
    let id = client_id(&server);
    let by_client = client
        .run_oauth_client_usage_query(&id, &ApiUsageClientQuery::new(interval))
        .await
        .unwrap();
    assert!(by_client.results.is_some());
    let summary = client
        .run_oauth_client_usage_summary(&id, Some(7))
        .await
        .unwrap();
    assert!(summary.results.is_some());
}

#[tokio::test]
async fn the_sdk_runs_both_job_queries_against_the_server() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = client_for(&server).await;
    let interval = String::from(Interval::last_days(7));
    let org = OrganizationPublicApiUsageQueryRequest {
        interval: interval.clone(),
        ..Default::default()
    };
    let done = client.run_usage_aggregates_query_job(&org).await.unwrap();
    assert_eq!(done.query_status.as_str(), "Succeeded");
    let by_client = ClientPublicApiUsageQueryRequest {
        interval,
        ..Default::default()
    };
    let done = client
        .run_usage_client_aggregates_query_job(&client_id(&server), &by_client)
        .await
        .unwrap();
    assert_eq!(done.query_status.as_str(), "Succeeded");
}

#[tokio::test]
async fn the_sdk_honours_a_retry_after_as_the_compliance_report_shows() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = client_for(&server).await;
    let handle = client
        .submit_usage_query(&ApiUsageOrganizationQuery::new(Interval::last_days(7)))
        .await
        .unwrap();
    let id = handle.execution_id().to_owned();
    server.engine().add_fault(FaultRule {
        fault: Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(1),
        },
        operation: Some(Operation::GetUsageQueryExecutionIdResults),
        execution_id: Some(id.clone()),
        trigger: FaultTrigger::Nth(1),
    });
    handle.wait().await.unwrap();
    let report: serde_json::Value = support::http_client()
        .get(format!(
            "{}/__admin/executions/{id}/compliance",
            server.url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["total429s"], 1, "{report}");
    assert_eq!(report["allHonoured"], true, "{report}");
    assert_eq!(report["pollsAfterTerminal"], 0, "{report}");
}

#[tokio::test]
async fn the_sdk_re_authenticates_once_after_a_token_expiry() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = client_for(&server).await;
    let query = ApiUsageOrganizationQuery::new(Interval::last_days(7));
    client.post_usage_query(&query).await.unwrap();
    server
        .engine()
        .add_fault(FaultRule::new(Fault::TokenExpired).on(Operation::PostUsageQuery));
    let answer = client.post_usage_query(&query).await.unwrap();
    assert_eq!(answer.meta.status, 202);
    assert!(answer.meta.correlation_id.is_some());
}
