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

#[tokio::test]
async fn one_store_value_holds_the_file_lock_until_it_is_dropped() {
    use genesys_usage::sync::{Lease, SqliteStore, Store};
    use std::time::Duration;
    let location = fresh().await.unwrap();
    let path = std::path::PathBuf::from(location.strip_prefix("sqlite:").unwrap());
    let ttl = Duration::from_secs(60);
    let first = SqliteStore::open(&path).await.unwrap();
    let second = SqliteStore::open(&path).await.unwrap();
    assert_eq!(first.lease("org-a", "one", ttl).await.unwrap(), Lease::Held);
    // The whole file: every organisation, whoever asks.
    assert_eq!(first.lease("org-b", "one", ttl).await.unwrap(), Lease::Held);
    let busy = second.lease("org-b", "two", ttl).await.unwrap();
    assert!(
        matches!(busy, Lease::Busy { ref holder } if holder.contains(".lock")),
        "{busy:?}"
    );
    drop(first);
    assert_eq!(
        second.lease("org-a", "two", ttl).await.unwrap(),
        Lease::Held
    );
}
