//! Mock servers holding one organisation of a generated dataset each, and
//! the `genesys-usage sync` binary pointed at them through a config file.
//! Included with `#[path = "support/sync_cli.rs"] mod sync_cli;` after
//! `mod sync_data;`.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use genesys_usage::fake::{Dataset, FaultRule, Lifecycle};
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use tokio::process::Command;

use super::sync_data::{self, Gen};

pub const BIN: &str = env!("CARGO_BIN_EXE_genesys-usage");
/// Bounds every complete run of the binary.
pub const RUN_LIMIT: Duration = Duration::from_secs(180);

/// A directory removed at the end of the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "gu-sync-{tag}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One mock server per organisation, each serving that organisation's
/// file on a virtual clock at `now`, with `latency` on every request and
/// `faults` drawn per server.
pub struct Servers {
    pub servers: Vec<(String, MockServer)>,
    pub config: PathBuf,
}

pub async fn servers(
    dir: &Path,
    data: &[Gen],
    now: chrono::DateTime<chrono::Utc>,
    faults: &[FaultRule],
) -> Servers {
    let files = sync_data::write_files(&dir.join("data"), data);
    let mut servers = Vec::new();
    let mut toml = String::new();
    for (i, (org, file)) in files.iter().enumerate() {
        let config = mock_config(now, file);
        let server = MockServer::start(config).await.unwrap();
        for f in faults {
            let mut f = f.clone();
            if let genesys_usage::fake::FaultTrigger::Probability { seed, .. } = &mut f.trigger {
                *seed += 1000 * i as u64;
            }
            server.engine().add_fault(f);
        }
        toml.push_str(&format!(
            "[[organization]]\nname = \"{org}\"\norganization_id = \"{org}\"\nbase_url = \"{}\"\n\
             client_id_env = \"GU_TEST_ID\"\nclient_secret_env = \"GU_TEST_SECRET\"\n\
             requests_per_minute = 100000\n\n",
            server.url()
        ));
        servers.push((org.clone(), server));
    }
    let config = dir.join("orgs.toml");
    std::fs::write(&config, toml).unwrap();
    Servers { servers, config }
}

/// A mock server's config: `now` on a virtual clock, queries complete at
/// once, the dataset at `file`.
pub fn mock_config(now: chrono::DateTime<chrono::Utc>, file: &Path) -> Config {
    Config {
        clock_start: Some(now),
        virtual_clock: true,
        lifecycle: Lifecycle::immediate(),
        min_poll_interval: Duration::ZERO,
        dataset: Some(std::sync::Arc::new(Dataset::from_path(file).unwrap())),
        ..Config::default()
    }
}

/// `genesys-usage sync --config … --store … --now …` plus `extra`, with a
/// clean environment.
pub fn sync_command(
    s: &Servers,
    store: &str,
    now: chrono::DateTime<chrono::Utc>,
    extra: &[&str],
) -> Command {
    let mut command = Command::new(BIN);
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
        .env("GU_TEST_ID", DEFAULT_CLIENT_ID)
        .env("GU_TEST_SECRET", DEFAULT_CLIENT_SECRET)
        .env("HOME", std::env::temp_dir())
        .arg("sync")
        .arg("--config")
        .arg(&s.config)
        .arg("--store")
        .arg(store)
        .arg("--now")
        .arg(now.to_rfc3339())
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Runs `command` to its end, bounded.
pub async fn run(mut command: Command) -> Output {
    tokio::time::timeout(RUN_LIMIT, command.output())
        .await
        .expect("the sync finished in time")
        .expect("the sync started")
}

/// Starts `command` and SIGKILLs it after `after` (if it is still running).
pub async fn kill_after(mut command: Command, after: Duration) -> bool {
    let mut child = command.spawn().expect("the sync started");
    let killed = match tokio::time::timeout(after, child.wait()).await {
        Ok(_) => false,
        Err(_) => {
            child.start_kill().unwrap();
            true
        }
    };
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the killed sync ended")
        .unwrap();
    killed
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
