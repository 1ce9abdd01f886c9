//! The ceiling of the mock-server throughput benchmark (`benches/throughput.rs`):
//! a bare axum 0.8 server that answers `GET
//! /api/v2/usage/query/{executionId}/results` with bytes read from files, and
//! does nothing else (no auth check, no journal, no engine).
//!
//! ```text
//! cargo build --release --example bench_bare_axum
//! target/release/examples/bench_bare_axum <execution-id>=<body-file> ...
//! ```
//!
//! Prints one line, `listening on http://127.0.0.1:PORT`, like the mock server.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark helper announces its address and reports bad arguments"
)]

use std::collections::HashMap;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt as _;
use bytes::Bytes;

/// Bodies by execution id.
type Bodies = Arc<HashMap<String, Bytes>>;

/// A correlation id of the same length as the mock server's, so that both
/// answers have the same size; a fixed one, since the ceiling does no work.
const CORRELATION_ID: &str = "00000000-0000-4000-8000-000000000000";

fn main() -> ExitCode {
    let bodies = match read_bodies(std::env::args().skip(1)) {
        Ok(bodies) => bodies,
        Err(message) => {
            eprintln!("bench_bare_axum: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(serve(Arc::new(bodies)));
    ExitCode::SUCCESS
}

/// `id=path` arguments into a map of id → file contents.
fn read_bodies(args: impl Iterator<Item = String>) -> Result<HashMap<String, Bytes>, String> {
    let mut bodies = HashMap::new();
    for arg in args {
        let (id, path) = arg
            .split_once('=')
            .ok_or_else(|| format!("expected <execution-id>=<body-file>, got {arg:?}"))?;
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        bodies.insert(id.to_owned(), Bytes::from(bytes));
    }
    if bodies.is_empty() {
        return Err("usage: bench_bare_axum <execution-id>=<body-file> ...".into());
    }
    Ok(bodies)
}

async fn serve(bodies: Bodies) {
    let app = Router::new()
        .route("/api/v2/usage/query/{executionId}/results", get(results))
        .with_state(bodies);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    // The same socket option as the mock server: no Nagle delay on small answers.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on http://{addr}");
        let _ = stdout.flush();
    }
    axum::serve(listener, app).await.expect("serve");
}

async fn results(State(bodies): State<Bodies>, Path(id): Path<String>) -> Response {
    match bodies.get(&id) {
        Some(body) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
                (
                    header::HeaderName::from_static("inin-correlation-id"),
                    HeaderValue::from_static(CORRELATION_ID),
                ),
            ],
            body.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
