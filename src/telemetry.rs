//! Metrics on the `metrics` facade (feature `metrics`; no-ops without it).
//! The names and labels are listed in the crate docs, "Observability".
//!
//! Attempts and throttling are counted per attempt, inside the retry loop,
//! so a call that succeeds on its third try shows three attempts and one
//! call: the retries stay visible.
#![cfg_attr(not(feature = "metrics"), allow(dead_code))]

use std::time::Duration;

/// One call: the retry loop's final outcome.
pub(crate) const CALLS: &str = "genesys_usage.calls";
/// One attempt: one request to the transport.
pub(crate) const ATTEMPTS: &str = "genesys_usage.attempts";
/// An attempt answered 429.
pub(crate) const THROTTLED: &str = "genesys_usage.throttled";
/// One poll of a wait.
pub(crate) const POLLS: &str = "genesys_usage.polls";
/// How long a wait took, in seconds, when it ended.
pub(crate) const WAIT_DURATION: &str = "genesys_usage.wait.duration";

/// `ok`, or the error's `error.type`.
fn outcome<T>(result: &crate::Result<T>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(error) => error.error_type().into_owned(),
    }
}

/// Counts one attempt of `operation`, and a throttled one on a 429.
pub(crate) fn attempt<T>(operation: &'static str, result: &crate::Result<T>) {
    #[cfg(feature = "metrics")]
    {
        let outcome = outcome(result);
        if outcome == "429" {
            metrics::counter!(THROTTLED, "operation" => operation).increment(1);
        }
        metrics::counter!(ATTEMPTS, "operation" => operation, "outcome" => outcome).increment(1);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, result);
}

/// Counts one call of `operation` with its final outcome.
pub(crate) fn call<T>(operation: &'static str, result: &crate::Result<T>) {
    #[cfg(feature = "metrics")]
    metrics::counter!(CALLS, "operation" => operation, "outcome" => outcome(result)).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, result);
}

/// Counts one poll of an execution of `kind` that saw `status`.
pub(crate) fn poll(kind: &'static str, status: &str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(POLLS, "kind" => kind, "status" => status.to_owned()).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = (kind, status);
}

/// Records how long a wait of `kind` took and how it ended.
pub(crate) fn wait<T>(kind: &'static str, elapsed: Duration, result: &crate::Result<T>) {
    #[cfg(feature = "metrics")]
    metrics::histogram!(WAIT_DURATION, "kind" => kind, "outcome" => outcome(result))
        .record(elapsed.as_secs_f64());
    #[cfg(not(feature = "metrics"))]
    let _ = (kind, elapsed, result);
}
