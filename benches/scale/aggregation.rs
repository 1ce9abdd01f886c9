//! Curves 3 and 4 of issue 17: the engine's aggregation time against the
//! number of records in the dataset and against the number of groups.
//!
//! Datasets are built in code with `Dataset::from_records` from a lazy
//! iterator (the records are never all in memory at once, only the
//! dataset's own columns). Every record is distinct: user `i % users`, day
//! `(i / users) % 84` from 2025-01-01, template `i / (users × 84)`. The query
//! is an organisation query over those 84 days, grouped by user, by month.
//! Time is one submit + first read on a fresh engine (the first read
//! computes the rows), the median of a few runs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use genesys_usage::fake::{Dataset, Engine, EngineConfig, Lifecycle};
use genesys_usage::{ApiUsageOrganizationQuery, Granularity, OrganizationGroupBy, UsageRecord};

use crate::support::median;

/// Days the records spread over.
const DAYS: usize = 84;

/// One point of an aggregation curve.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Point {
    pub(crate) records: usize,
    pub(crate) users: usize,
    /// Rows (groups) the query returned.
    pub(crate) rows: usize,
    /// Time to load the dataset from the records.
    pub(crate) load: Duration,
    /// Median time of submit + first read.
    pub(crate) aggregate: Duration,
}

/// `records` distinct records over `users` users.
fn records(records: usize, users: usize) -> impl Iterator<Item = UsageRecord> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    (0..records).map(move |i| {
        let day = (i / users) % DAYS;
        let mut r = UsageRecord::new(start + chrono::Days::new(day as u64), Granularity::Day);
        r.organization_id = "org-scale".to_owned();
        r.oauth_client_id = "client-scale".to_owned();
        r.oauth_client_name = "Scale".to_owned();
        r.user_id = format!("user-{}", i % users);
        r.template_uri = format!("api/v2/scale/{}", i / (users * DAYS));
        r.http_method = "GET".to_owned();
        r.status200 = 1;
        r
    })
}

fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new("2025-01-01T00:00:00Z/2025-03-26T00:00:00Z")
        .with_granularity(Granularity::Month)
        .with_group_by([OrganizationGroupBy::UserId])
}

/// Loads a dataset and times the query over it `runs` times.
pub(crate) fn point(n: usize, users: usize, runs: usize) -> Point {
    let started = Instant::now();
    let dataset = Arc::new(Dataset::from_records(records(n, users)).expect("dataset"));
    let load = started.elapsed();
    let query = query();
    let mut rows = 0;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let engine = Engine::new(EngineConfig {
                lifecycle: Lifecycle::immediate(),
                ..EngineConfig::default()
            });
            engine.set_dataset(Arc::clone(&dataset));
            let started = Instant::now();
            let reply = engine.post_usage_query(&query, None).expect("submit");
            let id = reply.body.execution_id.expect("execution id");
            let read = engine
                .get_usage_query_execution_id_results(&id)
                .expect("read");
            let elapsed = started.elapsed().as_secs_f64();
            rows = read.body.results.map_or(0, |r| r.len());
            elapsed
        })
        .collect();
    Point {
        records: n,
        users,
        rows,
        load,
        aggregate: Duration::from_secs_f64(median(&mut times)),
    }
}
