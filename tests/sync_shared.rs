//! Several `genesys-usage sync` processes on one PostgreSQL store: three
//! started at once over four organisations sync each organisation once
//! (one execution per organisation's chunk) into the reference store, and
//! when one process is SIGKILLed mid-organisation, another takes that
//! organisation over once its lease runs out.
#![cfg(all(feature = "cli", feature = "sync"))]

#[path = "support/sync_cli.rs"]
mod sync_cli;
#[path = "support/sync_data.rs"]
mod sync_data;
#[path = "support/sync_pg.rs"]
mod sync_pg;

use std::time::Duration;

use chrono::Days;
use genesys_usage::fake::{Fault, FaultRule, FaultTrigger};
use genesys_usage::sync::{RecordQuery, open_store};
use sync_cli::{TempDir, servers, sync_command, text};
use sync_data::{first_day, generate, jobs_reference, now_after};

const ORGS: [&str; 4] = ["org-a", "org-b", "org-c", "org-d"];
// The default first run reaches 30 days back: all of the data. (`--since`
// would make every process that takes an organisation after another sync
// its days again: a re-sync, which is what `--since` asks for.)
const DAYS: u64 = 30;

fn slow() -> FaultRule {
    // Each answer 60 ms late: an organisation takes a few hundred
    // milliseconds, long enough to be killed in the middle of it.
    FaultRule::new(Fault::Latency {
        delay: Duration::from_millis(60),
    })
    .when(FaultTrigger::Probability { p: 1.0, seed: 0 })
}

async fn executions(s: &sync_cli::Servers) -> Vec<usize> {
    s.servers
        .iter()
        .map(|(_, server)| server.engine().executions().len())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_share_four_organisations_and_take_over_a_killed_one() {
    let Some(url) = sync_pg::fresh().await else {
        return;
    };
    let dir = TempDir::new("shared");
    let data = generate(&ORGS, DAYS, 60, 21);
    let s = servers(&dir.0, &data, now_after(DAYS), &[slow()]).await;
    let args = ["--concurrency", "1", "--lease-ttl", "1s"];

    let mut children: Vec<_> = (0..3)
        .map(|_| {
            sync_command(&s, &url, now_after(DAYS), &args)
                .spawn()
                .expect("started")
        })
        .collect();
    // The first process is inside its first organisation by now (token,
    // submit, poll and pages take 60 ms each): kill it there.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let victim = &mut children[0];
    assert!(
        victim.try_wait().unwrap().is_none(),
        "the process ended before it could be killed"
    );
    victim.start_kill().unwrap();
    tokio::time::timeout(Duration::from_secs(30), victim.wait())
        .await
        .unwrap()
        .unwrap();
    for child in children.drain(1..) {
        let out = tokio::time::timeout(sync_cli::RUN_LIMIT, child.wait_with_output())
            .await
            .expect("the survivors finished in time")
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    let store = open_store(&url).await.unwrap();
    let last = first_day() + Days::new(DAYS - 1);
    assert_eq!(
        store.records(&RecordQuery::all()).await.unwrap(),
        jobs_reference(&data, first_day(), last),
        "every organisation whole, nothing twice"
    );
    for org in ORGS {
        assert_eq!(store.checkpoint(org).await.unwrap(), Some(last), "{org}");
    }
    // One chunk per organisation (30 days): one execution each, plus at most
    // one for the organisation the killed process had started.
    let counts = executions(&s).await;
    assert!(counts.iter().all(|&n| n >= 1), "{counts:?}");
    assert!(
        counts.iter().sum::<usize>() <= ORGS.len() + 1,
        "an organisation synced twice: {counts:?}"
    );
}
