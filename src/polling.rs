//! Polling: [`WaitPolicy`], [`QueryHandle`], progress events, resume.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Duration;

use futures_core::Stream;
use tokio::time::Instant;

use crate::client::{CallOptions, UsageClient};
use crate::error::{Error, Result};
use crate::execution::{ExecutionKind, ExecutionRef, PollState, QueryOutput};
use crate::telemetry;
use crate::transport::{ApiResponse, PageRequest};

/// How `wait()` and `run_…` poll an execution until it completes.
///
/// The defaults poll at once after submitting (small queries are often
/// ready), then after 1 s, 2 s, 4 s, 8 s and every 15 s after that, for at
/// most 10 minutes. Why:
///
/// - the official CLI polls every 5 s and never stops on `Failed`; this
///   schedule answers fast queries within a second, makes about a third of the
///   CLI's polls on long ones (44 against 121 for a 10-minute query), and stops
///   at once on `Failed` or `Cancelled`;
/// - the 15 s ceiling bounds how late a long query's result is noticed;
/// - Genesys asks clients not to poll aggressively (rate limits are per
///   client), so delays grow instead of staying short;
/// - the deadline is always finite: a wait never hangs a caller, and the
///   [`Error::WaitTimeout`] it ends with carries the execution id to resume.
///
/// Delays have no jitter: polls of one execution are already spread by the
/// time each query was submitted. A `Retry-After` from the server longer
/// than the next delay wins. When the next delay would cross the deadline,
/// one last poll happens at the deadline.
///
/// ```
/// use std::time::Duration;
/// use genesys_usage::WaitPolicy;
/// let patient = WaitPolicy { deadline: Duration::from_secs(3600), ..WaitPolicy::default() };
/// assert_eq!(patient.delay_after(1), Duration::from_secs(1));
/// assert_eq!(patient.delay_after(10), Duration::from_secs(15));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WaitPolicy {
    /// Delay between the submit and the first poll. Default 0.
    pub first_poll_delay: Duration,
    /// Delay after the first poll. Default 1 s.
    pub initial_delay: Duration,
    /// Growth of the delay after each further poll. Default 2.
    pub multiplier: f64,
    /// Ceiling of one delay. Default 15 s.
    pub max_delay: Duration,
    /// Overall deadline of one wait. Default 10 minutes.
    pub deadline: Duration,
    /// Optional cap on the number of polls of one wait. Default none.
    pub max_polls: Option<u32>,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        Self {
            first_poll_delay: Duration::ZERO,
            initial_delay: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(15),
            deadline: Duration::from_secs(600),
            max_polls: None,
        }
    }
}

impl WaitPolicy {
    /// A policy that polls every `every`, the first time `every` after the
    /// submit. The official CLI polls at once and then every 5 s; its
    /// equivalent is
    /// `WaitPolicy { first_poll_delay: Duration::ZERO, ..WaitPolicy::fixed(five_seconds, timeout) }`.
    #[must_use]
    pub fn fixed(every: Duration, deadline: Duration) -> Self {
        Self {
            first_poll_delay: every,
            initial_delay: every,
            multiplier: 1.0,
            max_delay: every,
            deadline,
            max_polls: None,
        }
    }

    /// The delay after poll number `polls` (1-based), before any
    /// `Retry-After` or deadline adjustment: always within
    /// `[initial_delay, max_delay]`.
    #[must_use]
    pub fn delay_after(&self, polls: u32) -> Duration {
        let growth = self
            .multiplier
            .max(1.0)
            .powi(polls.saturating_sub(1).min(64) as i32);
        let floor = self.initial_delay.min(self.max_delay);
        Duration::try_from_secs_f64(self.initial_delay.as_secs_f64() * growth)
            .unwrap_or(self.max_delay)
            .clamp(floor, self.max_delay)
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if !(self.multiplier.is_finite() && self.multiplier >= 1.0) {
            return Err(Error::config(
                "wait.multiplier",
                "must be a finite number >= 1",
            ));
        }
        if self.max_delay < self.initial_delay {
            return Err(Error::config(
                "wait.max_delay",
                "must not be below initial_delay",
            ));
        }
        if self.max_polls == Some(0) {
            return Err(Error::config("wait.max_polls", "must be at least 1"));
        }
        Ok(())
    }
}

/// One poll seen by [`QueryHandle::progress`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PollEvent<T> {
    /// 1-based poll number.
    pub attempt: u32,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// The status as the wire spelt it (`Running`, `Queued`, `Complete`, …).
    pub status: String,
    /// The delay before the next poll; `None` on the last event.
    pub next_delay: Option<Duration>,
    /// The complete result, on the last event.
    pub result: Option<T>,
}

/// Either still working (with the wire status) or done.
#[derive(Debug, Clone, PartialEq)]
pub enum PollOutcome<T> {
    /// Not complete yet; the wire status (e.g. `Running`, `Queued`).
    Pending(String),
    /// Complete: the first page of results.
    Complete(T),
}

/// A submitted execution: poll it once, wait for it, or watch its progress.
///
/// `.await` on the handle is [`wait`](Self::wait).
#[derive(Debug, Clone)]
#[must_use = "a submitted query does nothing until polled or awaited"]
pub struct QueryHandle<T> {
    client: UsageClient,
    execution: ExecutionRef,
    policy: WaitPolicy,
    _output: PhantomData<fn() -> T>,
}

impl<T: QueryOutput> QueryHandle<T> {
    pub(crate) fn new(client: UsageClient, execution: ExecutionRef) -> Self {
        let policy = client.wait_policy().clone();
        Self {
            client,
            execution,
            policy,
            _output: PhantomData,
        }
    }

    /// The execution (or job) id.
    #[must_use]
    pub fn execution_id(&self) -> &str {
        &self.execution.execution_id
    }

    pub(crate) fn client(&self) -> &UsageClient {
        &self.client
    }

    /// What identifies the execution, enough to resume it later.
    #[must_use]
    pub fn execution(&self) -> &ExecutionRef {
        &self.execution
    }

    /// This handle with another wait policy.
    pub fn with_wait_policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// This handle with `options` applied to its polls and waits (timeout
    /// and retry policy of each poll, wait policy); what they leave unset
    /// stays as it was.
    pub fn with_options(mut self, options: &CallOptions) -> Self {
        self.client = self.client.with_options(options);
        if let Some(wait) = &options.wait {
            self.policy = wait.clone();
        }
        self
    }

    /// One poll (with the retry policy, no waiting between polls).
    ///
    /// # Errors
    /// [`Error::QueryFailed`] when the execution ended `Failed` or
    /// `Cancelled`; any error of the underlying GET.
    pub async fn poll_once(&self) -> Result<PollOutcome<T>> {
        let page = PageRequest::default();
        let response = T::fetch(&self.client, &self.execution, &page, None).await?;
        match classify(&self.execution, response)? {
            (_, Some(done)) => Ok(PollOutcome::Complete(done)),
            (status, None) => Ok(PollOutcome::Pending(status)),
        }
    }

    /// Polls until complete, following the wait policy.
    ///
    /// Cancel-safe: dropping the future (a timeout, a `select!`) stops
    /// polling and leaves the handle as it was; a later `wait()` starts a
    /// new wait (a fresh deadline) on the same execution.
    ///
    /// # Errors
    /// [`Error::QueryFailed`] on `Failed`/`Cancelled` (polling stops at
    /// once); [`Error::WaitTimeout`] at the deadline (resume with the id);
    /// [`Error::RateLimited`] when a `Retry-After` lands past the deadline;
    /// any error of the underlying GET once retries are spent.
    pub async fn wait(&self) -> Result<T> {
        self.wait_with(self.policy.clone()).await
    }

    /// As [`wait`](Self::wait), with `policy` for this wait only.
    ///
    /// # Errors
    /// As [`wait`](Self::wait); [`Error::Config`] when `policy` is unusable.
    pub async fn wait_with(&self, policy: WaitPolicy) -> Result<T> {
        let mut poller = Poller::new(self, policy);
        let outcome = async {
            poller.policy.validate()?;
            loop {
                let event = poller.step().await?;
                if let Some(result) = event.result {
                    return Ok(result);
                }
            }
        }
        .await;
        telemetry::wait(
            kind_label(self.execution.kind),
            poller.started.elapsed(),
            &outcome,
        );
        outcome
    }

    /// The polls of a wait as a stream of events; the last event carries the
    /// result. The stream ends after the result or the first error.
    pub fn progress(&self) -> impl Stream<Item = Result<PollEvent<T>>> + Send + 'static {
        let poller = Poller::new(self, self.policy.clone());
        futures_util::stream::unfold(Some(poller), |state| async move {
            let mut poller = state?;
            match poller.step().await {
                Ok(event) if event.result.is_some() => Some((Ok(event), None)),
                Ok(event) => Some((Ok(event), Some(poller))),
                Err(error) => Some((Err(error), None)),
            }
        })
    }
}

impl<T: QueryOutput> IntoFuture for QueryHandle<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.wait().await })
    }
}

/// The `kind` label of the poll and wait metrics.
fn kind_label(kind: ExecutionKind) -> &'static str {
    match kind {
        ExecutionKind::Organization => "organization",
        ExecutionKind::SimpleSearch => "simple_search",
        ExecutionKind::Client => "client",
        ExecutionKind::OrganizationJob => "organization_job",
        ExecutionKind::ClientJob => "client_job",
    }
}

/// Status text and, when complete, the result; terminal failures as errors
/// (with the correlation id of the answer that reported them).
fn classify<T: QueryOutput>(
    execution: &ExecutionRef,
    response: ApiResponse<T>,
) -> Result<(String, Option<T>)> {
    let body = response.body;
    match body.poll_state() {
        PollState::Working(status) => Ok((status, None)),
        PollState::Done(status) => Ok((status, Some(body))),
        PollState::Ended { status, error_body } => Err(Error::QueryFailed {
            execution_id: execution.execution_id.clone(),
            status,
            body: error_body,
            correlation_id: response.meta.correlation_id,
        }),
    }
}

/// The state of one wait: polls made, next delay, deadline.
struct Poller<T> {
    client: UsageClient,
    execution: ExecutionRef,
    policy: WaitPolicy,
    started: Instant,
    polls: u32,
    next_sleep: Duration,
    last_status: Option<String>,
    _output: PhantomData<fn() -> T>,
}

impl<T: QueryOutput> Poller<T> {
    fn new(handle: &QueryHandle<T>, policy: WaitPolicy) -> Self {
        Self {
            client: handle.client.clone(),
            execution: handle.execution.clone(),
            next_sleep: policy.first_poll_delay,
            policy,
            started: Instant::now(),
            polls: 0,
            last_status: None,
            _output: PhantomData,
        }
    }

    fn deadline(&self) -> Instant {
        self.started + self.policy.deadline
    }

    /// Sleeps the pending delay, polls once, and plans the next delay.
    async fn step(&mut self) -> Result<PollEvent<T>> {
        // No timer for a zero delay (the default first poll): tokio rounds a
        // sleep up to its next millisecond tick, so `sleep(0)` would delay
        // every quick query by up to a millisecond and a wake-up.
        if !self.next_sleep.is_zero() {
            tokio::time::sleep(self.next_sleep).await;
        }
        let page = PageRequest::default();
        let response =
            T::fetch(&self.client, &self.execution, &page, Some(self.deadline())).await?;
        self.polls += 1;
        let hint = response.meta.retry_after;
        let classified = classify(&self.execution, response);
        let status = match &classified {
            Ok((status, _)) => status.as_str(),
            Err(Error::QueryFailed { status, .. }) => status.as_str(),
            Err(_) => "unknown",
        };
        telemetry::poll(kind_label(self.execution.kind), status);
        let (status, result) = classified?;
        tracing::debug!(
            execution_id = %self.execution.execution_id,
            poll = self.polls,
            status = %status,
            "polled usage query"
        );
        let mut event = PollEvent {
            attempt: self.polls,
            elapsed: self.started.elapsed(),
            status: status.clone(),
            next_delay: None,
            result,
        };
        if event.result.is_some() {
            return Ok(event);
        }
        self.last_status = Some(status);
        let delay = self.plan_next_delay(hint)?;
        self.next_sleep = delay;
        event.next_delay = Some(delay);
        Ok(event)
    }

    /// The delay before the next poll, or the timeout error when the wait is over.
    fn plan_next_delay(&self, hint: Option<Duration>) -> Result<Duration> {
        let now = Instant::now();
        let deadline = self.deadline();
        let out_of_polls = self.policy.max_polls.is_some_and(|max| self.polls >= max);
        if out_of_polls || now >= deadline {
            return Err(Error::WaitTimeout {
                execution_id: self.execution.execution_id.clone(),
                elapsed: self.started.elapsed(),
                polls: self.polls,
                last_status: self.last_status.clone(),
            });
        }
        let planned = self
            .policy
            .delay_after(self.polls)
            .max(hint.unwrap_or_default());
        // One last poll exactly at the deadline rather than sleeping past it.
        Ok(planned.min(deadline - now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_delays_double_up_to_fifteen_seconds() {
        let p = WaitPolicy::default();
        let delays: Vec<u64> = (1..=7).map(|n| p.delay_after(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 15, 15, 15]);
    }

    #[test]
    fn a_fixed_policy_never_changes_its_delay() {
        let p = WaitPolicy::fixed(Duration::from_secs(5), Duration::from_secs(60));
        assert!((1..50).all(|n| p.delay_after(n) == Duration::from_secs(5)));
    }

    #[test]
    fn invalid_policies_are_refused_naming_the_field() {
        let bad = WaitPolicy {
            multiplier: f64::NAN,
            ..WaitPolicy::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("wait.multiplier")
        );
        let bad = WaitPolicy {
            max_delay: Duration::ZERO,
            ..WaitPolicy::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("wait.max_delay")
        );
    }
}
