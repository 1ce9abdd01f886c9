//! [`Lifecycle`]: the scripted course of one execution, and its text grammar.
//!
//! ```text
//! lifecycle := step ("," step)* "," terminal | terminal | "after:" duration ["," terminal]
//! step      := ("pending"|"running") ":" (N | duration | "manual")
//! terminal  := "complete" | "failed" | "cancelled"
//! duration  := N ("ms"|"s"|"m"|"h")
//! ```
//! e.g. `running:3,complete`, `running:2,failed`, `pending:1,running:5s,complete`,
//! `after:5s`, `complete`. Keywords are case-insensitive.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A non-terminal phase of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Accepted, not started (legacy wire `Running`, jobs wire `Queued`).
    Pending,
    /// Working (`Running` on both wires).
    Running,
}

/// When a [`Step`] ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepEnd {
    /// After this many polls have observed the step.
    Polls(u32),
    /// When this much clock time has passed since the step began.
    After(Duration),
    /// Only when forced or advanced through the [`Engine`](crate::fake::Engine).
    Manual,
}

/// One non-terminal step of a [`Lifecycle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Step {
    /// The phase shown while the step lasts.
    pub phase: Phase,
    /// When the step ends.
    pub end: StepEnd,
}

/// How an execution ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Terminal {
    /// Results are ready (jobs wire `Succeeded`).
    Complete,
    /// The query failed.
    Failed,
    /// The job was cancelled (legacy queries end `Failed` instead).
    Cancelled,
}

/// The scripted course of one execution: steps, then a terminal state.
///
/// A step of `N` polls is observed by exactly `N` polls; a duration step ends
/// when that much clock time has passed since it began (a step begins when the
/// previous one ends, the first at submit). Transitions are evaluated when the
/// execution is polled; there are no timers.
///
/// ```
/// use genesys_usage::fake::{Lifecycle, Terminal};
/// let lc: Lifecycle = "pending:1,running:5s,complete".parse().unwrap();
/// assert_eq!(lc.to_string(), "pending:1,running:5s,complete");
/// assert_eq!(Lifecycle::polls(0, 3, Terminal::Failed).to_string(), "running:3,failed");
/// assert!("running:3".parse::<Lifecycle>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lifecycle {
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The state reached after the last step.
    pub terminal: Terminal,
}

impl Lifecycle {
    /// Terminal on the first poll (no steps).
    #[must_use]
    pub fn immediate() -> Self {
        Self::terminal(Terminal::Complete)
    }

    /// No steps: `terminal` from the first poll on.
    #[must_use]
    pub fn terminal(terminal: Terminal) -> Self {
        Self {
            steps: Vec::new(),
            terminal,
        }
    }

    /// `pending` polls in [`Phase::Pending`], then `running` polls in
    /// [`Phase::Running`], then `terminal`; a count of 0 leaves the step out.
    #[must_use]
    pub fn polls(pending: u32, running: u32, terminal: Terminal) -> Self {
        let steps = [(Phase::Pending, pending), (Phase::Running, running)]
            .into_iter()
            .filter(|&(_, n)| n > 0)
            .map(|(phase, n)| Step {
                phase,
                end: StepEnd::Polls(n),
            })
            .collect();
        Self { steps, terminal }
    }

    /// [`Phase::Running`] for `d` of clock time, then `terminal`.
    #[must_use]
    pub fn after(d: Duration, terminal: Terminal) -> Self {
        Self {
            steps: vec![Step {
                phase: Phase::Running,
                end: StepEnd::After(d),
            }],
            terminal,
        }
    }

    /// Running until advanced or forced by hand, then `terminal`.
    #[must_use]
    pub fn manual(terminal: Terminal) -> Self {
        Self {
            steps: vec![Step {
                phase: Phase::Running,
                end: StepEnd::Manual,
            }],
            terminal,
        }
    }
}

impl Default for Lifecycle {
    /// `pending:1,running:1,complete`: polls 1 and 2 see work in progress,
    /// poll 3 sees `Complete`.
    fn default() -> Self {
        Self::polls(1, 1, Terminal::Complete)
    }
}

/// Why a text is not a [`Lifecycle`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid lifecycle {input:?}: {reason}")]
pub struct LifecycleParseError {
    input: String,
    reason: String,
}

impl LifecycleParseError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        Self {
            input: input.to_owned(),
            reason: reason.into(),
        }
    }

    /// What is wrong, without the input.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl FromStr for Lifecycle {
    type Err = LifecycleParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| LifecycleParseError::new(input, reason);
        let text = input.trim().to_ascii_lowercase();
        if text.is_empty() {
            return Err(err("it is empty".into()));
        }
        if let Some(rest) = text.strip_prefix("after:") {
            return parse_after(rest).map_err(err);
        }
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let (last, steps) = parts.split_last().unwrap_or((&"", &[]));
        let terminal = parse_last(last, &text).map_err(err)?;
        let steps = steps
            .iter()
            .map(|s| parse_step(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        Ok(Self { steps, terminal })
    }
}

/// `after:` duration [`,` terminal].
fn parse_after(rest: &str) -> Result<Lifecycle, String> {
    let mut parts = rest.split(',').map(str::trim);
    let d = parse_duration(parts.next().unwrap_or(""))?;
    let terminal = match parts.next() {
        Some(t) => parse_terminal(t)?,
        None => Terminal::Complete,
    };
    if parts.next().is_some() {
        return Err("`after:` takes a duration and at most one terminal state".into());
    }
    Ok(Lifecycle::after(d, terminal))
}

/// The last item: a terminal state. A step there (`running:3`, or a bad
/// one such as `running:x`) is explained as a step, not as a bad state.
fn parse_last(last: &str, whole: &str) -> Result<Terminal, String> {
    let looks_like_step = last
        .split_once(':')
        .is_some_and(|(phase, _)| matches!(phase.trim(), "pending" | "running"));
    if !looks_like_step {
        return parse_terminal(last);
    }
    parse_step(last)?;
    Err(format!(
        "it must end with a terminal state (complete, failed or cancelled) after its steps, \
         e.g. `{whole},complete`"
    ))
}

fn parse_terminal(text: &str) -> Result<Terminal, String> {
    match text {
        "complete" => Ok(Terminal::Complete),
        "failed" => Ok(Terminal::Failed),
        "cancelled" => Ok(Terminal::Cancelled),
        "" => Err("it must end with a terminal state (complete, failed or cancelled)".into()),
        other => Err(format!(
            "{other:?} is not a terminal state (complete, failed or cancelled); \
             the last item must be one"
        )),
    }
}

fn parse_step(text: &str) -> Result<Step, String> {
    let (phase, end) = text
        .split_once(':')
        .ok_or_else(|| format!("step {text:?} must be `pending:…` or `running:…`"))?;
    let phase = match phase.trim() {
        "pending" => Phase::Pending,
        "running" => Phase::Running,
        other => return Err(format!("{other:?} is not a phase (pending or running)")),
    };
    let end = end.trim();
    let end = if end == "manual" {
        StepEnd::Manual
    } else if !end.is_empty() && end.bytes().all(|b| b.is_ascii_digit()) {
        StepEnd::Polls(
            end.parse()
                .map_err(|_| format!("poll count {end:?} is too large"))?,
        )
    } else {
        StepEnd::After(parse_duration(end)?)
    };
    Ok(Step { phase, end })
}

/// `500ms`, `5s`, `2m`, `1h`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let bad =
        || format!("{text:?} is not a poll count, `manual` or a duration like 500ms, 5s, 2m, 1h");
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let millis = match unit {
        "ms" => Some(n),
        "s" => n.checked_mul(1_000),
        "m" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => return Err(bad()),
    };
    millis.map(Duration::from_millis).ok_or_else(bad)
}

/// The largest whole unit; sub-millisecond parts round up to a millisecond.
pub(crate) fn format_duration(d: Duration) -> String {
    let mut ms = d.as_millis();
    if d.subsec_nanos() % 1_000_000 != 0 {
        ms += 1;
    }
    match ms {
        0 => "0ms".to_owned(),
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pending => "pending",
            Self::Running => "running",
        })
    }
}

impl fmt::Display for Terminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        })
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            StepEnd::Polls(n) => write!(f, "{}:{n}", self.phase),
            StepEnd::After(d) => write!(f, "{}:{}", self.phase, format_duration(d)),
            StepEnd::Manual => write!(f, "{}:manual", self.phase),
        }
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            write!(f, "{step},")?;
        }
        write!(f, "{}", self.terminal)
    }
}

impl serde::Serialize for Lifecycle {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Lifecycle {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_one_pending_and_one_running_poll() {
        assert_eq!(
            Lifecycle::default().to_string(),
            "pending:1,running:1,complete"
        );
    }

    #[test]
    fn after_form_parses_with_and_without_terminal() {
        let lc: Lifecycle = "after:5s".parse().unwrap();
        assert_eq!(
            lc,
            Lifecycle::after(Duration::from_secs(5), Terminal::Complete)
        );
        let lc: Lifecycle = "AFTER:2m, failed".parse().unwrap();
        assert_eq!(
            lc,
            Lifecycle::after(Duration::from_secs(120), Terminal::Failed)
        );
    }

    #[test]
    fn durations_render_in_the_largest_whole_unit() {
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(format_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(format_duration(Duration::from_nanos(1)), "1ms");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for (text, needle) in [
            ("", "empty"),
            ("running:3", "terminal"),
            ("waiting:3,complete", "phase"),
            ("running:5x,complete", "duration"),
            ("after:5s,complete,failed", "at most one"),
            ("running:x", "\"x\" is not a poll count"),
            ("pending:1,running:2", "e.g. `pending:1,running:2,complete`"),
        ] {
            let err = text.parse::<Lifecycle>().unwrap_err();
            assert!(err.to_string().contains(needle), "{text}: {err}");
            assert!(
                !err.to_string().contains("not a terminal state"),
                "{text}: {err}"
            );
        }
    }
}
