//! Per-call overrides: a timeout, a retry policy and a wait policy for one
//! call (`with_options`), one handle (`QueryHandle::with_options`) or one
//! wait (`wait_with`), each inheriting what it does not set.
#![cfg(feature = "fake")]

use std::time::Duration;

use genesys_usage::fake::{
    FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, Terminal,
};
use genesys_usage::{
    ApiUsageOrganizationQuery, CallOptions, Error, Interval, RetryPolicy, TransportErrorKind,
    UsageClient, WaitPolicy,
};
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use tokio::time::Instant;

fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new(Interval::last_days(7))
}

fn fault(fault: Fault, operation: Operation, trigger: FaultTrigger) -> FaultRule {
    FaultRule {
        fault,
        operation: Some(operation),
        execution_id: None,
        trigger,
    }
}

fn polls_at_most(max: u32) -> WaitPolicy {
    WaitPolicy {
        max_polls: Some(max),
        ..WaitPolicy::default()
    }
}

fn wait_timeout_polls(error: &Error) -> u32 {
    match error {
        Error::WaitTimeout { polls, .. } => *polls,
        other => panic!("expected a wait timeout, got {other:?}"),
    }
}

/// A fake whose queries stay running for `polls` polls.
fn running_for(polls: u32) -> FakeTransport {
    FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, polls, Terminal::Complete))
        .build()
}

#[tokio::test(start_paused = true)]
async fn a_call_timeout_cuts_off_a_slow_attempt() {
    let fake = FakeTransport::new();
    fake.engine().add_fault(fault(
        Fault::Latency {
            delay: Duration::from_secs(60),
        },
        Operation::PostUsageQuery,
        FaultTrigger::Next(1),
    ));
    let client = UsageClient::with_transport(fake);
    let options = CallOptions::new()
        .timeout(Duration::from_secs(2))
        .retry(RetryPolicy::none());
    let started = Instant::now();

    let error = client
        .with_options(&options)
        .post_usage_query(&query())
        .await
        .unwrap_err();

    assert!(
        matches!(
            &error,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("post_usage_query"), "{error}");
    assert_eq!(started.elapsed(), Duration::from_secs(2));
}

#[tokio::test]
async fn a_call_timeout_longer_than_the_transports_lets_a_slow_answer_arrive() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let slow = || {
        fault(
            Fault::Latency {
                delay: Duration::from_millis(800),
            },
            Operation::PostUsageQuery,
            FaultTrigger::Next(1),
        )
    };
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .no_proxy()
        .build()
        .unwrap();
    server.engine().add_fault(slow());
    let error = client.post_usage_query(&query()).await.unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "the transport's own 200 ms applies without options: {error}"
    );
    server.engine().add_fault(slow());
    let patient = client.with_options(&CallOptions::new().timeout(Duration::from_secs(20)));
    let submitted = patient.post_usage_query(&query()).await;
    assert!(submitted.is_ok(), "{submitted:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_override_applies_to_its_view_only() {
    let fake = FakeTransport::new();
    let client = UsageClient::with_transport(fake.clone());
    let unavailable = || {
        fault(
            Fault::ServerError { status: 503 },
            Operation::PostUsageQuery,
            FaultTrigger::Next(1),
        )
    };
    fake.engine().add_fault(unavailable());
    let no_retries = client.with_options(&CallOptions::new().retry(RetryPolicy::none()));
    let error = no_retries.post_usage_query(&query()).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    fake.engine().add_fault(unavailable());
    assert!(
        client.post_usage_query(&query()).await.is_ok(),
        "the client still retries"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_with_uses_its_policy_for_that_wait_only() {
    let client = UsageClient::with_transport(running_for(3));
    let handle = client.submit_usage_query(&query()).await.unwrap();

    let error = handle.wait_with(polls_at_most(2)).await.unwrap_err();
    assert_eq!(wait_timeout_polls(&error), 2);

    let result = handle
        .wait()
        .await
        .expect("the handle's own policy waits on");
    assert!(result.results.is_some());
}

#[tokio::test(start_paused = true)]
async fn options_on_a_handle_apply_to_its_waits() {
    let client = UsageClient::with_transport(running_for(5));
    let handle = client
        .submit_usage_query(&query())
        .await
        .unwrap()
        .with_options(&CallOptions::new().wait(polls_at_most(1)));
    let error = handle.wait().await.unwrap_err();
    assert_eq!(wait_timeout_polls(&error), 1);
}

#[tokio::test(start_paused = true)]
async fn options_on_a_submit_carry_into_the_handle_it_returns() {
    let client = UsageClient::with_transport(running_for(5));
    let options = CallOptions::new().wait(polls_at_most(3));
    let handle = client
        .with_options(&options)
        .submit_usage_query(&query())
        .await
        .unwrap();
    let error = handle.await.unwrap_err();
    assert_eq!(wait_timeout_polls(&error), 3);
    // The client itself keeps its policy.
    assert_eq!(client.wait_policy().max_polls, None);
}

#[tokio::test(start_paused = true)]
async fn unusable_overrides_are_refused_naming_the_option() {
    let client = UsageClient::with_transport(FakeTransport::new());
    let zero = client.with_options(&CallOptions::new().timeout(Duration::ZERO));
    let error = zero.post_usage_query(&query()).await.unwrap_err();
    assert!(
        matches!(&error, Error::Config { field, .. } if field == "timeout"),
        "{error}"
    );

    let handle = client.submit_usage_query(&query()).await.unwrap();
    let bad = WaitPolicy {
        multiplier: 0.5,
        ..WaitPolicy::default()
    };
    let error = handle.wait_with(bad).await.unwrap_err();
    assert!(error.to_string().contains("wait.multiplier"), "{error}");
}
