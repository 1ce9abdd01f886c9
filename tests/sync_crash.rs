//! Crash consistency of `genesys-usage sync`: against mock servers holding
//! a 125-day, 2-organisation dataset on a virtual clock, the process is
//! SIGKILLed at 24 or more instants (start-up, mid-page, between pages,
//! mid-commit: the instants are spread over a whole run) and started again
//! each time; every store it ends with equals the reference computed from
//! the dataset file (0 rows missing, 0 duplicated, every counter equal), in
//! SQLite and in PostgreSQL, and with about 5 % of answers faulted.
#![cfg(all(feature = "cli", feature = "sync"))]

#[path = "support/sync_cli.rs"]
mod sync_cli;
#[path = "support/sync_data.rs"]
mod sync_data;
#[path = "support/sync_pg.rs"]
mod sync_pg;

use std::time::{Duration, Instant};

use chrono::Days;
use genesys_usage::UsageRecord;
use genesys_usage::fake::{Fault, FaultRule, FaultTrigger, RetryAfterHint};
use genesys_usage::sync::{RecordQuery, open_store};
use sync_cli::{Servers, TempDir, kill_after, run, servers, sync_command, text};
use sync_data::{Gen, ORGS, first_day, generate, jobs_reference, now_after};

const DAYS: u64 = 125;
/// Kills wanted per test.
const KILLS: usize = 24;
/// Starts at most, so a run that always finishes first cannot loop forever.
const MAX_STARTS: usize = 150;

fn latency() -> FaultRule {
    // Every answer 15 ms late: a run lasts long enough to be killed inside
    // its pages. Added last: a fault rule before it answers instead.
    FaultRule::new(Fault::Latency {
        delay: Duration::from_millis(15),
    })
    .when(FaultTrigger::Probability { p: 1.0, seed: 0 })
}

fn about_five_percent() -> Vec<FaultRule> {
    let rule = |fault: Fault, seed: u64| {
        FaultRule::new(fault).when(FaultTrigger::Probability { p: 0.009, seed })
    };
    vec![
        rule(
            Fault::RateLimited {
                retry_after: RetryAfterHint::Seconds(1),
            },
            21,
        ),
        rule(Fault::ServerError { status: 500 }, 22),
        rule(Fault::ServerError { status: 502 }, 23),
        rule(Fault::ServerError { status: 503 }, 24),
        rule(Fault::ConnectionReset, 25),
        rule(Fault::TruncatedBody, 26),
    ]
}

async fn stored(location: &str) -> Vec<UsageRecord> {
    let store = open_store(location).await.unwrap();
    store.records(&RecordQuery::all()).await.unwrap()
}

/// What the store must hold: every record of the file, summed per key.
fn reference(data: &[Gen]) -> Vec<UsageRecord> {
    jobs_reference(data, first_day(), first_day() + Days::new(DAYS - 1))
}

fn args() -> Vec<String> {
    let since = first_day().to_string();
    ["--since", &since, "--lease-ttl", "1s"]
        .map(str::to_owned)
        .to_vec()
}

/// One uninterrupted run into `location`; how long it took.
async fn whole_run(s: &Servers, location: &str) -> Duration {
    let started = Instant::now();
    let args = args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(sync_command(s, location, now_after(DAYS), &args)).await;
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    started.elapsed()
}

/// Kills runs at instants spread over `length` until `KILLS` kills;
/// a run that ends by itself closes a sequence, whose store is checked and
/// then replaced by a fresh one from `fresh`.
async fn kill_and_restart<F, Fut>(
    s: &Servers,
    expected: &[UsageRecord],
    length: Duration,
    mut fresh: F,
) -> usize
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let mut kills = 0;
    let mut sequences = 0;
    let mut location = fresh().await;
    let mut draw = 0x9E37_79B9_u64;
    let args = args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for _ in 0..MAX_STARTS {
        if kills >= KILLS {
            break;
        }
        // Uniform over the run, with a few kills in the first milliseconds
        // (start-up: flags, config, store, token).
        draw ^= draw << 13;
        draw ^= draw >> 7;
        draw ^= draw << 17;
        let fraction = (draw % 1000) as f64 / 1000.0;
        let at = if kills % 6 == 0 {
            Duration::from_millis(5 + draw % 40)
        } else {
            length.mul_f64(fraction)
        };
        let killed = kill_after(sync_command(s, &location, now_after(DAYS), &args), at).await;
        if killed {
            kills += 1;
            continue;
        }
        // Finished: the sequence's store must be the reference.
        assert_eq!(
            stored(&location).await,
            expected,
            "sequence {sequences} after {kills} kills"
        );
        sequences += 1;
        location = fresh().await;
    }
    assert!(kills >= KILLS, "only {kills} kills in {MAX_STARTS} starts");
    // The last sequence, finished without a kill.
    let out = run(sync_command(s, &location, now_after(DAYS), &args)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = stored(&location).await;
    assert_eq!(got.len(), expected.len(), "rows missing or duplicated");
    assert_eq!(got, expected, "every counter equal");
    kills
}

/// Answers journalled by the servers, and how many of them were faulted
/// (latency aside), so a faults test cannot pass without faults.
async fn faulted(s: &Servers) -> (usize, usize) {
    let (mut all, mut faulted) = (0, 0);
    for (_, server) in &s.servers {
        let url = format!("{}/__admin/journal?limit=10000", server.url());
        let journal: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        for entry in journal["entries"].as_array().unwrap() {
            all += 1;
            let fault = entry["fault"].as_str().unwrap_or("");
            if !fault.is_empty() && !fault.starts_with("latency") {
                faulted += 1;
            }
        }
    }
    (all, faulted)
}

fn check_faults(s: (usize, usize), wanted: bool) {
    let (all, faulted) = s;
    let share = faulted as f64 / all.max(1) as f64;
    if wanted {
        assert!(
            (0.02..0.12).contains(&share),
            "{faulted} of {all} answers faulted"
        );
    } else {
        assert_eq!(faulted, 0);
    }
}

async fn sqlite_case(tag: &str, faults: Vec<FaultRule>) {
    let dir = TempDir::new(tag);
    let data = generate(&ORGS, DAYS, 40, 11);
    let wanted = !faults.is_empty();
    let mut rules = faults;
    rules.push(latency());
    let s = servers(&dir.0, &data, now_after(DAYS), &rules).await;
    let expected = reference(&data);
    assert!(expected.len() > 9000, "{}", expected.len());
    let length = whole_run(&s, &format!("sqlite:{}", dir.0.join("whole.db").display())).await;
    assert_eq!(
        stored(&format!("sqlite:{}", dir.0.join("whole.db").display())).await,
        expected
    );
    let mut n = 0;
    let root = dir.0.clone();
    kill_and_restart(&s, &expected, length, || {
        n += 1;
        let location = format!("sqlite:{}", root.join(format!("seq-{n}.db")).display());
        async move { location }
    })
    .await;
    check_faults(faulted(&s).await, wanted);
}

async fn postgres_case(tag: &str, faults: Vec<FaultRule>) {
    if sync_pg::server().is_none() {
        return;
    }
    let dir = TempDir::new(tag);
    let data = generate(&ORGS, DAYS, 40, 12);
    let wanted = !faults.is_empty();
    let mut rules = faults;
    rules.push(latency());
    let s = servers(&dir.0, &data, now_after(DAYS), &rules).await;
    let expected = reference(&data);
    let whole = sync_pg::fresh().await.unwrap();
    let length = whole_run(&s, &whole).await;
    assert_eq!(stored(&whole).await, expected);
    kill_and_restart(&s, &expected, length, || async {
        sync_pg::fresh().await.unwrap()
    })
    .await;
    check_faults(faulted(&s).await, wanted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_any_instant_ends_with_the_reference_store_in_sqlite() {
    sqlite_case("crash-sqlite", Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_any_instant_ends_with_the_reference_store_in_postgres() {
    postgres_case("crash-pg", Vec::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulted_answers_and_kills_end_with_the_reference_store_in_sqlite() {
    sqlite_case("faults-sqlite", about_five_percent()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulted_answers_and_kills_end_with_the_reference_store_in_postgres() {
    postgres_case("faults-pg", about_five_percent()).await;
}
