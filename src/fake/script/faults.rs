//! Scripted faults: what can go wrong, on which requests, and when.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::fake::answer::EngineFailure;
use crate::fake::operation::Operation;
use crate::models::ErrorBody;

/// The `Retry-After` header of a rate-limited answer.
///
/// JSON: `{"seconds":30}`, `{"httpDate":30}` or `"absent"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RetryAfterHint {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`, that many seconds from now.
    HttpDate(u64),
    /// No `Retry-After` header.
    Absent,
}

impl RetryAfterHint {
    /// The wait the hint asks for, if any.
    #[must_use]
    pub fn delay(&self) -> Option<Duration> {
        match *self {
            Self::Seconds(s) | Self::HttpDate(s) => Some(Duration::from_secs(s)),
            Self::Absent => None,
        }
    }
}

/// Something that goes wrong with one request.
///
/// Unless said otherwise the request is *not* processed (no execution is
/// created, no poll is counted). The HTTP-only faults (`ConnectionReset`,
/// `TruncatedBody`, `MalformedJson`, `WrongContentType`, `SlowBody`) spoil the
/// answer of a request that *was* processed; `FakeTransport` maps them to the
/// errors `HttpTransport` would give.
///
/// JSON: `{"kind":"rateLimited","retryAfter":{"seconds":30}}`,
/// `{"kind":"serverError","status":503}`, `{"kind":"latency","delayMs":250}`…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Fault {
    /// 429 `too.many.requests.retry.after`, with the given `Retry-After`.
    RateLimited {
        /// The `Retry-After` header.
        retry_after: RetryAfterHint,
    },
    /// A 5xx `ErrorBody` (500, 502, 503 and 504 have their own codes; other
    /// 5xx statuses read as 500's). See [`Fault::validate`].
    ServerError {
        /// The HTTP status.
        status: u16,
    },
    /// 401 `ErrorBody`: the token expired (the server also revokes it).
    TokenExpired,
    /// Results GETs only: processed normally, then `queryStatus` replaced by this text.
    UnknownStatus {
        /// The `queryStatus` to send.
        status: String,
    },
    /// Waits, then processes and answers normally.
    Latency {
        /// How long to wait.
        #[serde(rename = "delayMs", with = "duration_ms")]
        delay: Duration,
    },
    /// Processed, then the connection is reset before the answer (`Transport{Io}`).
    ConnectionReset,
    /// Processed, then the body is cut short of its `Content-Length`
    /// (`Transport{Io}`, as reqwest reports it).
    TruncatedBody,
    /// Processed, then the body is not JSON (`Decode` with `not_json`).
    MalformedJson,
    /// Processed, then answered with `Content-Type: text/html` and an HTML
    /// page (`Decode` with `not_json`).
    WrongContentType,
    /// Processed, then the body trickles for `delay` (`Transport{Timeout}`).
    SlowBody {
        /// How long the body takes.
        #[serde(rename = "delayMs", with = "duration_ms")]
        delay: Duration,
    },
}

impl Fault {
    /// The error answer of the faults that replace the answer
    /// (`RateLimited`, `ServerError`, `TokenExpired`); `None` for the others.
    /// The body has no `contextId` yet: the caller sets its correlation id.
    #[must_use]
    pub fn error_answer(&self) -> Option<EngineFailure> {
        let (status, body) = match self {
            Self::RateLimited { retry_after } => {
                let secs = retry_after.delay().map_or(1, |d| d.as_secs());
                let message = format!(
                    "Rate limit exceeded the maximum. Retry the request in [{secs}] seconds"
                );
                // Genesys's normalised 429 (since 2021) has no messageParams.
                let mut body = ErrorBody::new(429, "too.many.requests.retry.after", message);
                body.message_params = None;
                (429, body)
            }
            Self::ServerError { status } => (*status, server_error_body(*status)),
            Self::TokenExpired => (
                401,
                ErrorBody::new(
                    401,
                    "bad.credentials",
                    "Invalid login credentials: the access token has expired.",
                ),
            ),
            _ => return None,
        };
        Some(EngineFailure { status, body })
    }
}

/// Longest delay a `Latency` or `SlowBody` fault may ask for: a request
/// held longer only ties up the server (client timeouts are far shorter).
const MAX_DELAY: Duration = Duration::from_secs(600);
/// Longest `Retry-After` a `RateLimited` fault may send: one day, the
/// longest rate-limit window of the real service.
const MAX_RETRY_AFTER_SECS: u64 = 86_400;

impl Fault {
    /// Checks that the fault can happen: a `ServerError` status in
    /// 500..=599, delays up to 10 minutes, a `Retry-After` up to one day, a
    /// non-empty `UnknownStatus`.
    ///
    /// # Errors
    /// A 400 answer naming the field (`fault.status`, `fault.delayMs`,
    /// `fault.retryAfter`), as the mock server's admin API gives it.
    pub fn validate(&self) -> Result<(), EngineFailure> {
        let bad = |field: &str, code: &str, message: String| {
            EngineFailure::bad_request(field, code, message)
        };
        match self {
            Self::ServerError { status } if !(500..=599).contains(status) => Err(bad(
                "fault.status",
                "invalid.value",
                format!(
                    "fault status {status} is not a server error status: give one from 500 to 599"
                ),
            )),
            Self::Latency { delay } | Self::SlowBody { delay } if *delay > MAX_DELAY => Err(bad(
                "fault.delayMs",
                "out.of.range",
                format!(
                    "fault delay of {} ms is over the limit of {} ms (10 minutes)",
                    delay.as_millis(),
                    MAX_DELAY.as_millis()
                ),
            )),
            Self::RateLimited { retry_after } => match retry_after.delay() {
                Some(d) if d.as_secs() > MAX_RETRY_AFTER_SECS => Err(bad(
                    "fault.retryAfter",
                    "out.of.range",
                    format!(
                        "Retry-After of {} s is over the limit of {MAX_RETRY_AFTER_SECS} s (one day)",
                        d.as_secs()
                    ),
                )),
                _ => Ok(()),
            },
            Self::UnknownStatus { status } if status.trim().is_empty() => Err(bad(
                "fault.status",
                "required",
                "an unknownStatus fault needs the queryStatus text to send".to_owned(),
            )),
            _ => Ok(()),
        }
    }
}

fn server_error_body(status: u16) -> ErrorBody {
    let (code, message) = match status {
        502 => (
            "bad.gateway",
            "The server received an invalid response from an upstream server.",
        ),
        503 => (
            "service.unavailable",
            "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).",
        ),
        504 => ("gateway.timeout", "The request timed out."),
        _ => (
            "internal.server.error",
            "The server encountered an unexpected condition which prevented it from fulfilling the request.",
        ),
    };
    ErrorBody::new(status, code, message)
}

/// Durations as whole milliseconds in JSON.
mod duration_ms {
    use std::time::Duration;

    pub(super) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Duration, D::Error> {
        <u64 as serde::Deserialize>::deserialize(d).map(Duration::from_millis)
    }
}

/// Which matching requests a [`FaultRule`] hits.
///
/// JSON: `{"nth":2}`, `{"next":3}`, `{"probability":{"p":0.25,"seed":7}}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultTrigger {
    /// Only the n-th matching request from now (1-based), once.
    Nth(u32),
    /// The next n matching requests.
    Next(u32),
    /// Each matching request with probability `p`, drawn from a seeded
    /// generator (so runs repeat exactly).
    Probability {
        /// Probability in `[0, 1]`.
        p: f64,
        /// Seed of the draws.
        seed: u64,
    },
}

impl Default for FaultTrigger {
    /// The next matching request.
    fn default() -> Self {
        Self::Next(1)
    }
}

/// A fault, the requests it applies to, and when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// What goes wrong.
    pub fault: Fault,
    /// Only this operation (`None`: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// Only requests about this execution id (`None`: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_id: Option<String>,
    /// When it fires (default: the next matching request).
    #[serde(default)]
    pub trigger: FaultTrigger,
}

impl FaultRule {
    /// `fault` on the next request of any operation.
    #[must_use]
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            operation: None,
            execution_id: None,
            trigger: FaultTrigger::default(),
        }
    }

    /// Only for `operation`.
    #[must_use]
    pub fn on(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Only for requests about `execution_id`.
    #[must_use]
    pub fn for_execution(mut self, execution_id: impl Into<String>) -> Self {
        self.execution_id = Some(execution_id.into());
        self
    }

    /// Fires per `trigger`.
    #[must_use]
    pub fn when(mut self, trigger: FaultTrigger) -> Self {
        self.trigger = trigger;
        self
    }

    /// Checks that the rule can fire: the fault's own checks
    /// ([`Fault::validate`]), `nth` and `next` at least 1, a probability
    /// within 0..=1. [`Engine::add_fault`](crate::fake::Engine::add_fault)
    /// takes any rule (one that cannot fire never does); the mock server's
    /// admin API refuses those that fail here.
    ///
    /// # Errors
    /// A 400 answer naming the field (`fault.…`, `trigger.nth`,
    /// `trigger.next`, `trigger.probability.p`).
    pub fn validate(&self) -> Result<(), EngineFailure> {
        self.fault.validate()?;
        let at_least_one = |field: &str, n: u32| {
            if n == 0 {
                Err(EngineFailure::bad_request(
                    field,
                    "out.of.range",
                    format!("{field} must be at least 1 (it counts matching requests from 1)"),
                ))
            } else {
                Ok(())
            }
        };
        match self.trigger {
            FaultTrigger::Nth(n) => at_least_one("trigger.nth", n),
            FaultTrigger::Next(n) => at_least_one("trigger.next", n),
            FaultTrigger::Probability { p, .. } if !(0.0..=1.0).contains(&p) => {
                Err(EngineFailure::bad_request(
                    "trigger.probability.p",
                    "out.of.range",
                    format!("trigger.probability.p must be within 0 and 1, not {p}"),
                ))
            }
            FaultTrigger::Probability { .. } => Ok(()),
        }
    }

    pub(crate) fn matches(&self, operation: Operation, execution_id: Option<&str>) -> bool {
        self.operation.is_none_or(|op| op == operation)
            && self
                .execution_id
                .as_deref()
                .is_none_or(|id| execution_id == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_serialise_as_tagged_camel_case_json() {
        let rule = FaultRule::new(Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(30),
        })
        .on(Operation::GetUsageAggregatesQueryJob);
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "fault": {"kind": "rateLimited", "retryAfter": {"seconds": 30}},
                "operation": "get_usage_aggregates_query_job",
                "trigger": {"next": 1}
            })
        );
        let latency: Fault = serde_json::from_str(r#"{"kind":"latency","delayMs":250}"#).unwrap();
        assert_eq!(
            latency,
            Fault::Latency {
                delay: Duration::from_millis(250)
            }
        );
        assert_eq!(serde_json::from_value::<FaultRule>(json).unwrap(), rule);
    }

    #[test]
    fn rules_that_cannot_happen_are_refused_naming_the_field() {
        let field = |rule: FaultRule| {
            let failure = rule.validate().unwrap_err();
            failure.body.field_names().next().unwrap().to_owned()
        };
        let server = |status| FaultRule::new(Fault::ServerError { status });
        assert_eq!(field(server(99)), "fault.status");
        assert_eq!(field(server(200)), "fault.status");
        assert!(server(503).validate().is_ok());
        let slow = Fault::Latency {
            delay: Duration::from_secs(3600),
        };
        assert_eq!(field(FaultRule::new(slow)), "fault.delayMs");
        let forever = Fault::RateLimited {
            retry_after: RetryAfterHint::HttpDate(u64::MAX),
        };
        assert_eq!(field(FaultRule::new(forever)), "fault.retryAfter");
        let ok = || FaultRule::new(Fault::TokenExpired);
        assert_eq!(field(ok().when(FaultTrigger::Nth(0))), "trigger.nth");
        assert_eq!(field(ok().when(FaultTrigger::Next(0))), "trigger.next");
        let p = |p| ok().when(FaultTrigger::Probability { p, seed: 1 });
        assert_eq!(field(p(1.5)), "trigger.probability.p");
        assert_eq!(field(p(f64::NAN)), "trigger.probability.p");
        assert!(p(1.0).validate().is_ok() && p(0.0).validate().is_ok());
    }

    #[test]
    fn operation_names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(op.as_str().parse::<Operation>().unwrap(), op);
        }
        assert!("nope".parse::<Operation>().is_err());
    }
}
