//! Row 4 of the benchmarks: mock-server throughput.
//!
//! `wrk` loads `GET /api/v2/usage/query/{executionId}/results` (with a bearer
//! token) on three servers that answer the same bytes:
//!
//! - the release `genesys-usage-mock` binary, with a real token from
//!   `/oauth/token` and two real executions (one held `Running`, one
//!   `Complete` with 100 rows), default settings (journal, compliance
//!   tracking, correlation ids all on);
//! - `bench_bare_axum` (the ceiling: axum returning the bytes, nothing else);
//! - `bench_wiremock` (wiremock-rs 0.6 `MockServer` as a test sets it up; a
//!   fresh one for every measurement, since it keeps every request it served).
//!
//! Each (body, connections) case runs `runs` times, the servers interleaved,
//! and reports the median requests/s and p99 latency. The mock server's
//! resident memory is read after a warm-up and after the last run.
//!
//! It builds nothing. Beforehand (`bench/run.sh` does both):
//!
//! ```text
//! apt-get install -y wrk
//! cargo build --release -p genesys-usage-mock --bin genesys-usage-mock
//! cargo build --release --example bench_bare_axum --example bench_wiremock
//! cargo bench --bench throughput            # BENCH_QUICK=1 for a smoke run
//! ```
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports its progress and figures"
)]

mod support;

#[path = "throughput/servers.rs"]
mod servers;
#[path = "throughput/wrk.rs"]
mod wrk;

use std::collections::BTreeMap;
use std::time::Duration;

use servers::{Fixture, Server, ServerKind};
use support::{BenchResult, median, proc_status_kib};
use wrk::{Load, WrkRun};

/// Targets of issue 7, row 4.
const MIN_RATIO_VS_AXUM: f64 = 0.80;
const MIN_RATIO_VS_WIREMOCK: f64 = 2.0;
const MAX_RSS_MIB: f64 = 64.0;
/// "Flat": what the mock server may grow between the warm-up and the end.
const MAX_RSS_GROWTH_MIB: f64 = 4.0;

/// How long and how often to measure.
struct Plan {
    duration: Duration,
    runs: usize,
    warmup: Duration,
    loads: [Load; 2],
}

impl Plan {
    fn from_env() -> Self {
        let quick = support::quick();
        let loads = [
            Load {
                threads: 1,
                connections: 32,
            },
            Load {
                threads: 2,
                connections: 64,
            },
        ];
        if quick {
            Self {
                duration: Duration::from_secs(2),
                runs: 1,
                warmup: Duration::from_secs(1),
                loads,
            }
        } else {
            Self {
                duration: Duration::from_secs(10),
                runs: 3,
                warmup: Duration::from_secs(2),
                loads,
            }
        }
    }
}

/// One cell of the table: a body under a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Case {
    complete: bool,
    load: Load,
}

impl Case {
    fn label(&self) -> String {
        let body = if self.complete {
            "complete, 100 rows"
        } else {
            "running"
        };
        format!(
            "{body}; {} connections (wrk -t{})",
            self.load.connections, self.load.threads
        )
    }
}

fn main() {
    let plan = Plan::from_env();
    wrk::require_wrk();
    let fixture = Fixture::prepare();
    let mock = &fixture.mock;
    let axum = Server::spawn(ServerKind::BareAxum, &fixture);

    // Warm-up: fills the journal (10 000 entries) so the first memory
    // reading is the steady state, and wakes every code path.
    let mut mock_requests: u64 = 0;
    for complete in [false, true] {
        let load = plan.loads[0];
        mock_requests += wrk::run(
            mock.pid(),
            &mock.url,
            fixture.path(complete),
            &fixture.token,
            load,
            plan.warmup,
        )
        .requests;
        wrk::run(
            axum.pid(),
            &axum.url,
            fixture.path(complete),
            &fixture.token,
            load,
            plan.warmup,
        );
    }
    let rss_before = proc_status_kib(mock.pid(), "VmRSS").unwrap_or(0);

    let mut runs: BTreeMap<(Case, ServerKind), Vec<WrkRun>> = BTreeMap::new();
    let mut wiremock_rss_kib: Vec<(u64, u64)> = Vec::new();
    for round in 0..plan.runs {
        for load in plan.loads {
            for complete in [false, true] {
                let case = Case { complete, load };
                eprintln!("round {}/{}: {}", round + 1, plan.runs, case.label());
                let path = fixture.path(complete);
                let run = wrk::run(
                    mock.pid(),
                    &mock.url,
                    path,
                    &fixture.token,
                    load,
                    plan.duration,
                );
                mock_requests += run.requests;
                runs.entry((case, ServerKind::Mock)).or_default().push(run);
                let run = wrk::run(
                    axum.pid(),
                    &axum.url,
                    path,
                    &fixture.token,
                    load,
                    plan.duration,
                );
                runs.entry((case, ServerKind::BareAxum))
                    .or_default()
                    .push(run);
                // A fresh wiremock each time: it keeps every request it served.
                let wiremock = Server::spawn(ServerKind::Wiremock, &fixture);
                let run = wrk::run(
                    wiremock.pid(),
                    &wiremock.url,
                    path,
                    &fixture.token,
                    load,
                    plan.duration,
                );
                if let Some(rss) = proc_status_kib(wiremock.pid(), "VmRSS") {
                    wiremock_rss_kib.push((run.requests, rss));
                }
                runs.entry((case, ServerKind::Wiremock))
                    .or_default()
                    .push(run);
            }
        }
    }
    let rss_after = proc_status_kib(mock.pid(), "VmRSS").unwrap_or(0);
    let rss_peak = proc_status_kib(mock.pid(), "VmHWM").unwrap_or(0);
    let errors: u64 = runs.values().flatten().map(|r| r.errors).sum();

    let mut met = errors == 0;
    let mut rows = Vec::new();
    let cases: Vec<Case> = runs.keys().map(|(case, _)| *case).collect();
    let mut seen = Vec::new();
    let mut cpu_notes = Vec::new();
    for case in cases {
        if seen.contains(&case) {
            continue;
        }
        seen.push(case);
        let summary = |kind: ServerKind| Summary::of(&runs[&(case, kind)]);
        let (m, a, w) = (
            summary(ServerKind::Mock),
            summary(ServerKind::BareAxum),
            summary(ServerKind::Wiremock),
        );
        let vs_axum = m.rps / a.rps;
        let vs_wiremock = m.rps / w.rps;
        let case_met = vs_axum >= MIN_RATIO_VS_AXUM && vs_wiremock >= MIN_RATIO_VS_WIREMOCK;
        met &= case_met;
        cpu_notes.push(format!(
            "{}: mock {:.1} µs, bare axum {:.1} µs, wiremock-rs {:.1} µs",
            case.label(),
            m.cpu_us,
            a.cpu_us,
            w.cpu_us
        ));
        rows.push(vec![
            case.label(),
            fmt_rps(m.rps),
            fmt_ms(m.p99_ms),
            fmt_rps(a.rps),
            fmt_ms(a.p99_ms),
            fmt_rps(w.rps),
            fmt_ms(w.p99_ms),
            format!("{vs_axum:.2}×"),
            format!("{vs_wiremock:.2}×"),
            format!("≥ {MIN_RATIO_VS_AXUM:.2}× axum, ≥ {MIN_RATIO_VS_WIREMOCK:.0}× wiremock"),
            yes_no(case_met),
        ]);
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let growth = mib(rss_after) - mib(rss_before);
    let rss_met =
        mib(rss_after) < MAX_RSS_MIB && mib(rss_peak) < MAX_RSS_MIB && growth <= MAX_RSS_GROWTH_MIB;
    met &= rss_met;
    let wiremock_growth = wiremock_rss_kib
        .iter()
        .map(|(requests, rss)| (*rss as f64 * 1024.0) / (*requests).max(1) as f64)
        .collect::<Vec<_>>();
    rows.push(vec![
        format!(
            "mock resident memory, after warm-up → after {:.2} M requests",
            mock_requests as f64 / 1e6
        ),
        format!("{:.1} → {:.1} MiB", mib(rss_before), mib(rss_after)),
        format!("peak {:.1} MiB", mib(rss_peak)),
        "—".into(),
        "—".into(),
        match wiremock_rss_kib.iter().max_by_key(|(r, _)| *r) {
            Some((requests, rss)) => format!(
                "{:.0} MiB after {:.2} M requests",
                mib(*rss),
                *requests as f64 / 1e6
            ),
            None => "—".into(),
        },
        "—".into(),
        "—".into(),
        "—".into(),
        format!("< {MAX_RSS_MIB:.0} MiB, flat (≤ +{MAX_RSS_GROWTH_MIB:.0} MiB)"),
        yes_no(rss_met),
    ]);

    let mut wiremock_bytes_per_request = wiremock_growth;
    let per_request = median(&mut wiremock_bytes_per_request);
    let notes = vec![
        format!(
            "wrk {} from Debian on the same 2 cores as the server; `-t1 -c32` and `-t2 -c64`, {} s per run, \
             {} run(s) per cell with the three servers interleaved; median requests/s and median of the \
             runs' p99 (wrk --latency).",
            wrk::version(),
            plan.duration.as_secs(),
            plan.runs
        ),
        format!(
            "Bodies: `{}` ({} bytes) and a 100-row `Complete` result ({} bytes) of the query \
             `{}`; every server sends the same bytes with `content-type: application/json` and an \
             `inin-correlation-id` header.",
            String::from_utf8_lossy(&fixture.running_body),
            fixture.running_body.len(),
            fixture.complete_body.len(),
            servers::QUERY
        ),
        "genesys-usage-mock: release binary, default settings but `--retention 24h` (journal of 10 000 \
         entries, poll-compliance tracking, correlation ids, fault and rate-limit checks all on); \
         every request is authenticated against a token from /oauth/token and polls the engine."
            .into(),
        "Bare axum (examples/bench_bare_axum.rs): axum 0.8 `serve` with TCP_NODELAY, one route, a \
         map lookup, the bytes; the ceiling. wiremock-rs 0.6 (examples/bench_wiremock.rs): \
         `MockServer::start()` with default settings (request recording on), a fresh server for \
         each run."
            .into(),
        format!(
            "wiremock-rs kept about {:.1} KiB of resident memory per request served (median over runs).",
            per_request / 1024.0
        ),
        format!(
            "Server CPU time (user + system) per request, median of the runs — {}.",
            cpu_notes.join("; ")
        ),
        format!("Errors (non-2xx answers or socket errors) over all runs: {errors}."),
    ];
    let result = BenchResult {
        row: 4,
        title: "Mock-server throughput".into(),
        command: "cargo build --release -p genesys-usage-mock --bin genesys-usage-mock && \
                  cargo build --release --example bench_bare_axum --example bench_wiremock && \
                  cargo bench --bench throughput"
            .into(),
        columns: [
            "case",
            "mock req/s",
            "mock p99",
            "bare axum req/s",
            "bare axum p99",
            "wiremock-rs req/s",
            "wiremock-rs p99",
            "mock ÷ axum",
            "mock ÷ wiremock",
            "target",
            "met",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        met,
        notes,
    };
    result.write("throughput");
    drop(axum);
    drop(fixture);
}

/// Medians over the runs of one server in one case.
struct Summary {
    rps: f64,
    p99_ms: f64,
    cpu_us: f64,
}

impl Summary {
    fn of(runs: &[WrkRun]) -> Self {
        let mut rps: Vec<f64> = runs.iter().map(|r| r.rps).collect();
        let mut p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
        let mut cpu: Vec<f64> = runs.iter().map(|r| r.server_cpu_us).collect();
        Self {
            rps: median(&mut rps),
            p99_ms: median(&mut p99),
            cpu_us: median(&mut cpu),
        }
    }
}

fn fmt_rps(rps: f64) -> String {
    let whole = rps.round() as u64;
    let text = whole.to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fmt_ms(ms: f64) -> String {
    format!("{ms:.2} ms")
}

fn yes_no(met: bool) -> String {
    if met { "yes" } else { "no" }.into()
}
