//! The outer middleware, around every route: correlation id, header size
//! limit, `contextId` stamping, journal, poll compliance and wire faults.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use tokio::time::Instant;

use crate::compliance::PollRecord;
use crate::error::{ApiError, PendingErrorBody};
use crate::faults::{self, KillSwitch, WireFault};
use crate::journal::{JournalEntry, redacted_headers};
use crate::pipeline::CallNote;
use crate::state::AppState;

/// The response header carrying the correlation id.
pub(crate) const CORRELATION_HEADER: &str = "inin-correlation-id";

/// What the journal keeps of a request before it is served.
struct Arrival {
    time: chrono::DateTime<Utc>,
    at: Instant,
    method: String,
    path: String,
    query: Option<String>,
    headers: std::collections::BTreeMap<String, String>,
}

pub(crate) async fn outer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let path = request.uri().path().to_owned();
    let journaled = !path.starts_with("/__admin");
    let arrival = Arrival {
        time: Utc::now(),
        at: Instant::now(),
        method: request.method().to_string(),
        query: request.uri().query().map(str::to_owned),
        headers: if journaled {
            redacted_headers(request.headers())
        } else {
            Default::default()
        },
        path,
    };
    let kill = request.extensions().get::<Arc<KillSwitch>>().cloned();
    let limit = state.config.max_header_bytes;
    let mut response = if header_bytes(request.headers()) > limit {
        ApiError::headers_too_large(limit).into_response()
    } else {
        next.run(request).await
    };
    stamp_context_id(&mut response, &correlation_id);
    if let Ok(value) = HeaderValue::from_str(&correlation_id) {
        response.headers_mut().insert(CORRELATION_HEADER, value);
    }
    let note = response
        .extensions_mut()
        .remove::<CallNote>()
        .unwrap_or_default();
    if journaled {
        record(&state, arrival, &response, &note, correlation_id);
    }
    match note.wire {
        Some(wire) => apply_wire_fault(wire, response, kill).await,
        None => response,
    }
}

/// Total size of header names and values, as the limit counts it.
fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum()
}

/// Re-renders an [`ApiError`] body with `contextId` = the correlation id.
fn stamp_context_id(response: &mut Response, correlation_id: &str) {
    let Some(PendingErrorBody(body)) = response.extensions_mut().remove::<PendingErrorBody>()
    else {
        return;
    };
    let body = body.with_context_id(correlation_id);
    if let Ok(bytes) = serde_json::to_vec(&body) {
        response.headers_mut().remove(header::CONTENT_LENGTH);
        *response.body_mut() = Body::from(bytes);
    }
}

fn record(
    state: &AppState,
    arrival: Arrival,
    response: &Response,
    note: &CallNote,
    correlation_id: String,
) {
    let answered = Instant::now();
    let retry_after_text = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    // A reset connection answers nothing: journal it as status 0.
    let status = match note.wire {
        Some(WireFault::Reset) => 0,
        _ => response.status().as_u16(),
    };
    if let (Some(terminal), Some(id)) = (note.poll, &note.execution_id) {
        let retry_after = retry_after_text
            .as_deref()
            .and_then(|v| genesys_usage::parse_retry_after(v, SystemTime::now()));
        let poll = PollRecord {
            arrived: arrival.at,
            answered,
            status,
            retry_after,
            terminal,
        };
        state.compliance.record(id, poll);
    }
    tracing::debug!(
        method = %arrival.method,
        path = %arrival.path,
        status,
        correlation_id = %correlation_id,
        fault = note.fault.as_deref().unwrap_or(""),
        "answered"
    );
    state.journal.record(JournalEntry {
        seq: state.journal.next_seq(),
        time: arrival.time,
        method: arrival.method,
        path: arrival.path,
        query: arrival.query,
        status,
        correlation_id,
        operation: note.operation.map(|op| op.as_str().to_owned()),
        execution_id: note.execution_id.clone(),
        retry_after: retry_after_text,
        fault: note.fault.clone(),
        duration_ms: u64::try_from(answered.duration_since(arrival.at).as_millis())
            .unwrap_or(u64::MAX),
        headers: arrival.headers,
    });
}

async fn apply_wire_fault(
    wire: WireFault,
    response: Response,
    kill: Option<Arc<KillSwitch>>,
) -> Response {
    let (parts, body) = response.into_parts();
    // Bodies here are in memory already, so collecting cannot wait on a peer.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let response = Response::from_parts(parts, Body::empty());
    faults::apply(wire, response, bytes, kill).await
}
