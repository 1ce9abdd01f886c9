//! [`Command`]: the subcommands of `genesys-usage-mock`. Without one the
//! binary serves; `healthcheck` asks a running server whether it is up.

use std::time::Duration;

use clap::{Args as ClapArgs, Subcommand};
use url::Url;

use crate::settings::config::parse_duration;

/// A subcommand of `genesys-usage-mock` (none: serve).
#[derive(Debug, Clone, Subcommand)]
#[non_exhaustive]
pub enum Command {
    /// Ask a running mock server for `GET /__admin/health` and exit 0 when it
    /// answers `{"status":"ok"}` in time, 1 otherwise (the exit codes of a
    /// container HEALTHCHECK). The server is found from the same settings it
    /// was started with (`GENESYS_MOCK_PORT`, `GENESYS_MOCK_HOST`, where
    /// 0.0.0.0 means 127.0.0.1, `GENESYS_MOCK_PORT_FILE`,
    /// `GENESYS_MOCK_ADMIN_TOKEN`, `--config`), or from `--url`.
    Healthcheck(HealthcheckArgs),
    /// Turn the complete daily results of a cassette (from `--record` or
    /// the SDK's `RecordingTransport`) into a dataset file (CSV or JSON
    /// Lines by OUT's extension, spec §13a) that `--dataset OUT` serves for
    /// any query. Prints what was written and what was left out (results
    /// that are not daily, rows without client, template or method).
    CassetteToDataset(CassetteToDatasetArgs),
}

/// The arguments of `genesys-usage-mock cassette-to-dataset`.
#[derive(Debug, Clone, ClapArgs)]
pub struct CassetteToDatasetArgs {
    /// The cassette to read.
    pub cassette: std::path::PathBuf,
    /// The dataset file to write: `.csv`, `.jsonl` or `.ndjson`.
    pub out: std::path::PathBuf,
    /// The organisation of rows that do not name theirs (a recording does
    /// not say whose it is).
    #[arg(long, default_value = "recorded-organization")]
    pub organization_id: String,
}

/// The flags of `genesys-usage-mock healthcheck`.
#[derive(Debug, Clone, ClapArgs)]
pub struct HealthcheckArgs {
    /// Base URL of the server to check, e.g. http://127.0.0.1:8080 (default:
    /// from the server settings).
    #[arg(long, env = "GENESYS_MOCK_HEALTHCHECK_URL")]
    pub url: Option<Url>,
    /// Give up after this long (connect and answer together), e.g. 500ms, 3s.
    #[arg(long, env = "GENESYS_MOCK_HEALTHCHECK_TIMEOUT", default_value = "3s",
          value_parser = parse_duration)]
    pub timeout: Duration,
}
