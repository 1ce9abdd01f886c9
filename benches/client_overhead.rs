//! Row 1 of issue 7, client overhead: `get_usage_query_execution_id_results`
//! of a complete 100-row result from the release mock server over loopback,
//! the SDK (`UsageClient` over `HttpTransport`, static token) against a
//! hand-written reqwest + serde_json call decoding the same type with the
//! same bearer token.
//!
//! Sequential calls, one keep-alive connection per side; the two sides
//! alternate in rounds (order alternating) in one process, and every call is
//! timed. Target: SDK median ≤ 1.10× the hand-written median.
// A bench's job is to print its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod sdk;
mod support;

use std::time::{Duration, Instant};

use genesys_usage::{ApiUsageOrganizationQuery, Granularity};
use support::{BenchResult, MockProcess, fmt_duration, median, percentile};

/// With the default dataset (seed 42, 40 records per day) and the default
/// `groupBy` (per OAuth client), this interval gives exactly 100 daily rows.
const INTERVAL: &str = "2025-01-03T00:00:00Z/2025-01-20T00:00:00Z";
const TARGET: f64 = 1.10;

fn main() {
    let started = Instant::now();
    let quick = support::quick();
    let mock = MockProcess::spawn(&["--lifecycle", "complete"]);
    let rt = sdk::runtime();
    let http = reqwest::Client::new();
    let token = rt.block_on(sdk::fetch_token(&http, &mock.url));
    let client = sdk::sdk_client(&mock.url, &token);
    let query = ApiUsageOrganizationQuery::new(INTERVAL).with_granularity(Granularity::Day);
    let (id, rows) = rt.block_on(sdk::submit_complete(&client, &query));
    let url = sdk::results_url(&mock.url, &id);

    let body_bytes = rt.block_on(async {
        let a = sdk::sdk(&client, &id).await;
        let b = sdk::hand_written(&http, &url, &token).await;
        assert_eq!(a, b, "the SDK and the baseline decode the same result");
        serde_json::to_vec(&b).expect("encode").len()
    });

    let (rounds, per_round) = if quick { (4, 50) } else { (40, 250) };
    // Warm-up: connections, allocator, caches.
    rt.block_on(async {
        for _ in 0..per_round {
            sdk::sdk(&client, &id).await;
            sdk::hand_written(&http, &url, &token).await;
        }
    });
    let mut sdk_samples = Vec::with_capacity(rounds * per_round);
    let mut base_samples = Vec::with_capacity(rounds * per_round);
    for round in 0..rounds {
        for sdk_side in [round % 2 == 0, round % 2 == 1] {
            rt.block_on(async {
                for _ in 0..per_round {
                    let t = Instant::now();
                    if sdk_side {
                        std::hint::black_box(sdk::sdk(&client, &id).await);
                        sdk_samples.push(t.elapsed().as_secs_f64());
                    } else {
                        std::hint::black_box(sdk::hand_written(&http, &url, &token).await);
                        base_samples.push(t.elapsed().as_secs_f64());
                    }
                }
            });
        }
    }
    let calls = sdk_samples.len();
    let stats = |s: &mut Vec<f64>| (median(s), percentile(s, 90.0), percentile(s, 99.0));
    let (sdk_p50, sdk_p90, sdk_p99) = stats(&mut sdk_samples);
    let (base_p50, base_p90, base_p99) = stats(&mut base_samples);
    let met = sdk_p50 / base_p50 <= TARGET;
    let t = |s: f64| fmt_duration(Duration::from_secs_f64(s));
    let result = BenchResult {
        row: 1,
        title: "Client overhead (100-row result, SDK vs hand-written reqwest + serde_json)"
            .to_owned(),
        command: "cargo bench --bench client_overhead".to_owned(),
        columns: ["measure", "SDK", "hand-written", "ratio", "target", "met"]
            .map(str::to_owned)
            .to_vec(),
        rows: vec![
            vec![
                format!("median of {calls} calls"),
                t(sdk_p50),
                t(base_p50),
                sdk::ratio(sdk_p50, base_p50),
                format!("≤ {TARGET:.2}×"),
                sdk::yes_no(met),
            ],
            vec![
                "p90".to_owned(),
                t(sdk_p90),
                t(base_p90),
                sdk::ratio(sdk_p90, base_p90),
                "—".to_owned(),
                "—".to_owned(),
            ],
            vec![
                "p99".to_owned(),
                t(sdk_p99),
                t(base_p99),
                sdk::ratio(sdk_p99, base_p99),
                "—".to_owned(),
                "—".to_owned(),
            ],
        ],
        met,
        notes: vec![
            format!(
                "Result: {rows} rows, {body_bytes} bytes of JSON; query: organisation, interval \
                 {INTERVAL}, granularity Day, default groupBy (OAuth client); mock server \
                 `--lifecycle complete`, default dataset."
            ),
            format!(
                "{rounds} rounds of {per_round} sequential calls per side, sides alternating \
                 (order alternating), one keep-alive connection each, multi-threaded tokio \
                 runtime; SDK = UsageClient (default retry policy) with a static token fetched \
                 once from /oauth/token, also used by the baseline (reqwest::Client::new(), \
                 .bytes() + serde_json::from_slice::<ApiUsageQueryResult>)."
            ),
            format!("Bench wall time {:.1} s.", started.elapsed().as_secs_f64()),
        ],
    };
    result.write("client_overhead");
}
