//! `--record PATH --upstream URL`: the server as a recording proxy.
//!
//! Every Usage request and the token request are forwarded to the upstream
//! (the real service, or any server such as another mock) and answered with
//! the upstream's answer, as it came: status, headers, body. Each exchange is
//! written down in the SDK's cassette format ([`Recorder`]); the cassette is
//! saved on shutdown and on `POST /__admin/recording/save`.
//!
//! What never reaches the file: the token request's form (it holds the
//! secret), the token answer's body (it holds the token), any
//! `Authorization` header (no request header is recorded at all). A token
//! exchange is kept as "a token was issued to client id X, valid N s". As a
//! last line of defence every secret and token the proxy saw is also
//! replaced by `<redacted>` wherever it might appear in a saved string.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use genesys_usage::cassette::{
    Cassette, CassetteError, Exchange, Pseudonymiser, RecordedError, RecordedRequest, TokenGrant,
    route,
};
use genesys_usage::fake::Operation;

use super::written::{
    described, recorded_response, token_credentials, token_exchange, transport_error,
};
use crate::control::auth::{bearer, lock};
use crate::http::body::read_body;
use crate::http::error::ApiError;
use crate::http::pipeline::{CallNote, leave_call_note};
use crate::routes::path_params;
use crate::serve::state::AppState;
use crate::settings::cassette::RecordConfig;

/// The longest an upstream gets to answer one request.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(120);
/// The longest a connection to the upstream may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Request headers passed on to the upstream: what the service reads, and
/// the mock's own steering headers (so a mock upstream can be scripted).
/// Hop-by-hop headers, `Host` and `Accept-Encoding` (the proxy reads the
/// body) stay behind.
const FORWARDED: &[&str] = &["authorization", "content-type", "accept", "user-agent"];

/// Response headers not passed back: hop-by-hop ones, and the length
/// (the body is re-framed).
const NOT_RETURNED: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "te",
    "trailer",
    "upgrade",
    "proxy-authenticate",
];

/// The recording: where it goes, the client to the upstream and the
/// exchanges so far.
#[derive(Debug)]
pub(crate) struct Recorder {
    config: RecordConfig,
    /// `Err` when no HTTP client could be built (every request then gets 502).
    client: Result<reqwest::Client, String>,
    exchanges: Mutex<Vec<Exchange>>,
    /// Secrets and tokens seen, scrubbed from every saved string; memory only.
    seen: Mutex<BTreeSet<String>>,
    /// `--pseudonymise`: the run's mapping of user ids and client names.
    pseudonyms: Option<Mutex<Pseudonymiser>>,
}

impl Recorder {
    pub(crate) fn new(config: RecordConfig) -> Self {
        let mut builder = reqwest::Client::builder();
        if is_loopback(&config.upstream) && is_loopback(&config.login_url()) {
            // A local upstream (a mock, a test) is never reached through
            // the environment's proxy; a real one may need it.
            builder = builder.no_proxy();
        }
        let client = builder
            .timeout(UPSTREAM_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirect is the upstream's answer, passed back as it is.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string());
        let pseudonyms = config
            .pseudonymise
            .then(|| Mutex::new(Pseudonymiser::new()));
        Self {
            config,
            client,
            exchanges: Mutex::new(Vec::new()),
            seen: Mutex::new(BTreeSet::new()),
            pseudonyms,
        }
    }

    /// What has been recorded so far, scrubbed (and pseudonymised when asked).
    pub(crate) fn cassette(&self) -> Cassette {
        let mut cassette = Cassette {
            recorder: Some(format!(
                "genesys-usage-mock {} --record",
                env!("CARGO_PKG_VERSION")
            )),
            exchanges: lock(&self.exchanges).clone(),
            ..Cassette::new()
        };
        for secret in lock(&self.seen).iter() {
            cassette.scrub(secret, "<redacted>");
        }
        if let Some(pseudonyms) = &self.pseudonyms {
            lock(pseudonyms).apply(&mut cassette);
        }
        cassette
    }

    /// Writes the cassette to the `--record` path; how many exchanges it holds.
    pub(crate) fn save(&self) -> Result<usize, CassetteError> {
        let cassette = self.cassette();
        cassette.save(&self.config.path)?;
        Ok(cassette.exchanges.len())
    }

    /// The `--record` path.
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.config.path
    }

    pub(super) fn remember(&self, secret: &str) {
        if !secret.is_empty() {
            lock(&self.seen).insert(secret.to_owned());
        }
    }

    fn push(&self, exchange: Exchange) {
        lock(&self.exchanges).push(exchange);
    }
}

/// Whether `url` names this machine.
fn is_loopback(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The 11 Usage routes and the token endpoint, each forwarded upstream.
pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for op in Operation::ALL {
        let (method, template) = route(op);
        let handler =
            move |State(state): State<AppState>,
                  path: Result<Path<Vec<(String, String)>>, PathRejection>,
                  request: Request| async move { forward(op, state, path, request).await };
        router = match method {
            "GET" => router.route(template, get(handler)),
            _ => router.route(template, post(handler)),
        };
    }
    router
}

/// What came back from the upstream.
pub(super) struct Upstream {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: bytes::Bytes,
}

async fn forward(
    op: Operation,
    state: AppState,
    path: Result<Path<Vec<(String, String)>>, PathRejection>,
    request: Request,
) -> Response {
    let params = if op == Operation::Token {
        Vec::new()
    } else {
        match path_params(path) {
            Ok(params) => params,
            Err(error) => return error.into_response(),
        }
    };
    let Some(recorder) = state.recording.as_ref() else {
        return ApiError::server_error(500).into_response();
    };
    let execution_id = params
        .iter()
        .find(|(name, _)| name == "executionId" || name == "jobId")
        .map(|(_, id)| id.clone());
    leave_call_note(CallNote {
        operation: Some(op),
        execution_id,
        ..CallNote::default()
    });
    let (parts, body) = request.into_parts();
    let body = match read_body(body, &parts.headers, state.config.max_body_bytes).await {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let credentials = if op == Operation::Token {
        token_credentials(&parts.headers, &body)
    } else {
        (None, None)
    };
    if let Some(token) = bearer(&parts.headers) {
        recorder.remember(token);
    }
    if let Some(secret) = &credentials.1 {
        recorder.remember(secret);
    }
    let base = if op == Operation::Token {
        recorder.config.login_url()
    } else {
        recorder.config.upstream.clone()
    };
    let query = parts.uri.query();
    let url = format!(
        "{}{}{}",
        base.trim_end_matches('/'),
        parts.uri.path(),
        query.map(|q| format!("?{q}")).unwrap_or_default()
    );
    let started = Instant::now();
    let answer = send(recorder, &parts.method, &url, &parts.headers, body.clone()).await;
    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let request = if op == Operation::Token {
        // The form holds the secret: only the fact of the call is kept.
        RecordedRequest::for_call(op, &[], &[], None)
    } else {
        described(op, &params, query, &body)
    };
    let exchange = match &answer {
        Ok(upstream) if op == Operation::Token => {
            token_exchange(recorder, request, upstream, credentials.0, elapsed_ms)
        }
        Ok(upstream) => Exchange {
            operation: op,
            request,
            response: Some(recorded_response(upstream)),
            error: None,
            token: None,
            elapsed_ms,
        },
        Err(error) => Exchange {
            operation: op,
            request,
            response: None,
            error: Some(error.clone()),
            token: (op == Operation::Token).then_some(TokenGrant {
                issued: false,
                client_id: credentials.0,
                expires_in: None,
            }),
            elapsed_ms,
        },
    };
    recorder.push(exchange);
    match answer {
        Ok(upstream) => passed_back(upstream),
        Err(error) => unreachable_upstream(&error),
    }
}

/// Sends one request upstream and reads the whole answer.
async fn send(
    recorder: &Recorder,
    method: &axum::http::Method,
    url: &str,
    headers: &HeaderMap,
    body: bytes::Bytes,
) -> Result<Upstream, RecordedError> {
    let client = recorder
        .client
        .as_ref()
        .map_err(|message| RecordedError::Transport {
            kind: "other".into(),
            message: format!("no HTTP client: {message}"),
            not_sent: true,
        })?;
    let mut request = client.request(method.clone(), url).body(body);
    for (name, value) in headers {
        let name_text = name.as_str();
        if FORWARDED.contains(&name_text) || name_text.starts_with("x-mock-") {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.map_err(|e| transport_error(&e))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| transport_error(&e))?;
    Ok(Upstream {
        status,
        headers,
        body,
    })
}

/// The upstream's answer, as it came (less hop-by-hop headers).
fn passed_back(upstream: Upstream) -> Response {
    let mut response = Response::new(Body::from(upstream.body));
    *response.status_mut() =
        StatusCode::from_u16(upstream.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in &upstream.headers {
        if !NOT_RETURNED.contains(&name.as_str()) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

/// 502 `ErrorBody` when the upstream could not be reached.
fn unreachable_upstream(error: &RecordedError) -> Response {
    let detail = match error {
        RecordedError::Transport { kind, message, .. } => format!("{kind}: {message}"),
        other => format!("{other:?}"),
    };
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        "bad.gateway",
        format!("The recording proxy could not reach the upstream ({detail})"),
    )
    .into_response()
}
