//! The jobs service counts both ends of its interval (spec §2), unlike the
//! half-open legacy interval.
#![cfg(feature = "fake")]

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use genesys_usage::fake::FakeTransport;
use genesys_usage::{
    ApiUsageOrganizationQuery, Granularity, OrganizationPublicApiUsageQueryRequest, UsageClient,
};

#[tokio::test(start_paused = true)]
async fn a_jobs_interval_of_dates_includes_its_end_day_but_a_legacy_one_does_not() {
    let client = UsageClient::with_transport(FakeTransport::new());
    let today = Utc::now().date_naive();
    let (first, last) = (today - Duration::days(3), today - Duration::days(1));
    let interval = format!("{first}/{last}");

    let jobs = client
        .run_usage_aggregates_query_job(
            &OrganizationPublicApiUsageQueryRequest::new(interval.clone())
                .with_granularity(Granularity::Day),
        )
        .await
        .unwrap();
    let legacy = client
        .run_usage_query(
            &ApiUsageOrganizationQuery::new(interval).with_granularity(Granularity::Day),
        )
        .await
        .unwrap();

    let job_days: BTreeSet<String> = jobs
        .entities
        .unwrap()
        .into_iter()
        .filter_map(|r| r.date)
        .collect();
    let legacy_days: BTreeSet<String> = legacy
        .results
        .unwrap()
        .into_iter()
        .filter_map(|r| r.date)
        .collect();
    assert_eq!(job_days.len(), 3, "{job_days:?}");
    assert!(job_days.contains(&last.to_string()));
    assert_eq!(legacy_days.len(), 2, "{legacy_days:?}");
}
