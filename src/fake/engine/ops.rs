//! Shared machinery of the operations: submit, poll, URIs and wire statuses.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::fake::answer::{EngineFailure, EngineReply};
use crate::fake::data::aggregate::{AggRow, QuerySpec, aggregate};
use crate::fake::data::dataset::Dataset;
use crate::fake::data::view::RowView;
use crate::fake::engine::execution::Execution;
use crate::fake::engine::state::Engine;
use crate::fake::kinds::{ExecutionState, QueryKind};
use crate::fake::script::lifecycle::Lifecycle;
use crate::models::{ErrorBody, JobStatus, QueryStatus};

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` percent-encoded as one path segment.
pub(super) fn seg(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// What one poll saw.
#[derive(Debug)]
pub(super) struct Polled {
    pub(super) id: String,
    pub(super) state: ExecutionState,
    /// The rows, once complete.
    pub(super) rows: Option<Arc<Vec<AggRow>>>,
    pub(super) view: RowView,
    /// The data the rows index into.
    pub(super) dataset: Arc<Dataset>,
    /// The JSON answer kept for the state seen, if any (see `encoded.rs`);
    /// taken under the poll's lock so a read needs no second one.
    pub(super) kept_json: Option<Arc<[u8]>>,
}

/// 202 with `body`.
pub(super) fn accepted<T>(body: T) -> EngineReply<T> {
    EngineReply { status: 202, body }
}

/// The legacy wire status: pending work shows as `Running`.
pub(super) fn legacy_status(state: ExecutionState) -> QueryStatus {
    match state {
        ExecutionState::Pending | ExecutionState::Running => QueryStatus::Running,
        ExecutionState::Complete => QueryStatus::Complete,
        ExecutionState::Failed | ExecutionState::Cancelled => QueryStatus::Failed,
    }
}

/// The jobs wire status and HTTP status (200 only once succeeded).
pub(super) fn job_status(state: ExecutionState) -> (JobStatus, u16) {
    match state {
        ExecutionState::Pending => (JobStatus::Queued, 202),
        ExecutionState::Running => (JobStatus::Running, 202),
        ExecutionState::Complete => (JobStatus::Succeeded, 200),
        ExecutionState::Failed => (JobStatus::Failed, 202),
        ExecutionState::Cancelled => (JobStatus::Cancelled, 202),
    }
}

/// The `errorBody` of a failed job.
pub(super) fn job_error(id: &str) -> ErrorBody {
    ErrorBody::new(
        500,
        "internal.server.error",
        format!("the usage query job {id} failed"),
    )
}

impl Engine {
    /// Stores a new execution of a validated query; returns its id.
    pub(super) fn submit(
        &self,
        kind: QueryKind,
        client_id: Option<&str>,
        mut query: QuerySpec,
        dataset: Arc<Dataset>,
        lifecycle: Option<Lifecycle>,
        now: DateTime<Utc>,
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        let (mut state, _) = self.lock_state();
        // Spec §13b, "Data lag": a day shows `data_lag` after its end.
        let lag = chrono::Duration::from_std(state.config.data_lag).unwrap_or_default();
        let visible = now.checked_sub_signed(lag).unwrap_or(now).date_naive();
        query.cutoff = query.cutoff.min(visible);
        let lifecycle = state.lifecycle_for(kind, lifecycle);
        let execution = Execution::new(
            id.clone(),
            kind,
            client_id.map(str::to_owned),
            query,
            dataset,
            lifecycle,
            now,
        );
        state.insert(execution);
        id
    }

    /// Polls execution `id`, which must be of one of `kinds` and belong to
    /// `client_id`; otherwise 404. `count` says whether this is a poll (a page
    /// fetch with a cursor is not). Rows are computed on first completion,
    /// outside the lock.
    pub(super) fn poll(
        &self,
        id: &str,
        kinds: &[QueryKind],
        client_id: Option<&str>,
        count: bool,
    ) -> Result<Polled, EngineFailure> {
        let (query, dataset) = match self.poll_locked(id, kinds, client_id, count)? {
            Seen::Answered(polled) => return Ok(polled),
            Seen::Unaggregated(query, dataset) => (query, dataset),
        };
        let rows = Arc::new(aggregate(&dataset, &query));
        let (mut state, _) = self.lock_state();
        if let Some(mut execution) = state.get_mut(id) {
            execution.rows.get_or_insert_with(|| Arc::clone(&rows));
        }
        Ok(Polled {
            id: id.to_owned(),
            state: ExecutionState::Complete,
            rows: Some(rows),
            view: query.view,
            dataset,
            kept_json: None,
        })
    }

    /// The poll itself, under the lock.
    fn poll_locked(
        &self,
        id: &str,
        kinds: &[QueryKind],
        client_id: Option<&str>,
        count: bool,
    ) -> Result<Seen, EngineFailure> {
        let (mut state, now) = self.lock_state();
        let mut execution = state
            .get_mut(id)
            .filter(|e| kinds.contains(&e.kind) && e.client_id.as_deref() == client_id)
            .ok_or_else(|| EngineFailure::not_found(id))?;
        let seen = if count {
            execution.poll(now)
        } else {
            execution.peek(now)
        };
        let complete = seen == ExecutionState::Complete;
        if complete && execution.rows.is_none() {
            return Ok(Seen::Unaggregated(
                Arc::clone(&execution.query),
                Arc::clone(&execution.dataset),
            ));
        }
        Ok(Seen::Answered(Polled {
            id: id.to_owned(),
            state: seen,
            rows: execution.rows.clone().filter(|_| complete),
            view: execution.query.view,
            dataset: Arc::clone(&execution.dataset),
            kept_json: match &execution.kept_json {
                Some((state, json)) if *state == seen => Some(Arc::clone(json)),
                _ => None,
            },
        }))
    }
}

/// What a poll under the lock found.
enum Seen {
    /// The answer is ready.
    Answered(Polled),
    /// Complete, but the rows are still to be computed (from this data).
    Unaggregated(Arc<QuerySpec>, Arc<Dataset>),
}
