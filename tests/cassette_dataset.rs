//! From recording to data: the complete daily results of a cassette become
//! a dataset file (spec §13a) that loads back and answers queries that were
//! never recorded with the recorded totals.
#![cfg(feature = "cassette")]

use std::time::Duration;

use chrono::{TimeZone, Utc};
use genesys_usage::cassette::RecordingTransport;
use genesys_usage::fake::{Clock, Dataset, FakeTransport};
use genesys_usage::{
    ApiUsageOrganizationQuery, Granularity, OrganizationGroupBy, OrganizationJobsGroupBy,
    OrganizationPublicApiUsageQueryRequest, UsageClient, WaitPolicy,
};

fn clock() -> Clock {
    Clock::frozen_at(Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap())
}

fn wait() -> WaitPolicy {
    WaitPolicy::fixed(Duration::from_millis(10), Duration::from_secs(30))
}

fn full_jobs(granularity: Option<Granularity>) -> OrganizationPublicApiUsageQueryRequest {
    let query =
        OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-07").with_group_by([
            OrganizationJobsGroupBy::OauthClientId,
            OrganizationJobsGroupBy::TemplateUri,
            OrganizationJobsGroupBy::HttpMethod,
        ]);
    match granularity {
        Some(g) => query.with_granularity(g),
        None => query,
    }
}

async fn jobs_requests(
    client: &UsageClient,
    query: &OrganizationPublicApiUsageQueryRequest,
) -> i64 {
    let handle = client
        .submit_usage_aggregates_query_job(query)
        .await
        .unwrap();
    handle.wait().await.unwrap();
    let rows = genesys_usage::collect_rows(handle.rows(Some(50)))
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

#[tokio::test(start_paused = true)]
async fn recorded_daily_results_become_a_dataset_that_answers_new_queries() {
    let recorder = RecordingTransport::new(FakeTransport::builder().clock(clock()).build());
    let sdk = UsageClient::with_transport(recorder.clone()).with_wait_policy(wait());
    let recorded_total = jobs_requests(&sdk, &full_jobs(Some(Granularity::Day))).await;
    assert!(recorded_total > 0);
    // The same days through the legacy service (which leaves Genesys's own
    // clients out), and a weekly query: neither may count twice.
    let legacy = ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08")
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationGroupBy::OAuthClientId,
            OrganizationGroupBy::TemplateUri,
            OrganizationGroupBy::HttpMethod,
        ]);
    sdk.run_usage_query(&legacy).await.unwrap();
    jobs_requests(&sdk, &full_jobs(Some(Granularity::Week))).await;

    let usage = recorder.cassette().usage_records("org-recorded");
    assert!(!usage.records.is_empty());
    assert!(
        usage.skipped.iter().any(|s| s.contains("granularity Week")),
        "{:?}",
        usage.skipped
    );
    let file_total: i64 = usage.records.iter().map(|r| r.requests()).sum();
    assert_eq!(file_total, recorded_total, "each day from one execution");

    let dir = std::env::temp_dir().join(format!("cassette-dataset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["usage.jsonl", "usage.csv"] {
        let path = dir.join(name);
        let mut bytes = Vec::new();
        if name.ends_with(".csv") {
            usage.write_csv(&mut bytes).unwrap();
        } else {
            usage.write_jsonl(&mut bytes).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        let dataset = Dataset::from_path(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        // A query never recorded (ungrouped daily totals) answers the recorded sum.
        let fake = FakeTransport::builder()
            .clock(clock())
            .dataset(dataset)
            .build();
        let client = UsageClient::with_transport(fake).with_wait_policy(wait());
        let ungrouped = OrganizationPublicApiUsageQueryRequest::new("2025-06-01/2025-06-07")
            .with_granularity(Granularity::Day);
        assert_eq!(
            jobs_requests(&client, &ungrouped).await,
            recorded_total,
            "{name}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
