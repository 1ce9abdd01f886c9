//! The request path: the outer middleware (correlation id, header limit,
//! journal, wire faults), the pipeline of checks (body limit → auth → rate
//! limit → fault → handler), body parsing with field names, the one `ApiError`
//! answer type, and `X-Mock-Fault`.

pub(crate) mod body;
pub(crate) mod error;
pub(crate) mod faults;
pub(crate) mod middleware;
pub(crate) mod pipeline;
