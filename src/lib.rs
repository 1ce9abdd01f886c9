//! # genesys-usage
//!
//! A Rust SDK for the Genesys Cloud (formerly PureCloud) **Usage API**: how
//! much of the platform API your organisation and each OAuth client use
//! (request counts, 2xx/3xx/4xx/429/5xx, by client, user, endpoint template,
//! method and day).
//!
//! The Usage API is asynchronous: you POST a query, receive an execution id,
//! and poll until the results are complete. This crate does that correctly —
//! bounded polling, retries that never send a POST twice where that could
//! create a second execution, `Retry-After`, token refresh — and makes it easy
//! to test: swap the HTTP transport for the in-memory fake (module `fake`,
//! feature `fake`) and your tests run in milliseconds, or point the client at
//! the `genesys-usage-mock` server in CI.
//!
//! ## Quick start (a unit test on the fake, no network)
//!
//! ```
//! # #[cfg(feature = "fake")]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), genesys_usage::Error> {
//! use genesys_usage::{
//!     ApiUsageOrganizationQuery, Granularity, Interval, OrganizationGroupBy, UsageClient,
//!     fake::{FakeTransport, Lifecycle, Terminal},
//! };
//!
//! // The fake completes this query on its third poll.
//! let transport = FakeTransport::builder()
//!     .lifecycle(Lifecycle::polls(1, 1, Terminal::Complete))
//!     .build();
//! let client = UsageClient::with_transport(transport.clone());
//!
//! let query = ApiUsageOrganizationQuery::new(Interval::last_days(7))
//!     .with_granularity(Granularity::Day)
//!     .with_group_by([OrganizationGroupBy::OAuthClientId]);
//! let result = client.run_usage_query(&query).await?;
//!
//! let rows = result.results.unwrap_or_default();
//! assert!(!rows.is_empty());
//! assert!(rows.iter().all(|r| r.requests.is_some()));
//! // One submit and three polls reached the transport.
//! assert_eq!(transport.calls().len(), 4);
//! # Ok(()) }
//! # #[cfg(not(feature = "fake"))] fn main() {}
//! ```
//!
//! ## In production
//!
//! ```no_run
//! # async fn run() -> Result<(), genesys_usage::Error> {
//! use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient};
//!
//! // GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYSCLOUD_REGION;
//! // a missing one is an `Error::Config` naming it.
//! let client = UsageClient::from_env()?;
//! let handle = client
//!     .submit_usage_query(&ApiUsageOrganizationQuery::new(Interval::last_days(30)))
//!     .await?;
//! println!("submitted {}", handle.execution_id());
//! let result = handle.await?; // polls with the default WaitPolicy
//! println!("{} rows", result.results.map_or(0, |r| r.len()));
//! # Ok(()) }
//! ```
//!
//! The variables (and the older `GENESYS_*` aliases) are listed on
//! [`HttpTransportBuilder::with_env`]; proxies, TLS roots, mutual TLS and
//! your own `reqwest::Client` are builder options too (see
//! [`UsageClientBuilder`]), and [`CallOptions`] override the timeout and
//! policies of one call or handle.
//!
//! ## In CI
//!
//! Run the `genesys-usage-mock` binary (or `genesys_usage_mock::MockServer`
//! in-process), then point the client at it with `GENESYSCLOUD_BASE_URL`
//! (or `.base_url(server_url)`); the mock serves `/oauth/token` on the same
//! port, so client credentials work as in production. It also speaks HTTPS
//! (`--tls-self-signed --tls-ca-out ca.pem`), to test trust and mutual TLS. Control lifecycles and faults with `X-Mock-*` headers or the
//! `/__admin/` API. See the README, "Run the mock server in CI".
//!
//! ## Layout
//!
//! - `models/`: the wire models with the Genesys names (`ApiUsageOrganizationQuery`,
//!   `ApiUsageQueryResult`, the jobs requests and pages, `ErrorBody`), forward-compatible
//!   enums, and [`Interval`].
//! - `transport/`: the [`UsageTransport`] seam (its docs are the contract) and
//!   [`HttpTransport`] (reqwest + rustls), in parts: `builder.rs`, `client.rs` (the reqwest
//!   client), `proxy.rs`, `tls.rs`, `urls.rs`, `wire.rs`, `failure.rs` (errors naming the
//!   host), `incremental.rs`; `attempt.rs` carries a per-call timeout to the transport;
//!   `shared.rs`: `Arc<T>` of a transport is one.
//! - `env.rs`: configuration from environment variables (`with_env`, `from_env`).
//! - `auth.rs`: [`TokenProvider`], [`ClientCredentials`], [`StaticToken`].
//! - `region.rs`: the 18 [`Region`]s.
//! - `retry.rs`: [`RetryPolicy`] and `Retry-After` parsing.
//! - `client/`: [`UsageClient`], its builder (`builder.rs`), [`CallOptions`] (`options.rs`) and
//!   the retry loop (`call.rs`); `operations.rs`: the 11 operations with that policy applied.
//! - `telemetry.rs`: the metrics of feature `metrics`.
//! - `execution.rs`, `polling.rs`, `queries.rs`: [`ExecutionRef`], [`WaitPolicy`],
//!   [`QueryHandle`] (wait, progress, resume) and the `submit_…`/`run_…`/`resume_…` methods.
//! - `paging.rs`: row streams over cursors and `nextUri`.
//! - `fake/` (feature `fake`): the emulation shared with the mock server, in parts: `data/`
//!   (the request log, synthetic or loaded from dataset files by `load/`, its catalog,
//!   aggregation, rows, paging), `script/` (clock, lifecycles, faults),
//!   `engine/` (executions, validation, the operations), `transport/` (`FakeTransport`) and
//!   `compliance.rs` (the poll-compliance report, shared with the mock server).
//! - `sync/` (feature `sync`): keeping a history of usage: `store/` (the `Store` trait, its
//!   batches, the SQLite and PostgreSQL backends with their locks and leases), the sync of
//!   complete days (`days.rs`, `fetch.rs`, `budget.rs`, `run.rs`, `org.rs`), its TOML config
//!   (`config.rs`) and the export to a dataset file (`export.rs`).
//! - `cassette/` (feature `cassette`): record and replay at the transport seam:
//!   `RecordingTransport`, `ReplayTransport` and the cassette file format (`format.rs`,
//!   `request.rs`, `convert.rs`, `matching.rs`, `record.rs`, `replay.rs`).
//! - `error.rs`: the one [`Error`] type.
//!
//! ## Features
//!
//! - `fake`: the in-memory engine and `FakeTransport`.
//! - `cassette`: `RecordingTransport` and `ReplayTransport` (record once,
//!   replay offline); implies `fake` for the operation names.
//! - `mock`: `MockUsageTransport`, generated by mockall, for interaction tests.
//! - `cli`: the `genesys-usage` command-line tool.
//! - `metrics`: counters and a histogram on the `metrics` facade.
//! - `sync`: the `sync` module: a `Store` of complete days (SQLite or
//!   PostgreSQL) and the sync that fills it.
//!
//! ## Observability
//!
//! Spans follow the OpenTelemetry semantic conventions: `usage_call` (one
//! per attempt: `operation`, `execution_id`, `attempt`,
//! `http.response.status_code`, `error.type`), `http_request`
//! (`http.request.method`, `url.template`, `server.address`,
//! `http.response.status_code`, `error.type`, `correlation_id`) and
//! `token_request` (`operation = "post_oauth_token"` and the same HTTP
//! fields). With feature `metrics`: counters `genesys_usage.calls`
//! (`operation`, `outcome`), `genesys_usage.attempts` (`operation`,
//! `outcome`: `ok` or the `error.type`; counted per attempt, below the retry
//! loop), `genesys_usage.throttled` (`operation`), `genesys_usage.polls`
//! (`kind`, `status`), and the histogram `genesys_usage.wait.duration`
//! (seconds; `kind`, `outcome`).

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod env;
mod error;
mod execution;
mod models;
mod operations;
mod paging;
mod polling;
mod queries;
mod region;
mod retry;
mod telemetry;
mod transport;

#[cfg(feature = "cassette")]
pub mod cassette;
#[cfg(feature = "fake")]
pub mod fake;

#[cfg(feature = "sync")]
pub mod sync;

// The README's snippets compile (and those with a `main` run) as doctests.
#[cfg(all(doctest, feature = "fake"))]
#[doc = include_str!("../README.md")]
struct ReadmeSnippets;

pub use auth::{AccessToken, ClientCredentials, StaticToken, TokenProvider};
pub use client::{CallOptions, UsageClient, UsageClientBuilder};
pub use error::{Error, Result, TransportErrorKind};
pub use execution::{ExecutionKind, ExecutionRef, FetchFuture, PollState, QueryOutput};
pub use models::*;
pub use paging::{PagedOutput, collect_rows};
pub use polling::{PollEvent, PollOutcome, QueryHandle, WaitPolicy};
pub use region::{Region, UnknownRegion};
pub use retry::{RetryPolicy, parse_retry_after};
#[cfg(feature = "mock")]
pub use transport::MockUsageTransport;
pub use transport::http::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_REQUEST_TIMEOUT,
    HttpTransport, HttpTransportBuilder,
};
pub use transport::{ApiResponse, PageRequest, RateLimitInfo, ResponseMeta, UsageTransport};
