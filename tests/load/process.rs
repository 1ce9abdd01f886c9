//! The built `genesys-usage-mock` binary as a child process: start on a free
//! loopback port, read its `listening on` line, sample its memory, talk to its
//! admin API, and kill it on drop.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// The release binary: `$GENESYS_USAGE_MOCK_BIN`, else `target/release/genesys-usage-mock`.
pub(crate) fn binary() -> PathBuf {
    std::env::var_os("GENESYS_USAGE_MOCK_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/genesys-usage-mock"),
        PathBuf::from,
    )
}

/// A running server process.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
    pub(crate) pid: u32,
    http: reqwest::Client,
}

impl Server {
    /// Starts the binary with `args` (plus `--port 0 --log warn`) and waits
    /// (at most 30 s) for its `listening on` line.
    pub(crate) async fn start(args: &[&str]) -> Self {
        let bin = binary();
        let mut child = Command::new(&bin)
            .args(["--port", "0", "--log", "warn"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} (run bench/load.sh)", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the server announces itself within 30 s")
            .expect("stdout is readable")
            .expect("a listening line");
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let pid = child.id().expect("a running child has a pid");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an admin client builds");
        Self {
            child,
            url,
            pid,
            http,
        }
    }

    pub(crate) async fn admin_get(&self, path: &str) -> Value {
        let url = format!("{}/__admin{path}", self.url);
        let response = self
            .http
            .get(url)
            .send()
            .await
            .expect("the admin API answers");
        response.json().await.expect("admin JSON")
    }

    pub(crate) async fn admin_post(&self, path: &str, body: &Value) -> Value {
        let url = format!("{}/__admin{path}", self.url);
        let response = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .expect("the admin API answers");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.expect("admin JSON")
    }

    /// Samples `VmRSS` every 200 ms until the returned sampler is stopped.
    pub(crate) fn sample_rss(&self) -> RssSampler {
        let peak = Arc::new(AtomicU64::new(0));
        let last = Arc::new(AtomicU64::new(0));
        let (pid, p, l) = (self.pid, Arc::clone(&peak), Arc::clone(&last));
        let task = tokio::spawn(async move {
            // Bounded: one hour of samples at most.
            for _ in 0..18_000 {
                if let Some(kib) = vm_rss_kib(pid) {
                    p.fetch_max(kib, Ordering::Relaxed);
                    l.store(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        RssSampler { peak, last, task }
    }

    pub(crate) async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

/// `VmRSS` of `pid` in KiB, from `/proc/<pid>/status`.
pub(crate) fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak and latest `VmRSS` of a sampled process.
pub(crate) struct RssSampler {
    peak: Arc<AtomicU64>,
    last: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    /// Stops sampling; (peak, last) in KiB.
    pub(crate) fn stop(self) -> (u64, u64) {
        self.task.abort();
        (
            self.peak.load(Ordering::Relaxed),
            self.last.load(Ordering::Relaxed),
        )
    }
}
