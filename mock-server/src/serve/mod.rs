//! The process: the accept loop with connection-level faults and graceful
//! shutdown (`server.rs`), the in-process [`MockServer`](mock::MockServer) handle
//! (`mock.rs`), and the state every request shares (`state.rs`).

pub(crate) mod mock;
pub(crate) mod server;
pub(crate) mod state;
