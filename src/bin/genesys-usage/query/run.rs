//! Running a subcommand: submit (or resume), wait while showing progress,
//! then fetch every page of rows.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use genesys_usage::{
    ApiUsageQueryResult, ClientPublicApiUsageResultsResponse, Error,
    OrganizationPublicApiUsageResultsResponse, PagedOutput, QueryHandle, UsageClient, collect_rows,
};

use crate::args::{Command, QueryKind, ResumeArgs};
use crate::failure::{Failure, ResumeHint};
use crate::query::render::Rows;
use crate::query::spinner::Spinner;
use crate::query::waits::Waits;

/// What the user sees while waiting, and which execution is in flight (so an
/// interrupt can say how to resume it).
#[derive(Debug, Default)]
pub(crate) struct Progress {
    spinner: Option<Spinner>,
    current: Mutex<Option<ResumeHint>>,
}

impl Progress {
    /// Progress with a spinner on stderr when `spinner` is set; it shows
    /// the rate-limit waits of `waits`.
    pub(crate) fn new(spinner: bool, waits: Waits) -> Self {
        Self {
            spinner: spinner.then(|| Spinner::start("genesys-usage", waits)),
            current: Mutex::default(),
        }
    }

    /// The execution being waited for, if any.
    pub(crate) fn current(&self) -> Option<ResumeHint> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Clears the spinner line.
    pub(crate) fn finish(&self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish();
        }
    }

    fn show(&self, what: Option<&str>, status: &str, polls: u32) {
        if let Some(spinner) = &self.spinner {
            spinner.update(what, status, polls);
        }
    }

    /// Waits for `handle` (at most `timeout`), then returns every row of every page.
    async fn rows<T: PagedOutput>(
        &self,
        handle: QueryHandle<T>,
        kind: QueryKind,
        page_size: Option<u32>,
        timeout: Duration,
    ) -> Result<Vec<T::Row>, Failure> {
        let hint = ResumeHint {
            kind,
            execution_id: handle.execution_id().to_owned(),
            client_id: handle.execution().client_id.clone(),
        };
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(hint.clone());
        // The id stays off the spinner to keep it on one line; failures print it.
        self.show(Some(kind.describe()), "waiting", 0);
        let what = format!("{} {}", kind.describe(), hint.execution_id);
        let started = tokio::time::Instant::now();
        self.collect(&handle, page_size).await.map_err(|error| {
            // A Retry-After that lands past --timeout ends the wait as the
            // deadline would (exit 6): the query itself is fine.
            let past_deadline = matches!(&error, Error::RateLimited { retry_after: Some(wait), .. }
                if started.elapsed() + *wait > timeout);
            let failure = Failure::waiting(format!("waiting for {what}"), error, hint);
            if past_deadline {
                failure.past_deadline(timeout)
            } else {
                failure
            }
        })
    }

    async fn collect<T: PagedOutput>(
        &self,
        handle: &QueryHandle<T>,
        page_size: Option<u32>,
    ) -> Result<Vec<T::Row>, Error> {
        let mut events = std::pin::pin!(handle.progress());
        while let Some(event) = events.next().await {
            let mut event = event?;
            self.show(None, &event.status, event.attempt);
            let Some(mut first) = event.result.take() else {
                continue;
            };
            // The polls already fetched the first page; page again (with the
            // requested page size) only when there are more.
            if first.next_page(None).is_none() {
                return Ok(first.take_rows());
            }
            self.show(None, "fetching pages", event.attempt);
            return collect_rows(handle.rows(page_size)).await;
        }
        Err(Error::InvalidRequest {
            field: "executionId".to_owned(),
            message: "polling ended without a result".to_owned(),
        })
    }
}

/// A handle on a submitted (or resumed) execution, by result family.
enum Submitted {
    Legacy(QueryHandle<ApiUsageQueryResult>),
    Organization(QueryHandle<OrganizationPublicApiUsageResultsResponse>),
    Client(QueryHandle<ClientPublicApiUsageResultsResponse>),
}

/// Runs `command` to its rows; `base_url` (when given) goes into the hint
/// on finding a submit whose answer was lost.
pub(crate) async fn execute(
    command: &Command,
    client: &UsageClient,
    progress: &Progress,
    base_url: Option<&str>,
) -> Result<Rows, Failure> {
    let (kind, page_size) = (command.kind(), command.page_size());
    let timeout = client.wait_policy().deadline;
    let submitted = submit(command, client).await.map_err(|e| {
        Failure::sdk(format!("submitting the {}", kind.describe()), e).lost_submit(
            kind,
            command.client_id(),
            base_url,
        )
    })?;
    Ok(match submitted {
        Submitted::Legacy(handle) => {
            Rows::Legacy(progress.rows(handle, kind, page_size, timeout).await?)
        }
        Submitted::Organization(handle) => {
            Rows::Organization(progress.rows(handle, kind, page_size, timeout).await?)
        }
        Submitted::Client(handle) => {
            Rows::Client(progress.rows(handle, kind, page_size, timeout).await?)
        }
    })
}

/// Sends the query of `command` (or, for `resume`, only builds the handle).
async fn submit(command: &Command, client: &UsageClient) -> Result<Submitted, Error> {
    Ok(match command {
        Command::Query(args) => Submitted::Legacy(client.submit_usage_query(&args.body()).await?),
        Command::Search(args) => {
            Submitted::Legacy(client.submit_usage_simplesearch(&args.body()).await?)
        }
        Command::ClientQuery(args) => Submitted::Legacy(
            client
                .submit_oauth_client_usage_query(&args.client_id, &args.body())
                .await?,
        ),
        Command::ClientSummary(args) => Submitted::Legacy(
            client
                .submit_oauth_client_usage_summary(&args.client_id, args.days)
                .await?,
        ),
        Command::Jobs(args) => Submitted::Organization(
            client
                .submit_usage_aggregates_query_job(&args.body())
                .await?,
        ),
        Command::ClientJobs(args) => Submitted::Client(
            client
                .submit_usage_client_aggregates_query_job(&args.client_id, &args.body())
                .await?,
        ),
        Command::Resume(args) => resumed(args, client),
        // main.rs runs `sync` and `export` before any query client exists.
        Command::Sync(_) | Command::Export(_) => {
            unreachable!("sync and export are not queries")
        }
    })
}

/// `resume`: a handle from the id; the wait is the same as after a submit.
fn resumed(args: &ResumeArgs, client: &UsageClient) -> Submitted {
    let id = args.execution_id.as_str();
    // clap requires --client-id for the client kinds.
    let client_id = args.client_id.clone().unwrap_or_default();
    match args.kind {
        QueryKind::Query => Submitted::Legacy(client.resume_usage_query(id)),
        QueryKind::Search => Submitted::Legacy(client.resume_usage_simplesearch(id)),
        QueryKind::ClientQuery | QueryKind::ClientSummary => {
            Submitted::Legacy(client.resume_oauth_client_usage_query(client_id, id))
        }
        QueryKind::Jobs => Submitted::Organization(client.resume_usage_aggregates_query_job(id)),
        QueryKind::ClientJobs => {
            Submitted::Client(client.resume_usage_client_aggregates_query_job(client_id, id))
        }
    }
}
