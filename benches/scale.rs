//! Issue 17, scale: how cost grows as work grows, as curves rather than one
//! size. Row 7 of the report; each curve also goes to
//! `target/bench-results/charts/*.json`, which `bench/report.py` draws as
//! `docs/bench/*.svg`.
//!
//! - per-request cost of the mock server against the executions it retains
//!   (10 → 1,000,000), and the memory per retained execution
//!   (`scale/retained.rs`);
//! - the engine's aggregation time against the records in the dataset
//!   (10 k → 10 M) and against the number of groups (`scale/aggregation.rs`);
//! - the SDK's fetch + decode time, peak memory and time to first row
//!   against the size of a paged jobs result, 1 k → 1 M rows, streamed with
//!   `rows()` and collected with `wait_all()` (`scale/sdk_rows.rs`).
//!
//! `BENCH_QUICK=1` runs smaller sizes (figures not meaningful).
// A bench's job is to print its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "scale/aggregation.rs"]
mod aggregation;
#[path = "scale/retained.rs"]
mod retained;
mod sdk;
#[path = "scale/sdk_curves.rs"]
mod sdk_curves;
#[path = "scale/sdk_rows.rs"]
mod sdk_rows;
mod support;
#[allow(dead_code)]
#[path = "throughput/wrk.rs"]
mod wrk;

use std::time::Instant;

use support::{BenchResult, fmt_duration};

/// Selects a child run of the retained-executions curve; its value is `n`.
const CHILD: &str = "SCALE_RETAINED_CHILD";
/// Flat means within this fraction of the smallest size's figure.
const FLAT: f64 = 0.10;
/// Linear means the cost per unit varies by at most this factor.
pub(crate) const LINEAR: f64 = 1.5;

/// One curve for `bench/report.py` to draw and tabulate.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Chart {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) x_label: &'static str,
    pub(crate) y_label: &'static str,
    pub(crate) series: Vec<Series>,
    pub(crate) goal: String,
    pub(crate) met: bool,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// One line of a chart.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) x: Vec<f64>,
    pub(crate) y: Vec<f64>,
}

fn main() {
    wrk::require_wrk();
    let quick = support::quick();
    if let Ok(n) = std::env::var(CHILD) {
        let (seconds, runs) = if quick { (1, 1) } else { (3, 3) };
        let figures = retained::child(n.parse().expect("a size"), seconds, runs);
        println!("{}", serde_json::to_string(&figures).expect("json"));
        return;
    }
    if let Ok(mode) = std::env::var(sdk_rows::CHILD) {
        let url = std::env::args().nth(1).expect("the server's URL");
        let figures = sdk_rows::child(&mode, &url);
        println!("{}", serde_json::to_string(&figures).expect("json"));
        return;
    }
    let started = Instant::now();
    let sizes: &[usize] = if quick {
        &[10, 1_000, 10_000]
    } else {
        &[10, 1_000, 100_000, 1_000_000]
    };
    let retained: Vec<retained::Retained> = sizes
        .iter()
        .map(|&n| {
            eprintln!("retained executions: {n}");
            let text = support::run_self_child((CHILD, &n.to_string()), &[]);
            serde_json::from_str(text.lines().last().expect("figures")).expect("child json")
        })
        .collect();
    let record_sizes: &[usize] = if quick {
        &[10_000, 100_000]
    } else {
        &[10_000, 100_000, 1_000_000, 10_000_000]
    };
    let by_size: Vec<aggregation::Point> = record_sizes
        .iter()
        .map(|&n| {
            eprintln!("aggregation over {n} records");
            aggregation::point(n, 100, if n >= 1_000_000 { 3 } else { 5 })
        })
        .collect();
    let fixed = if quick { 100_000 } else { 1_000_000 };
    let group_sizes: &[usize] = if quick {
        &[10, 1_000, 100_000]
    } else {
        &[10, 1_000, 100_000, 1_000_000]
    };
    let by_groups: Vec<aggregation::Point> = group_sizes
        .iter()
        .map(|&users| {
            eprintln!("aggregation into {users} users' groups");
            aggregation::point(fixed, users, 3)
        })
        .collect();

    let row_sizes: &[usize] = if quick {
        &[1_000, 10_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    let fetches = sdk_rows::curve(row_sizes);

    let charts = [
        retained_cpu(&retained),
        retained_memory(&retained),
        aggregation_by_size(&by_size),
        aggregation_by_groups(&by_groups, fixed),
        sdk_curves::time(&fetches),
        sdk_curves::memory(&fetches),
        sdk_curves::first_row(&fetches),
    ];
    for chart in &charts {
        write_chart(chart);
    }
    let result = BenchResult {
        row: 7,
        title: "Scale curves (issue 17)".to_owned(),
        command: "cargo bench --bench scale".to_owned(),
        columns: ["curve", "goal", "met"].map(str::to_owned).to_vec(),
        rows: charts
            .iter()
            .map(|c| vec![c.title.clone(), c.goal.clone(), sdk::yes_no(c.met)])
            .collect(),
        met: charts.iter().all(|c| c.met),
        notes: vec![
            "Each curve is drawn below with its table (section \"Curves\").".to_owned(),
            format!("Bench wall time {:.1} s.", started.elapsed().as_secs_f64()),
        ],
    };
    result.write("scale");
}

/// The spread of `values`: largest / smallest.
pub(crate) fn spread(values: impl IntoIterator<Item = f64>) -> f64 {
    let (lo, hi) = values
        .into_iter()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    hi / lo
}

fn retained_cpu(points: &[retained::Retained]) -> Chart {
    let base = points[0].cpu_us;
    let worst = points.iter().map(|p| p.cpu_us / base).fold(0.0, f64::max);
    let met = worst <= 1.0 + FLAT && points.iter().all(|p| p.errors == 0);
    Chart {
        id: "retained_cpu",
        title: "Mock server CPU per request against retained executions".to_owned(),
        x_label: "finished executions retained",
        y_label: "server CPU µs per request (GET results)",
        series: vec![Series {
            label: "CPU µs / request".to_owned(),
            x: points.iter().map(|p| p.n as f64).collect(),
            y: points.iter().map(|p| p.cpu_us).collect(),
        }],
        goal: format!(
            "flat: within {:.0} % of the {}-execution figure (worst: {:+.0} %)",
            FLAT * 100.0,
            points[0].n,
            (worst - 1.0) * 100.0
        ),
        met,
        columns: [
            "retained",
            "CPU µs/request",
            "vs smallest",
            "requests/s (wrk, 1 thread, 8 connections)",
            "errors",
            "fill µs/execution",
            "submit + read µs at the cap (evicting)",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.n.to_string(),
                    format!("{:.1}", p.cpu_us),
                    format!("{:.2}×", p.cpu_us / base),
                    format!("{:.0}", p.rps),
                    p.errors.to_string(),
                    format!("{:.1}", p.fill_us),
                    format!("{:.1}", p.evicting_us),
                ]
            })
            .collect(),
    }
}

fn retained_memory(points: &[retained::Retained]) -> Chart {
    // Below 100,000 executions the resident set moves by pages and arena
    // chunks, not by executions: only the large sizes say anything.
    let large: Vec<&retained::Retained> = points.iter().filter(|p| p.n >= 10_000).collect();
    let constant = large.last().map_or(0.0, |p| p.bytes_per_execution);
    let met = large.len() >= 2
        && spread(large.iter().map(|p| p.bytes_per_execution)) <= 1.25
        && constant <= 4096.0;
    Chart {
        id: "retained_memory",
        title: "Mock server memory per retained execution".to_owned(),
        x_label: "finished executions retained",
        y_label: "resident-set growth per execution (bytes)",
        series: vec![Series {
            label: "bytes / execution".to_owned(),
            x: large.iter().map(|p| p.n as f64).collect(),
            y: large.iter().map(|p| p.bytes_per_execution).collect(),
        }],
        goal: format!(
            "a constant ≤ 4 KiB per execution (one-row result), the same at every size ≥ 10,000 \
             within 25 % (measured: {constant:.0} B)"
        ),
        met,
        columns: ["retained", "RSS growth / execution"]
            .map(str::to_owned)
            .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                let cell = if p.n >= 10_000 {
                    format!("{:.0} B", p.bytes_per_execution)
                } else {
                    "(too small to see)".to_owned()
                };
                vec![p.n.to_string(), cell]
            })
            .collect(),
    }
}

fn aggregation_by_size(points: &[aggregation::Point]) -> Chart {
    let per_record = |p: &aggregation::Point| p.aggregate.as_secs_f64() * 1e9 / p.records as f64;
    let large: Vec<&aggregation::Point> = points.iter().filter(|p| p.records >= 100_000).collect();
    let constant = large.last().map_or(0.0, |p| per_record(p));
    let met = spread(large.iter().map(|p| per_record(p))) <= LINEAR;
    Chart {
        id: "aggregation_size",
        title: "Engine aggregation time against dataset size".to_owned(),
        x_label: "records in the dataset",
        y_label: "submit + first read (ms)",
        series: vec![Series {
            label: "aggregation (100 users, by month)".to_owned(),
            x: points.iter().map(|p| p.records as f64).collect(),
            y: points
                .iter()
                .map(|p| p.aggregate.as_secs_f64() * 1e3)
                .collect(),
        }],
        goal: format!(
            "linear: ns per record within {LINEAR}× from 100 k up (constant: {constant:.0} ns \
             per record)"
        ),
        met,
        columns: [
            "records",
            "rows",
            "aggregation",
            "ns / record",
            "dataset load",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.records.to_string(),
                    p.rows.to_string(),
                    fmt_duration(p.aggregate),
                    format!("{:.0}", per_record(p)),
                    fmt_duration(p.load),
                ]
            })
            .collect(),
    }
}

fn aggregation_by_groups(points: &[aggregation::Point], records: usize) -> Chart {
    // Cost above the fewest-groups point, per extra row: the per-group
    // constant when the curve is a straight line.
    let base = &points[0];
    let marginal = |p: &aggregation::Point| {
        (p.aggregate.as_secs_f64() - base.aggregate.as_secs_f64()) * 1e9
            / (p.rows.saturating_sub(base.rows)).max(1) as f64
    };
    let tail: Vec<&aggregation::Point> = points.iter().skip(2).collect();
    let constant = points.last().map_or(0.0, marginal);
    let met = tail.len() < 2 || spread(tail.iter().map(|p| marginal(p).max(1.0))) <= LINEAR;
    Chart {
        id: "aggregation_groups",
        title: format!("Engine aggregation time against groups ({records} records)"),
        x_label: "rows (groups) in the result",
        y_label: "submit + first read (ms)",
        series: vec![Series {
            label: format!("{records} records, grouped by user, by month"),
            x: points.iter().map(|p| p.rows as f64).collect(),
            y: points
                .iter()
                .map(|p| p.aggregate.as_secs_f64() * 1e3)
                .collect(),
        }],
        goal: format!(
            "linear in the groups: the cost per extra group within {LINEAR}× between the \
             large sizes (constant: {constant:.0} ns per group)"
        ),
        met,
        columns: ["users", "rows", "aggregation", "ns per extra group"]
            .map(str::to_owned)
            .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.users.to_string(),
                    p.rows.to_string(),
                    fmt_duration(p.aggregate),
                    format!("{:.0}", marginal(p)),
                ]
            })
            .collect(),
    }
}

/// Writes a chart's data next to the results, for `bench/report.py`.
fn write_chart(chart: &Chart) {
    let dir = std::env::var_os("BENCH_RESULTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| support::workspace_root().join("target/bench-results"))
        .join("charts");
    std::fs::create_dir_all(&dir).expect("create the charts directory");
    let json = serde_json::to_string_pretty(chart).expect("serialise the chart");
    std::fs::write(dir.join(format!("{}.json", chart.id)), json).expect("write the chart");
}
