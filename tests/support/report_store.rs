//! A SQLite store filled with the fixture dataset (`three_orgs`), one
//! batch per organisation over the whole file, as a sync of it would leave
//! the store; for `tests/report.rs` and `tests/report_cli.rs`.
//!
//! Included with `#[path = "support/report_store.rs"] mod report_store;`
//! after `#[path = "support/dataset_sums.rs"] mod dataset_sums;`.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use genesys_usage::sync::{Batch, open_store};
use genesys_usage::{Granularity, UsageRecord};

use crate::dataset_sums::{Rec, records};

/// The fixture's first and last day.
pub fn fixture_days(recs: &[Rec]) -> (NaiveDate, NaiveDate) {
    let first = recs.iter().map(|r| r.date).min().unwrap();
    let last = recs.iter().map(|r| r.date).max().unwrap();
    (first, last)
}

/// The record a sync stores for `r` (the store's key has no owner).
fn usage_record(r: &Rec) -> UsageRecord {
    let mut u = UsageRecord::new(r.date, Granularity::Day);
    u.organization_id = r.org.clone();
    u.oauth_client_id = r.client.clone();
    u.oauth_client_name = r.client_name.clone();
    u.user_id = r.user.clone();
    u.template_uri = r.template.clone();
    u.http_method = r.method.clone();
    u.platform = r.platform.clone();
    [
        u.status200,
        u.status300,
        u.status400,
        u.status429,
        u.status500,
    ] = r.counts;
    u
}

/// The location (`sqlite:PATH`) of a new, empty SQLite store file under
/// the target directory.
pub async fn empty_store(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).unwrap();
    // Tests of one binary run at once: a file each.
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{name}-{}-{n}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    format!("sqlite:{}", path.display())
}

/// A new SQLite store under the target directory holding the fixture, and
/// its location (`sqlite:PATH`).
pub async fn filled_store(name: &str) -> String {
    let location = empty_store(name).await;
    let store = open_store(&location).await.unwrap();
    let recs = records();
    let (first, last) = fixture_days(&recs);
    // One record per key, as the dataset loader and the services sum them.
    let mut per_org: BTreeMap<String, BTreeMap<String, UsageRecord>> = BTreeMap::new();
    for r in &recs {
        let u = usage_record(r);
        let key = format!(
            "{}|{}|{}|{}|{}|{}",
            u.date, u.oauth_client_id, u.user_id, u.template_uri, u.http_method, u.platform
        );
        let slot = per_org.entry(r.org.clone()).or_default();
        match slot.get_mut(&key) {
            Some(e) => {
                e.status200 += u.status200;
                e.status300 += u.status300;
                e.status400 += u.status400;
                e.status429 += u.status429;
                e.status500 += u.status500;
            }
            None => {
                slot.insert(key, u);
            }
        }
    }
    for (org, records) in per_org {
        let batch = Batch::days(org, first, last, records.into_values().collect());
        store.commit(&batch).await.unwrap();
    }
    location
}
