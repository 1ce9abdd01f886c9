//! Polling: [`WaitPolicy`], query handles, progress, resume.

use std::time::Duration;

use crate::error::{Error, Result};

/// How `wait()` and `run_…` poll an execution until it is complete.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitPolicy {
    /// Delay before the first poll.
    pub initial_delay: Duration,
    /// Growth of the delay after each poll.
    pub multiplier: f64,
    /// Ceiling of one delay.
    pub max_delay: Duration,
    /// Overall deadline of a wait.
    pub deadline: Duration,
    /// Optional cap on the number of polls.
    pub max_polls: Option<u32>,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(1),
            multiplier: 2.0,
            max_delay: Duration::from_secs(15),
            deadline: Duration::from_secs(600),
            max_polls: None,
        }
    }
}

impl WaitPolicy {
    pub(crate) fn validate(&self) -> Result<()> {
        if !(self.multiplier.is_finite() && self.multiplier >= 1.0) {
            return Err(Error::config(
                "wait.multiplier",
                "must be a finite number >= 1",
            ));
        }
        Ok(())
    }
}
