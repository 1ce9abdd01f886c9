//! Scripted faults: what can go wrong, on which requests, and when.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::engine::EngineFailure;
use super::rng::SplitMix64;
use crate::models::ErrorBody;

/// One operation of the Usage API (plus the token endpoint), as faults and
/// call records name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// L1 `POST /api/v2/usage/query`.
    PostUsageQuery,
    /// L2 `GET /api/v2/usage/query/{executionId}/results`.
    GetUsageQueryExecutionIdResults,
    /// L3 `POST /api/v2/usage/simplesearch`.
    PostUsageSimplesearch,
    /// L4 `GET /api/v2/usage/simplesearch/{executionId}/results`.
    GetUsageSimplesearchExecutionIdResults,
    /// L5 `POST /api/v2/oauth/clients/{clientId}/usage/query`.
    PostOauthClientUsageQuery,
    /// L6 `GET /api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}`.
    GetOauthClientUsageQueryResult,
    /// L7 `GET /api/v2/oauth/clients/{clientId}/usage/summary`.
    GetOauthClientUsageSummary,
    /// N1 `POST /api/v2/usage/aggregates/query/jobs`.
    PostUsageAggregatesQueryJobs,
    /// N2 `GET /api/v2/usage/aggregates/query/jobs/{jobId}`.
    GetUsageAggregatesQueryJob,
    /// N3 `POST /api/v2/usage/client/{clientId}/aggregates/query/jobs`.
    PostUsageClientAggregatesQueryJobs,
    /// N4 `GET /api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}`.
    GetUsageClientAggregatesQueryJob,
    /// `POST /oauth/token` (and `FakeTransport::refresh_auth`).
    Token,
}

impl Operation {
    /// Every operation, in the order of the spec.
    pub const ALL: [Operation; 12] = [
        Self::PostUsageQuery,
        Self::GetUsageQueryExecutionIdResults,
        Self::PostUsageSimplesearch,
        Self::GetUsageSimplesearchExecutionIdResults,
        Self::PostOauthClientUsageQuery,
        Self::GetOauthClientUsageQueryResult,
        Self::GetOauthClientUsageSummary,
        Self::PostUsageAggregatesQueryJobs,
        Self::GetUsageAggregatesQueryJob,
        Self::PostUsageClientAggregatesQueryJobs,
        Self::GetUsageClientAggregatesQueryJob,
        Self::Token,
    ];

    /// The snake_case name, as the SDK's `UsageClient` method (and the
    /// official SDKs) call it; `token` for the token endpoint.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PostUsageQuery => "post_usage_query",
            Self::GetUsageQueryExecutionIdResults => "get_usage_query_execution_id_results",
            Self::PostUsageSimplesearch => "post_usage_simplesearch",
            Self::GetUsageSimplesearchExecutionIdResults => {
                "get_usage_simplesearch_execution_id_results"
            }
            Self::PostOauthClientUsageQuery => "post_oauth_client_usage_query",
            Self::GetOauthClientUsageQueryResult => "get_oauth_client_usage_query_result",
            Self::GetOauthClientUsageSummary => "get_oauth_client_usage_summary",
            Self::PostUsageAggregatesQueryJobs => "post_usage_aggregates_query_jobs",
            Self::GetUsageAggregatesQueryJob => "get_usage_aggregates_query_job",
            Self::PostUsageClientAggregatesQueryJobs => "post_usage_client_aggregates_query_jobs",
            Self::GetUsageClientAggregatesQueryJob => "get_usage_client_aggregates_query_job",
            Self::Token => "token",
        }
    }

    /// Whether this operation submits a query (L1, L3, L5, L7, N1, N3).
    #[must_use]
    pub fn is_submit(&self) -> bool {
        matches!(
            self,
            Self::PostUsageQuery
                | Self::PostUsageSimplesearch
                | Self::PostOauthClientUsageQuery
                | Self::GetOauthClientUsageSummary
                | Self::PostUsageAggregatesQueryJobs
                | Self::PostUsageClientAggregatesQueryJobs
        )
    }

    /// Whether this operation polls results (L2, L4, L6, N2, N4).
    #[must_use]
    pub fn is_poll(&self) -> bool {
        matches!(
            self,
            Self::GetUsageQueryExecutionIdResults
                | Self::GetUsageSimplesearchExecutionIdResults
                | Self::GetOauthClientUsageQueryResult
                | Self::GetUsageAggregatesQueryJob
                | Self::GetUsageClientAggregatesQueryJob
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not an [`Operation`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown operation {0:?}")]
pub struct UnknownOperation(pub String);

impl FromStr for Operation {
    type Err = UnknownOperation;

    /// Also accepts the official SDKs' longer names of N3/N4
    /// (`…_client_client_id_…`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "post_usage_client_client_id_aggregates_query_jobs" => {
                Ok(Self::PostUsageClientAggregatesQueryJobs)
            }
            "get_usage_client_client_id_aggregates_query_job" => {
                Ok(Self::GetUsageClientAggregatesQueryJob)
            }
            _ => Self::ALL
                .into_iter()
                .find(|op| op.as_str() == s)
                .ok_or_else(|| UnknownOperation(s.to_owned())),
        }
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Operation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

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
    /// A 5xx `ErrorBody` (500, 502, 503 or 504; other statuses are sent as given).
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
    /// Processed, then the body is cut short (`Decode`).
    TruncatedBody,
    /// Processed, then the body is not JSON (`Decode`).
    MalformedJson,
    /// Processed, then answered with `Content-Type: text/html` (`Decode`).
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
                (
                    429,
                    ErrorBody::new(429, "too.many.requests.retry.after", message),
                )
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

    fn matches(&self, operation: Operation, execution_id: Option<&str>) -> bool {
        self.operation.is_none_or(|op| op == operation)
            && self
                .execution_id
                .as_deref()
                .is_none_or(|id| execution_id == Some(id))
    }
}

/// The live rules with their counters.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    next_id: u64,
    rules: Vec<LiveRule>,
}

#[derive(Debug)]
struct LiveRule {
    id: u64,
    rule: FaultRule,
    /// Matching requests seen (for `Nth`) or fired (for `Next`).
    count: u32,
    rng: Option<SplitMix64>,
}

impl FaultBook {
    pub(crate) fn add(&mut self, rule: FaultRule) -> u64 {
        self.next_id += 1;
        let rng = match rule.trigger {
            FaultTrigger::Probability { seed, .. } => Some(SplitMix64::new(seed)),
            _ => None,
        };
        self.rules.push(LiveRule {
            id: self.next_id,
            rule,
            count: 0,
            rng,
        });
        self.next_id
    }

    pub(crate) fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn list(&self) -> Vec<(u64, FaultRule)> {
        self.rules.iter().map(|r| (r.id, r.rule.clone())).collect()
    }

    /// Rules are consulted in the order they were added; the first that fires
    /// answers the request and later rules do not see it. Spent rules are dropped.
    pub(crate) fn take(
        &mut self,
        operation: Operation,
        execution_id: Option<&str>,
    ) -> Option<Fault> {
        let position = self
            .rules
            .iter_mut()
            .position(|live| live.rule.matches(operation, execution_id) && live.fires())?;
        let live = &self.rules[position];
        let fault = live.rule.fault.clone();
        if live.spent() {
            self.rules.remove(position);
        }
        Some(fault)
    }
}

impl LiveRule {
    /// Counts one matching request; whether the fault fires on it.
    fn fires(&mut self) -> bool {
        match self.rule.trigger {
            FaultTrigger::Nth(n) => {
                self.count = self.count.saturating_add(1);
                self.count == n
            }
            FaultTrigger::Next(n) => {
                let fire = self.count < n;
                self.count = self.count.saturating_add(1);
                fire
            }
            FaultTrigger::Probability { p, .. } => {
                self.rng.as_mut().is_some_and(|rng| rng.next_f64() < p)
            }
        }
    }

    fn spent(&self) -> bool {
        match self.rule.trigger {
            FaultTrigger::Nth(n) => self.count >= n,
            FaultTrigger::Next(n) => self.count >= n,
            FaultTrigger::Probability { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_with(rule: FaultRule) -> FaultBook {
        let mut book = FaultBook::default();
        book.add(rule);
        book
    }

    #[test]
    fn nth_fires_once_on_the_nth_match() {
        let mut book = book_with(FaultRule::new(Fault::TokenExpired).when(FaultTrigger::Nth(2)));
        let hits: Vec<bool> = (0..4)
            .map(|_| book.take(Operation::Token, None).is_some())
            .collect();
        assert_eq!(hits, [false, true, false, false]);
        assert!(book.list().is_empty());
    }

    #[test]
    fn next_fires_n_times_only_on_matching_requests() {
        let rule = FaultRule::new(Fault::TokenExpired)
            .on(Operation::PostUsageQuery)
            .when(FaultTrigger::Next(2));
        let mut book = book_with(rule);
        assert!(book.take(Operation::Token, None).is_none());
        assert!(book.take(Operation::PostUsageQuery, None).is_some());
        assert!(book.take(Operation::PostUsageQuery, None).is_some());
        assert!(book.take(Operation::PostUsageQuery, None).is_none());
    }

    #[test]
    fn execution_scoped_rules_ignore_other_ids() {
        let mut book = book_with(FaultRule::new(Fault::TokenExpired).for_execution("a"));
        assert!(book.take(Operation::Token, Some("b")).is_none());
        assert!(book.take(Operation::Token, None).is_none());
        assert!(book.take(Operation::Token, Some("a")).is_some());
    }

    #[test]
    fn probability_draws_repeat_with_the_seed() {
        let rule =
            FaultRule::new(Fault::TokenExpired).when(FaultTrigger::Probability { p: 0.5, seed: 9 });
        let draw = || {
            let mut book = book_with(rule.clone());
            (0..32)
                .map(|_| book.take(Operation::Token, None).is_some())
                .collect::<Vec<_>>()
        };
        let first = draw();
        assert_eq!(first, draw());
        assert!(first.contains(&true) && first.contains(&false));
    }

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
    fn operation_names_round_trip() {
        for op in Operation::ALL {
            assert_eq!(op.as_str().parse::<Operation>().unwrap(), op);
        }
        assert!("nope".parse::<Operation>().is_err());
    }
}
