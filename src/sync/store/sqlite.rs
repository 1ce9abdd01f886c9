//! [`SqliteStore`]: the embedded backend, one SQLite file (bundled SQLite).
//!
//! rusqlite is synchronous, so every operation runs on tokio's blocking
//! pool. The file is opened in WAL mode, so a reader (an export) never waits
//! for a sync; writers take the write lock at `BEGIN IMMEDIATE` and wait up
//! to [`BUSY_TIMEOUT`] for another process's transaction to end.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite_lock;
use super::{Batch, CommitSummary, Lease, RecordQuery, Store, StoreError};
use crate::models::{Granularity, UsageRecord};

/// How long a write waits for another process's transaction on the file.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS usage_records (
    organization_id   TEXT    NOT NULL,
    date              TEXT    NOT NULL,
    granularity       TEXT    NOT NULL,
    oauth_client_id   TEXT    NOT NULL,
    user_id           TEXT    NOT NULL,
    template_uri      TEXT    NOT NULL,
    http_method       TEXT    NOT NULL,
    platform          TEXT    NOT NULL,
    oauth_client_name TEXT    NOT NULL,
    status200         INTEGER NOT NULL,
    status300         INTEGER NOT NULL,
    status400         INTEGER NOT NULL,
    status429         INTEGER NOT NULL,
    status500         INTEGER NOT NULL,
    commit_id         TEXT    NOT NULL,
    PRIMARY KEY (organization_id, date, granularity, oauth_client_id, user_id,
                 template_uri, http_method, platform)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_checkpoints (
    organization_id TEXT PRIMARY KEY,
    through         TEXT NOT NULL
) WITHOUT ROWID;
";

const UPSERT: &str = "
INSERT INTO usage_records (organization_id, date, granularity, oauth_client_id, user_id,
    template_uri, http_method, platform, oauth_client_name,
    status200, status300, status400, status429, status500, commit_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
ON CONFLICT (organization_id, date, granularity, oauth_client_id, user_id,
             template_uri, http_method, platform)
DO UPDATE SET oauth_client_name = excluded.oauth_client_name,
    status200 = excluded.status200, status300 = excluded.status300,
    status400 = excluded.status400, status429 = excluded.status429,
    status500 = excluded.status500, commit_id = excluded.commit_id";

const SELECT: &str = "
SELECT organization_id, date, granularity, oauth_client_id, user_id, template_uri,
       http_method, platform, oauth_client_name,
       status200, status300, status400, status429, status500
FROM usage_records
WHERE (?1 IS NULL OR organization_id = ?1) AND (?2 IS NULL OR date >= ?2)
  AND (?3 IS NULL OR date <= ?3)
ORDER BY organization_id, date, granularity, oauth_client_id, user_id, template_uri,
         http_method, platform";

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
    /// The store's lock, once taken by [`Store::lease`] (see `sqlite_lock.rs`).
    lock: Arc<Mutex<Option<Connection>>>,
}

impl SqliteStore {
    /// Opens `path` (creating the file and its tables if missing).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the file cannot be opened or is not an
    /// SQLite database.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let path = path.to_owned();
        let location = format!("sqlite:{}", path.display());
        let opened = path.clone();
        let conn = blocking(&location, "open", move || {
            let conn = Connection::open(&opened)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.execute_batch(SCHEMA)?;
            Ok(conn)
        })
        .await?;
        Ok(Self {
            path,
            conn: Arc::new(Mutex::new(conn)),
            lock: Arc::new(Mutex::new(None)),
        })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = Arc::clone(&self.conn);
        blocking(&self.location(), operation, move || {
            // A panic while holding the lock cannot leave a transaction
            // open (rusqlite rolls back on drop), so a poisoned lock is safe.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
    }
}

async fn blocking<T: Send + 'static>(
    location: &str,
    operation: &'static str,
    f: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| StoreError::backend(location, operation, e)),
        Err(join) => Err(StoreError::backend(location, operation, join)),
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn location(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    async fn checkpoint(&self, organization_id: &str) -> Result<Option<NaiveDate>, StoreError> {
        let org = organization_id.to_owned();
        let text: Option<String> = self
            .with_conn("read checkpoint", move |c| {
                c.query_row(
                    "SELECT through FROM sync_checkpoints WHERE organization_id = ?1",
                    [org],
                    |row| row.get(0),
                )
                .optional()
            })
            .await?;
        text.map(|t| parse_date(&self.location(), "sync_checkpoints.through", &t))
            .transpose()
    }

    async fn checkpoints(&self) -> Result<Vec<(String, NaiveDate)>, StoreError> {
        let rows: Vec<(String, String)> = self
            .with_conn("read checkpoints", |c| {
                let mut stmt = c.prepare(
                    "SELECT organization_id, through FROM sync_checkpoints ORDER BY organization_id",
                )?;
                stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect()
            })
            .await?;
        rows.into_iter()
            .map(|(org, t)| {
                Ok((
                    org,
                    parse_date(&self.location(), "sync_checkpoints.through", &t)?,
                ))
            })
            .collect()
    }

    async fn commit(&self, batch: &Batch) -> Result<CommitSummary, StoreError> {
        batch.check()?;
        let batch = batch.clone();
        let commit_id = uuid::Uuid::new_v4().to_string();
        self.with_conn("commit", move |c| {
            // Dropping `tx` without `commit` rolls everything back, so an
            // error on any statement leaves the store as it was.
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let granularity = batch.granularity.as_str().to_owned();
            let mut written = 0;
            {
                let mut upsert = tx.prepare_cached(UPSERT)?;
                for r in &batch.records {
                    written += upsert.execute(params![
                        r.organization_id,
                        day(r.date),
                        granularity,
                        r.oauth_client_id,
                        r.user_id,
                        r.template_uri,
                        r.http_method,
                        r.platform,
                        r.oauth_client_name,
                        r.status200,
                        r.status300,
                        r.status400,
                        r.status429,
                        r.status500,
                        commit_id,
                    ])? as u64;
                }
            }
            let removed = tx.execute(
                "DELETE FROM usage_records WHERE organization_id = ?1 AND granularity = ?2
                   AND date >= ?3 AND date <= ?4 AND commit_id <> ?5",
                params![
                    batch.organization_id,
                    granularity,
                    day(batch.from),
                    day(batch.through),
                    commit_id
                ],
            )? as u64;
            // The checkpoint only moves forward: re-syncing an older range
            // must not make the next run fetch the newer days again.
            tx.execute(
                "INSERT INTO sync_checkpoints (organization_id, through) VALUES (?1, ?2)
                 ON CONFLICT (organization_id) DO UPDATE SET through = excluded.through
                 WHERE excluded.through > sync_checkpoints.through",
                params![batch.organization_id, day(batch.through)],
            )?;
            let checkpoint: String = tx.query_row(
                "SELECT through FROM sync_checkpoints WHERE organization_id = ?1",
                [&batch.organization_id],
                |row| row.get(0),
            )?;
            tx.commit()?;
            Ok(CommitSummary {
                written,
                removed,
                checkpoint: NaiveDate::parse_from_str(&checkpoint, "%Y-%m-%d").ok(),
            })
        })
        .await
    }

    async fn lease(
        &self,
        _organization_id: &str,
        _holder: &str,
        _ttl: Duration,
    ) -> Result<Lease, StoreError> {
        let lock = Arc::clone(&self.lock);
        let path = self.path.clone();
        let held = blocking(&self.location(), "lock", move || {
            let mut guard = lock.lock().unwrap_or_else(|p| p.into_inner());
            if guard.is_none() {
                *guard = sqlite_lock::try_lock(&path)?;
            }
            Ok(guard.is_some())
        })
        .await?;
        Ok(if held {
            Lease::Held
        } else {
            Lease::Busy {
                holder: format!(
                    "another process ({} is locked)",
                    sqlite_lock::lock_path(&self.path).display()
                ),
            }
        })
    }

    async fn release(&self, _organization_id: &str, _holder: &str) -> Result<(), StoreError> {
        // The lock covers the whole file: it is kept until the store is
        // dropped, so the organisations of one run never wait for each other.
        Ok(())
    }

    async fn records(&self, query: &RecordQuery) -> Result<Vec<UsageRecord>, StoreError> {
        let q = query.clone();
        type Row = ([String; 9], [i64; 5]);
        let rows: Vec<Row> = self
            .with_conn("read records", move |c| {
                let mut stmt = c.prepare_cached(SELECT)?;
                stmt.query_map(
                    params![q.organization_id, q.since.map(day), q.until.map(day)],
                    |row| {
                        let mut text: [String; 9] = Default::default();
                        for (i, t) in text.iter_mut().enumerate() {
                            *t = row.get(i)?;
                        }
                        let mut counts = [0_i64; 5];
                        for (i, n) in counts.iter_mut().enumerate() {
                            *n = row.get(9 + i)?;
                        }
                        Ok((text, counts))
                    },
                )?
                .collect()
            })
            .await?;
        let location = self.location();
        rows.into_iter()
            .map(|(text, counts)| {
                let [
                    org,
                    date,
                    granularity,
                    client,
                    user,
                    template,
                    method,
                    platform,
                    name,
                ] = text;
                let mut r = UsageRecord::new(
                    parse_date(&location, "usage_records.date", &date)?,
                    Granularity::from_wire(&granularity),
                );
                r.organization_id = org;
                r.oauth_client_id = client;
                r.user_id = user;
                r.template_uri = template;
                r.http_method = method;
                r.platform = platform;
                r.oauth_client_name = name;
                [
                    r.status200,
                    r.status300,
                    r.status400,
                    r.status429,
                    r.status500,
                ] = counts;
                Ok(r)
            })
            .collect()
    }
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn parse_date(location: &str, what: &str, text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        location: location.to_owned(),
        what: what.to_owned(),
        message: format!("{text:?} is not a yyyy-mm-dd day: {e}"),
    })
}
