//! [`CallOptions`]: a timeout, retry policy and wait policy for one call or
//! one handle, each inheriting the client's when not set.

use std::time::Duration;

use crate::polling::WaitPolicy;
use crate::retry::RetryPolicy;

/// Overrides for one call or one handle; what is not set is inherited.
///
/// Apply them with [`UsageClient::with_options`](crate::UsageClient::with_options)
/// (a view of the client for the calls made through it, and for the handles
/// those calls return) or [`QueryHandle::with_options`](crate::QueryHandle::with_options).
///
/// ```
/// # #[cfg(feature = "fake")]
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), genesys_usage::Error> {
/// use std::time::Duration;
/// use genesys_usage::{
///     ApiUsageOrganizationQuery, CallOptions, Interval, RetryPolicy, UsageClient, WaitPolicy,
///     fake::FakeTransport,
/// };
///
/// let client = UsageClient::with_transport(FakeTransport::new());
/// // This one submit: no retries, 5 s per attempt; its wait: at most 2 minutes.
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(5))
///     .retry(RetryPolicy::none())
///     .wait(WaitPolicy { deadline: Duration::from_secs(120), ..WaitPolicy::default() });
/// let query = ApiUsageOrganizationQuery::new(Interval::last_days(7));
/// let handle = client.with_options(&options).submit_usage_query(&query).await?;
/// let result = handle.await?;
/// assert!(result.results.is_some());
/// # Ok(()) }
/// # #[cfg(not(feature = "fake"))] fn main() {}
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
#[must_use]
pub struct CallOptions {
    /// Bounds each attempt (one HTTP request, body included), replacing the
    /// transport's request timeout for it, longer or shorter. Zero is
    /// refused by the call with [`Error::Config`](crate::Error::Config).
    pub timeout: Option<Duration>,
    /// The retry policy of each call.
    pub retry: Option<RetryPolicy>,
    /// The wait policy of `wait()` and `run_…`.
    pub wait: Option<WaitPolicy>,
}

impl CallOptions {
    /// No overrides: everything inherited.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`timeout`](Self::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets [`retry`](Self::retry).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets [`wait`](Self::wait).
    pub fn wait(mut self, wait: WaitPolicy) -> Self {
        self.wait = Some(wait);
        self
    }
}
