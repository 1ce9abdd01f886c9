//! The admin API under `/__admin/` (JSON in and out): the index, health,
//! readiness, reset, shutdown, the clock and the journal. Executions and
//! faults are in [`super::admin_engine`], the data in [`super::admin_data`].
//! `docs/ADMIN.md` documents each endpoint; [`ENDPOINTS`] is the list
//! `GET /__admin/` serves (a test keeps the two, and the routes, in step).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{admin_data, admin_engine};
use crate::control::auth::{bearer, same_secret};
use crate::control::journal_filter::JournalFilter;
use crate::http::body::{parse_json, read_body};
use crate::http::error::ApiError;
use crate::serve::state::AppState;
use crate::settings::config::parse_duration;

/// The admin routes, to be nested under `/__admin`.
pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/reset", post(reset))
        .route("/shutdown", post(shutdown))
        .route("/recording/save", post(save_recording))
        .route("/clock", get(clock).post(set_clock))
        .route("/journal", get(journal).delete(clear_journal))
        .merge(admin_engine::routes())
        .merge(admin_data::routes())
        .layer(from_fn_with_state(state, require_admin_token))
}

/// `GET /__admin/` (and `/__admin`), behind the admin token like the rest:
/// a nested router's `/` does not match the path with its trailing slash,
/// so the router also mounts this at `/__admin/` itself.
pub(crate) fn index_route(state: AppState) -> axum::routing::MethodRouter<AppState> {
    get(index).layer(from_fn_with_state(state, require_admin_token))
}

/// With `--admin-token`, every admin call needs `Authorization: Bearer <token>`.
async fn require_admin_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(expected) = &state.config.admin_token {
        let presented = bearer(request.headers());
        if !presented.is_some_and(|t| same_secret(t, expected)) {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "authentication.required",
                "The admin API needs Authorization: Bearer <admin token>.",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Reads an optional JSON body of an admin call (no body = `T::default()`).
pub(super) async fn admin_body<T: DeserializeOwned + Default>(
    state: &AppState,
    request: Request,
) -> Result<T, ApiError> {
    let (parts, body) = request.into_parts();
    let bytes = read_body(body, &parts.headers, state.config.max_body_bytes).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    parse_json(&bytes)
}

/// Every admin endpoint: method, path (under the server's URL) and what it does.
const ENDPOINTS: &[(&str, &str, &str)] = &[
    ("GET", "/__admin/", "this list"),
    ("GET", "/__admin/health", "liveness: {\"status\":\"ok\"}"),
    (
        "GET",
        "/__admin/ready",
        "readiness; 503 while shutting down",
    ),
    (
        "POST",
        "/__admin/reset",
        "forget executions, scripts, faults, journal, poll records and rate windows; clock and data back as configured",
    ),
    ("POST", "/__admin/shutdown", "stop gracefully"),
    (
        "POST",
        "/__admin/recording/save",
        "--record: write the cassette now; 409 when not recording",
    ),
    ("GET", "/__admin/clock", "the emulation clock: now and mode"),
    (
        "POST",
        "/__admin/clock",
        "change the clock: {\"mode\":\"real\"|\"virtual\",\"set\":RFC 3339,\"advance\":\"30s\"|seconds}",
    ),
    (
        "GET",
        "/__admin/journal",
        "journaled requests; filters method, path, executionId, operation, status, limit",
    ),
    ("DELETE", "/__admin/journal", "empty the journal"),
    ("GET", "/__admin/executions", "every live execution"),
    ("GET", "/__admin/executions/{id}", "one execution"),
    (
        "POST",
        "/__admin/executions/{id}/state",
        "force a state: {\"state\":\"Complete\"}",
    ),
    (
        "POST",
        "/__admin/executions/{id}/advance",
        "end the current step now",
    ),
    (
        "POST",
        "/__admin/executions/{id}/lifecycle",
        "restart under a new lifecycle: {\"lifecycle\":\"running:2,complete\"}",
    ),
    (
        "GET",
        "/__admin/executions/{id}/compliance",
        "the poll-compliance report; ?minInterval=500ms",
    ),
    (
        "POST",
        "/__admin/lifecycle",
        "script lifecycles: {\"lifecycle\":\"failed\",\"for\":\"next\"|\"default\"|kind}",
    ),
    ("GET", "/__admin/faults", "the fault rules"),
    (
        "POST",
        "/__admin/faults",
        "add a fault rule (engine FaultRule JSON)",
    ),
    ("DELETE", "/__admin/faults", "remove every fault rule"),
    (
        "DELETE",
        "/__admin/faults/{faultId}",
        "remove one fault rule",
    ),
    (
        "GET",
        "/__admin/dataset",
        "the data served: records, days, organizations, clients",
    ),
    (
        "GET",
        "/__admin/scenario",
        "the running configuration as a scenario file (TOML, secrets left out)",
    ),
    (
        "PUT",
        "/__admin/dataset",
        "serve a dataset file (text/csv or application/x-ndjson); a bad one is a 400 naming line and field",
    ),
];

async fn index() -> Json<serde_json::Value> {
    let endpoints: Vec<serde_json::Value> = ENDPOINTS
        .iter()
        .map(
            |(method, path, summary)| json!({ "method": method, "path": path, "summary": summary }),
        )
        .collect();
    Json(json!({ "endpoints": endpoints, "docs": "docs/ADMIN.md" }))
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn ready(State(state): State<AppState>) -> Response {
    if *state.shutdown.borrow() {
        let error = ApiError::server_error(503).with_message("The server is shutting down.");
        return error.into_response();
    }
    Json(json!({ "ready": true })).into_response()
}

async fn reset(State(state): State<AppState>) -> Json<serde_json::Value> {
    state.reset();
    Json(json!({ "reset": true }))
}

async fn shutdown(State(state): State<AppState>) -> Response {
    tracing::info!("shutdown requested through the admin api");
    state.request_shutdown();
    (StatusCode::ACCEPTED, Json(json!({ "shuttingDown": true }))).into_response()
}

/// `--record`: writes the cassette so far (it is written on shutdown too).
async fn save_recording(State(state): State<AppState>) -> Response {
    let Some(recorder) = &state.recording else {
        return ApiError::new(
            StatusCode::CONFLICT,
            "not.recording",
            "This server is not recording; start it with --record PATH --upstream URL.",
        )
        .into_response();
    };
    // Blocking file I/O, but small and rare: an admin call, not a hot path.
    match recorder.save() {
        Ok(exchanges) => Json(json!({
            "path": recorder.path().display().to_string(),
            "exchanges": exchanges,
        }))
        .into_response(),
        Err(error) => ApiError::server_error(500)
            .with_message(format!("Cannot save the recording: {error}"))
            .into_response(),
    }
}

fn clock_view(state: &AppState) -> serde_json::Value {
    let clock = state.engine.clock();
    let mode = if clock.is_frozen() { "virtual" } else { "real" };
    json!({ "now": clock.now(), "mode": mode })
}

async fn clock(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(clock_view(&state))
}

/// Body of `POST /__admin/clock`; the parts apply in order mode, set, advance.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    mode: Option<ClockMode>,
    set: Option<DateTime<Utc>>,
    advance: Option<Advance>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ClockMode {
    Real,
    Virtual,
}

/// `"30s"` or a number of seconds.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Advance {
    Seconds(f64),
    Text(String),
}

async fn set_clock(State(state): State<AppState>, request: Request) -> Response {
    let change: ClockChange = match admin_body(&state, request).await {
        Ok(change) => change,
        Err(error) => return error.into_response(),
    };
    let advance = match change.advance {
        None => None,
        Some(Advance::Seconds(s)) => match std::time::Duration::try_from_secs_f64(s) {
            Ok(d) => Some(d),
            Err(_) => return bad_advance(&s.to_string()),
        },
        Some(Advance::Text(text)) => match parse_duration(&text) {
            Ok(d) => Some(d),
            Err(_) => return bad_advance(&text),
        },
    };
    let clock = state.engine.clock();
    match change.mode {
        Some(ClockMode::Virtual) => clock.freeze(),
        // Real time again: running, at the wall-clock time (not where a
        // virtual `set` left it).
        Some(ClockMode::Real) => {
            clock.unfreeze();
            clock.set(Utc::now());
        }
        None => {}
    }
    if let Some(at) = change.set {
        clock.set(at);
    }
    if let Some(by) = advance {
        clock.advance(by);
    }
    Json(clock_view(&state)).into_response()
}

fn bad_advance(text: &str) -> Response {
    ApiError::bad_request(
        format!("advance `{text}` is not a duration such as 30s or a number of seconds"),
        Some("advance"),
    )
    .into_response()
}

async fn journal(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
    let filter = match JournalFilter::parse(uri.query()) {
        Ok(filter) => filter,
        Err(error) => {
            return ApiError::bad_request(error.message, Some(&error.field)).into_response();
        }
    };
    let entries = state.journal.query(&filter);
    Json(json!({
        "count": entries.len(),
        "stored": state.journal.len(),
        "capacity": state.journal.capacity(),
        "entries": entries,
    }))
    .into_response()
}

async fn clear_journal(State(state): State<AppState>) -> Json<serde_json::Value> {
    state.journal.clear();
    Json(json!({ "cleared": true }))
}
