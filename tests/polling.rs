//! Polling behaviour over the fake, in paused tokio time.
#![cfg(feature = "fake")]

use std::time::{Duration, Instant as WallInstant};

use genesys_usage::fake::{
    FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, RetryAfterHint, Terminal,
};
use genesys_usage::{ApiUsageOrganizationQuery, Error, Interval, UsageClient, WaitPolicy};
use tokio::time::Instant;

fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new(Interval::last_days(7))
}

/// Poll times (virtual) of the results GET, from the fake's call record.
fn poll_times(transport: &FakeTransport) -> Vec<chrono::DateTime<chrono::Utc>> {
    transport
        .calls()
        .into_iter()
        .filter(|c| c.operation == Operation::GetUsageQueryExecutionIdResults)
        .map(|c| c.at)
        .collect()
}

#[tokio::test(start_paused = true)]
#[allow(
    clippy::print_stderr,
    reason = "the real time of the virtual wait is a figure to report"
)]
async fn a_ten_minute_query_is_awaited_in_virtual_time() {
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::after(
            Duration::from_secs(600),
            Terminal::Complete,
        ))
        .build();
    let client = UsageClient::with_transport(transport.clone()).with_wait_policy(WaitPolicy {
        deadline: Duration::from_secs(900),
        ..WaitPolicy::default()
    });
    let (virtual_start, wall_start) = (Instant::now(), WallInstant::now());

    let result = client.run_usage_query(&query()).await.unwrap();

    let waited = virtual_start.elapsed();
    assert!(result.results.is_some());
    assert!(
        waited >= Duration::from_secs(600),
        "completed only after 10 virtual minutes: {waited:?}"
    );
    assert!(
        waited <= Duration::from_secs(615),
        "noticed within one max delay: {waited:?}"
    );
    // Recorded for the issue note, not asserted: speed lives in benchmarks.
    eprintln!(
        "10-minute virtual wait took {:?} of real time",
        wall_start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_gives_a_timeout_error_with_what_is_needed_to_resume() {
    let transport = FakeTransport::builder()
        .lifecycle("running:manual,complete".parse().unwrap())
        .build();
    let client = UsageClient::with_transport(transport.clone()).with_wait_policy(WaitPolicy {
        deadline: Duration::from_secs(60),
        ..WaitPolicy::default()
    });
    let handle = client.submit_usage_query(&query()).await.unwrap();
    let id = handle.execution_id().to_owned();

    let error = handle.wait().await.unwrap_err();

    let Error::WaitTimeout {
        execution_id,
        elapsed,
        polls,
        last_status,
    } = &error
    else {
        panic!("expected a timeout, got {error}");
    };
    assert_eq!(execution_id, &id);
    assert_eq!(
        *elapsed,
        Duration::from_secs(60),
        "the last poll is at the deadline, not past it"
    );
    assert_eq!(*polls, poll_times(&transport).len() as u32);
    assert_eq!(last_status.as_deref(), Some("Running"));
    // The id resumes the same execution.
    transport
        .engine()
        .force_state(&id, genesys_usage::fake::ExecutionState::Complete)
        .unwrap();
    assert!(client.resume_usage_query(id).wait().await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn failed_stops_polling_after_that_very_poll() {
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, 3, Terminal::Failed))
        .build();
    let client = UsageClient::with_transport(transport.clone());

    let error = client.run_usage_query(&query()).await.unwrap_err();

    assert!(matches!(error, Error::QueryFailed { .. }), "{error}");
    assert_eq!(
        poll_times(&transport).len(),
        4,
        "three running polls and the failing one, no more"
    );
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(
        poll_times(&transport).len(),
        4,
        "nothing polls in the background"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_30_delays_the_next_poll_by_30_seconds() {
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, 2, Terminal::Complete))
        .build();
    transport.engine().add_fault(FaultRule {
        fault: Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(30),
        },
        operation: Some(Operation::GetUsageQueryExecutionIdResults),
        execution_id: None,
        trigger: FaultTrigger::Nth(2),
    });
    let client = UsageClient::with_transport(transport.clone());

    client.run_usage_query(&query()).await.unwrap();

    let times = poll_times(&transport);
    let gap = (times[2] - times[1]).to_std().unwrap();
    assert!(
        gap >= Duration::from_secs(30),
        "the poll after the 429 waited {gap:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn progress_reports_every_poll_and_ends_with_the_result() {
    use futures_util::StreamExt;
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(1, 2, Terminal::Complete))
        .build();
    let client = UsageClient::with_transport(transport);
    let handle = client.submit_usage_query(&query()).await.unwrap();

    let events: Vec<_> = handle.progress().collect().await;

    let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();
    assert_eq!(events.len(), 4);
    assert_eq!(
        events.iter().map(|e| e.attempt).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(
        events[..3]
            .iter()
            .all(|e| e.status == "Running" && e.next_delay.is_some())
    );
    let last = events.last().unwrap();
    assert_eq!(last.status, "Complete");
    assert!(last.next_delay.is_none() && last.result.is_some());
}

#[tokio::test(start_paused = true)]
async fn awaiting_a_handle_is_waiting_for_it() {
    let client = UsageClient::with_transport(FakeTransport::new());
    let handle = client.submit_usage_query(&query()).await.unwrap();
    let result = handle.await.unwrap();
    assert!(result.results.is_some());
}

#[tokio::test(start_paused = true)]
async fn max_polls_ends_the_wait_early() {
    let transport = FakeTransport::builder()
        .lifecycle("running:manual,complete".parse().unwrap())
        .build();
    let client = UsageClient::with_transport(transport.clone()).with_wait_policy(WaitPolicy {
        max_polls: Some(3),
        ..WaitPolicy::default()
    });
    let error = client.run_usage_query(&query()).await.unwrap_err();
    assert!(
        matches!(error, Error::WaitTimeout { polls: 3, .. }),
        "{error}"
    );
    assert_eq!(poll_times(&transport).len(), 3);
}

mod wait_policy_bounds {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Every gap between polls lies in [initial, max], except the last
        /// one, which may be shortened to land on the deadline; the wait
        /// never runs past the deadline.
        #[test]
        fn delays_stay_within_bounds_and_the_deadline(
            initial_ms in 1u64..5_000,
            extra_ms in 0u64..30_000,
            multiplier in 1.0f64..4.0,
            deadline_s in 1u64..300,
        ) {
            let policy = WaitPolicy {
                first_poll_delay: Duration::ZERO,
                initial_delay: Duration::from_millis(initial_ms),
                multiplier,
                max_delay: Duration::from_millis(initial_ms + extra_ms),
                deadline: Duration::from_secs(deadline_s),
                max_polls: None,
            };
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
            let (times, elapsed) = rt.block_on(async {
                let transport = FakeTransport::builder().lifecycle("running:manual,complete".parse().unwrap()).build();
                let client = UsageClient::with_transport(transport.clone()).with_wait_policy(policy.clone());
                let start = Instant::now();
                let outcome = client.run_usage_query(&query()).await;
                assert!(matches!(outcome, Err(Error::WaitTimeout { .. })));
                (poll_times(&transport), start.elapsed())
            });
            prop_assert!(elapsed <= policy.deadline);
            let gaps: Vec<Duration> = times.windows(2).map(|w| (w[1] - w[0]).to_std().unwrap()).collect();
            if let Some((last, rest)) = gaps.split_last() {
                for gap in rest {
                    prop_assert!(*gap >= policy.initial_delay && *gap <= policy.max_delay, "{gap:?}");
                }
                prop_assert!(*last <= policy.max_delay);
            }
        }
    }
}

/// The poll at the deadline is planned, not a lucky landing of the schedule:
/// with a 50 s deadline the default schedule (…, 30, 45, 60 s) is cut short to
/// poll at 50 s, and a query that completes right then is returned.
#[tokio::test(start_paused = true)]
async fn the_last_poll_is_made_at_the_deadline_and_can_return_the_result() {
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::after(
            Duration::from_secs(50),
            Terminal::Complete,
        ))
        .build();
    let client = UsageClient::with_transport(transport.clone()).with_wait_policy(WaitPolicy {
        deadline: Duration::from_secs(50),
        ..WaitPolicy::default()
    });
    let start = Instant::now();

    let result = client.run_usage_query(&query()).await;

    assert!(result.is_ok(), "completed at the deadline: {result:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(50));
    let times = poll_times(&transport);
    let offsets: Vec<i64> = times
        .iter()
        .map(|t| (*t - times[0]).num_seconds())
        .collect();
    assert_eq!(offsets, [0, 1, 3, 7, 15, 30, 45, 50]);
}

/// The default policy's own case: a query that takes exactly its 10-minute
/// deadline is returned, after 44 polls (the CLI makes 121).
#[tokio::test(start_paused = true)]
async fn the_default_policy_returns_a_query_completing_on_its_deadline() {
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::after(
            Duration::from_secs(600),
            Terminal::Complete,
        ))
        .build();
    let client = UsageClient::with_transport(transport.clone());
    assert_eq!(client.wait_policy().deadline, Duration::from_secs(600));
    let start = Instant::now();

    client.run_usage_query(&query()).await.unwrap();

    assert_eq!(start.elapsed(), Duration::from_secs(600));
    assert_eq!(poll_times(&transport).len(), 44);
}

/// A zero first-poll delay polls at once: no timer, which tokio would round
/// up to its next millisecond tick (a sleep on every short wait).
#[tokio::test(start_paused = true)]
async fn a_zero_first_poll_delay_polls_without_waiting_for_a_timer_tick() {
    // Half-way between two of tokio's millisecond ticks.
    tokio::time::advance(Duration::from_micros(500)).await;
    let transport = FakeTransport::builder()
        .lifecycle(Lifecycle::immediate())
        .build();
    let client = UsageClient::with_transport(transport.clone());
    assert_eq!(client.wait_policy().first_poll_delay, Duration::ZERO);
    let start = Instant::now();

    client.run_usage_query(&query()).await.unwrap();

    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "the first poll did not wait"
    );
    assert_eq!(poll_times(&transport).len(), 1);
}
