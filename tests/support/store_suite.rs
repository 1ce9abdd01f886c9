//! The store suite: one set of checks every `Store` backend must pass
//! (object_store's pattern). A backend's test file provides
//! `async fn fresh() -> Option<String>` (the location of a new, empty store,
//! or `None` to skip) and invokes `store_suite!()`, which declares one test
//! per check.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use genesys_usage::Granularity;
use genesys_usage::UsageRecord;
use genesys_usage::sync::{Batch, RecordQuery, Store, StoreError, open_store};

/// Declares the suite's tests in the calling file, over its `fresh()`.
macro_rules! store_suite {
    () => {
        store_suite!(@tests
            empty_store_has_no_checkpoint_or_records,
            a_commit_reads_back_in_key_order_with_its_checkpoint,
            recommitting_a_batch_changes_nothing,
            a_recommit_replaces_counters_and_removes_vanished_keys_in_its_range_only,
            the_checkpoint_never_moves_back,
            organisations_never_share_records_or_checkpoints,
            a_bad_batch_writes_nothing_and_names_the_field,
            records_filter_by_organisation_and_days,
            a_reopened_store_keeps_everything,
            an_empty_batch_moves_the_checkpoint_and_clears_its_range,
            a_large_batch_reads_back_whole,
            two_handles_committing_at_once_lose_nothing,
            a_writer_killed_mid_commit_leaves_a_whole_batch_or_none
        );

        /// Not a test of its own: the child process of
        /// `a_writer_killed_mid_commit_leaves_a_whole_batch_or_none`.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn store_suite_child_writer() {
            store_suite::child_writer().await;
        }
    };
    (@tests $($name:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(location) = fresh().await {
                    store_suite::$name(&location, module_path!()).await;
                }
            }
        )+
    };
}

pub(crate) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 1).unwrap() + chrono::Days::new(u64::from(d))
}

/// A record of `org` on `day(d)` for `client`/`template`, with counters
/// derived from `n` (so different `n`, different counters).
pub(crate) fn rec(org: &str, d: u32, client: &str, template: &str, n: i64) -> UsageRecord {
    let mut r = UsageRecord::new(day(d), Granularity::Day);
    r.organization_id = org.into();
    r.oauth_client_id = client.into();
    r.oauth_client_name = format!("name of {client}");
    r.template_uri = template.into();
    r.http_method = "GET".into();
    r.platform = "PublicApi".into();
    r.status200 = n;
    r.status300 = n % 3;
    r.status400 = n % 7 + 1;
    r.status429 = n % 2;
    r.status500 = n % 5;
    r
}

fn sorted(mut v: Vec<UsageRecord>) -> Vec<UsageRecord> {
    v.sort_by_key(key);
    v
}

fn key(
    r: &UsageRecord,
) -> (
    String,
    NaiveDate,
    String,
    String,
    String,
    String,
    String,
    String,
) {
    (
        r.organization_id.clone(),
        r.date,
        r.granularity.to_string(),
        r.oauth_client_id.clone(),
        r.user_id.clone(),
        r.template_uri.clone(),
        r.http_method.clone(),
        r.platform.clone(),
    )
}

async fn open(location: &str) -> Box<dyn Store> {
    open_store(location).await.expect("open the store")
}

async fn all(store: &dyn Store) -> Vec<UsageRecord> {
    store.records(&RecordQuery::all()).await.unwrap()
}

/// Three days of org `o1`, in a scrambled order.
fn three_days(org: &str) -> Vec<UsageRecord> {
    vec![
        rec(org, 2, "c2", "api/v2/users", 5),
        rec(org, 0, "c1", "api/v2/users", 10),
        rec(org, 1, "c1", "api/v2/users/{userId}", 7),
        rec(org, 0, "c1", "api/v2/analytics", 3),
        rec(org, 2, "c1", "api/v2/users", 1),
    ]
}

pub(crate) async fn empty_store_has_no_checkpoint_or_records(location: &str, _: &str) {
    let store = open(location).await;
    assert_eq!(store.checkpoint("o1").await.unwrap(), None);
    assert!(all(&*store).await.is_empty());
    assert!(store.checkpoints().await.unwrap().is_empty());
}

pub(crate) async fn a_commit_reads_back_in_key_order_with_its_checkpoint(location: &str, _: &str) {
    let store = open(location).await;
    let records = three_days("o1");
    let summary = store
        .commit(&Batch::days("o1", day(0), day(2), records.clone()))
        .await
        .unwrap();
    assert_eq!(summary.written, 5);
    assert_eq!(summary.removed, 0);
    assert_eq!(summary.checkpoint, Some(day(2)));
    let back = all(&*store).await;
    assert_eq!(
        back,
        sorted(records),
        "records come back equal and in key order"
    );
    assert_eq!(store.checkpoint("o1").await.unwrap(), Some(day(2)));
    assert_eq!(
        store.checkpoints().await.unwrap(),
        vec![("o1".to_owned(), day(2))]
    );
}

pub(crate) async fn recommitting_a_batch_changes_nothing(location: &str, _: &str) {
    let store = open(location).await;
    let batch = Batch::days("o1", day(0), day(2), three_days("o1"));
    store.commit(&batch).await.unwrap();
    let first = all(&*store).await;
    let again = store.commit(&batch).await.unwrap();
    assert_eq!(again.removed, 0);
    assert_eq!(
        all(&*store).await,
        first,
        "a second commit of the same batch is a no-op"
    );
    assert_eq!(first.len(), 5);
}

pub(crate) async fn a_recommit_replaces_counters_and_removes_vanished_keys_in_its_range_only(
    location: &str,
    _: &str,
) {
    let store = open(location).await;
    store
        .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
        .await
        .unwrap();
    // Day 1 again: its one record gets new counters, a new key appears, and
    // nothing else (days 0 and 2) changes.
    let day1 = vec![
        rec("o1", 1, "c1", "api/v2/users/{userId}", 100),
        rec("o1", 1, "c3", "api/v2/users", 4),
    ];
    let s = store
        .commit(&Batch::days("o1", day(1), day(1), day1.clone()))
        .await
        .unwrap();
    assert_eq!((s.written, s.removed), (2, 0));
    let mut expected: Vec<_> = three_days("o1")
        .into_iter()
        .filter(|r| r.date != day(1))
        .collect();
    expected.extend(day1);
    assert_eq!(
        all(&*store).await,
        sorted(expected.clone()),
        "counters replaced, not added"
    );
    // Day 2 again without the c2 record: it is removed, c1's stays.
    let s = store
        .commit(&Batch::days(
            "o1",
            day(2),
            day(2),
            vec![rec("o1", 2, "c1", "api/v2/users", 1)],
        ))
        .await
        .unwrap();
    assert_eq!(s.removed, 1);
    expected.retain(|r| !(r.date == day(2) && r.oauth_client_id == "c2"));
    assert_eq!(all(&*store).await, sorted(expected));
}

pub(crate) async fn the_checkpoint_never_moves_back(location: &str, _: &str) {
    let store = open(location).await;
    store
        .commit(&Batch::days("o1", day(5), day(9), vec![]))
        .await
        .unwrap();
    let s = store
        .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
        .await
        .unwrap();
    assert_eq!(s.checkpoint, Some(day(9)));
    assert_eq!(store.checkpoint("o1").await.unwrap(), Some(day(9)));
    assert_eq!(
        all(&*store).await.len(),
        5,
        "the older range is still written"
    );
}

pub(crate) async fn organisations_never_share_records_or_checkpoints(location: &str, _: &str) {
    let store = open(location).await;
    store
        .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
        .await
        .unwrap();
    store
        .commit(&Batch::days(
            "o2",
            day(0),
            day(0),
            vec![rec("o2", 0, "c1", "api/v2/users", 9)],
        ))
        .await
        .unwrap();
    // Clearing o2's day 0 leaves o1's day 0 alone.
    store
        .commit(&Batch::days("o2", day(0), day(0), vec![]))
        .await
        .unwrap();
    assert_eq!(store.checkpoint("o1").await.unwrap(), Some(day(2)));
    assert_eq!(store.checkpoint("o2").await.unwrap(), Some(day(0)));
    assert_eq!(all(&*store).await, sorted(three_days("o1")));
    assert!(
        store
            .records(&RecordQuery::all().organization("o2"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub(crate) async fn a_bad_batch_writes_nothing_and_names_the_field(location: &str, _: &str) {
    let store = open(location).await;
    store
        .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
        .await
        .unwrap();
    let before = all(&*store).await;
    let good = || rec("o1", 3, "c9", "api/v2/users", 2);
    let mut other_org = good();
    other_org.organization_id = "o2".into();
    let mut week = good();
    week.granularity = Granularity::Week;
    let mut negative = good();
    negative.status300 = -1;
    let mut too_many_429 = good();
    too_many_429.status429 = too_many_429.status400 + 1;
    let cases: Vec<(Batch, &str)> = vec![
        (
            Batch::days(
                "o1",
                day(3),
                day(3),
                vec![good(), rec("o1", 9, "c", "t", 1)],
            ),
            "records[1].date",
        ),
        (
            Batch::days("o1", day(3), day(3), vec![other_org]),
            "records[0].organization_id",
        ),
        (
            Batch::days("o1", day(3), day(3), vec![week]),
            "records[0].granularity",
        ),
        (
            Batch::days("o1", day(3), day(3), vec![negative]),
            "records[0].status300",
        ),
        (
            Batch::days("o1", day(3), day(3), vec![too_many_429]),
            "records[0].status429",
        ),
        (
            Batch::days("o1", day(3), day(3), vec![good(), good()]),
            "records[1].oauth_client_id",
        ),
        (Batch::days("o1", day(4), day(3), vec![]), "through"),
        (Batch::days("", day(3), day(3), vec![]), "organization_id"),
    ];
    for (batch, field) in cases {
        let err = store.commit(&batch).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::InvalidBatch { field: f, .. } if f == field),
            "expected {field}: {err}"
        );
        assert!(err.to_string().contains(field), "{err}");
    }
    assert_eq!(all(&*store).await, before, "no bad batch wrote anything");
    assert_eq!(store.checkpoint("o1").await.unwrap(), Some(day(2)));
}

pub(crate) async fn records_filter_by_organisation_and_days(location: &str, _: &str) {
    let store = open(location).await;
    store
        .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
        .await
        .unwrap();
    store
        .commit(&Batch::days("o2", day(0), day(2), three_days("o2")))
        .await
        .unwrap();
    let q = RecordQuery::all()
        .organization("o2")
        .days(Some(day(1)), Some(day(2)));
    let got = store.records(&q).await.unwrap();
    let expected: Vec<_> = three_days("o2")
        .into_iter()
        .filter(|r| r.date >= day(1))
        .collect();
    assert_eq!(got, sorted(expected));
    let until = store
        .records(&RecordQuery::all().days(None, Some(day(0))))
        .await
        .unwrap();
    assert_eq!(until.len(), 4, "days 0 of both organisations");
    assert!(until.iter().all(|r| r.date == day(0)));
}

pub(crate) async fn a_reopened_store_keeps_everything(location: &str, _: &str) {
    {
        let store = open(location).await;
        store
            .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
            .await
            .unwrap();
    }
    let store = open(location).await;
    assert_eq!(all(&*store).await, sorted(three_days("o1")));
    assert_eq!(store.checkpoint("o1").await.unwrap(), Some(day(2)));
}

pub(crate) async fn an_empty_batch_moves_the_checkpoint_and_clears_its_range(
    location: &str,
    _: &str,
) {
    let store = open(location).await;
    store
        .commit(&Batch::days("o1", day(0), day(2), three_days("o1")))
        .await
        .unwrap();
    let s = store
        .commit(&Batch::days("o1", day(1), day(4), vec![]))
        .await
        .unwrap();
    assert_eq!((s.written, s.removed, s.checkpoint), (0, 3, Some(day(4))));
    let left = all(&*store).await;
    assert!(left.iter().all(|r| r.date == day(0)), "{left:?}");
    assert_eq!(left.len(), 2);
}

pub(crate) async fn a_large_batch_reads_back_whole(location: &str, _: &str) {
    let store = open(location).await;
    // More than one slice of the PostgreSQL backend's bulk insert.
    let records: Vec<_> = (0..12_345_u32)
        .map(|i| {
            rec(
                "o1",
                i % 30,
                &format!("c{}", i / 30),
                "api/v2/users",
                i64::from(i),
            )
        })
        .collect();
    let s = store
        .commit(&Batch::days("o1", day(0), day(29), records.clone()))
        .await
        .unwrap();
    assert_eq!(s.written, 12_345);
    let back = all(&*store).await;
    assert_eq!(back.len(), 12_345);
    assert_eq!(back, sorted(records));
}

pub(crate) async fn two_handles_committing_at_once_lose_nothing(location: &str, _: &str) {
    let a = open(location).await;
    let b = open(location).await;
    let run = |store: Box<dyn Store>, org: &'static str| async move {
        for d in 0..15 {
            let records: Vec<_> = (0..50)
                .map(|c| {
                    rec(
                        org,
                        d,
                        &format!("c{c}"),
                        "api/v2/users",
                        i64::from(d * 100 + c),
                    )
                })
                .collect();
            store
                .commit(&Batch::days(org, day(d), day(d), records))
                .await
                .unwrap();
        }
        store
    };
    let (a, _b) = tokio::join!(run(a, "o1"), run(b, "o2"));
    let back = all(&*a).await;
    assert_eq!(back.len(), 2 * 15 * 50);
    assert_eq!(a.checkpoint("o1").await.unwrap(), Some(day(14)));
    assert_eq!(a.checkpoint("o2").await.unwrap(), Some(day(14)));
}

const CHILD_ENV: &str = "GENESYS_USAGE_STORE_SUITE_CHILD";
const CHILD_RECORDS: u32 = 20_000;

/// The child: commits generation after generation of one large batch (every
/// record's `status200` is the generation) until it is killed.
pub(crate) async fn child_writer() {
    let Ok(location) = std::env::var(CHILD_ENV) else {
        return; // run as a plain test: nothing to do
    };
    let store = open(&location).await;
    for generation in 1_i64.. {
        let records: Vec<_> = (0..CHILD_RECORDS)
            .map(|i| {
                let mut r = rec("killed", i % 10, &format!("c{}", i / 10), "api/v2/users", 0);
                r.status200 = generation;
                r
            })
            .collect();
        store
            .commit(&Batch::days("killed", day(0), day(9), records))
            .await
            .unwrap();
    }
}

pub(crate) async fn a_writer_killed_mid_commit_leaves_a_whole_batch_or_none(
    location: &str,
    module: &str,
) {
    // The child is this same test binary running only `store_suite_child_writer`.
    let exe = std::env::current_exe().unwrap();
    let child_test = format!(
        "{}::store_suite_child_writer",
        module.split_once("::").map_or("", |(_, m)| m)
    );
    let child_test = child_test.trim_start_matches("::").to_owned();
    let mut seen_generations = std::collections::BTreeSet::new();
    for round in 0..6_u64 {
        let mut child = std::process::Command::new(&exe)
            .args([
                child_test.as_str(),
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_ENV, location)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill it at a different instant each round: during start-up, and
        // at points spread over its commits.
        let wait = Duration::from_millis(40 + round * 230);
        let started = Instant::now();
        while started.elapsed() < wait {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the writer exited by itself"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let store = open(location).await;
        let back = store
            .records(&RecordQuery::all().organization("killed"))
            .await
            .unwrap();
        let checkpoint = store.checkpoint("killed").await.unwrap();
        if back.is_empty() {
            assert_eq!(
                checkpoint, None,
                "no rows, so no checkpoint (round {round})"
            );
            continue;
        }
        assert_eq!(
            back.len(),
            CHILD_RECORDS as usize,
            "a whole batch (round {round})"
        );
        let generation = back[0].status200;
        assert!(
            back.iter().all(|r| r.status200 == generation),
            "one generation only, never a mix (round {round})"
        );
        assert_eq!(
            checkpoint,
            Some(day(9)),
            "checkpoint with its rows (round {round})"
        );
        seen_generations.insert(generation);
    }
    assert!(
        !seen_generations.is_empty(),
        "no commit ever finished: kill later"
    );
}
