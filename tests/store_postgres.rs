//! The store suite against the PostgreSQL backend: a new database per test
//! on the server `GENESYS_USAGE_TEST_PG` names (`.ci/postgres.sh start`
//! prints it). Without it the tests fail in CI (`CI=true`) and skip with a
//! message elsewhere.
#![cfg(feature = "sync")]

#[path = "support/store_suite.rs"]
#[macro_use]
mod store_suite;

use tokio_postgres::NoTls;

const ENV: &str = "GENESYS_USAGE_TEST_PG";

/// The server's URL, or `None` (skip) outside CI.
// The skip must be visible in the test output, so it is printed.
#[allow(clippy::print_stderr)]
fn server() -> Option<String> {
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
async fn fresh() -> Option<String> {
    let admin = server()?;
    let (client, connection) = tokio_postgres::connect(&admin, NoTls)
        .await
        .unwrap_or_else(|e| panic!("{ENV}: cannot connect: {e}"));
    tokio::spawn(connection);
    let name = format!("gu_test_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    Some(url.to_string())
}

store_suite!();

#[tokio::test]
async fn the_location_and_errors_never_show_the_password() {
    let Some(admin) = server() else { return };
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_password(Some("pg-s3cret-pw")).unwrap();
    // Trust authentication accepts any password, so the store opens.
    let store = genesys_usage::sync::open_store(url.as_str()).await.unwrap();
    assert!(
        !store.location().contains("pg-s3cret-pw"),
        "{}",
        store.location()
    );
    assert!(store.location().contains("***"));
    assert!(!format!("{store:?}").contains("pg-s3cret-pw"));
    // A server that is not there: the error names the store, masked.
    let err = genesys_usage::sync::open_store("postgres://me:pg-s3cret-pw@127.0.0.1:1/db")
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("pg-s3cret-pw"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
}

#[tokio::test]
async fn a_lease_is_per_organisation_renewable_and_taken_over_once_expired() {
    use genesys_usage::sync::{Lease, PostgresStore, Store};
    use std::time::Duration;
    let Some(url) = fresh().await else { return };
    let a = PostgresStore::connect(&url).await.unwrap();
    let b = PostgresStore::connect(&url).await.unwrap();
    let short = Duration::from_millis(300);
    let long = Duration::from_secs(60);
    assert_eq!(a.lease("org-1", "a", short).await.unwrap(), Lease::Held);
    assert_eq!(
        b.lease("org-1", "b", long).await.unwrap(),
        Lease::Busy { holder: "a".into() }
    );
    assert_eq!(
        b.lease("org-2", "b", long).await.unwrap(),
        Lease::Held,
        "another organisation is free"
    );
    assert_eq!(
        a.lease("org-1", "a", short).await.unwrap(),
        Lease::Held,
        "a renewal"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        b.lease("org-1", "b", long).await.unwrap(),
        Lease::Held,
        "expired: taken over"
    );
    assert!(matches!(
        a.lease("org-1", "a", short).await.unwrap(),
        Lease::Busy { .. }
    ));
    b.release("org-1", "b").await.unwrap();
    assert_eq!(
        a.lease("org-1", "a", short).await.unwrap(),
        Lease::Held,
        "released: free"
    );
}
