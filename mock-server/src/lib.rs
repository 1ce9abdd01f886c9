//! # genesys-usage-mock
//!
//! A mock server of the Genesys Cloud Usage API for CI: the same emulation
//! engine as the SDK's in-memory fake (`genesys_usage::fake`), served over HTTP
//! with what only HTTP has: the token endpoint and bearer checks, request
//! validation into Genesys-shaped `ErrorBody` answers, correlation ids,
//! optional rate limiting, wire-level faults, and an admin API.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use genesys_usage_mock::{Config, MockServer};
//!
//! let server = MockServer::start(Config::default()).await?;
//! // Point a client at server.url() with client credentials
//! // "mock-client-id" / "mock-client-secret".
//! println!("{}", server.url());
//! server.shutdown().await
//! # }
//! ```
//!
//! ## Layout
//!
//! - `settings/`: [`Config`] (`config.rs`), [`Args`] (`cli.rs`),
//!   [`Command`] (`command.rs`: the `healthcheck` subcommand),
//!   [`TlsConfig`] (`tls.rs`), [`DataArgs`] (`data.rs`: `--dataset`,
//!   `--data-lag`, `--scenario`) and [`Scenario`] (`scenario.rs`):
//!   settings from flags, `GENESYS_MOCK_*` variables and a TOML file;
//! - `serve/`: [`app`], [`serve`] (`server.rs`: accept loop, `TCP_NODELAY`,
//!   kill switch, graceful shutdown), [`MockServer`] (`mock.rs`), one engine
//!   per organisation (`tenants.rs`), the shared
//!   state (`state.rs`) and [`Https`] (`tls.rs`: rustls, certificates from
//!   files or generated at start-up);
//! - `http/`: the request path: `middleware.rs` (correlation id, header limit,
//!   journal, wire faults), `pipeline.rs` (body limit → auth → rate limit →
//!   fault → handler), `faults.rs` (`X-Mock-Fault`, wire faults), `body.rs`
//!   (limits, JSON with field names), `error.rs` (the one `ApiError`);
//! - `routes/`: `usage.rs` (L1–L7), `jobs.rs` (N1–N4), `oauth.rs` (token),
//!   `admin.rs` + `admin_engine.rs` + `admin_data.rs` (`/__admin/`);
//! - `health/`: [`HealthCheck`], the client of the `healthcheck`
//!   subcommand ([`Command`]; one bounded `GET /__admin/health`, the
//!   container image's `HEALTHCHECK`);
//! - `cassette/`: `--replay PATH` (`book.rs`: a cassette compiled for
//!   serving; `replay.rs`: the Usage routes answered from it) and `--record
//!   PATH --upstream URL` (`record.rs`: the recording proxy, its cassette
//!   written on shutdown and on `POST /__admin/recording/save`), and
//!   [`cassette_to_dataset`] (`dataset.rs`: the `cassette-to-dataset`
//!   subcommand);
//! - `control/`: `auth.rs` (tokens), `rate_limit.rs`, `journal.rs` with
//!   `journal_filter.rs` and `redact.rs` (credentials out of the journal).
//!   The poll-compliance report is the engine's
//!   ([`ComplianceTracker`](genesys_usage::fake::ComplianceTracker)).
//!
//! ## Behaviour worth knowing
//!
//! - Every answer carries `ININ-Correlation-Id`; every `ErrorBody` has
//!   `contextId` equal to it.
//! - Order of checks on an API call: body size (413), bearer token (401), rate
//!   limit (429), injected fault, `X-Mock-Lifecycle`, content type (415), JSON
//!   (400), then the engine.
//! - Faults follow the engine's contract: `429`, `5xx` and `token-expired`
//!   answer instead of processing the request; `latency` delays it; `reset`,
//!   `truncate`, `malformed`, `content-type` and `slow` spoil the answer of a
//!   request that *was* processed (a `reset` closes the connection with an
//!   RST and no answer at all).
//! - Token expiry follows real time, not the emulation clock.
//!
//! ## Running the binary
//!
//! `genesys-usage-mock [--port 0] [--port-file PATH] ...` prints exactly one
//! stdout line, `listening on http://127.0.0.1:PORT` (`https://` with
//! `--tls-self-signed` or `--tls-cert`/`--tls-key`), once it accepts
//! connections; logs go to stderr. Every flag has a `GENESYS_MOCK_<FLAG>`
//! variable and a kebab-case key in the `--config` TOML file; precedence is
//! flags > environment > file > defaults (see [`Args`]). Exit codes are in
//! [`exit_code`]. SIGINT, SIGTERM and `POST /__admin/shutdown` stop it
//! gracefully.
//!
//! `genesys-usage-mock healthcheck [--url URL] [--timeout 3s]` asks a running
//! server for `GET /__admin/health` and exits 0 (healthy) or 1; without
//! `--url` it finds the server from the same flags and `GENESYS_MOCK_*`
//! variables (`GENESYS_MOCK_PORT`, `GENESYS_MOCK_HOST` with `0.0.0.0` asked
//! on 127.0.0.1, `GENESYS_MOCK_PORT_FILE`, `GENESYS_MOCK_ADMIN_TOKEN`).
//!
//! ## Steering it from a test
//!
//! - `X-Mock-Lifecycle: running:3,complete` (also `running:2,failed`,
//!   `after:5s`, `complete`) on a submit scripts the execution it creates;
//!   a bad value is a 400 naming the header.
//! - `X-Mock-Fault` on any API or token request injects one fault into its
//!   own answer: `429`, `429;retry-after=5`, `429;retry-after=date:5`,
//!   `429;retry-after=none`, `500`…`504`, `reset`, `truncate`, `malformed`,
//!   `content-type`, `slow:2s`, `latency:200ms`, `token-expired` (which
//!   also revokes the token it came with, and says so), `status:Paused`.
//! - The admin API (JSON; off with `--no-admin`; `--admin-token T` requires
//!   `Authorization: Bearer T`; `GET /__admin/` lists it and `docs/ADMIN.md`
//!   gives each endpoint's request and answer): `GET health`, `GET ready`, `POST reset`,
//!   `POST shutdown`, `POST recording/save` (with `--record`), `GET executions`, `GET executions/{id}`,
//!   `POST executions/{id}/state` `{"state":"Complete"}`,
//!   `POST executions/{id}/advance`, `POST executions/{id}/lifecycle`
//!   `{"lifecycle":"failed"}`, `GET executions/{id}/compliance`,
//!   `POST lifecycle` `{"lifecycle":"…","for":"next"|"default"|kind}`,
//!   `GET`/`POST clock` `{"mode":"virtual","set":"2026-01-01T00:00:00Z","advance":"30s"}`,
//!   `GET`/`POST`/`DELETE faults` (engine `FaultRule` JSON, e.g.
//!   `{"fault":{"kind":"serverError","status":503},"operation":"post_usage_query","trigger":{"next":2}}`),
//!   `DELETE faults/{id}`, `GET journal?method=&path=&executionId=&operation=&status=&limit=`,
//!   `DELETE journal`, `GET scenario`, `GET dataset`, `PUT dataset` (a dataset file, `text/csv` or
//!   `application/x-ndjson`). Admin calls are not journaled and take no faults.
//! - [`MockServer::engine`] gives the engine itself, for the same control
//!   in-process, and [`MockServer::compliance`] the poll-compliance report.

#![forbid(unsafe_code)]

// `cassette` (record and replay: the Usage routes answered from a recording)
// sits beside `routes`. Parts, from the outside in: `settings` (what the user configures) →
// `serve` (the process: accept loop, in-process handle, shared state) →
// `http` (the request path: middleware, pipeline, bodies, errors, wire faults)
// → `routes` (one file per API family) → `control` (the books the routes keep:
// tokens, rate budgets, journal, compliance). The engine itself lives in the
// SDK (`genesys_usage::fake`); this crate only adapts it to HTTP.
mod cassette;
mod control;
mod health;
mod http;
mod routes;
mod serve;
mod settings;

use std::future::Future;
use std::io;

pub use cassette::dataset::cassette_to_dataset;
pub use health::{HealthCheck, HealthError};
pub use serve::mock::MockServer;
pub use serve::tls::{Https, TlsError};
pub use settings::cassette::{CassetteArgs, RecordConfig};
pub use settings::cli::{Args, ConfigError};
pub use settings::command::{CassetteToDatasetArgs, Command, HealthcheckArgs};
pub use settings::config::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
pub use settings::data::DataArgs;
pub use settings::scenario::{Credential, PERMISSIONS, Scenario};
pub use settings::tls::{TlsArgs, TlsConfig};

/// Exit codes of the `genesys-usage-mock` binary.
pub mod exit_code {
    /// Clean shutdown (signal or `POST /__admin/shutdown`).
    pub const OK: i32 = 0;
    /// The server failed while running.
    pub const SERVER_ERROR: i32 = 1;
    /// Bad flags, environment variables or config file (clap's usage errors too).
    pub const BAD_CONFIG: i32 = 2;
    /// The address could not be bound (e.g. the port is taken).
    pub const BIND_FAILED: i32 = 3;
    /// The `--port-file` could not be written.
    pub const PORT_FILE_FAILED: i32 = 4;
    /// HTTPS could not be set up: an unreadable or unusable certificate,
    /// key or client CA, or a `--tls-ca-out` that cannot be written.
    pub const TLS_FAILED: i32 = 5;
    /// `healthcheck`: the server did not answer healthy in time. Every
    /// failure of the check exits with it, bad settings included, because
    /// container runtimes read any other non-zero code as "unhealthy" too
    /// and Docker reserves 2.
    pub const UNHEALTHY: i32 = 1;
}

/// The application as an axum [`Router`](axum::Router), for use with any
/// server or `tower::ServiceExt::oneshot`. Connection-level faults need
/// [`serve`]; here a `reset` fault becomes a failing body instead.
pub fn app(config: Config) -> axum::Router {
    http::middleware::Outer::new(serve::state::AppState::new(config)).into_router()
}

/// Serves `config` on `listener` until `shutdown` resolves or
/// `POST /__admin/shutdown` is called, then drains open requests (bounded).
/// Over HTTPS when `config.tls` says so.
///
/// # Errors
/// An I/O error that stops the server; `InvalidInput` when the TLS
/// settings cannot be used.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let https = Https::setup(&config.tls)?;
    serve_https(listener, config, https, shutdown).await
}

/// As [`serve`], with HTTPS already set up by [`Https::setup`] (`None`:
/// plain HTTP). The binary sets it up first so that a generated CA is
/// written, and a TLS problem reported, before it prints its listening line.
///
/// # Errors
/// An I/O error that stops the server.
pub async fn serve_https(
    listener: tokio::net::TcpListener,
    config: Config,
    https: Option<Https>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let state = serve::state::AppState::new(config);
    serve::server::serve_state(listener, state, https, shutdown).await
}
