//! The flags of `sync` and `export`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use genesys_usage::sync::Service;

use crate::parse;

/// `genesys-usage sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Where to keep the records: sqlite:PATH or postgres://user@host/db
    /// [default: sqlite: in the user's data directory; env: GENESYS_USAGE_STORE].
    #[arg(long, env = "GENESYS_USAGE_STORE", hide_env = true)]
    pub(crate) store: Option<String>,
    /// First day of a first run, or a day before the checkpoint to sync
    /// again from [default: 30 days ago].
    #[arg(long, value_parser = parse_day)]
    pub(crate) since: Option<NaiveDate>,
    /// The query service: jobs, or legacy for credentials without the jobs permission.
    #[arg(long, default_value = "jobs", value_parser = str::parse::<Service>)]
    pub(crate) service: Service,
    /// A TOML file of organisations (see the README); without it, one
    /// organisation from the connection flags and environment.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Only the organisations with these names (repeatable).
    #[arg(long = "org", value_name = "NAME")]
    pub(crate) orgs: Vec<String>,
    /// Without --config: the organisation's name and key in the store.
    #[arg(long, default_value = "default")]
    pub(crate) name: String,
    /// Print what would be fetched; fetch and write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Without --config: the request budget per minute.
    #[arg(long, default_value_t = genesys_usage::sync::DEFAULT_REQUESTS_PER_MINUTE)]
    pub(crate) requests_per_minute: u32,
    /// Organisations synced at once [default: the config's, else 4].
    #[arg(long)]
    pub(crate) concurrency: Option<usize>,
    /// How long after a UTC day ends it is fetched (the service finalising it).
    #[arg(long, default_value = "0s", value_parser = parse::duration)]
    pub(crate) settle: Duration,
    /// A lease's length on a shared PostgreSQL store; renewed every third of it.
    #[arg(long, default_value = "60s", value_parser = parse::duration)]
    pub(crate) lease_ttl: Duration,
    /// How long to wait for a store or organisation another sync holds.
    #[arg(long, default_value = "10m", value_parser = parse::duration)]
    pub(crate) lock_wait: Duration,
    /// The run's "now" (RFC 3339), e.g. a mock server's virtual clock.
    #[arg(long, hide = true, env = "GENESYS_USAGE_NOW", hide_env = true, value_parser = parse_now)]
    pub(crate) now: Option<DateTime<Utc>>,
}

/// `genesys-usage export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The store to read: sqlite:PATH or postgres://user@host/db [env: GENESYS_USAGE_STORE].
    #[arg(long, env = "GENESYS_USAGE_STORE", hide_env = true)]
    pub(crate) store: Option<String>,
    /// First day to export.
    #[arg(long, value_parser = parse_day)]
    pub(crate) since: NaiveDate,
    /// Last day to export [default: the last stored].
    #[arg(long, value_parser = parse_day)]
    pub(crate) until: Option<NaiveDate>,
    /// Only this organisation (its key in the store).
    #[arg(long = "org", value_name = "ORGANIZATION_ID")]
    pub(crate) org: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    pub(crate) output: Option<PathBuf>,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| format!("{text:?} is not a YYYY-MM-DD date: {e}"))
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{text:?} is not an RFC 3339 date-time: {e}"))
}
