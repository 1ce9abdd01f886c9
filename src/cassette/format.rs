//! The cassette file, version 1: what one recorded exchange holds, and how a
//! cassette is read and written.
//!
//! Keys come out in a fixed order (struct fields in declaration order, maps
//! sorted), one key per line, so that two recordings diff well in review.
//! The JSON Schema is `docs/cassette.schema.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fake::Operation;

/// The format version this SDK reads and writes.
pub const CASSETTE_VERSION: u32 = 1;

/// A recording of calls to the Usage API: the exchanges in the order their
/// answers arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cassette {
    /// Always [`CASSETTE_VERSION`]; a file with another version is refused.
    pub version: u32,
    /// What made the recording (`genesys-usage 0.1.0 RecordingTransport`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<String>,
    /// The exchanges, in the order their answers arrived.
    pub exchanges: Vec<Exchange>,
}

impl Default for Cassette {
    fn default() -> Self {
        Self::new()
    }
}

/// One request and what came back: an answer ([`response`](Self::response)),
/// a failure without one ([`error`](Self::error)) or, for the token
/// endpoint, the fact of a grant ([`token`](Self::token)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The operation (`post_usage_query`, …, `token`).
    pub operation: Operation,
    /// What was asked.
    pub request: RecordedRequest,
    /// The HTTP answer, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// The failure, when there was no usable answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<RecordedError>,
    /// For `token` exchanges: that a token was issued and for how long;
    /// never the token itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenGrant>,
    /// How long the answer took, in milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// The request of an [`Exchange`]. Credentials are never part of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The path as sent, parameters percent-encoded
    /// (`/api/v2/usage/query/abc/results`).
    pub path: String,
    /// The path parameters by their template names (`clientId`,
    /// `executionId`, `jobId`), decoded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub path_params: BTreeMap<String, String>,
    /// Query parameters (`pageSize`, `after`, `days`), decoded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// The JSON body of a POST.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub body: Option<Value>,
}

impl RecordedRequest {
    /// The request of `operation` with `params` filling its path template's
    /// placeholders in order (see [`route`](crate::cassette::route)), the
    /// set `query` parameters and an optional JSON body.
    #[must_use]
    pub fn for_call(
        operation: Operation,
        params: &[&str],
        query: &[(&str, Option<String>)],
        body: Option<Value>,
    ) -> Self {
        crate::cassette::request::describe(operation, params, query, body)
    }

    /// The request as `field path → JSON text` (`path.executionId`,
    /// `query.after`, `body.filter.clientIds`): the unit a replay matches
    /// and diffs by.
    #[must_use]
    pub fn fields(&self) -> BTreeMap<String, String> {
        crate::cassette::matching::flatten(self, &crate::cassette::matching::Ignored::default())
    }

    /// The fields in which `requested` differs from this recorded request,
    /// one line each (`query.after: recorded "a", requested "b"`).
    #[must_use]
    pub fn differences(&self, requested: &RecordedRequest) -> Vec<String> {
        crate::cassette::matching::diff(&self.fields(), &requested.fields())
    }
}

/// The HTTP answer of an [`Exchange`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// The headers that matter, names in lowercase: `content-type`,
    /// `inin-correlation-id`, `retry-after`, `inin-ratelimit-*`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The body, when it was JSON.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub body: Option<Value>,
    /// The body as text, when it was not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

/// A call that ended without a usable HTTP answer, as the SDK reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RecordedError {
    /// No answer: connect error, reset, timeout, TLS or proxy refusal.
    Transport {
        /// `connect`, `timeout`, `io`, `tls`, `proxy` or `other`.
        kind: String,
        /// The SDK's description (it never holds a secret).
        message: String,
        /// Whether the request provably never reached the server.
        not_sent: bool,
    },
    /// A 2xx answer whose body could not be decoded.
    Decode {
        /// HTTP status.
        status: u16,
        /// What the decoder said.
        message: String,
        /// The first bytes of the body.
        snippet: String,
        /// Whether the body was not JSON at all.
        not_json: bool,
        /// `ININ-Correlation-Id` of the answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correlation_id: Option<String>,
    },
    /// The token endpoint refused the credentials (the API's own 401s are
    /// recorded as responses).
    Unauthorized {
        /// The token endpoint's status.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
        /// What was refused, without secrets.
        message: String,
    },
    /// The SDK refused to send the request (an empty id, say).
    InvalidRequest {
        /// The field at fault.
        field: String,
        /// Why.
        message: String,
    },
}

/// What a cassette keeps of a token exchange: that one was issued, to whom,
/// valid how long. The token and the secret are never recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenGrant {
    /// Whether a token was issued (for a recorded `refresh_auth`: whether
    /// a retry could then succeed).
    pub issued: bool,
    /// The OAuth client id the token was issued to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `expires_in`: the token's validity in seconds, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

/// Why a cassette could not be read or written. The message names the file,
/// and for a parse error the line, column and field serde reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// The file could not be read or written.
    #[error("cassette {}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        message: String,
    },
    /// The file is not a version-1 cassette.
    #[error("cassette {}: line {line}, column {column}: {message}", path.display())]
    Invalid {
        /// The file (`<memory>` for bytes not read from a file).
        path: PathBuf,
        /// 1-based line of the fault (0 when it is about the whole file).
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// What is wrong, naming the field.
        message: String,
    },
}

impl Cassette {
    /// An empty version-1 cassette.
    #[must_use]
    pub fn new() -> Self {
        Self {
            version: CASSETTE_VERSION,
            recorder: None,
            exchanges: Vec::new(),
        }
    }

    /// Parses a cassette from JSON bytes. Never panics, whatever the bytes.
    ///
    /// # Errors
    /// [`CassetteError::Invalid`] with the line, column and field at fault,
    /// or when the version is not [`CASSETTE_VERSION`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CassetteError> {
        Self::parse(Path::new("<memory>"), bytes)
    }

    /// Reads a cassette file.
    ///
    /// # Errors
    /// [`CassetteError::Io`] when the file cannot be read,
    /// [`CassetteError::Invalid`] when it is not a version-1 cassette.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
        Self::parse(path, &bytes)
    }

    fn parse(path: &Path, bytes: &[u8]) -> Result<Self, CassetteError> {
        let invalid = |line, column, message| CassetteError::Invalid {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        // The version first, so a newer file gets a clear refusal instead
        // of a complaint about some field this SDK does not know.
        let probe: Value = serde_json::from_slice(bytes)
            .map_err(|e| invalid(e.line(), e.column(), e.to_string()))?;
        match probe.get("version").and_then(Value::as_u64) {
            Some(v) if v == u64::from(CASSETTE_VERSION) => {}
            Some(v) => {
                let message = format!("version: {v} is not supported (this SDK reads version 1)");
                return Err(invalid(0, 0, message));
            }
            None => {
                let message = "version: missing or not a number (expected 1)".to_owned();
                return Err(invalid(0, 0, message));
            }
        }
        let cassette: Self = serde_json::from_slice(bytes)
            .map_err(|e| invalid(e.line(), e.column(), e.to_string()))?;
        cassette.check().map_err(|m| invalid(0, 0, m))?;
        Ok(cassette)
    }

    /// Each exchange has exactly one outcome.
    fn check(&self) -> Result<(), String> {
        for (i, exchange) in self.exchanges.iter().enumerate() {
            let outcomes =
                usize::from(exchange.response.is_some()) + usize::from(exchange.error.is_some());
            if outcomes != 1 && !(exchange.token.is_some() && outcomes == 0) {
                return Err(format!(
                    "exchanges[{i}]: needs exactly one of `response` and `error`"
                ));
            }
        }
        Ok(())
    }

    /// The cassette as pretty-printed JSON with a final newline: the bytes
    /// [`save`](Self::save) writes.
    #[must_use]
    pub fn to_vec(&self) -> Vec<u8> {
        // Plain data (strings, numbers, maps with string keys): this cannot fail.
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Writes the cassette to `path`, whole or not at all: it goes to a
    /// temporary file beside it, renamed over `path` once complete.
    ///
    /// # Errors
    /// [`CassetteError::Io`] naming the file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CassetteError> {
        let path = path.as_ref();
        let mut temp = path.as_os_str().to_owned();
        temp.push(format!(".tmp-{}", std::process::id()));
        let temp = PathBuf::from(temp);
        let written =
            std::fs::write(&temp, self.to_vec()).and_then(|()| std::fs::rename(&temp, path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            io_error(path, &e)
        })
    }
}

/// A present field, `null` included, is `Some`: so `"body": null` loads
/// and saves back as written (only an absent field is `None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn io_error(path: &Path, error: &std::io::Error) -> CassetteError {
    CassetteError::Io {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_version_is_refused_by_name() {
        let err = Cassette::from_slice(br#"{"version":2,"exchanges":[],"later":1}"#).unwrap_err();
        assert!(
            err.to_string().contains("version: 2 is not supported"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_field_names_the_field_and_line() {
        let text = b"{\n\"version\": 1,\n\"exchanges\": [{\"operation\": \"token\"}]\n}";
        let err = Cassette::from_slice(text).unwrap_err().to_string();
        assert!(err.contains("missing field `request`"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }

    #[test]
    fn an_exchange_with_two_outcomes_is_refused() {
        let text = br#"{"version":1,"exchanges":[{"operation":"post_usage_query",
            "request":{"method":"POST","path":"/p"},"response":{"status":200},
            "error":{"type":"invalid_request","field":"f","message":"m"}}]}"#;
        let err = Cassette::from_slice(text).unwrap_err().to_string();
        assert!(err.contains("exchanges[0]"), "{err}");
    }
}
