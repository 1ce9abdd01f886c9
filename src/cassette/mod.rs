//! Record and replay (feature `cassette`): capture a service once, replay it
//! offline in every test run.
//!
//! - [`RecordingTransport`] wraps any [`UsageTransport`](crate::UsageTransport)
//!   (the real service through `HttpTransport`, the mock server, the fake)
//!   and writes each call down as an [`Exchange`].
//! - [`ReplayTransport`] answers from a [`Cassette`], never from the network;
//!   see its docs for how calls are matched.
//! - [`Cassette`] is the file: versioned JSON (`"version": 1`), keys in a
//!   fixed order, its JSON Schema in `docs/cassette.schema.json`. The mock
//!   server's `--record` and `--replay` read and write the same format.
//!
//! ## What a cassette holds, and never holds
//!
//! Each exchange keeps the operation, the path parameters (client ids,
//! execution ids), the query (page cursors, page sizes, `days`), the request
//! body (the query: interval, filters, grouping), the status, the headers
//! `content-type`, `inin-correlation-id`, `retry-after` and
//! `inin-ratelimit-*`, the response body (usage rows: client ids and names,
//! user ids, endpoint templates, counts) or the error, and the time the
//! answer took. A token exchange is kept as "a token was issued, to this
//! client id, valid N s". Client secrets, tokens and `Authorization`
//! headers are never written: the recorder sits above authentication and
//! never sees them.
//!
//! ## Parts
//!
//! - `format.rs`: the file's types, load and save;
//! - `request.rs`: each operation's method, path and parameters ([`route`]);
//! - `convert.rs`: typed outcomes to recorded ones and back;
//! - `matching.rs`: request keys, queues and the diff of a miss;
//! - `record.rs`, `replay.rs`, `replay_impl.rs`: the two transports;
//! - `dataset.rs`: [`Cassette::usage_records`], the complete daily results
//!   as dataset records ([`RecordedUsage`], written as CSV or JSON Lines);
//! - `redact.rs`: [`Cassette::scrub`] and the [`Pseudonymiser`] (user ids
//!   and client names replaced by stable stand-ins).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true)
//! #     .build().unwrap().block_on(async {
//! use genesys_usage::cassette::{RecordingTransport, ReplayTransport};
//! use genesys_usage::fake::FakeTransport;
//! use genesys_usage::{ApiUsageOrganizationQuery, UsageClient};
//!
//! let query = ApiUsageOrganizationQuery::new("2024-01-01/2024-01-08");
//! let recorder = RecordingTransport::new(FakeTransport::new());
//! let recorded = UsageClient::with_transport(recorder.clone()).run_usage_query(&query).await?;
//!
//! let replay = ReplayTransport::new(recorder.cassette());
//! let replayed = UsageClient::with_transport(replay.clone()).run_usage_query(&query).await?;
//! assert_eq!(recorded, replayed);
//! replay.assert_done();
//! # Ok::<(), genesys_usage::Error>(()) }).unwrap();
//! ```

mod convert;
mod dataset;
mod format;
mod matching;
mod record;
mod redact;
mod replay;
mod replay_impl;
mod request;

pub use dataset::RecordedUsage;
pub use format::{
    CASSETTE_VERSION, Cassette, CassetteError, Exchange, RecordedError, RecordedRequest,
    RecordedResponse, TokenGrant,
};
pub use record::RecordingTransport;
pub use redact::Pseudonymiser;
pub use replay::{ReplayTransport, ReplayTransportBuilder};
pub use request::route;
