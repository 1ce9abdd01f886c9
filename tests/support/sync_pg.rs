//! A new, empty PostgreSQL database per test on the server
//! `GENESYS_USAGE_TEST_PG` names (`.ci/postgres.sh start` prints it);
//! without it the tests fail in CI and skip with a message elsewhere.
#![allow(dead_code, unreachable_pub)]

use tokio_postgres::NoTls;

const ENV: &str = "GENESYS_USAGE_TEST_PG";

/// The server's URL, or `None` (skip) outside CI.
// The skip must be visible in the test output, so it is printed.
#[allow(clippy::print_stderr)]
pub fn server() -> Option<String> {
    match std::env::var(ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("{ENV} is not set in CI: .ci/run starts PostgreSQL with .ci/postgres.sh")
        }
        _ => {
            eprintln!("skipped: {ENV} is not set (run `eval \"$(.ci/postgres.sh start)\"`)");
            None
        }
    }
}

/// A new, empty database on the server; its URL.
pub async fn fresh() -> Option<String> {
    let admin = server()?;
    let (client, connection) = tokio_postgres::connect(&admin, NoTls)
        .await
        .unwrap_or_else(|e| panic!("{ENV}: cannot connect: {e}"));
    tokio::spawn(connection);
    let name = format!("gu_sync_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    Some(url.to_string())
}
