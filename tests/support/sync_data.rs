//! A generated multi-organisation dataset for the sync tests (spec §13a
//! JSON Lines, one file per organisation and one with all), and the store
//! each service should end with, computed naively from the records.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use genesys_usage::{Granularity, UsageRecord};

/// One generated record, with its client's owner.
#[derive(Debug, Clone)]
pub struct Gen {
    pub record: UsageRecord,
    pub owner: String,
}

/// The organisations of [`generate`].
pub const ORGS: [&str; 2] = ["org-north", "org-south"];

/// The first day of the data.
pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
}

/// The emulation's now after `days` days of data: noon of the day after.
pub fn now_after(days: u64) -> DateTime<Utc> {
    let day = first_day() + Days::new(days);
    Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
}

/// `days` days of traffic of `orgs`, `per_day` records a day each, from a
/// seed; one client of each organisation is Genesys-owned.
pub fn generate(orgs: &[&str], days: u64, per_day: usize, seed: u64) -> Vec<Gen> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let templates = [
        "api/v2/users",
        "api/v2/users/{userId}",
        "api/v2/analytics/conversations/details/query",
        "api/v2/routing/queues",
        "api/v2/groups",
    ];
    let methods = ["GET", "POST", "PUT", "DELETE"];
    let platforms = ["PublicApi", "Browser", "Mobile"];
    let mut out = Vec::new();
    for (o, org) in orgs.iter().enumerate() {
        for d in 0..days {
            let date = first_day() + Days::new(d);
            let mut seen = std::collections::HashSet::new();
            for _ in 0..per_day {
                let c = next(5);
                let (client, owner) = if c == 4 {
                    (format!("genesys-{o}"), "purecloud-builtin".to_owned())
                } else {
                    (format!("{org}-client-{c}"), (*org).to_owned())
                };
                let user = match next(3) {
                    0 => String::new(),
                    u => format!("{org}-user-{u}"),
                };
                let template = templates[next(templates.len() as u64) as usize];
                let method = methods[next(methods.len() as u64) as usize];
                let platform = platforms[next(platforms.len() as u64) as usize];
                if !seen.insert((client.clone(), user.clone(), template, method, platform)) {
                    continue;
                }
                let mut r = UsageRecord::new(date, Granularity::Day);
                r.organization_id = (*org).to_owned();
                r.oauth_client_name = format!("Name of {client}");
                r.oauth_client_id = client;
                r.user_id = user;
                r.template_uri = template.to_owned();
                r.http_method = method.to_owned();
                r.platform = platform.to_owned();
                r.status200 = next(500) as i64 + 1;
                r.status300 = next(3) as i64;
                r.status400 = next(40) as i64;
                r.status429 = next(r.status400 as u64 + 1) as i64;
                r.status500 = next(4) as i64;
                out.push(Gen { record: r, owner });
            }
        }
    }
    out
}

/// Writes `records` as a JSON Lines dataset at `path`.
pub fn write_jsonl(path: &Path, records: &[Gen]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for g in records {
        let r = &g.record;
        let line = serde_json::json!({
            "date": r.date.to_string(),
            "organization_id": r.organization_id,
            "oauth_client_id": r.oauth_client_id,
            "oauth_client_name": r.oauth_client_name,
            "oauth_client_org_id": g.owner,
            "user_id": r.user_id,
            "template_uri": r.template_uri,
            "http_method": r.http_method,
            "platform": r.platform,
            "status200": r.status200,
            "status300": r.status300,
            "status400": r.status400,
            "status429": r.status429,
            "status500": r.status500,
        });
        writeln!(out, "{line}").unwrap();
    }
    out.flush().unwrap();
}

/// One file per organisation in `dir` (`ORG.jsonl`) and `all.jsonl`; the
/// paths by organisation.
pub fn write_files(dir: &Path, records: &[Gen]) -> BTreeMap<String, PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    write_jsonl(&dir.join("all.jsonl"), records);
    let mut by_org: BTreeMap<String, Vec<Gen>> = BTreeMap::new();
    for g in records {
        by_org
            .entry(g.record.organization_id.clone())
            .or_default()
            .push(g.clone());
    }
    by_org
        .into_iter()
        .map(|(org, recs)| {
            let path = dir.join(format!("{org}.jsonl"));
            write_jsonl(&path, &recs);
            (org, path)
        })
        .collect()
}

fn key(r: &UsageRecord) -> (String, NaiveDate, String, String, String, String, String) {
    (
        r.organization_id.clone(),
        r.date,
        r.oauth_client_id.clone(),
        r.user_id.clone(),
        r.template_uri.clone(),
        r.http_method.clone(),
        r.platform.clone(),
    )
}

/// What a jobs sync of the days `from..=through` stores: the records
/// summed per key, in the stores' key order.
pub fn jobs_reference(records: &[Gen], from: NaiveDate, through: NaiveDate) -> Vec<UsageRecord> {
    merged(records.iter().map(|g| g.record.clone()), from, through)
}

/// What a legacy sync stores: no Genesys-owned clients, no platform.
pub fn legacy_reference(records: &[Gen], from: NaiveDate, through: NaiveDate) -> Vec<UsageRecord> {
    merged(
        records
            .iter()
            .filter(|g| !g.owner.starts_with("purecloud"))
            .map(|g| no_platform(&g.record)),
        from,
        through,
    )
}

/// Jobs records with the platform summed away, for comparing with legacy.
pub fn without_platform(records: &[UsageRecord]) -> Vec<UsageRecord> {
    merged(
        records.iter().map(no_platform),
        NaiveDate::MIN,
        NaiveDate::MAX,
    )
}

fn no_platform(r: &UsageRecord) -> UsageRecord {
    let mut r = r.clone();
    r.platform.clear();
    r
}

fn merged(
    records: impl Iterator<Item = UsageRecord>,
    from: NaiveDate,
    through: NaiveDate,
) -> Vec<UsageRecord> {
    let mut sums: BTreeMap<_, UsageRecord> = BTreeMap::new();
    for r in records.filter(|r| r.date >= from && r.date <= through) {
        sums.entry(key(&r))
            .and_modify(|s| {
                s.status200 += r.status200;
                s.status300 += r.status300;
                s.status400 += r.status400;
                s.status429 += r.status429;
                s.status500 += r.status500;
            })
            .or_insert(r);
    }
    sums.into_values().collect()
}
