//! The one public error type of the SDK.

use std::time::Duration;

use crate::models::ErrorBody;

/// Result alias used across the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a call. Messages are lowercase and never contain a
/// secret (client secret or token).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status (other than 401 and 429).
    #[error("api error: http {status}{}", describe_body(body.as_deref(), snippet.as_deref()))]
    Api {
        /// HTTP status.
        status: u16,
        /// The parsed `ErrorBody`, when the body was one.
        body: Option<Box<ErrorBody>>,
        /// Start of the body when it was not an `ErrorBody`.
        snippet: Option<String>,
        /// `ININ-Correlation-Id` of the answer.
        correlation_id: Option<String>,
    },
    /// The service answered 429 and the retry policy gave up (or the hint
    /// lands past the deadline).
    #[error("rate limited{}", retry_after.map(|d| format!(": retry after {}s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
        /// The parsed `ErrorBody`.
        body: Option<Box<ErrorBody>>,
        /// `ININ-Correlation-Id` of the answer.
        correlation_id: Option<String>,
    },
    /// Authentication failed: the token endpoint refused the credentials, or
    /// the API answered 401 again after one token refresh.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// What was refused, without secrets.
        message: String,
        /// HTTP status (401, or the token endpoint's status).
        status: Option<u16>,
        /// The parsed `ErrorBody`, when the API sent one.
        body: Option<Box<ErrorBody>>,
        /// `ININ-Correlation-Id` of the answer.
        correlation_id: Option<String>,
    },
    /// The query ended `Failed` or `Cancelled`; it will never complete.
    #[error("query {execution_id} ended {status}")]
    QueryFailed {
        /// The execution (or job) id.
        execution_id: String,
        /// The terminal status as the wire spelt it (`Failed`, `Cancelled`).
        status: String,
        /// The job's `errorBody`, when present.
        body: Option<Box<ErrorBody>>,
        /// `ININ-Correlation-Id` of the poll that saw the terminal status.
        correlation_id: Option<String>,
    },
    /// The wait deadline passed before the query completed. The execution is
    /// still valid: resume it with its id.
    #[error("query {execution_id} not complete after {elapsed:?} and {polls} polls (last status {})", last_status.as_deref().unwrap_or("none"))]
    WaitTimeout {
        /// The execution (or job) id to resume.
        execution_id: String,
        /// Time spent waiting.
        elapsed: Duration,
        /// Polls made.
        polls: u32,
        /// The last status seen.
        last_status: Option<String>,
    },
    /// The request did not get an HTTP answer (connect error, reset, timeout).
    #[error("transport error ({kind}): {message}")]
    Transport {
        /// What kind of failure.
        kind: TransportErrorKind,
        /// Description, without secrets.
        message: String,
        /// Whether the request provably never reached the server.
        ///
        /// `false` on a submit (`post_…`, `submit_…`, `run_…`) means the
        /// service may have processed it: an execution may exist whose id
        /// never arrived. The SDK does not resend it (that could create a
        /// second execution); submitting again is the caller's choice.
        not_sent: bool,
    },
    /// A 2xx answer whose body could not be decoded.
    #[error("decode error (http {status}): {message}; body starts {snippet:?}")]
    Decode {
        /// HTTP status.
        status: u16,
        /// What serde said.
        message: String,
        /// The first bytes of the body.
        snippet: String,
        /// `ININ-Correlation-Id` of the answer.
        correlation_id: Option<String>,
        /// Whether the body was not JSON at all (a proxy's or gateway's HTML
        /// page, a garbled body) rather than JSON of an unexpected shape.
        /// Such an answer is not the service's: GETs retry it. JSON of the
        /// wrong shape would come back the same, so it is not retried.
        not_json: bool,
    },
    /// A request the SDK refuses to send (e.g. an empty path parameter).
    #[error("invalid request: {field}: {message}")]
    InvalidRequest {
        /// The field at fault.
        field: String,
        /// Why.
        message: String,
    },
    /// A replayed call that no recording answers (feature `cassette`:
    /// `ReplayTransport`), or recorded calls that were never made. Nothing
    /// was sent anywhere.
    #[error("no recorded answer for {call}: {reason}")]
    Replay {
        /// The call, with its path and query parameters.
        call: String,
        /// Why: the diff against the nearest recording, or what was left.
        reason: String,
    },
    /// The client was built with a bad configuration.
    #[error("invalid config: {field}: {message}")]
    Config {
        /// The builder option at fault.
        field: String,
        /// Why.
        message: String,
    },
}

/// Kinds of [`Error::Transport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened.
    Connect,
    /// The request or the body timed out.
    Timeout,
    /// The connection closed mid-answer (reset, truncated body).
    Io,
    /// The TLS handshake failed: the server's certificate is not trusted,
    /// or the server refused ours. Not retried: trying again cannot help.
    Tls,
    /// The proxy refused its credentials (HTTP 407). Not retried.
    Proxy,
    /// Anything else.
    Other,
}

impl std::fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Io => "io",
            Self::Tls => "tls",
            Self::Proxy => "proxy",
            Self::Other => "other",
        })
    }
}

fn describe_body(body: Option<&ErrorBody>, snippet: Option<&str>) -> String {
    match (body, snippet) {
        (Some(b), _) => {
            let mut out = String::new();
            if let Some(code) = &b.code {
                out.push_str(&format!(" {code}"));
            }
            if let Some(message) = &b.message {
                out.push_str(&format!(": {message}"));
            }
            let fields: Vec<&str> = b.field_names().collect();
            if !fields.is_empty() {
                out.push_str(&format!(" (fields: {})", fields.join(", ")));
            }
            out
        }
        (None, Some(s)) if !s.is_empty() => format!(": body starts {s:?}"),
        _ => String::new(),
    }
}

impl Error {
    /// The HTTP status, when the error came from an answer.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(429),
            Self::Unauthorized { status, .. } => *status,
            _ => None,
        }
    }

    /// The `ININ-Correlation-Id` of the answer, for Genesys support.
    #[must_use]
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Self::Api { correlation_id, .. }
            | Self::RateLimited { correlation_id, .. }
            | Self::Unauthorized { correlation_id, .. }
            | Self::QueryFailed { correlation_id, .. }
            | Self::Decode { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }

    /// The execution id, for errors about one execution.
    #[must_use]
    pub fn execution_id(&self) -> Option<&str> {
        match self {
            Self::QueryFailed { execution_id, .. } | Self::WaitTimeout { execution_id, .. } => {
                Some(execution_id)
            }
            _ => None,
        }
    }

    /// The server's `Retry-After` hint.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The parsed `ErrorBody`, when there is one.
    #[must_use]
    pub fn error_body(&self) -> Option<&ErrorBody> {
        match self {
            Self::Api { body, .. }
            | Self::RateLimited { body, .. }
            | Self::Unauthorized { body, .. }
            | Self::QueryFailed { body, .. } => body.as_deref(),
            _ => None,
        }
    }

    /// Whether trying the same GET again later may succeed (429, 500, 502,
    /// 503, 504, transport errors other than TLS and proxy refusals, a 2xx
    /// body that is not JSON). POSTs follow stricter rules: see
    /// [`RetryPolicy`](crate::RetryPolicy).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport {
                kind: TransportErrorKind::Tls | TransportErrorKind::Proxy,
                ..
            } => false,
            Self::RateLimited { .. } | Self::Transport { .. } => true,
            Self::Api { status, .. } => matches!(status, 500 | 502..=504),
            Self::Decode { not_json, .. } => *not_json,
            _ => false,
        }
    }

    /// A short, low-cardinality name of the failure for the OpenTelemetry
    /// `error.type` attribute: the HTTP status for answers, else the kind.
    pub(crate) fn error_type(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Self::Api { status, .. } => status.to_string().into(),
            Self::RateLimited { .. } => "429".into(),
            Self::Unauthorized { status, .. } => status.unwrap_or(401).to_string().into(),
            Self::QueryFailed { .. } => "query_failed".into(),
            Self::WaitTimeout { .. } => "wait_timeout".into(),
            Self::Transport { kind, .. } => format!("transport_{kind}").into(),
            Self::Decode { .. } => "decode".into(),
            Self::InvalidRequest { .. } => "invalid_request".into(),
            Self::Config { .. } => "config".into(),
            Self::Replay { .. } => "replay".into(),
        }
    }

    /// Builds an [`Error::InvalidRequest`].
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// Builds an [`Error::Config`].
    pub(crate) fn config(field: &str, message: impl Into<String>) -> Self {
        Self::Config {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}
