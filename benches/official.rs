//! Row 6, against the official client: complete lifecycles (submit, poll
//! until complete, read the rows) through our SDK and through the official
//! Genesys Python SDK (`purecloudplatformclientv2`), against one release mock
//! server process with zero-delay lifecycles (`--lifecycle complete`).
//!
//! Each side runs its lifecycles one after another with one client, after a
//! login and one untimed warm-up lifecycle (token, kept-alive connection);
//! only the lifecycles are timed, by the side itself (the Python script times
//! with `perf_counter`, so interpreter start-up and imports are excluded).
//! Runs of the two sides alternate; each figure is the median of the runs.
//! The mock server's journal is cleared before each run and read after it, to
//! check that both sides made the same HTTP calls.
//!
//! Needs the official SDK in `target/official-sdk-venv` (or the Python named
//! by `$OFFICIAL_SDK_PYTHON`); `bench/run.sh` creates it.
//!
//! `cargo bench --bench official` (`BENCH_QUICK=1` for a short run).
#![allow(
    clippy::print_stdout,
    reason = "a bench prints its table (BenchResult::write)"
)]

// The shared helpers are `pub` for every bench; each bench uses a subset
// (support/mod.rs allows `unreachable_pub` itself).
mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use genesys_usage::{
    ApiUsageOrganizationQuery, Granularity, Interval, OrganizationGroupBy, UsageClient,
};
use support::{BenchResult, MockProcess, fmt_duration, median, workspace_root};

const CLIENT_ID: &str = "mock-client-id";
const CLIENT_SECRET: &str = "mock-client-secret";
/// The target: ours at least this many times faster.
const TARGET_RATIO: f64 = 3.7;

/// One query of the comparison: the same body on both sides.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Table label.
    label: &'static str,
    /// Daily rows (`granularity: Day`) or totals over the interval.
    daily: bool,
    /// Group-by dimensions (their wire names also go to the Python script).
    group_by: &'static [OrganizationGroupBy],
}

/// A small result, where per-call overhead dominates, and a grouped one,
/// where decoding rows does (the Python side takes about 6 s a run: a third
/// shape would not fit the row's 1.5-minute budget on a loaded machine). The
/// mock server always splits by OAuth client.
const SHAPES: [Shape; 2] = [
    Shape {
        label: "7 days, totals",
        daily: false,
        group_by: &[],
    },
    Shape {
        label: "7 days by day, OAuth client, template",
        daily: true,
        group_by: &[
            OrganizationGroupBy::OAuthClientId,
            OrganizationGroupBy::TemplateUri,
        ],
    },
];

/// What one timed run of one side did.
#[derive(Debug, Clone, Copy)]
struct Run {
    wall: Duration,
    rows: usize,
    polls: u64,
    calls: Calls,
}

/// HTTP calls the mock server journaled during one run (warm-up included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Calls {
    tokens: usize,
    submits: usize,
    polls: usize,
    total: usize,
}

impl std::fmt::Display for Calls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} token, {} submits, {} polls",
            self.tokens, self.submits, self.polls
        )
    }
}

fn official_python() -> PathBuf {
    std::env::var_os("OFFICIAL_SDK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/official-sdk-venv/bin/python"))
}

fn group_by_arg(shape: Shape) -> String {
    shape
        .group_by
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn query(shape: Shape, interval: &str) -> ApiUsageOrganizationQuery {
    let mut query = ApiUsageOrganizationQuery::new(interval);
    if shape.daily {
        query = query.with_granularity(Granularity::Day);
    }
    if !shape.group_by.is_empty() {
        query = query.with_group_by(shape.group_by.iter().cloned());
    }
    query
}

/// The admin API of the mock server: clear and count the journal.
struct Journal {
    http: reqwest::Client,
    url: String,
}

impl Journal {
    async fn clear(&self) {
        self.http
            .delete(format!("{}/__admin/journal", self.url))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("clear the journal");
    }

    async fn count(&self, filter: &str) -> usize {
        let body: serde_json::Value = self
            .http
            .get(format!("{}/__admin/journal?limit=100000{filter}", self.url))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("read the journal")
            .json()
            .await
            .expect("a journal answer");
        body["count"].as_u64().expect("a count") as usize
    }

    async fn calls(&self) -> Calls {
        Calls {
            tokens: self.count("&path=/oauth/token").await,
            submits: self.count("&operation=post_usage_query").await,
            polls: self
                .count("&operation=get_usage_query_execution_id_results")
                .await,
            total: self.count("").await,
        }
    }
}

/// Our side: a fresh client, one warm-up lifecycle, then `count` timed ones.
async fn ours(url: &str, count: usize, query: &ApiUsageOrganizationQuery) -> (Duration, usize) {
    let client = UsageClient::builder()
        .base_url(url)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .expect("a client of the mock server");
    let rows_of = |r: genesys_usage::ApiUsageQueryResult| r.results.map_or(0, |rows| rows.len());
    let rows = rows_of(client.run_usage_query(query).await.expect("warm-up"));
    let start = Instant::now();
    for _ in 0..count {
        let result = client.run_usage_query(query).await.expect("a lifecycle");
        assert_eq!(rows_of(result), rows, "the same rows every time");
    }
    (start.elapsed(), rows)
}

/// The official side: the Python script, which prints one JSON line.
fn python(url: &str, count: usize, interval: &str, shape: Shape) -> (Duration, usize, u64) {
    let python = official_python();
    let output = Command::new(&python)
        .arg(workspace_root().join("bench/python/official_bench.py"))
        .args([url, &count.to_string(), interval])
        .arg(if shape.daily { "Day" } else { "" })
        .arg(group_by_arg(shape))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); create the venv as bench/run.sh does",
                python.display()
            )
        });
    assert!(
        output.status.success(),
        "official_bench.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON line from official_bench.py");
    (
        Duration::from_secs_f64(line["wall_s"].as_f64().expect("wall_s")),
        line["rows"].as_u64().expect("rows") as usize,
        line["polls"].as_u64().expect("polls"),
    )
}

fn med(runs: &[Run]) -> Duration {
    let mut secs: Vec<f64> = runs.iter().map(|r| r.wall.as_secs_f64()).collect();
    Duration::from_secs_f64(median(&mut secs))
}

fn walls(runs: &[Run]) -> String {
    runs.iter()
        .map(|r| fmt_duration(r.wall))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The runs of one query on the three sides.
#[derive(Debug, Default)]
struct Sides {
    /// Ours on a current-thread runtime.
    current: Vec<Run>,
    /// Ours on a multi-thread runtime (what `#[tokio::main]` gives).
    multi: Vec<Run>,
    /// The official Python SDK.
    official: Vec<Run>,
}

fn main() {
    let quick = support::quick();
    let (count, runs) = if quick { (20, 1) } else { (200, 3) };
    let interval = Interval::last_days(7).to_string();
    let mock = MockProcess::spawn(&["--lifecycle", "complete"]);
    // The Python side is one sequential chain of requests on one thread; our
    // like for like is a current-thread runtime, which the target is judged
    // on. A multi-thread runtime (the `#[tokio::main]` default) is shown too:
    // on 2 shared cores its cross-thread wake-ups make it slower and noisier.
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let multi = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a multi-thread runtime");
    // No kept-alive admin connection: between `block_on` calls nothing
    // polls it, so it would not notice the server closing it while idle.
    let journal = Journal {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("an admin HTTP client"),
        url: mock.url.clone(),
    };
    let ours_on = |runtime: &tokio::runtime::Runtime, body: &ApiUsageOrganizationQuery| {
        current.block_on(journal.clear());
        let (wall, rows) = runtime.block_on(ours(&mock.url, count, body));
        let calls = current.block_on(journal.calls());
        Run {
            wall,
            rows,
            polls: count as u64,
            calls,
        }
    };

    let mut table = Vec::new();
    let mut met = true;
    let mut notes = Vec::new();
    for shape in SHAPES {
        let body = query(shape, &interval);
        let mut sides = Sides::default();
        for _ in 0..runs {
            sides.current.push(ours_on(&current, &body));
            sides.multi.push(ours_on(&multi, &body));
            current.block_on(journal.clear());
            let (wall, rows, polls) = python(&mock.url, count, &interval, shape);
            let calls = current.block_on(journal.calls());
            sides.official.push(Run {
                wall,
                rows,
                polls,
                calls,
            });
        }
        let first = sides.current[0];
        let all = || {
            sides
                .current
                .iter()
                .chain(&sides.multi)
                .chain(&sides.official)
        };
        assert!(
            all().all(|r| r.rows == first.rows),
            "every side reads the same rows"
        );
        assert!(
            all().all(|r| r.calls == first.calls && r.polls == count as u64),
            "every side makes the same HTTP calls, one poll per lifecycle: {sides:?}"
        );
        let (ours_wall, multi_wall, theirs_wall) =
            (med(&sides.current), med(&sides.multi), med(&sides.official));
        let ratio = theirs_wall.as_secs_f64() / ours_wall.as_secs_f64();
        let multi_ratio = theirs_wall.as_secs_f64() / multi_wall.as_secs_f64();
        let row_met = ratio >= TARGET_RATIO;
        met &= row_met;
        let per = |wall: Duration| fmt_duration(wall / count as u32);
        table.push(vec![
            format!("{} ({} rows)", shape.label, first.rows),
            fmt_duration(ours_wall),
            per(ours_wall),
            fmt_duration(theirs_wall),
            per(theirs_wall),
            format!("{ratio:.2}×"),
            format!("{} ({multi_ratio:.2}×)", per(multi_wall)),
            format!("≥ {TARGET_RATIO}×"),
            if row_met { "yes" } else { "NO" }.to_owned(),
        ]);
        notes.push(format!(
            "{}: runs ours [{}], ours multi-thread [{}], official [{}]; HTTP calls per run on \
             every side (journal, warm-up included): {}, {} in all.",
            shape.label,
            walls(&sides.current),
            walls(&sides.multi),
            walls(&sides.official),
            first.calls,
            first.calls.total,
        ));
    }
    notes.insert(
        0,
        format!(
            "{count} lifecycles per run on each side, sequential, one client each; medians of \
             {runs} alternating runs; one mock server process (`--lifecycle complete`: \
             complete on the first poll). Ours: run_usage_query with the default WaitPolicy \
             (first poll at once), on a current-thread tokio runtime and on a multi-thread \
             one. Official: purecloudplatformclientv2 269.0.0, post_usage_query then \
             get_usage_query_execution_id_results until Complete, no sleep. Login and one \
             warm-up lifecycle are not timed. The target is judged on the current-thread \
             runtime, the like for like of a sequential single-threaded client; the \
             multi-thread column is for information."
        ),
    );
    BenchResult {
        row: 6,
        title: "Against the official Python SDK".to_owned(),
        command: "cargo bench --bench official".to_owned(),
        columns: [
            "query",
            "ours: wall",
            "per lifecycle",
            "official Python: wall",
            "per lifecycle",
            "ratio",
            "ours, multi-thread runtime: per lifecycle (ratio)",
            "target",
            "met",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: table,
        met,
        notes,
    }
    .write("official");
}
