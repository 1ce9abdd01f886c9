//! The books the routes keep: issued tokens (`auth.rs`), per-token rate
//! budgets (`rate_limit.rs`), the bounded request journal (`journal.rs`,
//! with its filters in `journal_filter.rs` and the redaction of credentials
//! in `redact.rs`). The poll-compliance report is the engine's
//! (`genesys_usage::fake::ComplianceTracker`), shared with `FakeTransport`.

pub(crate) mod auth;
pub(crate) mod journal;
pub(crate) mod journal_filter;
pub(crate) mod rate_limit;
pub(crate) mod redact;
