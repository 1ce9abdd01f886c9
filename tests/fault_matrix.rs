//! The fault matrix: each row schedules one fault on the in-process mock
//! server (over real HTTP on loopback), runs `run_usage_query` (module
//! `legacy`) and `run_usage_aggregates_query_job` (module `jobs`), and checks
//! the documented outcome: the result or the typed error, the attempts the
//! server journaled, that a POST was resent only where `RetryPolicy` allows
//! it (connect errors, 429, 503), the time taken within the policies' bound,
//! and the server's poll-compliance report. RELIABILITY.md has the table.
#![cfg(feature = "fake")]

#[path = "fault_matrix/harness.rs"]
mod harness;

use std::time::Duration;

use genesys_usage::fake::{ExecutionState, Fault, RetryAfterHint};
use genesys_usage::{Error, TransportErrorKind};
use genesys_usage_mock::Config;
use harness::{Op, Row};

/// Every query runs one "running" poll, then completes.
const LIFECYCLE: &str = "running:1,complete";

/// Generates one test per op for each row function `fn(Op)`.
macro_rules! rows {
    ($($name:ident),* $(,)?) => {
        mod legacy {
            $(#[tokio::test] async fn $name() { super::$name(super::Op::Legacy).await })*
        }
        mod jobs {
            $(#[tokio::test] async fn $name() { super::$name(super::Op::Jobs).await })*
        }
    };
}

rows!(
    a_429_on_the_submit_is_waited_out_and_resent_once,
    a_500_on_the_submit_fails_without_a_resend,
    a_502_on_the_submit_fails_without_a_resend,
    a_503_on_the_submit_is_resent_once,
    a_504_on_the_submit_fails_without_a_resend,
    a_reset_after_the_submit_fails_without_a_resend,
    a_submit_answer_slower_than_the_timeout_fails_without_a_resend,
    a_429_on_a_poll_with_retry_after_seconds_is_honoured,
    a_429_on_a_poll_with_an_http_date_is_honoured,
    a_429_on_a_poll_without_retry_after_backs_off,
    a_500_on_a_poll_is_retried,
    a_500_on_every_poll_fails_the_wait_once_retries_are_spent,
    a_502_on_a_poll_is_retried,
    a_503_on_a_poll_is_retried,
    a_504_on_a_poll_is_retried,
    a_reset_poll_is_retried,
    a_truncated_poll_answer_is_retried,
    a_malformed_poll_answer_is_retried,
    an_html_page_as_a_poll_answer_is_retried,
    a_poll_answer_slower_than_the_timeout_is_retried,
    an_unknown_status_once_is_polled_through,
    an_unknown_status_for_ever_ends_in_a_wait_timeout,
    a_token_expiring_mid_polling_is_refreshed_once,
    an_execution_expired_by_retention_is_a_404,
    a_failed_query_stops_polling_with_query_failed,
);

fn api_status(error: &Error) -> Option<u16> {
    match error {
        Error::Api { status, .. } => Some(*status),
        _ => None,
    }
}

/// A POST answered `status` is not resent and creates no execution.
async fn submit_fails_with(op: Op, status: u16) {
    let row = Row::start(op, LIFECYCLE).await;
    row.fault(op.submit(), Fault::ServerError { status }, 1);
    let out = row.run().await;
    assert_eq!(api_status(out.error()), Some(status), "{out:?}");
    assert_eq!(out.posts, [status], "the POST was sent once");
    assert!(out.executions.is_empty() && out.polls.is_empty(), "{out:?}");
    out.assert_within_bound();
}

async fn a_429_on_the_submit_is_waited_out_and_resent_once(op: Op) {
    let row = Row::start(op, LIFECYCLE).await;
    let hint = RetryAfterHint::Seconds(1);
    row.fault(op.submit(), Fault::RateLimited { retry_after: hint }, 1);
    let out = row.run().await;
    out.assert_completed();
    assert_eq!(out.posts, [429, 202]);
    assert!(
        out.elapsed >= Duration::from_secs(1),
        "Retry-After honoured: {out:?}"
    );
}

async fn a_500_on_the_submit_fails_without_a_resend(op: Op) {
    submit_fails_with(op, 500).await;
}

async fn a_502_on_the_submit_fails_without_a_resend(op: Op) {
    submit_fails_with(op, 502).await;
}

async fn a_503_on_the_submit_is_resent_once(op: Op) {
    let row = Row::start(op, LIFECYCLE).await;
    row.fault(op.submit(), Fault::ServerError { status: 503 }, 1);
    let out = row.run().await;
    out.assert_completed();
    assert_eq!(out.posts, [503, 202]);
}

async fn a_504_on_the_submit_fails_without_a_resend(op: Op) {
    submit_fails_with(op, 504).await;
}

async fn a_reset_after_the_submit_fails_without_a_resend(op: Op) {
    let row = Row::start(op, LIFECYCLE).await;
    row.fault(op.submit(), Fault::ConnectionReset, 1);
    let out = row.run().await;
    assert!(
        matches!(
            out.error(),
            Error::Transport {
                not_sent: false,
                ..
            }
        ),
        "{out:?}"
    );
    // The server processed it: one orphan execution, never a second one.
    assert_eq!(out.posts, [0]);
    assert_eq!(out.executions.len(), 1);
    out.assert_within_bound();
}

async fn a_submit_answer_slower_than_the_timeout_fails_without_a_resend(op: Op) {
    let timeout = Some(Duration::from_millis(300));
    let row = Row::start_with(op, LIFECYCLE, Config::default(), timeout).await;
    let slow = Fault::SlowBody {
        delay: Duration::from_secs(2),
    };
    row.fault(op.submit(), slow, 1);
    let out = row.run().await;
    assert!(
        matches!(
            out.error(),
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{out:?}"
    );
    assert_eq!(out.posts, [202], "sent once; the answer was slow");
    assert_eq!(out.executions.len(), 1);
    out.assert_within_bound();
}

/// A poll answered `fault` once; the wait goes on to the result.
async fn poll_fault_is_retried(op: Op, fault: Fault, first_status: u16) -> harness::Outcome {
    let row = Row::start(op, LIFECYCLE).await;
    row.fault(op.poll(), fault, 1);
    let out = row.run().await;
    out.assert_completed();
    assert_eq!(out.posts, [202], "{out:?}");
    assert_eq!(out.polls.first(), Some(&first_status), "{out:?}");
    assert_eq!(out.polls.last(), Some(&200), "{out:?}");
    assert!(out.polls.len() <= 3, "one extra poll at most: {out:?}");
    out
}

async fn a_429_on_a_poll_with_retry_after_seconds_is_honoured(op: Op) {
    let hint = RetryAfterHint::Seconds(1);
    let out = poll_fault_is_retried(op, Fault::RateLimited { retry_after: hint }, 429).await;
    assert_eq!(out.polls, [429, op.working_status(), 200]);
    let report = out.compliance.as_ref().expect("a report");
    assert_eq!(report["total429s"], 1, "{report}");
    assert_eq!(report["retryAfter"][0]["honoured"], true, "{report}");
}

async fn a_429_on_a_poll_with_an_http_date_is_honoured(op: Op) {
    let hint = RetryAfterHint::HttpDate(2);
    let out = poll_fault_is_retried(op, Fault::RateLimited { retry_after: hint }, 429).await;
    let report = out.compliance.as_ref().expect("a report");
    assert_eq!(report["retryAfter"][0]["honoured"], true, "{report}");
}

async fn a_429_on_a_poll_without_retry_after_backs_off(op: Op) {
    let hint = RetryAfterHint::Absent;
    let out = poll_fault_is_retried(op, Fault::RateLimited { retry_after: hint }, 429).await;
    assert_eq!(out.polls, [429, op.working_status(), 200]);
}

async fn a_500_on_a_poll_is_retried(op: Op) {
    // A poll is a GET, safe to repeat: a 500 on it is retried (on a submit it is not).
    poll_fault_is_retried(op, Fault::ServerError { status: 500 }, 500).await;
}

async fn a_500_on_every_poll_fails_the_wait_once_retries_are_spent(op: Op) {
    let row = Row::start(op, LIFECYCLE).await;
    row.fault(op.poll(), Fault::ServerError { status: 500 }, 100);
    let out = row.run().await;
    assert_eq!(api_status(out.error()), Some(500), "{out:?}");
    // The first attempt and `max_retries` (3) retries, then the error.
    assert_eq!(
        (out.posts.as_slice(), out.polls.as_slice()),
        (&[202][..], &[500, 500, 500, 500][..])
    );
    assert_eq!(out.executions.len(), 1, "resumable by its id");
    out.assert_within_bound();
}

async fn a_502_on_a_poll_is_retried(op: Op) {
    poll_fault_is_retried(op, Fault::ServerError { status: 502 }, 502).await;
}

async fn a_503_on_a_poll_is_retried(op: Op) {
    poll_fault_is_retried(op, Fault::ServerError { status: 503 }, 503).await;
}

async fn a_504_on_a_poll_is_retried(op: Op) {
    poll_fault_is_retried(op, Fault::ServerError { status: 504 }, 504).await;
}

async fn a_reset_poll_is_retried(op: Op) {
    // The reset poll was processed (it counted as the "running" poll).
    let out = poll_fault_is_retried(op, Fault::ConnectionReset, 0).await;
    assert_eq!(out.polls, [0, 200]);
}

async fn a_truncated_poll_answer_is_retried(op: Op) {
    // Cut off mid-body is a transport error, retried on a GET; the cut
    // poll was processed (the "running" one).
    let out = poll_fault_is_retried(op, Fault::TruncatedBody, op.working_status()).await;
    assert_eq!(out.polls, [op.working_status(), 200]);
}

async fn a_malformed_poll_answer_is_retried(op: Op) {
    // A body that is not JSON at all is retried on a GET; the spoilt poll
    // was processed (it counted as the "running" one).
    let out = poll_fault_is_retried(op, Fault::MalformedJson, op.working_status()).await;
    assert_eq!(out.polls, [op.working_status(), 200]);
}

async fn an_html_page_as_a_poll_answer_is_retried(op: Op) {
    // What a gateway's "Service Notice" page looks like to the client: a
    // 2xx with `text/html`. Not the service's answer, so asked again.
    let out = poll_fault_is_retried(op, Fault::WrongContentType, op.working_status()).await;
    assert_eq!(out.polls, [op.working_status(), 200]);
}

async fn a_poll_answer_slower_than_the_timeout_is_retried(op: Op) {
    let timeout = Some(Duration::from_millis(300));
    let row = Row::start_with(op, LIFECYCLE, Config::default(), timeout).await;
    let slow = Fault::SlowBody {
        delay: Duration::from_secs(2),
    };
    row.fault(op.poll(), slow, 1);
    let out = row.run().await;
    out.assert_completed();
    assert_eq!(out.posts, [202]);
    // The slow poll was processed (the "running" one); the retry completes.
    assert_eq!(out.polls, [op.working_status(), 200]);
}

async fn an_unknown_status_once_is_polled_through(op: Op) {
    let status = Fault::UnknownStatus {
        status: "Paused".to_owned(),
    };
    let out = poll_fault_is_retried(op, status, op.working_status()).await;
    assert_eq!(out.polls.len(), 2, "{out:?}");
}

async fn an_unknown_status_for_ever_ends_in_a_wait_timeout(op: Op) {
    let row = Row::start(op, LIFECYCLE).await;
    let status = Fault::UnknownStatus {
        status: "Paused".to_owned(),
    };
    row.fault(op.poll(), status, 1_000);
    let out = row.run().await;
    match out.error() {
        Error::WaitTimeout {
            polls, last_status, ..
        } => {
            assert_eq!(*polls, 20, "max_polls");
            assert_eq!(last_status.as_deref(), Some("Paused"));
        }
        other => panic!("expected a wait timeout, got {other:?}"),
    }
    assert_eq!(out.polls.len(), 20);
    assert_eq!(out.posts, [202]);
    out.assert_within_bound();
}

async fn a_token_expiring_mid_polling_is_refreshed_once(op: Op) {
    let row = Row::start(op, LIFECYCLE).await;
    row.fault(op.poll(), Fault::TokenExpired, 1);
    let out = row.run().await;
    out.assert_completed();
    assert_eq!(out.tokens, 2, "one refresh: {out:?}");
    assert_eq!(out.polls, [401, op.working_status(), 200]);
}

async fn an_execution_expired_by_retention_is_a_404(op: Op) {
    let config = Config {
        retention: Duration::from_secs(60),
        ..Config::default()
    };
    let row = Row::start_with(op, LIFECYCLE, config, None).await;
    let engine = row.server.engine();
    // The execution completes unread, and its retention runs out before the first poll.
    let out = row
        .run_with(&|id| {
            engine
                .force_state(id, ExecutionState::Complete)
                .expect("a known id");
            engine.clock().advance(Duration::from_secs(120));
        })
        .await;
    assert_eq!(api_status(out.error()), Some(404), "{out:?}");
    assert_eq!(out.posts, [202]);
    assert_eq!(out.polls, [404], "a 404 is not retried");
    assert!(out.executions.is_empty(), "dropped by retention");
    out.assert_within_bound();
}

async fn a_failed_query_stops_polling_with_query_failed(op: Op) {
    let row = Row::start(op, "running:1,failed").await;
    let out = row.run().await;
    match out.error() {
        Error::QueryFailed { status, .. } => assert_eq!(status, "Failed"),
        other => panic!("expected QueryFailed, got {other:?}"),
    }
    assert_eq!(out.polls.len(), 2, "{out:?}");
    out.assert_compliant();
    // The error keeps the correlation id of the poll that saw `Failed`.
    let journal = row
        .admin(&format!("/journal?operation={}", op.poll().as_str()))
        .await;
    let last_poll = journal["entries"]
        .as_array()
        .and_then(|entries| entries.last())
        .cloned()
        .expect("the polls are journaled");
    assert!(last_poll["correlationId"].is_string(), "{last_poll}");
    assert_eq!(
        out.error().correlation_id(),
        last_poll["correlationId"].as_str(),
        "{out:?}"
    );
}

#[tokio::test]
async fn a_cancelled_job_stops_polling_with_query_failed() {
    let row = Row::start(Op::Jobs, "running:1,cancelled").await;
    let out = row.run().await;
    match out.error() {
        Error::QueryFailed { status, .. } => assert_eq!(status, "Cancelled"),
        other => panic!("expected QueryFailed, got {other:?}"),
    }
    assert_eq!(out.polls, [202, 202]);
    out.assert_compliant();
}

#[tokio::test]
async fn a_cancelled_legacy_query_ends_failed() {
    let row = Row::start(Op::Legacy, "running:1,cancelled").await;
    let out = row.run().await;
    assert!(
        matches!(out.error(), Error::QueryFailed { status, .. } if status == "Failed"),
        "{out:?}"
    );
    out.assert_compliant();
}
