//! # genesys-usage
//!
//! A Rust SDK for the Genesys Cloud (formerly PureCloud) Usage API.
//!
//! (The crate guide is written in a later step.)

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod client;
mod error;
mod execution;
mod models;
mod paging;
mod polling;
mod queries;
mod region;
mod retry;
mod transport;

#[cfg(feature = "fake")]
pub mod fake;

pub use auth::{AccessToken, StaticToken, TokenProvider};
pub use client::{UsageClient, UsageClientBuilder};
pub use error::{Error, Result, TransportErrorKind};
pub use execution::{ExecutionKind, ExecutionRef, FetchFuture, PollState, QueryOutput};
pub use models::*;
pub use paging::{PagedOutput, collect_rows};
pub use polling::{PollEvent, PollOutcome, QueryHandle, WaitPolicy};
pub use region::{Region, UnknownRegion};
pub use retry::{RetryPolicy, parse_retry_after};
#[cfg(feature = "mock")]
pub use transport::MockUsageTransport;
pub use transport::http::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, HttpTransport, HttpTransportBuilder,
};
pub use transport::{ApiResponse, PageRequest, RateLimitInfo, ResponseMeta, UsageTransport};
