//! The data the emulation serves: the request log and how a query reads it.
//!
//! - `dataset.rs`: [`Dataset`], the seeded synthetic log, over the fixed cast
//!   of `catalog.rs` (organisations, OAuth clients, users, templates), drawn
//!   with the deterministic PRNG of `rng.rs`;
//! - `aggregate.rs`: filter, group, bucket and sort records per query;
//! - `view.rs` + `rows.rs`: which columns a query's rows carry, and aggregated
//!   rows → the wire rows of each family;
//! - `paging.rs`: opaque cursors and page slices.
//!
//! It knows nothing of executions or scripts.

pub(crate) mod aggregate;
pub(crate) mod cast;
pub(crate) mod catalog;
pub(crate) mod dataset;
pub(crate) mod load;
pub(crate) mod paging;
pub(crate) mod rng;
pub(crate) mod rows;
pub(crate) mod synthetic;
pub(crate) mod view;

pub use dataset::{Dataset, DatasetSummary, OAuthClientInfo, OrganizationInfo, UserInfo};
pub use load::{DatasetError, DatasetFormat};
