//! Names of executions: [`QueryKind`] and [`ExecutionState`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of query an execution runs, one per submitting operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QueryKind {
    /// L1 organisation query, polled with L2.
    Organization,
    /// L3 simple search, polled with L4.
    SimpleSearch,
    /// L5 OAuth-client query, polled with L6.
    Client,
    /// L7 OAuth-client summary, polled with L6.
    ClientSummary,
    /// N1 organisation jobs query, polled with N2.
    OrganizationJobs,
    /// N3 OAuth-client jobs query, polled with N4.
    ClientJobs,
}

impl QueryKind {
    /// Every kind.
    pub const ALL: [QueryKind; 6] = [
        Self::Organization,
        Self::SimpleSearch,
        Self::Client,
        Self::ClientSummary,
        Self::OrganizationJobs,
        Self::ClientJobs,
    ];

    /// The camelCase name (`organization`, `simpleSearch`, `client`,
    /// `clientSummary`, `organizationJobs`, `clientJobs`).
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::SimpleSearch => "simpleSearch",
            Self::Client => "client",
            Self::ClientSummary => "clientSummary",
            Self::OrganizationJobs => "organizationJobs",
            Self::ClientJobs => "clientJobs",
        }
    }

    /// Whether this kind belongs to the jobs service (N1–N4).
    #[must_use]
    pub fn is_jobs(&self) -> bool {
        matches!(self, Self::OrganizationJobs | Self::ClientJobs)
    }
}

impl fmt::Display for QueryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a [`QueryKind`] or [`ExecutionState`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownName {
    what: &'static str,
    value: String,
}

/// Lowercase, without `_` and `-`, so `simple_search` = `simpleSearch`.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl FromStr for QueryKind {
    type Err = UnknownName;

    /// Case-insensitive; `_` and `-` are ignored (`simple_search` works).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = fold(s);
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().to_ascii_lowercase() == folded)
            .ok_or_else(|| UnknownName {
                what: "query kind",
                value: s.to_owned(),
            })
    }
}

/// The internal state of an execution (`docs/FIDELITY.md`, "Decisions": states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExecutionState {
    /// Accepted, not started.
    Pending,
    /// Working.
    Running,
    /// Results ready.
    Complete,
    /// Failed.
    Failed,
    /// Cancelled (jobs only; a legacy execution forced here ends `Failed`).
    Cancelled,
}

impl ExecutionState {
    /// Every state.
    pub const ALL: [ExecutionState; 5] = [
        Self::Pending,
        Self::Running,
        Self::Complete,
        Self::Failed,
        Self::Cancelled,
    ];

    /// The lowercase name.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the state is final.
    #[must_use]
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Complete | Self::Failed | Self::Cancelled)
    }
}

impl fmt::Display for ExecutionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExecutionState {
    type Err = UnknownName;

    /// Case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = fold(s);
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == folded)
            .ok_or_else(|| UnknownName {
                what: "execution state",
                value: s.to_owned(),
            })
    }
}
