//! The path of every API call, in order: body limit → bearer auth → rate
//! limit → fault (header, else engine rule) → lifecycle header → the route's
//! handler (content type, JSON, engine) → answer-shaping faults.
//!
//! The handler is a plain closure from [`CallInput`] to [`Answer`]; what the
//! outer middleware needs (journal, compliance, wire faults) travels back in a
//! [`CallNote`] through a task-local slot ([`with_call_note`]).

use std::cell::Cell;
use std::future::Future;

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Either, Ready, ready};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use genesys_usage::fake::{Fault, Lifecycle, Operation, RetryAfterHint};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::control::auth::{TokenCheck, bearer};
use crate::control::rate_limit::RateDecision;
use crate::control::redact::JournalBody;
use crate::http::body::{page_request, parse_json, query_param, read_body, require_json};
use crate::http::error::ApiError;
use crate::http::faults::{FAULT_HEADER, WireFault, fault_name, parse_fault_header};
use crate::serve::state::AppState;

/// The request header that scripts the lifecycle of the execution a submit creates.
pub(crate) const LIFECYCLE_HEADER: HeaderName = HeaderName::from_static("x-mock-lifecycle");

tokio::task_local! {
    /// The [`CallNote`] of the request being served, left by its pipeline for
    /// the outer middleware. A task-local rather than a response extension
    /// (which costs a map and a box on every request): the middleware awaits
    /// the routes inline, so the pipeline always runs inside its scope.
    static CALL_NOTE: Cell<Option<CallNote>>;
}

/// Runs `routes` (the future answering one request) and returns its output
/// with the [`CallNote`] its pipeline left (the default when none ran, e.g.
/// an admin call or a 404).
///
/// A plain function returning the scoped future (not an `async fn`, which
/// would hold `routes` twice): every request's future carries this one, and
/// is moved and boxed along the way, so its size counts.
pub(crate) fn with_call_note<F: Future>(routes: F) -> impl Future<Output = (F::Output, CallNote)> {
    // `map` rather than an `async` block, which would hold `routes` twice.
    CALL_NOTE.scope(
        Cell::new(None),
        routes.map(|output| {
            let note = CALL_NOTE.with(Cell::take).unwrap_or_default();
            (output, note)
        }),
    )
}

/// Leaves `note` for the outer middleware (dropped when nothing collects it).
pub(crate) fn leave_call_note(note: CallNote) {
    let _ = CALL_NOTE.try_with(|slot| slot.set(Some(note)));
}

/// What the outer middleware learns about a call.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallNote {
    pub(crate) operation: Option<Operation>,
    pub(crate) execution_id: Option<String>,
    pub(crate) fault: Option<String>,
    pub(crate) wire: Option<WireFault>,
    /// `Some(terminal)` when the call was a poll (a results GET without a cursor).
    pub(crate) poll: Option<bool>,
    /// The request body as the journal keeps it (POSTs).
    pub(crate) body: Option<JournalBody>,
}

/// A JSON answer of any status.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
    /// The execution the call created or read.
    pub(crate) execution_id: Option<String>,
    /// The body tells the client a terminal state.
    pub(crate) terminal: bool,
}

impl Answer {
    pub(crate) fn json<T: Serialize>(status: u16, body: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(body).map_err(|e| {
            ApiError::server_error(500).with_message(format!("cannot encode the answer: {e}"))
        })?;
        Ok(Self::bytes(status, Bytes::from(body)))
    }

    /// An answer whose JSON is already encoded (e.g. shared by the engine).
    pub(crate) fn bytes(status: u16, body: Bytes) -> Self {
        Self {
            status,
            body,
            execution_id: None,
            terminal: false,
        }
    }

    pub(crate) fn execution(mut self, id: Option<String>) -> Self {
        self.execution_id = id;
        self
    }

    pub(crate) fn terminal(mut self, terminal: bool) -> Self {
        self.terminal = terminal;
        self
    }
}

/// The parts of a request a handler reads.
#[derive(Debug)]
pub(crate) struct CallInput {
    pub(crate) headers: HeaderMap,
    pub(crate) query: Option<String>,
    pub(crate) body: Bytes,
    /// From `X-Mock-Lifecycle`, on calls that create an execution.
    pub(crate) lifecycle: Option<Lifecycle>,
    /// The tenant of the caller's token (0 for unauthenticated calls).
    pub(crate) tenant: usize,
}

impl CallInput {
    /// The JSON body as `T`: 415 unless `application/json`, 400 naming the field.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        require_json(&self.headers)?;
        parse_json(&self.body)
    }

    pub(crate) fn query_param(&self, name: &str) -> Option<String> {
        query_param(self.query.as_deref(), name)
    }

    pub(crate) fn page(&self) -> Result<genesys_usage::PageRequest, ApiError> {
        page_request(self.query.as_deref())
    }
}

/// A call past authentication, rate limiting and fault selection.
struct Admitted {
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
    fault: Option<Fault>,
    /// The bearer token, kept only when a fault may revoke it.
    token: Option<String>,
    tenant: usize,
}

/// How a call authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// A bearer token issued by `/oauth/token` (every Usage route).
    Bearer,
    /// None (the token endpoint checks client credentials itself).
    None,
}

/// One call: which operation, on which execution, how authenticated.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) operation: Operation,
    pub(crate) execution_id: Option<String>,
    pub(crate) auth: Auth,
    /// The call creates an execution (so `X-Mock-Lifecycle` applies).
    pub(crate) creates: bool,
}

impl Call {
    pub(crate) fn new(operation: Operation, execution_id: Option<String>) -> Self {
        let creates = matches!(
            operation,
            Operation::PostUsageQuery
                | Operation::PostUsageSimplesearch
                | Operation::PostOauthClientUsageQuery
                | Operation::GetOauthClientUsageSummary
                | Operation::PostUsageAggregatesQueryJobs
                | Operation::PostUsageClientAggregatesQueryJobs
        );
        Self {
            operation,
            execution_id,
            auth: Auth::Bearer,
            creates,
        }
    }

    pub(crate) fn unauthenticated(mut self) -> Self {
        self.auth = Auth::None;
        self
    }

    /// Runs the call through the pipeline.
    ///
    /// A request without a body and without a fault waits for nothing: it is
    /// answered here, and the future returned is a ready one. Reading a body
    /// or a fault's delay make the (boxed) slow path. Axum moves every
    /// request's future into a box of its own, so keeping the common one
    /// small keeps it cheap to move and on the allocator's fast path.
    pub(crate) fn run<'a, F>(
        mut self,
        state: &'a AppState,
        request: Request,
        handler: F,
    ) -> Either<BoxFuture<'a, Response>, Ready<Response>>
    where
        F: FnOnce(&CallInput) -> Result<Answer, ApiError> + Send + 'a,
    {
        let (parts, body) = request.into_parts();
        let query = parts.uri.query().map(str::to_owned);
        let is_poll = is_results_get(self.operation)
            && query_param(query.as_deref(), "after").is_none_or(|a| a.is_empty());
        let mut note = CallNote {
            operation: Some(self.operation),
            execution_id: self.execution_id.take(),
            poll: is_poll.then_some(false),
            ..CallNote::default()
        };
        let mut rate = None;
        if parts.method == Method::POST {
            // Reading the body may wait on the peer.
            return Either::Left(Box::pin(async move {
                let admitted = read_body(body, &parts.headers, state.config.max_body_bytes)
                    .await
                    .and_then(|body| {
                        note.body = JournalBody::capture(&body, &parts.headers);
                        self.admit_call(state, parts.headers, query, body, &mut note, &mut rate)
                    });
                self.finish(state, admitted, handler, note, rate).await
            }));
        }
        let admitted = self.admit_call(
            state,
            parts.headers,
            query,
            Bytes::new(),
            &mut note,
            &mut rate,
        );
        if matches!(&admitted, Ok(Admitted { fault: Some(_), .. })) {
            return Either::Left(Box::pin(self.finish(state, admitted, handler, note, rate)));
        }
        let result = admitted.and_then(|admitted| self.answer(admitted, handler, &mut note));
        Either::Right(ready(respond(result, note, rate)))
    }

    /// A fault's delay or answer, then the handler.
    async fn finish<F>(
        self,
        state: &AppState,
        admitted: Result<Admitted, ApiError>,
        handler: F,
        mut note: CallNote,
        rate: Option<RateDecision>,
    ) -> Response
    where
        F: FnOnce(&CallInput) -> Result<Answer, ApiError>,
    {
        let result = match admitted {
            Ok(admitted) => {
                let waited = match &admitted.fault {
                    Some(fault) => before_handler(state, fault, admitted.token.as_deref()).await,
                    None => Ok(()),
                };
                waited.and_then(|()| self.answer(admitted, handler, &mut note))
            }
            Err(error) => Err(error),
        };
        respond(result, note, rate)
    }

    /// Bearer check, rate limit and the fault of this call, in that order.
    fn admit_call(
        &self,
        state: &AppState,
        headers: HeaderMap,
        query: Option<String>,
        body: Bytes,
        note: &mut CallNote,
        rate: &mut Option<RateDecision>,
    ) -> Result<Admitted, ApiError> {
        let (token, tenant) = self.admit(state, &headers, rate)?;
        let fault = self.take_fault(state, &headers, note.execution_id.as_deref())?;
        note.fault = fault.as_ref().map(fault_name);
        // Only a fault (`token-expired`) still needs the token.
        let token = fault.as_ref().and(token).map(str::to_owned);
        Ok(Admitted {
            headers,
            query,
            body,
            fault,
            token,
            tenant,
        })
    }

    /// The lifecycle header, then the handler, then answer-shaping faults.
    fn answer<F>(
        &self,
        admitted: Admitted,
        handler: F,
        note: &mut CallNote,
    ) -> Result<Answer, ApiError>
    where
        F: FnOnce(&CallInput) -> Result<Answer, ApiError>,
    {
        let lifecycle = self.lifecycle(&admitted.headers)?;
        let input = CallInput {
            headers: admitted.headers,
            query: admitted.query,
            body: admitted.body,
            lifecycle,
            tenant: admitted.tenant,
        };
        // Wire faults spoil whatever answer comes, success or error.
        note.wire = admitted.fault.as_ref().and_then(WireFault::from_fault);
        let answer = handler(&input)?;
        Ok(reshape_status(
            answer,
            admitted.fault.as_ref(),
            self.operation,
        ))
    }

    /// Bearer check, rate limit and permissions; the token and tenant of
    /// an admitted call.
    fn admit<'h>(
        &self,
        state: &AppState,
        headers: &'h HeaderMap,
        rate: &mut Option<RateDecision>,
    ) -> Result<(Option<&'h str>, usize), ApiError> {
        if self.auth == Auth::None {
            return Ok((None, 0));
        }
        let token = authenticate(state, headers)?;
        if let Some(limiter) = &state.limiter {
            let decision = limiter.check(token);
            *rate = Some(decision);
            if decision.exceeded() {
                return Err(rate_limited(&decision));
            }
        }
        let holder = state.tokens.holder(token).unwrap_or(0);
        let Some((credential, tenant)) = state.tenants.credential(holder) else {
            return Ok((Some(token), 0));
        };
        if let Some(needed) = crate::settings::scenario::needed_permissions(self.operation) {
            if !credential.holds_any(needed) {
                return Err(ApiError::missing_permissions(needed));
            }
        }
        Ok((Some(token), *tenant))
    }

    fn take_fault(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        execution_id: Option<&str>,
    ) -> Result<Option<Fault>, ApiError> {
        match headers.get(FAULT_HEADER) {
            Some(value) => {
                let text = String::from_utf8_lossy(value.as_bytes());
                parse_fault_header(&text).map(Some).map_err(|message| {
                    ApiError::bad_request(
                        format!("Invalid X-Mock-Fault header: {message}"),
                        Some("X-Mock-Fault"),
                    )
                })
            }
            None => Ok(state.engine.take_fault(self.operation, execution_id)),
        }
    }

    fn lifecycle(&self, headers: &HeaderMap) -> Result<Option<Lifecycle>, ApiError> {
        if !self.creates {
            return Ok(None);
        }
        let Some(value) = headers.get(LIFECYCLE_HEADER) else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(value.as_bytes());
        text.trim().parse::<Lifecycle>().map(Some).map_err(|e| {
            ApiError::bad_request(
                format!("Invalid X-Mock-Lifecycle header: {e}"),
                Some("X-Mock-Lifecycle"),
            )
        })
    }
}

fn is_results_get(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::GetUsageQueryExecutionIdResults
            | Operation::GetUsageSimplesearchExecutionIdResults
            | Operation::GetOauthClientUsageQueryResult
            | Operation::GetUsageAggregatesQueryJob
            | Operation::GetUsageClientAggregatesQueryJob
    )
}

/// The bearer token of a request if it is one we issued and it is unexpired.
fn authenticate<'h>(state: &AppState, headers: &'h HeaderMap) -> Result<&'h str, ApiError> {
    let Some(token) = bearer(headers) else {
        return Err(if headers.contains_key(header::AUTHORIZATION) {
            ApiError::bad_credentials()
        } else {
            ApiError::authentication_required()
        });
    };
    match state.tokens.check(token) {
        TokenCheck::Valid => Ok(token),
        TokenCheck::Unknown | TokenCheck::Expired => Err(ApiError::bad_credentials()),
        TokenCheck::Revoked => Err(ApiError::bad_credentials().with_message(
            "Invalid login credentials: this access token was revoked by a token-expired fault \
             (X-Mock-Fault or an admin fault rule); get a new one from /oauth/token.",
        )),
    }
}

fn rate_limited(decision: &RateDecision) -> ApiError {
    ApiError::too_many_requests(
        decision.reset_secs,
        Some(HeaderValue::from(decision.reset_secs)),
    )
}

/// Faults that answer instead of the handler (with the engine's own error
/// bodies, so the fake and the server say the same), or delay it.
async fn before_handler(
    state: &AppState,
    fault: &Fault,
    token: Option<&str>,
) -> Result<(), ApiError> {
    if let Fault::Latency { delay } = fault {
        tokio::time::sleep(*delay).await;
        return Ok(());
    }
    let Some(failure) = fault.error_answer() else {
        return Ok(());
    };
    let mut error = ApiError::from(failure);
    if let (Fault::TokenExpired, Some(token)) = (fault, token) {
        state.tokens.revoke(token);
        // Say so: the token stays refused for every later call.
        let said = error.body.message.take().unwrap_or_default();
        error = error.with_message(format!(
            "{said} The token-expired fault revoked this token: get a new one from /oauth/token."
        ));
    }
    if let Fault::RateLimited { retry_after } = fault {
        error.retry_after = retry_after_header(retry_after);
    }
    Err(error)
}

fn retry_after_header(hint: &RetryAfterHint) -> Option<HeaderValue> {
    match hint {
        RetryAfterHint::Seconds(secs) => Some(HeaderValue::from(*secs)),
        RetryAfterHint::HttpDate(secs) => {
            let when = std::time::SystemTime::now() + std::time::Duration::from_secs(*secs);
            HeaderValue::from_str(&httpdate::fmt_http_date(when)).ok()
        }
        RetryAfterHint::Absent => None,
    }
}

/// The `UnknownStatus` fault: a successful results answer with its
/// `queryStatus` replaced by the given text.
fn reshape_status(mut answer: Answer, fault: Option<&Fault>, operation: Operation) -> Answer {
    let Some(Fault::UnknownStatus { status }) = fault else {
        return answer;
    };
    if !is_results_get(operation) || !is_success(answer.status) {
        return answer;
    }
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&answer.body) {
        if let Some(object) = value.as_object_mut() {
            object.insert("queryStatus".into(), status.clone().into());
            if let Ok(body) = serde_json::to_vec(&value) {
                answer.body = Bytes::from(body);
            }
            answer.terminal = false;
        }
    }
    answer
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The response of a call, with its rate-limit headers; leaves its note.
fn respond(
    result: Result<Answer, ApiError>,
    mut note: CallNote,
    rate: Option<RateDecision>,
) -> Response {
    let mut response = match result {
        Ok(Answer {
            status,
            body,
            execution_id,
            terminal,
        }) => {
            if execution_id.is_some() {
                note.execution_id = execution_id;
            }
            if note.poll.is_some() {
                note.poll = Some(terminal);
            }
            json_response(status, body)
        }
        Err(error) => error.into_response(),
    };
    if let Some(decision) = rate {
        decision.write_headers(response.headers_mut());
    }
    leave_call_note(note);
    response
}

pub(crate) fn json_response(status: u16, body: Bytes) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The common call (no body, no fault) is answered before its future is
    /// polled: the future axum boxes for every request must stay small.
    #[test]
    fn a_call_without_body_or_fault_has_a_small_future() {
        let state = AppState::new(crate::settings::config::Config::default());
        let future = Call::new(Operation::GetUsageQueryExecutionIdResults, None).run(
            &state,
            Request::new(Body::empty()),
            |_: &CallInput| Answer::json(200, &"unused"),
        );
        let size = std::mem::size_of_val(&future);
        assert!(size <= 512, "the pipeline's future grew to {size} bytes");
    }
}
