//! The store suite against the SQLite backend (a new file per test).
#![cfg(feature = "sync")]

#[path = "support/store_suite.rs"]
#[macro_use]
mod store_suite;

use std::sync::atomic::{AtomicU32, Ordering};

static NEXT: AtomicU32 = AtomicU32::new(0);

async fn fresh() -> Option<String> {
    let dir = std::env::temp_dir().join(format!("genesys-usage-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("store-{n}-{}.db", uuid_like()));
    Some(format!("sqlite:{}", path.display()))
}

fn uuid_like() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

store_suite!();

#[tokio::test]
async fn a_file_that_is_not_a_database_is_a_backend_error_naming_it() {
    let path =
        std::env::temp_dir().join(format!("genesys-usage-not-a-db-{}.db", std::process::id()));
    std::fs::write(
        &path,
        b"this is not sqlite, just some text long enough to be read as a header",
    )
    .unwrap();
    let err = genesys_usage::sync::open_store(&format!("sqlite:{}", path.display()))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    let _ = std::fs::remove_file(&path);
}
