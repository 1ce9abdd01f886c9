//! Running a subcommand: submit (or resume), wait while showing progress,
//! then fetch every page of rows.

use std::sync::{Arc, Mutex, PoisonError};

use futures_util::StreamExt;
use genesys_usage::{Error, PagedOutput, QueryHandle, UsageClient, collect_rows};

use crate::args::{Command, QueryKind, ResumeArgs};
use crate::failure::{Failure, ResumeHint};
use crate::render::Rows;
use crate::spinner::Spinner;

/// What the user sees while waiting, and which execution is in flight (so an
/// interrupt can say how to resume it).
#[derive(Debug, Default)]
pub(crate) struct Progress {
    spinner: Option<Spinner>,
    current: Arc<Mutex<Option<ResumeHint>>>,
}

impl Progress {
    /// Progress with a spinner on stderr when `spinner` is set.
    pub(crate) fn new(spinner: bool) -> Self {
        Self {
            spinner: spinner.then(|| Spinner::start("genesys-usage")),
            current: Arc::default(),
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

    /// Waits for `handle`, then returns every row of every page.
    async fn rows<T: PagedOutput>(
        &self,
        handle: QueryHandle<T>,
        kind: QueryKind,
        page_size: Option<u32>,
    ) -> Result<Vec<T::Row>, Failure> {
        let hint = ResumeHint {
            kind,
            execution_id: handle.execution_id().to_owned(),
            client_id: handle.execution().client_id.clone(),
        };
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(hint.clone());
        let what = format!("{} {}", kind.describe(), hint.execution_id);
        self.show(Some(&what), "waiting", 0);
        self.collect(&handle, page_size).await.map_err(|error| {
            // Only worth resuming when the query may still complete.
            let resumable = matches!(error, Error::WaitTimeout { .. }) || error.is_retryable();
            Failure::Sdk {
                doing: format!("waiting for {what}"),
                error,
                resume: resumable.then_some(hint),
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

/// Runs `command` to its rows.
pub(crate) async fn execute(
    command: &Command,
    client: &UsageClient,
    progress: &Progress,
) -> Result<Rows, Failure> {
    let submitting =
        |kind: QueryKind| move |e| Failure::sdk(format!("submitting the {}", kind.describe()), e);
    match command {
        Command::Query(args) => {
            let kind = QueryKind::Query;
            let handle = client
                .submit_usage_query(&args.body())
                .await
                .map_err(submitting(kind))?;
            Ok(Rows::Legacy(progress.rows(handle, kind, None).await?))
        }
        Command::Search(args) => {
            let kind = QueryKind::Search;
            let handle = client
                .submit_usage_simplesearch(&args.body())
                .await
                .map_err(submitting(kind))?;
            Ok(Rows::Legacy(
                progress.rows(handle, kind, args.page_size).await?,
            ))
        }
        Command::ClientQuery(args) => {
            let kind = QueryKind::ClientQuery;
            let handle = client
                .submit_oauth_client_usage_query(&args.client_id, &args.body())
                .await
                .map_err(submitting(kind))?;
            Ok(Rows::Legacy(progress.rows(handle, kind, None).await?))
        }
        Command::ClientSummary(args) => {
            let kind = QueryKind::ClientSummary;
            let handle = client
                .submit_oauth_client_usage_summary(&args.client_id, args.days)
                .await
                .map_err(submitting(kind))?;
            Ok(Rows::Legacy(progress.rows(handle, kind, None).await?))
        }
        Command::Jobs(args) => {
            let kind = QueryKind::Jobs;
            let handle = client
                .submit_usage_aggregates_query_job(&args.body())
                .await
                .map_err(submitting(kind))?;
            let rows = progress.rows(handle, kind, args.filters.page_size).await?;
            Ok(Rows::Organization(rows))
        }
        Command::ClientJobs(args) => {
            let kind = QueryKind::ClientJobs;
            let handle = client
                .submit_usage_client_aggregates_query_job(&args.client_id, &args.body())
                .await
                .map_err(submitting(kind))?;
            let rows = progress.rows(handle, kind, args.filters.page_size).await?;
            Ok(Rows::Client(rows))
        }
        Command::Resume(args) => resume(args, client, progress).await,
    }
}

/// `resume`: a handle from the id, then the same wait as after a submit.
async fn resume(
    args: &ResumeArgs,
    client: &UsageClient,
    progress: &Progress,
) -> Result<Rows, Failure> {
    let id = args.execution_id.as_str();
    // clap requires --client-id for the client kinds.
    let client_id = args.client_id.clone().unwrap_or_default();
    let (kind, size) = (args.kind, args.page_size);
    Ok(match kind {
        QueryKind::Query => Rows::Legacy(
            progress
                .rows(client.resume_usage_query(id), kind, size)
                .await?,
        ),
        QueryKind::Search => Rows::Legacy(
            progress
                .rows(client.resume_usage_simplesearch(id), kind, size)
                .await?,
        ),
        QueryKind::ClientQuery | QueryKind::ClientSummary => {
            let handle = client.resume_oauth_client_usage_query(client_id, id);
            Rows::Legacy(progress.rows(handle, kind, size).await?)
        }
        QueryKind::Jobs => {
            let handle = client.resume_usage_aggregates_query_job(id);
            Rows::Organization(progress.rows(handle, kind, size).await?)
        }
        QueryKind::ClientJobs => {
            let handle = client.resume_usage_client_aggregates_query_job(client_id, id);
            Rows::Client(progress.rows(handle, kind, size).await?)
        }
    })
}
