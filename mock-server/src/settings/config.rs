//! [`Config`]: everything the server can be told, with its defaults.
//!
//! The binary fills it from flags, `GENESYS_MOCK_*` variables and an optional
//! TOML file (see [`Args`](crate::Args)); tests build it directly.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use genesys_usage::cassette::Cassette;
use genesys_usage::fake::{DEFAULT_MIN_POLL_INTERVAL, Dataset, EngineConfig, Lifecycle};

use crate::settings::cassette::RecordConfig;
use crate::settings::scenario::Credential;
use crate::settings::tls::TlsConfig;

/// Default client id accepted by `POST /oauth/token`.
pub const DEFAULT_CLIENT_ID: &str = "mock-client-id";
/// Default client secret accepted by `POST /oauth/token`.
pub const DEFAULT_CLIENT_SECRET: &str = "mock-client-secret";
/// Default token lifetime: 24 hours, as the real service's default.
pub(crate) const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(86_400);
/// Requests per token per minute when rate limiting is switched on without a value.
pub(crate) const DEFAULT_RATE_LIMIT: u32 = 300;
/// Default number of journal entries kept.
pub(crate) const DEFAULT_JOURNAL_SIZE: usize = 10_000;
/// Default largest request body (1 MiB; `docs/FIDELITY.md`, "Bad requests").
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default largest total size of the request headers.
pub(crate) const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// The mock server's configuration. `Default` gives a loopback server on a
/// free port with the default credentials, lifecycle and limits.
///
/// ```
/// let mut config = genesys_usage_mock::Config::default();
/// config.token_ttl = std::time::Duration::from_secs(2);
/// assert_eq!(config.client_id, "mock-client-id");
/// ```
#[derive(Clone)]
pub struct Config {
    /// Address to bind. Default `127.0.0.1`; anything else is logged as a warning.
    pub host: IpAddr,
    /// Port to bind; `0` picks a free one. Default `0`.
    pub port: u16,
    /// When set, the binary writes the bound port to this file (atomically) once listening.
    pub port_file: Option<PathBuf>,
    /// Client id accepted by the token endpoint.
    pub client_id: String,
    /// Client secret accepted by the token endpoint (never logged).
    pub client_secret: String,
    /// Accept any client id and secret at the token endpoint.
    pub accept_any_credentials: bool,
    /// Lifetime of the bearer tokens issued.
    pub token_ttl: Duration,
    /// Requests allowed per token per minute; `None` turns rate limiting off.
    pub rate_limit: Option<u32>,
    /// Lifecycle of new executions unless a request header or the admin API says otherwise.
    pub lifecycle: Lifecycle,
    /// Seed of the synthetic request log.
    pub seed: u64,
    /// How long a finished execution stays readable.
    pub retention: Duration,
    /// Most executions kept in memory (the oldest finished ones are evicted first).
    pub max_executions: usize,
    /// Density of the synthetic log; `None` keeps the engine's default.
    pub records_per_day: Option<u32>,
    /// Start the emulation clock at this instant instead of now.
    pub clock_start: Option<DateTime<Utc>>,
    /// Freeze the emulation clock: it moves only through the admin API.
    pub virtual_clock: bool,
    /// Serve the `/__admin/` API. Default `true`.
    pub admin: bool,
    /// When set, admin calls need `Authorization: Bearer <token>` (never logged).
    pub admin_token: Option<String>,
    /// Entries kept in the request journal.
    pub journal_size: usize,
    /// The shortest gap between two polls of an execution that its
    /// compliance report accepts after a successful answer (zero: no such
    /// judgement). Default 1 s.
    pub min_poll_interval: Duration,
    /// Largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// Largest total size of request header names and values; larger get 431.
    pub max_header_bytes: usize,
    /// `tracing` filter directive (binary only), e.g. `info` or `genesys_usage_mock=debug`.
    pub log: String,
    /// HTTPS; plain HTTP by default.
    pub tls: TlsConfig,
    /// `--replay`: serve this cassette instead of the engine's data, with no
    /// outbound connection ever (see the README, "Record once, replay everywhere").
    pub replay: Option<Cassette>,
    /// `--record`: forward to an upstream and record (see [`RecordConfig`]).
    pub record: Option<RecordConfig>,
    /// `--dataset`: serve these records instead of the synthetic log of
    /// [`seed`](Self::seed) (spec §13a; load one with
    /// [`Dataset::from_path`]). `POST /__admin/reset` comes back to it
    /// after a `PUT /__admin/dataset`.
    pub dataset: Option<Arc<Dataset>>,
    /// How long after its end a UTC day's data shows (spec §13b, "Data
    /// lag"). Default zero.
    pub data_lag: Duration,
    /// The file `dataset` was read from, for `GET /__admin/scenario`.
    pub dataset_path: Option<PathBuf>,
    /// Every credential the token endpoint accepts, with its organisation
    /// and permissions (a scenario's `[[credentials]]`); empty: just
    /// [`client_id`](Self::client_id) / [`client_secret`](Self::client_secret)
    /// with every permission, of the data's main organisation.
    pub credentials: Vec<Credential>,
}

impl Default for Config {
    fn default() -> Self {
        let engine = EngineConfig::default();
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            port_file: None,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            accept_any_credentials: false,
            token_ttl: DEFAULT_TOKEN_TTL,
            rate_limit: None,
            lifecycle: engine.lifecycle,
            seed: engine.seed,
            retention: engine.retention,
            max_executions: engine.max_executions,
            records_per_day: None,
            clock_start: None,
            virtual_clock: false,
            admin: true,
            admin_token: None,
            journal_size: DEFAULT_JOURNAL_SIZE,
            min_poll_interval: DEFAULT_MIN_POLL_INTERVAL,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            log: "info".to_owned(),
            tls: TlsConfig::default(),
            replay: None,
            record: None,
            dataset: None,
            data_lag: Duration::ZERO,
            dataset_path: None,
            credentials: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Config {
    // Hand-written so the client secret and the admin token never reach logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("port_file", &self.port_file)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("accept_any_credentials", &self.accept_any_credentials)
            .field("token_ttl", &self.token_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("lifecycle", &self.lifecycle.to_string())
            .field("seed", &self.seed)
            .field("retention", &self.retention)
            .field("max_executions", &self.max_executions)
            .field("records_per_day", &self.records_per_day)
            .field("clock_start", &self.clock_start)
            .field("virtual_clock", &self.virtual_clock)
            .field("admin", &self.admin)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("journal_size", &self.journal_size)
            .field("min_poll_interval", &self.min_poll_interval)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_header_bytes", &self.max_header_bytes)
            .field("log", &self.log)
            .field("tls", &self.tls)
            .field("record", &self.record)
            .field(
                "replay",
                &self
                    .replay
                    .as_ref()
                    .map(|c| format!("{} exchanges", c.exchanges.len())),
            )
            .field("dataset", &self.dataset)
            .field("data_lag", &self.data_lag)
            .field(
                "credentials",
                &self
                    .credentials
                    .iter()
                    .map(|c| c.client_id.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Config {
    /// The engine configuration these settings describe.
    #[must_use]
    pub fn engine_config(&self) -> EngineConfig {
        let mut engine = EngineConfig {
            seed: self.seed,
            lifecycle: self.lifecycle.clone(),
            retention: self.retention,
            max_executions: self.max_executions,
            // Spec §13b: the credential's own client has rows.
            own_client_id: Some(self.client_id.clone()),
            data_lag: self.data_lag,
            ..EngineConfig::default()
        };
        if let Some(records) = self.records_per_day {
            engine.records_per_day = records;
        }
        engine
    }

    /// Every accepted credential: [`credentials`](Self::credentials), or
    /// the one of `client_id` / `client_secret`.
    #[must_use]
    pub fn all_credentials(&self) -> Vec<Credential> {
        if self.credentials.is_empty() {
            vec![Credential::new(&self.client_id, &self.client_secret)]
        } else {
            self.credentials.clone()
        }
    }

    /// The secret configured for `client_id`, if any.
    #[must_use]
    pub fn secret_of(&self, client_id: &str) -> Option<&str> {
        if let Some(c) = self.credentials.iter().find(|c| c.client_id == client_id) {
            return c.client_secret.as_deref();
        }
        (client_id == self.client_id).then_some(self.client_secret.as_str())
    }

    /// Whether the bind address is a loopback address.
    #[must_use]
    pub fn is_loopback(&self) -> bool {
        self.host.is_loopback()
    }
}

/// Parses a duration: `500ms`, `5s`, `2m`, `1h`, `1d`, or a bare number of seconds.
///
/// # Errors
/// A lowercase message naming what is wrong.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 500ms, 5s, 2m or 1h"))?;
    let scale = match unit.trim() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        other => return Err(format!("unknown duration unit `{other}` in `{text}`")),
    };
    Duration::try_from_secs_f64(value * scale).map_err(|_| format!("`{text}` is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_and_without_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn bad_durations_say_what_is_wrong() {
        assert!(parse_duration("soon").unwrap_err().contains("soon"));
        assert!(parse_duration("5y").unwrap_err().contains("unit"));
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn debug_hides_the_secrets() {
        let config = Config {
            admin_token: Some("admin-secret".into()),
            ..Config::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains(DEFAULT_CLIENT_SECRET), "{debug}");
        assert!(!debug.contains("admin-secret"), "{debug}");
    }
}
