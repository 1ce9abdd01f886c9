//! [`Scenario`]: "the organisation my tests run against", written down once
//! as a TOML file (`--scenario PATH`) and exported back by
//! `GET /__admin/scenario` as a file that loads to the same state.
//!
//! ```toml
//! dataset = "fixtures/datasets/three_orgs.csv"   # optional: else the synthetic log
//! data-lag = "6h"
//! lifecycle = "pending:1,running:2,complete"
//! retention = "1h"
//! rate-limit = 300
//! clock-start = "2025-06-20T12:00:00Z"
//! virtual-clock = true
//!
//! [[credentials]]
//! client-id = "reports"
//! client-secret = "reports-secret"
//! organization = "org-acme"
//! permissions = ["usage:organization:view"]   # omitted: all of them
//! ```
//!
//! With credentials of two or more organisations the server is
//! multi-tenant: each token sees its organisation's rows only, and the
//! executions of one are 404 to another.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use genesys_usage::fake::Operation;
use serde::{Deserialize, Serialize};

use crate::settings::cli::ConfigError;
use crate::settings::config::{Config, parse_duration};

/// The permissions a Usage endpoint may need (spec §13b, "Permissions").
pub const PERMISSIONS: [&str; 3] = [
    "oauth:client:view",
    "usage:organization:view",
    "usage:client:view",
];

/// The permissions an operation accepts, any one of them (spec §13b):
/// legacy ones `oauth:client:view` or the matching `usage:…:view`, jobs
/// ones only the matching `usage:…:view`.
pub(crate) fn needed_permissions(operation: Operation) -> Option<&'static [&'static str]> {
    const LEGACY_ORG: &[&str] = &["oauth:client:view", "usage:organization:view"];
    const LEGACY_CLIENT: &[&str] = &["oauth:client:view", "usage:client:view"];
    match operation {
        Operation::PostUsageQuery
        | Operation::GetUsageQueryExecutionIdResults
        | Operation::PostUsageSimplesearch
        | Operation::GetUsageSimplesearchExecutionIdResults => Some(LEGACY_ORG),
        Operation::PostOauthClientUsageQuery
        | Operation::GetOauthClientUsageQueryResult
        | Operation::GetOauthClientUsageSummary => Some(LEGACY_CLIENT),
        Operation::PostUsageAggregatesQueryJobs | Operation::GetUsageAggregatesQueryJob => {
            Some(&["usage:organization:view"])
        }
        Operation::PostUsageClientAggregatesQueryJobs
        | Operation::GetUsageClientAggregatesQueryJob => Some(&["usage:client:view"]),
        _ => None,
    }
}

/// One client-credentials pair the token endpoint accepts, bound to one
/// organisation with its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub struct Credential {
    /// The OAuth client id.
    pub client_id: String,
    /// Its secret (never logged; `GET /__admin/scenario` leaves it out, and
    /// a scenario loaded without it keeps the running one's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The organisation whose data its tokens see; default the data's main
    /// organisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Its permissions; `None` holds every one of [`PERMISSIONS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

impl Credential {
    /// A credential with every permission, of the main organisation.
    #[must_use]
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: Some(client_secret.into()),
            organization: None,
            permissions: None,
        }
    }

    /// Binds the credential to `organization`.
    #[must_use]
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Gives the credential exactly `permissions`.
    #[must_use]
    pub fn permissions<S: Into<String>>(
        mut self,
        permissions: impl IntoIterator<Item = S>,
    ) -> Self {
        self.permissions = Some(permissions.into_iter().map(Into::into).collect());
        self
    }

    /// Whether it holds any of `needed`.
    #[must_use]
    pub fn holds_any(&self, needed: &[&str]) -> bool {
        self.permissions
            .as_ref()
            .is_none_or(|held| held.iter().any(|p| needed.contains(&p.as_str())))
    }
}

/// A scenario file (TOML, kebab-case keys). Every key is optional; what it
/// leaves out keeps the server's other settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub struct Scenario {
    /// A dataset file (spec §13a) to serve instead of the synthetic log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<PathBuf>,
    /// The seed of the synthetic log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// How long after its end a day shows, e.g. `6h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_lag: Option<String>,
    /// The default lifecycle, in the `--lifecycle` grammar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    /// How long finished executions stay readable, e.g. `1h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Requests per token per minute (0: off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    /// Where the emulation clock starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_start: Option<DateTime<Utc>>,
    /// Whether the clock is frozen (it then moves through the admin API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_clock: Option<bool>,
    /// The credentials; the first one replaces `--client-id` and
    /// `--client-secret`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Credential>,
}

fn invalid(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        message: message.into(),
    }
}

impl Scenario {
    /// Parses a scenario file's text.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for `scenario`, with the TOML error.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| invalid("scenario", e.to_string().trim().to_owned()))
    }

    /// Reads a scenario file.
    ///
    /// # Errors
    /// As [`from_toml`](Self::from_toml), or the file cannot be read.
    pub fn from_path(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            invalid(
                "scenario",
                format!("{}: {}", path.display(), e.to_string().to_lowercase()),
            )
        })?;
        Self::from_toml(&text).map_err(|e| match e {
            ConfigError::Invalid { message, .. } => {
                invalid("scenario", format!("{}: {message}", path.display()))
            }
            other => other,
        })
    }

    /// The scenario as TOML text.
    #[must_use]
    pub fn to_toml(&self) -> String {
        // Strings, numbers, booleans, dates and tables of them always serialise.
        toml::to_string(self).unwrap_or_default()
    }

    /// Applies the scenario to `config` (what it leaves out stays).
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the key at fault.
    pub fn apply(&self, config: &mut Config) -> Result<(), ConfigError> {
        if let Some(text) = &self.data_lag {
            config.data_lag = parse_duration(text).map_err(|m| invalid("data-lag", m))?;
        }
        if let Some(text) = &self.retention {
            config.retention = parse_duration(text).map_err(|m| invalid("retention", m))?;
        }
        if let Some(text) = &self.lifecycle {
            config.lifecycle = text
                .parse()
                .map_err(|e| invalid("lifecycle", format!("{e}")))?;
        }
        if let Some(n) = self.rate_limit {
            config.rate_limit = (n > 0).then_some(n);
        }
        if let Some(seed) = self.seed {
            config.seed = seed;
        }
        if self.clock_start.is_some() {
            config.clock_start = self.clock_start;
        }
        if let Some(frozen) = self.virtual_clock {
            config.virtual_clock = frozen;
        }
        for (i, c) in self.credentials.iter().enumerate() {
            if c.client_id.is_empty() {
                return Err(invalid(
                    "credentials",
                    format!("credential {}: client-id is empty", i + 1),
                ));
            }
            if let Some(bad) = c
                .permissions
                .iter()
                .flatten()
                .find(|p| !PERMISSIONS.contains(&p.as_str()))
            {
                return Err(invalid(
                    "credentials",
                    format!(
                        "{}: unknown permission {bad:?} (known: {})",
                        c.client_id,
                        PERMISSIONS.join(", ")
                    ),
                ));
            }
        }
        let mut credentials = self.credentials.clone();
        for c in &mut credentials {
            if c.client_secret.is_none() {
                c.client_secret = config.secret_of(&c.client_id).map(str::to_owned);
            }
            if c.client_secret.as_deref().is_none_or(str::is_empty) {
                return Err(invalid(
                    "credentials",
                    format!("{}: client-secret is missing", c.client_id),
                ));
            }
        }
        if let Some(first) = credentials.first() {
            config.client_id.clone_from(&first.client_id);
            config.client_secret = first.client_secret.clone().unwrap_or_default();
        }
        if !credentials.is_empty() {
            config.credentials = credentials;
        }
        if let Some(path) = &self.dataset {
            config.dataset = Some(std::sync::Arc::new(
                genesys_usage::fake::Dataset::from_path(path)
                    .map_err(|e| invalid("dataset", e.to_string()))?,
            ));
            config.dataset_path = Some(path.clone());
        }
        Ok(())
    }

    /// The scenario `config` describes (secrets left out).
    #[must_use]
    pub fn of(config: &Config) -> Self {
        Self {
            dataset: config.dataset_path.clone(),
            seed: config.dataset.is_none().then_some(config.seed),
            data_lag: Some(format!("{}s", config.data_lag.as_secs())),
            lifecycle: Some(config.lifecycle.to_string()),
            retention: Some(format!("{}s", config.retention.as_secs())),
            rate_limit: Some(config.rate_limit.unwrap_or(0)),
            clock_start: config.clock_start,
            virtual_clock: Some(config.virtual_clock),
            credentials: config
                .all_credentials()
                .into_iter()
                .map(|c| Credential {
                    client_secret: None,
                    ..c
                })
                .collect(),
        }
    }
}
