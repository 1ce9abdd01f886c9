//! Loaded datasets on the fake: the fixture under `fixtures/datasets/`
//! answered by every query kind with exactly the sums over the file; CSV,
//! JSON Lines and records built in code load to the same data; a load never
//! changes a query already submitted.
#![cfg(feature = "fake")]

#[path = "support/dataset_sums.rs"]
mod dataset_sums;

use std::time::Duration;

use dataset_sums::{MAIN_ORG, fixture_path, now};
use genesys_usage::fake::{Clock, Dataset, DatasetFormat, FakeTransport};
use genesys_usage::{
    ApiUsageOrganizationQuery, Granularity, OrganizationGroupBy, UsageClient, UsageRecord,
    UsageTransport, WaitPolicy,
};

fn quick_wait() -> WaitPolicy {
    WaitPolicy {
        first_poll_delay: Duration::ZERO,
        initial_delay: Duration::from_millis(5),
        multiplier: 1.5,
        max_delay: Duration::from_millis(20),
        deadline: Duration::from_secs(20),
        max_polls: Some(50),
    }
}

fn fake_over(dataset: Dataset) -> FakeTransport {
    FakeTransport::builder()
        .clock(Clock::frozen_at(now()))
        .dataset(dataset)
        .build()
}

fn client(fake: &FakeTransport) -> UsageClient {
    UsageClient::with_transport(fake.clone()).with_wait_policy(quick_wait())
}

fn csv_fixture() -> Dataset {
    Dataset::from_path(fixture_path("csv")).expect("the fixture loads")
}

#[tokio::test(start_paused = true)]
async fn every_legacy_query_totals_the_sums_over_the_file() {
    let fake = fake_over(csv_fixture());
    dataset_sums::legacy_totals_equal_the_file(&client(&fake)).await;
}

#[tokio::test(start_paused = true)]
async fn every_jobs_query_totals_the_sums_over_the_file() {
    let fake = fake_over(csv_fixture());
    dataset_sums::jobs_totals_equal_the_file(&client(&fake)).await;
}

#[tokio::test(start_paused = true)]
async fn legacy_and_jobs_totals_differ_by_exactly_the_genesys_clients() {
    let fake = fake_over(csv_fixture());
    dataset_sums::legacy_and_jobs_differ_by_the_genesys_clients(&client(&fake)).await;
}

#[tokio::test(start_paused = true)]
async fn the_jsonl_copy_serves_the_same_totals() {
    let fake = fake_over(Dataset::from_path(fixture_path("jsonl")).unwrap());
    dataset_sums::legacy_totals_equal_the_file(&client(&fake)).await;
    dataset_sums::jobs_totals_equal_the_file(&client(&fake)).await;
}

#[test]
fn the_fixture_holds_what_its_readme_promises() {
    let summary = csv_fixture().summary();
    assert_eq!(summary.source, "loaded");
    assert_eq!(summary.main_organization_id, MAIN_ORG);
    assert_eq!(summary.organizations.len(), 3);
    assert!(summary.clients.len() >= 20, "{}", summary.clients.len());
    assert!(summary.days.unwrap() >= 60);
    let genesys = summary
        .clients
        .iter()
        .filter(|c| c.owner_organization_id.starts_with("purecloud"))
        .count();
    assert_eq!(genesys, 5);
    let names: Vec<&str> = summary.clients.iter().map(|c| c.name.as_str()).collect();
    assert!(names.is_sorted(), "clients are sorted by name");
    assert!(names.contains(&"Reports, nightly") && names.contains(&"Agent \"Desktop\""));
    let hub = summary
        .clients
        .iter()
        .find(|c| c.id == "initech-hub")
        .unwrap();
    assert_eq!(hub.organization_ids.len(), 3);
    // Duplicate keys are summed on load: fewer records than lines.
    let lines = std::fs::read_to_string(fixture_path("csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(summary.records.unwrap() < lines);
}

fn record(day: u32, org: &str, client: &str, s200: i64) -> UsageRecord {
    let mut r = UsageRecord::new(
        chrono::NaiveDate::from_ymd_opt(2025, 6, day).unwrap(),
        Granularity::Day,
    );
    r.organization_id = org.into();
    r.oauth_client_id = client.into();
    r.template_uri = "api/v2/users".into();
    r.http_method = "GET".into();
    r.status200 = s200;
    r
}

async fn totals(fake: &FakeTransport, interval: &str) -> i64 {
    let q = ApiUsageOrganizationQuery::new(interval).with_group_by([]);
    let rows = client(fake)
        .run_usage_query(&q)
        .await
        .unwrap()
        .results
        .unwrap();
    rows.iter().map(|r| r.requests.unwrap()).sum()
}

#[tokio::test(start_paused = true)]
async fn records_built_in_code_are_served_and_same_keys_are_summed() {
    let dataset = Dataset::from_records([
        record(2, "org-x", "c1", 5),
        record(2, "org-x", "c1", 7),
        record(3, "org-x", "c2", 11),
        record(3, "org-y", "c2", 1000),
    ])
    .unwrap();
    assert_eq!(dataset.summary().records, Some(3));
    let fake = fake_over(dataset);
    assert_eq!(totals(&fake, "2025-06-01/2025-06-10").await, 5 + 7 + 11);
    assert_eq!(totals(&fake, "2025-06-03/2025-06-04").await, 11);
    let q = ApiUsageOrganizationQuery::new("2025-06-01/2025-06-10")
        .with_granularity(Granularity::Day)
        .with_group_by([OrganizationGroupBy::OAuthClientId]);
    let rows = client(&fake)
        .run_usage_query(&q)
        .await
        .unwrap()
        .results
        .unwrap();
    let names: Vec<_> = rows
        .iter()
        .map(|r| r.client_name.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        ["c1", "c2"],
        "a client without a name is named by its id"
    );
}

#[tokio::test(start_paused = true)]
async fn a_dataset_loaded_later_serves_new_queries_and_not_running_ones() {
    let first = Dataset::from_records([record(2, "org-x", "c1", 5)]).unwrap();
    let fake = fake_over(first);
    let q = ApiUsageOrganizationQuery::new("2025-06-01/2025-06-10").with_group_by([]);
    let before = fake
        .post_usage_query(&q)
        .await
        .unwrap()
        .body
        .execution_id
        .unwrap();
    let csv = "oauth_client_id,organization_id,date,template_uri,http_method,status200,status300,status400,status500\n\
               c9,org-x,2025-06-04,api/v2/users,POST,40,0,2,0\n";
    let second = Dataset::from_reader("later.csv", DatasetFormat::Csv, csv.as_bytes()).unwrap();
    fake.engine().set_dataset(second);
    assert_eq!(totals(&fake, "2025-06-01/2025-06-10").await, 42);
    let handle = client(&fake).resume_usage_query(before);
    let rows = handle.wait().await.unwrap().results.unwrap();
    assert_eq!(
        rows[0].requests,
        Some(5),
        "submitted before the load: the old data"
    );
}

#[tokio::test(start_paused = true)]
async fn there_is_no_data_for_today_even_when_the_file_has_some() {
    let today = now().date_naive();
    let mut r = record(1, "org-x", "c1", 3);
    r.date = today;
    let mut yesterday = record(1, "org-x", "c1", 4);
    yesterday.date = today.pred_opt().unwrap();
    let fake = fake_over(Dataset::from_records([r, yesterday]).unwrap());
    assert_eq!(totals(&fake, "2025-06-01/2025-06-30").await, 4);
}
