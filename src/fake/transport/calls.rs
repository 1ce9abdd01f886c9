//! The record of calls made through a `FakeTransport`, and the HTTP-level
//! faults it imitates.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use crate::error::{Error, TransportErrorKind};
use crate::fake::operation::Operation;
use crate::fake::script::faults::Fault;
use crate::transport::{PageRequest, ResponseMeta, body_snippet, error_from_answer};

/// How one call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallOutcome {
    /// An HTTP answer with this status (2xx success or an error answer).
    Status(u16),
    /// No answer: a transport error of this kind.
    Transport(TransportErrorKind),
    /// An answer with this status whose body could not be decoded.
    Decode(u16),
    /// Refused before sending (`Error::InvalidRequest`, e.g. an empty id).
    Refused,
}

/// One call made through a `FakeTransport`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallRecord {
    /// The operation.
    pub operation: Operation,
    /// The execution id: the polled one, or the one a submit created.
    pub execution_id: Option<String>,
    /// The OAuth client id of client operations.
    pub client_id: Option<String>,
    /// The paging parameters of L4, N2 and N4.
    pub page: Option<PageRequest>,
    /// The `days` of L7.
    pub days: Option<String>,
    /// The fault that hit the call, if any.
    pub fault: Option<Fault>,
    /// How the call ended.
    pub outcome: CallOutcome,
    /// The engine clock when the call started.
    pub at: DateTime<Utc>,
}

impl CallRecord {
    /// The HTTP status of the answer, when there was one.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self.outcome {
            CallOutcome::Status(s) | CallOutcome::Decode(s) => Some(s),
            _ => None,
        }
    }
}

/// The outcome of a call's result.
pub(crate) fn outcome_of<T>(result: &Result<T, Error>, ok_status: u16) -> CallOutcome {
    match result {
        Ok(_) => CallOutcome::Status(ok_status),
        Err(Error::Transport { kind, .. }) => CallOutcome::Transport(*kind),
        Err(Error::Decode { status, .. }) => CallOutcome::Decode(*status),
        Err(Error::InvalidRequest { .. }) => CallOutcome::Refused,
        Err(e) => CallOutcome::Status(e.status().unwrap_or(0)),
    }
}

/// Whether `fault` spoils the answer after the request was processed.
pub(crate) fn spoils_answer(fault: Option<&Fault>) -> bool {
    matches!(
        fault,
        Some(
            Fault::ConnectionReset
                | Fault::TruncatedBody
                | Fault::MalformedJson
                | Fault::WrongContentType
                | Fault::SlowBody { .. }
        )
    )
}

/// The error `HttpTransport` would give for an answer spoilt by `fault`;
/// `body` is what the server meant to send with `meta.status`.
pub(crate) fn spoilt<T: DeserializeOwned>(fault: &Fault, body: &[u8], meta: ResponseMeta) -> Error {
    let status = meta.status;
    let spoilt_body: Vec<u8> = match fault {
        Fault::ConnectionReset => {
            return transport(
                TransportErrorKind::Io,
                "connection reset by peer while reading the answer",
            );
        }
        Fault::SlowBody { .. } => {
            return transport(
                TransportErrorKind::Timeout,
                "timed out reading the answer body",
            );
        }
        // reqwest reports a body shorter than its Content-Length as an I/O
        // error before any decoding, so HttpTransport gives a transport error.
        Fault::TruncatedBody => {
            return transport(
                TransportErrorKind::Io,
                "connection closed before the answer body was complete",
            );
        }
        Fault::MalformedJson => [b"{malformed ".as_slice(), body].concat(),
        Fault::WrongContentType => HTML_PAGE.as_bytes().to_vec(),
        _ => body.to_vec(),
    };
    if !(200..300).contains(&status) {
        return error_from_answer(status, &spoilt_body, meta);
    }
    let message = match serde_json::from_slice::<T>(&spoilt_body) {
        Err(e) => e.to_string(),
        Ok(_) => "the body could not be decoded".to_owned(),
    };
    Error::Decode {
        status,
        message,
        snippet: body_snippet(&spoilt_body),
        correlation_id: meta.correlation_id,
        // A malformed or HTML body is not JSON (GETs retry it, as over HTTP).
        not_json: true,
    }
}

/// What a proxy's maintenance page looks like, as the mock server sends it.
const HTML_PAGE: &str = "<html><head><title>Service Notice</title></head><body><h1>Please try again later</h1></body></html>";

fn transport(kind: TransportErrorKind, message: &str) -> Error {
    Error::Transport {
        kind,
        message: message.to_owned(),
        not_sent: false,
    }
}
