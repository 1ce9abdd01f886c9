//! [`PostgresStore`]: the shared backend, one PostgreSQL database.
//!
//! Plain TCP without TLS (tokio-postgres with `NoTls`): for a server on the
//! same host or a private network. Rows go in with one `UNNEST` statement
//! per slice of a batch, so a commit costs a few round trips, not one per
//! record. Text is sorted with `COLLATE "C"` so the key order is the same
//! byte order as SQLite's, whatever the database's locale.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls};

use super::location::redact_url;
use super::{Batch, CommitSummary, Lease, RecordQuery, Store, StoreError};
use crate::models::{Granularity, UsageRecord};

/// Records per `UNNEST` statement: large enough to amortise a round trip,
/// small enough to keep one statement's parameters modest.
const SLICE: usize = 5_000;

/// Serialises table creation across processes that open a new database at
/// the same time (`CREATE TABLE IF NOT EXISTS` alone can race).
const SCHEMA_LOCK: i64 = 0x6765_6e75_7361_6765; // "genusage"

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS usage_records (
    organization_id   TEXT   NOT NULL,
    date              DATE   NOT NULL,
    granularity       TEXT   NOT NULL,
    oauth_client_id   TEXT   NOT NULL,
    user_id           TEXT   NOT NULL,
    template_uri      TEXT   NOT NULL,
    http_method       TEXT   NOT NULL,
    platform          TEXT   NOT NULL,
    oauth_client_name TEXT   NOT NULL,
    status200         BIGINT NOT NULL,
    status300         BIGINT NOT NULL,
    status400         BIGINT NOT NULL,
    status429         BIGINT NOT NULL,
    status500         BIGINT NOT NULL,
    commit_id         TEXT   NOT NULL,
    PRIMARY KEY (organization_id, date, granularity, oauth_client_id, user_id,
                 template_uri, http_method, platform)
);
CREATE TABLE IF NOT EXISTS sync_checkpoints (
    organization_id TEXT PRIMARY KEY,
    through         DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS sync_leases (
    organization_id TEXT PRIMARY KEY,
    holder          TEXT NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);
"#;

/// Takes the lease when it is free, expired, or the caller's own (a
/// renewal); `RETURNING` gives a row only then. Times are the server's, so
/// the clocks of the machines sharing the store do not matter.
const LEASE: &str = "
INSERT INTO sync_leases (organization_id, holder, expires_at)
VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::float8))
ON CONFLICT (organization_id) DO UPDATE
SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE sync_leases.holder = excluded.holder OR sync_leases.expires_at < clock_timestamp()
RETURNING holder";

const UPSERT: &str = "
INSERT INTO usage_records (organization_id, date, granularity, oauth_client_id, user_id,
    template_uri, http_method, platform, oauth_client_name,
    status200, status300, status400, status429, status500, commit_id)
SELECT u.org, u.date, $3::text, u.client, u.usr, u.template, u.method, u.platform, u.name,
       u.s200, u.s300, u.s400, u.s429, u.s500, $1::text
FROM UNNEST($2::text[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::int8[],
            $15::int8[])
     AS u(org, date, client, usr, template, method, platform, name, s200, s300, s400, s429, s500)
ON CONFLICT (organization_id, date, granularity, oauth_client_id, user_id,
             template_uri, http_method, platform)
DO UPDATE SET oauth_client_name = excluded.oauth_client_name,
    status200 = excluded.status200, status300 = excluded.status300,
    status400 = excluded.status400, status429 = excluded.status429,
    status500 = excluded.status500, commit_id = excluded.commit_id";

const SELECT: &str = r#"
SELECT organization_id, date, granularity, oauth_client_id, user_id, template_uri,
       http_method, platform, oauth_client_name,
       status200, status300, status400, status429, status500
FROM usage_records
WHERE ($1::text IS NULL OR organization_id = $1) AND ($2::date IS NULL OR date >= $2)
  AND ($3::date IS NULL OR date <= $3)
ORDER BY organization_id COLLATE "C", date, granularity COLLATE "C",
         oauth_client_id COLLATE "C", user_id COLLATE "C", template_uri COLLATE "C",
         http_method COLLATE "C", platform COLLATE "C""#;

/// A store in a PostgreSQL database.
pub struct PostgresStore {
    location: String,
    client: Arc<Mutex<Client>>,
}

// The connection URL may hold a password: only the masked location shows.
impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`)
    /// and creates the tables if missing.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the server cannot be reached, refuses
    /// the login or the tables cannot be created.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let location = redact_url(url);
        let fail = |op, e: tokio_postgres::Error| StoreError::backend(&location, op, e);
        let (mut client, connection) = tokio_postgres::connect(url, NoTls)
            .await
            .map_err(|e| fail("connect", e))?;
        // The connection task ends when the client is dropped.
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "postgres store connection ended");
            }
        });
        let tx = client
            .transaction()
            .await
            .map_err(|e| fail("create tables", e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
            .await
            .map_err(|e| fail("create tables", e))?;
        tx.batch_execute(SCHEMA)
            .await
            .map_err(|e| fail("create tables", e))?;
        tx.commit().await.map_err(|e| fail("create tables", e))?;
        Ok(Self {
            location,
            client: Arc::new(Mutex::new(client)),
        })
    }

    fn fail(&self, operation: &'static str) -> impl Fn(tokio_postgres::Error) -> StoreError + '_ {
        move |e| StoreError::backend(&self.location, operation, e)
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn location(&self) -> String {
        self.location.clone()
    }

    async fn checkpoint(&self, organization_id: &str) -> Result<Option<NaiveDate>, StoreError> {
        let client = self.client.lock().await;
        let row = client
            .query_opt(
                "SELECT through FROM sync_checkpoints WHERE organization_id = $1",
                &[&organization_id],
            )
            .await
            .map_err(self.fail("read checkpoint"))?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn checkpoints(&self) -> Result<Vec<(String, NaiveDate)>, StoreError> {
        let client = self.client.lock().await;
        let rows = client
            .query(
                r#"SELECT organization_id, through FROM sync_checkpoints
                   ORDER BY organization_id COLLATE "C""#,
                &[],
            )
            .await
            .map_err(self.fail("read checkpoints"))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn commit(&self, batch: &Batch) -> Result<CommitSummary, StoreError> {
        batch.check()?;
        let commit_id = uuid::Uuid::new_v4();
        let granularity = batch.granularity.as_str();
        let mut client = self.client.lock().await;
        // Dropping the transaction without `commit` rolls it back, so an
        // error (or a cancelled future) leaves the store as it was.
        let tx = client.transaction().await.map_err(self.fail("commit"))?;
        let mut written = 0;
        for slice in batch.records.chunks(SLICE) {
            let col = |f: fn(&UsageRecord) -> &str| -> Vec<&str> { slice.iter().map(f).collect() };
            let num = |f: fn(&UsageRecord) -> i64| -> Vec<i64> { slice.iter().map(f).collect() };
            let dates: Vec<NaiveDate> = slice.iter().map(|r| r.date).collect();
            written += tx
                .execute(
                    UPSERT,
                    &[
                        &commit_id_param(commit_id),
                        &col(|r| &r.organization_id),
                        &granularity,
                        &dates,
                        &col(|r| &r.oauth_client_id),
                        &col(|r| &r.user_id),
                        &col(|r| &r.template_uri),
                        &col(|r| &r.http_method),
                        &col(|r| &r.platform),
                        &col(|r| &r.oauth_client_name),
                        &num(|r| r.status200),
                        &num(|r| r.status300),
                        &num(|r| r.status400),
                        &num(|r| r.status429),
                        &num(|r| r.status500),
                    ],
                )
                .await
                .map_err(self.fail("commit"))?;
        }
        let removed = tx
            .execute(
                "DELETE FROM usage_records WHERE organization_id = $1 AND granularity = $2
                   AND date >= $3 AND date <= $4 AND commit_id <> $5",
                &[
                    &batch.organization_id,
                    &granularity,
                    &batch.from,
                    &batch.through,
                    &commit_id_param(commit_id),
                ],
            )
            .await
            .map_err(self.fail("commit"))?;
        // The checkpoint only moves forward (see the SQLite backend).
        let row = tx
            .query_one(
                "INSERT INTO sync_checkpoints (organization_id, through) VALUES ($1, $2)
                 ON CONFLICT (organization_id)
                 DO UPDATE SET through = GREATEST(sync_checkpoints.through, excluded.through)
                 RETURNING through",
                &[&batch.organization_id, &batch.through],
            )
            .await
            .map_err(self.fail("commit"))?;
        tx.commit().await.map_err(self.fail("commit"))?;
        Ok(CommitSummary {
            written,
            removed,
            checkpoint: Some(row.get(0)),
        })
    }

    async fn lease(
        &self,
        organization_id: &str,
        holder: &str,
        ttl: std::time::Duration,
    ) -> Result<Lease, StoreError> {
        let client = self.client.lock().await;
        let taken = client
            .query_opt(LEASE, &[&organization_id, &holder, &ttl.as_secs_f64()])
            .await
            .map_err(self.fail("lease"))?;
        if taken.is_some() {
            return Ok(Lease::Held);
        }
        let row = client
            .query_opt(
                "SELECT holder FROM sync_leases WHERE organization_id = $1",
                &[&organization_id],
            )
            .await
            .map_err(self.fail("lease"))?;
        Ok(Lease::Busy {
            holder: row.map_or_else(|| "another process".to_owned(), |r| r.get(0)),
        })
    }

    async fn release(&self, organization_id: &str, holder: &str) -> Result<(), StoreError> {
        let client = self.client.lock().await;
        client
            .execute(
                "DELETE FROM sync_leases WHERE organization_id = $1 AND holder = $2",
                &[&organization_id, &holder],
            )
            .await
            .map_err(self.fail("release lease"))?;
        Ok(())
    }

    async fn records(&self, query: &RecordQuery) -> Result<Vec<UsageRecord>, StoreError> {
        let client = self.client.lock().await;
        let rows = client
            .query(
                SELECT,
                &[&query.organization_id, &query.since, &query.until],
            )
            .await
            .map_err(self.fail("read records"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let granularity: String = row.get(2);
                let mut r = UsageRecord::new(row.get(1), Granularity::from_wire(&granularity));
                r.organization_id = row.get(0);
                r.oauth_client_id = row.get(3);
                r.user_id = row.get(4);
                r.template_uri = row.get(5);
                r.http_method = row.get(6);
                r.platform = row.get(7);
                r.oauth_client_name = row.get(8);
                r.status200 = row.get(9);
                r.status300 = row.get(10);
                r.status400 = row.get(11);
                r.status429 = row.get(12);
                r.status500 = row.get(13);
                r
            })
            .collect())
    }
}

/// The commit id is kept as text: tokio-postgres maps `uuid` only with a
/// further feature, and the column is only compared for equality.
fn commit_id_param(id: uuid::Uuid) -> String {
    id.to_string()
}
