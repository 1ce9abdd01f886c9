//! What the client tells the transport about the attempt in progress
//! without widening the [`UsageTransport`](super::UsageTransport) methods:
//! a per-call timeout, scoped to the task running the attempt.
//!
//! `UsageClient` bounds each attempt with the timeout itself (for every
//! transport); [`HttpTransport`](crate::HttpTransport) also reads it so that
//! reqwest's own timeout is the call's, which may be *longer* than the one
//! the transport was built with (a large result over a slow link).

use std::future::Future;
use std::time::Duration;

tokio::task_local! {
    static TIMEOUT: Duration;
}

/// Runs `attempt` with `timeout` visible to [`timeout`].
pub(crate) async fn with_timeout<F: Future>(timeout: Duration, attempt: F) -> F::Output {
    TIMEOUT.scope(timeout, attempt).await
}

/// The per-call timeout of the attempt running on this task, if any.
pub(crate) fn timeout() -> Option<Duration> {
    TIMEOUT.try_with(|t| *t).ok()
}
