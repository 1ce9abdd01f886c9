//! What identifies an execution, and how each result type is polled.

use std::future::Future;
use std::pin::Pin;

use tokio::time::Instant;

use crate::client::UsageClient;
use crate::error::{Error, Result};
use crate::models::{
    ApiUsageQueryResult, ClientPublicApiUsageResultsResponse, ErrorBody, JobStatus,
    OrganizationPublicApiUsageResultsResponse, QueryStatus,
};
use crate::transport::{ApiResponse, PageRequest};

/// The kind of a query execution, which decides the GET that polls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExecutionKind {
    /// Organisation query (L1), polled with L2.
    Organization,
    /// Simple search (L3), polled and paged with L4.
    SimpleSearch,
    /// OAuth-client query (L5) or summary (L7), polled with L6.
    Client,
    /// Organisation jobs query (N1), polled and paged with N2.
    OrganizationJob,
    /// Client jobs query (N3), polled and paged with N4.
    ClientJob,
}

/// Everything needed to poll an execution again, e.g. after a
/// [`Error::WaitTimeout`] or in another process.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExecutionRef {
    /// Which family and GET.
    pub kind: ExecutionKind,
    /// The execution (or job) id.
    pub execution_id: String,
    /// The OAuth client id, for the client kinds.
    pub client_id: Option<String>,
}

impl ExecutionRef {
    /// An execution of `kind` with no client id.
    #[must_use]
    pub fn new(kind: ExecutionKind, execution_id: impl Into<String>) -> Self {
        Self {
            kind,
            execution_id: execution_id.into(),
            client_id: None,
        }
    }

    /// An execution of a client kind.
    #[must_use]
    pub fn for_client(
        kind: ExecutionKind,
        client_id: impl Into<String>,
        execution_id: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            execution_id: execution_id.into(),
            client_id: Some(client_id.into()),
        }
    }

    fn client_id(&self) -> Result<&str> {
        self.client_id
            .as_deref()
            .ok_or_else(|| Error::invalid("clientId", "this execution kind needs a client id"))
    }

    fn wrong_kind(&self, wanted: &str) -> Error {
        Error::invalid(
            "kind",
            format!("{:?} executions do not give {wanted}", self.kind),
        )
    }
}

/// How a poll answer reads: still working, done, or ended without results.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PollState {
    /// Not finished; the wire status. Unknown statuses land here, so a new
    /// intermediate state added by Genesys does not break waiting.
    Working(String),
    /// Complete; the wire status.
    Done(String),
    /// `Failed` or `Cancelled`: will never complete.
    Ended {
        /// The wire status.
        status: String,
        /// The job's `errorBody`, if any.
        error_body: Option<Box<ErrorBody>>,
    },
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::models::ApiUsageQueryResult {}
    impl Sealed for crate::models::OrganizationPublicApiUsageResultsResponse {}
    impl Sealed for crate::models::ClientPublicApiUsageResultsResponse {}
}

/// A boxed future borrowing the client, as returned by [`QueryOutput::fetch`].
pub type FetchFuture<'a, T> = Pin<Box<dyn Future<Output = Result<ApiResponse<T>>> + Send + 'a>>;

/// A results type that can be polled: the legacy [`ApiUsageQueryResult`] and
/// the two jobs results pages. Sealed.
pub trait QueryOutput: Sized + Send + Sync + 'static + sealed::Sealed {
    /// One GET of `execution`'s results (`page` for the paged kinds).
    fn fetch<'a>(
        client: &'a UsageClient,
        execution: &'a ExecutionRef,
        page: &'a PageRequest,
        deadline: Option<Instant>,
    ) -> FetchFuture<'a, Self>;

    /// How this answer reads.
    fn poll_state(&self) -> PollState;
}

impl QueryOutput for ApiUsageQueryResult {
    fn fetch<'a>(
        client: &'a UsageClient,
        execution: &'a ExecutionRef,
        page: &'a PageRequest,
        deadline: Option<Instant>,
    ) -> FetchFuture<'a, Self> {
        let id = execution.execution_id.as_str();
        Box::pin(async move {
            match execution.kind {
                ExecutionKind::Organization => {
                    client.get_usage_query_results_until(id, deadline).await
                }
                ExecutionKind::SimpleSearch => {
                    client
                        .get_simplesearch_results_until(id, page, deadline)
                        .await
                }
                ExecutionKind::Client => {
                    client
                        .get_client_results_until(execution.client_id()?, id, deadline)
                        .await
                }
                _ => Err(execution.wrong_kind("legacy results")),
            }
        })
    }

    fn poll_state(&self) -> PollState {
        match &self.query_status {
            Some(QueryStatus::Complete) => PollState::Done("Complete".into()),
            Some(QueryStatus::Failed) => PollState::Ended {
                status: "Failed".into(),
                error_body: None,
            },
            Some(other) => PollState::Working(other.as_str().to_owned()),
            // No status at all: rows mean done (the status is optional in the swagger).
            None if self.results.is_some() => PollState::Done("Complete".into()),
            None => PollState::Working("Running".into()),
        }
    }
}

fn job_state(status: &JobStatus, error_body: Option<&ErrorBody>) -> PollState {
    match status {
        JobStatus::Succeeded => PollState::Done("Succeeded".into()),
        JobStatus::Failed | JobStatus::Cancelled => PollState::Ended {
            status: status.as_str().to_owned(),
            error_body: error_body.cloned().map(Box::new),
        },
        other => PollState::Working(other.as_str().to_owned()),
    }
}

impl QueryOutput for OrganizationPublicApiUsageResultsResponse {
    fn fetch<'a>(
        client: &'a UsageClient,
        execution: &'a ExecutionRef,
        page: &'a PageRequest,
        deadline: Option<Instant>,
    ) -> FetchFuture<'a, Self> {
        Box::pin(async move {
            if execution.kind != ExecutionKind::OrganizationJob {
                return Err(execution.wrong_kind("organisation jobs results"));
            }
            client
                .get_org_job_until(&execution.execution_id, page, deadline)
                .await
        })
    }

    fn poll_state(&self) -> PollState {
        job_state(&self.query_status, self.error_body.as_ref())
    }
}

impl QueryOutput for ClientPublicApiUsageResultsResponse {
    fn fetch<'a>(
        client: &'a UsageClient,
        execution: &'a ExecutionRef,
        page: &'a PageRequest,
        deadline: Option<Instant>,
    ) -> FetchFuture<'a, Self> {
        Box::pin(async move {
            if execution.kind != ExecutionKind::ClientJob {
                return Err(execution.wrong_kind("client jobs results"));
            }
            let client_id = execution.client_id()?;
            client
                .get_client_job_until(client_id, &execution.execution_id, page, deadline)
                .await
        })
    }

    fn poll_state(&self) -> PollState {
        job_state(&self.query_status, self.error_body.as_ref())
    }
}
