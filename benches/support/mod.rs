//! Shared plumbing of the benchmarks: the mock server as a child process,
//! resident-memory readings from `/proc`, order statistics, and the one JSON
//! result file per benchmark that `bench/report.py` turns into `BENCHMARKS.md`.
//!
//! Each bench uses a subset of these helpers, hence the `dead_code` allowance;
//! they are `pub` for the bench that includes them, not for a public API.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The workspace root (benches run with the package root as working directory,
/// but say it explicitly so a bench can run from anywhere).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The release mock-server binary: `$GENESYS_USAGE_MOCK_BIN`, or
/// `target/release/genesys-usage-mock` (built by `bench/run.sh`).
pub fn mock_binary() -> PathBuf {
    std::env::var_os("GENESYS_USAGE_MOCK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/release/genesys-usage-mock"))
}

/// A mock server running as a child process; killed when dropped.
#[derive(Debug)]
pub struct MockProcess {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

impl MockProcess {
    /// Starts the binary on a free loopback port with `args` and waits (bounded
    /// by the server's own start-up) for its one `listening on` line.
    ///
    /// # Panics
    /// When the binary is missing or does not report an address: a bench has
    /// nothing to measure then, and the message says how to build it.
    pub fn spawn(args: &[&str]) -> Self {
        let mut command = Command::new(mock_binary());
        command
            .args(["--port", "0"])
            .args(args)
            .env("GENESYS_MOCK_LOG", "warn");
        let (child, url) = spawn_listening(
            command,
            "run `cargo build --release -p genesys-usage-mock` first",
        );
        Self { child, url }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server `command` whose first stdout line is
/// `listening on <url>` (the mock server and the bench's example servers all
/// say so) and returns the child with that URL.
///
/// # Panics
/// When the program cannot start or says something else first: the bench has
/// nothing to measure then; `build_hint` says how to build the program.
pub fn spawn_listening(mut command: Command, build_hint: &str) -> (Child, String) {
    let program = command.get_program().to_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}); {build_hint}",
                program.to_string_lossy()
            )
        });
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the listening line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| {
            panic!(
                "unexpected first line from {}: {line:?}",
                program.to_string_lossy()
            )
        })
        .to_owned();
    (child, url)
}

/// Whether `BENCH_QUICK` asks for a short smoke run (set, and not `0`).
/// Every bench reads it here so `BENCH_QUICK=1` means the same to all.
pub fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some_and(|v| v != "0")
}

/// Re-runs this bench binary as a child with `env` set and `args`, waits for
/// it, and returns its stdout. Benches measure a process's own memory this
/// way: each mode starts from a fresh heap.
///
/// # Panics
/// When the child cannot run or fails: the message carries its stderr.
pub fn run_self_child(env: (&str, &str), args: &[&str]) -> String {
    let exe = std::env::current_exe().expect("this bench binary");
    let output = Command::new(exe)
        .env(env.0, env.1)
        .args(args)
        .output()
        .expect("run the child");
    assert!(
        output.status.success(),
        "child {} failed: {}",
        env.1,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`), or `None` off Linux.
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Current resident memory of this process in KiB.
pub fn self_rss_kib() -> Option<u64> {
    proc_status_kib(std::process::id(), "VmRSS")
}

/// Peak resident memory of this process in KiB.
pub fn self_peak_rss_kib() -> Option<u64> {
    proc_status_kib(std::process::id(), "VmHWM")
}

/// Median of `values` (sorted in place); `NaN` when empty.
pub fn median(values: &mut [f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`-th percentile (nearest rank) of `values` (sorted in place).
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// Formats a duration for a table cell: µs below 1 ms, ms below 1 s, else s.
pub fn fmt_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.1} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// One benchmark's result, rendered by `bench/report.py` as a titled table.
#[derive(Debug, serde::Serialize)]
pub struct BenchResult {
    /// The row number (1–6); orders the sections of the report.
    pub row: u32,
    /// Section title, e.g. "Client overhead".
    pub title: String,
    /// The command that reproduces this row alone.
    pub command: String,
    /// Column headers of the table.
    pub columns: Vec<String>,
    /// Table cells, already formatted.
    pub rows: Vec<Vec<String>>,
    /// Whether every target of the row was met.
    pub met: bool,
    /// Free-text lines printed under the table (method, caveats).
    pub notes: Vec<String>,
}

impl BenchResult {
    /// Writes the result to `$BENCH_RESULTS_DIR/<name>.json`
    /// (default `target/bench-results/`) and prints it.
    pub fn write(&self, name: &str) {
        let dir = std::env::var_os("BENCH_RESULTS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target/bench-results"));
        std::fs::create_dir_all(&dir).expect("create the results directory");
        let json = serde_json::to_string_pretty(self).expect("serialise the result");
        std::fs::write(dir.join(format!("{name}.json")), &json).expect("write the result");
        println!("{json}");
    }
}
