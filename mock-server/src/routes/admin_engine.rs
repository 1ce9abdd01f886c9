//! Admin routes over the engine: executions (list, read, force state,
//! advance, re-script, poll compliance), lifecycle scripts and fault rules.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use genesys_usage::fake::{
    ComplianceReport, EngineFailure, ExecutionState, FaultRule, Lifecycle, QueryKind,
};
use serde::Deserialize;
use serde_json::json;

use super::admin::admin_body;
use super::path_params;
use crate::http::body::query_param;
use crate::http::error::ApiError;
use crate::serve::state::AppState;
use crate::settings::config::parse_duration;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/executions", get(executions))
        .route("/executions/{id}", get(execution))
        .route("/executions/{id}/state", post(force_state))
        .route("/executions/{id}/advance", post(advance))
        .route("/executions/{id}/lifecycle", post(script_execution))
        .route("/executions/{id}/compliance", get(compliance))
        .route("/lifecycle", post(script_lifecycle))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/faults/{id}", delete(remove_fault))
}

/// The same 404 as the Usage API's for an unknown id.
fn unknown_execution(id: &str) -> Response {
    ApiError::from(EngineFailure::not_found(id)).into_response()
}

/// Unwraps a result whose error is already an answer.
macro_rules! try_answer {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(error) => return error.into_response(),
        }
    };
}

async fn executions(State(state): State<AppState>) -> Json<serde_json::Value> {
    let executions = state.engine.executions();
    Json(json!({ "count": executions.len(), "executions": executions }))
}

async fn execution(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id: String = try_answer!(path_params(path));
    match state.engine.execution(&id) {
        Some(info) => Json(info).into_response(),
        None => unknown_execution(&id),
    }
}

/// Body of `POST /__admin/executions/{id}/state`.
#[derive(Debug, Default, Deserialize)]
struct StateChange {
    state: String,
}

/// Accepts the engine's state names and the wire names of both families.
fn parse_state(text: &str) -> Option<ExecutionState> {
    match text.to_ascii_lowercase().as_str() {
        "pending" | "queued" => Some(ExecutionState::Pending),
        "running" => Some(ExecutionState::Running),
        "complete" | "succeeded" => Some(ExecutionState::Complete),
        "failed" => Some(ExecutionState::Failed),
        "cancelled" | "canceled" => Some(ExecutionState::Cancelled),
        _ => None,
    }
}

async fn force_state(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let id: String = try_answer!(path_params(path));
    let change: StateChange = try_answer!(admin_body(&state, request).await);
    let Some(new_state) = parse_state(&change.state) else {
        return ApiError::bad_request(
            format!(
                "state `{}` is not one of Pending, Running, Complete, Failed, Cancelled",
                change.state
            ),
            Some("state"),
        )
        .into_response();
    };
    match state.engine.force_state(&id, new_state) {
        Ok(info) => Json(info).into_response(),
        Err(failure) => ApiError::from(failure).into_response(),
    }
}

async fn advance(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id: String = try_answer!(path_params(path));
    match state.engine.advance_execution(&id) {
        Ok(info) => Json(info).into_response(),
        Err(failure) => ApiError::from(failure).into_response(),
    }
}

/// Body of the lifecycle routes: the lifecycle grammar, plus for
/// `POST /__admin/lifecycle` what it applies to.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LifecycleChange {
    lifecycle: String,
    /// `default`, `next` (the default) or a query kind: `organization`,
    /// `simpleSearch`, `client`, `clientSummary`, `organizationJobs`, `clientJobs`.
    #[serde(rename = "for")]
    target: Option<String>,
}

fn parse_lifecycle(text: &str) -> Result<Lifecycle, ApiError> {
    text.parse::<Lifecycle>()
        .map_err(|e| ApiError::bad_request(format!("Invalid lifecycle: {e}"), Some("lifecycle")))
}

async fn script_execution(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let id: String = try_answer!(path_params(path));
    let change: LifecycleChange = try_answer!(admin_body(&state, request).await);
    let lifecycle = try_answer!(parse_lifecycle(&change.lifecycle));
    match state.engine.script_execution(&id, lifecycle) {
        Ok(info) => Json(info).into_response(),
        Err(failure) => ApiError::from(failure).into_response(),
    }
}

fn parse_kind(text: &str) -> Option<QueryKind> {
    match text {
        "organization" => Some(QueryKind::Organization),
        "simpleSearch" => Some(QueryKind::SimpleSearch),
        "client" => Some(QueryKind::Client),
        "clientSummary" => Some(QueryKind::ClientSummary),
        "organizationJobs" => Some(QueryKind::OrganizationJobs),
        "clientJobs" => Some(QueryKind::ClientJobs),
        _ => None,
    }
}

async fn script_lifecycle(State(state): State<AppState>, request: Request) -> Response {
    let change: LifecycleChange = try_answer!(admin_body(&state, request).await);
    let lifecycle = try_answer!(parse_lifecycle(&change.lifecycle));
    let target = change.target.unwrap_or_else(|| "next".to_owned());
    let rendered = lifecycle.to_string();
    match target.as_str() {
        "default" => state.engine.set_default_lifecycle(lifecycle),
        "next" => state.engine.script_next(lifecycle),
        kind => match parse_kind(kind) {
            Some(kind) => state.engine.script_kind(kind, lifecycle),
            None => {
                return ApiError::bad_request(
                    format!(
                        "`for` must be default, next, organization, simpleSearch, client, \
                         clientSummary, organizationJobs or clientJobs, not `{kind}`"
                    ),
                    Some("for"),
                )
                .into_response();
            }
        },
    }
    Json(json!({ "lifecycle": rendered, "for": target })).into_response()
}

/// `?minInterval=500ms` judges by another minimum interval than the server's.
async fn compliance(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    uri: axum::http::Uri,
) -> Response {
    let id: String = try_answer!(path_params(path));
    let min_interval = match query_param(uri.query(), "minInterval") {
        None => state.compliance.min_interval(),
        Some(text) => try_answer!(parse_duration(&text).map_err(|message| {
            ApiError::bad_request(format!("minInterval: {message}"), Some("minInterval"))
        })),
    };
    match state.compliance.report_with(&id, min_interval) {
        Some(report) => Json(report).into_response(),
        None if state.engine.execution(&id).is_some() => {
            Json(ComplianceReport::unpolled(&id, min_interval)).into_response()
        }
        None => unknown_execution(&id),
    }
}

async fn faults(State(state): State<AppState>) -> Json<serde_json::Value> {
    let rules: Vec<serde_json::Value> = state
        .engine
        .fault_rules()
        .into_iter()
        .map(|(id, rule)| json!({ "id": id, "rule": rule }))
        .collect();
    Json(json!({ "count": rules.len(), "faults": rules }))
}

async fn add_fault(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = try_answer!(
        crate::http::body::read_body(body, &parts.headers, state.config.max_body_bytes).await
    );
    let rule: FaultRule = try_answer!(crate::http::body::parse_json(&bytes));
    try_answer!(rule.validate().map_err(ApiError::from));
    let shown = serde_json::to_value(&rule).unwrap_or_default();
    let id = state.engine.add_fault(rule);
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "rule": shown })),
    )
        .into_response()
}

async fn clear_faults(State(state): State<AppState>) -> Json<serde_json::Value> {
    state.engine.clear_faults();
    Json(json!({ "cleared": true }))
}

async fn remove_fault(
    State(state): State<AppState>,
    path: Result<Path<u64>, PathRejection>,
) -> Response {
    let id: u64 = try_answer!(path_params(path));
    if state.engine.remove_fault(id) {
        Json(json!({ "removed": id })).into_response()
    } else {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not.found",
            format!("No fault rule with id {id}"),
        )
        .into_response()
    }
}
