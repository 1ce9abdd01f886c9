//! The real service's data rules (spec §13b), on the fake and over HTTP:
//! the caller's own client has rows, no day shows before its cut-over, the
//! simple search stops at 20,000 records (and the SDK says so), and the
//! jobs interval limits hold at their edges.
#![cfg(feature = "fake")]

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use genesys_usage::fake::{Clock, Dataset, Engine, EngineConfig, FakeTransport, Lifecycle};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageSimpleSearch,
    ClientPublicApiUsageQueryRequest, Granularity, OrganizationPublicApiUsageQueryRequest,
    SIMPLE_SEARCH_MAX_RECORDS, UsageClient, UsageRecord, WaitPolicy,
};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_mock_credential_has_rows_for_its_own_client() {
    let server = MockServer::start(Config::default()).await.unwrap();
    let client = UsageClient::builder()
        .base_url(server.url())
        .client_credentials("mock-client-id", "mock-client-secret")
        .wait(quick_wait())
        .build()
        .unwrap();
    let today = Utc::now().date_naive();
    let interval = format!("{}/{today}", today - chrono::Days::new(7));

    let legacy = client
        .run_oauth_client_usage_query("mock-client-id", &ApiUsageClientQuery::new(&*interval))
        .await
        .unwrap();
    let rows = legacy.results.unwrap();
    assert!(!rows.is_empty(), "L5 for the caller's own client has rows");
    assert!(
        rows.iter()
            .all(|r| r.client_id.as_deref() == Some("mock-client-id")),
        "{rows:?}"
    );

    let summary = client
        .run_oauth_client_usage_summary("mock-client-id", Some(7))
        .await
        .unwrap();
    assert!(!summary.results.unwrap().is_empty(), "L7 too");

    let jobs = client
        .run_usage_client_aggregates_query_job(
            "mock-client-id",
            &ClientPublicApiUsageQueryRequest::new(&*interval),
        )
        .await
        .unwrap();
    assert!(!jobs.entities.unwrap().is_empty(), "N3 too");

    let clients = server.engine().dataset().clients();
    let own = clients.iter().find(|c| c.id == "mock-client-id").unwrap();
    assert!(!own.user_grant);
    assert_eq!(
        own.owner_organization_id,
        server.engine().dataset().main_organization_id()
    );
}

/// Total requests of the main organisation per day over `interval`.
async fn days_with_rows(fake: &FakeTransport, interval: &str) -> Vec<NaiveDate> {
    let query = ApiUsageOrganizationQuery::new(interval)
        .with_granularity(Granularity::Day)
        .with_group_by([]);
    let rows = UsageClient::with_transport(fake.clone())
        .with_wait_policy(quick_wait())
        .run_usage_query(&query)
        .await
        .unwrap()
        .results
        .unwrap_or_default();
    let mut days: Vec<NaiveDate> = rows
        .iter()
        .map(|r| r.date.as_deref().unwrap()[..10].parse().unwrap())
        .collect();
    days.dedup();
    days
}

#[tokio::test(start_paused = true)]
async fn no_day_shows_before_its_cut_over_hour_and_today_never_does() {
    let clock = Clock::frozen_at(Utc.with_ymd_and_hms(2025, 6, 20, 3, 0, 0).unwrap());
    let fake = FakeTransport::builder()
        .clock(clock.clone())
        .config(EngineConfig {
            data_lag: Duration::from_secs(6 * 3600),
            lifecycle: Lifecycle::immediate(),
            ..EngineConfig::default()
        })
        .build();
    let day = |d| NaiveDate::from_ymd_opt(2025, 6, d).unwrap();
    let interval = "2025-06-17/2025-06-22";
    assert_eq!(
        days_with_rows(&fake, interval).await,
        [day(17), day(18)],
        "at 03:00 with a 6 h lag, the 19th is not complete yet"
    );
    clock.advance(Duration::from_secs(3 * 3600));
    assert_eq!(
        days_with_rows(&fake, interval).await,
        [day(17), day(18), day(19)],
        "at 06:00 the 19th appears; the 20th (today) does not"
    );
    clock.advance(Duration::from_secs(17 * 3600));
    assert_eq!(days_with_rows(&fake, interval).await.last(), Some(&day(19)));
}

#[tokio::test(start_paused = true)]
async fn without_a_lag_yesterday_is_complete_and_today_has_no_rows() {
    let clock = Clock::frozen_at(Utc.with_ymd_and_hms(2025, 6, 20, 0, 0, 1).unwrap());
    let fake = FakeTransport::builder()
        .clock(clock)
        .lifecycle(Lifecycle::immediate())
        .build();
    let days = days_with_rows(&fake, "2025-06-18/2025-06-22").await;
    let day = |d| NaiveDate::from_ymd_opt(2025, 6, d).unwrap();
    assert_eq!(days, [day(18), day(19)]);
}

#[tokio::test(start_paused = true)]
async fn the_simple_search_stops_at_20000_records_and_says_it_may_be_truncated() {
    // 30 days x 800 templates = 24,000 distinct simple-search rows.
    let records = (1..=30u32).flat_map(|d| {
        (0..800).map(move |t| {
            let mut r = UsageRecord::new(
                NaiveDate::from_ymd_opt(2025, 5, d).unwrap(),
                Granularity::Day,
            );
            r.organization_id = "org-a".into();
            r.oauth_client_id = "c1".into();
            r.template_uri = format!("api/v2/things/{t}");
            r.http_method = "GET".into();
            r.status200 = 1;
            r
        })
    });
    let fake = FakeTransport::builder()
        .clock(Clock::frozen_at(
            Utc.with_ymd_and_hms(2025, 6, 20, 12, 0, 0).unwrap(),
        ))
        .lifecycle(Lifecycle::immediate())
        .dataset(Dataset::from_records(records).unwrap())
        .build();
    let client = UsageClient::with_transport(fake).with_wait_policy(quick_wait());
    let result = client
        .run_usage_simplesearch(&ApiUsageSimpleSearch::new("2025-05-01/2025-06-01"))
        .await
        .unwrap();
    assert_eq!(
        result.results.as_ref().unwrap().len(),
        SIMPLE_SEARCH_MAX_RECORDS
    );
    assert!(result.may_be_truncated());

    let small = client
        .run_usage_simplesearch(&ApiUsageSimpleSearch::new("2025-05-01/2025-05-20"))
        .await
        .unwrap();
    assert_eq!(small.results.as_ref().unwrap().len(), 19 * 800);
    assert!(!small.may_be_truncated());
}

#[test]
fn the_jobs_interval_limits_hold_at_their_edges() {
    let now = Utc.with_ymd_and_hms(2025, 6, 20, 12, 0, 0).unwrap();
    let engine = Engine::with_clock(EngineConfig::default(), Clock::frozen_at(now));
    let org = |interval: &str| {
        engine
            .post_usage_aggregates_query_jobs(
                &OrganizationPublicApiUsageQueryRequest::new(interval),
                None,
            )
            .map(|_| ())
            .map_err(|f| (f.status, f.body.details.unwrap()[0].field_name.clone()))
    };
    let client = |interval: &str| {
        engine
            .post_usage_client_aggregates_query_jobs(
                "c1",
                &ClientPublicApiUsageQueryRequest::new(interval),
                None,
            )
            .map(|_| ())
            .map_err(|f| f.status)
    };
    let interval = Some("interval".to_owned());
    // Start: at most a year before now, inclusive.
    assert_eq!(org("2024-06-20T12:00:00Z/2024-07-01T00:00:00Z"), Ok(()));
    assert_eq!(
        org("2024-06-20T11:59:59Z/2024-07-01T00:00:00Z"),
        Err((400, interval.clone()))
    );
    // Length: at most 90 days, inclusive.
    assert_eq!(org("2025-01-01T00:00:00Z/2025-04-01T00:00:00Z"), Ok(()));
    assert_eq!(
        org("2025-01-01T00:00:00Z/2025-04-01T00:00:01Z"),
        Err((400, interval))
    );
    assert_eq!(
        client("2025-01-01T00:00:00Z/2025-04-01T00:00:01Z"),
        Err(400)
    );
    assert_eq!(client("2025-01-01T00:00:00Z/2025-04-01T00:00:00Z"), Ok(()));
}
