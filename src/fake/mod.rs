//! The in-memory emulation of the Usage API (feature `fake`).
//!
//! - [`Engine`]: executions with one lifecycle (Pending →
//!   Running → Complete | Failed, jobs also Cancelled), scripted per
//!   execution, per kind or by default; results aggregated from a seeded,
//!   deterministic synthetic request log ([`Dataset`]); validation into
//!   Genesys-shaped 400 answers; retention; scripted [`Fault`]s. The mock
//!   server serves the same engine over HTTP.
//! - [`FakeTransport`]: a [`UsageTransport`](crate::UsageTransport) over an
//!   engine, for tests that run in milliseconds with paused tokio time; it
//!   records every call ([`CallRecord`]).
//! - [`Clock`]: the emulation's UTC now, driven by tokio's clock or frozen.
//!
//! ## Parts
//!
//! - `data/`: the request log ([`Dataset`]) and how a query reads it
//!   (aggregation, row views, wire rows, paging);
//! - `script/`: what a test scripts ([`Clock`], [`Lifecycle`], [`Fault`]s);
//! - `engine/`: executions, validation and the eleven operations, over the
//!   data under the script;
//! - `transport/`: [`FakeTransport`], the engine behind the
//!   [`UsageTransport`](crate::UsageTransport) seam, with its call record;
//! - `answer.rs`, `kinds.rs`, `operation.rs`: the names every part shares;
//! - `compliance.rs`: the poll-compliance report ([`ComplianceReport`]),
//!   kept by `FakeTransport` and by the mock server alike.
//!
//! ## Injecting faults, and checking that the client coped
//!
//! A [`FaultRule`] says what goes wrong ([`Fault`]), on which requests
//! ([`Operation`], an execution id) and when ([`FaultTrigger`]). The call
//! record shows what the client did about it, and the poll-compliance report
//! ([`FakeTransport::compliance`]) whether it waited out each `Retry-After`:
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true)
//! #     .build().unwrap().block_on(async {
//! use genesys_usage::fake::{FakeTransport, Fault, FaultRule, FaultTrigger, Operation, RetryAfterHint};
//! use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient};
//!
//! let fake = FakeTransport::builder()
//!     // The submit answers 503 once (provably not processed: the client resends it) …
//!     .fault(FaultRule::new(Fault::ServerError { status: 503 }).on(Operation::PostUsageQuery))
//!     // … and the first poll is rate limited with `Retry-After: 5`.
//!     .fault(
//!         FaultRule::new(Fault::RateLimited { retry_after: RetryAfterHint::Seconds(5) })
//!             .on(Operation::GetUsageQueryExecutionIdResults)
//!             .when(FaultTrigger::Nth(1)),
//!     )
//!     .build();
//! let client = UsageClient::with_transport(fake.clone());
//! let handle = client.submit_usage_query(&ApiUsageOrganizationQuery::new(Interval::last_days(7))).await?;
//! let id = handle.execution_id().to_owned();
//! handle.await?; // tokio's paused clock makes the 5 s wait instant
//!
//! assert_eq!(fake.calls_of(Operation::PostUsageQuery).len(), 2);
//! let report = fake.compliance(&id).unwrap();
//! assert_eq!(report.total_429s, 1);
//! assert_eq!(report.retry_after[0].honoured, Some(true));
//! assert!(report.compliant, "{report:?}");
//! # Ok::<(), genesys_usage::Error>(()) }).unwrap();
//! ```
//!
//! Row rules (every query): dimensions are picked by `groupBy` (legacy rows
//! carry the others as `""`, jobs rows omit them); `date` is present only
//! with a `granularity` (the UTC start of the day, Monday-based ISO week or
//! month); `metrics` picks the counters (all when omitted or empty);
//! `requests = status200 + status300 + status400 + status500`,
//! `status429 <= status400`, and summing a grouped query over any dimension
//! gives the ungrouped totals. Legacy organisation and jobs organisation
//! queries see the main organisation's records; client queries see one
//! client's records in every organisation. A legacy query without `groupBy`
//! is grouped per OAuth client (the service's documented default) and an
//! empty `groupBy` gives totals; a jobs query without `groupBy` gives totals. A day counts when any part of it
//! lies in the interval; there is no data for the current UTC day (at
//! submit) or later, nor before 2018, and a day shows
//! [`EngineConfig::data_lag`] after its end. A simple search keeps at most
//! [`SIMPLE_SEARCH_MAX_RECORDS`](crate::SIMPLE_SEARCH_MAX_RECORDS) rows.

// `EngineFailure` carries a whole Genesys `ErrorBody` by value, as the engine
// contract says; the error path is rare, so the size does not matter.
#![allow(
    clippy::result_large_err,
    reason = "EngineFailure holds an ErrorBody by contract"
)]

// Layers, each importing only those below it: `answer`, `kinds`,
// `operation` and `compliance` (names every part shares) < `data` and
// `script` < `engine` < `transport`.
mod answer;
mod compliance;
mod data;
mod engine;
mod kinds;
mod operation;
mod script;
mod transport;

pub use answer::{EngineFailure, EngineReply};
pub use compliance::{
    ComplianceReport, ComplianceTracker, DEFAULT_MIN_POLL_INTERVAL, FastPoll, PollRecord,
    RetryAfterCheck,
};
pub use data::{
    Dataset, DatasetError, DatasetFormat, DatasetSummary, OAuthClientInfo, OrganizationInfo,
    UserInfo,
};
pub use engine::{EncodedResult, Engine, EngineConfig, ExecutionInfo};
pub use kinds::{ExecutionState, QueryKind, UnknownName};
pub use operation::{Operation, UnknownOperation};
pub use script::{
    Clock, Fault, FaultRule, FaultTrigger, Lifecycle, LifecycleParseError, Phase, RetryAfterHint,
    Step, StepEnd, Terminal,
};
pub use transport::{CallOutcome, CallRecord, FakeTransport, FakeTransportBuilder};
