//! Typed outcomes ⇄ recorded outcomes.
//!
//! An answer is recorded in its HTTP shape (status, the headers that
//! matter, the JSON body) so that the mock server can serve it too; only
//! what never had an HTTP answer becomes a [`RecordedError`]. Replaying an
//! HTTP-shaped answer goes through the same status mapping as
//! `HttpTransport`, so both give identical errors.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::cassette::format::{RecordedError, RecordedResponse};
use crate::error::{Error, Result, TransportErrorKind};
use crate::models::ErrorBody;
use crate::transport::http::meta_from_headers;
use crate::transport::{ApiResponse, ResponseMeta, body_snippet, error_from_answer};

/// The prefix of the token endpoint's refusals (see `auth.rs`).
const TOKEN_REFUSED: &str = "token request refused";

/// What to write for one call's outcome: an answer or an error.
pub(crate) fn record<T: Serialize>(
    result: &Result<ApiResponse<T>>,
) -> (Option<RecordedResponse>, Option<RecordedError>) {
    match result {
        Ok(answer) => {
            let body = serde_json::to_value(&answer.body).unwrap_or(Value::Null);
            (Some(json_response(&answer.meta, Some(body))), None)
        }
        Err(error) => record_error(error),
    }
}

/// What to write for a failed call.
pub(crate) fn record_error(error: &Error) -> (Option<RecordedResponse>, Option<RecordedError>) {
    let answer = |status, correlation_id: &Option<String>, body: &Option<Box<ErrorBody>>| {
        let meta = ResponseMeta {
            status,
            correlation_id: correlation_id.clone(),
            ..ResponseMeta::default()
        };
        let body = body
            .as_deref()
            .map(|b| serde_json::to_value(b).unwrap_or(Value::Null));
        (Some(json_response(&meta, body)), None)
    };
    match error {
        Error::Api {
            status,
            body,
            snippet,
            correlation_id,
        } => {
            let (mut response, none) = answer(*status, correlation_id, body);
            if let (Some(response), None) = (response.as_mut(), body) {
                response.headers.remove("content-type");
                response.body_text = snippet.clone();
            }
            (response, none)
        }
        Error::RateLimited {
            retry_after,
            body,
            correlation_id,
        } => {
            let (mut response, none) = answer(429, correlation_id, body);
            if let (Some(response), Some(after)) = (response.as_mut(), retry_after) {
                response
                    .headers
                    .insert("retry-after".into(), ceil_secs(*after).to_string());
            }
            (response, none)
        }
        Error::Unauthorized {
            message,
            status: Some(401),
            body,
            correlation_id,
        } if !message.starts_with(TOKEN_REFUSED) => answer(401, correlation_id, body),
        Error::Unauthorized {
            message, status, ..
        } => (
            None,
            Some(RecordedError::Unauthorized {
                status: *status,
                message: message.clone(),
            }),
        ),
        Error::Transport {
            kind,
            message,
            not_sent,
        } => (
            None,
            Some(RecordedError::Transport {
                kind: kind.to_string(),
                message: message.clone(),
                not_sent: *not_sent,
            }),
        ),
        Error::Decode {
            status,
            message,
            snippet,
            correlation_id,
            not_json,
        } => (
            None,
            Some(RecordedError::Decode {
                status: *status,
                message: message.clone(),
                snippet: snippet.clone(),
                not_json: *not_json,
                correlation_id: correlation_id.clone(),
            }),
        ),
        Error::InvalidRequest { field, message } => (
            None,
            Some(RecordedError::InvalidRequest {
                field: field.clone(),
                message: message.clone(),
            }),
        ),
        // Not a transport's error; kept as an unsent failure so a replay
        // still fails the same call.
        other => (
            None,
            Some(RecordedError::Transport {
                kind: TransportErrorKind::Other.to_string(),
                message: other.to_string(),
                not_sent: true,
            }),
        ),
    }
}

/// An HTTP-shaped answer with the headers of `meta`.
fn json_response(meta: &ResponseMeta, body: Option<Value>) -> RecordedResponse {
    let mut headers = BTreeMap::new();
    if body.is_some() {
        headers.insert(
            "content-type".to_owned(),
            crate::transport::http::JSON.to_owned(),
        );
    }
    if let Some(id) = &meta.correlation_id {
        headers.insert("inin-correlation-id".to_owned(), id.clone());
    }
    if let Some(after) = meta.retry_after {
        headers.insert("retry-after".to_owned(), ceil_secs(after).to_string());
    }
    if let Some(limit) = &meta.rate_limit {
        for (name, value) in [
            ("inin-ratelimit-count", limit.count),
            ("inin-ratelimit-allowed", limit.allowed),
            ("inin-ratelimit-reset", limit.reset),
        ] {
            if let Some(value) = value {
                headers.insert(name.to_owned(), value.to_string());
            }
        }
    }
    RecordedResponse {
        status: meta.status,
        headers,
        body,
        body_text: None,
    }
}

/// Whole seconds, rounded up: a `Retry-After` never shortens in a replay.
fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// The typed outcome of a recorded answer, as `HttpTransport` would give it.
pub(crate) fn replay_response<T: DeserializeOwned>(
    response: &RecordedResponse,
) -> Result<ApiResponse<T>> {
    let mut headers = HeaderMap::new();
    for (name, value) in &response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.insert(name, value);
        }
    }
    let status = response.status;
    let meta = meta_from_headers(status, &headers);
    let bytes = match (&response.body, &response.body_text) {
        (Some(body), _) => serde_json::to_vec(body).unwrap_or_default(),
        (None, Some(text)) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    if !(200..300).contains(&status) {
        return Err(error_from_answer(status, &bytes, meta));
    }
    let decode_error = |message: String, not_json| Error::Decode {
        status,
        message,
        snippet: body_snippet(&bytes),
        correlation_id: meta.correlation_id.clone(),
        not_json,
    };
    let Some(body) = &response.body else {
        return Err(decode_error("the body is not json".into(), true));
    };
    match T::deserialize(body) {
        Ok(body) => Ok(ApiResponse { body, meta }),
        Err(e) => Err(decode_error(e.to_string(), false)),
    }
}

/// The typed error of a recorded failure.
pub(crate) fn replay_error(error: &RecordedError) -> Error {
    match error {
        RecordedError::Transport {
            kind,
            message,
            not_sent,
        } => Error::Transport {
            kind: kind_named(kind),
            message: message.clone(),
            not_sent: *not_sent,
        },
        RecordedError::Decode {
            status,
            message,
            snippet,
            not_json,
            correlation_id,
        } => Error::Decode {
            status: *status,
            message: message.clone(),
            snippet: snippet.clone(),
            correlation_id: correlation_id.clone(),
            not_json: *not_json,
        },
        RecordedError::Unauthorized { status, message } => Error::Unauthorized {
            message: message.clone(),
            status: *status,
            body: None,
            correlation_id: None,
        },
        RecordedError::InvalidRequest { field, message } => Error::InvalidRequest {
            field: field.clone(),
            message: message.clone(),
        },
    }
}

fn kind_named(kind: &str) -> TransportErrorKind {
    match kind {
        "connect" => TransportErrorKind::Connect,
        "timeout" => TransportErrorKind::Timeout,
        "io" => TransportErrorKind::Io,
        "tls" => TransportErrorKind::Tls,
        "proxy" => TransportErrorKind::Proxy,
        _ => TransportErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::UsageExecutionResult;

    fn round_trip(error: Error) -> Error {
        let result: Result<ApiResponse<UsageExecutionResult>> = Err(error);
        match record(&result) {
            (Some(response), None) => {
                replay_response::<UsageExecutionResult>(&response).unwrap_err()
            }
            (None, Some(error)) => replay_error(&error),
            other => panic!("one outcome expected, got {other:?}"),
        }
    }

    #[test]
    fn a_rate_limit_replays_with_its_retry_after_and_correlation_id() {
        let err = round_trip(Error::RateLimited {
            retry_after: Some(Duration::from_millis(4500)),
            body: Some(Box::new(ErrorBody::new(
                429,
                "too.many.requests",
                "slow down",
            ))),
            correlation_id: Some("c-9".into()),
        });
        assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
        assert_eq!(err.correlation_id(), Some("c-9"));
        assert_eq!(
            err.error_body().and_then(|b| b.code.as_deref()),
            Some("too.many.requests")
        );
    }

    #[test]
    fn a_non_json_error_answer_replays_its_snippet() {
        let err = round_trip(Error::Api {
            status: 502,
            body: None,
            snippet: Some("<html>bad gateway</html>".into()),
            correlation_id: None,
        });
        assert_eq!(err.status(), Some(502));
        assert!(err.to_string().contains("bad gateway"), "{err}");
    }

    #[test]
    fn a_transport_error_keeps_its_kind_and_not_sent() {
        let err = round_trip(Error::Transport {
            kind: TransportErrorKind::Connect,
            message: "connection refused".into(),
            not_sent: true,
        });
        assert!(matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                not_sent: true,
                ..
            }
        ));
    }

    #[test]
    fn a_token_refusal_stays_a_token_refusal() {
        let err = round_trip(Error::Unauthorized {
            message: "token request refused: invalid_client".into(),
            status: Some(401),
            body: None,
            correlation_id: None,
        });
        assert_eq!(
            err.to_string(),
            "unauthorized: token request refused: invalid_client"
        );
    }
}
