//! The jobs query service, N1–N4, mapped onto the tenants.engine(input.tenant).

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use genesys_usage::fake::{EngineReply, Operation};
use genesys_usage::{
    ClientPublicApiUsageQueryRequest, JobStatus, OrganizationPublicApiUsageQueryRequest,
    OrganizationUsageQueryResponse, PublicApiUsageResultsResponse,
};
use serde::Serialize;

use super::path_params;
use crate::http::error::ApiError;
use crate::http::pipeline::{Answer, Call};
use crate::serve::state::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v2/usage/aggregates/query/jobs",
            post(post_usage_aggregates_query_jobs),
        )
        .route(
            "/api/v2/usage/aggregates/query/jobs/{jobId}",
            get(get_usage_aggregates_query_job),
        )
        .route(
            "/api/v2/usage/client/{clientId}/aggregates/query/jobs",
            post(post_usage_client_aggregates_query_jobs),
        )
        .route(
            "/api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}",
            get(get_usage_client_aggregates_query_job),
        )
}

fn submitted(reply: EngineReply<OrganizationUsageQueryResponse>) -> Result<Answer, ApiError> {
    let id = Some(reply.body.id.clone());
    Ok(Answer::json(reply.status, &reply.body)?.execution(id))
}

fn results<R: Serialize>(
    reply: EngineReply<PublicApiUsageResultsResponse<R>>,
) -> Result<Answer, ApiError> {
    let terminal = is_terminal(&reply.body.query_status);
    Ok(Answer::json(reply.status, &reply.body)?.terminal(terminal))
}

fn is_terminal(status: &JobStatus) -> bool {
    matches!(status.as_str(), "Succeeded" | "Failed" | "Cancelled")
}

async fn post_usage_aggregates_query_jobs(
    State(state): State<AppState>,
    request: Request,
) -> Response {
    let tenants = &state.tenants;
    Call::new(Operation::PostUsageAggregatesQueryJobs, None)
        .run(&state, request, move |input| {
            let query: OrganizationPublicApiUsageQueryRequest = input.json()?;
            submitted(
                tenants
                    .engine(input.tenant)
                    .post_usage_aggregates_query_jobs(&query, input.lifecycle.clone())?,
            )
        })
        .await
}

async fn get_usage_aggregates_query_job(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let id = match path_params(path) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(Operation::GetUsageAggregatesQueryJob, Some(id.clone()))
        .run(&state, request, move |input| {
            let page = input.page()?;
            results(
                tenants
                    .engine(input.tenant)
                    .get_usage_aggregates_query_job(&id, &page)?,
            )
        })
        .await
}

async fn post_usage_client_aggregates_query_jobs(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    request: Request,
) -> Response {
    let client_id = match path_params(path) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(Operation::PostUsageClientAggregatesQueryJobs, None)
        .run(&state, request, move |input| {
            let query: ClientPublicApiUsageQueryRequest = input.json()?;
            let lifecycle = input.lifecycle.clone();
            submitted(
                tenants
                    .engine(input.tenant)
                    .post_usage_client_aggregates_query_jobs(&client_id, &query, lifecycle)?,
            )
        })
        .await
}

async fn get_usage_client_aggregates_query_job(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let (client_id, id) = match path_params(path) {
        Ok(ids) => ids,
        Err(error) => return error.into_response(),
    };
    let tenants = &state.tenants;
    Call::new(
        Operation::GetUsageClientAggregatesQueryJob,
        Some(id.clone()),
    )
    .run(&state, request, move |input| {
        let page = input.page()?;
        results(
            tenants
                .engine(input.tenant)
                .get_usage_client_aggregates_query_job(&client_id, &id, &page)?,
        )
    })
    .await
}
