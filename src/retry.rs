//! [`RetryPolicy`]: which failures are retried, how long to wait, and `Retry-After`.

use std::time::{Duration, SystemTime};

use crate::error::{Error, TransportErrorKind};

/// How the client retries one call (policy above the transport).
///
/// - **GET** (results polls and pages): 429, 500, 502, 503, 504, connection
///   errors, timeouts, and a 2xx answer whose body is not JSON at all (a
///   gateway's HTML page, a garbled body: [`Error::Decode`] with `not_json`)
///   are retried. A GET only reads, so asking again is safe; AWS and Azure
///   SDKs retry a 500 on idempotent requests too. A 2xx body that is JSON of
///   the wrong shape is not retried: the same answer would come again.
/// - **POST** (submits, and the summary GET `get_oauth_client_usage_summary`,
///   which starts an execution): only where the request provably was not
///   processed: a connection that never opened, 429 and 503. A POST answered
///   500, 502 or 504, or cut off mid-answer, is not retried: it may have
///   created an execution, and sending it again would create a second one.
/// - TLS failures (an untrusted certificate) and a proxy refusing its
///   credentials are never retried: trying again cannot help.
/// - Waits use full jitter (`random(0, min(max_backoff, initial_backoff·2ⁿ))`)
///   unless the server sent `Retry-After` (seconds or HTTP-date), which is
///   honoured exactly. A hint above [`max_retry_after`](Self::max_retry_after)
///   is not waited out: the call fails at once with [`Error::RateLimited`].
/// - [`budget`](Self::budget) bounds the total time one call spends waiting.
///
/// ```
/// use std::time::Duration;
/// use genesys_usage::RetryPolicy;
/// let policy = RetryPolicy { max_retries: 2, ..RetryPolicy::default() };
/// assert_eq!(policy.max_retry_after, Duration::from_secs(180));
/// assert_eq!(RetryPolicy::none().max_retries, 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt. Default 4.
    pub max_retries: u32,
    /// Base of the exponential backoff. Default 500 ms.
    pub initial_backoff: Duration,
    /// Ceiling of one backoff. Default 30 s.
    pub max_backoff: Duration,
    /// Total time one call may spend waiting between attempts. Default 120 s.
    pub budget: Duration,
    /// The longest `Retry-After` the client waits out. Default 180 s, as the
    /// official Java, .NET and Go SDKs.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            budget: Duration::from_secs(120),
            max_retry_after: Duration::from_secs(180),
        }
    }
}

/// Whether a call is a read (GET) or a submit (POST), for retry rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
}

impl RetryPolicy {
    /// A policy that never retries.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Whether `error` may be retried for a call of `method`.
    pub(crate) fn is_retryable(method: Method, error: &Error) -> bool {
        match (method, error) {
            // An untrusted certificate or refused proxy credentials stay so.
            (
                _,
                Error::Transport {
                    kind: TransportErrorKind::Tls | TransportErrorKind::Proxy,
                    ..
                },
            ) => false,
            (_, Error::RateLimited { .. }) => true,
            (Method::Get, Error::Transport { .. }) => true,
            (Method::Post, Error::Transport { kind, not_sent, .. }) => {
                *not_sent || *kind == TransportErrorKind::Connect
            }
            (Method::Get, Error::Api { status, .. }) => matches!(status, 500 | 502..=504),
            (Method::Get, Error::Decode { not_json, .. }) => *not_json,
            (Method::Post, Error::Api { status, .. }) => *status == 503,
            _ => false,
        }
    }

    /// The full-jitter backoff before retry number `retry` (0-based), given a
    /// uniform random `unit` in `[0, 1)`.
    pub(crate) fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX));
        let ceiling = exp.min(self.max_backoff);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Parses a `Retry-After` value: whole (or decimal) seconds, or an HTTP-date
/// resolved against `now` (a date in the past gives zero). Anything else
/// gives `None`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use genesys_usage::parse_retry_after;
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(parse_retry_after("30", now), Some(Duration::from_secs(30)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
#[must_use]
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate absurd values instead of failing: they exceed any cap anyway.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api {
            status,
            body: None,
            snippet: None,
            correlation_id: None,
        }
    }

    fn decode(not_json: bool) -> Error {
        Error::Decode {
            status: 200,
            message: "expected value at line 1 column 1".into(),
            snippet: "<html>".into(),
            correlation_id: None,
            not_json,
        }
    }

    #[test]
    fn gets_retry_500_and_gateway_errors_but_posts_only_503() {
        for status in [500, 502, 503, 504] {
            assert!(RetryPolicy::is_retryable(Method::Get, &api(status)));
            assert!(api(status).is_retryable());
        }
        assert!(!RetryPolicy::is_retryable(Method::Get, &api(501)));
        assert!(!RetryPolicy::is_retryable(Method::Get, &api(404)));
        assert!(RetryPolicy::is_retryable(Method::Post, &api(503)));
        assert!(!RetryPolicy::is_retryable(Method::Post, &api(500)));
        assert!(!RetryPolicy::is_retryable(Method::Post, &api(502)));
    }

    #[test]
    fn gets_retry_a_body_that_is_not_json_but_not_json_of_the_wrong_shape() {
        assert!(RetryPolicy::is_retryable(Method::Get, &decode(true)));
        assert!(decode(true).is_retryable());
        assert!(!RetryPolicy::is_retryable(Method::Get, &decode(false)));
        assert!(!decode(false).is_retryable());
        assert!(!RetryPolicy::is_retryable(Method::Post, &decode(true)));
    }

    #[test]
    fn a_post_cut_off_mid_answer_is_not_retried() {
        let reset = Error::Transport {
            kind: TransportErrorKind::Io,
            message: "reset".into(),
            not_sent: false,
        };
        assert!(RetryPolicy::is_retryable(Method::Get, &reset));
        assert!(!RetryPolicy::is_retryable(Method::Post, &reset));
        let refused = Error::Transport {
            kind: TransportErrorKind::Connect,
            message: "refused".into(),
            not_sent: true,
        };
        assert!(RetryPolicy::is_retryable(Method::Post, &refused));
    }

    #[test]
    fn backoff_is_bounded_by_the_exponential_ceiling() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, 0.999_999).as_millis(), 499);
        assert_eq!(p.backoff(3, 0.5), Duration::from_secs(2));
        assert_eq!(p.backoff(40, 1.0), p.max_backoff);
        assert_eq!(p.backoff(2, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(parse_retry_after(" 2 ", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
