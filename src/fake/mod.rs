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
//! - `answer.rs`, `kinds.rs`, `operation.rs`: the names every part shares.
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
//! submit) or later, nor before 2018.

// `EngineFailure` carries a whole Genesys `ErrorBody` by value, as the engine
// contract says; the error path is rare, so the size does not matter.
#![allow(
    clippy::result_large_err,
    reason = "EngineFailure holds an ErrorBody by contract"
)]

// Layers, each importing only those below it: `answer`, `kinds` and
// `operation` (names every part shares) < `data` and `script` < `engine` <
// `transport`.
mod answer;
mod data;
mod engine;
mod kinds;
mod operation;
mod script;
mod transport;

pub use answer::{EngineFailure, EngineReply};
pub use data::{Dataset, OAuthClientInfo, OrganizationInfo, UserInfo};
pub use engine::{EncodedResult, Engine, EngineConfig, ExecutionInfo};
pub use kinds::{ExecutionState, QueryKind, UnknownName};
pub use operation::{Operation, UnknownOperation};
pub use script::{
    Clock, Fault, FaultRule, FaultTrigger, Lifecycle, LifecycleParseError, Phase, RetryAfterHint,
    Step, StepEnd, Terminal,
};
pub use transport::{CallOutcome, CallRecord, FakeTransport, FakeTransportBuilder};
