//! Faults: the one-shot `X-Mock-Fault` header, and the wire-level faults that
//! only HTTP has (connection reset, truncated / malformed / slow body, wrong
//! content type). The rule-based faults live in the engine
//! ([`Engine::take_fault`](genesys_usage::fake::Engine::take_fault)); both end
//! up as one [`Fault`] applied by [`crate::http::pipeline`] and [`crate::http::middleware`].

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::{StreamExt as _, stream};
use genesys_usage::fake::{Fault, RetryAfterHint};
use tokio::sync::Notify;

use crate::settings::config::parse_duration;

/// The request header that injects one fault into its own answer.
pub(crate) const FAULT_HEADER: HeaderName = HeaderName::from_static("x-mock-fault");

/// `Retry-After` of a `429` fault given without one.
const DEFAULT_RETRY_AFTER_SECS: u64 = 1;

/// Parses an `X-Mock-Fault` value: `429`, `429;retry-after=5`,
/// `429;retry-after=date:5`, `429;retry-after=none`, `500`…`504`, `reset`,
/// `truncate`, `malformed`, `content-type`, `slow:2s`, `latency:200ms`,
/// `token-expired`, `status:Paused`.
pub(crate) fn parse_fault_header(value: &str) -> Result<Fault, String> {
    let value = value.trim();
    let (head, params) = value.split_once(';').unwrap_or((value, ""));
    let (kind, arg) = head.split_once(':').unwrap_or((head, ""));
    let fault = match (kind.trim().to_ascii_lowercase().as_str(), arg.trim()) {
        ("429", "") => Fault::RateLimited {
            retry_after: parse_retry_after_param(params)?,
        },
        (code @ ("500" | "501" | "502" | "503" | "504"), "") => Fault::ServerError {
            status: code.parse().unwrap_or(500),
        },
        ("reset", "") => Fault::ConnectionReset,
        ("truncate" | "truncated", "") => Fault::TruncatedBody,
        ("malformed", "") => Fault::MalformedJson,
        ("content-type", "") => Fault::WrongContentType,
        ("token-expired", "") => Fault::TokenExpired,
        ("slow", d) => Fault::SlowBody {
            delay: parse_duration(d)?,
        },
        ("latency", d) => Fault::Latency {
            delay: parse_duration(d)?,
        },
        ("status", s) if !s.is_empty() => Fault::UnknownStatus {
            status: s.to_owned(),
        },
        _ => {
            return Err(format!(
                "unknown fault `{value}`; expected 429[;retry-after=N|date:N|none], 500-504, reset, \
                 truncate, malformed, content-type, slow:<duration>, latency:<duration>, \
                 token-expired or status:<text>"
            ));
        }
    };
    if !params.trim().is_empty() && !matches!(fault, Fault::RateLimited { .. }) {
        return Err(format!("fault `{head}` takes no parameters"));
    }
    // The same limits as the admin API's fault rules (delays, Retry-After).
    fault
        .validate()
        .map_err(|failure| failure.body.message.unwrap_or_default())?;
    Ok(fault)
}

fn parse_retry_after_param(params: &str) -> Result<RetryAfterHint, String> {
    let params = params.trim();
    if params.is_empty() {
        return Ok(RetryAfterHint::Seconds(DEFAULT_RETRY_AFTER_SECS));
    }
    let Some((key, value)) = params.split_once('=') else {
        return Err(format!("expected retry-after=<value>, got `{params}`"));
    };
    if !key.trim().eq_ignore_ascii_case("retry-after") {
        return Err(format!("unknown parameter `{}`", key.trim()));
    }
    let value = value.trim();
    if value.eq_ignore_ascii_case("none") {
        return Ok(RetryAfterHint::Absent);
    }
    let number = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| format!("retry-after `{value}` is not a whole number of seconds"))
    };
    match value.strip_prefix("date:") {
        Some(seconds) => Ok(RetryAfterHint::HttpDate(number(seconds)?)),
        None => Ok(RetryAfterHint::Seconds(number(value)?)),
    }
}

/// A short name of a fault for the journal.
pub(crate) fn fault_name(fault: &Fault) -> String {
    match fault {
        Fault::RateLimited { .. } => "rateLimited".to_owned(),
        Fault::ServerError { status } => format!("serverError:{status}"),
        Fault::TokenExpired => "tokenExpired".to_owned(),
        Fault::UnknownStatus { status } => format!("unknownStatus:{status}"),
        Fault::Latency { delay } => format!("latency:{}ms", delay.as_millis()),
        Fault::ConnectionReset => "connectionReset".to_owned(),
        Fault::TruncatedBody => "truncatedBody".to_owned(),
        Fault::MalformedJson => "malformedJson".to_owned(),
        Fault::WrongContentType => "wrongContentType".to_owned(),
        Fault::SlowBody { delay } => format!("slowBody:{}ms", delay.as_millis()),
    }
}

/// A fault done on the wire after the answer is built; carried to the outer
/// middleware in the response extensions.
#[derive(Debug, Clone)]
pub(crate) enum WireFault {
    Reset,
    Truncate,
    Malformed,
    WrongContentType,
    Slow(Duration),
}

impl WireFault {
    pub(crate) fn from_fault(fault: &Fault) -> Option<Self> {
        match fault {
            Fault::ConnectionReset => Some(Self::Reset),
            Fault::TruncatedBody => Some(Self::Truncate),
            Fault::MalformedJson => Some(Self::Malformed),
            Fault::WrongContentType => Some(Self::WrongContentType),
            Fault::SlowBody { delay } => Some(Self::Slow(*delay)),
            _ => None,
        }
    }
}

/// Closes one connection without an answer. The accept loop of
/// [`crate::serve::server`] puts one in every request's extensions.
#[derive(Debug, Default)]
pub(crate) struct KillSwitch {
    notify: Notify,
}

impl KillSwitch {
    pub(crate) fn kill(&self) {
        self.notify.notify_one();
    }

    pub(crate) async fn killed(&self) {
        self.notify.notified().await;
    }
}

/// Applies a wire fault to a finished answer whose body is `body`.
pub(crate) async fn apply(
    fault: WireFault,
    mut response: Response,
    body: Bytes,
    kill: Option<Arc<KillSwitch>>,
) -> Response {
    let (length, new_body) = match fault {
        WireFault::Reset => return reset(response, kill).await,
        WireFault::Truncate => {
            // Declare more than is sent; the connection then ends mid-body.
            let half = body.slice(..body.len() / 2);
            let declared = body.len() + body.len().max(64);
            (
                declared,
                paced_body(vec![half], Duration::from_millis(50), true),
            )
        }
        WireFault::Malformed => {
            let mut broken = body.slice(..body.len() / 2).to_vec();
            broken.extend_from_slice(b"#<not json");
            (broken.len(), Body::from(broken))
        }
        WireFault::WrongContentType => {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            (HTML_PAGE.len(), Body::from(HTML_PAGE))
        }
        WireFault::Slow(delay) => {
            let split = body.len() / 2;
            let parts = vec![body.slice(..split), body.slice(split..)];
            (body.len(), paced_body(parts, delay, false))
        }
    };
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    *response.body_mut() = new_body;
    response
}

/// What a proxy or maintenance page might send instead of JSON.
const HTML_PAGE: &str = "<html><head><title>Service Notice</title></head><body><h1>Please try again later</h1></body></html>";

/// Closes the connection with no answer at all.
async fn reset(mut response: Response, kill: Option<Arc<KillSwitch>>) -> Response {
    if let Some(kill) = kill {
        kill.kill();
        // The connection task drops this future together with the connection.
        std::future::pending::<()>().await;
    }
    // Outside the accept loop (plain `app()`): fail the body instead.
    let failing = stream::iter([Err::<Bytes, std::io::Error>(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "injected connection reset",
    ))]);
    *response.body_mut() = Body::from_stream(failing);
    response
}

/// A body that sends `parts` with `pause` between them; when `cut` it also
/// pauses after the last part and then ends (short of its Content-Length).
fn paced_body(parts: Vec<Bytes>, pause: Duration, cut: bool) -> Body {
    let chunks = stream::iter(parts.into_iter().enumerate()).then(move |(i, part)| async move {
        if i > 0 {
            tokio::time::sleep(pause).await;
        }
        Ok::<Bytes, std::io::Error>(part)
    });
    let tail = stream::once(async move {
        if cut {
            tokio::time::sleep(pause).await;
        }
        Ok::<Bytes, std::io::Error>(Bytes::new())
    });
    Body::from_stream(chunks.chain(tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_faults_parse_with_each_retry_after_form() {
        let cases = [
            ("429", RetryAfterHint::Seconds(1)),
            ("429;retry-after=5", RetryAfterHint::Seconds(5)),
            ("429; Retry-After=date:7", RetryAfterHint::HttpDate(7)),
            ("429;retry-after=none", RetryAfterHint::Absent),
        ];
        for (text, hint) in cases {
            match parse_fault_header(text) {
                Ok(Fault::RateLimited { retry_after }) => assert_eq!(retry_after, hint, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_documented_fault_parses() {
        for text in [
            "500",
            "503",
            "reset",
            "truncate",
            "malformed",
            "content-type",
            "slow:2s",
            "latency:200ms",
            "token-expired",
            "status:Paused",
        ] {
            assert!(parse_fault_header(text).is_ok(), "{text}");
        }
        assert!(matches!(
            parse_fault_header("latency:200ms"),
            Ok(Fault::Latency { delay }) if delay == Duration::from_millis(200)
        ));
    }

    #[test]
    fn bad_fault_values_say_what_is_wrong() {
        assert!(parse_fault_header("teapot").unwrap_err().contains("teapot"));
        assert!(parse_fault_header("429;retry-after=soon").is_err());
        assert!(parse_fault_header("503;retry-after=1").is_err());
        assert!(parse_fault_header("slow:forever").is_err());
        assert!(parse_fault_header("status:").is_err());
        assert!(
            parse_fault_header("latency:1000h")
                .unwrap_err()
                .contains("limit")
        );
        assert!(parse_fault_header("429;retry-after=date:99999999999").is_err());
    }
}
