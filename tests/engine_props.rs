//! Properties of the engine's aggregation: row invariants, grouping sums,
//! determinism and paging, for random queries and seeds.
#![cfg(feature = "fake")]

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use genesys_usage::fake::{Clock, Engine, EngineConfig, Lifecycle};
use genesys_usage::{
    ApiUsageOrganizationQuery, ApiUsageRow, ApiUsageSimpleSearch, Granularity, OrganizationGroupBy,
    OrganizationJobsGroupBy, OrganizationPublicApiUsage, OrganizationPublicApiUsageQueryRequest,
    PageRequest, SortOrder, UsageQuerySortBy,
};
use proptest::prelude::*;

fn engine(seed: u64) -> Engine {
    let config = EngineConfig {
        seed,
        lifecycle: Lifecycle::immediate(),
        ..EngineConfig::default()
    };
    Engine::with_clock(
        config,
        Clock::frozen_at(Utc.with_ymd_and_hms(2025, 7, 1, 9, 0, 0).unwrap()),
    )
}

fn legacy_rows(engine: &Engine, query: &ApiUsageOrganizationQuery) -> Vec<ApiUsageRow> {
    let id = engine
        .post_usage_query(query, None)
        .unwrap()
        .body
        .execution_id
        .unwrap();
    let reply = engine.get_usage_query_execution_id_results(&id).unwrap();
    reply.body.results.expect("an immediate query is complete")
}

fn job_pages(
    engine: &Engine,
    query: &OrganizationPublicApiUsageQueryRequest,
    size: u32,
) -> Vec<OrganizationPublicApiUsage> {
    let id = engine
        .post_usage_aggregates_query_jobs(query, None)
        .unwrap()
        .body
        .id;
    let mut page = PageRequest::with_page_size(size);
    let mut rows = Vec::new();
    for _ in 0..10_000 {
        let reply = engine.get_usage_aggregates_query_job(&id, &page).unwrap();
        rows.extend(reply.body.entities.unwrap_or_default());
        match reply
            .body
            .next_uri
            .as_deref()
            .and_then(PageRequest::from_next_uri)
        {
            Some(next) => page = next,
            None => return rows,
        }
    }
    panic!("paging did not end");
}

/// Counters of a legacy row: (200, 300, 400, 429, 500, requests).
type Totals = [i64; 6];

fn legacy_totals(r: &ApiUsageRow) -> Totals {
    let v = |x: Option<i64>| x.unwrap_or(0);
    [
        v(r.status200),
        v(r.status300),
        v(r.status400),
        v(r.status429),
        v(r.status500),
        v(r.requests),
    ]
}

fn add(a: &mut Totals, b: Totals) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// The dimension fields of a legacy row, with `drop` blanked.
fn legacy_key(r: &ApiUsageRow, drop: Option<&OrganizationGroupBy>) -> Vec<String> {
    let field = |g: OrganizationGroupBy, v: &Option<String>| {
        if drop == Some(&g) {
            String::new()
        } else {
            v.clone().unwrap_or_default()
        }
    };
    vec![
        r.date.clone().unwrap_or_default(),
        field(OrganizationGroupBy::OAuthClientId, &r.client_id),
        field(OrganizationGroupBy::OrganizationId, &r.organization_id),
        field(OrganizationGroupBy::UserId, &r.user_id),
        field(OrganizationGroupBy::TemplateUri, &r.template_uri),
        field(OrganizationGroupBy::HttpMethod, &r.http_method),
    ]
}

fn summed(
    rows: &[ApiUsageRow],
    drop: Option<&OrganizationGroupBy>,
) -> BTreeMap<Vec<String>, Totals> {
    let mut map = BTreeMap::new();
    for r in rows {
        add(
            map.entry(legacy_key(r, drop)).or_insert([0; 6]),
            legacy_totals(r),
        );
    }
    map
}

fn interval() -> impl Strategy<Value = String> {
    (0i64..170, 1i64..40).prop_map(|(offset, len)| {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(offset);
        format!("{}/{}", start, start + Duration::days(len))
    })
}

fn granularity() -> impl Strategy<Value = Option<Granularity>> {
    prop_oneof![
        Just(None),
        Just(Some(Granularity::Day)),
        Just(Some(Granularity::Week)),
        Just(Some(Granularity::Month))
    ]
}

fn legacy_group() -> impl Strategy<Value = Vec<OrganizationGroupBy>> {
    proptest::sample::subsequence(OrganizationGroupBy::KNOWN.to_vec(), 0..=5)
}

fn jobs_group() -> impl Strategy<Value = Vec<OrganizationJobsGroupBy>> {
    proptest::sample::subsequence(OrganizationJobsGroupBy::KNOWN.to_vec(), 0..=6)
}

/// The value of a jobs row's sortable field.
fn sort_value(r: &OrganizationPublicApiUsage, field: &str) -> (Option<i64>, Option<String>) {
    match field {
        "requestCount" => (r.request_count, None),
        "status200" => (r.status200, None),
        "status429" => (r.status429, None),
        "date" => (None, r.date.clone()),
        "templateUri" => (None, r.template_uri.clone()),
        _ => (None, r.platform.clone()),
    }
}

fn sort_by() -> impl Strategy<Value = Option<Vec<UsageQuerySortBy>>> {
    let field = proptest::sample::select(vec![
        "requestCount",
        "status200",
        "status429",
        "date",
        "templateUri",
        "platform",
    ]);
    let order = prop_oneof![Just(SortOrder::Asc), Just(SortOrder::Desc)];
    proptest::option::of(proptest::collection::vec((field, order), 1..3)).prop_map(|keys| {
        keys.map(|keys| {
            keys.into_iter()
                .map(|(f, o)| UsageQuerySortBy {
                    field_name: Some(f.to_owned()),
                    order: Some(o),
                })
                .collect()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn legacy_rows_keep_the_counter_invariants(seed in 0u64..1000, interval in interval(), g in granularity(), group in legacy_group()) {
        let query = ApiUsageOrganizationQuery { interval, granularity: g, metrics: None, group_by: Some(group) };
        for r in legacy_rows(&engine(seed), &query) {
            let [s200, s300, s400, s429, s500, requests] = legacy_totals(&r);
            prop_assert_eq!(requests, s200 + s300 + s400 + s500);
            prop_assert!(s429 <= s400);
            prop_assert!(s200 >= 0 && s300 >= 0 && s429 >= 0 && s500 >= 0);
        }
    }

    #[test]
    fn summing_out_any_grouped_dimension_gives_the_coarser_query(seed in 0u64..1000, interval in interval(), g in granularity(), group in legacy_group()) {
        let engine = engine(seed);
        let query = |group_by: Vec<OrganizationGroupBy>| ApiUsageOrganizationQuery {
            interval: interval.clone(), granularity: g.clone(), metrics: None, group_by: Some(group_by),
        };
        let fine = legacy_rows(&engine, &query(group.clone()));
        for dim in &group {
            let coarser: Vec<_> = group.iter().filter(|d| *d != dim).cloned().collect();
            let expected = summed(&legacy_rows(&engine, &query(coarser)), None);
            prop_assert_eq!(summed(&fine, Some(dim)), expected, "summing out {}", dim);
        }
        let mut total = [0; 6];
        fine.iter().for_each(|r| add(&mut total, legacy_totals(r)));
        let mut ungrouped = [0; 6];
        legacy_rows(&engine, &query(Vec::new())).iter().for_each(|r| add(&mut ungrouped, legacy_totals(r)));
        prop_assert_eq!(total, ungrouped);
    }

    #[test]
    fn same_query_and_seed_give_the_same_rows(seed in 0u64..1000, interval in interval(), g in granularity(), group in legacy_group()) {
        let query = ApiUsageOrganizationQuery { interval, granularity: g, metrics: None, group_by: Some(group) };
        prop_assert_eq!(legacy_rows(&engine(seed), &query), legacy_rows(&engine(seed), &query));
    }

    #[test]
    fn jobs_rows_keep_the_invariants_and_sum_to_the_totals(seed in 0u64..1000, interval in interval(), g in granularity(), group in jobs_group()) {
        let engine = engine(seed);
        let query = OrganizationPublicApiUsageQueryRequest { interval, granularity: g, group_by: Some(group), ..Default::default() };
        let rows = job_pages(&engine, &query, 1000);
        let mut total = 0;
        for r in &rows {
            let (s200, s300, s400, s429, s500) = (r.status200.unwrap(), r.status300.unwrap(), r.status400.unwrap(), r.status429.unwrap(), r.status500.unwrap());
            prop_assert_eq!(r.request_count.unwrap(), s200 + s300 + s400 + s500);
            prop_assert!(s429 <= s400);
            total += r.request_count.unwrap();
        }
        let totals = OrganizationPublicApiUsageQueryRequest { group_by: None, granularity: None, ..query };
        let expected: i64 = job_pages(&engine, &totals, 1000).iter().map(|r| r.request_count.unwrap()).sum();
        prop_assert_eq!(total, expected);
    }

    #[test]
    fn next_uri_paging_returns_every_row_once_in_order(seed in 0u64..1000, interval in interval(), group in jobs_group(), sort in sort_by(), size in 1u32..60) {
        let engine = engine(seed);
        let query = OrganizationPublicApiUsageQueryRequest { interval, granularity: Some(Granularity::Day), group_by: Some(group), sort_by: sort, ..Default::default() };
        let paged = job_pages(&engine, &query, size);
        if let Some(first) = query.sort_by.as_ref().and_then(|keys| keys.first()) {
            let field = first.field_name.as_deref().unwrap();
            for pair in paged.windows(2) {
                let (a, b) = (sort_value(&pair[0], field), sort_value(&pair[1], field));
                prop_assert!(if first.order == Some(SortOrder::Desc) { a >= b } else { a <= b }, "{} not sorted", field);
            }
        }
        prop_assert_eq!(paged, job_pages(&engine, &query, 1000));
    }

    #[test]
    fn cursor_paging_returns_every_row_once_in_order(seed in 0u64..1000, interval in interval(), size in 1u32..60) {
        let engine = engine(seed);
        let query = ApiUsageSimpleSearch::new(interval);
        let id = engine.post_usage_simplesearch(&query, None).unwrap().body.execution_id.unwrap();
        let all = engine.get_usage_simplesearch_execution_id_results(&id, &PageRequest::first()).unwrap().body;
        prop_assert!(all.cursors.is_none());
        let mut page = PageRequest::with_page_size(size);
        let mut rows = Vec::new();
        for _ in 0..10_000 {
            let body = engine.get_usage_simplesearch_execution_id_results(&id, &page).unwrap().body;
            rows.extend(body.results.unwrap());
            match body.cursors.and_then(|c| c.after) {
                Some(after) => page = PageRequest::with_page_size(size).after(after),
                None => break,
            }
        }
        prop_assert_eq!(rows, all.results.unwrap());
    }
}
