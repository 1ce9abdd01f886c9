//! What the journal must not keep: credentials. A header, query parameter,
//! form field or JSON field whose name is credential-shaped (`Authorization`,
//! `Cookie`, `X-Api-Key`, `client_secret`, `access_token`, `password`, …)
//! has its value replaced by `<redacted>`; request bodies are kept bounded.

use std::borrow::Cow;

use axum::http::{HeaderMap, header};
use serde::ser::SerializeMap as _;
use serde::{Serialize, Serializer};

/// What a redacted value reads as.
pub(crate) const REDACTED: &str = "<redacted>";
/// Longest request body kept per journal entry (bytes of its redacted text);
/// a longer one is cut and marked, so a full journal stays bounded.
pub(crate) const MAX_BODY_KEPT: usize = 4096;

/// Names containing one of these (case and `-`/`_`/`.` ignored) are secret.
const SECRET_PARTS: [&str; 11] = [
    "secret",
    "password",
    "passwd",
    "token",
    "apikey",
    "assertion",
    "credential",
    "signature",
    "authorization",
    "cookie",
    "session",
];
/// Names that are secret only as a whole (as parts they are too common).
const SECRET_NAMES: [&str; 4] = ["key", "code", "sig", "auth"];

/// Whether a header, parameter or field of this name holds a credential.
pub(crate) fn is_secret_name(name: &str) -> bool {
    // Folded into a stack buffer: this runs for every header of every request.
    let mut buffer = [0u8; 64];
    let mut len = 0;
    for byte in name.bytes().filter(|b| !matches!(b, b'-' | b'_' | b'.')) {
        if len == buffer.len() {
            break;
        }
        buffer[len] = byte.to_ascii_lowercase();
        len += 1;
    }
    let folded = &buffer[..len];
    SECRET_NAMES.iter().any(|n| n.as_bytes() == folded)
        || SECRET_PARTS
            .iter()
            .any(|part| folded.windows(part.len()).any(|w| w == part.as_bytes()))
}

/// `Bearer abc` → `Bearer <redacted>`; the scheme is kept, the secret never.
pub(crate) fn redact_authorization_into(out: &mut String, value: &[u8]) {
    let text = String::from_utf8_lossy(value);
    match text.trim().split_once(' ') {
        Some((scheme, _)) if scheme.len() <= 16 => {
            out.push_str(scheme);
            out.push(' ');
            out.push_str(REDACTED);
        }
        _ => out.push_str(REDACTED),
    }
}

/// Whether a header's value is redacted, and how: `Authorization` keeps its scheme.
pub(crate) enum HeaderRedaction {
    Keep,
    KeepScheme,
    Whole,
}

pub(crate) fn header_redaction(name: &header::HeaderName) -> HeaderRedaction {
    if name == header::AUTHORIZATION || name == header::PROXY_AUTHORIZATION {
        HeaderRedaction::KeepScheme
    } else if is_secret_name(name.as_str()) {
        HeaderRedaction::Whole
    } else {
        HeaderRedaction::Keep
    }
}

/// A query string (or form body) with credential-shaped parameters redacted;
/// the others stay exactly as sent.
pub(crate) fn redact_query(query: &str) -> Cow<'_, str> {
    let secret = |pair: &str| {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        let key = url::form_urlencoded::parse(key.as_bytes())
            .next()
            .map(|(k, _)| k.into_owned())
            .unwrap_or_default();
        is_secret_name(&key)
    };
    if !query.split('&').any(secret) {
        return Cow::Borrowed(query);
    }
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if secret(pair) => format!("{key}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    Cow::Owned(pairs.join("&"))
}

/// A request body as the journal keeps it: redacted, at most
/// [`MAX_BODY_KEPT`] bytes, JSON shown as JSON.
#[derive(Debug, Clone)]
pub(crate) struct JournalBody {
    text: Box<str>,
    /// `text` is a whole JSON document (served as JSON, not as a string).
    json: bool,
    /// Size of the body as received.
    bytes: usize,
    truncated: bool,
}

impl JournalBody {
    /// What the journal keeps of `body` (`None` for an empty one).
    pub(crate) fn capture(body: &[u8], headers: &HeaderMap) -> Option<Self> {
        if body.is_empty() {
            return None;
        }
        let essence = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        let (text, json) = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(mut value) => {
                redact_json(&mut value);
                (value.to_string(), true)
            }
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                match essence.as_deref() {
                    Some("application/x-www-form-urlencoded") => {
                        (redact_query(&text).into_owned(), false)
                    }
                    // Unparsed text (broken JSON, say) has no fields to
                    // redact one by one: if it mentions a credential at all,
                    // none of it is kept.
                    _ if mentions_secret(&text) => (UNPARSED_SECRET.to_owned(), false),
                    _ => (text.into_owned(), false),
                }
            }
        };
        let truncated = text.len() > MAX_BODY_KEPT;
        let text = if truncated {
            let mut end = MAX_BODY_KEPT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].into()
        } else {
            text.into_boxed_str()
        };
        Some(Self {
            text,
            json: json && !truncated,
            bytes: body.len(),
            truncated,
        })
    }
}

/// What the journal keeps of an unparsed body that mentions a credential.
const UNPARSED_SECRET: &str =
    "<redacted: a body that is neither JSON nor a form, naming a credential>";

fn mentions_secret(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SECRET_PARTS.iter().any(|part| lower.contains(part))
}

/// Replaces the values of credential-shaped fields, at any depth.
fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if is_secret_name(key) {
                    *field = serde_json::Value::String(REDACTED.to_owned());
                } else {
                    redact_json(field);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Serialised into the entry (flattened): `body` (JSON or text), `bodyBytes`
/// and, when cut, `bodyTruncated: true`.
impl Serialize for JournalBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match self
            .json
            .then(|| serde_json::from_str::<serde_json::Value>(&self.text))
        {
            Some(Ok(value)) => map.serialize_entry("body", &value)?,
            _ => map.serialize_entry("body", &*self.text)?,
        }
        map.serialize_entry("bodyBytes", &self.bytes)?;
        if self.truncated {
            map.serialize_entry("bodyTruncated", &true)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn credential_shaped_names_are_secret_and_ordinary_ones_are_not() {
        for name in [
            "authorization",
            "proxy-authorization",
            "cookie",
            "set-cookie",
            "x-api-key",
            "X-Auth-Token",
            "client_secret",
            "access_token",
            "refresh_token",
            "password",
            "apiKey",
            "key",
            "code",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "host",
            "content-type",
            "user-agent",
            "x-mock-fault",
            "grant_type",
            "client_id",
            "interval",
            "groupBy",
            "oauthClientNames",
            "monkey",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn a_query_keeps_its_other_parameters_as_sent() {
        assert_eq!(
            redact_query("pageSize=10&after=a%2Bb"),
            "pageSize=10&after=a%2Bb"
        );
        assert_eq!(
            redact_query("a=1&client_secret=s3&access%5Ftoken=t0&b"),
            "a=1&client_secret=<redacted>&access%5Ftoken=<redacted>&b"
        );
    }

    #[test]
    fn bodies_are_redacted_at_any_depth_and_cut_when_long() {
        let json = HeaderMap::from_iter([(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )]);
        let body = br#"{"interval":"x","nested":[{"token":"t0k"}],"password":"p"}"#;
        let kept = JournalBody::capture(body, &json).unwrap();
        let value = serde_json::to_value(&kept).unwrap();
        assert_eq!(value["body"]["nested"][0]["token"], REDACTED);
        assert_eq!(value["body"]["password"], REDACTED);
        assert_eq!(value["body"]["interval"], "x");
        assert_eq!(value["bodyBytes"], body.len());
        assert!(value.get("bodyTruncated").is_none());
        let long = format!(r#"{{"templateUris":["{}"]}}"#, "é".repeat(5000));
        let cut =
            serde_json::to_value(JournalBody::capture(long.as_bytes(), &json).unwrap()).unwrap();
        assert_eq!(cut["bodyTruncated"], true);
        assert!(cut["body"].as_str().unwrap().len() <= MAX_BODY_KEPT);
        assert!(JournalBody::capture(b"", &json).is_none());
    }

    #[test]
    fn an_unparsed_body_naming_a_credential_is_not_kept() {
        let json = HeaderMap::from_iter([(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )]);
        let broken = br#"{"interval":"x","client_secret":"s3cr3t""#;
        let value = serde_json::to_value(JournalBody::capture(broken, &json).unwrap()).unwrap();
        assert!(!value.to_string().contains("s3cr3t"), "{value}");
        let plain = serde_json::to_value(JournalBody::capture(b"{oops", &json).unwrap()).unwrap();
        assert_eq!(plain["body"], "{oops", "text without a credential is kept");
    }

    #[test]
    fn form_bodies_are_redacted_by_field() {
        let form = HeaderMap::from_iter([(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )]);
        let kept = JournalBody::capture(b"grant_type=client_credentials&client_secret=s3", &form);
        let value = serde_json::to_value(kept.unwrap()).unwrap();
        assert_eq!(
            value["body"],
            "grant_type=client_credentials&client_secret=<redacted>"
        );
    }
}
