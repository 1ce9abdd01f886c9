//! Running `wrk` (Debian's package) and reading its report.

use std::process::Command;
use std::time::Duration;

/// wrk's threads and connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Load {
    pub(crate) threads: u32,
    pub(crate) connections: u32,
}

/// What one wrk run reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WrkRun {
    pub(crate) rps: f64,
    pub(crate) p99_ms: f64,
    pub(crate) requests: u64,
    /// Socket errors plus non-2xx answers.
    pub(crate) errors: u64,
    /// The server's CPU time (user + system) per request, in microseconds.
    pub(crate) server_cpu_us: f64,
}

/// Stops with a clear message when wrk is missing: the bench cannot run.
pub(crate) fn require_wrk() {
    if let Err(error) = Command::new("wrk").arg("--version").output() {
        panic!("cannot run wrk ({error}); install it first: apt-get install -y wrk");
    }
}

/// `4.1.0` or the like, from `wrk --version`.
pub(crate) fn version() -> String {
    let output = Command::new("wrk").arg("--version").output();
    let text = output
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    text.split_whitespace()
        .nth(1)
        .map(|v| v.trim_start_matches("debian/").to_owned())
        .unwrap_or_else(|| "(unknown version)".into())
}

/// Loads `base` + `path` with `load` for `duration`; wrk's own `-d` bounds it.
/// `server` is the process id whose CPU time is charged to the requests.
pub(crate) fn run(
    server: u32,
    base: &str,
    path: &str,
    token: &str,
    load: Load,
    duration: Duration,
) -> WrkRun {
    let cpu_before = cpu_seconds(server);
    let output = Command::new("wrk")
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", duration.as_secs().max(1)))
        .args(["--latency", "--timeout", "5s", "-H"])
        .arg(format!("Authorization: Bearer {token}"))
        .arg(format!("{base}{path}"))
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cpu = cpu_seconds(server) - cpu_before;
    let mut run = parse(&text).unwrap_or_else(|| panic!("cannot read wrk's report:\n{text}"));
    run.server_cpu_us = cpu * 1e6 / run.requests.max(1) as f64;
    run
}

/// User + system CPU seconds of a process so far (`/proc/<pid>/stat`, whose
/// times are in USER_HZ, 100 per second on Linux); 0 elsewhere.
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may contain spaces) in parentheses.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Reads requests/s, the p99 latency, the request count and the errors.
fn parse(text: &str) -> Option<WrkRun> {
    let mut rps = None;
    let mut p99_ms = None;
    let mut requests = None;
    let mut errors = 0;
    for line in text.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Requests/sec:", value] => rps = value.parse().ok(),
            ["99%", value] => p99_ms = parse_latency_ms(value),
            [count, "requests", "in", ..] => requests = count.parse().ok(),
            ["Non-2xx", "or", "3xx", "responses:", count] => errors += count.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                errors += rest
                    .iter()
                    .filter_map(|f| f.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    Some(WrkRun {
        rps: rps?,
        p99_ms: p99_ms?,
        requests: requests?,
        errors,
        server_cpu_us: 0.0,
    })
}

/// `512.00us`, `1.23ms`, `2.00s`, `1.00m` → milliseconds.
fn parse_latency_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3_600e3,
        _ => return None,
    };
    Some(value * factor)
}
