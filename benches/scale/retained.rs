//! Curve 1 and 2 of issue 17: the mock server's per-request cost and memory
//! against the number of executions it retains.
//!
//! Each size runs in a child process of its own (a fresh heap, so the
//! resident-set delta is the executions' own): an in-process `MockServer`
//! (the binary's code, started from the library) with `max_executions = n`,
//! filled with `n` finished executions through its engine directly (submit +
//! first read, the calls an HTTP submit and poll make, without the HTTP),
//! then loaded by wrk on one execution's results. CPU is this child's own
//! user + system time over the wrk run (wrk is a process of its own).

use std::time::{Duration, Instant};

use genesys_usage::ApiUsageOrganizationQuery;
use genesys_usage::fake::Lifecycle;
use genesys_usage_mock::{Config, MockServer};

use crate::support::self_rss_kib;
use crate::{sdk, wrk};

/// The figures of one size, measured in a child.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Retained {
    pub(crate) n: usize,
    /// Time to fill the server, per execution (submit + first read).
    pub(crate) fill_us: f64,
    /// Submit + first read with the store full (each evicts the oldest).
    pub(crate) evicting_us: f64,
    /// Resident-set growth over the fill, per execution.
    pub(crate) bytes_per_execution: f64,
    pub(crate) rps: f64,
    pub(crate) cpu_us: f64,
    pub(crate) errors: u64,
}

/// One day, no grouping: a one-row result, so the figures are the
/// execution's own cost rather than its rows'.
fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new("2025-01-06T00:00:00Z/2025-01-07T00:00:00Z")
}

/// Runs one size (in the child).
pub(crate) fn child(n: usize, wrk_seconds: u64, runs: usize) -> Retained {
    let rt = sdk::runtime();
    let config = Config {
        lifecycle: Lifecycle::immediate(),
        retention: Duration::from_secs(24 * 3600),
        max_executions: n,
        ..Config::default()
    };
    let server = rt.block_on(MockServer::start(config)).expect("mock server");
    let engine = server.engine();
    let query = query();
    let submit_and_read = || {
        let reply = engine.post_usage_query(&query, None).expect("submit");
        let id = reply.body.execution_id.expect("execution id");
        let read = engine
            .get_usage_query_execution_id_results(&id)
            .expect("first read");
        assert!(read.body.results.is_some_and(|rows| !rows.is_empty()));
        id
    };
    let rss_before = self_rss_kib().unwrap_or(0);
    let started = Instant::now();
    let mut last = String::new();
    for _ in 0..n {
        last = submit_and_read();
    }
    let fill = started.elapsed();
    let rss_after = self_rss_kib().unwrap_or(0);
    // The store is full now: every further submit evicts the oldest.
    let extra = n.clamp(10, 2_000);
    let started = Instant::now();
    for _ in 0..extra {
        last = submit_and_read();
    }
    let evicting = started.elapsed();

    let url = server.url();
    let http = reqwest::Client::new();
    let token = rt.block_on(sdk::fetch_token(&http, &url));
    let path = format!("/api/v2/usage/query/{last}/results");
    let load = wrk::Load {
        threads: 1,
        connections: 8,
    };
    let mut runs: Vec<wrk::WrkRun> = (0..runs)
        .map(|_| {
            let duration = Duration::from_secs(wrk_seconds);
            wrk::run(std::process::id(), &url, &path, &token, load, duration)
        })
        .collect();
    runs.sort_by(|a, b| a.server_cpu_us.total_cmp(&b.server_cpu_us));
    let median = &runs[runs.len() / 2];
    Retained {
        n,
        fill_us: fill.as_secs_f64() * 1e6 / n as f64,
        evicting_us: evicting.as_secs_f64() * 1e6 / extra as f64,
        bytes_per_execution: rss_after.saturating_sub(rss_before) as f64 * 1024.0 / n as f64,
        rps: median.rps,
        cpu_us: median.server_cpu_us,
        errors: runs.iter().map(|r| r.errors).sum(),
    }
}
