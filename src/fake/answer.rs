//! [`EngineReply`] and [`EngineFailure`]: what every engine operation answers.
//!
//! They sit below the data, the script and the engine, which all answer with them.

use crate::models::ErrorBody;

/// A successful answer: HTTP status and body.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineReply<T> {
    /// HTTP status (200 or 202).
    pub status: u16,
    /// The body.
    pub body: T,
}

/// An error answer: HTTP status and a Genesys-shaped body (without
/// `contextId`: the caller sets it to its correlation id).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("http {status}: {}", body.message.as_deref().unwrap_or("error"))]
pub struct EngineFailure {
    /// HTTP status.
    pub status: u16,
    /// The error body.
    pub body: ErrorBody,
}

impl EngineFailure {
    /// 400 `bad.request` with one detail naming `field`.
    #[must_use]
    pub fn bad_request(field: &str, error_code: &str, message: impl Into<String>) -> Self {
        Self {
            status: 400,
            body: ErrorBody::new(400, "bad.request", message).with_detail(field, error_code),
        }
    }

    /// 404 `not.found` naming the execution id.
    #[must_use]
    pub fn not_found(id: &str) -> Self {
        let mut body = ErrorBody::new(404, "not.found", format!("execution {id:?} was not found"));
        body.entity_id = Some(id.to_owned());
        Self { status: 404, body }
    }
}
