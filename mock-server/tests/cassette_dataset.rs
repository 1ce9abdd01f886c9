//! `genesys-usage-mock cassette-to-dataset CASSETTE OUT`: a recording's
//! complete daily results written as a dataset file, which the server then
//! serves (`--dataset`) for a query that was never recorded, with the
//! recorded totals; a cassette without daily results is refused.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use genesys_usage::cassette::RecordingTransport;
use genesys_usage::fake::{Clock, Dataset, FakeTransport};
use genesys_usage::{
    Granularity, OrganizationJobsGroupBy, OrganizationPublicApiUsageQueryRequest, RetryPolicy,
    UsageClient, WaitPolicy,
};
use genesys_usage_mock::{Config, MockServer};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-usage-mock");

fn wait() -> WaitPolicy {
    WaitPolicy::fixed(Duration::from_millis(10), Duration::from_secs(30))
}

fn jobs(granularity: Granularity, grouped: bool) -> OrganizationPublicApiUsageQueryRequest {
    let query = OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-07")
        .with_granularity(granularity);
    if grouped {
        query.with_group_by([
            OrganizationJobsGroupBy::OauthClientId,
            OrganizationJobsGroupBy::TemplateUri,
            OrganizationJobsGroupBy::HttpMethod,
        ])
    } else {
        query
    }
}

async fn requests(client: &UsageClient, query: &OrganizationPublicApiUsageQueryRequest) -> i64 {
    let handle = client
        .submit_usage_aggregates_query_job(query)
        .await
        .unwrap();
    handle.wait().await.unwrap();
    let rows = genesys_usage::collect_rows(handle.rows(Some(100)))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            r.status200.unwrap_or(0)
                + r.status300.unwrap_or(0)
                + r.status400.unwrap_or(0)
                + r.status500.unwrap_or(0)
        })
        .sum()
}

/// Records `query` against a fake frozen in July 2025; the cassette's path and the total.
async fn record(dir: &Path, query: &OrganizationPublicApiUsageQueryRequest) -> (PathBuf, i64) {
    let clock = Clock::frozen_at(Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap());
    let recorder = RecordingTransport::new(FakeTransport::builder().clock(clock).build());
    let client = UsageClient::with_transport(recorder.clone()).with_wait_policy(wait());
    let total = requests(&client, query).await;
    let path = dir.join("recorded.cassette.json");
    recorder.save(&path).unwrap();
    (path, total)
}

fn convert(cassette: &Path, out: &Path) -> Output {
    std::process::Command::new(BIN)
        .arg("cassette-to-dataset")
        .arg(cassette)
        .arg(out)
        .args(["--organization-id", "org-recorded"])
        .output()
        .expect("the binary runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "genesys-mock-dataset-{}-{name}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn a_recordings_daily_results_are_served_for_a_query_never_recorded() {
    let dir = temp_dir("served");
    let (cassette, recorded) = record(&dir, &jobs(Granularity::Day, true)).await;
    let out = dir.join("recorded.csv");
    let output = convert(&cassette, &out);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with("wrote ") && stdout.contains("(7 days)"),
        "{stdout}"
    );

    let server = MockServer::start(Config {
        dataset: Some(Arc::new(Dataset::from_path(&out).unwrap())),
        clock_start: Some(Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap()),
        virtual_clock: true,
        min_poll_interval: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap();
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials("mock-client-id", "mock-client-secret")
        .retry(RetryPolicy::none())
        .wait(wait())
        .build()
        .unwrap();
    let served = requests(&client, &jobs(Granularity::Day, false)).await;
    assert_eq!(
        served, recorded,
        "the ungrouped daily totals are the recorded ones"
    );
    server.shutdown().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_cassette_without_daily_results_or_a_bad_name_is_refused() {
    let dir = temp_dir("refused");
    let (cassette, _) = record(&dir, &jobs(Granularity::Week, true)).await;
    let output = convert(&cassette, &dir.join("weekly.jsonl"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no complete daily results"), "{stderr}");
    assert!(stderr.contains("granularity Week"), "{stderr}");
    assert!(!dir.join("weekly.jsonl").exists());

    let output = convert(&cassette, &dir.join("weekly.txt"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".csv, .jsonl or .ndjson"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
