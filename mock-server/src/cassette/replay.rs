//! The Usage routes of `--replay`: each of the 11 operations answered from
//! the [`ReplayBook`](super::book::ReplayBook) through the same pipeline as
//! the engine's routes (bearer check, rate limit, faults, journal,
//! compliance), so replay composes with the admin API.

use std::sync::Mutex;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use genesys_usage::ErrorBody;
use genesys_usage::cassette::{Exchange, RecordedError, RecordedRequest, route};
use genesys_usage::fake::Operation;
use serde_json::Value;

use super::book::{Lookup, ReplayBook, substitute};
use crate::control::auth::lock;
use crate::http::error::ApiError;
use crate::http::pipeline::{Answer, Call, CallInput};
use crate::routes::path_params;
use crate::serve::state::AppState;

/// Put on a response no recording matched; the journal shows it.
#[derive(Debug, Clone)]
pub(crate) struct Unmatched(pub(crate) String);

/// The 11 Usage routes, answered from the cassette.
pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for op in Operation::ALL {
        if op == Operation::Token {
            continue;
        }
        let (method, template) = route(op);
        let handler =
            move |State(state): State<AppState>,
                  path: Result<Path<Vec<(String, String)>>, PathRejection>,
                  request: Request| async move { serve(op, state, path, request).await };
        router = match method {
            "GET" => router.route(template, get(handler)),
            _ => router.route(template, post(handler)),
        };
    }
    router
}

async fn serve(
    op: Operation,
    state: AppState,
    path: Result<Path<Vec<(String, String)>>, PathRejection>,
    request: Request,
) -> Response {
    let params = match path_params(path) {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    let Some(book) = state.replay.as_ref() else {
        return ApiError::server_error(500).into_response();
    };
    let execution_id = params
        .iter()
        .find(|(name, _)| name == "executionId" || name == "jobId")
        .map(|(_, id)| id.clone());
    let unmatched = Mutex::new(None);
    let mut response = Call::new(op, execution_id)
        .run(&state, request, |input| {
            answer(book, op, &params, input, &unmatched)
        })
        .await;
    if let Some(reason) = lock(&unmatched).take() {
        response.extensions_mut().insert(Unmatched(reason));
    }
    response
}

fn answer(
    book: &ReplayBook,
    op: Operation,
    params: &[(String, String)],
    input: &CallInput,
    unmatched: &Mutex<Option<String>>,
) -> Result<Answer, ApiError> {
    let request = recorded_request(op, params, input)?;
    let lookup = if op.is_submit() {
        book.submit(op, &request)
    } else {
        book.results(op, &request)
    };
    match lookup {
        Lookup::Found { exchange, ids } => serve_exchange(exchange, ids),
        Lookup::UnknownExecution(id) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not.found",
            format!("No execution {id} was started in this replay"),
        )),
        Lookup::Unmatched(reason) => {
            *lock(unmatched) = Some(reason.clone());
            let status = if route(op).0 == "POST" {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::NOT_FOUND
            };
            let code = if status == StatusCode::BAD_REQUEST {
                "bad.request"
            } else {
                "not.found"
            };
            Err(ApiError::new(status, code, format!("Replay: {reason}")))
        }
    }
}

/// The incoming request in the cassette's terms.
fn recorded_request(
    op: Operation,
    params: &[(String, String)],
    input: &CallInput,
) -> Result<RecordedRequest, ApiError> {
    let values: Vec<&str> = params.iter().map(|(_, v)| v.as_str()).collect();
    let query: Vec<(String, String)> = input
        .query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let query: Vec<(&str, Option<String>)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), Some(v.clone())))
        .collect();
    let body = if route(op).0 == "POST" {
        Some(input.json::<Value>()?)
    } else {
        None
    };
    Ok(RecordedRequest::for_call(op, &values, &query, body))
}

/// The recorded answer, with the fresh execution id in place of the recorded one.
fn serve_exchange(exchange: &Exchange, ids: Option<(String, String)>) -> Result<Answer, ApiError> {
    let swap = |value: &Value| match &ids {
        Some((fresh, recorded)) => substitute(value, recorded, fresh),
        None => value.clone(),
    };
    let fresh = ids.as_ref().map(|(fresh, _)| fresh.clone());
    let Some(response) = &exchange.response else {
        return Err(recorded_failure(exchange.error.as_ref()));
    };
    let status = response.status;
    if (200..300).contains(&status) {
        let (bytes, terminal) = match &response.body {
            Some(body) => {
                let body = swap(body);
                let terminal = body
                    .get("queryStatus")
                    .and_then(Value::as_str)
                    .is_some_and(|s| {
                        matches!(s, "Complete" | "Failed" | "Succeeded" | "Cancelled")
                    });
                (serde_json::to_vec(&body).unwrap_or_default(), terminal)
            }
            None => (
                response.body_text.clone().unwrap_or_default().into_bytes(),
                false,
            ),
        };
        return Ok(Answer::bytes(status, Bytes::from(bytes))
            .execution(fresh)
            .terminal(terminal));
    }
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = response
        .body
        .as_ref()
        .map(&swap)
        .and_then(|b| serde_json::from_value::<ErrorBody>(b).ok());
    let mut error = match body {
        Some(body) => ApiError {
            status: code,
            body: Box::new(body),
            retry_after: None,
        },
        None => ApiError::new(
            code,
            "replayed.error",
            response.body_text.clone().unwrap_or_default(),
        ),
    };
    error.retry_after = response
        .headers
        .get("retry-after")
        .and_then(|v| axum::http::HeaderValue::from_str(v).ok());
    Err(error)
}

/// A recorded call that had no HTTP answer: served as the nearest HTTP
/// equivalent (`docs/FIDELITY.md`, "Replay").
fn recorded_failure(error: Option<&RecordedError>) -> ApiError {
    let message = match error {
        Some(RecordedError::Transport { kind, message, .. }) => {
            format!("The recording has no answer here (transport error, {kind}: {message})")
        }
        Some(RecordedError::Decode { snippet, .. }) => {
            format!("The recording has an undecodable answer here: {snippet}")
        }
        Some(other) => format!("The recording has no answer here: {other:?}"),
        None => "The recording has no answer here".to_owned(),
    };
    ApiError::new(StatusCode::BAD_GATEWAY, "bad.gateway", message)
}
