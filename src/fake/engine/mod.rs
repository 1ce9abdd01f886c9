//! The engine: executions and their lifecycles, request validation, and the
//! eleven operations answered from the data under the script.
//!
//! - `state.rs`: [`Engine`], [`EngineConfig`], scripted lifecycles and the
//!   fault book;
//! - `table.rs`: the execution table, with the indexes that enforce retention
//!   and `max_executions` in O(log n) per request;
//! - `execution.rs`: one execution's state machine;
//! - `queries.rs` + `validate.rs`: request bodies → validated query specs, or
//!   Genesys-shaped 400 answers;
//! - `ops.rs`, `ops_legacy.rs` (L1–L7), `ops_jobs.rs` (N1–N4): the operations;
//! - `encoded.rs`: results already encoded as JSON, for the mock server.
//!
//! It reads `data/` and `script/`; neither of them reads it.

mod encoded;
mod execution;
mod ops;
mod ops_jobs;
mod ops_legacy;
mod queries;
mod state;
mod table;
mod validate;

pub use encoded::EncodedResult;
pub use state::{Engine, EngineConfig, ExecutionInfo};
