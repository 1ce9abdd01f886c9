//! The peer of the mock-server throughput benchmark (`benches/throughput.rs`):
//! wiremock-rs's `MockServer`, as a test would set it up (default builder,
//! request recording on), answering `GET
//! /api/v2/usage/query/{executionId}/results` with bytes read from files.
//!
//! ```text
//! cargo build --release --example bench_wiremock
//! target/release/examples/bench_wiremock <execution-id>=<body-file> ...
//! ```
//!
//! Prints one line, `listening on http://127.0.0.1:PORT`, like the mock
//! server, then serves until it is killed.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark helper announces its address and reports bad arguments"
)]

use std::io::Write as _;
use std::process::ExitCode;

use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Same length as the mock server's correlation ids (see `bench_bare_axum`).
const CORRELATION_ID: &str = "00000000-0000-4000-8000-000000000000";

fn main() -> ExitCode {
    let mut bodies = Vec::new();
    for arg in std::env::args().skip(1) {
        let Some((id, file)) = arg.split_once('=') else {
            eprintln!("bench_wiremock: expected <execution-id>=<body-file>, got {arg:?}");
            return ExitCode::from(2);
        };
        match std::fs::read(file) {
            Ok(bytes) => bodies.push((id.to_owned(), bytes)),
            Err(e) => {
                eprintln!("bench_wiremock: cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if bodies.is_empty() {
        eprintln!("usage: bench_wiremock <execution-id>=<body-file> ...");
        return ExitCode::from(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(serve(bodies));
    ExitCode::SUCCESS
}

async fn serve(bodies: Vec<(String, Vec<u8>)>) {
    let server = MockServer::start().await;
    for (id, body) in bodies {
        Mock::given(method("GET"))
            .and(path(format!("/api/v2/usage/query/{id}/results")))
            .and(header_exists("authorization"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(body, "application/json")
                    .insert_header("inin-correlation-id", CORRELATION_ID),
            )
            .mount(&server)
            .await;
    }
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "listening on {}", server.uri());
        let _ = stdout.flush();
    }
    std::future::pending::<()>().await;
}
