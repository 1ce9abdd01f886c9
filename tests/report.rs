//! `genesys_usage::report` over a store filled with the fixture dataset:
//! every figure of the JSON report equals the same figure computed naively
//! from the dataset file here; snapshots of the terminal view (no colour)
//! and of the HTML page's text.
#![cfg(feature = "report")]

#[path = "support/dataset_sums.rs"]
mod dataset_sums;
#[path = "support/report_store.rs"]
mod report_store;

use chrono::{Days, NaiveDate};
use dataset_sums::{Rec, records};
use genesys_usage::report::{Report, ReportOptions};
use genesys_usage::sync::open_store;
use serde_json::{Value, json};

/// requests, 2xx, 3xx, 4xx, 429, 5xx of `recs`.
fn sums<'a>(recs: impl Iterator<Item = &'a Rec>) -> [i64; 6] {
    let mut s = [0; 6];
    for r in recs {
        let [a, b, c, d, e] = r.counts;
        s[0] += a + b + c + e;
        s[1] += a;
        s[2] += b;
        s[3] += c;
        s[4] += d;
        s[5] += e;
    }
    s
}

fn ratio(a: i64, b: i64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn change(now: i64, before: i64) -> Value {
    if before == 0 {
        Value::Null
    } else {
        json!((now - before) as f64 / before as f64)
    }
}

/// What the report must say about the records `sel` of the days `days`.
struct Expect<'a> {
    sel: Vec<&'a Rec>,
    days: Vec<NaiveDate>,
    total: i64,
}

impl<'a> Expect<'a> {
    fn new(recs: &'a [Rec], since: NaiveDate, until: NaiveDate, org: Option<&str>) -> Self {
        let sel: Vec<&Rec> = recs
            .iter()
            .filter(|r| r.date >= since && r.date <= until && org.is_none_or(|o| o == r.org))
            .collect();
        let days: Vec<NaiveDate> = since.iter_days().take_while(|d| *d <= until).collect();
        let total = sums(sel.iter().copied())[0];
        Self { sel, days, total }
    }

    fn daily(&self, keep: impl Fn(&Rec) -> bool) -> Vec<i64> {
        let days = self.days.iter();
        days.map(|d| sums(self.sel.iter().copied().filter(|r| r.date == *d && keep(r)))[0])
            .collect()
    }

    /// The usage figures of the records `keep` selects, as the JSON spells them.
    fn usage(&self, keep: impl Fn(&Rec) -> bool + Copy) -> Value {
        let s = sums(self.sel.iter().copied().filter(|r| keep(r)));
        json!({
            "requests": s[0], "status200": s[1], "status300": s[2], "status400": s[3],
            "status429": s[4], "status500": s[5],
            "share": ratio(s[0], self.total), "share429": ratio(s[4], s[0]),
            "share5xx": ratio(s[5], s[0]), "daily": self.daily(keep),
        })
    }

    fn day(&self, i: usize) -> Value {
        let d = |i: usize| self.daily(|_| true)[i];
        let s = sums(self.sel.iter().copied().filter(|r| r.date == self.days[i]));
        json!({
            "date": self.days[i], "requests": s[0], "status200": s[1], "status300": s[2],
            "status400": s[3], "status429": s[4], "status500": s[5],
            "day_over_day": if i >= 1 { change(d(i), d(i - 1)) } else { Value::Null },
            "week_over_week": if i >= 7 { change(d(i), d(i - 7)) } else { Value::Null },
        })
    }

    /// Keys of `sel` sorted by `by` descending (ties by key), positive only, top 10.
    fn ranked<K: Ord + Clone>(&self, key: impl Fn(&Rec) -> K, by: usize) -> Vec<K> {
        let mut keys: Vec<K> = self.sel.iter().map(|r| key(r)).collect();
        keys.sort();
        keys.dedup();
        let figure = |k: &K| sums(self.sel.iter().copied().filter(|r| key(r) == *k))[by];
        keys.retain(|k| figure(k) > 0);
        keys.sort_by_key(|k| (std::cmp::Reverse(figure(k)), k.clone()));
        keys.truncate(10);
        keys
    }

    fn clients(&self, by: usize) -> Value {
        let name = |id: &str| {
            self.sel
                .iter()
                .find(|r| r.client == id)
                .unwrap()
                .client_name
                .clone()
        };
        Value::Array(
            self.ranked(|r| r.client.clone(), by)
                .into_iter()
                .map(|id| {
                    let mut v = self.usage(|r| r.client == id);
                    v["id"] = json!(id);
                    v["name"] = json!(name(&id));
                    v
                })
                .collect(),
        )
    }

    fn templates(&self, by: usize) -> Value {
        let keys = self.ranked(|r| (r.template.clone(), r.method.clone()), by);
        Value::Array(
            keys.into_iter()
                .map(|(t, m)| {
                    let mut v = self.usage(|r| r.template == t && r.method == m);
                    v["template"] = json!(t);
                    v["method"] = json!(m);
                    v
                })
                .collect(),
        )
    }

    fn period(&self, len: usize, keep: impl Fn(&Rec) -> bool) -> (i64, i64, Value) {
        let d = self.daily(keep);
        let n = d.len();
        let (now, before) = (
            d[n - len..].iter().sum(),
            d[n - 2 * len..n - len].iter().sum(),
        );
        let v = json!({
            "since": self.days[n - len], "until": self.days[n - 1],
            "requests": now, "previous": before, "change": change(now, before),
        });
        (now, before, v)
    }

    fn growing(&self) -> Value {
        let len = (self.days.len() / 2).min(7);
        let mut ids: Vec<String> = self.sel.iter().map(|r| r.client.clone()).collect();
        ids.sort();
        ids.dedup();
        let mut rows: Vec<(i64, String, Value)> = ids
            .into_iter()
            .filter_map(|id| {
                let (now, before, mut v) = self.period(len, |r| r.client == id);
                let name = self
                    .sel
                    .iter()
                    .find(|r| r.client == id)
                    .unwrap()
                    .client_name
                    .clone();
                v["id"] = json!(id);
                v["name"] = json!(name);
                v["increase"] = json!(now - before);
                (now > before).then_some((now - before, id, v))
            })
            .collect();
        rows.sort_by(|a, b| (b.0, &a.1).cmp(&(a.0, &b.1)));
        Value::Array(rows.into_iter().take(10).map(|r| r.2).collect())
    }

    fn organizations(&self) -> Value {
        let mut orgs: Vec<String> = self.sel.iter().map(|r| r.org.clone()).collect();
        orgs.sort();
        orgs.dedup();
        let req = |o: &str| sums(self.sel.iter().copied().filter(|r| r.org == o))[0];
        orgs.sort_by_key(|o| (std::cmp::Reverse(req(o)), o.clone()));
        Value::Array(
            orgs.into_iter()
                .map(|o| {
                    let mut v = self.usage(|r| r.org == o);
                    v["id"] = json!(o);
                    v
                })
                .collect(),
        )
    }
}

async fn report(since: NaiveDate, until: NaiveDate, org: Option<&str>) -> Report {
    let location = report_store::filled_store(&format!("figures-{}", org.unwrap_or("all"))).await;
    let store = open_store(&location).await.unwrap();
    let mut options = ReportOptions::days(since, until);
    if let Some(org) = org {
        options = options.organization(org);
    }
    Report::from_store(store.as_ref(), &options).await.unwrap()
}

fn check_every_figure(json: &Value, e: &Expect<'_>) {
    let s = sums(e.sel.iter().copied());
    let mut keys: Vec<_> = e
        .sel
        .iter()
        .map(|r| {
            (
                r.date,
                &r.org,
                &r.client,
                &r.user,
                &r.template,
                &r.method,
                &r.platform,
            )
        })
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(json["records"], json!(keys.len()), "records: one per key");
    assert_eq!(
        json["totals"],
        json!({"requests": s[0], "status200": s[1], "status300": s[2], "status400": s[3],
               "status429": s[4], "status500": s[5]}),
        "totals"
    );
    assert!(s[4] > 0 && s[5] > 0, "the fixture has 429s and 5xx to rank");
    let days: Vec<Value> = (0..e.days.len()).map(|i| e.day(i)).collect();
    assert_eq!(json["days"], Value::Array(days.clone()), "days");
    let mut busiest: Vec<Value> = days
        .into_iter()
        .filter(|d| d["requests"] != json!(0))
        .collect();
    busiest.sort_by_key(|d| {
        (
            std::cmp::Reverse(d["requests"].as_i64()),
            d["date"].to_string(),
        )
    });
    busiest.truncate(5);
    assert_eq!(json["busiest_days"], Value::Array(busiest), "busiest_days");
    assert_eq!(
        json["growth"]["day_over_day"],
        e.period(1, |_| true).2,
        "day over day"
    );
    assert_eq!(
        json["growth"]["week_over_week"],
        e.period(7, |_| true).2,
        "week over week"
    );
    assert_eq!(json["organizations"], e.organizations(), "organizations");
    assert_eq!(json["top_clients"], e.clients(0), "top_clients");
    assert_eq!(json["top_templates"], e.templates(0), "top_templates");
    assert_eq!(json["most_429_clients"], e.clients(4), "most_429_clients");
    assert_eq!(
        json["most_429_templates"],
        e.templates(4),
        "most_429_templates"
    );
    assert_eq!(json["growing_clients"], e.growing(), "growing_clients");
}

#[tokio::test]
async fn every_figure_of_the_json_report_equals_the_sums_over_the_dataset_file() {
    let recs = records();
    let (first, last) = report_store::fixture_days(&recs);
    let since = first + Days::new(10);
    let report = report(since, last, None).await;
    let json = serde_json::to_value(&report).unwrap();
    check_every_figure(&json, &Expect::new(&recs, since, last, None));
    assert_eq!(json["organizations"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_report_for_one_organisation_counts_only_its_records() {
    let recs = records();
    let (first, last) = report_store::fixture_days(&recs);
    let until = last - Days::new(5);
    let report = report(first, until, Some("org-globex")).await;
    let json = serde_json::to_value(&report).unwrap();
    check_every_figure(&json, &Expect::new(&recs, first, until, Some("org-globex")));
    assert_eq!(json["organization_id"], json!("org-globex"));
}

/// The fixture's last 28 days: the report the snapshots show.
async fn snapshot_report() -> Report {
    let recs = records();
    let (_, last) = report_store::fixture_days(&recs);
    report(last - Days::new(27), last, None).await
}

#[tokio::test]
async fn the_terminal_view_without_colour() {
    let text = snapshot_report().await.to_terminal(false);
    assert!(!text.contains('\x1b'), "no escape codes without colour");
    insta::assert_snapshot!("report_terminal", text);
}

#[tokio::test]
async fn the_terminal_view_with_colour_only_adds_escape_codes() {
    let report = snapshot_report().await;
    let coloured = report.to_terminal(true);
    assert!(coloured.contains("\x1b["), "colours when asked");
    let stripped = strip_ansi(&coloured);
    assert_eq!(stripped, report.to_terminal(false));
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte (a letter).
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test]
async fn the_html_page_text() {
    let html = snapshot_report().await.to_html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "http://", "https://", "@import", "url(http"] {
        let found = html.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !found.contains(forbidden),
            "the page must not hold {forbidden:?}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    assert_eq!(html.matches("<desc").count(), 3, "each chart described");
    insta::assert_snapshot!("report_html_text", page_text(&html));
}

/// The page's text as a reader sees it: tags dropped, one line per block,
/// entities decoded (chart titles, descriptions and bar tooltips included).
fn page_text(html: &str) -> String {
    let body = &html[html.find("<body>").unwrap()..];
    let mut out = String::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find('>').unwrap();
        let tag = &rest[start + 1..end];
        let name = tag
            .trim_start_matches('/')
            .split([' ', '>'])
            .next()
            .unwrap_or("");
        if matches!(
            name,
            "tr" | "p"
                | "h1"
                | "h2"
                | "div"
                | "caption"
                | "figcaption"
                | "summary"
                | "title"
                | "desc"
                | "section"
        ) {
            out.push('\n');
        } else if matches!(name, "td" | "th" | "dd" | "dt") {
            out.push(' ');
        }
        rest = &rest[end + 1..];
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The SQL of the README's "Checking a figure" list, over the SQLite store.
const SQL_TOTALS: &str =
    "SELECT SUM(status200 + status300 + status400 + status500), SUM(status200),
    SUM(status300), SUM(status400), SUM(status429), SUM(status500)
  FROM usage_records WHERE granularity = 'Day' AND date BETWEEN ?1 AND ?2";
const SQL_TOP_CLIENTS: &str =
    "SELECT oauth_client_id, SUM(status200 + status300 + status400 + status500) AS requests,
    SUM(status429), SUM(status500)
  FROM usage_records WHERE granularity = 'Day' AND date BETWEEN ?1 AND ?2
  GROUP BY oauth_client_id ORDER BY requests DESC, oauth_client_id LIMIT 10";
const SQL_TOP_TEMPLATES: &str = "SELECT http_method, template_uri,
    SUM(status200 + status300 + status400 + status500) AS requests, SUM(status429)
  FROM usage_records WHERE granularity = 'Day' AND date BETWEEN ?1 AND ?2
  GROUP BY http_method, template_uri ORDER BY requests DESC, template_uri, http_method LIMIT 10";
const SQL_DAYS: &str =
    "SELECT date, SUM(status200 + status300 + status400 + status500), SUM(status429)
  FROM usage_records WHERE granularity = 'Day' AND date BETWEEN ?1 AND ?2
  GROUP BY date ORDER BY date";

#[tokio::test]
async fn the_readme_sql_queries_give_the_reports_figures() {
    let recs = records();
    let (first, last) = report_store::fixture_days(&recs);
    let location = report_store::filled_store("sql").await;
    let store = open_store(&location).await.unwrap();
    let report = Report::from_store(store.as_ref(), &ReportOptions::days(first, last))
        .await
        .unwrap();
    let db = rusqlite::Connection::open(location.strip_prefix("sqlite:").unwrap()).unwrap();
    let range = [first.to_string(), last.to_string()];

    let totals: [i64; 6] = db
        .query_row(SQL_TOTALS, range.clone(), |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ])
        })
        .unwrap();
    let t = &report.totals;
    let figures = [
        t.requests,
        t.status200,
        t.status300,
        t.status400,
        t.status429,
        t.status500,
    ];
    assert_eq!(totals, figures);

    let rows = |sql: &str| -> Vec<Vec<rusqlite::types::Value>> {
        let mut statement = db.prepare(sql).unwrap();
        let n = statement.column_count();
        statement
            .query_map(range.clone(), |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    use rusqlite::types::Value::{Integer, Text};
    let clients: Vec<_> = report
        .top_clients
        .iter()
        .map(|c| {
            let u = &c.usage.counts;
            vec![
                Text(c.id.clone()),
                Integer(u.requests),
                Integer(u.status429),
                Integer(u.status500),
            ]
        })
        .collect();
    assert_eq!(rows(SQL_TOP_CLIENTS), clients);
    let templates: Vec<_> = report
        .top_templates
        .iter()
        .map(|e| {
            let u = &e.usage.counts;
            vec![
                Text(e.method.clone()),
                Text(e.template.clone()),
                Integer(u.requests),
                Integer(u.status429),
            ]
        })
        .collect();
    assert_eq!(rows(SQL_TOP_TEMPLATES), templates);
    let days: Vec<_> = report
        .days
        .iter()
        .filter(|d| d.counts.requests > 0)
        .map(|d| {
            vec![
                Text(d.date.to_string()),
                Integer(d.counts.requests),
                Integer(d.counts.status429),
            ]
        })
        .collect();
    assert_eq!(rows(SQL_DAYS), days);
}

/// A measurement, not a check (`#[ignore]`): read, compute and render a
/// report over 90 days × 1,000 records a day from a SQLite store. Run with
/// `cargo test --release --all-features --test report -- --ignored --nocapture times_`.
#[tokio::test]
#[ignore = "a measurement: run it in release mode"]
#[allow(clippy::print_stdout)] // a measurement prints its figures
async fn times_a_report_over_90_days_of_1000_records() {
    use genesys_usage::sync::Batch;
    use genesys_usage::{Granularity, UsageRecord};
    use std::time::Instant;

    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let last = first + Days::new(89);
    let mut rng = fastrand::Rng::with_seed(7);
    let mut per_org: [Vec<UsageRecord>; 3] = Default::default();
    for day in first.iter_days().take(90) {
        for i in 0..1000_u32 {
            // 50 clients × 20 endpoints: 1,000 distinct keys a day.
            let (client, template) = (i % 50, i / 50);
            let mut r = UsageRecord::new(day, Granularity::Day);
            r.organization_id = format!("org-{}", client % 3);
            r.oauth_client_id = format!("client-{client}");
            r.oauth_client_name = format!("Client {client}");
            r.template_uri = format!("api/v2/things/{template}");
            r.http_method = ["GET", "POST", "PUT", "DELETE"][(template % 4) as usize].into();
            r.status200 = rng.i64(0..2000);
            r.status300 = rng.i64(0..20);
            r.status429 = rng.i64(0..30);
            r.status400 = r.status429 + rng.i64(0..30);
            r.status500 = rng.i64(0..10);
            per_org[(client % 3) as usize].push(r);
        }
    }
    let location = report_store::empty_store("timing").await;
    let store = open_store(&location).await.unwrap();
    for (org, records) in per_org.into_iter().enumerate() {
        let batch = Batch::days(format!("org-{org}"), first, last, records);
        store.commit(&batch).await.unwrap();
    }
    let options = ReportOptions::days(first, last);
    let start = Instant::now();
    let report = Report::from_store(store.as_ref(), &options).await.unwrap();
    let computed = start.elapsed();
    let terminal = report.to_terminal(false);
    let rendered_terminal = start.elapsed();
    let html = report.to_html();
    let rendered_html = start.elapsed();
    let json = serde_json::to_string_pretty(&report).unwrap();
    let rendered_json = start.elapsed();
    assert_eq!(report.records, 90_000);
    println!(
        "90 days x 1,000 records: read + compute {computed:?}; + terminal {:?} ({} bytes); \
         + html {:?} ({} bytes); + json {:?} ({} bytes); total {rendered_json:?}",
        rendered_terminal - computed,
        terminal.len(),
        rendered_html - rendered_terminal,
        html.len(),
        rendered_json - rendered_html,
        json.len()
    );
}
