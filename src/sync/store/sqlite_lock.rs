//! The lock of an SQLite store: a second SQLite file beside the store
//! (`PATH.lock`) held in an exclusive transaction for as long as the store
//! value lives.
//!
//! SQLite locks its files with the operating system's advisory locks, which
//! the kernel drops when the process ends, however it ends (SIGKILL
//! included): a crashed sync never leaves a stale lock behind, and no lease
//! has to expire before the next run.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};

/// The lock file of the store at `path`: `PATH.lock`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Tries to take the lock at once: `Ok(Some(connection))` holds it until the
/// connection is dropped, `Ok(None)` means another process (or store value)
/// holds it.
pub(crate) fn try_lock(path: &Path) -> rusqlite::Result<Option<Connection>> {
    let conn = Connection::open(lock_path(path))?;
    // Fail at once rather than wait: the caller decides what to do.
    conn.busy_timeout(std::time::Duration::ZERO)?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
    match conn.execute_batch("BEGIN EXCLUSIVE") {
        Ok(()) => Ok(Some(conn)),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
