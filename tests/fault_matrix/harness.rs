//! The fault matrix's harness: one in-process `MockServer` per row, a client
//! with small retry and wait policies, a fault scheduled through the engine,
//! and what the server saw (journal, executions, poll compliance).

use std::time::{Duration, Instant};

use genesys_usage::fake::{Fault, FaultRule, FaultTrigger, Lifecycle, Operation};
use genesys_usage::{
    ApiUsageOrganizationQuery, Error, Interval, OrganizationPublicApiUsageQueryRequest,
    RetryPolicy, UsageClient, WaitPolicy,
};
use genesys_usage_mock::{Config, MockServer};
use serde_json::Value;

/// The high-level call a row runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `run_usage_query`: L1 POST, then L2 polls.
    Legacy,
    /// `run_usage_aggregates_query_job`: N1 POST, then N2 polls and pages.
    Jobs,
}

impl Op {
    pub(crate) fn submit(self) -> Operation {
        match self {
            Self::Legacy => Operation::PostUsageQuery,
            Self::Jobs => Operation::PostUsageAggregatesQueryJobs,
        }
    }

    pub(crate) fn poll(self) -> Operation {
        match self {
            Self::Legacy => Operation::GetUsageQueryExecutionIdResults,
            Self::Jobs => Operation::GetUsageAggregatesQueryJob,
        }
    }

    /// The status of a poll answer that says "not done yet".
    pub(crate) fn working_status(self) -> u16 {
        match self {
            Self::Legacy => 200,
            Self::Jobs => 202,
        }
    }

    /// Submits, calls `after_submit` with the execution id, then waits for the
    /// whole result; `Ok` carries the number of result rows.
    pub(crate) async fn run(
        self,
        client: &UsageClient,
        after_submit: &(dyn Fn(&str) + Sync),
    ) -> Result<usize, Error> {
        // Jobs refuse intervals starting more than a year ago: stay recent.
        let interval = Interval::last_days(2);
        match self {
            Self::Legacy => {
                let query = ApiUsageOrganizationQuery::new(interval);
                let handle = client.submit_usage_query(&query).await?;
                after_submit(handle.execution_id());
                let result = handle.wait().await?;
                Ok(result.results.map_or(0, |rows| rows.len()))
            }
            Self::Jobs => {
                let query = OrganizationPublicApiUsageQueryRequest {
                    interval: interval.to_string(),
                    ..Default::default()
                };
                let handle = client.submit_usage_aggregates_query_job(&query).await?;
                after_submit(handle.execution_id());
                let result = handle.wait_all().await?;
                Ok(result.entities.map_or(0, |rows| rows.len()))
            }
        }
    }
}

/// The retry policy of every row: three retries, millisecond backoff, and
/// `Retry-After` hints up to 5 s waited out, so the file runs in seconds.
pub(crate) fn retry_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        budget: Duration::from_secs(10),
        max_retry_after: Duration::from_secs(5),
    }
}

/// Polls every 20 ms, at most 20 polls, within 15 s.
pub(crate) fn wait_policy() -> WaitPolicy {
    WaitPolicy {
        max_polls: Some(20),
        ..WaitPolicy::fixed(Duration::from_millis(20), Duration::from_secs(15))
    }
}

/// The longest a row may take by its policies: the wait deadline plus the
/// submit's retry budget and one request timeout per attempt. A logical
/// bound, not a speed check.
pub(crate) const TIME_BOUND: Duration = Duration::from_secs(40);

/// A server whose executions run `lifecycle`, and a client for it.
pub(crate) struct Row {
    pub(crate) server: MockServer,
    pub(crate) client: UsageClient,
    pub(crate) op: Op,
    http: reqwest::Client,
}

impl Row {
    pub(crate) async fn start(op: Op, lifecycle: &str) -> Self {
        Self::start_with(op, lifecycle, Config::default(), None).await
    }

    pub(crate) async fn start_with(
        op: Op,
        lifecycle: &str,
        config: Config,
        timeout: Option<Duration>,
    ) -> Self {
        let server = MockServer::start(config)
            .await
            .expect("the mock server starts");
        let lifecycle: Lifecycle = lifecycle.parse().expect("a valid lifecycle");
        server.engine().set_default_lifecycle(lifecycle);
        let mut builder = UsageClient::builder()
            .base_url(server.url())
            .client_credentials("mock-client-id", "mock-client-secret")
            .retry(retry_policy())
            .wait(wait_policy());
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let client = builder.build().expect("the client builds");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an admin client builds");
        Self {
            server,
            client,
            op,
            http,
        }
    }

    /// Schedules `fault` on the next `count` requests of `operation`.
    pub(crate) fn fault(&self, operation: Operation, fault: Fault, count: u32) {
        let rule = FaultRule::new(fault)
            .on(operation)
            .when(FaultTrigger::Next(count));
        self.server.engine().add_fault(rule);
    }

    /// Runs the row's operation and collects what the server saw.
    pub(crate) async fn run(&self) -> Outcome {
        self.run_with(&|_| {}).await
    }

    /// As [`run`](Self::run), calling `after_submit` between submit and wait.
    pub(crate) async fn run_with(&self, after_submit: &(dyn Fn(&str) + Sync)) -> Outcome {
        let started = Instant::now();
        let result = self.op.run(&self.client, after_submit).await;
        let elapsed = started.elapsed();
        let posts = self.statuses(self.op.submit(), false).await;
        let polls = self.statuses(self.op.poll(), false).await;
        let pages = self.statuses(self.op.poll(), true).await;
        let tokens = self.statuses(Operation::Token, false).await.len();
        let executions: Vec<String> = self
            .server
            .engine()
            .executions()
            .into_iter()
            .map(|e| e.id)
            .collect();
        let compliance = match executions.first() {
            Some(id) => Some(self.admin(&format!("/executions/{id}/compliance")).await),
            None => None,
        };
        Outcome {
            result,
            elapsed,
            posts,
            polls,
            pages,
            tokens,
            executions,
            compliance,
        }
    }

    pub(crate) async fn admin(&self, path: &str) -> Value {
        let url = format!("{}/__admin{path}", self.server.url());
        let response = self
            .http
            .get(url)
            .send()
            .await
            .expect("the admin API answers");
        response.json().await.expect("the admin API answers JSON")
    }

    /// Statuses of the journaled requests of `operation`, oldest first:
    /// polls (no cursor) or page fetches (with one).
    async fn statuses(&self, operation: Operation, pages: bool) -> Vec<u16> {
        let journal = self
            .admin(&format!("/journal?operation={}", operation.as_str()))
            .await;
        let entries = journal["entries"].as_array().cloned().unwrap_or_default();
        entries
            .iter()
            .filter(|e| {
                let query = e["query"].as_str().unwrap_or("");
                query.contains("after=") == pages
            })
            .filter_map(|e| e["status"].as_u64().and_then(|s| u16::try_from(s).ok()))
            .collect()
    }
}

/// What one row produced.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) result: Result<usize, Error>,
    pub(crate) elapsed: Duration,
    /// Status of each submit the server received (0 = connection reset).
    pub(crate) posts: Vec<u16>,
    /// Status of each poll the server received.
    pub(crate) polls: Vec<u16>,
    /// Status of each page fetch (jobs only).
    pub(crate) pages: Vec<u16>,
    /// Token requests the server received.
    pub(crate) tokens: usize,
    /// Executions the server holds.
    pub(crate) executions: Vec<String>,
    /// The poll-compliance report of the first execution.
    pub(crate) compliance: Option<Value>,
}

impl Outcome {
    /// The run succeeded, within the time bound, with one execution whose
    /// polls all honoured `Retry-After` and stopped at the terminal answer.
    pub(crate) fn assert_completed(&self) {
        assert!(
            self.result.is_ok(),
            "expected a result, got {:?}",
            self.result
        );
        assert_eq!(self.executions.len(), 1, "exactly one execution: {self:?}");
        assert!(
            self.pages.iter().all(|s| *s == 200),
            "page fetches: {self:?}"
        );
        self.assert_within_bound();
        self.assert_compliant();
    }

    pub(crate) fn assert_within_bound(&self) {
        assert!(self.elapsed < TIME_BOUND, "took {:?}", self.elapsed);
    }

    /// The server's compliance report agrees: `Retry-After` honoured and no
    /// poll after the terminal answer.
    pub(crate) fn assert_compliant(&self) {
        let report = self.compliance.as_ref().expect("a compliance report");
        assert_eq!(report["allHonoured"], true, "{report}");
        assert_eq!(report["pollsAfterTerminal"], 0, "{report}");
    }

    /// The error of a failed run.
    pub(crate) fn error(&self) -> &Error {
        match &self.result {
            Ok(rows) => panic!("expected an error, got {rows} rows: {self:?}"),
            Err(error) => error,
        }
    }
}
