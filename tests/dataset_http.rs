//! Loaded datasets over HTTP: the mock server started with the fixture of
//! `fixtures/datasets/` (and one loaded through `PUT /__admin/dataset`)
//! answers every query kind with exactly the sums over the file, as the
//! fake does (`dataset_fake.rs`).
#![cfg(feature = "fake")]

#[path = "support/dataset_sums.rs"]
mod dataset_sums;

use std::sync::Arc;
use std::time::Duration;

use dataset_sums::{fixture_path, now};
use genesys_usage::fake::Dataset;
use genesys_usage::{UsageClient, WaitPolicy};
use genesys_usage_mock::{Config, MockServer};

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

/// A server on the fixture's time, with `dataset` loaded at start-up.
async fn server(dataset: Option<Dataset>) -> MockServer {
    MockServer::start(Config {
        dataset: dataset.map(Arc::new),
        clock_start: Some(now()),
        virtual_clock: true,
        ..Config::default()
    })
    .await
    .expect("the mock server starts on 127.0.0.1:0")
}

fn client(server: &MockServer) -> UsageClient {
    UsageClient::builder()
        .base_url(server.url())
        .client_credentials("mock-client-id", "mock-client-secret")
        .wait(quick_wait())
        .build()
        .expect("a loopback http client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_kind_over_http_totals_the_sums_over_the_file() {
    let server = server(Some(Dataset::from_path(fixture_path("csv")).unwrap())).await;
    let client = client(&server);
    dataset_sums::legacy_totals_equal_the_file(&client).await;
    dataset_sums::jobs_totals_equal_the_file(&client).await;
    dataset_sums::legacy_and_jobs_differ_by_the_genesys_clients(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dataset_put_through_the_admin_api_serves_the_same_totals() {
    let server = server(None).await;
    let body = std::fs::read(fixture_path("jsonl")).unwrap();
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(format!("{}/__admin/dataset", server.url()))
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let client = client(&server);
    dataset_sums::legacy_totals_equal_the_file(&client).await;
    dataset_sums::jobs_totals_equal_the_file(&client).await;
}
