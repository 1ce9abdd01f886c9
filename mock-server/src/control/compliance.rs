//! Poll compliance: how a client polled one execution. Did it wait as long as
//! each `Retry-After` asked, and did it stop once it was told the result?
//!
//! Page fetches (requests with an `after` cursor) are not polls and are left
//! out. Memory is bounded per execution and in the number of executions.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::control::auth::lock;

/// Most executions tracked; the oldest is forgotten first.
const MAX_EXECUTIONS: usize = 10_000;
/// Most polls remembered per execution (the latest); counters stay exact.
const MAX_POLLS: usize = 1_000;

/// One poll as the server saw it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PollRecord {
    pub(crate) arrived: Instant,
    pub(crate) answered: Instant,
    pub(crate) status: u16,
    /// The wait the answer asked for (`Retry-After`), resolved to a duration.
    pub(crate) retry_after: Option<Duration>,
    /// The answer told the client a terminal state (Complete, Failed, …).
    pub(crate) terminal: bool,
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

/// The report of `GET /__admin/executions/{id}/compliance`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ComplianceReport {
    pub(crate) execution_id: String,
    /// Polls received (all of them, even beyond the remembered window).
    pub(crate) polls: u64,
    /// Milliseconds between consecutive remembered polls (arrival to arrival).
    pub(crate) gaps_ms: Vec<u64>,
    /// One item per answer that carried `Retry-After`.
    pub(crate) retry_after: Vec<RetryAfterCheck>,
    /// `true` when every `Retry-After` with a following poll was honoured.
    pub(crate) all_honoured: bool,
    /// 1-based number of the poll that first served a terminal state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) first_terminal_poll: Option<u64>,
    /// Polls that arrived after a terminal state was first served.
    pub(crate) polls_after_terminal: u64,
    /// Answers with status 429 to polls of this execution.
    #[serde(rename = "total429s")]
    pub(crate) total_429s: u64,
    /// Some early polls were forgotten (more than the per-execution bound).
    pub(crate) truncated: bool,
}

/// Whether the poll after an answer with `Retry-After` came late enough.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RetryAfterCheck {
    /// 1-based number of the poll whose answer carried `Retry-After`.
    pub(crate) poll: u64,
    pub(crate) status: u16,
    pub(crate) retry_after_ms: u64,
    /// Milliseconds from that answer to the next poll; absent if none came yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_poll_after_ms: Option<u64>,
    /// `None` until the next poll arrives.
    pub(crate) honoured: Option<bool>,
}

/// Poll records per execution.
#[derive(Debug, Default)]
pub(crate) struct ComplianceTracker {
    inner: Mutex<Tracks>,
}

#[derive(Debug, Default)]
struct Tracks {
    by_id: HashMap<String, Track>,
    order: VecDeque<String>,
}

impl ComplianceTracker {
    pub(crate) fn record(&self, execution_id: &str, poll: PollRecord) {
        let mut tracks = lock(&self.inner);
        // Known executions (every poll but the first) are found without
        // allocating a key.
        if let Some(track) = tracks.by_id.get_mut(execution_id) {
            track.add(poll);
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
    pub(crate) fn report(&self, execution_id: &str) -> Option<ComplianceReport> {
        let tracks = lock(&self.inner);
        let track = tracks.by_id.get(execution_id)?;
        Some(build_report(execution_id, track))
    }

    pub(crate) fn clear(&self) {
        let mut tracks = lock(&self.inner);
        tracks.by_id.clear();
        tracks.order.clear();
    }
}

/// The report of an execution that was never polled.
pub(crate) fn empty_report(execution_id: &str) -> ComplianceReport {
    build_report(execution_id, &Track::default())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn build_report(execution_id: &str, track: &Track) -> ComplianceReport {
    let polls: Vec<&PollRecord> = track.polls.iter().collect();
    let first_number = track.total_polls - polls.len() as u64 + 1;
    let gaps_ms = polls
        .windows(2)
        .map(|w| millis(w[1].arrived.duration_since(w[0].arrived)))
        .collect();
    let retry_after: Vec<RetryAfterCheck> = polls
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
        .collect();
    ComplianceReport {
        execution_id: execution_id.to_owned(),
        polls: track.total_polls,
        gaps_ms,
        all_honoured: retry_after.iter().all(|c| c.honoured != Some(false)),
        retry_after,
        first_terminal_poll: track.first_terminal_poll,
        polls_after_terminal: track.polls_after_terminal,
        total_429s: track.total_429s,
        truncated: first_number > 1,
    }
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
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_after_without_a_next_poll_is_undecided() {
        let tracker = ComplianceTracker::default();
        tracker.record("x", poll(Instant::now(), 429, Some(2), false));
        let report = tracker.report("x").unwrap();
        assert_eq!(report.retry_after[0].honoured, None);
        assert!(report.all_honoured);
        assert!(tracker.report("y").is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn memory_per_execution_is_bounded() {
        let tracker = ComplianceTracker::default();
        let t0 = Instant::now();
        for _ in 0..(MAX_POLLS + 5) {
            tracker.record("x", poll(t0, 200, None, false));
        }
        let report = tracker.report("x").unwrap();
        assert_eq!(report.polls, (MAX_POLLS + 5) as u64);
        assert_eq!(report.gaps_ms.len(), MAX_POLLS - 1);
        assert!(report.truncated);
    }
}
