//! What the client waits for between two attempts of one call, so that the
//! spinner can say "rate limited" and until when instead of a frozen
//! "submitting". The SDK's retry loop is silent by design; it does emit a
//! `retrying` debug event (with `delay_ms` and `rate_limited`) before each
//! wait and opens a `usage_call` span for each attempt, which a tracing
//! layer here reads whatever the log filter says.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// The rate-limit wait in progress, if any; shared by the layer that sets
/// it and the spinner that shows it. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Waits {
    current: Arc<Mutex<Option<Wait>>>,
}

/// One wait for a rate limit: when the next attempt goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wait {
    until: Instant,
    until_utc: DateTime<Utc>,
}

impl Waits {
    /// The layer that keeps this up to date from the SDK's events. It sees
    /// the SDK's debug events even when logging is off (its own filter).
    pub(crate) fn layer<S>(&self) -> impl Layer<S> + use<S>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        Watch {
            waits: self.clone(),
        }
        .with_filter(Targets::new().with_target("genesys_usage", Level::DEBUG))
    }

    /// What the spinner shows while a rate limit is waited out, e.g.
    /// `rate limited: next try at 12:35:10 UTC (in 47s)`.
    pub(crate) fn status(&self) -> Option<String> {
        let wait = (*self.lock())?;
        let left = wait.until.saturating_duration_since(Instant::now());
        Some(format!(
            "rate limited: next try at {} UTC (in {}s)",
            wait.until_utc.format("%H:%M:%S"),
            left.as_secs() + u64::from(left.subsec_nanos() > 0)
        ))
    }

    /// Notes a rate-limit wait of `delay` starting now.
    pub(crate) fn start(&self, delay: Duration) {
        let until_utc = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        *self.lock() = Some(Wait {
            until: Instant::now() + delay,
            until_utc,
        });
    }

    fn clear(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Wait>> {
        // A plain Option: a panic elsewhere cannot leave it torn.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The tracing layer behind [`Waits::layer`].
struct Watch {
    waits: Waits,
}

impl<S: Subscriber> Layer<S> for Watch {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = RetryFields::default();
        event.record(&mut fields);
        if let (true, Some(delay_ms)) = (fields.rate_limited, fields.delay_ms) {
            self.waits.start(Duration::from_millis(delay_ms));
        }
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        // The next attempt has begun: the wait is over.
        if attrs.metadata().name() == "usage_call" {
            self.waits.clear();
        }
    }
}

/// The fields of the SDK's `retrying` event.
#[derive(Debug, Default)]
struct RetryFields {
    delay_ms: Option<u64>,
    rate_limited: bool,
}

impl Visit for RetryFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "delay_ms" {
            self.delay_ms = Some(value);
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "rate_limited" {
            self.rate_limited = value;
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

#[cfg(test)]
mod tests {
    use genesys_usage::fake::{
        FakeTransport, Fault, FaultRule, FaultTrigger, Operation, RetryAfterHint,
    };
    use genesys_usage::{ApiUsageOrganizationQuery, Interval, UsageClient};
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waiting_out_a_retry_after_of_60s_shows_the_rate_limit_and_when_it_ends() {
        let waits = Waits::default();
        let _guard =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(waits.layer()));
        let fake = FakeTransport::new();
        let limited = Fault::RateLimited {
            retry_after: RetryAfterHint::Seconds(60),
        };
        fake.engine().add_fault(
            FaultRule::new(limited)
                .on(Operation::PostUsageQuery)
                .when(FaultTrigger::Next(1)),
        );
        let client = UsageClient::with_transport(fake);
        let query = ApiUsageOrganizationQuery::new(Interval::last_days(7));
        let before = Utc::now();
        let submit = client.submit_usage_query(&query);
        tokio::pin!(submit);

        // 20 s into the minute the submit is still waiting, and says so.
        tokio::select! {
            done = &mut submit => panic!("the submit did not wait: {done:?}"),
            () = tokio::time::sleep(Duration::from_secs(20)) => {}
        }
        let status = waits.status().expect("a rate-limit wait is shown");
        assert!(status.starts_with("rate limited: next try at "), "{status}");
        assert!(status.ends_with(" UTC (in 40s)"), "{status}");
        let shown = &status["rate limited: next try at ".len()..][..8];
        let expected = [0, 1].map(|s| {
            (before + chrono::Duration::seconds(60 + s))
                .format("%H:%M:%S")
                .to_string()
        });
        assert!(
            expected.iter().any(|e| e == shown),
            "{status} vs {expected:?}"
        );

        // Once the retry goes out, the wait is over.
        let handle = submit.await.expect("the retried submit succeeds");
        assert!(!handle.execution_id().is_empty());
        assert_eq!(waits.status(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_backoff_that_is_not_a_rate_limit_is_not_shown_as_one() {
        let waits = Waits::default();
        let _guard =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(waits.layer()));
        tracing::debug!(target: "genesys_usage::client", delay_ms = 500u64, rate_limited = false, "retrying");
        assert_eq!(waits.status(), None);
        tracing::debug!(target: "genesys_usage::client", delay_ms = 5_000u64, rate_limited = true, "retrying");
        assert!(waits.status().is_some_and(|s| s.ends_with("(in 5s)")));
    }
}
