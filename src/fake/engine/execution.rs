//! One execution and its lifecycle state machine.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::fake::data::aggregate::{AggRow, QuerySpec};
use crate::fake::engine::state::ExecutionInfo;
use crate::fake::kinds::{ExecutionState, QueryKind};
use crate::fake::script::clock::to_chrono;
use crate::fake::script::lifecycle::{Lifecycle, Phase, Step, StepEnd, Terminal};

/// One submitted query.
#[derive(Debug)]
pub(crate) struct Execution {
    pub(crate) id: String,
    pub(crate) kind: QueryKind,
    pub(crate) client_id: Option<String>,
    pub(crate) query: Arc<QuerySpec>,
    pub(crate) rows: Option<Arc<Vec<AggRow>>>,
    /// The JSON of the last legacy results answer and the state it shows;
    /// see `encoded.rs`. The rows never change once computed, so the answer
    /// for a state never does either.
    pub(crate) kept_json: Option<(ExecutionState, Arc<[u8]>)>,
    lifecycle: Lifecycle,
    step: usize,
    step_polls: u32,
    step_started: DateTime<Utc>,
    state: ExecutionState,
    polls: u32,
    polls_after_terminal: u32,
    terminal_seen: bool,
    submitted_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

/// Legacy queries cannot be cancelled: they end `Failed` instead.
fn fit(kind: QueryKind, mut lifecycle: Lifecycle) -> Lifecycle {
    if !kind.is_jobs() && lifecycle.terminal == Terminal::Cancelled {
        lifecycle.terminal = Terminal::Failed;
    }
    lifecycle
}

fn terminal_state(t: Terminal) -> ExecutionState {
    match t {
        Terminal::Complete => ExecutionState::Complete,
        Terminal::Failed => ExecutionState::Failed,
        Terminal::Cancelled => ExecutionState::Cancelled,
    }
}

impl Execution {
    pub(crate) fn new(
        id: String,
        kind: QueryKind,
        client_id: Option<String>,
        query: QuerySpec,
        lifecycle: Lifecycle,
        now: DateTime<Utc>,
    ) -> Self {
        let mut execution = Self {
            id,
            kind,
            client_id,
            query: Arc::new(query),
            rows: None,
            kept_json: None,
            lifecycle: fit(kind, lifecycle),
            step: 0,
            step_polls: 0,
            step_started: now,
            state: ExecutionState::Pending,
            polls: 0,
            polls_after_terminal: 0,
            terminal_seen: false,
            submitted_at: now,
            finished_at: None,
        };
        execution.settle(now);
        execution
    }

    /// The state as of the last evaluation (the engine reads `finished_at`:
    /// it is set exactly when this is terminal).
    #[cfg(test)]
    pub(crate) fn state(&self) -> ExecutionState {
        self.state
    }

    pub(crate) fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.finished_at
    }

    /// One results poll at `now`: ends the steps that are over, then counts
    /// the poll against the current step. Returns the state the poll sees.
    pub(crate) fn poll(&mut self, now: DateTime<Utc>) -> ExecutionState {
        self.polls = self.polls.saturating_add(1);
        self.settle(now);
        if self.state.is_terminal() {
            if self.terminal_seen {
                self.polls_after_terminal = self.polls_after_terminal.saturating_add(1);
            }
            self.terminal_seen = true;
        } else {
            self.step_polls = self.step_polls.saturating_add(1);
        }
        self.state
    }

    /// Evaluates the transitions due at `now` without counting a poll.
    pub(crate) fn peek(&mut self, now: DateTime<Utc>) -> ExecutionState {
        self.settle(now);
        self.state
    }

    /// Ends every step that is over at `now`.
    fn settle(&mut self, now: DateTime<Utc>) {
        while let Some(step) = self.lifecycle.steps.get(self.step) {
            match step.end {
                StepEnd::Polls(n) if self.step_polls >= n => self.next_step(now),
                StepEnd::After(d) if now >= self.step_started + to_chrono(d) => {
                    let ended = self.step_started + to_chrono(d);
                    self.next_step(ended);
                }
                _ => break,
            }
        }
        self.update_state(now);
    }

    fn next_step(&mut self, at: DateTime<Utc>) {
        self.step += 1;
        self.step_polls = 0;
        self.step_started = at;
    }

    fn update_state(&mut self, now: DateTime<Utc>) {
        self.state = match self.lifecycle.steps.get(self.step) {
            Some(Step {
                phase: Phase::Pending,
                ..
            }) => ExecutionState::Pending,
            Some(Step {
                phase: Phase::Running,
                ..
            }) => ExecutionState::Running,
            None => terminal_state(self.lifecycle.terminal),
        };
        if self.state.is_terminal() {
            self.finished_at.get_or_insert(now);
        } else {
            self.finished_at = None;
            self.terminal_seen = false;
        }
    }

    /// Ends the current step now.
    pub(crate) fn advance(&mut self, now: DateTime<Utc>) {
        self.settle(now);
        if self.step < self.lifecycle.steps.len() {
            self.next_step(now);
            self.settle(now);
        }
    }

    /// Puts the execution in `state`: a non-terminal state holds until
    /// advanced (then the lifecycle's terminal state follows).
    pub(crate) fn force(&mut self, state: ExecutionState, now: DateTime<Utc>) {
        let phase = match state {
            ExecutionState::Pending => Some(Phase::Pending),
            ExecutionState::Running => Some(Phase::Running),
            _ => None,
        };
        let lifecycle = match (phase, state) {
            (Some(phase), _) => Lifecycle {
                steps: vec![Step {
                    phase,
                    end: StepEnd::Manual,
                }],
                terminal: self.lifecycle.terminal,
            },
            (None, ExecutionState::Failed) => Lifecycle::terminal(Terminal::Failed),
            (None, ExecutionState::Cancelled) => Lifecycle::terminal(Terminal::Cancelled),
            (None, _) => Lifecycle::terminal(Terminal::Complete),
        };
        self.finished_at = None;
        self.restart(lifecycle, now);
    }

    /// Replaces the lifecycle and starts it from its first step.
    pub(crate) fn restart(&mut self, lifecycle: Lifecycle, now: DateTime<Utc>) {
        self.lifecycle = fit(self.kind, lifecycle);
        self.step = 0;
        self.step_polls = 0;
        self.step_started = now;
        self.finished_at = None;
        self.terminal_seen = false;
        self.settle(now);
    }

    pub(crate) fn info(&self) -> ExecutionInfo {
        ExecutionInfo {
            id: self.id.clone(),
            kind: self.kind,
            client_id: self.client_id.clone(),
            state: self.state,
            polls: self.polls,
            polls_after_terminal: self.polls_after_terminal,
            submitted_at: self.submitted_at,
            finished_at: self.finished_at,
            lifecycle: self.lifecycle.to_string(),
            row_count: self.rows.as_ref().map(|r| r.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn exec(kind: QueryKind, lifecycle: &str) -> Execution {
        Execution::new(
            "x".into(),
            kind,
            None,
            QuerySpec::empty_for_tests(),
            lifecycle.parse().unwrap(),
            t(0),
        )
    }

    #[test]
    fn default_lifecycle_completes_on_the_third_poll() {
        let mut e = exec(QueryKind::Organization, "pending:1,running:1,complete");
        assert_eq!(e.state(), ExecutionState::Pending);
        let seen: Vec<_> = (0..4).map(|_| e.poll(t(0))).collect();
        use ExecutionState::*;
        assert_eq!(seen, [Pending, Running, Complete, Complete]);
        assert_eq!(e.info().polls_after_terminal, 1);
    }

    #[test]
    fn duration_step_ends_when_its_time_has_passed() {
        let mut e = exec(QueryKind::OrganizationJobs, "pending:1,running:5s,complete");
        assert_eq!(e.poll(t(0)), ExecutionState::Pending);
        assert_eq!(e.poll(t(1)), ExecutionState::Running);
        assert_eq!(e.poll(t(5)), ExecutionState::Running);
        assert_eq!(e.poll(t(6)), ExecutionState::Complete);
        assert_eq!(e.finished_at(), Some(t(6)));
    }

    #[test]
    fn after_step_counts_from_submit_and_finishes_at_the_poll() {
        let mut e = exec(QueryKind::ClientJobs, "after:5s,cancelled");
        assert_eq!(e.poll(t(4)), ExecutionState::Running);
        assert_eq!(e.poll(t(9)), ExecutionState::Cancelled);
    }

    #[test]
    fn legacy_cancelled_ends_failed() {
        let mut e = exec(QueryKind::SimpleSearch, "cancelled");
        assert_eq!(e.poll(t(0)), ExecutionState::Failed);
        assert_eq!(e.info().lifecycle, "failed");
    }

    #[test]
    fn manual_step_waits_for_an_advance() {
        let mut e = exec(QueryKind::Client, "running:manual,complete");
        for _ in 0..5 {
            assert_eq!(e.poll(t(100)), ExecutionState::Running);
        }
        e.advance(t(100));
        assert_eq!(e.poll(t(100)), ExecutionState::Complete);
    }

    #[test]
    fn forced_running_holds_then_advance_reaches_the_terminal() {
        let mut e = exec(QueryKind::OrganizationJobs, "running:1,failed");
        e.force(ExecutionState::Running, t(0));
        assert_eq!(e.poll(t(0)), ExecutionState::Running);
        assert_eq!(e.poll(t(0)), ExecutionState::Running);
        e.advance(t(1));
        assert_eq!(e.state(), ExecutionState::Failed);
        e.force(ExecutionState::Complete, t(2));
        assert_eq!(e.poll(t(2)), ExecutionState::Complete);
        assert_eq!(e.finished_at(), Some(t(2)));
    }

    #[test]
    fn restart_runs_the_new_lifecycle_from_step_zero() {
        let mut e = exec(QueryKind::Organization, "complete");
        e.restart(
            Lifecycle::after(Duration::from_secs(10), Terminal::Complete),
            t(20),
        );
        assert_eq!(e.poll(t(25)), ExecutionState::Running);
        assert_eq!(e.poll(t(30)), ExecutionState::Complete);
    }
}
