//! The books the routes keep: issued tokens (`auth.rs`), per-token rate
//! budgets (`rate_limit.rs`), the bounded request journal (`journal.rs`) and
//! the poll-compliance report (`compliance.rs`).

pub(crate) mod auth;
pub(crate) mod compliance;
pub(crate) mod journal;
pub(crate) mod rate_limit;
