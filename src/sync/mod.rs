//! Keeping a history of API usage (feature `sync`): a [`Store`] of complete
//! days of [`UsageRecord`](crate::UsageRecord)s, with two real backends.
//!
//! - [`Store`]: the one interface a sync writes through and an export or a
//!   report reads from. A [`Batch`] (the records of one organisation over a
//!   range of days) is written in **one transaction** together with the
//!   organisation's checkpoint, so a process killed at any instant leaves
//!   either the whole batch or none of it.
//! - [`SqliteStore`]: an embedded SQLite file (bundled SQLite, no system
//!   library), the default.
//! - [`PostgresStore`]: a PostgreSQL database, for teams that share one
//!   store (plain TCP, for a server on the same host or a private network).
//! - [`open_store`]: either, from a `sqlite:PATH` or `postgres://…` location.
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
//! - `store/`: the trait, the batch and its checks, the location parser and
//!   the two backends (`sqlite.rs`, `postgres.rs`).

mod store;

pub use store::{
    Batch, CommitSummary, PostgresStore, RecordQuery, SqliteStore, Store, StoreError,
    StoreLocation, open_store,
};
