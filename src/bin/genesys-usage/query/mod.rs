//! The query subcommands (`query`, `client`, `summary`, `search`, `jobs`,
//! `client-jobs`, `resume`): the request body from the flags (`request.rs`)
//! and notes on its window (`window.rs`), submit or resume and wait with
//! progress (`run.rs`, `spinner.rs`, `waits.rs` for rate-limit waits), and
//! the rows as a table, CSV or JSON lines (`render.rs`, `columns.rs`).

pub(crate) mod columns;
pub(crate) mod render;
pub(crate) mod request;
pub(crate) mod run;
pub(crate) mod spinner;
pub(crate) mod waits;
pub(crate) mod window;
