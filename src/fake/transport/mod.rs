//! [`FakeTransport`]: the [`UsageTransport`] contract over an in-memory [`Engine`].

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

mod builder;
mod calls;

use crate::error::{Error, Result};
use crate::fake::answer::{EngineFailure, EngineReply};
use crate::fake::compliance::{ComplianceReport, ComplianceTracker, PollRecord};
use crate::fake::engine::Engine;
use crate::fake::operation::Operation;
use crate::fake::script::faults::Fault;
use crate::models::{
    ApiUsageQueryResult, JobStatus, OrganizationUsageQueryResponse, PublicApiUsageResultsResponse,
    QueryStatus, UsageExecutionResult,
};
use crate::transport::{ApiResponse, PageRequest, ResponseMeta, error_from_answer};
use calls::{outcome_of, spoils_answer, spoilt};

pub use builder::FakeTransportBuilder;
pub use calls::{CallOutcome, CallRecord};

/// The Usage API in memory: every [`UsageTransport`](crate::UsageTransport)
/// call goes to an [`Engine`], with the same typed answers and errors as
/// `HttpTransport` against the mock server. Cheap to clone (clones share the
/// engine and the call record).
///
/// ```
/// # tokio_test_block_on(async {
/// use genesys_usage::{ApiUsageOrganizationQuery, UsageTransport};
/// use genesys_usage::fake::FakeTransport;
///
/// let fake = FakeTransport::new();
/// let query = ApiUsageOrganizationQuery::new("2024-01-01/2024-01-08");
/// let submitted = fake.post_usage_query(&query).await.unwrap();
/// assert_eq!(submitted.meta.status, 202);
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct FakeTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    engine: Arc<Engine>,
    latency: Option<Duration>,
    calls: Mutex<Vec<CallRecord>>,
    compliance: ComplianceTracker,
}

impl Default for FakeTransport {
    fn default() -> Self {
        Self::new()
    }
}

/// What a call is about, for the record and the fault rules.
#[derive(Debug, Clone, Copy)]
struct CallArgs<'a> {
    op: Operation,
    execution_id: Option<&'a str>,
    client_id: Option<&'a str>,
    page: Option<&'a PageRequest>,
    days: Option<&'a str>,
}

impl<'a> CallArgs<'a> {
    fn new(op: Operation) -> Self {
        Self {
            op,
            execution_id: None,
            client_id: None,
            page: None,
            days: None,
        }
    }
}

/// What the fake needs of an answer body.
pub(crate) trait FakeBody: Serialize + DeserializeOwned {
    /// The id a submit created.
    fn created_id(&self) -> Option<&str> {
        None
    }
    /// Replaces `queryStatus` (the `UnknownStatus` fault); no-op for submits.
    fn set_status(&mut self, _text: &str) {}
    /// The body tells a terminal state (results answers only).
    fn is_terminal(&self) -> bool {
        false
    }
}

impl FakeBody for UsageExecutionResult {
    fn created_id(&self) -> Option<&str> {
        self.execution_id.as_deref()
    }
}

impl FakeBody for OrganizationUsageQueryResponse {
    fn created_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl FakeBody for ApiUsageQueryResult {
    fn set_status(&mut self, text: &str) {
        self.query_status = Some(QueryStatus::from_wire(text));
    }
    fn is_terminal(&self) -> bool {
        matches!(
            self.query_status,
            Some(QueryStatus::Complete | QueryStatus::Failed)
        )
    }
}

impl<R: Serialize + DeserializeOwned> FakeBody for PublicApiUsageResultsResponse<R> {
    fn set_status(&mut self, text: &str) {
        self.query_status = JobStatus::from_wire(text);
    }
    fn is_terminal(&self) -> bool {
        matches!(
            self.query_status,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

fn meta(status: u16, correlation_id: &str, retry_after: Option<Duration>) -> ResponseMeta {
    ResponseMeta {
        status,
        correlation_id: Some(correlation_id.to_owned()),
        retry_after,
        rate_limit: None,
    }
}

/// The SDK error for an engine failure, exactly as `HttpTransport` builds it.
fn failure_error(
    failure: EngineFailure,
    correlation_id: &str,
    retry_after: Option<Duration>,
) -> Error {
    let body = failure.body.with_context_id(correlation_id);
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    error_from_answer(
        failure.status,
        &bytes,
        meta(failure.status, correlation_id, retry_after),
    )
}

impl FakeTransport {
    /// A fake on a default engine: seed 42, every query completes on its third poll.
    #[must_use]
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A builder with the defaults.
    pub fn builder() -> FakeTransportBuilder {
        FakeTransportBuilder::default()
    }

    /// A fake over an existing (possibly shared) engine.
    #[must_use]
    pub fn from_engine(engine: Arc<Engine>) -> Self {
        Self::with_parts(engine, None, ComplianceTracker::default())
    }

    pub(super) fn with_parts(
        engine: Arc<Engine>,
        latency: Option<Duration>,
        compliance: ComplianceTracker,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                engine,
                latency,
                calls: Mutex::new(Vec::new()),
                compliance,
            }),
        }
    }

    /// The engine: script lifecycles, force states, add faults, move the clock.
    #[must_use]
    pub fn engine(&self) -> &Arc<Engine> {
        &self.inner.engine
    }

    fn calls_lock(&self) -> MutexGuard<'_, Vec<CallRecord>> {
        self.inner
            .calls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every call made so far, in order.
    #[must_use]
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls_lock().clone()
    }

    /// The calls of one operation.
    #[must_use]
    pub fn calls_of(&self, operation: Operation) -> Vec<CallRecord> {
        self.calls_lock()
            .iter()
            .filter(|c| c.operation == operation)
            .cloned()
            .collect()
    }

    /// Forgets the calls made so far (and the polls of the compliance reports).
    pub fn clear_calls(&self) {
        self.calls_lock().clear();
        self.inner.compliance.clear();
    }

    /// How execution `id` was polled through this fake: `Retry-After`s
    /// honoured, the minimum interval kept (1 s unless
    /// [`min_poll_interval`](FakeTransportBuilder::min_poll_interval) says
    /// otherwise), no poll after the terminal state; the same report as the
    /// mock server's `GET /__admin/executions/{id}/compliance`. Times are
    /// tokio's, so paused test time counts as the client waited it. `None`
    /// when `id` was neither polled here nor is a live execution.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true)
    /// #     .build().unwrap().block_on(async {
    /// use genesys_usage::fake::{FakeTransport, Lifecycle, Terminal};
    /// use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient};
    ///
    /// let fake = FakeTransport::builder().lifecycle(Lifecycle::polls(0, 2, Terminal::Complete)).build();
    /// let client = UsageClient::with_transport(fake.clone());
    /// let handle = client.submit_usage_query(&ApiUsageOrganizationQuery::new(Interval::last_days(7))).await?;
    /// let id = handle.execution_id().to_owned();
    /// handle.await?;
    /// let report = fake.compliance(&id).unwrap();
    /// assert!(report.compliant, "{report:?}");
    /// assert_eq!(report.polls, 3);
    /// # Ok::<(), genesys_usage::Error>(()) }).unwrap();
    /// ```
    #[must_use]
    pub fn compliance(&self, id: &str) -> Option<ComplianceReport> {
        let tracker = &self.inner.compliance;
        tracker.report(id).or_else(|| {
            let live = self.engine().execution(id).is_some();
            live.then(|| ComplianceReport::unpolled(id, tracker.min_interval()))
        })
    }

    fn record(
        &self,
        args: CallArgs<'_>,
        fault: Option<Fault>,
        outcome: CallOutcome,
        created: Option<String>,
        at: chrono::DateTime<chrono::Utc>,
    ) {
        self.calls_lock().push(CallRecord {
            operation: args.op,
            execution_id: args.execution_id.map(str::to_owned).or(created),
            client_id: args.client_id.map(str::to_owned),
            page: args.page.cloned(),
            days: args.days.map(str::to_owned),
            fault,
            outcome,
            at,
        });
    }

    /// One call: latency, fault, the engine, the answer, the record.
    async fn call<T: FakeBody>(
        &self,
        args: CallArgs<'_>,
        run: impl FnOnce(&Engine) -> std::result::Result<EngineReply<T>, EngineFailure>,
    ) -> Result<ApiResponse<T>> {
        let at = self.engine().clock().now();
        let arrived = tokio::time::Instant::now();
        if let Some(refusal) = refuse_empty(&args) {
            self.record(args, None, CallOutcome::Refused, None, at);
            return Err(refusal);
        }
        if let Some(latency) = self.inner.latency {
            tokio::time::sleep(latency).await;
        }
        let fault = self.engine().take_fault(args.op, args.execution_id);
        let result = self.answer(fault.as_ref(), run).await;
        let status = result.as_ref().map_or(0, |r| r.meta.status);
        let created = result
            .as_ref()
            .ok()
            .and_then(|r| r.body.created_id())
            .map(str::to_owned);
        let outcome = outcome_of(&result, status);
        self.record_poll(&args, arrived, outcome, &result);
        self.record(args, fault, outcome, created, at);
        result
    }

    /// Keeps a poll (a results GET without a cursor) for the compliance report.
    fn record_poll<T: FakeBody>(
        &self,
        args: &CallArgs<'_>,
        arrived: tokio::time::Instant,
        outcome: CallOutcome,
        result: &Result<ApiResponse<T>>,
    ) {
        let paged = args.page.is_some_and(|p| p.after.is_some());
        let Some(id) = args.execution_id.filter(|_| args.op.is_poll() && !paged) else {
            return;
        };
        let status = match outcome {
            CallOutcome::Status(s) | CallOutcome::Decode(s) => s,
            CallOutcome::Transport(_) => 0,
            CallOutcome::Refused => return,
        };
        let poll = PollRecord {
            arrived,
            answered: tokio::time::Instant::now(),
            status,
            retry_after: result.as_ref().err().and_then(Error::retry_after),
            terminal: result.as_ref().is_ok_and(|r| r.body.is_terminal()),
        };
        self.inner.compliance.record(id, poll);
    }

    async fn answer<T: FakeBody>(
        &self,
        fault: Option<&Fault>,
        run: impl FnOnce(&Engine) -> std::result::Result<EngineReply<T>, EngineFailure>,
    ) -> Result<ApiResponse<T>> {
        let correlation_id = uuid::Uuid::new_v4().to_string();
        if let Some(failure) = fault.and_then(Fault::error_answer) {
            let retry_after = match fault {
                Some(Fault::RateLimited { retry_after }) => retry_after.delay(),
                _ => None,
            };
            return Err(failure_error(failure, &correlation_id, retry_after));
        }
        if let Some(Fault::Latency { delay } | Fault::SlowBody { delay }) = fault {
            tokio::time::sleep(*delay).await;
        }
        let outcome = run(self.engine());
        if let Some(fault) = fault.filter(|f| spoils_answer(Some(f))) {
            return Err(spoil::<T>(fault, outcome, &correlation_id));
        }
        match outcome {
            Ok(mut reply) => {
                if let Some(Fault::UnknownStatus { status }) = fault {
                    reply.body.set_status(status);
                }
                Ok(ApiResponse {
                    body: reply.body,
                    meta: meta(reply.status, &correlation_id, None),
                })
            }
            Err(failure) => Err(failure_error(failure, &correlation_id, None)),
        }
    }
}

/// The error of an answer that `fault` spoilt after the engine answered.
fn spoil<T: FakeBody>(
    fault: &Fault,
    outcome: std::result::Result<EngineReply<T>, EngineFailure>,
    correlation_id: &str,
) -> Error {
    let (status, bytes) = match outcome {
        Ok(reply) => (reply.status, serde_json::to_vec(&reply.body)),
        Err(f) => (
            f.status,
            serde_json::to_vec(&f.body.with_context_id(correlation_id)),
        ),
    };
    spoilt::<T>(
        fault,
        &bytes.unwrap_or_default(),
        meta(status, correlation_id, None),
    )
}

/// The SDK refuses to send an empty path parameter (as `HttpTransport` does).
fn refuse_empty(args: &CallArgs<'_>) -> Option<Error> {
    let id_field = if args.op.as_str().contains("aggregates") {
        "jobId"
    } else {
        "executionId"
    };
    [(id_field, args.execution_id), ("clientId", args.client_id)]
        .into_iter()
        .find(|(_, value)| value.is_some_and(str::is_empty))
        .map(|(field, _)| Error::invalid(field, "must not be empty"))
}

mod usage_impl;
