//! What `--record` writes down of one forwarded call, in the SDK's cassette
//! terms: the request as the SDK's recorder and the replay describe it, the
//! answer with the headers that matter, a token exchange as the fact of a
//! grant (never the token), a failure to reach the upstream as a transport
//! error.

use axum::http::HeaderMap;
use genesys_usage::cassette::{
    Exchange, RecordedError, RecordedRequest, RecordedResponse, TokenGrant, route,
};
use genesys_usage::fake::Operation;
use serde_json::Value;

use super::record::{Recorder, Upstream};
use crate::control::auth::basic_credentials;

/// A failure to reach the upstream, as the SDK would classify it. Only the
/// error's own text is kept: reqwest's display includes the URL, which has
/// no credential in it.
pub(super) fn transport_error(error: &reqwest::Error) -> RecordedError {
    let kind = if error.is_connect() {
        "connect"
    } else if error.is_timeout() {
        "timeout"
    } else {
        "io"
    };
    RecordedError::Transport {
        kind: kind.into(),
        message: error.to_string(),
        not_sent: error.is_connect(),
    }
}

/// The client id and secret of a token request (Basic auth or the form).
pub(super) fn token_credentials(
    headers: &HeaderMap,
    body: &[u8],
) -> (Option<String>, Option<String>) {
    if let Some((id, secret)) = basic_credentials(headers) {
        return (Some(id), Some(secret));
    }
    let mut id = None;
    let mut secret = None;
    for (key, value) in url::form_urlencoded::parse(body) {
        match key.as_ref() {
            "client_id" => id = Some(value.into_owned()),
            "client_secret" => secret = Some(value.into_owned()),
            _ => {}
        }
    }
    (id, secret)
}

/// A token answer: the grant when one was issued (never its body), the
/// refusal's description otherwise.
pub(super) fn token_exchange(
    recorder: &Recorder,
    request: RecordedRequest,
    upstream: &Upstream,
    client_id: Option<String>,
    elapsed_ms: u64,
) -> Exchange {
    let body: Option<Value> = serde_json::from_slice(&upstream.body).ok();
    let field = |name: &str| body.as_ref().and_then(|b| b.get(name));
    if let Some(token) = field("access_token").and_then(Value::as_str) {
        recorder.remember(token);
    }
    let issued = (200..300).contains(&upstream.status);
    let error = (!issued).then(|| {
        let message = field("error_description")
            .or_else(|| field("description"))
            .or_else(|| field("error"))
            .and_then(Value::as_str)
            .unwrap_or("the token request was refused");
        RecordedError::Unauthorized {
            status: Some(upstream.status),
            message: format!("token request refused: {message}"),
        }
    });
    Exchange {
        operation: Operation::Token,
        request,
        response: None,
        error,
        token: Some(TokenGrant {
            issued,
            client_id,
            expires_in: issued
                .then(|| field("expires_in").and_then(Value::as_u64))
                .flatten(),
        }),
        elapsed_ms,
    }
}

/// The request in the cassette's terms: the same description the SDK's
/// `RecordingTransport` and the replay give, so either side matches it.
pub(super) fn described(
    op: Operation,
    params: &[(String, String)],
    query: Option<&str>,
    body: &[u8],
) -> RecordedRequest {
    let values: Vec<&str> = params.iter().map(|(_, v)| v.as_str()).collect();
    let pairs: Vec<(String, String)> = query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let pairs: Vec<(&str, Option<String>)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), Some(v.clone())))
        .collect();
    let body = (route(op).0 == "POST")
        .then(|| serde_json::from_slice::<Value>(body).ok())
        .flatten();
    RecordedRequest::for_call(op, &values, &pairs, body)
}

/// The answer as the cassette keeps it: status, the headers that matter,
/// the body as JSON (or as text when it is not JSON).
pub(super) fn recorded_response(upstream: &Upstream) -> RecordedResponse {
    let headers = upstream
        .headers
        .iter()
        .filter(|(name, _)| {
            let name = name.as_str();
            matches!(name, "content-type" | "inin-correlation-id" | "retry-after")
                || name.starts_with("inin-ratelimit-")
        })
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let json: Option<Value> = serde_json::from_slice(&upstream.body).ok();
    let body_text = match &json {
        Some(_) => None,
        None if upstream.body.is_empty() => None,
        None => Some(String::from_utf8_lossy(&upstream.body).into_owned()),
    };
    RecordedResponse {
        status: upstream.status,
        headers,
        body: json,
        body_text,
    }
}
