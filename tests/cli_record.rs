//! `genesys-usage --record PATH`: every subcommand records its API calls to a
//! cassette, saved at the end of the run (a failed run too); the cassette
//! replays the run in `genesys-usage-mock --replay`, and holds no secret.
#![cfg(feature = "cli")]

#[path = "support/cli.rs"]
mod cli_support;

use std::path::PathBuf;

use cli_support::{cli, quick_server, run, stderr, stdout};
use genesys_usage::cassette::Cassette;
use genesys_usage::fake::Operation;
use genesys_usage_mock::{Config, DEFAULT_CLIENT_SECRET, MockServer};

fn cassette_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "genesys-cli-record-{}-{name}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("run.cassette.json")
}

async fn recorded_run(server: &MockServer, path: &PathBuf, args: &[&str]) -> std::process::Output {
    let mut command = cli(server);
    command
        .arg("--record")
        .arg(path)
        .args(args)
        .args(["--format", "json"]);
    run(command).await
}

#[tokio::test]
async fn every_subcommand_records_a_cassette_that_replays_the_run() {
    let server = quick_server().await;
    let client = server.engine().dataset().clients()[0].clone();
    let subcommands: Vec<Vec<String>> = vec![
        vec!["query".into(), "--granularity".into(), "Day".into()],
        vec!["search".into(), "--client-name".into(), client.name.clone()],
        vec![
            "client-query".into(),
            "--client-id".into(),
            client.id.clone(),
        ],
        vec![
            "client-summary".into(),
            "--client-id".into(),
            client.id.clone(),
            "--days".into(),
            "3".into(),
        ],
        vec!["jobs".into(), "--page-size".into(), "7".into()],
        vec![
            "client-jobs".into(),
            "--client-id".into(),
            client.id.clone(),
        ],
    ];
    for args in subcommands {
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        let path = cassette_path(&args[0]);
        let output = recorded_run(&server, &path, &words).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("recorded "), "{}", stderr(&output));
        let text = std::fs::read_to_string(&path).expect("the cassette is written");
        assert!(
            !text.contains(DEFAULT_CLIENT_SECRET),
            "{args:?}: the secret"
        );
        let cassette = Cassette::from_slice(text.as_bytes()).unwrap();
        assert!(
            cassette.exchanges.iter().any(|e| e.operation.is_submit()),
            "{args:?}"
        );

        // The same command against a replay of it prints the same rows.
        let replay = MockServer::start(Config {
            replay: Some(cassette),
            ..Config::default()
        })
        .await
        .unwrap();
        let mut again = cli(&replay);
        again.args(&words).args(["--format", "json"]);
        let replayed = run(again).await;
        assert_eq!(
            replayed.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&replayed)
        );
        assert_eq!(stdout(&replayed), stdout(&output), "{args:?}");
        replay.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_failed_run_is_recorded_too() {
    let server = quick_server().await;
    let path = cassette_path("failed");
    let output = recorded_run(
        &server,
        &path,
        &["jobs", "--interval", "2020-01-01/2020-01-02"],
    )
    .await;
    assert_ne!(output.status.code(), Some(0), "{}", stdout(&output));
    let cassette = Cassette::load(&path).expect("written after the failure");
    let submit = &cassette.exchanges[0];
    assert_eq!(submit.operation, Operation::PostUsageAggregatesQueryJobs);
    let status = submit.response.as_ref().map(|r| r.status);
    assert!(status.is_some_and(|s| s >= 400), "{submit:?}");
}
