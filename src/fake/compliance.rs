//! Poll compliance: how a client polled one execution. Did it wait as long as
//! each `Retry-After` asked, did it keep at least the minimum interval
//! between polls, and did it stop once it was told the result?
//!
//! The adapters record every poll they answer ([`ComplianceTracker::record`]):
//! `FakeTransport` (see [`FakeTransport::compliance`]) and the mock server
//! (`GET /__admin/executions/{id}/compliance`, `MockServer::compliance`), so
//! both judge polling by the same rules. Page fetches (requests with an
//! `after` cursor) are not polls and are left out. Memory is bounded per
//! execution and in the number of executions.
//!
//! [`FakeTransport::compliance`]: crate::fake::FakeTransport::compliance

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// The minimum interval between polls unless configured otherwise: 1 s, the
/// SDK's first back-off step (`WaitPolicy`'s default second delay).
pub const DEFAULT_MIN_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Most executions tracked; the oldest is forgotten first.
const MAX_EXECUTIONS: usize = 10_000;
/// Most polls remembered per execution (the latest); counters stay exact.
const MAX_POLLS: usize = 1_000;

/// One poll as the adapter saw it (times on tokio's clock, so paused test
/// time is measured as the client experienced it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollRecord {
    /// When the request arrived.
    pub arrived: Instant,
    /// When its answer was ready.
    pub answered: Instant,
    /// The HTTP status of the answer (0 when there was none, e.g. a reset).
    pub status: u16,
    /// The wait the answer asked for (`Retry-After`), resolved to a duration.
    pub retry_after: Option<Duration>,
    /// The answer told the client a terminal state (Complete, Failed, …).
    pub terminal: bool,
}

#[derive(Debug, Default)]
struct Track {
    polls: VecDeque<PollRecord>,
    total_polls: u64,
    first_terminal_poll: Option<u64>,
    polls_after_terminal: u64,
    total_429s: u64,
}

impl Track {
    fn add(&mut self, poll: PollRecord) {
        self.total_polls += 1;
        if self.first_terminal_poll.is_some() {
            self.polls_after_terminal += 1;
        } else if poll.terminal {
            self.first_terminal_poll = Some(self.total_polls);
        }
        if poll.status == 429 {
            self.total_429s += 1;
        }
        if self.polls.len() >= MAX_POLLS {
            self.polls.pop_front();
        }
        self.polls.push_back(poll);
    }
}

/// How one execution was polled, judged by three rules: each `Retry-After`
/// waited out, at least `minIntervalMs` between polls, no poll after the
/// terminal state was served. JSON (camelCase) as the mock server's
/// `GET /__admin/executions/{id}/compliance` answers it; it deserialises
/// back, so a test can read the server's report into this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComplianceReport {
    /// The execution (or job) id.
    pub execution_id: String,
    /// Polls received (all of them, even beyond the remembered window).
    pub polls: u64,
    /// Milliseconds between consecutive remembered polls (arrival to arrival).
    pub gaps_ms: Vec<u64>,
    /// The minimum interval the polls were judged by (0: not judged).
    pub min_interval_ms: u64,
    /// Polls that came sooner than the minimum interval after a successful
    /// answer without `Retry-After`. A poll after an error answer is a retry,
    /// judged by that answer's `Retry-After` (if any), not by the interval.
    pub too_fast: Vec<FastPoll>,
    /// One item per answer that carried `Retry-After`.
    pub retry_after: Vec<RetryAfterCheck>,
    /// `true` when every `Retry-After` with a following poll was honoured
    /// (only this rule; see [`compliant`](Self::compliant) for all three).
    pub all_honoured: bool,
    /// 1-based number of the poll that first served a terminal state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_terminal_poll: Option<u64>,
    /// Polls that arrived after a terminal state was first served.
    pub polls_after_terminal: u64,
    /// Answers with status 429 to polls of this execution.
    #[serde(rename = "total429s")]
    pub total_429s: u64,
    /// Rules broken, counted per rule: `Retry-After`s not honoured, polls
    /// too fast, polls after the terminal state.
    pub violations: u64,
    /// No rule broken: `violations == 0`.
    pub compliant: bool,
    /// Some early polls were forgotten (more than the per-execution bound);
    /// the counters stay exact, the gaps and checks cover the latest polls.
    pub truncated: bool,
}

/// A poll that came sooner than the minimum interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FastPoll {
    /// 1-based number of the poll that came too soon.
    pub poll: u64,
    /// Milliseconds since the poll before it arrived.
    pub gap_ms: u64,
}

/// Whether the poll after an answer with `Retry-After` came late enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RetryAfterCheck {
    /// 1-based number of the poll whose answer carried `Retry-After`.
    pub poll: u64,
    /// The status of that answer (429, 503, …).
    pub status: u16,
    /// The wait asked for.
    pub retry_after_ms: u64,
    /// Milliseconds from that answer to the next poll; absent if none came yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_poll_after_ms: Option<u64>,
    /// `None` until the next poll arrives.
    pub honoured: Option<bool>,
}

/// The poll records of many executions, for [`ComplianceReport`]s. Shared by
/// `FakeTransport` and the mock server; each records the polls it answers.
#[derive(Debug)]
pub struct ComplianceTracker {
    min_interval: Duration,
    inner: Mutex<Tracks>,
}

#[derive(Debug, Default)]
struct Tracks {
    by_id: HashMap<String, Track>,
    order: VecDeque<String>,
}

impl Default for ComplianceTracker {
    /// Judged by [`DEFAULT_MIN_POLL_INTERVAL`].
    fn default() -> Self {
        Self::new(DEFAULT_MIN_POLL_INTERVAL)
    }
}

impl ComplianceTracker {
    /// A tracker whose reports judge polls by `min_interval` (zero: no
    /// minimum-interval judgement).
    #[must_use]
    pub fn new(min_interval: Duration) -> Self {
        Self {
            min_interval,
            inner: Mutex::new(Tracks::default()),
        }
    }

    /// The minimum interval reports are judged by.
    #[must_use]
    pub fn min_interval(&self) -> Duration {
        self.min_interval
    }

    fn lock(&self) -> MutexGuard<'_, Tracks> {
        // Records stay consistent between statements: a poisoned lock is usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one poll of `execution_id`. A 404 for an id never polled
    /// before is left out: there is no execution to report on (a 404 after
    /// earlier polls, once retention ran out, still counts).
    pub fn record(&self, execution_id: &str, poll: PollRecord) {
        let mut tracks = self.lock();
        // Known executions (every poll but the first) are found without
        // allocating a key.
        if let Some(track) = tracks.by_id.get_mut(execution_id) {
            track.add(poll);
            return;
        }
        if poll.status == 404 {
            return;
        }
        if tracks.order.len() >= MAX_EXECUTIONS {
            if let Some(oldest) = tracks.order.pop_front() {
                tracks.by_id.remove(&oldest);
            }
        }
        tracks.order.push_back(execution_id.to_owned());
        let mut track = Track::default();
        track.add(poll);
        tracks.by_id.insert(execution_id.to_owned(), track);
    }

    /// The report of one execution, `None` if it was never polled.
    #[must_use]
    pub fn report(&self, execution_id: &str) -> Option<ComplianceReport> {
        self.report_with(execution_id, self.min_interval)
    }

    /// The report of one execution judged by another minimum interval.
    #[must_use]
    pub fn report_with(
        &self,
        execution_id: &str,
        min_interval: Duration,
    ) -> Option<ComplianceReport> {
        let tracks = self.lock();
        let track = tracks.by_id.get(execution_id)?;
        Some(build_report(execution_id, track, min_interval))
    }

    /// Forgets every poll.
    pub fn clear(&self) {
        let mut tracks = self.lock();
        tracks.by_id.clear();
        tracks.order.clear();
    }
}

impl ComplianceReport {
    /// The report of an execution that was never polled (compliant).
    #[must_use]
    pub fn unpolled(execution_id: &str, min_interval: Duration) -> Self {
        build_report(execution_id, &Track::default(), min_interval)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn build_report(execution_id: &str, track: &Track, min_interval: Duration) -> ComplianceReport {
    let polls: Vec<&PollRecord> = track.polls.iter().collect();
    let first_number = track.total_polls - polls.len() as u64 + 1;
    let gaps_ms = polls
        .windows(2)
        .map(|w| millis(w[1].arrived.duration_since(w[0].arrived)))
        .collect();
    let retry_after = retry_after_checks(&polls, first_number);
    let too_fast = too_fast(&polls, first_number, min_interval);
    let not_honoured = retry_after
        .iter()
        .filter(|c| c.honoured == Some(false))
        .count() as u64;
    let violations = not_honoured + too_fast.len() as u64 + track.polls_after_terminal;
    ComplianceReport {
        execution_id: execution_id.to_owned(),
        polls: track.total_polls,
        gaps_ms,
        min_interval_ms: millis(min_interval),
        too_fast,
        all_honoured: not_honoured == 0,
        retry_after,
        first_terminal_poll: track.first_terminal_poll,
        polls_after_terminal: track.polls_after_terminal,
        total_429s: track.total_429s,
        violations,
        compliant: violations == 0,
        truncated: first_number > 1,
    }
}

fn retry_after_checks(polls: &[&PollRecord], first_number: u64) -> Vec<RetryAfterCheck> {
    polls
        .iter()
        .enumerate()
        .filter_map(|(i, poll)| {
            let wanted = poll.retry_after?;
            let waited = polls
                .get(i + 1)
                .map(|next| next.arrived.saturating_duration_since(poll.answered));
            Some(RetryAfterCheck {
                poll: first_number + i as u64,
                status: poll.status,
                retry_after_ms: millis(wanted),
                next_poll_after_ms: waited.map(millis),
                honoured: waited.map(|w| w >= wanted),
            })
        })
        .collect()
}

/// Polls sooner than `min_interval` after a successful, non-terminal answer
/// without `Retry-After` (other answers are judged by the other rules).
fn too_fast(polls: &[&PollRecord], first_number: u64, min_interval: Duration) -> Vec<FastPoll> {
    if min_interval.is_zero() {
        return Vec::new();
    }
    polls
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| {
            let (before, poll) = (w[0], w[1]);
            let judged = (200..300).contains(&before.status)
                && before.retry_after.is_none()
                && !before.terminal;
            let gap = poll.arrived.saturating_duration_since(before.arrived);
            (judged && gap < min_interval).then(|| FastPoll {
                poll: first_number + i as u64 + 1,
                gap_ms: millis(gap),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(at: Instant, status: u16, retry_after: Option<u64>, terminal: bool) -> PollRecord {
        PollRecord {
            arrived: at,
            answered: at,
            status,
            retry_after: retry_after.map(Duration::from_secs),
            terminal,
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_that_waits_the_retry_after_is_honoured() {
        let tracker = ComplianceTracker::default();
        let t0 = Instant::now();
        tracker.record("x", poll(t0, 429, Some(2), false));
        tracker.record("x", poll(t0 + Duration::from_secs(2), 429, Some(3), false));
        tracker.record("x", poll(t0 + Duration::from_secs(4), 200, None, true));
        tracker.record("x", poll(t0 + Duration::from_secs(5), 200, None, true));
        let report = tracker.report("x").unwrap();
        assert_eq!(report.polls, 4);
        assert_eq!(report.gaps_ms, [2000, 2000, 1000]);
        assert_eq!(report.retry_after[0].honoured, Some(true));
        assert_eq!(report.retry_after[1].honoured, Some(false));
        assert!(!report.all_honoured);
        assert_eq!(report.first_terminal_poll, Some(3));
        assert_eq!(report.polls_after_terminal, 1);
        assert_eq!(report.total_429s, 2);
        assert_eq!(
            report.violations, 2,
            "one Retry-After, one poll after terminal"
        );
        assert!(!report.compliant);
    }

    #[tokio::test(start_paused = true)]
    async fn polls_faster_than_the_minimum_interval_are_violations_without_any_retry_after() {
        // The case of the issue: polls 19, 25 and 19 ms apart, then one more
        // after the terminal state, and never a Retry-After.
        let tracker = ComplianceTracker::default();
        let t0 = Instant::now();
        tracker.record("x", poll(t0, 200, None, false));
        tracker.record("x", poll(t0 + ms(19), 200, None, false));
        tracker.record("x", poll(t0 + ms(44), 200, None, true));
        tracker.record("x", poll(t0 + ms(63), 200, None, true));
        let report = tracker.report("x").unwrap();
        assert!(report.all_honoured, "no Retry-After was sent");
        assert_eq!(report.min_interval_ms, 1000);
        let fast: Vec<(u64, u64)> = report.too_fast.iter().map(|f| (f.poll, f.gap_ms)).collect();
        assert_eq!(
            fast,
            [(2, 19), (3, 25)],
            "the poll after terminal counts once"
        );
        assert_eq!(report.polls_after_terminal, 1);
        assert_eq!(report.violations, 3);
        assert!(!report.compliant);
    }

    #[tokio::test(start_paused = true)]
    async fn the_minimum_interval_is_configurable_and_retries_after_errors_are_not_judged_by_it() {
        let tracker = ComplianceTracker::new(ms(100));
        let t0 = Instant::now();
        tracker.record("x", poll(t0, 200, None, false));
        tracker.record("x", poll(t0 + ms(150), 500, None, false));
        tracker.record("x", poll(t0 + ms(160), 200, None, false));
        tracker.record("x", poll(t0 + ms(300), 200, None, true));
        let report = tracker.report("x").unwrap();
        assert!(report.too_fast.is_empty(), "{report:?}");
        assert!(report.compliant);
        let strict = tracker.report_with("x", Duration::from_secs(1)).unwrap();
        assert_eq!(strict.too_fast.len(), 2, "{strict:?}");
        let lenient = tracker.report_with("x", Duration::ZERO).unwrap();
        assert!(lenient.compliant);
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_after_without_a_next_poll_is_undecided() {
        let tracker = ComplianceTracker::default();
        tracker.record("x", poll(Instant::now(), 429, Some(2), false));
        let report = tracker.report("x").unwrap();
        assert_eq!(report.retry_after[0].honoured, None);
        assert!(report.all_honoured);
        assert!(report.compliant);
        assert!(tracker.report("y").is_none());
        tracker.record("unknown", poll(Instant::now(), 404, None, false));
        assert!(
            tracker.report("unknown").is_none(),
            "a 404 alone is no execution"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn memory_per_execution_is_bounded() {
        let tracker = ComplianceTracker::new(Duration::ZERO);
        let t0 = Instant::now();
        for _ in 0..(MAX_POLLS + 5) {
            tracker.record("x", poll(t0, 200, None, false));
        }
        let report = tracker.report("x").unwrap();
        assert_eq!(report.polls, (MAX_POLLS + 5) as u64);
        assert_eq!(report.gaps_ms.len(), MAX_POLLS - 1);
        assert!(report.truncated);
    }

    #[test]
    fn the_report_round_trips_through_its_json() {
        let report = ComplianceReport::unpolled("x", DEFAULT_MIN_POLL_INTERVAL);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["minIntervalMs"], 1000);
        assert_eq!(json["compliant"], true);
        assert_eq!(
            serde_json::from_value::<ComplianceReport>(json).unwrap(),
            report
        );
    }
}
