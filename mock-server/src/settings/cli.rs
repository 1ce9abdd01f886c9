//! [`Args`]: the command line (every flag also read from a `GENESYS_MOCK_*`
//! variable) and the optional TOML file, folded into a [`Config`].
//!
//! Precedence: flags > environment > file > defaults. Every field here is an
//! `Option` so that "not given" can fall through to the next layer.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Parser;
use clap::builder::BoolishValueParser;
use genesys_usage::fake::{Lifecycle, Terminal};
use serde::Deserialize;

use crate::settings::cassette::CassetteArgs;
use crate::settings::command::Command;
use crate::settings::config::{Config, DEFAULT_RATE_LIMIT, parse_duration};
use crate::settings::data::DataArgs;
use crate::settings::tls::TlsArgs;

/// A configuration that cannot be used; the binary exits with
/// [`exit_code::BAD_CONFIG`](crate::exit_code::BAD_CONFIG).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The TOML file could not be read or parsed.
    #[error("config file {path}: {message}")]
    File {
        /// The file named by `--config`.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A setting has a value that cannot be used.
    #[error("setting `{setting}`: {message}")]
    Invalid {
        /// The flag / file key at fault, e.g. `lifecycle`.
        setting: &'static str,
        /// What is wrong with it.
        message: String,
    },
}

fn invalid(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        setting,
        message: message.into(),
    }
}

/// The flags of `genesys-usage-mock`. Each flag can also be given as the
/// environment variable named in its help (`GENESYS_MOCK_<FLAG>`), or as a
/// kebab-case key of the `--config` TOML file.
#[derive(Parser, Default)]
#[command(
    name = "genesys-usage-mock",
    version,
    about = "A controllable mock server of the Genesys Cloud Usage API",
    after_help = "Exit codes: 0 clean shutdown, 1 server error, 2 bad configuration, \
                  3 cannot bind, 4 cannot write the port file, 5 cannot set up https.\n\
                  Precedence: flags > GENESYS_MOCK_* environment > --config file > defaults."
)]
pub struct Args {
    /// TOML file with any of these settings (kebab-case keys, e.g. `token-ttl = "1h"`).
    #[arg(long, env = "GENESYS_MOCK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to bind: an IP address, or `localhost` (127.0.0.1) [default: 127.0.0.1].
    /// A non-loopback address is logged as a warning.
    #[arg(long, env = "GENESYS_MOCK_HOST", value_parser = parse_host)]
    pub host: Option<IpAddr>,
    /// Port to bind; 0 picks a free port [default: 0].
    #[arg(long, env = "GENESYS_MOCK_PORT")]
    pub port: Option<u16>,
    /// Write the bound port to this file (atomically) once listening.
    #[arg(long, env = "GENESYS_MOCK_PORT_FILE", value_name = "PATH")]
    pub port_file: Option<PathBuf>,
    /// Client id accepted by POST /oauth/token [default: mock-client-id].
    #[arg(long, env = "GENESYS_MOCK_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Client secret accepted by POST /oauth/token [default: mock-client-secret].
    #[arg(long, env = "GENESYS_MOCK_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Accept any client id and secret at the token endpoint.
    #[arg(long, env = "GENESYS_MOCK_ACCEPT_ANY_CREDENTIALS", num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub accept_any_credentials: Option<bool>,
    /// Lifetime of issued tokens, e.g. 3600, 90s, 1h [default: 86400s].
    #[arg(long, env = "GENESYS_MOCK_TOKEN_TTL", value_parser = parse_duration)]
    pub token_ttl: Option<Duration>,
    /// Requests per token per minute (300 when given without a value; 0 = off) [default: off].
    #[arg(long, env = "GENESYS_MOCK_RATE_LIMIT", num_args = 0..=1, default_missing_value = "300")]
    pub rate_limit: Option<u32>,
    /// Default lifecycle of new executions, e.g. "pending:1,running:1,complete", "running:2,failed", "after:5s".
    #[arg(long, env = "GENESYS_MOCK_LIFECYCLE", value_parser = parse_lifecycle)]
    pub lifecycle: Option<Lifecycle>,
    /// Shortcut: polls that see Pending before the execution runs.
    #[arg(long, env = "GENESYS_MOCK_PENDING_POLLS")]
    pub pending_polls: Option<u32>,
    /// Shortcut: polls that see Running before the execution completes.
    #[arg(long, env = "GENESYS_MOCK_RUNNING_POLLS")]
    pub running_polls: Option<u32>,
    /// Shortcut: complete this long after submit (clock time), e.g. 5s.
    #[arg(long, env = "GENESYS_MOCK_COMPLETE_AFTER", value_parser = parse_duration)]
    pub complete_after: Option<Duration>,
    /// Seed of the synthetic request log [default: 42].
    #[arg(long, env = "GENESYS_MOCK_SEED")]
    pub seed: Option<u64>,
    /// How long finished executions stay readable [default: 1h].
    #[arg(long, env = "GENESYS_MOCK_RETENTION", value_parser = parse_duration)]
    pub retention: Option<Duration>,
    /// Most executions kept in memory [default: 10000].
    #[arg(long, env = "GENESYS_MOCK_MAX_EXECUTIONS")]
    pub max_executions: Option<usize>,
    /// Density of the synthetic log (records per day) [default: the engine's].
    #[arg(long, env = "GENESYS_MOCK_RECORDS_PER_DAY")]
    pub records_per_day: Option<u32>,
    /// Start the emulation clock at this RFC 3339 instant instead of now.
    #[arg(long, env = "GENESYS_MOCK_CLOCK_START", value_parser = parse_instant)]
    pub clock_start: Option<DateTime<Utc>>,
    /// Freeze the emulation clock; it then moves only through POST /__admin/clock.
    #[arg(long, env = "GENESYS_MOCK_VIRTUAL_CLOCK", num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub virtual_clock: Option<bool>,
    /// Turn the /__admin/ API off (its paths then answer 404).
    #[arg(long, env = "GENESYS_MOCK_NO_ADMIN", num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub no_admin: Option<bool>,
    /// Require `Authorization: Bearer <TOKEN>` on admin calls.
    #[arg(
        long,
        env = "GENESYS_MOCK_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub admin_token: Option<String>,
    /// Entries kept in the request journal [default: 10000].
    #[arg(long, env = "GENESYS_MOCK_JOURNAL_SIZE")]
    pub journal_size: Option<usize>,
    /// Shortest gap between polls the compliance report accepts, e.g. 500ms; 0 = not judged [default: 1s].
    #[arg(long, env = "GENESYS_MOCK_MIN_POLL_INTERVAL", value_parser = parse_duration)]
    pub min_poll_interval: Option<Duration>,
    /// Largest request body in bytes; larger get 413 [default: 1048576].
    #[arg(long, env = "GENESYS_MOCK_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Largest total request header size in bytes; larger get 431 [default: 16384].
    #[arg(long, env = "GENESYS_MOCK_MAX_HEADER_BYTES")]
    pub max_header_bytes: Option<usize>,
    /// Log filter (tracing directive), logged to stderr [default: info].
    #[arg(long, env = "GENESYS_MOCK_LOG")]
    pub log: Option<String>,
    /// HTTPS (off by default: plain HTTP).
    #[command(flatten, next_help_heading = "HTTPS")]
    pub tls: TlsArgs,
    /// Record and replay (off by default: the engine's synthetic data).
    #[command(flatten, next_help_heading = "Record and replay")]
    pub cassette: CassetteArgs,
    /// The data served (off by default: the synthetic log).
    #[command(flatten, next_help_heading = "Data")]
    pub data: DataArgs,
    /// A subcommand instead of serving (`healthcheck`); the flags above
    /// still say where the server is.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl std::fmt::Debug for Args {
    // Hand-written so the secrets never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Args")
            .field("config", &self.config)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

fn parse_lifecycle(text: &str) -> Result<Lifecycle, String> {
    text.parse::<Lifecycle>().map_err(|e| e.to_string())
}

/// An IP address, or `localhost` (also `*.localhost`, RFC 6761) as
/// 127.0.0.1. Other names are refused rather than resolved: a name may
/// resolve to several addresses, or to none on a machine without DNS, and
/// the server binds exactly one.
fn parse_host(text: &str) -> Result<IpAddr, String> {
    let trimmed = text.trim();
    if let Ok(ip) = trimmed.parse::<IpAddr>() {
        return Ok(ip);
    }
    let name = trimmed.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return Ok(IpAddr::from([127, 0, 0, 1]));
    }
    Err(format!(
        "`{text}` is not an IP address; give the IP address to bind (e.g. 127.0.0.1, ::1 or \
         0.0.0.0) or `localhost` (other host names are not resolved: the server binds one address)"
    ))
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{text}` is not an RFC 3339 instant: {e}"))
}

/// A duration in the TOML file: `"90s"` or a number of seconds.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FileDuration {
    Seconds(u64),
    Text(String),
}

/// `rate-limit` in the TOML file: a number, or `true` for the default budget.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FileRateLimit {
    Enabled(bool),
    PerMinute(u32),
}

/// The TOML file: the same settings as the flags, kebab-case keys.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileConfig {
    host: Option<String>,
    port: Option<u16>,
    port_file: Option<PathBuf>,
    client_id: Option<String>,
    client_secret: Option<String>,
    accept_any_credentials: Option<bool>,
    token_ttl: Option<FileDuration>,
    rate_limit: Option<FileRateLimit>,
    lifecycle: Option<String>,
    pending_polls: Option<u32>,
    running_polls: Option<u32>,
    complete_after: Option<FileDuration>,
    seed: Option<u64>,
    retention: Option<FileDuration>,
    max_executions: Option<usize>,
    records_per_day: Option<u32>,
    clock_start: Option<String>,
    virtual_clock: Option<bool>,
    no_admin: Option<bool>,
    admin_token: Option<String>,
    journal_size: Option<usize>,
    min_poll_interval: Option<FileDuration>,
    max_body_bytes: Option<usize>,
    max_header_bytes: Option<usize>,
    log: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    tls_self_signed: Option<bool>,
    tls_ca_out: Option<PathBuf>,
    tls_client_ca: Option<PathBuf>,
    replay: Option<PathBuf>,
    record: Option<PathBuf>,
    upstream: Option<String>,
    upstream_login: Option<String>,
    pseudonymise: Option<bool>,
    dataset: Option<PathBuf>,
    data_lag: Option<FileDuration>,
    scenario: Option<PathBuf>,
}

fn file_duration(
    setting: &'static str,
    value: Option<FileDuration>,
) -> Result<Option<Duration>, ConfigError> {
    match value {
        None => Ok(None),
        Some(FileDuration::Seconds(s)) => Ok(Some(Duration::from_secs(s))),
        Some(FileDuration::Text(t)) => parse_duration(&t)
            .map(Some)
            .map_err(|m| invalid(setting, m)),
    }
}

impl FileConfig {
    /// The file's settings parsed into the same shape as the flags.
    fn into_args(self) -> Result<Args, ConfigError> {
        let lifecycle = (self.lifecycle.as_deref().map(parse_lifecycle).transpose())
            .map_err(|m| invalid("lifecycle", m))?;
        let clock_start = (self.clock_start.as_deref().map(parse_instant).transpose())
            .map_err(|m| invalid("clock-start", m))?;
        let host =
            (self.host.as_deref().map(parse_host).transpose()).map_err(|m| invalid("host", m))?;
        let rate_limit = self.rate_limit.map(|r| match r {
            FileRateLimit::Enabled(true) => DEFAULT_RATE_LIMIT,
            FileRateLimit::Enabled(false) => 0,
            FileRateLimit::PerMinute(n) => n,
        });
        Ok(Args {
            config: None,
            host,
            port: self.port,
            port_file: self.port_file,
            client_id: self.client_id,
            client_secret: self.client_secret,
            accept_any_credentials: self.accept_any_credentials,
            token_ttl: file_duration("token-ttl", self.token_ttl)?,
            rate_limit,
            lifecycle,
            pending_polls: self.pending_polls,
            running_polls: self.running_polls,
            complete_after: file_duration("complete-after", self.complete_after)?,
            seed: self.seed,
            retention: file_duration("retention", self.retention)?,
            max_executions: self.max_executions,
            records_per_day: self.records_per_day,
            clock_start,
            virtual_clock: self.virtual_clock,
            no_admin: self.no_admin,
            admin_token: self.admin_token,
            journal_size: self.journal_size,
            min_poll_interval: file_duration("min-poll-interval", self.min_poll_interval)?,
            max_body_bytes: self.max_body_bytes,
            max_header_bytes: self.max_header_bytes,
            log: self.log,
            tls: TlsArgs {
                tls_cert: self.tls_cert,
                tls_key: self.tls_key,
                tls_self_signed: self.tls_self_signed,
                tls_ca_out: self.tls_ca_out,
                tls_client_ca: self.tls_client_ca,
            },
            cassette: CassetteArgs {
                replay: self.replay,
                record: self.record,
                upstream: self.upstream,
                upstream_login: self.upstream_login,
                pseudonymise: self.pseudonymise,
            },
            data: DataArgs {
                dataset: self.dataset,
                data_lag: file_duration("data-lag", self.data_lag)?,
                scenario: self.scenario,
            },
            command: None,
        })
    }
}

impl Args {
    /// Reads the `--config` file (if any) and folds flags, environment, file and
    /// defaults into a [`Config`].
    ///
    /// # Errors
    /// [`ConfigError`] naming the file or setting at fault.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        self.merge(file)
    }

    fn merge(self, file: FileConfig) -> Result<Config, ConfigError> {
        let file = file.into_args()?;
        // The lifecycle is chosen per layer as a whole: a flag lifecycle
        // replaces file shortcuts instead of mixing with them.
        let lifecycle = self.lifecycle_choice()?.or(file.lifecycle_choice()?);
        let mut merged = self.or(file);
        let (replay, record) = std::mem::take(&mut merged.cassette).build()?;
        let data = std::mem::take(&mut merged.data);
        let mut config = merged.build(lifecycle);
        config.replay = replay;
        config.record = record;
        validate(&config)?;
        // Last: the other settings are checked before a large file is read.
        data.apply(&mut config)?;
        Ok(config)
    }

    /// The lifecycle this layer asks for, if any; mixing forms is an error.
    fn lifecycle_choice(&self) -> Result<Option<Lifecycle>, ConfigError> {
        let polls = self.pending_polls.is_some() || self.running_polls.is_some();
        match (&self.lifecycle, polls, self.complete_after) {
            (Some(_), true, _) | (Some(_), _, Some(_)) => Err(invalid(
                "lifecycle",
                "give either --lifecycle or the shortcuts (--pending-polls, \
                 --running-polls, --complete-after), not both",
            )),
            (None, true, Some(_)) => Err(invalid(
                "complete-after",
                "cannot be combined with --pending-polls/--running-polls",
            )),
            (Some(lifecycle), false, None) => Ok(Some(lifecycle.clone())),
            (None, true, None) => Ok(Some(Lifecycle::polls(
                self.pending_polls.unwrap_or(0),
                self.running_polls.unwrap_or(0),
                Terminal::Complete,
            ))),
            (None, false, Some(d)) => Ok(Some(Lifecycle::after(d, Terminal::Complete))),
            (None, false, None) => Ok(None),
        }
    }

    /// Each setting from `self`, else from `lower` (lifecycle settings excluded).
    fn or(self, lower: Self) -> Self {
        macro_rules! pick {
            ($($field:ident),*) => { Self { $($field: self.$field.or(lower.$field),)* ..Self::default() } };
        }
        pick!(
            config,
            host,
            port,
            port_file,
            client_id,
            client_secret,
            accept_any_credentials,
            token_ttl,
            rate_limit,
            seed,
            retention,
            max_executions,
            records_per_day,
            clock_start,
            virtual_clock,
            no_admin,
            admin_token,
            journal_size,
            min_poll_interval,
            max_body_bytes,
            max_header_bytes,
            log,
            tls,
            cassette,
            data
        )
    }

    /// The config of these settings over the defaults.
    fn build(self, lifecycle: Option<Lifecycle>) -> Config {
        let d = Config::default();
        Config {
            host: self.host.unwrap_or(d.host),
            port: self.port.unwrap_or(d.port),
            port_file: self.port_file,
            client_id: self.client_id.unwrap_or(d.client_id),
            client_secret: self.client_secret.unwrap_or(d.client_secret),
            accept_any_credentials: self.accept_any_credentials.unwrap_or(false),
            token_ttl: self.token_ttl.unwrap_or(d.token_ttl),
            rate_limit: self.rate_limit.filter(|n| *n > 0),
            lifecycle: lifecycle.unwrap_or(d.lifecycle),
            seed: self.seed.unwrap_or(d.seed),
            retention: self.retention.unwrap_or(d.retention),
            max_executions: self.max_executions.unwrap_or(d.max_executions),
            records_per_day: self.records_per_day,
            clock_start: self.clock_start,
            virtual_clock: self.virtual_clock.unwrap_or(false),
            admin: !self.no_admin.unwrap_or(false),
            admin_token: self.admin_token,
            journal_size: self.journal_size.unwrap_or(d.journal_size),
            min_poll_interval: self.min_poll_interval.unwrap_or(d.min_poll_interval),
            max_body_bytes: self.max_body_bytes.unwrap_or(d.max_body_bytes),
            max_header_bytes: self.max_header_bytes.unwrap_or(d.max_header_bytes),
            log: self.log.unwrap_or(d.log),
            tls: self.tls.build(),
            // Read by `merge`, which may fail on them.
            replay: None,
            record: None,
            dataset: None,
            data_lag: d.data_lag,
            dataset_path: None,
            credentials: Vec::new(),
        }
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.to_string().to_lowercase(),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })
}

fn validate(config: &Config) -> Result<(), ConfigError> {
    if config.client_id.is_empty() {
        return Err(invalid("client-id", "must not be empty"));
    }
    if config.token_ttl.is_zero() {
        return Err(invalid("token-ttl", "must be at least 1s"));
    }
    if config.max_executions == 0 {
        return Err(invalid("max-executions", "must be at least 1"));
    }
    if config.max_body_bytes == 0 {
        return Err(invalid("max-body-bytes", "must be at least 1"));
    }
    if config.max_header_bytes < 1024 {
        return Err(invalid("max-header-bytes", "must be at least 1024"));
    }
    if config.admin_token.as_deref() == Some("") {
        return Err(invalid("admin-token", "must not be empty"));
    }
    config.tls.validate()
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
