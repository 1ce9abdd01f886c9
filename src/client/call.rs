//! The retry loop every operation runs: attempts, one re-authentication on
//! 401, backoff or `Retry-After`, the budget and the wait deadline; with a
//! span per attempt and the per-attempt metrics.

use std::future::Future;

use tokio::time::Instant;
use tracing::Instrument;

use super::UsageClient;
use crate::error::{Error, Result, TransportErrorKind};
use crate::retry::{Method, RetryPolicy};
use crate::telemetry;
use crate::transport::{ApiResponse, attempt};

/// What a call is, for the policy and for its spans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallSpec<'a> {
    /// The operation's official name, e.g. `post_usage_query`.
    pub(crate) operation: &'static str,
    /// GET or POST, for the retry rules.
    pub(crate) method: Method,
    /// The execution the call is about, if any.
    pub(crate) execution_id: Option<&'a str>,
    /// A wait's deadline, which bounds the retries further.
    pub(crate) deadline: Option<Instant>,
}

impl CallSpec<'_> {
    /// A submit (POST rules; L7 is a GET that starts an execution, so it
    /// counts as one too).
    pub(crate) fn post(operation: &'static str) -> Self {
        CallSpec {
            operation,
            method: Method::Post,
            execution_id: None,
            deadline: None,
        }
    }
}

impl<'a> CallSpec<'a> {
    /// A read of `execution_id`, bounded by a wait's `deadline` if any.
    pub(crate) fn get(
        operation: &'static str,
        execution_id: &'a str,
        deadline: Option<Instant>,
    ) -> Self {
        CallSpec {
            operation,
            method: Method::Get,
            execution_id: Some(execution_id),
            deadline,
        }
    }
}

impl UsageClient {
    /// Runs one operation with the retry policy and one re-authentication on 401.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        spec: CallSpec<'_>,
        attempt_once: F,
    ) -> Result<ApiResponse<T>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ApiResponse<T>>>,
    {
        let outcome = self.retry_loop(spec, attempt_once).await;
        telemetry::call(spec.operation, &outcome);
        outcome
    }

    async fn retry_loop<T, F, Fut>(
        &self,
        spec: CallSpec<'_>,
        attempt_once: F,
    ) -> Result<ApiResponse<T>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ApiResponse<T>>>,
    {
        if self.inner.timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::config("timeout", "must be greater than zero"));
        }
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            let outcome = self.attempt(spec, retries + 1, &attempt_once).await;
            telemetry::attempt(spec.operation, &outcome);
            let error = match outcome {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if matches!(error, Error::Unauthorized { .. }) && !reauthenticated {
                reauthenticated = true;
                if self.inner.transport.refresh_auth().await? {
                    continue;
                }
                return Err(error);
            }
            if retries >= policy.max_retries || !RetryPolicy::is_retryable(spec.method, &error) {
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(hint) if hint > policy.max_retry_after => return Err(error),
                Some(hint) => hint,
                None => {
                    let unit = self.inner.rng.lock().map(|mut r| r.f64()).unwrap_or(0.5);
                    policy.backoff(retries, unit)
                }
            };
            let wake = Instant::now() + delay;
            let over_budget = wake.duration_since(started) > policy.budget;
            let past_deadline = spec.deadline.is_some_and(|d| wake > d);
            if over_budget || past_deadline {
                return Err(error);
            }
            let operation = spec.operation;
            // `rate_limited` lets a front end say why it waits (the CLI's spinner).
            let rate_limited = matches!(error, Error::RateLimited { .. });
            tracing::debug!(
                operation,
                delay_ms = delay.as_millis() as u64,
                rate_limited,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }

    /// One attempt in its span, bounded by the per-call timeout if any.
    async fn attempt<T, F, Fut>(
        &self,
        spec: CallSpec<'_>,
        number: u32,
        attempt_once: &F,
    ) -> Result<ApiResponse<T>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ApiResponse<T>>>,
    {
        let operation = spec.operation;
        let span = tracing::debug_span!(
            "usage_call",
            operation,
            execution_id = spec.execution_id,
            attempt = number,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        let outcome = match self.inner.timeout {
            Some(timeout) => {
                let bounded = tokio::time::timeout(timeout, attempt_once());
                match attempt::with_timeout(timeout, bounded)
                    .instrument(span.clone())
                    .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => Err(timed_out(operation, timeout)),
                }
            }
            None => attempt_once().instrument(span.clone()).await,
        };
        let _entered = span.enter();
        match &outcome {
            Ok(response) => {
                span.record("http.response.status_code", response.meta.status);
                tracing::debug!(
                    operation,
                    status = response.meta.status,
                    correlation_id = response.meta.correlation_id.as_deref().unwrap_or(""),
                    "usage call succeeded"
                );
            }
            Err(error) => {
                if let Some(status) = error.status() {
                    span.record("http.response.status_code", status);
                }
                span.record("error.type", error.error_type().as_ref());
                tracing::debug!(operation, status = error.status(), error = %error, "usage call failed");
            }
        }
        outcome
    }
}

/// The error of an attempt cut off by the per-call timeout. Whether the
/// server processed it is unknown, so a POST is not retried.
fn timed_out(operation: &str, timeout: std::time::Duration) -> Error {
    Error::Transport {
        kind: TransportErrorKind::Timeout,
        message: format!("{operation}: no answer within the call's timeout of {timeout:?}"),
        not_sent: false,
    }
}
