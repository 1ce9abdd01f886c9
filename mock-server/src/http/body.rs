//! Request bodies and parameters: size limit, content type, JSON into the SDK
//! models with the failing field named, query parameters, paging.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use genesys_usage::PageRequest;
use serde::de::DeserializeOwned;

use crate::http::error::ApiError;

/// How long a client may take to send its body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// An oversized body is still read (and dropped) up to this size so the client
/// finishes sending and can read the 413, instead of seeing a reset.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;
/// How long draining an oversized body may take.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads a body of at most `limit` bytes.
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut stream = body.into_data_stream();
    if declared.is_some_and(|len| len > limit as u64) {
        if declared.is_some_and(|len| len <= DRAIN_LIMIT as u64) {
            drain(&mut stream).await;
        }
        return Err(ApiError::payload_too_large(limit));
    }
    let read = async {
        let mut collected = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk
                .map_err(|_| ApiError::bad_request("The request body could not be read.", None))?;
            if collected.len() + chunk.len() > limit {
                drain(&mut stream).await;
                return Err(ApiError::payload_too_large(limit));
            }
            collected.extend_from_slice(&chunk);
        }
        Ok(collected.freeze())
    };
    tokio::time::timeout(BODY_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request.timeout",
                "The client did not produce a request within the server timeout limit.",
            ))
        })
}

async fn drain(stream: &mut axum::body::BodyDataStream) {
    let drain = async {
        let mut total = 0usize;
        while let Some(Ok(chunk)) = stream.next().await {
            total += chunk.len();
            if total > DRAIN_LIMIT {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
}

/// Checks `Content-Type: application/json` (parameters such as `charset` allowed).
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let value = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = value.as_deref().map(|v| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(ApiError::unsupported_media_type(value.as_deref())),
    }
}

/// Parses a JSON body (an object: every body here is one) into `T`; a wrong
/// type or missing field names the field.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let Some(first) = body.iter().find(|b| !b.is_ascii_whitespace()) else {
        return Err(ApiError::bad_request(
            "The request could not be understood by the server due to malformed syntax: \
             the body is empty.",
            None,
        ));
    };
    if *first != b'{' {
        use serde_json::Value;
        let found = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Array(_)) => "an array",
            Ok(Value::String(_)) => "a string",
            Ok(Value::Number(_)) => "a number",
            Ok(Value::Bool(_)) => "a boolean",
            Ok(Value::Null | Value::Object(_)) => "null",
            Err(error) => return Err(malformed(&error)),
        };
        return Err(ApiError::bad_request(
            format!("The request body must be a JSON object ({{…}}), not {found}."),
            None,
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() {
            return malformed(inner);
        }
        let field = field_name(&error.path().to_string(), &inner.to_string());
        let inner = plain_message(&inner.to_string());
        let message = match &field {
            Some(field) => format!("Invalid value for field {field}: {inner}"),
            None => format!("The request body is not valid: {inner}"),
        };
        ApiError::bad_request(message, field.as_deref())
    })?;
    deserializer.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

/// A serde message without the Rust type names it carries: `expected struct
/// UsageQuerySortBy with 2 elements` says nothing to a client of a JSON API.
fn plain_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("expected ") {
        let (before, after) = rest.split_at(at + "expected ".len());
        out.push_str(before);
        let named = ["internally tagged enum ", "struct ", "enum "]
            .iter()
            .find_map(|kind| after.strip_prefix(kind));
        let Some(named) = named else {
            rest = after;
            continue;
        };
        let name_end = named
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(named.len());
        rest = &named[name_end..];
        // `with N elements`: serde's view of an object read as an array.
        if let Some(tail) = rest.strip_prefix(" with ") {
            let after_count = tail.trim_start_matches(|c: char| c.is_ascii_digit());
            let words = [" elements", " element"];
            if let Some(tail) = words.iter().find_map(|w| after_count.strip_prefix(w)) {
                rest = tail;
            }
        }
        out.push_str("a JSON object");
    }
    out.push_str(rest);
    if out.starts_with("invalid length ") {
        if let Some((_, tail)) = out.split_once(", expected a JSON object") {
            return format!("expected a JSON object, got an array{tail}");
        }
    }
    out
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        format!(
            "The request could not be understood by the server due to malformed syntax: {error}"
        ),
        None,
    )
}

/// `sortBy[0].order` → `sortBy.order`; the root path falls back to the field
/// named in a "missing field `x`" message.
fn field_name(path: &str, message: &str) -> Option<String> {
    let cleaned: String = {
        let mut out = String::new();
        let mut depth = 0;
        for c in path.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out.trim_matches('.').replace("..", ".")
    };
    if !cleaned.is_empty() {
        return Some(cleaned);
    }
    let start = message.find("missing field `")? + "missing field `".len();
    let end = message[start..].find('`')? + start;
    Some(message[start..end].to_owned())
}

/// The value of query parameter `name`, percent-decoded.
pub(crate) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// `pageSize` and `after` of a paged GET; a non-numeric `pageSize` is a 400
/// naming it (the range is the engine's to check).
pub(crate) fn page_request(query: Option<&str>) -> Result<PageRequest, ApiError> {
    let page_size = match query_param(query, "pageSize") {
        None => None,
        Some(text) => Some(text.trim().parse::<u32>().map_err(|_| {
            ApiError::bad_request(
                format!("pageSize `{text}` is not a whole number between 1 and 1000"),
                Some("pageSize"),
            )
        })?),
    };
    let after = query_param(query, "after").filter(|a| !a.is_empty());
    Ok(PageRequest { page_size, after })
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesys_usage::ApiUsageOrganizationQuery;

    fn field_of(body: &str) -> Option<String> {
        let err = parse_json::<ApiUsageOrganizationQuery>(body.as_bytes()).unwrap_err();
        err.body.field_names().next().map(str::to_owned)
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        assert_eq!(field_of(r#"{"interval": 5}"#).as_deref(), Some("interval"));
        assert_eq!(
            field_of(r#"{"interval": "2024-01-01/2024-01-02", "groupBy": [1]}"#).as_deref(),
            Some("groupBy")
        );
    }

    #[test]
    fn a_missing_required_field_is_named() {
        assert_eq!(
            field_of(r#"{"granularity": "Day"}"#).as_deref(),
            Some("interval")
        );
    }

    #[test]
    fn type_errors_carry_no_rust_type_names() {
        assert_eq!(
            plain_message("invalid length 0, expected struct UsageQuerySortBy with 2 elements"),
            "expected a JSON object, got an array"
        );
        assert_eq!(
            plain_message("invalid type: string \"x\", expected struct Foo at line 1 column 3"),
            "invalid type: string \"x\", expected a JSON object at line 1 column 3"
        );
        assert_eq!(
            plain_message("invalid type: integer `5`, expected a string"),
            "invalid type: integer `5`, expected a string"
        );
        for body in ["[]", "[1]", "\"x\"", "7", "null"] {
            let err = parse_json::<ApiUsageOrganizationQuery>(body.as_bytes()).unwrap_err();
            let message = err.body.message.unwrap_or_default();
            assert!(
                message.contains("must be a JSON object"),
                "{body}: {message}"
            );
        }
    }

    #[test]
    fn malformed_json_is_a_bad_request_without_a_field() {
        for body in ["{", "not json", "", r#"{"interval": "x"} trailing"#] {
            let err = parse_json::<ApiUsageOrganizationQuery>(body.as_bytes()).unwrap_err();
            assert_eq!(err.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(err.body.field_names().count(), 0, "{body}");
        }
    }

    #[test]
    fn content_type_must_be_json() {
        let mut headers = HeaderMap::new();
        assert!(require_json(&headers).is_err());
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(
            require_json(&headers).unwrap_err().status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        headers.insert(
            header::CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert!(require_json(&headers).is_ok());
    }

    #[test]
    fn page_parameters_are_read_and_checked() {
        let page = page_request(Some("pageSize=50&after=a%2Bb")).unwrap();
        assert_eq!(page.page_size, Some(50));
        assert_eq!(page.after.as_deref(), Some("a+b"));
        let err = page_request(Some("pageSize=ten")).unwrap_err();
        assert_eq!(err.body.field_names().next(), Some("pageSize"));
        assert_eq!(page_request(None).unwrap(), PageRequest::default());
    }
}
