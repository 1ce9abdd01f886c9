//! Interaction tests with mockall: the exact transport calls the client makes.
#![cfg(feature = "mock")]

use genesys_usage::{
    ApiResponse, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageRow, MockUsageTransport,
    QueryStatus, ResponseMeta, UsageClient, UsageExecutionResult, WaitPolicy,
};
use mockall::Sequence;

fn meta(status: u16) -> ResponseMeta {
    ResponseMeta {
        status,
        ..ResponseMeta::default()
    }
}

fn status_only(status: QueryStatus) -> ApiUsageQueryResult {
    ApiUsageQueryResult {
        query_status: Some(status),
        ..ApiUsageQueryResult::default()
    }
}

#[tokio::test(start_paused = true)]
async fn submit_then_two_polls_makes_exactly_one_post_and_two_gets_in_order() {
    let mut transport = MockUsageTransport::new();
    let mut seq = Sequence::new();
    transport
        .expect_post_usage_query()
        .withf(|q| q.interval == "2024-01-01/2024-01-08")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Ok(ApiResponse {
                body: UsageExecutionResult {
                    execution_id: Some("exec-1".into()),
                    results_uri: None,
                },
                meta: meta(202),
            })
        });
    transport
        .expect_get_usage_query_execution_id_results()
        .withf(|id| id == "exec-1")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Ok(ApiResponse {
                body: status_only(QueryStatus::Running),
                meta: meta(200),
            })
        });
    transport
        .expect_get_usage_query_execution_id_results()
        .withf(|id| id == "exec-1")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            let mut done = status_only(QueryStatus::Complete);
            done.results = Some(vec![ApiUsageRow {
                requests: Some(3),
                ..ApiUsageRow::default()
            }]);
            Ok(ApiResponse {
                body: done,
                meta: meta(200),
            })
        });
    transport.expect_refresh_auth().never();
    let client = UsageClient::with_transport(transport).with_wait_policy(WaitPolicy::default());

    let result = client
        .run_usage_query(&ApiUsageOrganizationQuery::new("2024-01-01/2024-01-08"))
        .await
        .unwrap();

    let rows = result.results.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].requests, Some(3));
}

#[tokio::test(start_paused = true)]
async fn a_failed_status_ends_the_wait_without_another_get() {
    let mut transport = MockUsageTransport::new();
    transport.expect_post_usage_query().times(1).returning(|_| {
        Ok(ApiResponse {
            body: UsageExecutionResult {
                execution_id: Some("exec-f".into()),
                results_uri: None,
            },
            meta: meta(202),
        })
    });
    transport
        .expect_get_usage_query_execution_id_results()
        .times(1)
        .returning(|_| {
            Ok(ApiResponse {
                body: status_only(QueryStatus::Failed),
                meta: meta(200),
            })
        });
    let client = UsageClient::with_transport(transport);

    let error = client
        .run_usage_query(&ApiUsageOrganizationQuery::new("2024-01-01/2024-01-08"))
        .await
        .unwrap_err();

    assert_eq!(error.execution_id(), Some("exec-f"));
    assert!(
        matches!(error, genesys_usage::Error::QueryFailed { ref status, .. } if status == "Failed")
    );
}
