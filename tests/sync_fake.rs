//! The sync library on the in-memory fake: every organisation's store
//! equals the records of its dataset, today is never stored, a new day is
//! fetched once, legacy = jobs minus Genesys's own clients, faults change
//! nothing, one organisation's failure leaves the others, and an export
//! loads back as the same dataset.
#![cfg(all(feature = "sync", feature = "fake"))]

#[path = "support/sync_data.rs"]
mod sync_data;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{Days, NaiveDate};
use genesys_usage::fake::{
    Clock, Dataset, FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, RetryAfterHint,
    Terminal,
};
use genesys_usage::sync::{
    self, ExportFormat, Organization, RecordQuery, Service, SqliteStore, Store, SyncEvent,
    SyncOptions,
};
use genesys_usage::{RetryPolicy, UsageClient, UsageRecord, WaitPolicy};
use sync_data::{Gen, ORGS, first_day, generate, jobs_reference, legacy_reference, now_after};

const DAYS: u64 = 120;

struct World {
    dir: tempdir::Dir,
    data: Vec<Gen>,
    clock: Clock,
    fakes: Vec<FakeTransport>,
}

mod tempdir {
    /// A directory removed at the end of the test.
    pub(crate) struct Dir(pub(crate) std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    pub(crate) fn new(tag: &str) -> Dir {
        let path = std::env::temp_dir().join(format!(
            "gu-sync-{tag}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }
}

fn world(tag: &str, faults: &[FaultRule]) -> World {
    let dir = tempdir::new(tag);
    // One day more than synced at first, for the rollover.
    let data = generate(&ORGS, DAYS + 1, 25, 7);
    let files = sync_data::write_files(&dir.0, &data);
    let clock = Clock::frozen_at(now_after(DAYS));
    let fakes = ORGS
        .iter()
        .enumerate()
        .map(|(i, org)| {
            let mut b = FakeTransport::builder()
                .dataset(Dataset::from_path(&files[*org]).unwrap())
                .clock(clock.clone())
                .lifecycle(Lifecycle::polls(1, 1, Terminal::Complete));
            for f in faults {
                // Each organisation draws its own faults.
                let mut f = f.clone();
                if let FaultTrigger::Probability { seed, .. } = &mut f.trigger {
                    *seed += 1000 * i as u64;
                }
                b = b.fault(f);
            }
            b.build()
        })
        .collect();
    World {
        dir,
        data,
        clock,
        fakes,
    }
}

fn client(fake: &FakeTransport) -> UsageClient {
    UsageClient::with_transport(fake.clone())
        .with_wait_policy(WaitPolicy::fixed(
            Duration::from_millis(1),
            Duration::from_secs(30),
        ))
        .with_retry_policy(RetryPolicy::default())
}

fn orgs(w: &World, service: Service) -> Vec<Organization> {
    ORGS.iter()
        .zip(&w.fakes)
        .map(|(org, fake)| Organization::new(org, org, client(fake)).service(service))
        .collect()
}

fn options(w: &World) -> SyncOptions {
    let mut o = SyncOptions::default();
    o.since = Some(first_day());
    o.now = Some(w.clock.now());
    o.retry_delay = Duration::from_millis(1);
    o.chunk_attempts = 8;
    o
}

async fn store(w: &World, name: &str) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(&w.dir.0.join(name)).await.unwrap())
}

async fn all(store: &dyn Store) -> Vec<UsageRecord> {
    store.records(&RecordQuery::all()).await.unwrap()
}

fn last_day() -> NaiveDate {
    first_day() + Days::new(DAYS - 1)
}

#[tokio::test]
async fn a_jobs_sync_stores_every_record_of_every_organisation_up_to_yesterday() {
    let w = world("jobs", &[]);
    let store = store(&w, "s.db").await;
    let report = sync::sync(
        Arc::clone(&store),
        orgs(&w, Service::Jobs),
        &options(&w),
        None,
    )
    .await;
    assert!(report.is_success(), "{report:?}");
    let expected = jobs_reference(&w.data, first_day(), last_day());
    assert_eq!(all(&*store).await, expected);
    for org in ORGS {
        assert_eq!(store.checkpoint(org).await.unwrap(), Some(last_day()));
    }
    // 120 days are two chunks: no query spans more than 90 days.
    assert_eq!(report.organizations[0].days, DAYS);
}

#[tokio::test]
async fn the_next_day_is_fetched_once_and_nothing_else_changes() {
    let w = world("rollover", &[]);
    let store = store(&w, "s.db").await;
    let report = sync::sync(
        Arc::clone(&store),
        orgs(&w, Service::Jobs),
        &options(&w),
        None,
    )
    .await;
    assert!(report.is_success(), "{report:?}");
    let before = all(&*store).await;

    w.clock.set(now_after(DAYS + 1));
    let mut o = options(&w);
    o.since = None;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let observer: sync::Observer =
        Arc::new(move |e: &SyncEvent| seen.lock().unwrap().push(e.clone()));
    let report = sync::sync(
        Arc::clone(&store),
        orgs(&w, Service::Jobs),
        &o,
        Some(observer),
    )
    .await;
    assert!(report.is_success(), "{report:?}");

    let new_day = last_day() + Days::new(1);
    for r in &report.organizations {
        assert_eq!((r.days, r.checkpoint), (1, Some(new_day)), "{r:?}");
    }
    let after = all(&*store).await;
    let old: Vec<_> = after.iter().filter(|r| r.date < new_day).cloned().collect();
    assert_eq!(old, before, "the days stored before are untouched");
    assert_eq!(after, jobs_reference(&w.data, first_day(), new_day));
    let planned: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            SyncEvent::Planned { chunks, .. } => Some(chunks.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(planned, vec![vec![(new_day, new_day)]; 2]);
}

#[tokio::test]
async fn today_is_never_stored_and_an_unsettled_day_comes_on_a_later_run() {
    let w = world("today", &[]);
    let store = store(&w, "s.db").await;
    // 03:00 on the day after the data: with 6 h to settle, yesterday is not final yet.
    let mut o = options(&w);
    let early = now_after(DAYS) - chrono::Duration::hours(9);
    o.now = Some(early);
    o.settle = Duration::from_secs(6 * 3600);
    w.clock.set(early);
    let report = sync::sync(Arc::clone(&store), orgs(&w, Service::Jobs), &o, None).await;
    assert!(report.is_success(), "{report:?}");
    let day_before = last_day() - Days::new(1);
    assert_eq!(store.checkpoint(ORGS[0]).await.unwrap(), Some(day_before));
    assert!(all(&*store).await.iter().all(|r| r.date <= day_before));

    o.now = Some(now_after(DAYS));
    w.clock.set(now_after(DAYS));
    o.since = None;
    let report = sync::sync(Arc::clone(&store), orgs(&w, Service::Jobs), &o, None).await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        all(&*store).await,
        jobs_reference(&w.data, first_day(), last_day())
    );
    let today = last_day() + Days::new(1);
    assert!(all(&*store).await.iter().all(|r| r.date < today));
}

#[tokio::test]
async fn the_legacy_service_stores_the_jobs_records_minus_genesys_clients() {
    let w = world("legacy", &[]);
    let jobs = store(&w, "jobs.db").await;
    let legacy = store(&w, "legacy.db").await;
    let r = sync::sync(
        Arc::clone(&jobs),
        orgs(&w, Service::Jobs),
        &options(&w),
        None,
    )
    .await;
    assert!(r.is_success(), "{r:?}");
    let r = sync::sync(
        Arc::clone(&legacy),
        orgs(&w, Service::Legacy),
        &options(&w),
        None,
    )
    .await;
    assert!(r.is_success(), "{r:?}");
    let from_legacy = all(&*legacy).await;
    assert_eq!(
        from_legacy,
        legacy_reference(&w.data, first_day(), last_day())
    );
    let jobs_minus_genesys: Vec<_> = sync_data::without_platform(&all(&*jobs).await)
        .into_iter()
        .filter(|r| !r.oauth_client_id.starts_with("genesys-"))
        .collect();
    assert_eq!(from_legacy, jobs_minus_genesys);
    assert!(from_legacy.len() < all(&*jobs).await.len());
}

#[tokio::test]
async fn faulted_answers_cost_retries_not_records() {
    let rule = |fault: Fault, seed: u64| {
        FaultRule::new(fault).when(FaultTrigger::Probability { p: 0.05, seed })
    };
    let faults = [
        rule(
            Fault::RateLimited {
                retry_after: RetryAfterHint::Seconds(0),
            },
            11,
        ),
        rule(Fault::ServerError { status: 500 }, 2),
        rule(Fault::ServerError { status: 502 }, 3),
        rule(Fault::ServerError { status: 503 }, 4),
        rule(Fault::ConnectionReset, 5),
        rule(Fault::TruncatedBody, 6),
    ];
    let w = world("faults", &faults);
    let store = store(&w, "s.db").await;
    let report = sync::sync(
        Arc::clone(&store),
        orgs(&w, Service::Jobs),
        &options(&w),
        None,
    )
    .await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(
        all(&*store).await,
        jobs_reference(&w.data, first_day(), last_day())
    );
    let faulted: usize = w
        .fakes
        .iter()
        .map(|f| f.calls().iter().filter(|c| c.fault.is_some()).count())
        .sum();
    let calls: usize = w.fakes.iter().map(|f| f.calls().len()).sum();
    assert!(
        faulted > 0,
        "no fault among {calls} calls: the test would prove nothing"
    );
}

#[tokio::test]
async fn one_organisations_failure_leaves_the_others_synced() {
    let w = world("failure", &[]);
    let store = store(&w, "s.db").await;
    let mut organizations = orgs(&w, Service::Jobs);
    let refused = FakeTransport::builder()
        .clock(w.clock.clone())
        .fault(FaultRule::new(Fault::ServerError { status: 403 }).when(FaultTrigger::Next(1000)))
        .build();
    organizations[0] = Organization::new("refused", "org-refused", client(&refused));
    let report = sync::sync(Arc::clone(&store), organizations, &options(&w), None).await;
    let failed: Vec<_> = report.failed().map(|o| o.name.as_str()).collect();
    assert_eq!(failed, ["refused"]);
    assert!(
        report.organizations[0]
            .error
            .as_deref()
            .unwrap()
            .contains("--service legacy")
    );
    let south: Vec<_> = jobs_reference(&w.data, first_day(), last_day())
        .into_iter()
        .filter(|r| r.organization_id == ORGS[1])
        .collect();
    assert_eq!(all(&*store).await, south);
    assert_eq!(store.checkpoint("org-refused").await.unwrap(), None);
}

#[tokio::test]
async fn an_export_loads_back_as_a_dataset_that_syncs_to_the_same_records() {
    let w = world("export", &[]);
    let first = store(&w, "first.db").await;
    let report = sync::sync(
        Arc::clone(&first),
        orgs(&w, Service::Jobs),
        &options(&w),
        None,
    )
    .await;
    assert!(report.is_success(), "{report:?}");
    for format in [ExportFormat::Csv, ExportFormat::JsonLines] {
        let ext = if format == ExportFormat::Csv {
            "csv"
        } else {
            "jsonl"
        };
        let again = store(&w, &format!("again-{ext}.db")).await;
        let mut organizations = Vec::new();
        for org in ORGS {
            let path = w.dir.0.join(format!("export-{org}.{ext}"));
            let mut file = std::fs::File::create(&path).unwrap();
            let query = RecordQuery::all().organization(org);
            let n = sync::export(&*first, &query, format, &mut file)
                .await
                .unwrap();
            assert!(n > 0);
            let fake = FakeTransport::builder()
                .dataset(Dataset::from_path(&path).unwrap())
                .clock(w.clock.clone())
                .lifecycle(Lifecycle::polls(1, 1, Terminal::Complete))
                .build();
            organizations.push(Organization::new(org, org, client(&fake)));
        }
        let report = sync::sync(Arc::clone(&again), organizations, &options(&w), None).await;
        assert!(report.is_success(), "{report:?}");
        assert_eq!(all(&*again).await, all(&*first).await, "{ext}");
    }
}

#[tokio::test]
async fn a_dry_run_plans_chunks_of_at_most_90_days_and_writes_nothing() {
    let w = world("dry", &[]);
    let store = store(&w, "s.db").await;
    let mut o = options(&w);
    o.dry_run = true;
    let report = sync::sync(Arc::clone(&store), orgs(&w, Service::Jobs), &o, None).await;
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.organizations[0].days, DAYS);
    assert!(all(&*store).await.is_empty());
    assert!(w.fakes.iter().all(|f| f.calls().is_empty()));
}
