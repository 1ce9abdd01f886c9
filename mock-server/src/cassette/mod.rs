//! Record and replay over HTTP (`--replay PATH`, `--record PATH --upstream URL`),
//! in the cassette format of the SDK's feature `cassette`
//! (`genesys_usage::cassette`), so one recording serves both sides.
//!
//! - `book.rs`: a cassette compiled for serving (submits per request, fresh
//!   execution ids, each execution's recorded poll sequence);
//! - `replay.rs`: the 11 Usage routes answered from the book;
//! - `record.rs`: `--record`, the recording proxy ([`Recorder`](record::Recorder));
//! - `written.rs`: what the proxy writes down of each call;
//! - `dataset.rs`: `cassette-to-dataset`, a recording's daily results as a
//!   dataset file.

pub(crate) mod book;
pub(crate) mod dataset;
pub(crate) mod record;
pub(crate) mod replay;
mod written;
