//! The [`Store`] trait, what it is given ([`Batch`]) and asked
//! ([`RecordQuery`]), its errors, and [`open_store`] over both backends.

mod batch;
mod location;
mod postgres;
mod sqlite;
mod sqlite_lock;

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::models::UsageRecord;

pub use batch::Batch;
pub use location::StoreLocation;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A store of usage records and per-organisation checkpoints.
///
/// The contract every backend meets (the shared store suite checks it):
///
/// - [`commit`](Self::commit) writes a whole [`Batch`] and moves the
///   organisation's checkpoint to the batch's last day (if that is later) in
///   one transaction: after a crash the store holds all of it or none of it;
/// - inside the batch's range the organisation's records of its granularity
///   become exactly the batch's records (upsert on the natural key, counters
///   replaced, vanished keys removed); records outside the range, of other
///   granularities or of other organisations are untouched;
/// - a batch that fails its checks ([`Batch::check`]) writes nothing;
/// - organisations never share a checkpoint or a record;
/// - [`records`](Self::records) returns records in key order (organisation,
///   date, granularity, client, user, template, method, platform).
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Where the store is, without any password (`sqlite:PATH`,
    /// `postgres://user@host:port/db`), for messages.
    fn location(&self) -> String;

    /// The last day stored for `organization_id`, if any.
    async fn checkpoint(&self, organization_id: &str) -> Result<Option<NaiveDate>, StoreError>;

    /// Writes `batch` and moves its organisation's checkpoint, atomically.
    async fn commit(&self, batch: &Batch) -> Result<CommitSummary, StoreError>;

    /// The stored records that `query` selects, in key order.
    async fn records(&self, query: &RecordQuery) -> Result<Vec<UsageRecord>, StoreError>;

    /// Every organisation with a checkpoint, and its checkpoint, by id.
    async fn checkpoints(&self) -> Result<Vec<(String, NaiveDate)>, StoreError>;

    /// Takes or renews `holder`'s lease on syncing `organization_id`, for
    /// `ttl` from now; [`Lease::Busy`] while another holder's lease runs.
    ///
    /// - [`SqliteStore`]: one lock for the whole file, held by this store
    ///   value until it is dropped (the operating system releases it when
    ///   the process dies, however it dies); `ttl` is not needed.
    /// - [`PostgresStore`]: a lease row per organisation, expiring `ttl`
    ///   after its last renewal on the server's clock, so a process that
    ///   died (or lost its network) is taken over once its lease runs out.
    async fn lease(
        &self,
        organization_id: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Lease, StoreError>;

    /// Gives up `holder`'s lease on `organization_id` (nothing if it holds
    /// none).
    async fn release(&self, organization_id: &str, holder: &str) -> Result<(), StoreError>;
}

/// The answer of [`Store::lease`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lease {
    /// The caller holds the lease now.
    Held,
    /// Someone else does.
    Busy {
        /// Who, as far as the store knows (a holder name, or a description).
        holder: String,
    },
}

/// What one [`Store::commit`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CommitSummary {
    /// Records written (inserted or replaced).
    pub written: u64,
    /// Stored records of the range that the batch no longer had, removed.
    pub removed: u64,
    /// The organisation's checkpoint after the commit.
    pub checkpoint: Option<NaiveDate>,
}

/// Which records [`Store::records`] returns: every filter left `None`
/// matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordQuery {
    /// Only this organisation.
    pub organization_id: Option<String>,
    /// Only records of this day or later.
    pub since: Option<NaiveDate>,
    /// Only records of this day or earlier.
    pub until: Option<NaiveDate>,
}

impl RecordQuery {
    /// Every record.
    #[must_use]
    pub fn all() -> Self {
        Self::default()
    }

    /// Only `organization_id`'s records.
    #[must_use]
    pub fn organization(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// Only records from `since` to `until`, both inclusive.
    #[must_use]
    pub fn days(mut self, since: Option<NaiveDate>, until: Option<NaiveDate>) -> Self {
        self.since = since;
        self.until = until;
        self
    }
}

/// Why a store could not be opened, read or written. Messages name the
/// store by [`Store::location`], never with a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The location is not `sqlite:PATH` or `postgres://…`.
    #[error("invalid store location {location:?}: {message}")]
    InvalidLocation {
        /// The location as given, its password masked.
        location: String,
        /// What is wrong with it.
        message: String,
    },
    /// A batch failed its checks; nothing was written.
    #[error("invalid batch: {field}: {message}")]
    InvalidBatch {
        /// The field at fault (`records[3].date`, `through`, …).
        field: String,
        /// The rule it broke.
        message: String,
    },
    /// The database refused or failed an operation; the transaction was
    /// rolled back.
    #[error("store {location}: {operation}: {message}")]
    Backend {
        /// The store, as [`Store::location`] writes it.
        location: String,
        /// What was being done (`open`, `commit`, `read records`, …).
        operation: &'static str,
        /// The database's message.
        message: String,
    },
    /// The store holds a value this version cannot read (for example a
    /// file written by another program).
    #[error("store {location}: corrupt {what}: {message}")]
    Corrupt {
        /// The store.
        location: String,
        /// The column or table.
        what: String,
        /// Why it cannot be read.
        message: String,
    },
}

impl StoreError {
    pub(crate) fn backend(
        location: &str,
        operation: &'static str,
        error: impl fmt::Display,
    ) -> Self {
        Self::Backend {
            location: location.to_owned(),
            operation,
            message: error.to_string(),
        }
    }
}

/// Opens (and creates, if need be) the store at `location`: `sqlite:PATH`
/// or `postgres://user[:password]@host[:port]/database`.
///
/// # Errors
/// [`StoreError::InvalidLocation`] for another form, [`StoreError::Backend`]
/// when the database cannot be opened or its tables created.
pub async fn open_store(location: &str) -> Result<Box<dyn Store>, StoreError> {
    match StoreLocation::parse(location)? {
        StoreLocation::Sqlite(path) => Ok(Box::new(SqliteStore::open(&path).await?)),
        StoreLocation::Postgres(url) => Ok(Box::new(PostgresStore::connect(&url).await?)),
    }
}

/// The natural key of a record, in the order the stores sort by.
pub(crate) fn record_key(r: &UsageRecord) -> impl Ord + std::hash::Hash + '_ {
    (
        r.organization_id.as_str(),
        r.date,
        r.granularity.as_str(),
        r.oauth_client_id.as_str(),
        r.user_id.as_str(),
        r.template_uri.as_str(),
        r.http_method.as_str(),
        r.platform.as_str(),
    )
}
