//! Row 2 of issue 7, large results: fetching and decoding a complete
//! ~100,000-row legacy result (~37 MB of JSON) from the release mock server,
//! SDK (`get_usage_query_execution_id_results`) against a hand-written
//! reqwest `.bytes()` + `serde_json::from_slice` of the same type.
//!
//! - Time: the two interleaved in one process (order alternating), medians.
//!   A third mode, the baseline without the decode, shows what the server and
//!   the transfer alone cost.
//! - Peak memory: each in a fresh child process (this binary re-run with
//!   `LARGE_RESULTS_CHILD=sdk|baseline`), as that child's peak resident set
//!   (`VmHWM`) minus its resident set just before the call, as a multiple of
//!   the body size.
//!
//! Targets: SDK time ≤ 1.15× the baseline; SDK peak ≤ 2.5× the body.
// A bench's job is to print its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod sdk;
mod support;

use std::time::{Duration, Instant};

use genesys_usage::{ApiUsageOrganizationQuery, Granularity, OrganizationGroupBy};
use support::{BenchResult, MockProcess, fmt_duration, median, proc_status_kib};

/// Selects a child's mode; its arguments are the results URL and the token.
const CHILD: &str = "LARGE_RESULTS_CHILD";
/// Density of the synthetic log: enough users for ~100k distinct rows.
const RECORDS_PER_DAY: &str = "5000";
const INTERVAL: &str = "2025-01-01T00:00:00Z/2025-03-25T00:00:00Z";
const TIME_TARGET: f64 = 1.15;
const RSS_TARGET: f64 = 2.5;

/// Daily rows grouped on every dimension: ~101k rows, ~38.6 MB.
fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new(INTERVAL)
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationGroupBy::OAuthClientId,
            OrganizationGroupBy::OrganizationId,
            OrganizationGroupBy::UserId,
            OrganizationGroupBy::TemplateUri,
            OrganizationGroupBy::HttpMethod,
        ])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sdk,
    Baseline,
    /// The baseline's request and `.bytes()` only.
    FetchOnly,
}

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        child(&mode);
        return;
    }
    let started = Instant::now();
    let quick = support::quick();
    let mock = MockProcess::spawn(&[
        "--lifecycle",
        "complete",
        "--records-per-day",
        RECORDS_PER_DAY,
    ]);
    let rt = sdk::runtime();
    let http = reqwest::Client::new();
    let token = rt.block_on(sdk::fetch_token(&http, &mock.url));
    let client = sdk::sdk_client(&mock.url, &token);
    let first = Instant::now();
    let (id, rows) = rt.block_on(sdk::submit_complete(&client, &query()));
    let first_read = first.elapsed();
    let url = sdk::results_url(&mock.url, &id);

    // Warm up, and check both decode the same value.
    let body_bytes = rt.block_on(async {
        let a = sdk::sdk(&client, &id).await;
        let b = sdk::hand_written(&http, &url, &token).await;
        assert_eq!(a, b, "the SDK and the baseline decode the same result");
        fetch_only(&http, &url, &token).await
    });

    let pairs = if quick { 2 } else { 9 };
    let mut times: [Vec<f64>; 3] = Default::default();
    for i in 0..pairs {
        let mut order = [Mode::Sdk, Mode::Baseline, Mode::FetchOnly];
        if i % 2 == 1 {
            order.reverse();
        }
        for mode in order {
            let t = Instant::now();
            rt.block_on(async {
                match mode {
                    Mode::Sdk => drop(std::hint::black_box(sdk::sdk(&client, &id).await)),
                    Mode::Baseline => drop(std::hint::black_box(
                        sdk::hand_written(&http, &url, &token).await,
                    )),
                    Mode::FetchOnly => drop(fetch_only(&http, &url, &token).await),
                }
            });
            times[mode as usize].push(t.elapsed().as_secs_f64());
        }
    }
    let [sdk_t, base_t, fetch_t] = times.each_mut().map(|t| median(t));

    let runs = if quick { 1 } else { 3 };
    let mut peaks: [Vec<f64>; 2] = Default::default();
    for _ in 0..runs {
        for mode in [Mode::Sdk, Mode::Baseline] {
            let peak_kib = child_peak_kib(mode, &url, &token);
            peaks[mode as usize].push(peak_kib as f64 * 1024.0);
        }
    }
    let [sdk_peak, base_peak] = peaks.each_mut().map(|p| median(p));
    let body = body_bytes as f64;

    let time_met = sdk_t / base_t <= TIME_TARGET;
    let rss_met = sdk_peak / body <= RSS_TARGET;
    let mib = |b: f64| format!("{:.1} MiB", b / 1_048_576.0);
    let secs = |s: f64| fmt_duration(Duration::from_secs_f64(s));
    let result = BenchResult {
        row: 2,
        title: "Large results (SDK vs hand-written reqwest + serde_json::from_slice)".to_owned(),
        command: "cargo bench --bench large_results".to_owned(),
        columns: ["measure", "SDK", "hand-written", "ratio", "target", "met"]
            .map(str::to_owned)
            .to_vec(),
        rows: vec![
            vec![
                format!("fetch + decode, median of {pairs}"),
                secs(sdk_t),
                secs(base_t),
                sdk::ratio(sdk_t, base_t),
                format!("≤ {TIME_TARGET:.2}×"),
                sdk::yes_no(time_met),
            ],
            vec![
                format!("peak RSS over the pre-call RSS, median of {runs} child runs"),
                format!("{} ({:.2}× body)", mib(sdk_peak), sdk_peak / body),
                format!("{} ({:.2}× body)", mib(base_peak), base_peak / body),
                sdk::ratio(sdk_peak, base_peak),
                format!("SDK ≤ {RSS_TARGET:.1}× body"),
                sdk::yes_no(rss_met),
            ],
            vec![
                "fetch only (request + .bytes(), no decode)".to_owned(),
                "—".to_owned(),
                secs(fetch_t),
                "—".to_owned(),
                "—".to_owned(),
                "—".to_owned(),
            ],
        ],
        met: time_met && rss_met,
        notes: vec![
            format!(
                "Result: {rows} rows, body {} ({body_bytes} bytes); query: organisation, interval {INTERVAL}, \
                 granularity Day, groupBy OAuthClientId+OrganizationId+UserId+TemplateUri+HttpMethod; \
                 mock server `--lifecycle complete --records-per-day {RECORDS_PER_DAY}`; first read \
                 (server aggregates and encodes) {}.",
                mib(body),
                secs(first_read.as_secs_f64())
            ),
            "Time: SDK, baseline and fetch-only interleaved in one process (order alternating), \
             one keep-alive connection each, multi-threaded tokio runtime; the server keeps the \
             encoded JSON of a complete result, so a GET costs it a copy, not a re-serialisation."
                .to_owned(),
            "Memory: each mode in a fresh child process (this bench binary re-run); VmHWM after the \
             call (value alive) minus VmRSS just before it. The SDK decodes the rows as the body \
             arrives (src/transport/http/incremental.rs), so the whole body is never held next to \
             the decoded rows; the baseline holds both."
                .to_owned(),
            format!("Bench wall time {:.1} s.", started.elapsed().as_secs_f64()),
        ],
    };
    result.write("large_results");
}

/// The body as bytes, not decoded; returns its length.
async fn fetch_only(http: &reqwest::Client, url: &str, token: &str) -> usize {
    let bytes = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("fetch")
        .bytes()
        .await
        .expect("body");
    bytes.len()
}

/// Runs one mode in a fresh child process; its peak RSS over its pre-call RSS, in KiB.
fn child_peak_kib(mode: Mode, url: &str, token: &str) -> u64 {
    let name = match mode {
        Mode::Sdk => "sdk",
        _ => "baseline",
    };
    let text = support::run_self_child((CHILD, name), &[url, token]);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("peak_over_kib "))
        .unwrap_or_else(|| panic!("child {name} printed no figure: {text}"));
    line.trim().parse().expect("a number of KiB")
}

/// The child: one call in the given mode, then its memory figures.
fn child(mode: &str) {
    let mut args = std::env::args().skip(1);
    let (url, token) = (args.next().expect("url"), args.next().expect("token"));
    let rt = sdk::runtime();
    let http = reqwest::Client::new();
    // `…/api/v2/usage/query/{id}/results` → base URL and id for the SDK.
    let (base, rest) = url.split_once("/api/v2/").expect("a results url");
    let id = rest.split('/').nth(2).expect("execution id").to_owned();
    let client = sdk::sdk_client(base, &token);
    let pid = std::process::id();
    let before = proc_status_kib(pid, "VmRSS").expect("VmRSS");
    let rows = rt.block_on(async {
        let value = match mode {
            "sdk" => sdk::sdk(&client, &id).await,
            _ => sdk::hand_written(&http, &url, &token).await,
        };
        let rows = value.results.as_ref().map_or(0, Vec::len);
        // Read the peak while the value is alive.
        let peak = proc_status_kib(pid, "VmHWM").expect("VmHWM");
        std::hint::black_box(&value);
        println!("peak_over_kib {}", peak.saturating_sub(before));
        rows
    });
    println!("rows {rows}");
}
