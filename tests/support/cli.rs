//! Running the `genesys-usage` binary against an in-process mock server,
//! for `tests/cli.rs` and `tests/cli_hints.rs`.
//!
//! Included with `#[path = "support/cli.rs"] mod cli_support;`.

#![allow(dead_code, unreachable_pub)]

use std::process::{Output, Stdio};
use std::time::Duration;

use genesys_usage::fake::Lifecycle;
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use tokio::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_genesys-usage");
/// Bounds every run of the binary; a hang fails the test instead of CI.
pub const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Every variable the binary reads for its connection (documented names,
/// aliases, proxy).
pub const CONNECTION_VARS: [&str; 17] = [
    "GENESYSCLOUD_REGION",
    "GENESYSCLOUD_BASE_URL",
    "GENESYSCLOUD_LOGIN_URL",
    "GENESYSCLOUD_OAUTHCLIENT_ID",
    "GENESYSCLOUD_OAUTHCLIENT_SECRET",
    "GENESYSCLOUD_ACCESS_TOKEN",
    "GENESYSCLOUD_PROXY_HOST",
    "GENESYSCLOUD_PROXY_PORT",
    "GENESYSCLOUD_PROXY_PROTOCOL",
    "GENESYSCLOUD_PROXY_AUTH_USERNAME",
    "GENESYSCLOUD_PROXY_AUTH_PASSWORD",
    "GENESYS_REGION",
    "GENESYS_BASE_URL",
    "GENESYS_LOGIN_URL",
    "GENESYS_CLIENT_ID",
    "GENESYS_CLIENT_SECRET",
    "GENESYS_TOKEN",
];

/// The binary, pointed at `server` through the older `GENESYS_*` names
/// (aliases, still accepted), with the caller's connection variables
/// removed so the developer's environment cannot change the outcome.
pub fn cli(server: &MockServer) -> Command {
    let mut command = Command::new(BIN);
    for var in CONNECTION_VARS.iter().chain(&["RUST_LOG"]) {
        command.env_remove(var);
    }
    // Through the environment, so a test can still override one with a flag.
    command
        .env("GENESYS_BASE_URL", server.url())
        .env("GENESYS_CLIENT_ID", DEFAULT_CLIENT_ID)
        .env("GENESYS_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

pub async fn run(mut command: Command) -> Output {
    tokio::time::timeout(RUN_LIMIT, command.output())
        .await
        .expect("the binary finished in time")
        .expect("the binary started")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// A mock server whose queries complete on the first poll.
pub async fn quick_server() -> MockServer {
    let server = MockServer::start(Config::default()).await.unwrap();
    server
        .engine()
        .set_default_lifecycle(Lifecycle::immediate());
    server
}
