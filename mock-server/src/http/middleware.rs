//! The outer middleware, around every route: correlation id, header size
//! limit, `contextId` stamping, journal, poll compliance and wire faults.
//!
//! It wraps the whole router once ([`Outer`]) rather than each route (as
//! `Router::layer` would): then a request pays for one routing and no
//! per-route clone of a boxed middleware service, and the accept loop can hand
//! it the connection's [`KillSwitch`] directly instead of through request
//! extensions.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use genesys_usage::fake::PollRecord;
use tokio::time::Instant;

use crate::control::journal::{CorrelationId, EntryBuffers, JournalEntry, JournalHeaders};
use crate::control::redact::redact_query;
use crate::http::error::{ApiError, PendingErrorBody};
use crate::http::faults::{self, KillSwitch, WireFault};
use crate::http::pipeline::{CallNote, with_call_note};
use crate::routes::routes;
use crate::serve::state::AppState;

/// The response header carrying the correlation id.
pub(crate) const CORRELATION_HEADER: HeaderName = HeaderName::from_static("inin-correlation-id");

/// What the journal keeps of a request before it is served.
struct Arrival {
    time: chrono::DateTime<Utc>,
    at: Instant,
    method: Method,
    path: String,
    query: Option<String>,
    headers: JournalHeaders,
}

/// The routes behind the outer middleware; cheap to clone (two `Arc`s).
#[derive(Debug, Clone)]
pub(crate) struct Outer {
    state: AppState,
    routes: Router,
}

impl Outer {
    pub(crate) fn new(state: AppState) -> Self {
        Self {
            routes: routes(state.clone()),
            state,
        }
    }

    /// The application as one axum [`Router`] (for `oneshot` and any
    /// server); without a kill switch a `reset` fault fails the body instead.
    pub(crate) fn into_router(self) -> Router {
        Router::new().fallback_service(tower::service_fn(move |request: Request| {
            let outer = self.clone();
            async move { Ok::<_, Infallible>(outer.serve(request, None).await) }
        }))
    }

    /// Answers one request; `kill` resets the connection (the `reset` fault).
    pub(crate) fn serve(
        &self,
        request: Request,
        kill: Option<Arc<KillSwitch>>,
    ) -> impl Future<Output = Response> + Send + '_ {
        outer(&self.state, &self.routes, request, kill)
    }
}

/// The middleware: what can be decided at once is, here, and the routes are
/// called now; the returned future holds only what the answer needs (hyper
/// moves it into the connection's slot on every request: smaller is cheaper).
fn outer<'a>(
    state: &'a AppState,
    routes: &Router,
    request: Request,
    kill: Option<Arc<KillSwitch>>,
) -> impl Future<Output = Response> + Send + 'a {
    let correlation_id = CorrelationId::new();
    let journaled = !request.uri().path().starts_with("/__admin");
    // Admin calls are not journaled: keep nothing of them.
    let arrival = journaled.then(|| {
        let (path, headers) = EntryBuffers::take().fill(request.uri().path(), request.headers());
        Arrival {
            time: Utc::now(),
            at: Instant::now(),
            method: request.method().clone(),
            path,
            query: request.uri().query().map(|q| redact_query(q).into_owned()),
            headers,
        }
    });
    let limit = state.config.max_header_bytes;
    let answering = (header_bytes(request.headers()) <= limit)
        .then(|| with_call_note(tower::Service::call(&mut routes.clone(), request)));
    async move {
        let (mut response, mut note) = match answering {
            Some(answering) => match answering.await {
                (Ok(response), note) => (response, note),
                (Err(never), _) => match never {},
            },
            None => (
                ApiError::headers_too_large(limit).into_response(),
                CallNote::default(),
            ),
        };
        let mut buffer = [0u8; 36];
        let correlation_text = correlation_id.encode(&mut buffer);
        stamp_context_id(&mut response, correlation_text);
        // A recording proxy passes the upstream's own id back: that is the
        // one its support can look up.
        if let (false, Ok(value)) = (
            response.headers().contains_key(CORRELATION_HEADER),
            HeaderValue::from_str(correlation_text),
        ) {
            response.headers_mut().insert(CORRELATION_HEADER, value);
        }
        if let Some(arrival) = arrival {
            record(state, arrival, &response, &mut note, correlation_id);
        }
        match note.wire {
            // Boxed: rare, and inline it would enlarge every request's future.
            Some(wire) => Box::pin(apply_wire_fault(wire, response, kill)).await,
            None => response,
        }
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
    note: &mut CallNote,
    correlation_id: CorrelationId,
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
        seq: 0, // given by the journal
        time: arrival.time,
        method: arrival.method,
        path: arrival.path,
        query: arrival.query,
        status,
        correlation_id,
        operation: note.operation,
        execution_id: note.execution_id.take(),
        retry_after: retry_after_text,
        fault: note.fault.take(),
        unmatched: response
            .extensions()
            .get::<crate::cassette::replay::Unmatched>()
            .map(|u| u.0.clone()),
        duration_ms: u64::try_from(answered.duration_since(arrival.at).as_millis())
            .unwrap_or(u64::MAX),
        headers: arrival.headers,
        body: note.body.take(),
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
