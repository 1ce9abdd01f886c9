//! Admin routes over the data the engine serves: `PUT /__admin/dataset`
//! loads a dataset file (spec §13a) from the body, `GET /__admin/dataset`
//! says what is loaded; `GET /__admin/scenario` exports the running
//! configuration as a scenario file.
//!
//! A bad file is refused whole with a 400 `ErrorBody` whose `details[]`
//! name the field and whose `messageParams` give the file, line, field and
//! rule; the data served before keeps serving. Queries already submitted
//! keep the data they were submitted against.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use genesys_usage::fake::{Dataset, DatasetError, DatasetFormat};

use crate::http::body::read_body;
use crate::http::error::ApiError;
use crate::serve::state::AppState;
use crate::settings::scenario::Scenario;

/// The largest dataset body accepted (the API's own body limit is far
/// smaller: a dataset of a million records is about 150 MB of CSV).
pub(crate) const MAX_DATASET_BYTES: usize = 1024 * 1024 * 1024;

/// What a refused body is called in its error.
const BODY_NAME: &str = "request body";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/dataset", get(summary).put(load))
        .route("/scenario", get(scenario))
}

async fn summary(State(state): State<AppState>) -> Response {
    Json(state.engine.dataset().summary()).into_response()
}

async fn load(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(format) = content_type.and_then(DatasetFormat::from_content_type) else {
        return unsupported(content_type).into_response();
    };
    let bytes = match read_body(body, &parts.headers, MAX_DATASET_BYTES).await {
        Ok(bytes) => bytes,
        Err(error) => return error.into_response(),
    };
    // A million records take about a second to check: off the async workers.
    let loaded = tokio::task::spawn_blocking(move || {
        Dataset::from_reader(BODY_NAME, format, bytes.as_ref())
    })
    .await;
    match loaded {
        Ok(Ok(dataset)) => {
            let summary = dataset.summary();
            state.tenants.set_dataset(&Arc::new(dataset));
            tracing::info!(records = ?summary.records, "dataset loaded through the admin api");
            Json(summary).into_response()
        }
        Ok(Err(error)) => refused(&error).into_response(),
        Err(_) => ApiError::server_error(500)
            .with_message("Loading the dataset failed.")
            .into_response(),
    }
}

/// `GET /__admin/scenario`: the running configuration as a scenario file
/// (TOML; secrets left out), which `--scenario` loads back to the same.
async fn scenario(State(state): State<AppState>) -> Response {
    let mut scenario = Scenario::of(&state.config);
    scenario.lifecycle = Some(state.engine.config().lifecycle.to_string());
    (
        [(header::CONTENT_TYPE, "application/toml")],
        scenario.to_toml(),
    )
        .into_response()
}

/// 415 naming the content types a dataset may have.
fn unsupported(found: Option<&str>) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported.media.type",
        format!(
            "A dataset is text/csv or application/x-ndjson (JSON Lines), got {}",
            found.unwrap_or("none")
        ),
    )
}

/// 400 with the file, line, field and rule of a refused dataset.
pub(crate) fn refused(error: &DatasetError) -> ApiError {
    let mut answer = ApiError::bad_request(
        error.to_string(),
        Some(error.field.as_deref().unwrap_or("body")),
    );
    let mut params = std::collections::BTreeMap::new();
    params.insert("file".to_owned(), error.file.clone());
    if let Some(line) = error.line {
        params.insert("line".to_owned(), line.to_string());
    }
    if let Some(field) = &error.field {
        params.insert("field".to_owned(), field.clone());
    }
    params.insert("rule".to_owned(), error.rule.clone());
    answer.body.message_params = Some(params);
    answer
}
