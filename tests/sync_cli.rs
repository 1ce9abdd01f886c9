//! `genesys-usage sync` and `export` as a user runs them, against mock
//! servers (one organisation each) on a virtual clock: the store equals the
//! dataset's records, a new day comes once, today never, a failed
//! organisation is named with exit code 8 while the others are stored,
//! the default store is printed on the first run, legacy = jobs minus
//! Genesys's own clients, and an export loads back as a dataset.
#![cfg(all(feature = "cli", feature = "sync"))]

#[path = "support/sync_cli.rs"]
mod sync_cli;
#[path = "support/sync_data.rs"]
mod sync_data;

use chrono::Days;
use genesys_usage::UsageRecord;
use genesys_usage::sync::{RecordQuery, SqliteStore, Store};
use sync_cli::{TempDir, run, servers, sync_command, text};
use sync_data::{ORGS, first_day, generate, jobs_reference, legacy_reference, now_after};

const DAYS: u64 = 100;

async fn stored(path: &std::path::Path) -> Vec<UsageRecord> {
    let store = SqliteStore::open(path).await.unwrap();
    store.records(&RecordQuery::all()).await.unwrap()
}

fn last() -> chrono::NaiveDate {
    first_day() + Days::new(DAYS - 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_stores_every_organisation_then_only_the_next_day() {
    let dir = TempDir::new("cli");
    let data = generate(&ORGS, DAYS + 1, 20, 3);
    let s = servers(&dir.0, &data, now_after(DAYS), &[]).await;
    let db = dir.0.join("usage.db");
    let store = format!("sqlite:{}", db.display());
    let since = first_day().to_string();

    let out = run(sync_command(
        &s,
        &store,
        now_after(DAYS),
        &["--since", &since],
    ))
    .await;
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let summary = text(&out.stdout);
    assert!(summary.starts_with("synced 2 organisation(s)"), "{summary}");
    assert!(
        summary.contains(&format!("org-north  ok      {DAYS} day(s)")),
        "{summary}"
    );
    // Not a terminal: plain lines, no bar.
    assert!(
        text(&out.stderr).contains("org-south: stored 2025-01-01 to"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        stored(&db).await,
        jobs_reference(&data, first_day(), last())
    );

    // The next day: the mocks' clocks and the run's move on together.
    for (_, server) in &s.servers {
        server.engine().clock().set(now_after(DAYS + 1));
    }
    let out = run(sync_command(&s, &store, now_after(DAYS + 1), &[])).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("org-south  ok      1 day(s)"),
        "{}",
        text(&out.stdout)
    );
    let all = stored(&db).await;
    assert_eq!(
        all,
        jobs_reference(&data, first_day(), last() + Days::new(1))
    );
    let today = last() + Days::new(2);
    assert!(all.iter().all(|r| r.date < today), "today is never stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_organisation_is_named_and_the_others_are_stored() {
    let dir = TempDir::new("cli-fail");
    let data = generate(&ORGS, DAYS, 10, 4);
    let s = servers(&dir.0, &data, now_after(DAYS), &[]).await;
    let mut toml = std::fs::read_to_string(&s.config).unwrap();
    toml.push_str(
        "[[organization]]\nname = \"gone\"\nbase_url = \"http://127.0.0.1:1\"\n\
         client_id_env = \"GU_TEST_ID\"\nclient_secret_env = \"GU_TEST_SECRET\"\n",
    );
    std::fs::write(&s.config, toml).unwrap();
    let db = dir.0.join("usage.db");
    let store = format!("sqlite:{}", db.display());
    let since = first_day().to_string();
    let out = run(sync_command(
        &s,
        &store,
        now_after(DAYS),
        &["--since", &since],
    ))
    .await;
    assert_eq!(
        out.status.code(),
        Some(8),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let summary = text(&out.stdout);
    assert!(
        summary.contains("synced 2 of 3 organisation(s)"),
        "{summary}"
    );
    assert!(summary.contains("failed: gone"), "{summary}");
    assert!(summary.contains("gone       FAILED"), "{summary}");
    assert_eq!(
        stored(&db).await,
        jobs_reference(&data, first_day(), last())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_prints_the_default_store_and_a_dry_run_writes_nothing() {
    let dir = TempDir::new("cli-default");
    let data = generate(&ORGS[..1], 10, 5, 5);
    let s = servers(&dir.0, &data, now_after(10), &[]).await;
    let data_home = dir.0.join("xdg");
    let mut dry = sync_command(&s, "x", now_after(10), &["--dry-run"]);
    // No --store: the default, under XDG_DATA_HOME.
    let args: Vec<_> = dry.as_std().get_args().map(|a| a.to_owned()).collect();
    let mut command = tokio::process::Command::new(sync_cli::BIN);
    command.env_clear().env("XDG_DATA_HOME", &data_home);
    for (k, v) in dry.as_std().get_envs() {
        if let Some(v) = v {
            command.env(k, v);
        }
    }
    let skip = args.iter().position(|a| a == "--store").unwrap();
    let args: Vec<_> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != skip && *i != skip + 1)
        .map(|(_, a)| a.clone())
        .collect();
    command
        .args(&args)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    dry = command;
    let out = run(dry).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = data_home.join("genesys-usage/usage.db");
    assert!(
        text(&out.stderr).contains(&format!(
            "store: sqlite:{} (the default",
            expected.display()
        )),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("would fetch 30 day(s)"),
        "{}",
        text(&out.stdout)
    );
    assert!(stored(&expected).await.is_empty());
    assert!(
        s.servers[0].1.engine().executions().is_empty(),
        "a dry run submits nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_stores_the_jobs_records_minus_genesys_clients() {
    let dir = TempDir::new("cli-legacy");
    let data = generate(&ORGS, 30, 15, 6);
    let s = servers(&dir.0, &data, now_after(30), &[]).await;
    let db = dir.0.join("legacy.db");
    let store = format!("sqlite:{}", db.display());
    let since = first_day().to_string();
    let out = run(sync_command(
        &s,
        &store,
        now_after(30),
        &["--since", &since, "--service", "legacy"],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let last = first_day() + Days::new(29);
    assert_eq!(
        stored(&db).await,
        legacy_reference(&data, first_day(), last)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_loads_into_a_mock_server_that_syncs_to_the_same_records() {
    let dir = TempDir::new("cli-export");
    let data = generate(&ORGS, 40, 15, 8);
    let s = servers(&dir.0, &data, now_after(40), &[]).await;
    let db = dir.0.join("first.db");
    let store = format!("sqlite:{}", db.display());
    let since = first_day().to_string();
    let out = run(sync_command(
        &s,
        &store,
        now_after(40),
        &["--since", &since],
    ))
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));

    for (format, ext) in [("csv", "csv"), ("jsonl", "jsonl")] {
        // Each organisation's export, loaded back as its server's dataset.
        let mut exported = Vec::new();
        for org in ORGS {
            let file = dir.0.join(format!("{org}.{ext}"));
            let mut command = tokio::process::Command::new(sync_cli::BIN);
            command
                .env_clear()
                .args([
                    "export", "--store", &store, "--since", &since, "--org", org, "--format",
                    format, "--output",
                ])
                .arg(&file);
            let out = run(command).await;
            assert!(out.status.success(), "{}", text(&out.stderr));
            exported.push(file);
        }
        let mut toml = String::new();
        let mut keep = Vec::new();
        for (org, file) in ORGS.iter().zip(&exported) {
            let config = sync_cli::mock_config(now_after(40), file);
            let server = genesys_usage_mock::MockServer::start(config).await.unwrap();
            toml.push_str(&format!(
                "[[organization]]\nname = \"{org}\"\nbase_url = \"{}\"\nclient_id_env = \"GU_TEST_ID\"\nclient_secret_env = \"GU_TEST_SECRET\"\n",
                server.url()
            ));
            keep.push(server);
        }
        std::fs::write(&s.config, &toml).unwrap();
        let again = dir.0.join(format!("again-{ext}.db"));
        let out = run(sync_command(
            &s,
            &format!("sqlite:{}", again.display()),
            now_after(40),
            &["--since", &since],
        ))
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(stored(&again).await, stored(&db).await, "{format}");
    }
}
