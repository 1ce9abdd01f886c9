//! [`ApiError`]: every error answer of the server, rendered once as a Genesys
//! `ErrorBody` (`docs/FIDELITY.md`, "Errors").
//!
//! The `contextId` must equal the `ININ-Correlation-Id` header, which only the
//! outer middleware knows; so the rendered response also carries the body in
//! its extensions and the middleware ([`crate::http::middleware`]) stamps the id in.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use genesys_usage::ErrorBody;
use genesys_usage::fake::EngineFailure;

/// An error answer: status, Genesys body and an optional `Retry-After`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    /// Boxed: an `ErrorBody` is large and errors travel in many `Result`s.
    pub(crate) body: Box<ErrorBody>,
    pub(crate) retry_after: Option<HeaderValue>,
}

/// The rendered body of an [`ApiError`], kept on the response until the
/// correlation id is stamped in.
#[derive(Debug, Clone)]
pub(crate) struct PendingErrorBody(pub(crate) ErrorBody);

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody::new(status.as_u16(), code, message)),
            retry_after: None,
        }
    }

    /// Replaces the message.
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.body.message = Some(message.into());
        self
    }

    /// 400 `bad.request`, with a detail naming `field` when known.
    pub(crate) fn bad_request(message: impl Into<String>, field: Option<&str>) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "bad.request", message);
        if let Some(field) = field {
            let body = std::mem::take(&mut *error.body);
            *error.body = body.with_detail(field, "invalid.value");
        }
        error
    }

    pub(crate) fn not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not.found",
            format!("The requested resource was not found: {path}"),
        )
    }

    pub(crate) fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method.not.allowed",
            format!("HTTP method {method} is not supported by {path}"),
        )
    }

    pub(crate) fn payload_too_large(limit: usize) -> Self {
        let mut error = Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request.entity.too.large",
            format!("The request is over the size limit. Maximum bytes: {limit}"),
        );
        error.body.message_params = Some([("maxBytes".to_owned(), limit.to_string())].into());
        error
    }

    pub(crate) fn headers_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request.header.fields.too.large",
            format!("The request headers are over the size limit. Maximum bytes: {limit}"),
        )
    }

    pub(crate) fn unsupported_media_type(found: Option<&str>) -> Self {
        let found = found.unwrap_or("none");
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported.media.type",
            format!(
                "Unsupported Media Type - Unsupported or incorrect media type, such as an \
                 incorrect Content-Type value in the header. Expected application/json, got {found}"
            ),
        )
    }

    /// 401 for a request without a bearer token.
    pub(crate) fn authentication_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "authentication.required",
            "No authentication bearer token specified in authorization header.",
        )
    }

    /// 401 for an unknown, revoked or expired bearer token.
    pub(crate) fn bad_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "bad.credentials",
            "Invalid login credentials.",
        )
    }

    /// 403 for a credential that holds none of `needed` (spec §13b).
    pub(crate) fn missing_permissions(needed: &[&str]) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "missing.any.permissions",
            format!(
                "Unable to perform the requested action. You must have at least one of the \
                 following permissions assigned: {}",
                needed.join(", ")
            ),
        )
    }

    /// 429 with the message of Genesys's normalised 429 (since 2021).
    /// `retry_after` is the header value; `seconds` goes into the message.
    pub(crate) fn too_many_requests(seconds: u64, retry_after: Option<HeaderValue>) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too.many.requests.retry.after",
            format!("Rate limit exceeded the maximum. Retry the request in [{seconds}] seconds"),
        );
        error.body.message_params = None;
        error.retry_after = retry_after;
        error
    }

    /// A 5xx with the same body the engine's injected faults use, so a
    /// server error reads the same whichever path produced it.
    pub(crate) fn server_error(status: u16) -> Self {
        let status = if (500..600).contains(&status) {
            status
        } else {
            500
        };
        let fault = genesys_usage::fake::Fault::ServerError { status };
        fault.error_answer().map_or_else(
            || {
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal.server.error",
                    "Internal error",
                )
            },
            Self::from,
        )
    }
}

impl From<EngineFailure> for ApiError {
    fn from(failure: EngineFailure) -> Self {
        Self {
            status: StatusCode::from_u16(failure.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Box::new(failure.body),
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Serialising an ErrorBody of strings and numbers cannot fail; an empty
        // object is still valid JSON should it ever do so.
        let bytes = serde_json::to_vec(&self.body).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(retry_after) = self.retry_after {
            headers.insert(header::RETRY_AFTER, retry_after);
        }
        response
            .extensions_mut()
            .insert(PendingErrorBody(*self.body));
        response
    }
}
