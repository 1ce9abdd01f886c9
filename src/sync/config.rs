//! [`SyncConfig`]: the organisations one sync keeps, from a TOML file.
//!
//! ```toml
//! # Optional: the store when --store is not given.
//! store = "sqlite:/var/lib/genesys-usage/usage.db"
//! # Optional: organisations synced at once (default 4).
//! concurrency = 4
//!
//! [[organization]]
//! name = "acme"                       # how messages and --org name it
//! organization_id = "7b3c…"           # the key in the store (default: name)
//! region = "us_east_1"                # or base_url = "https://api.mypurecloud.com"
//! client_id_env = "ACME_CLIENT_ID"    # names of variables, never the secrets
//! client_secret_env = "ACME_CLIENT_SECRET"
//! requests_per_minute = 240           # optional budget (default 240)
//! service = "jobs"                    # optional: jobs (default) or legacy
//! ```

use std::path::Path;

use serde::Deserialize;

use super::budget::{BudgetTransport, DEFAULT_REQUESTS_PER_MINUTE};
use super::fetch::Service;
use super::run::Organization;
use crate::client::UsageClient;
use crate::error::{Error, Result};
use crate::region::Region;

/// The organisations one sync keeps, and where (see the module docs for the
/// file format).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SyncConfig {
    /// The store location, when the command line gives none.
    #[serde(default)]
    pub store: Option<String>,
    /// How many organisations are synced at once (default 4).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// The organisations.
    #[serde(default, rename = "organization")]
    pub organizations: Vec<OrganizationConfig>,
}

/// One organisation of a [`SyncConfig`].
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OrganizationConfig {
    /// The name messages and `--org` use.
    pub name: String,
    /// The organisation's key in the store; the name when absent.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// A Genesys region (`us_east_1`, `mypurecloud.ie`, …).
    #[serde(default)]
    pub region: Option<String>,
    /// An API base URL instead of a region (a mock server, a proxy).
    #[serde(default)]
    pub base_url: Option<String>,
    /// The login base URL, when not derived from the API's.
    #[serde(default)]
    pub login_url: Option<String>,
    /// The environment variable holding the OAuth client id.
    pub client_id_env: String,
    /// The environment variable holding the OAuth client secret.
    pub client_secret_env: String,
    /// The request budget, per minute (default 240).
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
    /// The query service; the command line's `--service` when absent.
    #[serde(default)]
    pub service: Option<String>,
    /// Plain `http://` to a host other than loopback.
    #[serde(default)]
    pub allow_insecure_http: bool,
}

// Only names of variables are held, but keep Debug short and explicit anyway.
impl std::fmt::Debug for OrganizationConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrganizationConfig")
            .field("name", &self.name)
            .field("organization_id", &self.organization_id)
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("client_id_env", &self.client_id_env)
            .field("client_secret_env", &self.client_secret_env)
            .field("requests_per_minute", &self.requests_per_minute)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl SyncConfig {
    /// Parses a config file's text.
    ///
    /// # Errors
    /// [`Error::Config`] with the TOML error (line and column), a duplicate
    /// name or organisation id, or an organisation without a name.
    pub fn from_toml(text: &str) -> Result<Self> {
        let config: Self =
            toml::from_str(text).map_err(|e| Error::config("config", e.to_string()))?;
        let mut names = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for org in &config.organizations {
            if org.name.is_empty() {
                return Err(Error::config("organization.name", "must not be empty"));
            }
            if !names.insert(org.name.as_str()) || !ids.insert(org.organization_id()) {
                return Err(Error::config(
                    "organization.name",
                    format!("{:?} is listed twice", org.name),
                ));
            }
        }
        Ok(config)
    }

    /// Reads and parses the file at `path`.
    ///
    /// # Errors
    /// [`Error::Config`] when it cannot be read, else as [`from_toml`](Self::from_toml).
    pub fn from_path(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::config("config", format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| match e {
            Error::Config { field, message } => Error::Config {
                field,
                message: format!("{}: {message}", path.display()),
            },
            other => other,
        })
    }
}

impl OrganizationConfig {
    /// The key of the organisation's records in the store.
    #[must_use]
    pub fn organization_id(&self) -> &str {
        self.organization_id.as_deref().unwrap_or(&self.name)
    }

    /// The organisation to sync, its client under its budget, credentials
    /// read through `lookup` (the process environment in the CLI).
    /// `default_service` applies when the file names none.
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing variable, an unknown region or
    /// service, or what the client builder refuses.
    pub fn organization<F>(&self, default_service: Service, lookup: F) -> Result<Organization>
    where
        F: Fn(&str) -> Option<String>,
    {
        let var = |name: &str| {
            lookup(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::config(
                    "organization",
                    format!("{}: the variable {name} is not set", self.name),
                )
            })
        };
        let id = var(&self.client_id_env)?;
        let secret = var(&self.client_secret_env)?;
        let mut builder = UsageClient::builder().client_credentials(id, secret);
        builder = match (&self.base_url, &self.region) {
            (Some(url), _) => builder.base_url(url),
            (None, Some(region)) => builder.region(region.parse::<Region>().map_err(|e| {
                Error::config("organization.region", format!("{}: {e}", self.name))
            })?),
            (None, None) => {
                return Err(Error::config(
                    "organization.region",
                    format!("{}: give a region or a base_url", self.name),
                ));
            }
        };
        if let Some(url) = &self.login_url {
            builder = builder.login_url(url);
        }
        let client = builder
            .allow_insecure_http(self.allow_insecure_http)
            .build()?;
        let per_minute = self
            .requests_per_minute
            .unwrap_or(DEFAULT_REQUESTS_PER_MINUTE);
        let budget = BudgetTransport::new(client.transport().clone(), per_minute);
        let client = UsageClient::with_transport(budget)
            .with_retry_policy(client.retry_policy().clone())
            .with_wait_policy(client.wait_policy().clone());
        let service = match &self.service {
            Some(text) => text
                .parse()
                .map_err(|e: String| Error::config("organization.service", e))?,
            None => default_service,
        };
        Ok(Organization::new(&self.name, self.organization_id(), client).service(service))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
        store = "sqlite:usage.db"
        [[organization]]
        name = "acme"
        organization_id = "org-acme"
        base_url = "http://127.0.0.1:1"
        client_id_env = "A_ID"
        client_secret_env = "A_SECRET"
        [[organization]]
        name = "globex"
        region = "eu_west_1"
        client_id_env = "G_ID"
        client_secret_env = "G_SECRET"
        service = "legacy"
    "#;

    #[test]
    fn a_config_names_each_organisation_and_its_variables() {
        let config = SyncConfig::from_toml(FILE).unwrap();
        assert_eq!(config.store.as_deref(), Some("sqlite:usage.db"));
        assert_eq!(config.organizations[0].organization_id(), "org-acme");
        assert_eq!(config.organizations[1].organization_id(), "globex");
        let env = |name: &str| (name != "G_SECRET").then(|| format!("value-of-{name}"));
        let acme = config.organizations[0]
            .organization(Service::Jobs, env)
            .unwrap();
        assert_eq!(acme.service_used(), Service::Jobs);
        let err = config.organizations[1]
            .organization(Service::Jobs, env)
            .unwrap_err();
        assert!(err.to_string().contains("G_SECRET"), "{err}");
        assert!(!err.to_string().contains("value-of"), "{err}");
    }

    #[test]
    fn typos_and_duplicates_are_refused() {
        let typo = FILE.replace("client_id_env = \"A_ID\"", "client_id_var = \"A_ID\"");
        assert!(SyncConfig::from_toml(&typo).is_err());
        let twice = FILE.replace("\"globex\"", "\"acme\"");
        assert!(SyncConfig::from_toml(&twice).is_err());
    }
}
