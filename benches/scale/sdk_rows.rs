//! Curves 5–7 of issue 17: the SDK's fetch + decode time, peak memory and
//! time to first row against the size of a jobs result (1 k → 1 M rows).
//!
//! Each size: a dataset file of `n` distinct records (written here), served
//! by the release mock binary (`--dataset`, `--lifecycle complete`); an
//! organisation jobs query without grouping returns one row per record, in
//! pages of 1,000 (the service's largest). Each mode runs in a child process
//! of its own, so its peak resident set (`VmHWM`) is its own:
//!
//! - `stream`: `QueryHandle::rows(Some(1000))`, each row dropped once seen;
//! - `collect`: `QueryHandle::wait_all()`, every row held at the end.
//!
//! Times run from the submit; the first row's time is the streaming one.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{Days, Utc};
use futures_util::StreamExt as _;
use genesys_usage::{
    Granularity, OrganizationJobsGroupBy, OrganizationPublicApiUsageQueryRequest, UsageClient,
};

use crate::sdk;
use crate::support::{MockProcess, proc_status_kib, workspace_root};

/// Selects a child mode (`stream` or `collect`); the arguments are the URL.
pub(crate) const CHILD: &str = "SCALE_SDK_CHILD";
/// The jobs service's largest page.
const PAGE: u32 = 1000;
/// Days the records spread over (the jobs interval is at most 90 days).
const DAYS: usize = 84;

/// What one child measured.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Fetch {
    pub(crate) rows: usize,
    pub(crate) total_s: f64,
    pub(crate) first_row_s: f64,
    /// Peak resident set above the one before the submit.
    pub(crate) peak_kib: u64,
    /// Resident set above the one before the submit with every row held
    /// (collect mode): what the decoded rows take.
    pub(crate) held_kib: u64,
}

/// Both modes at one size.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub(crate) n: usize,
    pub(crate) stream: Fetch,
    pub(crate) collect: Fetch,
}

/// The first day of the records: within the jobs service's year back.
fn first_day() -> chrono::NaiveDate {
    Utc::now().date_naive() - Days::new(DAYS as u64 + 3)
}

fn query() -> OrganizationPublicApiUsageQueryRequest {
    let start = first_day();
    let end = start + Days::new(DAYS as u64 - 1);
    // Grouped on every dimension the records vary in, daily: one row per
    // record whatever the service does without grouping.
    OrganizationPublicApiUsageQueryRequest::new(format!("{start}/{end}"))
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationJobsGroupBy::UserId,
            OrganizationJobsGroupBy::TemplateUri,
        ])
}

/// Writes `n` distinct records as a dataset file and returns its path.
fn dataset_file(n: usize) -> PathBuf {
    let dir = workspace_root().join("target/scale-data");
    std::fs::create_dir_all(&dir).expect("create target/scale-data");
    let path = dir.join(format!("records-{n}.csv"));
    let file = std::fs::File::create(&path).expect("create the dataset file");
    let mut out = std::io::BufWriter::new(file);
    writeln!(
        out,
        "date,organization_id,oauth_client_id,oauth_client_name,user_id,template_uri,\
         http_method,status200,status300,status400,status429,status500"
    )
    .expect("write");
    let start = first_day();
    let users = 1000;
    for i in 0..n {
        let day = start + Days::new(((i / users) % DAYS) as u64);
        let (user, template) = (i % users, i / (users * DAYS));
        writeln!(
            out,
            "{day},org-scale,client-scale,Scale,user-{user},api/v2/scale/{template},GET,1,0,0,0,0"
        )
        .expect("write");
    }
    out.flush().expect("write the dataset file");
    path
}

/// Measures both modes at each size.
pub(crate) fn curve(sizes: &[usize]) -> Vec<Point> {
    sizes
        .iter()
        .map(|&n| {
            eprintln!("sdk fetch of {n} rows");
            let path = dataset_file(n);
            let path = path.to_str().expect("a UTF-8 path");
            let mock = MockProcess::spawn(&["--lifecycle", "complete", "--dataset", path]);
            let run = |mode: &str| -> Fetch {
                let text = crate::support::run_self_child((CHILD, mode), &[&mock.url]);
                serde_json::from_str(text.lines().last().expect("figures")).expect("child json")
            };
            let point = Point {
                n,
                stream: run("stream"),
                collect: run("collect"),
            };
            // Up to ~80 MB each: not worth keeping.
            let _ = std::fs::remove_file(path);
            point
        })
        .collect()
}

/// One mode against the server at `url` (in the child).
pub(crate) fn child(mode: &str, url: &str) -> Fetch {
    let rt = sdk::runtime();
    let client = UsageClient::builder()
        .base_url(url)
        .client_credentials(sdk::CLIENT_ID, sdk::CLIENT_SECRET)
        .build()
        .expect("sdk client");
    let query = query();
    let pid = std::process::id();
    rt.block_on(async {
        // The token first, so the figures are the query's alone.
        let _ = client.post_usage_aggregates_query_jobs(&query).await;
        let before = proc_status_kib(pid, "VmRSS").unwrap_or(0);
        let started = Instant::now();
        let handle = client
            .submit_usage_aggregates_query_job(&query)
            .await
            .expect("submit");
        let mut first_row_s = 0.0;
        let mut rows = 0;
        let mut held_kib = 0;
        if mode == "stream" {
            let mut stream = std::pin::pin!(handle.rows(Some(PAGE)));
            while let Some(row) = stream.next().await {
                drop(row.expect("a row"));
                if rows == 0 {
                    first_row_s = started.elapsed().as_secs_f64();
                }
                rows += 1;
            }
        } else {
            let all = handle.wait_all().await.expect("every page");
            rows = all.entities.as_ref().map_or(0, Vec::len);
            held_kib = proc_status_kib(pid, "VmRSS")
                .unwrap_or(0)
                .saturating_sub(before);
            drop(all);
        }
        let total_s = started.elapsed().as_secs_f64();
        let peak = proc_status_kib(pid, "VmHWM").unwrap_or(0);
        Fetch {
            rows,
            total_s,
            first_row_s,
            peak_kib: peak.saturating_sub(before),
            held_kib,
        }
    })
}
