//! Totals of the fixture dataset computed naively from the file, and the
//! checks that every query kind answers exactly those sums (spec §13a: "the
//! totals of any query equal the sums over the file"). Shared by the fake
//! and the HTTP tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use genesys_usage::{
    ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageRow, ApiUsageSimpleSearch,
    ClientGroupBy, ClientJobsGroupBy, ClientPublicApiUsageQueryRequest, Granularity,
    OrganizationGroupBy, OrganizationJobsGroupBy, OrganizationPublicApiUsageQueryRequest,
    UsageClient,
};
use serde_json::Value;

/// The fixture: 3 organisations, 22 clients (5 Genesys-owned), 70 days.
pub fn fixture_path(ext: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/datasets")
        .join(format!("three_orgs.{ext}"))
}

/// The emulation's now for these tests: after the fixture's last day, and
/// within a year of its first (the jobs limit).
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 20, 12, 0, 0).unwrap()
}

/// The main organisation: the first record's.
pub const MAIN_ORG: &str = "org-acme";

/// One record of the file, read naively from the JSON Lines copy.
#[derive(Debug, Clone)]
pub struct Rec {
    pub date: NaiveDate,
    pub org: String,
    pub client: String,
    pub client_name: String,
    pub owner: String,
    pub user: String,
    pub template: String,
    pub method: String,
    pub platform: String,
    pub counts: [i64; 5],
}

impl Rec {
    pub fn genesys(&self) -> bool {
        self.owner == "purecloud" || self.owner == "purecloud-builtin"
    }
}

/// Reads the JSON Lines fixture; client names and owners resolved as the
/// spec says (the name or owner any record gives; else the id and the
/// organisation of its first record).
pub fn records() -> Vec<Rec> {
    let text = std::fs::read_to_string(fixture_path("jsonl")).unwrap();
    let values: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let n = |v: &Value, k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    for v in &values {
        let id = s(v, "oauth_client_id");
        if !s(v, "oauth_client_name").is_empty() {
            names.insert(id.clone(), s(v, "oauth_client_name"));
        }
        if !s(v, "oauth_client_org_id").is_empty() {
            owners.insert(id.clone(), s(v, "oauth_client_org_id"));
        }
        owners.entry(id).or_insert_with(|| s(v, "organization_id"));
    }
    values
        .iter()
        .map(|v| {
            let id = s(v, "oauth_client_id");
            let platform = s(v, "platform");
            Rec {
                date: NaiveDate::parse_from_str(&s(v, "date"), "%Y-%m-%d").unwrap(),
                org: s(v, "organization_id"),
                client_name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                owner: owners[&id].clone(),
                client: id,
                user: s(v, "user_id"),
                template: s(v, "template_uri"),
                method: s(v, "http_method"),
                platform: if platform.is_empty() {
                    "PublicApi".into()
                } else {
                    platform
                },
                counts: [
                    n(v, "status200"),
                    n(v, "status300"),
                    n(v, "status400"),
                    n(v, "status429"),
                    n(v, "status500"),
                ],
            }
        })
        .collect()
}

/// Dimensions a sum is grouped on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dims {
    pub client: bool,
    pub org: bool,
    pub user: bool,
    pub template: bool,
    pub method: bool,
    pub platform: bool,
}

/// A row key: bucket date (`YYYY-MM-DD` or ""), then the grouped
/// dimensions (client id, org, user, template, method, platform; "" when not
/// grouped).
pub type Key = [String; 7];
/// status200, status300, status400, status429, status500.
pub type Sums = BTreeMap<Key, [i64; 5]>;

fn bucket(day: NaiveDate, g: Option<&Granularity>) -> String {
    let start = match g {
        None => return String::new(),
        Some(Granularity::Week) => {
            day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
        }
        Some(Granularity::Month) => day.with_day(1).unwrap(),
        Some(_) => day,
    };
    start.format("%Y-%m-%d").to_string()
}

/// The naive sums over `records` kept by `keep`, days `[first, end)`.
pub fn sums(
    records: &[Rec],
    first: NaiveDate,
    end: NaiveDate,
    g: Option<&Granularity>,
    d: Dims,
    keep: impl Fn(&Rec) -> bool,
) -> Sums {
    let mut out = Sums::new();
    for r in records
        .iter()
        .filter(|r| r.date >= first && r.date < end && keep(r))
    {
        let pick = |on: bool, v: &str| if on { v.to_owned() } else { String::new() };
        let key = [
            bucket(r.date, g),
            pick(d.client, &r.client),
            pick(d.org, &r.org),
            pick(d.user, &r.user),
            pick(d.template, &r.template),
            pick(d.method, &r.method),
            pick(d.platform, &r.platform),
        ];
        let e = out.entry(key).or_default();
        for (a, b) in e.iter_mut().zip(r.counts) {
            *a += b;
        }
    }
    out
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The sums of legacy rows, keyed like [`sums`].
pub fn legacy_sums(rows: &[ApiUsageRow]) -> Sums {
    let mut out = Sums::new();
    for r in rows {
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        let key = [
            r.date
                .as_deref()
                .map(|d| d[..10].to_owned())
                .unwrap_or_default(),
            t(&r.client_id),
            t(&r.organization_id),
            t(&r.user_id),
            t(&r.template_uri),
            t(&r.http_method),
            String::new(),
        ];
        let c = [
            r.status200,
            r.status300,
            r.status400,
            r.status429,
            r.status500,
        ]
        .map(|v| v.unwrap_or(0));
        assert_eq!(
            r.requests,
            Some(c[0] + c[1] + c[2] + c[4]),
            "requests is the sum of the classes: {r:?}"
        );
        let e: &mut [i64; 5] = out.entry(key).or_default();
        for (a, b) in e.iter_mut().zip(c) {
            *a += b;
        }
    }
    out
}

fn lacking(what: &str, expected: &Sums, got: &Sums) -> String {
    let missing: Vec<_> = expected
        .iter()
        .filter(|(k, v)| got.get(*k) != Some(v))
        .take(3)
        .collect();
    let extra: Vec<_> = got
        .iter()
        .filter(|(k, v)| expected.get(*k) != Some(v))
        .take(3)
        .collect();
    format!(
        "{what}: {} expected rows, {} served; differ e.g. expected {missing:?} served {extra:?}",
        expected.len(),
        got.len()
    )
}

/// Asserts two sums are equal, with a readable message.
pub fn assert_sums(what: &str, expected: &Sums, got: &Sums) {
    assert!(
        !expected.is_empty(),
        "{what}: the check must cover some rows"
    );
    assert!(expected == got, "{}", lacking(what, expected, got));
}

/// Every legacy query kind over several intervals, groupings and
/// granularities, against the naive sums (Genesys's own clients left out).
pub async fn legacy_totals_equal_the_file(client: &UsageClient) {
    let all = records();
    let legacy = |r: &Rec| !r.genesys();
    let cases: [(&str, Option<Granularity>, Vec<OrganizationGroupBy>, Dims); 4] = [
        (
            "2025-04-01/2025-06-10",
            Some(Granularity::Day),
            vec![
                OrganizationGroupBy::OAuthClientId,
                OrganizationGroupBy::TemplateUri,
            ],
            Dims {
                client: true,
                template: true,
                ..Dims::default()
            },
        ),
        (
            "2025-05-01/2025-05-15",
            Some(Granularity::Week),
            vec![],
            Dims::default(),
        ),
        (
            "2025-03-01/2025-07-01",
            Some(Granularity::Month),
            vec![
                OrganizationGroupBy::HttpMethod,
                OrganizationGroupBy::UserId,
                OrganizationGroupBy::OrganizationId,
            ],
            Dims {
                method: true,
                user: true,
                org: true,
                ..Dims::default()
            },
        ),
        (
            "2025-04-10/2025-04-20",
            None,
            vec![OrganizationGroupBy::OAuthClientId],
            Dims {
                client: true,
                ..Dims::default()
            },
        ),
    ];
    for (interval, g, group, dims) in cases {
        let (a, b) = interval.split_once('/').unwrap();
        let mut q = ApiUsageOrganizationQuery::new(interval).with_group_by(group);
        if let Some(g) = g.clone() {
            q = q.with_granularity(g);
        }
        let rows = client.run_usage_query(&q).await.unwrap().results.unwrap();
        let expected = sums(&all, day(a), day(b), g.as_ref(), dims, |r| {
            r.org == MAIN_ORG && legacy(r)
        });
        assert_sums(
            &format!("L1 {interval} {g:?}"),
            &expected,
            &legacy_sums(&rows),
        );
    }

    // L5: one client in every organisation it acted in.
    for id in ["initech-hub", "shared-monitor", "mock-client-id"] {
        let q = ApiUsageClientQuery::new("2025-04-01/2025-06-10")
            .with_granularity(Granularity::Day)
            .with_group_by([ClientGroupBy::OrganizationId, ClientGroupBy::TemplateUri]);
        let rows = client
            .run_oauth_client_usage_query(id, &q)
            .await
            .unwrap()
            .results
            .unwrap();
        let dims = Dims {
            org: true,
            template: true,
            ..Dims::default()
        };
        let expected = sums(
            &all,
            day("2025-04-01"),
            day("2025-06-10"),
            Some(&Granularity::Day),
            dims,
            |r| r.client == id,
        );
        assert_sums(&format!("L5 {id}"), &expected, &legacy_sums(&rows));
    }

    // L7: the last 30 whole days before now, per day and client.
    let rows = client
        .run_oauth_client_usage_summary("acme-crm", Some(30))
        .await
        .unwrap()
        .results
        .unwrap();
    let today = now().date_naive();
    let dims = Dims {
        client: true,
        ..Dims::default()
    };
    let expected = sums(
        &all,
        today - Duration::days(30),
        today,
        Some(&Granularity::Day),
        dims,
        |r| r.client == "acme-crm",
    );
    assert_sums("L7 acme-crm 30 days", &expected, &legacy_sums(&rows));

    // L3: the simple search's columns (day, client name, method, template).
    let q = ApiUsageSimpleSearch::new("2025-05-01/2025-05-31");
    let rows = client
        .run_usage_simplesearch(&q)
        .await
        .unwrap()
        .results
        .unwrap();
    let mut got: BTreeMap<[String; 4], [i64; 5]> = BTreeMap::new();
    for r in &rows {
        let key = [
            r.date.as_deref().unwrap()[..10].to_owned(),
            r.client_name.clone().unwrap(),
            r.http_method.clone().unwrap(),
            r.template_uri.clone().unwrap(),
        ];
        let c = [
            r.status200,
            r.status300,
            r.status400,
            r.status429,
            r.status500,
        ]
        .map(|v| v.unwrap());
        let e = got.entry(key).or_default();
        for (a, b) in e.iter_mut().zip(c) {
            *a += b;
        }
    }
    let mut expected: BTreeMap<[String; 4], [i64; 5]> = BTreeMap::new();
    for r in all.iter().filter(|r| {
        r.org == MAIN_ORG && legacy(r) && r.date >= day("2025-05-01") && r.date < day("2025-05-31")
    }) {
        let key = [
            r.date.format("%Y-%m-%d").to_string(),
            r.client_name.clone(),
            r.method.clone(),
            r.template.clone(),
        ];
        let e = expected.entry(key).or_default();
        for (a, b) in e.iter_mut().zip(r.counts) {
            *a += b;
        }
    }
    assert!(!expected.is_empty());
    assert_eq!(expected, got, "L3 simple search");
}

/// The jobs queries (both ends inclusive; Genesys's own clients included).
pub async fn jobs_totals_equal_the_file(client: &UsageClient) {
    let all = records();
    let q = OrganizationPublicApiUsageQueryRequest::new("2025-04-01/2025-06-09")
        .with_granularity(Granularity::Day)
        .with_group_by([
            OrganizationJobsGroupBy::OauthClientId,
            OrganizationJobsGroupBy::TemplateUri,
            OrganizationJobsGroupBy::Platform,
        ]);
    let result = client.run_usage_aggregates_query_job(&q).await.unwrap();
    let mut got = Sums::new();
    for r in result.entities.unwrap() {
        let key = [
            r.date.clone().unwrap(),
            r.oauth_client.as_ref().and_then(|c| c.id.clone()).unwrap(),
            String::new(),
            String::new(),
            r.template_uri.clone().unwrap(),
            String::new(),
            r.platform.clone().unwrap(),
        ];
        let c = [
            r.status200,
            r.status300,
            r.status400,
            r.status429,
            r.status500,
        ]
        .map(|v| v.unwrap());
        assert_eq!(r.request_count, Some(c[0] + c[1] + c[2] + c[4]));
        let e = got.entry(key).or_default();
        for (a, b) in e.iter_mut().zip(c) {
            *a += b;
        }
    }
    let dims = Dims {
        client: true,
        template: true,
        platform: true,
        ..Dims::default()
    };
    let expected = sums(
        &all,
        day("2025-04-01"),
        day("2025-06-10"),
        Some(&Granularity::Day),
        dims,
        |r| r.org == MAIN_ORG,
    );
    assert_sums("N1 by client, template, platform", &expected, &got);

    // N3: a Genesys-owned client's usage across the organisations.
    let q = ClientPublicApiUsageQueryRequest::new("2025-04-01/2025-06-09").with_group_by([
        ClientJobsGroupBy::OrganizationId,
        ClientJobsGroupBy::HttpMethod,
    ]);
    let result = client
        .run_usage_client_aggregates_query_job("gc-web-app", &q)
        .await
        .unwrap();
    let mut got = Sums::new();
    for r in result.entities.unwrap() {
        let key = [
            String::new(),
            String::new(),
            r.organization_id.clone().unwrap(),
            String::new(),
            String::new(),
            r.http_method.as_ref().unwrap().to_string(),
            String::new(),
        ];
        let c = [
            r.status200,
            r.status300,
            r.status400,
            r.status429,
            r.status500,
        ]
        .map(|v| v.unwrap());
        let e = got.entry(key).or_default();
        for (a, b) in e.iter_mut().zip(c) {
            *a += b;
        }
    }
    let dims = Dims {
        org: true,
        method: true,
        ..Dims::default()
    };
    let expected = sums(
        &all,
        day("2025-04-01"),
        day("2025-06-10"),
        None,
        dims,
        |r| r.client == "gc-web-app",
    );
    assert_sums("N3 gc-web-app", &expected, &got);
}

/// Legacy and jobs totals of the same days differ by exactly the requests
/// of Genesys's own clients.
pub async fn legacy_and_jobs_differ_by_the_genesys_clients(client: &UsageClient) {
    let all = records();
    let legacy = client
        .run_usage_query(&ApiUsageOrganizationQuery::new("2025-05-01/2025-06-01").with_group_by([]))
        .await
        .unwrap()
        .results
        .unwrap();
    let jobs = client
        .run_usage_aggregates_query_job(&OrganizationPublicApiUsageQueryRequest::new(
            "2025-05-01/2025-05-31",
        ))
        .await
        .unwrap()
        .entities
        .unwrap();
    assert_eq!((legacy.len(), jobs.len()), (1, 1), "totals are one row");
    let genesys: i64 = all
        .iter()
        .filter(|r| {
            r.org == MAIN_ORG
                && r.genesys()
                && r.date >= day("2025-05-01")
                && r.date < day("2025-06-01")
        })
        .map(|r| r.counts[0] + r.counts[1] + r.counts[2] + r.counts[4])
        .sum();
    assert!(genesys > 0, "the fixture has Genesys-owned traffic in May");
    assert_eq!(
        jobs[0].request_count.unwrap() - legacy[0].requests.unwrap(),
        genesys
    );
}
