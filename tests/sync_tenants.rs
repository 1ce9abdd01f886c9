//! Two tenants of one mock server (a scenario with a credential in each
//! organisation, spec §13b "Whose data") synced concurrently into one
//! store: each organisation's rows come through its own credential only,
//! never mixed, and the store equals the dataset's records of both.
#![cfg(all(feature = "cli", feature = "sync"))]

#[path = "support/sync_cli.rs"]
mod sync_cli;
#[path = "support/sync_data.rs"]
mod sync_data;

use std::process::Stdio;

use chrono::Days;
use genesys_usage::sync::{RecordQuery, SqliteStore, Store};
use genesys_usage_mock::{Config, MockServer, Scenario};
use sync_cli::{BIN, TempDir, run, text};
use sync_data::{ORGS, first_day, generate, jobs_reference, now_after, write_files};
use tokio::process::Command;

const DAYS: u64 = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tenants_of_one_server_sync_concurrently_into_one_store_unmixed() {
    let dir = TempDir::new("tenants");
    let data = generate(&ORGS, DAYS, 12, 11);
    write_files(&dir.0.join("data"), &data);
    let all = dir.0.join("data").join("all.jsonl");
    let now = now_after(DAYS);
    let scenario = Scenario::from_toml(&format!(
        "dataset = {all:?}\nclock-start = \"{}\"\nvirtual-clock = true\nlifecycle = \"complete\"\n\n\
         [[credentials]]\nclient-id = \"north-id\"\nclient-secret = \"north-secret\"\norganization = \"{}\"\n\n\
         [[credentials]]\nclient-id = \"south-id\"\nclient-secret = \"south-secret\"\norganization = \"{}\"\n",
        now.to_rfc3339(),
        ORGS[0],
        ORGS[1],
    ))
    .expect("the scenario parses");
    let mut config = Config::default();
    scenario.apply(&mut config).expect("the scenario applies");
    let server = MockServer::start(config).await.unwrap();

    // One server, two organisations, each with its own credential.
    let orgs = dir.0.join("orgs.toml");
    let mut toml = String::from("concurrency = 2\n\n");
    for (org, env) in [(ORGS[0], "NORTH"), (ORGS[1], "SOUTH")] {
        toml.push_str(&format!(
            "[[organization]]\nname = \"{org}\"\norganization_id = \"{org}\"\nbase_url = \"{}\"\n\
             client_id_env = \"GU_{env}_ID\"\nclient_secret_env = \"GU_{env}_SECRET\"\n\
             requests_per_minute = 100000\n\n",
            server.url()
        ));
    }
    std::fs::write(&orgs, toml).unwrap();
    let db = dir.0.join("usage.db");
    let mut command = Command::new(BIN);
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
        .env("GU_NORTH_ID", "north-id")
        .env("GU_NORTH_SECRET", "north-secret")
        .env("GU_SOUTH_ID", "south-id")
        .env("GU_SOUTH_SECRET", "south-secret")
        .env("HOME", std::env::temp_dir())
        .args(["sync", "--config"])
        .arg(&orgs)
        .arg("--store")
        .arg(format!("sqlite:{}", db.display()))
        .arg("--now")
        .arg(now.to_rfc3339())
        .args(["--since", &first_day().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let out = run(command).await;
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).starts_with("synced 2 organisation(s)"),
        "{}",
        text(&out.stdout)
    );

    let store = SqliteStore::open(&db).await.unwrap();
    let stored = store.records(&RecordQuery::all()).await.unwrap();
    let last = first_day() + Days::new(DAYS - 1);
    assert_eq!(stored, jobs_reference(&data, first_day(), last));
    // Not mixed: every client's rows sit under the organisation that owns
    // it in the file (the Genesys-owned ones are per organisation too).
    for record in &stored {
        let org = &record.organization_id;
        assert!(
            record.oauth_client_id.starts_with(org.as_str())
                || record.oauth_client_id.starts_with("genesys-"),
            "{record:?}"
        );
        let index = ORGS.iter().position(|o| o == org).expect("a known org");
        if record.oauth_client_id.starts_with("genesys-") {
            assert_eq!(record.oauth_client_id, format!("genesys-{index}"));
        }
    }
    for org in ORGS {
        assert!(
            stored.iter().any(|r| r.organization_id == org),
            "{org} has rows"
        );
    }
}
