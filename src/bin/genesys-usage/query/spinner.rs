//! A one-line progress spinner on stderr. The caller only creates one when
//! stderr is a terminal, so piped output never sees it.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::query::waits::Waits;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK: Duration = Duration::from_millis(100);

/// What the spinner line shows.
#[derive(Debug)]
struct State {
    what: String,
    status: String,
    polls: u32,
    started: Instant,
    /// A rate-limit wait, shown instead of `status` while it lasts.
    waits: Waits,
}

/// A spinner redrawn by a background task until [`finish`](Self::finish).
#[derive(Debug)]
pub(crate) struct Spinner {
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Spinner {
    /// Starts drawing on stderr. Needs a tokio runtime.
    pub(crate) fn start(what: &str, waits: Waits) -> Self {
        let state = Arc::new(Mutex::new(State {
            what: what.to_owned(),
            status: "submitting".to_owned(),
            polls: 0,
            started: Instant::now(),
            waits,
        }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(TICK);
            for frame in FRAMES.iter().cycle() {
                ticker.tick().await;
                let line = shared
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .line(*frame);
                let mut err = std::io::stderr().lock();
                // A spinner that cannot draw is not worth failing the query for.
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            }
        });
        Self { state, task }
    }

    /// Shows a new status (and the polls made so far).
    pub(crate) fn update(&self, what: Option<&str>, status: &str, polls: u32) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(what) = what {
            what.clone_into(&mut state.what);
        }
        status.clone_into(&mut state.status);
        state.polls = polls;
    }

    /// Stops drawing and clears the line.
    pub(crate) fn finish(&self) {
        self.task.abort();
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl State {
    fn line(&self, frame: char) -> String {
        let status = self.waits.status().unwrap_or_else(|| self.status.clone());
        format!(
            "{frame} {}  {status}  {:.1}s  polls {}",
            self.what,
            self.started.elapsed().as_secs_f64(),
            self.polls
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_status_elapsed_and_polls() {
        let state = State {
            what: "organisation query 1234".into(),
            status: "Running".into(),
            polls: 2,
            started: Instant::now(),
            waits: Waits::default(),
        };
        let line = state.line('⠋');
        assert!(line.starts_with("⠋ organisation query 1234  Running  "));
        assert!(line.ends_with("s  polls 2"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_rate_limit_wait_replaces_the_status_while_it_lasts() {
        let state = State {
            what: "organisation query".into(),
            status: "submitting".into(),
            polls: 0,
            started: Instant::now(),
            waits: Waits::default(),
        };
        state.waits.start(Duration::from_secs(60));
        let line = state.line('⠋');
        assert!(
            line.starts_with("⠋ organisation query  rate limited: next try at "),
            "{line}"
        );
        assert!(line.contains(" UTC (in 60s)  "), "{line}");
        tokio::time::sleep(Duration::from_secs(61)).await;
        assert!(state.line('⠋').contains("(in 0s)"));
    }
}
