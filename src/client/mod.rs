//! [`UsageClient`]: the 11 operations with retry and re-authentication
//! applied. Parts: `builder.rs` ([`UsageClientBuilder`]), `options.rs`
//! ([`CallOptions`]) and `call.rs` (the retry loop).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::Result;
use crate::polling::WaitPolicy;
use crate::retry::RetryPolicy;
use crate::transport::UsageTransport;

mod builder;
mod call;
mod options;

pub use builder::UsageClientBuilder;
pub(crate) use call::CallSpec;
pub use options::CallOptions;

/// The Usage API client: typed operations, retries, re-authentication,
/// polling and paging over any [`UsageTransport`].
///
/// Cheap to clone (an `Arc` inside) and safe to share across tasks.
/// `Debug` shows the transport (without secrets) and the policies.
#[derive(Clone)]
pub struct UsageClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<dyn UsageTransport>,
    retry: RetryPolicy,
    wait: WaitPolicy,
    /// The per-call timeout of [`CallOptions::timeout`], if any.
    timeout: Option<Duration>,
    /// Jitter of the retry backoff.
    rng: Mutex<fastrand::Rng>,
}

impl std::fmt::Debug for UsageClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsageClient")
            .field("transport", &self.inner.transport)
            .field("retry", &self.inner.retry)
            .field("wait", &self.inner.wait)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

impl UsageClient {
    /// A builder for a client over HTTP.
    pub fn builder() -> UsageClientBuilder {
        UsageClientBuilder::default()
    }

    /// A client over HTTP configured from the environment: credentials,
    /// region or base URL, proxy (the variables are listed on
    /// [`HttpTransportBuilder::with_env`](crate::HttpTransportBuilder::with_env)).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), genesys_usage::Error> {
    /// // GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYSCLOUD_REGION
    /// let client = genesys_usage::UsageClient::from_env()?;
    /// # let _ = client; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`](crate::Error::Config) naming the variable whose
    /// value is unusable, or (field `auth`) saying which credentials
    /// variables to set.
    pub fn from_env() -> Result<Self> {
        Self::builder().with_env()?.build()
    }

    /// A client over any transport (the fake, a mock, your own), with the
    /// default policies.
    pub fn with_transport(transport: impl UsageTransport + 'static) -> Self {
        Self::from_parts(
            Arc::new(transport),
            RetryPolicy::default(),
            WaitPolicy::default(),
        )
    }

    /// A client over a shared transport.
    pub fn with_shared_transport(transport: Arc<dyn UsageTransport>) -> Self {
        Self::from_parts(transport, RetryPolicy::default(), WaitPolicy::default())
    }

    fn from_parts(
        transport: Arc<dyn UsageTransport>,
        retry: RetryPolicy,
        wait: WaitPolicy,
    ) -> Self {
        Self::assemble(transport, retry, wait, None)
    }

    fn assemble(
        transport: Arc<dyn UsageTransport>,
        retry: RetryPolicy,
        wait: WaitPolicy,
        timeout: Option<Duration>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport,
                retry,
                wait,
                timeout,
                rng: Mutex::new(fastrand::Rng::new()),
            }),
        }
    }

    /// A view of this client (same transport, connections and token) with
    /// `options` applied to the calls made through it and to the handles
    /// they return; what `options` leaves unset is this client's.
    #[must_use]
    pub fn with_options(&self, options: &CallOptions) -> Self {
        let inner = &self.inner;
        Self::assemble(
            inner.transport.clone(),
            options.retry.clone().unwrap_or_else(|| inner.retry.clone()),
            options.wait.clone().unwrap_or_else(|| inner.wait.clone()),
            options.timeout.or(inner.timeout),
        )
    }

    /// A copy of this client with another retry policy (same transport).
    #[must_use]
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        self.with_options(&CallOptions::new().retry(retry))
    }

    /// A copy of this client with another wait policy (same transport).
    #[must_use]
    pub fn with_wait_policy(&self, wait: WaitPolicy) -> Self {
        self.with_options(&CallOptions::new().wait(wait))
    }

    /// The transport underneath.
    #[must_use]
    pub fn transport(&self) -> &Arc<dyn UsageTransport> {
        &self.inner.transport
    }

    /// The retry policy.
    #[must_use]
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The wait policy.
    #[must_use]
    pub fn wait_policy(&self) -> &WaitPolicy {
        &self.inner.wait
    }

    /// The per-call timeout set with [`with_options`](Self::with_options),
    /// if any (the transport's own request timeout applies otherwise).
    #[must_use]
    pub fn call_timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }
}

#[cfg(all(test, feature = "fake"))]
mod tests {
    use super::*;
    use crate::fake::FakeTransport;

    #[test]
    fn debug_shows_the_policies_but_no_internals() {
        let client = UsageClient::with_transport(FakeTransport::new());
        let debug = format!("{client:?}");
        assert!(debug.starts_with("UsageClient {"), "{debug}");
        assert!(debug.contains("max_retries: 4"), "{debug}");
        assert!(!debug.contains("rng: Mutex"), "{debug}");
        assert!(!debug.contains("Rng("), "{debug}");
    }

    #[test]
    fn options_override_only_what_they_set() {
        let client = UsageClient::with_transport(FakeTransport::new());
        let view = client.with_options(&CallOptions::new().timeout(Duration::from_secs(3)));
        assert_eq!(view.call_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(view.retry_policy(), client.retry_policy());
        let nested = view.with_options(&CallOptions::new().retry(RetryPolicy::none()));
        assert_eq!(nested.call_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(nested.retry_policy().max_retries, 0);
        assert!(Arc::ptr_eq(nested.transport(), client.transport()));
    }
}
