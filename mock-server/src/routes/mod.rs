//! The router: Usage routes, the token endpoint, the admin API, and the
//! Genesys-shaped 404 / 405 fallbacks (the outer middleware wraps them all:
//! see [`crate::http::middleware::Outer`]).

use axum::Router;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;
use crate::serve::state::AppState;

mod admin;
mod admin_data;
mod admin_engine;
mod jobs;
mod oauth;
mod usage;

/// Every route over `state`, without the outer middleware.
pub(crate) fn routes(state: AppState) -> Router {
    let mut router = if state.recording.is_some() {
        // The proxy forwards the token request too.
        crate::cassette::record::routes()
    } else if state.replay.is_some() {
        crate::cassette::replay::routes().merge(oauth::routes())
    } else {
        usage::routes().merge(jobs::routes()).merge(oauth::routes())
    };
    if state.config.admin {
        router = router
            .nest("/__admin", admin::routes(state.clone()))
            .route("/__admin/", admin::index_route(state.clone()));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found(uri: Uri) -> Response {
    ApiError::not_found(uri.path()).into_response()
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    ApiError::method_not_allowed(method.as_str(), uri.path()).into_response()
}

/// Path parameters, or a 400 when they cannot be decoded (e.g. bad UTF-8).
pub(crate) fn path_params<T: DeserializeOwned + Send>(
    path: Result<Path<T>, PathRejection>,
) -> Result<T, ApiError> {
    path.map(|Path(value)| value).map_err(|rejection| {
        ApiError::bad_request(
            format!(
                "The path parameters are not valid: {}",
                rejection.body_text()
            ),
            None,
        )
    })
}
