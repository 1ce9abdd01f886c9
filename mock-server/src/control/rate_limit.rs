//! Per-token request budget: a fixed one-minute window, as the
//! `inin-ratelimit-*` headers of the real service describe (count, allowed,
//! seconds until reset).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use crate::control::auth::lock;

const WINDOW: Duration = Duration::from_secs(60);
/// Most token windows kept; beyond that the expired ones are swept.
const MAX_WINDOWS: usize = 100_000;

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateDecision {
    /// Requests counted in the current window, this one included.
    pub(crate) count: u64,
    /// Requests allowed per window.
    pub(crate) allowed: u64,
    /// Whole seconds until the window resets (at least 1).
    pub(crate) reset_secs: u64,
}

impl RateDecision {
    pub(crate) fn exceeded(&self) -> bool {
        self.count > self.allowed
    }

    /// Adds `inin-ratelimit-count`, `-allowed` and `-reset`.
    pub(crate) fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert("inin-ratelimit-count", HeaderValue::from(self.count));
        headers.insert("inin-ratelimit-allowed", HeaderValue::from(self.allowed));
        headers.insert("inin-ratelimit-reset", HeaderValue::from(self.reset_secs));
    }
}

/// Windows per token.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    allowed: u64,
    windows: Mutex<HashMap<String, (Instant, u64)>>,
}

impl RateLimiter {
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            allowed: u64::from(per_minute),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `token` and says whether it is within budget.
    pub(crate) fn check(&self, token: &str) -> RateDecision {
        let now = Instant::now();
        let mut windows = lock(&self.windows);
        if windows.len() >= MAX_WINDOWS && !windows.contains_key(token) {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(token.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        let left = WINDOW.saturating_sub(now.duration_since(entry.0));
        RateDecision {
            count: entry.1,
            allowed: self.allowed,
            reset_secs: left.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    pub(crate) fn reset(&self) {
        lock(&self.windows).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_budget_is_per_token_and_resets_after_a_minute() {
        let limiter = RateLimiter::new(2);
        assert!(!limiter.check("a").exceeded());
        assert!(!limiter.check("a").exceeded());
        let third = limiter.check("a");
        assert!(third.exceeded());
        assert_eq!((third.count, third.allowed, third.reset_secs), (3, 2, 60));
        assert!(!limiter.check("b").exceeded());
        tokio::time::advance(Duration::from_secs(45)).await;
        assert_eq!(limiter.check("a").reset_secs, 15);
        tokio::time::advance(Duration::from_secs(15)).await;
        assert_eq!(limiter.check("a").count, 1);
    }
}
