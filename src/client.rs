//! [`UsageClient`]: the 11 operations with retry and re-authentication applied.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::TokenProvider;
use crate::error::{Error, Result};
use crate::polling::WaitPolicy;
use crate::region::Region;
use crate::retry::{Method, RetryPolicy};
use crate::transport::http::HttpTransportBuilder;
use crate::transport::{ApiResponse, UsageTransport};

/// The Usage API client: typed operations, retries, re-authentication,
/// polling and paging over any [`UsageTransport`].
///
/// Cheap to clone (an `Arc` inside) and safe to share across tasks.
#[derive(Debug, Clone)]
pub struct UsageClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Arc<dyn UsageTransport>,
    retry: RetryPolicy,
    wait: WaitPolicy,
    rng: Mutex<fastrand::Rng>,
}

/// Builder of [`UsageClient`] over HTTP. Setters never fail; [`build`](Self::build) validates.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until build() is called"]
pub struct UsageClientBuilder {
    http: HttpTransportBuilder,
    retry: RetryPolicy,
    wait: WaitPolicy,
}

impl UsageClientBuilder {
    /// Targets a Genesys region (API and login hosts derived). Default `us_east_1`.
    pub fn region(mut self, region: Region) -> Self {
        self.http = self.http.region(region);
        self
    }

    /// Targets a custom API base URL, e.g. the mock server's `url()`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.http = self.http.base_url(url);
        self
    }

    /// The login base URL (default derived from the API URL).
    pub fn login_url(mut self, url: impl Into<String>) -> Self {
        self.http = self.http.login_url(url);
        self
    }

    /// Authenticates with OAuth client credentials.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.http = self.http.client_credentials(client_id, client_secret);
        self
    }

    /// Authenticates with a fixed bearer token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.http = self.http.token(token);
        self
    }

    /// Authenticates with a caller-supplied [`TokenProvider`].
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.http = self.http.token_provider(provider);
        self
    }

    /// Timeout of one HTTP request. Default 30 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.timeout(timeout);
        self
    }

    /// Timeout to connect. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.http = self.http.connect_timeout(timeout);
        self
    }

    /// Replaces the `User-Agent`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.http = self.http.user_agent(user_agent);
        self
    }

    /// Caps the HTTP requests in flight at once; more wait their turn.
    /// Default [`DEFAULT_MAX_CONCURRENT_REQUESTS`](crate::DEFAULT_MAX_CONCURRENT_REQUESTS)
    /// (64); `usize::MAX` for no cap. See
    /// [`HttpTransportBuilder::max_concurrent_requests`].
    pub fn max_concurrent_requests(mut self, max: usize) -> Self {
        self.http = self.http.max_concurrent_requests(max);
        self
    }

    /// Allows plain `http://` to hosts other than loopback (off by default).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.http = self.http.allow_insecure_http(allow);
        self
    }

    /// The retry policy. Default [`RetryPolicy::default`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The wait policy of `wait()` and `run_…`. Default [`WaitPolicy::default`].
    pub fn wait(mut self, wait: WaitPolicy) -> Self {
        self.wait = wait;
        self
    }

    /// Validates the options and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] naming the option at fault.
    pub fn build(self) -> Result<UsageClient> {
        self.wait.validate()?;
        let transport = self.http.build()?;
        Ok(UsageClient::from_parts(
            Arc::new(transport),
            self.retry,
            self.wait,
        ))
    }
}

impl UsageClient {
    /// A builder for a client over HTTP.
    pub fn builder() -> UsageClientBuilder {
        UsageClientBuilder::default()
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
        Self {
            inner: Arc::new(Inner {
                transport,
                retry,
                wait,
                rng: Mutex::new(fastrand::Rng::new()),
            }),
        }
    }

    /// A copy of this client with another retry policy (same transport).
    #[must_use]
    pub fn with_retry_policy(&self, retry: RetryPolicy) -> Self {
        Self::from_parts(self.inner.transport.clone(), retry, self.inner.wait.clone())
    }

    /// A copy of this client with another wait policy (same transport).
    #[must_use]
    pub fn with_wait_policy(&self, wait: WaitPolicy) -> Self {
        Self::from_parts(self.inner.transport.clone(), self.inner.retry.clone(), wait)
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

    /// Runs one operation with the retry policy and one re-authentication on 401.
    /// `deadline` (from a wait) bounds the retries further.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        operation: &'static str,
        method: Method,
        deadline: Option<Instant>,
        attempt_once: F,
    ) -> Result<ApiResponse<T>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<ApiResponse<T>>>,
    {
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            let span = tracing::debug_span!("usage_call", operation, attempt = retries + 1);
            let outcome = attempt_once().instrument(span).await;
            let error = match outcome {
                Ok(response) => {
                    tracing::debug!(
                        operation,
                        status = response.meta.status,
                        correlation_id = response.meta.correlation_id.as_deref().unwrap_or(""),
                        "usage call succeeded"
                    );
                    return Ok(response);
                }
                Err(error) => error,
            };
            tracing::debug!(operation, status = error.status(), error = %error, "usage call failed");
            if matches!(error, Error::Unauthorized { .. }) && !reauthenticated {
                reauthenticated = true;
                if self.inner.transport.refresh_auth().await? {
                    continue;
                }
                return Err(error);
            }
            if retries >= policy.max_retries || !RetryPolicy::is_retryable(method, &error) {
                return Err(error);
            }
            let delay = match error.retry_after() {
                Some(hint) if hint > policy.max_retry_after => return Err(error),
                Some(hint) => hint,
                None => {
                    let unit = self.inner.rng.lock().map(|mut r| r.f64()).unwrap_or(0.5);
                    policy.backoff(retries, unit)
                }
            };
            let wake = Instant::now() + delay;
            let over_budget = wake.duration_since(started) > policy.budget;
            let past_deadline = deadline.is_some_and(|d| wake > d);
            if over_budget || past_deadline {
                return Err(error);
            }
            // `rate_limited` lets a front end say why it waits (the CLI's spinner).
            let rate_limited = matches!(error, Error::RateLimited { .. });
            tracing::debug!(
                operation,
                delay_ms = delay.as_millis() as u64,
                rate_limited,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            retries += 1;
        }
    }
}
