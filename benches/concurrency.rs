//! Row 3 of issue 7, concurrency: 1,000 concurrent `run_usage_query` calls
//! (submit, poll until complete, read rows) through ONE `UsageClient` with
//! client credentials, against the release mock server with zero-delay
//! lifecycles (`--lifecycle complete`) and the default `WaitPolicy`.
//!
//! Two columns: the default client (at most 64 requests in flight), and one
//! with `max_concurrent_requests(usize::MAX)` (no cap). Reports: token requests (from the server's
//! journal; must be exactly one), calls completed, wall time, p50/p99
//! latency of one call, TCP connections opened, peak open connections, and
//! the client process's peak RSS. Target (issue 17): the default column
//! opens at most 65 connections (one per permit, one for the token call).
//!
//! Connections are counted from `/proc/net/tcp`: every connection to the
//! server's (fresh, random) port, on either end, in any state, keyed by the
//! client's port. A closed loopback connection stays listed in TIME_WAIT for
//! 60 s on the end that closed first, so a read right after the burst sees
//! the closed ones too; sampling every 5 ms during the burst adds any that
//! vanished (a reset leaves no TIME_WAIT). The kernel's `ActiveOpens` counter
//! (`/proc/net/snmp`, the whole network namespace) is a cross-check: exact
//! when nothing else on the machine connects.
// A bench's job is to print its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod sdk;
mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genesys_usage::{
    ApiUsageOrganizationQuery, DEFAULT_MAX_CONCURRENT_REQUESTS, Granularity, UsageClient,
};
use support::{BenchResult, MockProcess, fmt_duration, median, percentile, proc_status_kib};

/// The row-1 query: about 100 daily rows per call with the default dataset.
const INTERVAL: &str = "2025-01-03T00:00:00Z/2025-01-20T00:00:00Z";

/// Most connections the default client may open: one per permit, plus
/// the token call's (issue 17).
const CONNECTION_TARGET: usize = DEFAULT_MAX_CONCURRENT_REQUESTS + 1;

/// Selects a child run; its value is the `max_concurrent_requests` (0 = the default).
const CHILD: &str = "CONCURRENCY_CHILD";

/// The figures of one burst, measured in a child process of its own (so its
/// peak RSS is its own) against a mock server of its own (so its port counts
/// only its connections).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Burst {
    calls: usize,
    completed: usize,
    token_requests: usize,
    submits: usize,
    polls: usize,
    wall_s: f64,
    p50_s: f64,
    p99_s: f64,
    connections: usize,
    active_opens: Option<i64>,
    peak_established: usize,
    peak_rss_kib: u64,
    rss_before_kib: u64,
    errors: Vec<String>,
}

fn main() {
    if let Ok(cap) = std::env::var(CHILD) {
        let burst = burst(cap.parse().expect("a cap"));
        println!("{}", serde_json::to_string(&burst).expect("json"));
        return;
    }
    let started = Instant::now();
    let default = run_child(0);
    let uncapped = run_child(usize::MAX);
    let calls = default.calls;
    let t = |s: f64| fmt_duration(Duration::from_secs_f64(s));
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    let both = |f: &dyn Fn(&Burst) -> String| [f(&default), f(&uncapped)];
    let row = |name: &str, values: [String; 2], target: &str, met: String| {
        let [a, b] = values;
        vec![name.to_owned(), a, b, target.to_owned(), met]
    };
    let one_token = |b: &Burst| b.token_requests == 1;
    let all_done = |b: &Burst| b.completed == b.calls;
    // Issue 17 item 5: no more connections than requests in flight.
    let connections_met =
        default.connections <= CONNECTION_TARGET && default.peak_established <= CONNECTION_TARGET;
    let result = BenchResult {
        row: 3,
        title: format!("Concurrency ({calls} concurrent run_usage_query through one client)"),
        command: "cargo bench --bench concurrency".to_owned(),
        columns: [
            "measure",
            &format!("default (≤ {DEFAULT_MAX_CONCURRENT_REQUESTS} requests in flight)"),
            "uncapped (max_concurrent_requests(usize::MAX))",
            "target",
            "met",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: vec![
            row(
                "token requests (server journal)",
                both(&|b| b.token_requests.to_string()),
                "exactly 1",
                sdk::yes_no(one_token(&default) && one_token(&uncapped)),
            ),
            row(
                "calls completed with all their rows",
                both(&|b| format!("{} / {}", b.completed, b.calls)),
                "all",
                sdk::yes_no(all_done(&default) && all_done(&uncapped)),
            ),
            row("wall time", both(&|b| t(b.wall_s)), "—", "—".into()),
            row("latency p50", both(&|b| t(b.p50_s)), "—", "—".into()),
            row("latency p99", both(&|b| t(b.p99_s)), "—", "—".into()),
            row(
                "API requests (submits + polls, journal)",
                both(&|b| format!("{} + {}", b.submits, b.polls)),
                "—",
                "—".into(),
            ),
            row(
                "TCP connections opened (/proc/net/tcp)",
                both(&|b| b.connections.to_string()),
                &format!("default: ≤ {CONNECTION_TARGET} (the cap + 1 for the token call)"),
                sdk::yes_no(connections_met),
            ),
            row(
                "TCP connections opened (ActiveOpens, namespace-wide)",
                both(&|b| b.active_opens.map_or("n/a".to_owned(), |o| o.to_string())),
                "—",
                "—".into(),
            ),
            row(
                "peak connections open at once (sampled every 5 ms)",
                both(&|b| b.peak_established.to_string()),
                &format!("default: ≤ {CONNECTION_TARGET}"),
                sdk::yes_no(default.peak_established <= CONNECTION_TARGET),
            ),
            row(
                "peak RSS of the client process",
                both(&|b| {
                    format!(
                        "{} (before: {})",
                        mib(b.peak_rss_kib),
                        mib(b.rss_before_kib)
                    )
                }),
                "—",
                "—".into(),
            ),
        ],
        met: one_token(&default)
            && one_token(&uncapped)
            && all_done(&default)
            && all_done(&uncapped)
            && connections_met,
        notes: vec![
            format!(
                "Each column: a child process (this bench binary re-run) with its own mock server \
                 (`--lifecycle complete`) spawns {calls} tokio tasks at once on a multi-threaded \
                 runtime, each `client.run_usage_query(&query)` on clones of one UsageClient \
                 (client credentials, default retry and wait policies; the second column adds \
                 `.max_concurrent_requests(usize::MAX)`, i.e. no cap, the SDK's behaviour before \
                 the cap); query: organisation, {INTERVAL}, Day, default \
                 groupBy (100-odd rows, the same for every call)."
            ),
            "Connections: distinct client ports of connections to the server's port in \
             /proc/net/tcp, sampled every 5 ms during the burst and read once right after it \
             (closed ones linger in TIME_WAIT for 60 s; reset ones are caught by the sampling); \
             ActiveOpens is the kernel's count of connect()s in the namespace over the burst \
             (it includes anything else running at the time)."
                .to_owned(),
            format!(
                "First errors, if any: {:?} / {:?}.",
                default.errors, uncapped.errors
            ),
            format!("Bench wall time {:.1} s.", started.elapsed().as_secs_f64()),
        ],
    };
    result.write("concurrency");
}

/// Runs one burst in a child process.
fn run_child(cap: usize) -> Burst {
    let text = support::run_self_child((CHILD, &cap.to_string()), &[]);
    let line = text.lines().last().expect("the child's figures");
    serde_json::from_str(line).expect("the child's json")
}

/// One burst of concurrent calls (in a child process).
fn burst(cap: usize) -> Burst {
    let calls = if support::quick() { 200 } else { 1_000 };
    let mock = MockProcess::spawn(&["--lifecycle", "complete"]);
    let port = mock
        .url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .expect("the server's port");
    let rt = sdk::runtime();
    let mut builder = UsageClient::builder()
        .base_url(&mock.url)
        .client_credentials(sdk::CLIENT_ID, sdk::CLIENT_SECRET);
    if cap > 0 {
        builder = builder.max_concurrent_requests(cap);
    }
    let client = builder.build().expect("sdk client");
    let query = ApiUsageOrganizationQuery::new(INTERVAL).with_granularity(Granularity::Day);

    let pid = std::process::id();
    let rss_before = proc_status_kib(pid, "VmRSS").unwrap_or(0);
    let opens_before = active_opens();
    let sampling = Arc::new(AtomicBool::new(true));
    let peak_established = Arc::new(AtomicUsize::new(0));
    // Every client port seen during the burst (a connection closed by a
    // reset leaves no TIME_WAIT entry behind; sampling catches it).
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let sampler = {
        let (sampling, peak) = (Arc::clone(&sampling), Arc::clone(&peak_established));
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                let entries = tcp_entries();
                peak.fetch_max(established_clients(&entries, port), Ordering::Relaxed);
                let ports = client_ports(&entries, port);
                seen.lock().expect("ports").extend(ports);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };

    let start = Instant::now();
    let outcomes = rt.block_on(async {
        let tasks: Vec<_> = (0..calls)
            .map(|_| {
                let (client, query) = (client.clone(), query.clone());
                tokio::spawn(async move {
                    let t = Instant::now();
                    let result = client.run_usage_query(&query).await;
                    (
                        t.elapsed(),
                        result.map(|r| r.results.map_or(0, |rows| rows.len())),
                    )
                })
            })
            .collect();
        let mut outcomes = Vec::with_capacity(calls);
        for task in tasks {
            outcomes.push(task.await.expect("task"));
        }
        outcomes
    });
    let wall = start.elapsed();
    let active_opens = active_opens().zip(opens_before).map(|(a, b)| a - b);
    sampling.store(false, Ordering::Relaxed);
    sampler.join().expect("sampler");
    let mut ports = seen.lock().expect("ports").clone();
    ports.extend(client_ports(&tcp_entries(), port));
    let connections = ports.len();
    let peak_rss_kib = proc_status_kib(pid, "VmHWM").unwrap_or(0);

    let mut latencies: Vec<f64> = outcomes.iter().map(|(d, _)| d.as_secs_f64()).collect();
    // Every call answers the same query: all must bring the same rows.
    let expected = outcomes
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().copied())
        .max()
        .unwrap_or(0);
    let completed = outcomes
        .iter()
        .filter(|(_, r)| matches!(r, Ok(rows) if *rows == expected && expected > 0))
        .count();
    let errors = outcomes
        .iter()
        .filter_map(|(_, r)| r.as_ref().err().map(ToString::to_string))
        .take(3)
        .collect();
    let journal = rt.block_on(journal_counts(&mock.url));
    Burst {
        calls,
        completed,
        token_requests: journal.token,
        submits: journal.submits,
        polls: journal.polls,
        wall_s: wall.as_secs_f64(),
        p50_s: median(&mut latencies),
        p99_s: percentile(&mut latencies, 99.0),
        connections,
        active_opens,
        peak_established: peak_established.load(Ordering::Relaxed),
        peak_rss_kib,
        rss_before_kib: rss_before,
        errors,
    }
}

/// What the server's journal saw.
struct Journal {
    token: usize,
    submits: usize,
    polls: usize,
}

async fn journal_counts(base_url: &str) -> Journal {
    let http = reqwest::Client::new();
    let count = |query: &'static str| {
        let http = http.clone();
        let url = format!("{base_url}/__admin/journal?{query}&limit=100000");
        async move {
            let answer: serde_json::Value = http
                .get(url)
                .send()
                .await
                .expect("journal")
                .json()
                .await
                .expect("journal json");
            answer["count"].as_u64().expect("count") as usize
        }
    };
    Journal {
        token: count("path=/oauth/token").await,
        submits: count("operation=post_usage_query").await,
        polls: count("operation=get_usage_query_execution_id_results").await,
    }
}

/// Entries of `/proc/net/tcp` as (local port, remote port, state).
fn tcp_entries() -> Vec<(u16, u16, u8)> {
    let text = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let port = |addr: &str| {
        addr.rsplit(':')
            .next()
            .and_then(|p| u16::from_str_radix(p, 16).ok())
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split_whitespace().skip(1);
            let local = port(fields.next()?)?;
            let remote = port(fields.next()?)?;
            let state = u8::from_str_radix(fields.next()?, 16).ok()?;
            Some((local, remote, state))
        })
        .collect()
}

/// Client ports of every connection to `server_port` listed, in any state.
fn client_ports(entries: &[(u16, u16, u8)], server_port: u16) -> HashSet<u16> {
    entries
        .iter()
        .filter_map(|&(local, remote, _)| {
            if remote == server_port {
                Some(local)
            } else if local == server_port && remote != 0 {
                Some(remote)
            } else {
                None
            }
        })
        .collect()
}

/// Client ends of connections to `server_port` that are established now.
/// (Distinct ports: a read of `/proc/net/tcp` while connections come and go
/// can list an entry twice.)
fn established_clients(entries: &[(u16, u16, u8)], server_port: u16) -> usize {
    const ESTABLISHED: u8 = 1;
    entries
        .iter()
        .filter(|&&(_, remote, state)| remote == server_port && state == ESTABLISHED)
        .map(|&(local, _, _)| local)
        .collect::<HashSet<u16>>()
        .len()
}

/// The kernel's `Tcp: ActiveOpens` counter.
fn active_opens() -> Option<i64> {
    let text = std::fs::read_to_string("/proc/net/snmp").ok()?;
    let mut tcp = text.lines().filter(|l| l.starts_with("Tcp:"));
    let (names, values) = (tcp.next()?, tcp.next()?);
    let at = names.split_whitespace().position(|n| n == "ActiveOpens")?;
    values.split_whitespace().nth(at)?.parse().ok()
}
