//! The process: the accept loop with connection-level faults and graceful
//! shutdown (`server.rs`), the in-process [`MockServer`](mock::MockServer) handle
//! (`mock.rs`), the state every request shares (`state.rs`), one engine per
//! organisation (`tenants.rs`), and HTTPS (`tls.rs`).

pub(crate) mod mock;
pub(crate) mod server;
pub(crate) mod state;
pub(crate) mod tenants;
pub(crate) mod tls;
