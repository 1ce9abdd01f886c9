//! The query subcommands (`query`, `client`, `summary`, `search`, `jobs`,
//! `client-jobs`, `resume`): the request body from the flags (`request.rs`),
//! submit or resume and wait with progress (`run.rs`, `spinner.rs`), and the
//! rows as a table, CSV or JSON lines (`render.rs`, `columns.rs`).

pub(crate) mod columns;
pub(crate) mod render;
pub(crate) mod request;
pub(crate) mod run;
pub(crate) mod spinner;
