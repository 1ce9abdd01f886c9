//! Load with nothing lost (ignored; run by `bench/load.sh`): many concurrent
//! clients run queries against the release `genesys-usage-mock` binary while
//! about 5 % of all answers are faulted at random (seeded rules across every
//! operation). Checked: every query ends in a result or a typed error; no
//! execution is lost or duplicated; every 5xx the server sent was injected;
//! with a short `--retention` the executions held (and `VmRSS`) stay bounded.
//!
//! `LOAD_CLIENTS` (default 200) and `LOAD_QUERIES` (default 50 per client)
//! size the run.
#![cfg(feature = "fake")]
#![allow(clippy::print_stdout, reason = "the load report is this test's output")]

#[path = "load/process.rs"]
mod process;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genesys_usage::{
    ApiUsageOrganizationQuery, Error, Interval, OrganizationPublicApiUsageQueryRequest,
    RetryPolicy, UsageClient, WaitPolicy,
};
use process::Server;
use serde_json::{Value, json};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// About 5 % of answers, split over five faults, each rule seeded.
fn fault_rules() -> Vec<Value> {
    let faults = [
        json!({"kind": "rateLimited", "retryAfter": {"seconds": 1}}),
        json!({"kind": "serverError", "status": 503}),
        json!({"kind": "serverError", "status": 500}),
        json!({"kind": "serverError", "status": 502}),
        json!({"kind": "connectionReset"}),
    ];
    faults
        .into_iter()
        .zip(1_u64..)
        .map(|(fault, seed)| json!({"fault": fault, "trigger": {"probability": {"p": 0.0103, "seed": seed}}}))
        .collect()
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    results: u64,
    errors: BTreeMap<String, u64>,
    /// Execution ids returned by successful submits.
    submitted: Vec<String>,
    /// Submits that failed after the server may have processed them.
    maybe_processed: u64,
    /// Queries that did not end within their bound.
    lost: u64,
}

fn kind(error: &Error) -> String {
    match error {
        Error::Api { status, .. } => format!("api {status}"),
        Error::RateLimited { .. } => "rate limited".to_owned(),
        Error::Unauthorized { .. } => "unauthorized".to_owned(),
        Error::QueryFailed { status, .. } => format!("query {status}"),
        Error::WaitTimeout { .. } => "wait timeout".to_owned(),
        Error::Transport { kind, .. } => format!("transport {kind}"),
        Error::Decode { .. } => "decode".to_owned(),
        other => format!("other: {other}"),
    }
}

fn client(url: &str) -> UsageClient {
    UsageClient::builder()
        .base_url(url)
        .client_credentials("mock-client-id", "mock-client-secret")
        .timeout(Duration::from_secs(20))
        .retry(RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
            budget: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(5),
        })
        .wait(WaitPolicy::fixed(
            Duration::from_millis(50),
            Duration::from_secs(60),
        ))
        .build()
        .expect("the client builds")
}

/// One query (legacy or jobs by `n`'s parity), recorded in `tally`.
async fn one_query(client: &UsageClient, n: usize, tally: &Mutex<Tally>) {
    let interval = Interval::last_days(2);
    let outcome = if n % 2 == 0 {
        match client
            .submit_usage_query(&ApiUsageOrganizationQuery::new(interval))
            .await
        {
            Ok(handle) => Ok((
                handle.execution_id().to_owned(),
                handle.wait().await.map(drop),
            )),
            Err(error) => Err(error),
        }
    } else {
        let query = OrganizationPublicApiUsageQueryRequest {
            interval: interval.to_string(),
            ..Default::default()
        };
        match client.submit_usage_aggregates_query_job(&query).await {
            Ok(handle) => Ok((
                handle.execution_id().to_owned(),
                handle.wait_all().await.map(drop),
            )),
            Err(error) => Err(error),
        }
    };
    let mut tally = tally.lock().expect("tally lock");
    let waited = match outcome {
        Ok((id, waited)) => {
            tally.submitted.push(id);
            waited
        }
        Err(error) => {
            // A submit cut off after it was sent may have created an execution.
            if matches!(
                error,
                Error::Transport {
                    not_sent: false,
                    ..
                }
            ) {
                tally.maybe_processed += 1;
            }
            Err(error)
        }
    };
    match waited {
        Ok(()) => tally.results += 1,
        Err(error) => *tally.errors.entry(kind(&error)).or_default() += 1,
    }
}

/// Runs `clients` × `queries` against `server`; the tally and the wall time.
async fn drive(server: &Server, clients: usize, queries: usize) -> (Tally, Duration) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, tally) = (client(&server.url), Arc::clone(&tally));
            tokio::spawn(async move {
                for q in 0..queries {
                    let bounded = tokio::time::timeout(
                        Duration::from_secs(180),
                        one_query(&client, c + q, &tally),
                    );
                    if bounded.await.is_err() {
                        tally.lock().expect("tally lock").lost += 1;
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a client task never panics");
    }
    let tally = std::mem::take(&mut *tally.lock().expect("tally lock"));
    (tally, started.elapsed())
}

/// Every journaled 5xx carries the fault that caused it; returns their count.
async fn every_5xx_was_injected(server: &Server) -> u64 {
    let mut count = 0;
    for status in [500, 501, 502, 503, 504, 505] {
        let journal = server
            .admin_get(&format!("/journal?status={status}&limit=1000000"))
            .await;
        for entry in journal["entries"].as_array().into_iter().flatten() {
            assert!(
                entry["fault"].is_string(),
                "a 5xx of the server's own: {entry}"
            );
            count += 1;
        }
    }
    count
}

async fn start_faulted(args: &[&str]) -> Server {
    let server = Server::start(args).await;
    for rule in fault_rules() {
        server.admin_post("/faults", &rule).await;
    }
    server
}

fn assert_every_query_ended(tally: &Tally, total: usize) {
    assert_eq!(tally.lost, 0, "queries that never ended");
    let errors: u64 = tally.errors.values().sum();
    assert_eq!(
        tally.results + errors,
        total as u64,
        "every query ends once"
    );
    let unique: HashSet<&String> = tally.submitted.iter().collect();
    assert_eq!(
        unique.len(),
        tally.submitted.len(),
        "an execution id given twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load run against the release binary: bench/load.sh"]
async fn two_hundred_clients_lose_and_duplicate_no_execution_under_five_percent_faults() {
    let (clients, queries) = (env_or("LOAD_CLIENTS", 200), env_or("LOAD_QUERIES", 50));
    let total = clients * queries;
    // Phase A: retention long enough to count every execution at the end.
    let server = start_faulted(&["--max-executions", "1000000", "--journal-size", "2000000"]).await;
    let rss = server.sample_rss();
    let (tally, took) = drive(&server, clients, queries).await;
    let (peak, last) = rss.stop();
    assert_every_query_ended(&tally, total);
    let held = server.admin_get("/executions").await["count"]
        .as_u64()
        .unwrap_or(0);
    let submitted = tally.submitted.len() as u64;
    assert!(
        held >= submitted && held <= submitted + tally.maybe_processed,
        "executions {held} vs successful submits {submitted} (+{} maybe processed)",
        tally.maybe_processed
    );
    let submits = server
        .admin_get("/journal?method=POST&path=/api/v2/usage&limit=1000000")
        .await;
    let processed = submits["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["status"] == 202 || e["status"] == 0)
        .count() as u64;
    assert_eq!(held, processed, "one execution per processed submit");
    let injected = every_5xx_was_injected(&server).await;
    let journaled = server.admin_get("/journal?limit=0").await["stored"]
        .as_u64()
        .unwrap_or(0);
    println!(
        "phase A: {total} queries in {took:.1?}: {} results, errors {:?}; submits ok {submitted}, \
         maybe processed {}, executions held {held}, processed submits {processed}; \
         requests journaled {journaled}, injected 5xx {injected}; VmRSS peak {peak} KiB, end {last} KiB",
        tally.results, tally.errors, tally.maybe_processed
    );
    server.stop().await;

    // Phase B: a 2 s retention bounds what the server holds.
    let server = Arc::new(start_faulted(&["--retention", "2s"]).await);
    let rss = server.sample_rss();
    let held = sample_held(Arc::clone(&server));
    let (tally, took) = drive(&server, clients, queries).await;
    held.abort();
    assert_every_query_ended(&tally, total);
    let at_end = server.admin_get("/executions").await["count"]
        .as_u64()
        .unwrap_or(0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let left = server.admin_get("/executions").await;
    let after = left["count"].as_u64().unwrap_or(0);
    let (peak, last) = rss.stop();
    let most_held = MOST_HELD.load(std::sync::atomic::Ordering::Relaxed);
    let injected = every_5xx_was_injected(&server).await;
    // Retention starts when an execution ends; what is left once idle are
    // executions whose client gave up before the end (bounded by --max-executions).
    for execution in left["executions"].as_array().into_iter().flatten() {
        let state = execution["state"]
            .as_str()
            .unwrap_or("")
            .to_ascii_lowercase();
        assert!(
            !["complete", "failed", "cancelled"].contains(&state.as_str()),
            "a finished execution outlived its retention: {execution}"
        );
    }
    let gave_up: u64 = tally.errors.values().sum::<u64>() + tally.maybe_processed;
    assert!(
        after <= gave_up,
        "{after} executions left, {gave_up} queries gave up"
    );
    println!(
        "phase B (--retention 2s): {total} queries in {took:.1?}: {} results, errors {:?}; \
         submits ok {}, executions held: at most {most_held} (sampled each second), {at_end} \
         at the end, {after} 3 s later (all unfinished, abandoned by failed waits); injected 5xx in the last journal window {injected}; \
         VmRSS peak {peak} KiB, end {last} KiB",
        tally.results,
        tally.errors,
        tally.submitted.len()
    );
    if let Ok(server) = Arc::try_unwrap(server) {
        server.stop().await;
    }
}

/// The most executions the server held at one sample.
static MOST_HELD: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Samples `GET /__admin/executions` once a second (at most an hour).
fn sample_held(server: Arc<Server>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for _ in 0..3600 {
            let held = server.admin_get("/executions").await["count"]
                .as_u64()
                .unwrap_or(0);
            MOST_HELD.fetch_max(held, std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
