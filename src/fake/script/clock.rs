//! [`Clock`]: the UTC "now" of the emulation, injectable and controllable.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

/// UTC "now" of the emulation.
///
/// By default it is anchored to the wall clock when created and then advances
/// with tokio's clock, so `tokio::time::pause()` and `tokio::time::advance()`
/// move it (tests never wait for real time). It can also be *frozen*: then it
/// moves only through [`advance`](Self::advance) and [`set`](Self::set).
///
/// Clones share the same time: advancing one advances all.
///
/// ```
/// use std::time::Duration;
/// use chrono::{TimeZone, Utc};
/// use genesys_usage::fake::Clock;
///
/// let t0 = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
/// let clock = Clock::frozen_at(t0);
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now(), t0 + chrono::Duration::seconds(90));
/// ```
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Mutex<ClockState>>,
}

#[derive(Debug)]
struct ClockState {
    /// The UTC time at `base` (or the frozen time when `base` is `None`).
    anchor: DateTime<Utc>,
    /// The tokio instant matching `anchor`; `None` when frozen.
    base: Option<Instant>,
}

impl ClockState {
    fn now(&self) -> DateTime<Utc> {
        match self.base {
            Some(base) => self.anchor + to_chrono(Instant::now().saturating_duration_since(base)),
            None => self.anchor,
        }
    }
}

/// A std duration as a chrono one (saturating far beyond any test's needs).
pub(crate) fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// Anchored to the wall clock now, then driven by tokio's clock.
    #[must_use]
    pub fn new() -> Self {
        Self::starting_at(Utc::now())
    }

    /// Anchored at `t`, then driven by tokio's clock.
    #[must_use]
    pub fn starting_at(t: DateTime<Utc>) -> Self {
        Self::with_state(ClockState {
            anchor: t,
            base: Some(Instant::now()),
        })
    }

    /// Virtual time at `t`: moves only by [`advance`](Self::advance) and [`set`](Self::set).
    #[must_use]
    pub fn frozen_at(t: DateTime<Utc>) -> Self {
        Self::with_state(ClockState {
            anchor: t,
            base: None,
        })
    }

    fn with_state(state: ClockState) -> Self {
        Self {
            inner: Arc::new(Mutex::new(state)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ClockState> {
        // A poisoned clock still holds a valid time: keep using it.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current UTC time of the emulation.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().now()
    }

    /// Moves the time forward by `d` (in every mode).
    pub fn advance(&self, d: Duration) {
        let mut state = self.lock();
        state.anchor += to_chrono(d);
    }

    /// Makes [`now`](Self::now) equal `t` (in every mode); the time then goes
    /// on moving as before (with tokio unless frozen).
    pub fn set(&self, t: DateTime<Utc>) {
        let mut state = self.lock();
        state.anchor = t;
        if state.base.is_some() {
            state.base = Some(Instant::now());
        }
    }

    /// Whether the clock is frozen (virtual).
    #[must_use]
    pub fn is_frozen(&self) -> bool {
        self.lock().base.is_none()
    }

    /// Stops the clock at the current time; afterwards only
    /// [`advance`](Self::advance) and [`set`](Self::set) move it.
    pub fn freeze(&self) {
        let mut state = self.lock();
        state.anchor = state.now();
        state.base = None;
    }

    /// Lets the clock run with tokio's clock again, from the current time.
    pub fn unfreeze(&self) {
        let mut state = self.lock();
        state.anchor = state.now();
        state.base = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn frozen_clock_moves_only_when_told() {
        let clock = Clock::frozen_at(t0());
        assert_eq!(clock.now(), t0());
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), t0() + chrono::Duration::seconds(5));
        clock.set(t0());
        assert_eq!(clock.now(), t0());
        assert!(clock.is_frozen());
    }

    #[tokio::test(start_paused = true)]
    async fn running_clock_follows_paused_tokio_time() {
        let clock = Clock::starting_at(t0());
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(clock.now(), t0() + chrono::Duration::seconds(30));
        clock.freeze();
        tokio::time::advance(Duration::from_secs(30)).await;
        assert_eq!(clock.now(), t0() + chrono::Duration::seconds(30));
        clock.unfreeze();
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(clock.now(), t0() + chrono::Duration::seconds(31));
    }

    #[test]
    fn clones_share_the_same_time() {
        let clock = Clock::frozen_at(t0());
        let other = clock.clone();
        other.advance(Duration::from_secs(60));
        assert_eq!(clock.now(), t0() + chrono::Duration::seconds(60));
    }
}
