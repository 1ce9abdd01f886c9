//! Arbitrary request sequences through the mock server's `app()` in-process,
//! shared by the `mock_request` fuzz target (`fuzz/`) and the proptest in
//! `tests/reliability_props.rs` (which builds the input from random bytes
//! with `arbitrary::Unstructured`).
//!
//! Properties checked on every answer: the server never panics; it answers
//! 5xx only when a fault was injected (its journal says which); every 4xx is
//! JSON, an `ErrorBody` with its `status`, a `code` and `contextId` equal to
//! the `ININ-Correlation-Id` header (the token endpoint may answer an OAuth
//! error body instead); a body that fails to read is an injected fault.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use bytes::Bytes;
use genesys_usage::ErrorBody;
use genesys_usage::fake::Engine;
use genesys_usage_mock::Config;
use http::{Method, Request, Response};
use http_body_util::{BodyExt as _, Full};
use serde_json::{Value, json};
use tower::ServiceExt as _;

#[path = "mock_tables.rs"]
mod tables;

use tables::{FAULT_KINDS, FIELDS, HEADERS, METHODS, QUERY_KEYS, ROUTES, templates};

/// A whole input: a few requests against one fresh server.
#[derive(Arbitrary, Debug)]
pub(crate) struct Input {
    requests: Vec<Call>,
}

#[derive(Arbitrary, Debug)]
struct Call {
    method: MethodChoice,
    path: PathChoice,
    query: Option<(u8, String)>,
    auth: Auth,
    headers: Vec<(HeaderChoice, String)>,
    body: BodyChoice,
}

#[derive(Arbitrary, Debug)]
enum MethodChoice {
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum PathChoice {
    Route { template: u8, ids: [Id; 2] },
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Id {
    /// An execution id the server gave earlier in this input (or a client id).
    Known(u8),
    /// Text, percent-encoded.
    Encoded(String),
    /// Text as it is (the URI may not parse; then the call is skipped).
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Auth {
    None,
    Valid,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum HeaderChoice {
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum BodyChoice {
    Empty,
    Raw(Vec<u8>),
    /// A valid request body with one field replaced.
    Patched {
        template: u8,
        field: u8,
        value: Scalar,
    },
}

#[derive(Arbitrary, Debug)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Text(String),
    List(Vec<String>),
    Fault { kind: u8, number: u64, text: String },
}

impl Scalar {
    fn to_json(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => json!(b),
            Self::Int(n) => json!(n),
            Self::Uint(n) => json!(n),
            Self::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
            Self::Text(s) => json!(s),
            Self::List(items) => json!(items),
            Self::Fault { kind, number, text } => json!({
                "kind": FAULT_KINDS[usize::from(*kind) % FAULT_KINDS.len()],
                "status": number, "delayMs": number % 5_000,
                "retryAfter": {"seconds": number}, "text": text,
            }),
        }
    }
}

/// One server per input, plus what the input can refer to.
struct Session {
    app: axum::Router,
    token: Option<String>,
    ids: Vec<String>,
}

fn client_ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let engine = Engine::new(Config::default().engine_config());
        engine
            .dataset()
            .clients()
            .iter()
            .map(|c| c.id.clone())
            .collect()
    })
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl Session {
    fn id(&self, id: &Id) -> String {
        match id {
            Id::Known(i) => {
                let known: Vec<&String> = self.ids.iter().chain(client_ids()).collect();
                known
                    .get(usize::from(*i) % known.len().max(1))
                    .map_or_else(String::new, |s| (*s).clone())
            }
            Id::Encoded(text) => encode(text),
            Id::Raw(text) => text.clone(),
        }
    }

    fn uri(&self, call: &Call) -> String {
        let mut uri = match &call.path {
            PathChoice::Route { template, ids } => {
                let route = ROUTES[usize::from(*template) % ROUTES.len()];
                let mut parts = route.split("{}");
                let mut uri = parts.next().unwrap_or_default().to_owned();
                for (part, id) in parts.zip(ids.iter()) {
                    uri.push_str(&self.id(id));
                    uri.push_str(part);
                }
                uri
            }
            PathChoice::Raw(text) => text.clone(),
        };
        if let Some((key, value)) = &call.query {
            let key = QUERY_KEYS[usize::from(*key) % QUERY_KEYS.len()];
            let _ = write!(uri, "?{key}={}", encode(value));
        }
        uri
    }
}

fn body_of(choice: &BodyChoice) -> (Bytes, bool) {
    match choice {
        BodyChoice::Empty => (Bytes::new(), false),
        BodyChoice::Raw(bytes) => (Bytes::from(bytes.clone()), false),
        BodyChoice::Patched {
            template,
            field,
            value,
        } => {
            let templates = templates();
            let mut doc = templates[usize::from(*template) % templates.len()].clone();
            doc[FIELDS[usize::from(*field) % FIELDS.len()]] = value.to_json();
            (Bytes::from(doc.to_string()), true)
        }
    }
}

/// The request of `call`, or `None` when its URI, method or a header cannot be built.
fn request_of(session: &Session, call: &Call) -> Option<Request<Full<Bytes>>> {
    let method = match &call.method {
        MethodChoice::Known(i) => {
            Method::from_bytes(METHODS[usize::from(*i) % METHODS.len()].as_bytes())
        }
        MethodChoice::Other(text) => Method::from_bytes(text.as_bytes()),
    }
    .ok()?;
    let uri: http::Uri = session.uri(call).parse().ok()?;
    // Shutting the server down is a documented way to get 503s; not a finding.
    if uri.path() == "/__admin/shutdown" {
        return None;
    }
    let (body, json) = body_of(&call.body);
    let mut builder = Request::builder().method(method).uri(uri);
    if json {
        builder = builder.header("content-type", "application/json");
    }
    match (&call.auth, &session.token) {
        (Auth::Valid, Some(token)) => {
            builder = builder.header("authorization", format!("Bearer {token}"))
        }
        (Auth::Raw(text), _) => builder = builder.header("authorization", text.as_str()),
        _ => {}
    }
    for (name, value) in call.headers.iter().take(8) {
        let name = match name {
            HeaderChoice::Known(i) => HEADERS[usize::from(*i) % HEADERS.len()].to_owned(),
            HeaderChoice::Other(text) => text.clone(),
        };
        builder = builder.header(name, value.as_str());
    }
    builder.body(Full::new(body)).ok()
}

async fn send(
    app: &axum::Router,
    request: Request<Full<Bytes>>,
) -> (Response<axum::body::Body>, String) {
    let path = request.uri().path().to_owned();
    match app.clone().oneshot(request).await {
        Ok(response) => (response, path),
        Err(never) => match never {},
    }
}

async fn token(app: &axum::Router) -> Option<String> {
    let request = Request::post("/oauth/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            "Basic bW9jay1jbGllbnQtaWQ6bW9jay1jbGllbnQtc2VjcmV0",
        )
        .body(Full::new(Bytes::from_static(
            b"grant_type=client_credentials",
        )))
        .ok()?;
    let (response, _) = send(app, request).await;
    let bytes = response.into_body().collect().await.ok()?.to_bytes();
    let doc: Value = serde_json::from_slice(&bytes).ok()?;
    doc["access_token"].as_str().map(str::to_owned)
}

/// The fault the journal recorded for the latest API call, if any.
async fn last_fault(app: &axum::Router) -> Option<String> {
    let request = Request::get("/__admin/journal?limit=1")
        .body(Full::new(Bytes::new()))
        .ok()?;
    let (response, _) = send(app, request).await;
    let bytes = response.into_body().collect().await.ok()?.to_bytes();
    let doc: Value = serde_json::from_slice(&bytes).ok()?;
    doc["entries"][0]["fault"].as_str().map(str::to_owned)
}

/// Checks a 4xx body: JSON `ErrorBody` with status, code and contextId.
fn check_client_error(
    path: &str,
    status: u16,
    correlation: Option<&str>,
    bytes: &[u8],
) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    let body: ErrorBody = serde_json::from_slice(bytes)
        .map_err(|e| format!("{status} on {path} is not an ErrorBody ({e}): {text}"))?;
    if path == "/oauth/token" && body.code.is_none() {
        let doc: Value = serde_json::from_slice(bytes).unwrap_or_default();
        return match doc["error"].as_str() {
            Some(_) => Ok(()),
            None => Err(format!(
                "{status} on the token endpoint is neither error body: {text}"
            )),
        };
    }
    if body.status != Some(i32::from(status)) || body.code.is_none() {
        return Err(format!(
            "{status} on {path}: body status/code wrong: {text}"
        ));
    }
    if body.context_id.as_deref() != correlation {
        return Err(format!(
            "{status} on {path}: contextId {:?} != header {correlation:?}",
            body.context_id
        ));
    }
    Ok(())
}

async fn check_call(session: &mut Session, call: &Call) -> Result<(), String> {
    let Some(request) = request_of(session, call) else {
        return Ok(());
    };
    // A HEAD answer has the headers of a GET and no body.
    let head = request.method() == Method::HEAD;
    let (response, path) = send(&session.app, request).await;
    let status = response.status().as_u16();
    let json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let correlation = response
        .headers()
        .get("inin-correlation-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Slow and latency faults sleep on tokio's (paused) clock: bounded in virtual time.
    let body =
        tokio::time::timeout(Duration::from_secs(86_400), response.into_body().collect()).await;
    let bytes = match body {
        Ok(Ok(collected)) => Some(collected.to_bytes()),
        _ => None,
    };
    // Admin calls are not journaled and take no faults.
    let api = !path.starts_with("/__admin");
    let injected = if api && (bytes.is_none() || status >= 400) {
        last_fault(&session.app).await
    } else {
        None
    };
    if injected.is_some() {
        return Ok(());
    }
    let Some(bytes) = bytes else {
        return Err(format!(
            "the body of {status} on {path} failed without an injected fault"
        ));
    };
    if status >= 500 {
        return Err(format!(
            "{status} on {path} without an injected fault: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    if (400..500).contains(&status) {
        if !json {
            return Err(format!("{status} on {path} is not application/json"));
        }
        if !head {
            check_client_error(&path, status, correlation.as_deref(), &bytes)?;
        }
    }
    if status == 401 {
        session.token = token(&session.app).await;
    }
    if let Ok(doc) = serde_json::from_slice::<Value>(&bytes) {
        for key in ["executionId", "id"] {
            if let Some(id) = doc[key].as_str() {
                session.ids.push(id.to_owned());
            }
        }
    }
    Ok(())
}

/// Runs `input` against a fresh `app()`; `Err` names the broken property.
pub(crate) async fn check_input(input: &Input) -> Result<(), String> {
    let app = genesys_usage_mock::app(Config::default());
    let token = token(&app).await;
    let mut session = Session {
        app,
        token,
        ids: Vec::new(),
    };
    for call in input.requests.iter().take(6) {
        check_call(&mut session, call).await?;
    }
    Ok(())
}
