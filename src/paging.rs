//! Paged results as a [`Stream`] of rows: cursors for the simple search,
//! `nextUri` for jobs. Rows are never silently truncated.

use std::collections::HashSet;

use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt};

use crate::client::UsageClient;
use crate::error::{Error, Result};
use crate::execution::{ExecutionRef, PollState, QueryOutput};
use crate::models::{
    ApiUsageQueryResult, ApiUsageRow, ClientPublicApiUsage, ClientPublicApiUsageResultsResponse,
    OrganizationPublicApiUsage, OrganizationPublicApiUsageResultsResponse,
};
use crate::polling::QueryHandle;
use crate::transport::PageRequest;

/// A results type whose rows come in pages.
pub trait PagedOutput: QueryOutput {
    /// The row type.
    type Row: Send + 'static;

    /// The page after this one, if any.
    fn next_page(&self, page_size: Option<u32>) -> Option<PageRequest>;

    /// Takes the rows of this page.
    fn take_rows(&mut self) -> Vec<Self::Row>;

    /// Appends the rows of `later` and takes its paging links, merging pages.
    fn absorb(&mut self, later: Self);
}

impl PagedOutput for ApiUsageQueryResult {
    type Row = ApiUsageRow;

    fn next_page(&self, page_size: Option<u32>) -> Option<PageRequest> {
        let after = self.cursors.as_ref()?.after.clone()?;
        Some(PageRequest {
            page_size,
            after: Some(after),
        })
    }

    fn take_rows(&mut self) -> Vec<ApiUsageRow> {
        self.results.take().unwrap_or_default()
    }

    fn absorb(&mut self, mut later: Self) {
        let rows = later.take_rows();
        self.results.get_or_insert_with(Vec::new).extend(rows);
        self.cursors = later.cursors;
    }
}

macro_rules! jobs_paged {
    ($page:ty, $row:ty) => {
        impl PagedOutput for $page {
            type Row = $row;

            fn next_page(&self, _page_size: Option<u32>) -> Option<PageRequest> {
                // nextUri carries its own pageSize and cursor.
                self.next_uri
                    .as_deref()
                    .and_then(PageRequest::from_next_uri)
            }

            fn take_rows(&mut self) -> Vec<$row> {
                self.entities.take().unwrap_or_default()
            }

            fn absorb(&mut self, mut later: Self) {
                let rows = later.take_rows();
                self.entities.get_or_insert_with(Vec::new).extend(rows);
                self.next_uri = later.next_uri;
            }
        }
    };
}

jobs_paged!(
    OrganizationPublicApiUsageResultsResponse,
    OrganizationPublicApiUsage
);
jobs_paged!(ClientPublicApiUsageResultsResponse, ClientPublicApiUsage);

/// Pages of a complete execution from `start` on.
pub(crate) fn pages<T: PagedOutput>(
    client: UsageClient,
    execution: ExecutionRef,
    start: PageRequest,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    let page_size = start.page_size;
    let state = Some((start, HashSet::<String>::new()));
    futures_util::stream::unfold(state, move |state| {
        let client = client.clone();
        let execution = execution.clone();
        async move {
            let (page, mut seen) = state?;
            let outcome = fetch_page::<T>(&client, &execution, &page).await;
            let next = match &outcome {
                Ok(body) => body.next_page(page_size),
                Err(_) => None,
            };
            match (outcome, next) {
                (Err(error), _) => Some((Err(error), None)),
                (Ok(body), None) => Some((Ok(body), None)),
                (Ok(body), Some(next)) => {
                    // A cursor seen before would page forever: stop with an error.
                    let cursor = next.after.clone().unwrap_or_default();
                    if !seen.insert(cursor) {
                        let error = Error::invalid("after", "the service repeated a page cursor");
                        return Some((Err(error), None));
                    }
                    Some((Ok(body), Some((next, seen))))
                }
            }
        }
    })
}

async fn fetch_page<T: PagedOutput>(
    client: &UsageClient,
    execution: &ExecutionRef,
    page: &PageRequest,
) -> Result<T> {
    let response = T::fetch(client, execution, page, None).await?;
    let body = response.body;
    match body.poll_state() {
        PollState::Done(_) => Ok(body),
        PollState::Working(status) => Err(Error::invalid(
            "executionId",
            format!(
                "query {} is not complete (status {status}); wait for it before paging",
                execution.execution_id
            ),
        )),
        PollState::Ended { status, error_body } => Err(Error::QueryFailed {
            execution_id: execution.execution_id.clone(),
            status,
            body: error_body,
            correlation_id: response.meta.correlation_id,
        }),
    }
}

/// Every row of a complete execution, page after page.
pub(crate) fn rows<T: PagedOutput>(
    client: UsageClient,
    execution: ExecutionRef,
    page_size: Option<u32>,
) -> impl Stream<Item = Result<T::Row>> + Send + 'static {
    let start = PageRequest {
        page_size,
        after: None,
    };
    pages::<T>(client, execution, start)
        .map_ok(|mut page| futures_util::stream::iter(page.take_rows().into_iter().map(Ok)))
        .try_flatten()
}

/// Fetches the pages after `first` and merges them into it.
pub(crate) async fn complete_pages<T: PagedOutput>(
    client: &UsageClient,
    execution: &ExecutionRef,
    mut first: T,
) -> Result<T> {
    let Some(next) = first.next_page(None) else {
        return Ok(first);
    };
    let mut rest = std::pin::pin!(pages::<T>(client.clone(), execution.clone(), next));
    while let Some(page) = rest.next().await {
        first.absorb(page?);
    }
    Ok(first)
}

/// Collects a row stream into a `Vec`, stopping at the first error.
///
/// # Errors
/// The first error of the stream.
pub async fn collect_rows<T, S>(rows: S) -> Result<Vec<T>>
where
    S: Stream<Item = Result<T>>,
{
    rows.try_collect().await
}

impl<T: PagedOutput> QueryHandle<T> {
    /// Every row of the (complete) execution as a stream, fetching pages of
    /// `page_size` rows (the service's default when `None`).
    pub fn rows(
        &self,
        page_size: Option<u32>,
    ) -> impl Stream<Item = Result<T::Row>> + Send + 'static {
        rows::<T>(self.client().clone(), self.execution().clone(), page_size)
    }

    /// Waits for completion, then fetches every remaining page and returns
    /// one result holding all rows.
    ///
    /// # Errors
    /// As [`wait`](Self::wait), and any error of a page GET.
    pub async fn wait_all(&self) -> Result<T> {
        let first = self.wait().await?;
        complete_pages(self.client(), self.execution(), first).await
    }
}
