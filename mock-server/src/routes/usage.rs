//! The legacy query service, L1–L7, mapped onto the tenants.engine(input.tenant).

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use genesys_usage::fake::{EncodedResult, EngineReply, Operation};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult, ApiUsageSimpleSearch,
    UsageExecutionResult,
};

use super::path_params;
use crate::http::error::ApiError;
use crate::http::pipeline::{Answer, Call};
use crate::serve::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/usage/query", post(post_usage_query))
        .route(
            "/api/v2/usage/query/{executionId}/results",
            get(get_usage_query_execution_id_results),
        )
        .route("/api/v2/usage/simplesearch", post(post_usage_simplesearch))
        .route(
            "/api/v2/usage/simplesearch/{executionId}/results",
            get(get_usage_simplesearch_execution_id_results),
        )
        .route(
            "/api/v2/oauth/clients/{clientId}/usage/query",
            post(post_oauth_client_usage_query),
        )
        .route(
            "/api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}",
            get(get_oauth_client_usage_query_result),
        )
        .route(
            "/api/v2/oauth/clients/{clientId}/usage/summary",
            get(get_oauth_client_usage_summary),
        )
}

/// The answer of a legacy submit (L1, L3, L5, L7).
fn submitted(reply: EngineReply<UsageExecutionResult>) -> Result<Answer, ApiError> {
    let id = reply.body.execution_id.clone();
    Ok(Answer::json(reply.status, &reply.body)?.execution(id))
}

/// The answer of a legacy results GET (L2, L4, L6).
fn results(reply: EngineReply<ApiUsageQueryResult>) -> Result<Answer, ApiError> {
    let terminal = reply
        .body
        .query_status
        .as_ref()
        .is_some_and(|s| matches!(s.as_str(), "Complete" | "Failed"));
    Ok(Answer::json(reply.status, &reply.body)?.terminal(terminal))
}

/// The answer of a legacy results GET that the engine encoded (L2, L6): a
/// complete result's JSON is encoded once and shared by every later poll.
fn encoded_results(reply: EncodedResult) -> Answer {
    let terminal = matches!(reply.query_status.as_str(), "Complete" | "Failed");
    Answer::bytes(reply.status, Bytes::from_owner(reply.json)).terminal(terminal)
}

async fn post_usage_query(State(state): State<AppState>, request: Request) -> Response {
    let tenants = &state.tenants;
    Call::new(Operation::PostUsageQuery, None)
        .run(&state, request, move |input| {
            let query: ApiUsageOrganizationQuery = input.json()?;
            submitted(
                tenants
                    .engine(input.tenant)
                    .post_usage_query(&query, input.lifecycle.clone())?,
            )
        })
        .await
}

async fn get_usage_query_execution_id_results(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let id = match path_params(path) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(Operation::GetUsageQueryExecutionIdResults, Some(id.clone()))
        .run(&state, request, move |input| {
            Ok(encoded_results(
                tenants
                    .engine(input.tenant)
                    .get_usage_query_execution_id_results_json(&id)?,
            ))
        })
        .await
}

async fn post_usage_simplesearch(State(state): State<AppState>, request: Request) -> Response {
    let tenants = &state.tenants;
    Call::new(Operation::PostUsageSimplesearch, None)
        .run(&state, request, move |input| {
            let query: ApiUsageSimpleSearch = input.json()?;
            submitted(
                tenants
                    .engine(input.tenant)
                    .post_usage_simplesearch(&query, input.lifecycle.clone())?,
            )
        })
        .await
}

async fn get_usage_simplesearch_execution_id_results(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let id = match path_params(path) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(
        Operation::GetUsageSimplesearchExecutionIdResults,
        Some(id.clone()),
    )
    .run(&state, request, move |input| {
        let page = input.page()?;
        results(
            tenants
                .engine(input.tenant)
                .get_usage_simplesearch_execution_id_results(&id, &page)?,
        )
    })
    .await
}

async fn post_oauth_client_usage_query(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let client_id = match path_params(path) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(Operation::PostOauthClientUsageQuery, None)
        .run(&state, request, move |input| {
            let query: ApiUsageClientQuery = input.json()?;
            let lifecycle = input.lifecycle.clone();
            submitted(
                tenants
                    .engine(input.tenant)
                    .post_oauth_client_usage_query(&client_id, &query, lifecycle)?,
            )
        })
        .await
}

async fn get_oauth_client_usage_query_result(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let (client_id, id) = match path_params(path) {
        Ok(ids) => ids,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(Operation::GetOauthClientUsageQueryResult, Some(id.clone()))
        .run(&state, request, move |input| {
            Ok(encoded_results(
                tenants
                    .engine(input.tenant)
                    .get_oauth_client_usage_query_result_json(&client_id, &id)?,
            ))
        })
        .await
}

async fn get_oauth_client_usage_summary(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let client_id = match path_params(path) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(Operation::GetOauthClientUsageSummary, None)
        .run(&state, request, move |input| {
            let days = input.query_param("days");
            let lifecycle = input.lifecycle.clone();
            submitted(
                tenants
                    .engine(input.tenant)
                    .get_oauth_client_usage_summary(&client_id, days.as_deref(), lifecycle)?,
            )
        })
        .await
}
