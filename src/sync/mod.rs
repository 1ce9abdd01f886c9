//! Keeping a history of API usage (feature `sync`): [`sync()`] fills a
//! [`Store`] with complete days of [`UsageRecord`](crate::UsageRecord)s,
//! exactly once, and [`export`] writes them back out as a dataset file.
//!
//! ## What a run does
//!
//! For each [`Organization`] (several at once, [`SyncOptions::concurrency`]):
//!
//! 1. takes the organisation's lease in the store ([`Store::lease`]): an
//!    SQLite file is locked whole, a PostgreSQL store leases each
//!    organisation for [`SyncOptions::lease_ttl`], renewed while the run
//!    works, so several processes on several machines share one store and
//!    one whose process died is taken over when its lease runs out;
//! 2. reads its checkpoint (the last day stored) and plans the days from the
//!    day after it (or [`SyncOptions::since`] on a first run, by default 30
//!    days back) up to **yesterday**: complete UTC days only, today never,
//!    not even in part;
//! 3. fetches them in chunks of at most 90 days through the jobs service
//!    ([`Service::Jobs`]; [`Service::Legacy`] for credentials without its
//!    permission), at Day granularity grouped by client, user, template,
//!    method and platform, every page;
//! 4. commits each chunk as one [`Batch`] together with the checkpoint, in
//!    one transaction.
//!
//! So a run killed at any instant (SIGKILL included) and started again
//! leaves the store identical to an uninterrupted run: a chunk is in the
//! store with its checkpoint, or neither is, and the next run starts after
//! the checkpoint. Re-syncing a range (`since` before the checkpoint) is
//! idempotent: a commit replaces the range.
//!
//! ## Failures, retries and budget
//!
//! Each organisation's client sits behind a [`BudgetTransport`] (240
//! requests a minute by default, under the service's 300), and the client
//! honours `Retry-After`. The SDK never resends a POST that may have been
//! processed, and a 500 ends a wait. The sync decides above it: **a usage
//! query only reads, so submitting it again after an ambiguous failure (a
//! lost answer, a 500, a failed or vanished execution) costs budget, not
//! correctness**; the chunk is fetched again whole, up to
//! [`SyncOptions::chunk_attempts`] times. A refused credential, a missing
//! permission or a bad query is not tried again. One organisation's
//! failure never stops the others; the [`SyncReport`] says which failed,
//! and what they stored before failing stays.
//!
//! ## What a commit means
//!
//! Records are keyed on their natural key: organisation, date, granularity,
//! OAuth client, user, template, method and platform. Committing a batch
//! *replaces* the organisation's records of that granularity inside the
//! batch's range of days: a record with a known key takes the new counters
//! (never added to the old ones), a new key is inserted, and a stored key the
//! batch no longer has is removed. So syncing a range twice gives the same
//! store as syncing it once, and a range synced again through the other
//! query service (the legacy one reports no platform) holds only that
//! service's records, never both. The checkpoint (the last day stored) only
//! moves forward.
//!
//! ## Parts
//!
//! - `store/`: the [`Store`] trait, the batch and its checks, the location
//!   parser, the two backends (`sqlite.rs` with its lock file
//!   `sqlite_lock.rs`, `postgres.rs` with its lease rows);
//! - `days.rs`: which days a run fetches, in which chunks;
//! - `fetch.rs`: one chunk through either service, every page;
//! - `budget.rs`: [`BudgetTransport`];
//! - `run.rs`: [`Organization`], [`SyncOptions`], [`SyncEvent`],
//!   [`SyncReport`] and [`sync()`]; `org.rs`: one organisation's run;
//! - `config.rs`: [`SyncConfig`], the TOML file of organisations;
//! - `export.rs`: [`export`] to a dataset file.

mod budget;
mod config;
mod days;
mod export;
mod fetch;
mod org;
mod run;
mod store;

pub use budget::{BudgetTransport, DEFAULT_REQUESTS_PER_MINUTE};
pub use config::{OrganizationConfig, SyncConfig};
pub use days::{DEFAULT_FIRST_RUN_DAYS, MAX_CHUNK_DAYS, chunks, first_day, last_complete_day};
pub use export::{ExportError, ExportFormat, export};
pub use fetch::{PAGE_SIZE, Service};
pub use run::{
    Observer, Organization, OrganizationReport, SyncEvent, SyncOptions, SyncReport, sync,
};
pub use store::{
    Batch, CommitSummary, Lease, PostgresStore, RecordQuery, SqliteStore, Store, StoreError,
    StoreLocation, open_store,
};
