//! The SDK curves of issue 17 as charts: fetch + decode time, peak memory
//! and time to first row against the result size (figures from
//! `sdk_rows.rs`).

use std::time::Duration;

use crate::sdk_rows::Point;
use crate::support::fmt_duration;
use crate::{Chart, LINEAR, Series, spread};

/// Streaming may use this much more at the largest size than at the
/// smallest and still count as bounded by a page (allocator slack).
const SLACK_KIB: f64 = 8.0 * 1024.0;
/// Collected results may peak at this multiple of what the rows hold.
const COLLECT: f64 = 1.3;

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn secs(s: f64) -> String {
    fmt_duration(Duration::from_secs_f64(s))
}

fn xs(points: &[Point]) -> Vec<f64> {
    points.iter().map(|p| p.n as f64).collect()
}

/// Fetch + decode time, both modes.
pub(crate) fn time(points: &[Point]) -> Chart {
    let per_row = |s: f64, p: &Point| s * 1e6 / p.n as f64;
    let large: Vec<&Point> = points.iter().filter(|p| p.n >= 10_000).collect();
    let spread_of = |f: &dyn Fn(&Point) -> f64| spread(large.iter().map(|p| f(p)));
    let stream = spread_of(&|p| per_row(p.stream.total_s, p));
    let collect = spread_of(&|p| per_row(p.collect.total_s, p));
    let last = points.last().expect("a point");
    Chart {
        id: "sdk_time",
        title: "SDK fetch + decode time against result size (jobs, pages of 1,000)".to_owned(),
        x_label: "rows in the result",
        y_label: "submit to last row (s)",
        series: vec![
            Series {
                label: "rows() streaming".to_owned(),
                x: xs(points),
                y: points.iter().map(|p| p.stream.total_s).collect(),
            },
            Series {
                label: "wait_all() collected".to_owned(),
                x: xs(points),
                y: points.iter().map(|p| p.collect.total_s).collect(),
            },
        ],
        goal: format!(
            "linear: µs per row within {LINEAR}× from 10 k up (constant at {} rows: {:.1} µs \
             streaming, {:.1} µs collected)",
            last.n,
            per_row(last.stream.total_s, last),
            per_row(last.collect.total_s, last)
        ),
        met: stream <= LINEAR && collect <= LINEAR,
        columns: ["rows", "streaming", "µs/row", "collected", "µs/row"]
            .map(str::to_owned)
            .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.stream.rows.to_string(),
                    secs(p.stream.total_s),
                    format!("{:.1}", per_row(p.stream.total_s, p)),
                    secs(p.collect.total_s),
                    format!("{:.1}", per_row(p.collect.total_s, p)),
                ]
            })
            .collect(),
    }
}

/// Peak memory, both modes, and what the collected rows hold.
pub(crate) fn memory(points: &[Point]) -> Chart {
    let (first, last) = (&points[0], points.last().expect("a point"));
    let bounded = last.stream.peak_kib as f64 <= first.stream.peak_kib as f64 * 1.5 + SLACK_KIB;
    let collected = |p: &Point| p.collect.peak_kib as f64 / p.collect.held_kib.max(1) as f64;
    let collect_met = collected(last) <= COLLECT;
    Chart {
        id: "sdk_memory",
        title: "SDK peak memory against result size".to_owned(),
        x_label: "rows in the result",
        y_label: "peak resident set above the start (MiB)",
        series: vec![
            Series {
                label: "rows() streaming".to_owned(),
                x: xs(points),
                y: points
                    .iter()
                    .map(|p| p.stream.peak_kib as f64 / 1024.0)
                    .collect(),
            },
            Series {
                label: "wait_all() collected".to_owned(),
                x: xs(points),
                y: points
                    .iter()
                    .map(|p| p.collect.peak_kib as f64 / 1024.0)
                    .collect(),
            },
        ],
        goal: format!(
            "streaming bounded by a page: the peak at {} rows ≤ 1.5× the one at {} rows + 8 MiB \
             ({}); collected: peak ≤ {COLLECT}× the decoded rows at {} rows ({:.2}×)",
            last.n,
            first.n,
            if bounded { "yes" } else { "no" },
            last.n,
            collected(last)
        ),
        met: bounded && collect_met,
        columns: [
            "rows",
            "streaming peak",
            "collected peak",
            "decoded rows held",
            "collected peak / held",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.n.to_string(),
                    mib(p.stream.peak_kib),
                    mib(p.collect.peak_kib),
                    mib(p.collect.held_kib),
                    format!("{:.2}×", collected(p)),
                ]
            })
            .collect(),
    }
}

/// Time to the first streamed row.
pub(crate) fn first_row(points: &[Point]) -> Chart {
    let last = points.last().expect("a point");
    let share = last.stream.first_row_s / last.stream.total_s;
    Chart {
        id: "first_row",
        title: "SDK time to first row (rows() streaming)".to_owned(),
        x_label: "rows in the result",
        y_label: "submit to first row (s)",
        series: vec![Series {
            label: "time to first row".to_owned(),
            x: xs(points),
            y: points.iter().map(|p| p.stream.first_row_s).collect(),
        }],
        goal: format!(
            "flat in the SDK: the first row after one page, ≤ 25 % of the streamed total at {} \
             rows ({:.0} %); what grows is the server computing the whole result on the first \
             read",
            last.n,
            share * 100.0
        ),
        met: share <= 0.25,
        columns: ["rows", "first row", "last row", "first / last"]
            .map(str::to_owned)
            .to_vec(),
        rows: points
            .iter()
            .map(|p| {
                vec![
                    p.n.to_string(),
                    secs(p.stream.first_row_s),
                    secs(p.stream.total_s),
                    format!("{:.0} %", p.stream.first_row_s / p.stream.total_s * 100.0),
                ]
            })
            .collect(),
    }
}
