//! The `genesys-usage` binary against an in-process mock server: every
//! subcommand in every format, the documented exit codes, resume, Ctrl-C,
//! and a quiet stderr when it is not a terminal.
#![cfg(feature = "cli")]

#[path = "support/cli.rs"]
mod cli_support;

use std::process::{Output, Stdio};
use std::time::Duration;

use cli_support::{BIN, CONNECTION_VARS, RUN_LIMIT, cli, quick_server, run, stderr, stdout};
use genesys_usage::fake::ExecutionState;
use genesys_usage_mock::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use tokio::process::Command;

/// The arguments of each subcommand, for an OAuth client of the dataset.
fn subcommands(server: &MockServer) -> Vec<Vec<String>> {
    let client = server.engine().dataset().clients()[0].clone();
    let words = |line: &str| line.split(' ').map(str::to_owned).collect::<Vec<_>>();
    vec![
        words("query --granularity Day --group-by OAuthClientId"),
        vec!["search".into(), "--client-name".into(), client.name.clone()],
        words(&format!(
            "client-query --client-id {} --group-by TemplateUri",
            client.id
        )),
        words(&format!(
            "client-summary --client-id {} --days 3",
            client.id
        )),
        words(
            "jobs --granularity Day --group-by OauthClientId --sort requestCount:desc --page-size 7",
        ),
        words(&format!(
            "client-jobs --client-id {} --group-by TemplateUri --page-size 5",
            client.id
        )),
    ]
}

async fn run_format(server: &MockServer, args: &[String], format: &str) -> Output {
    let mut command = cli(server);
    command.args(args).args(["--format", format]);
    let output = run(command).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?} --format {format} failed:\n{}",
        stderr(&output)
    );
    output
}

#[tokio::test]
async fn every_subcommand_prints_the_same_rows_in_every_format() {
    let server = quick_server().await;
    for args in subcommands(&server) {
        let json = stdout(&run_format(&server, &args, "json").await);
        let rows: Vec<serde_json::Value> = json
            .lines()
            .map(|line| serde_json::from_str(line).expect("each JSON line parses"))
            .collect();
        assert!(!rows.is_empty(), "{args:?} returned rows");
        assert!(rows.iter().all(serde_json::Value::is_object));

        let csv = stdout(&run_format(&server, &args, "csv").await);
        let mut lines = csv.lines();
        let header = lines.next().expect("a CSV header");
        assert!(header.starts_with("date,"), "{args:?}: {header}");
        assert_eq!(lines.count(), rows.len(), "{args:?}: CSV and JSON rows");

        let table = stdout(&run_format(&server, &args, "table").await);
        let first = table.lines().next().unwrap_or_default();
        // The simple search has no request total, but every kind has 2XX.
        assert!(first.contains("2XX"), "{args:?} table header: {first}");
        let count = format!("rows: {}", rows.len());
        assert_eq!(table.lines().last(), Some(count.as_str()), "{args:?}");
    }
}

#[tokio::test]
async fn piped_stdout_defaults_to_json_lines_and_piped_stderr_stays_quiet() {
    // The default lifecycle needs three polls, so a spinner would have drawn.
    let server = MockServer::start(Config::default()).await.unwrap();
    let mut command = cli(&server);
    command.args(["query", "--group-by", "OAuthClientId"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    let err = stderr(&output);
    assert!(!err.contains('\r'), "no carriage returns: {err:?}");
    assert!(
        !err.contains('⠋') && !err.contains("polls"),
        "no spinner: {err:?}"
    );
    assert!(err.is_empty(), "nothing on stderr: {err:?}");
}

#[tokio::test]
async fn bad_credentials_exit_3_without_printing_the_secret() {
    let server = quick_server().await;
    let mut command = cli(&server);
    command.args(["--auth-client-secret", "wrong-secret-value", "query"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: submitting the organisation query failed"),
        "{err}"
    );
    assert!(!err.contains("wrong-secret-value"));
}

#[tokio::test]
async fn resuming_an_unknown_execution_exits_4_with_status_and_correlation_id() {
    let server = quick_server().await;
    let mut command = cli(&server);
    command.args(["resume", "query", "no-such-execution"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("http status: 404"), "{err}");
    assert!(err.contains("correlation id: "), "{err}");
}

#[tokio::test]
async fn a_failed_query_exits_5() {
    let server = quick_server().await;
    server
        .engine()
        .set_default_lifecycle("running:1,failed".parse().unwrap());
    let mut command = cli(&server);
    command.arg("jobs");
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(stderr(&output).contains("execution id: "));
}

#[tokio::test]
async fn the_deadline_exits_6_and_the_printed_resume_command_finishes_the_query() {
    let server = quick_server().await;
    let engine = server.engine();
    engine.set_default_lifecycle("running:manual,complete".parse().unwrap());
    let mut command = cli(&server);
    command.args(["query", "--timeout", "1s"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let id = engine.executions()[0].id.clone();
    let err = stderr(&output);
    assert!(
        err.contains(&format!("resume with: genesys-usage resume query {id}")),
        "{err}"
    );

    engine.force_state(&id, ExecutionState::Complete).unwrap();
    let mut resume = cli(&server);
    resume.args(["resume", "query", &id, "--format", "csv"]);
    let output = run(resume).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).lines().count() > 1, "header and rows");
}

#[tokio::test]
async fn bad_flags_exit_2_with_a_usage_message() {
    let server = quick_server().await;
    for args in [
        vec!["query", "--granularity", "hourly"],
        vec!["query", "--last", "0d"],
        vec!["query", "--interval", "yesterday"],
        vec!["jobs", "--sort", "date:sideways"],
        vec!["client-query"],
        vec!["resume", "client-jobs", "some-id"],
        vec!["no-such-subcommand"],
    ] {
        let mut command = cli(&server);
        command.args(&args);
        let output = run(command).await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).starts_with("error: "), "{args:?}");
    }
}

#[tokio::test]
async fn missing_credentials_exit_2_naming_the_flags() {
    let server = quick_server().await;
    let mut command = Command::new(BIN);
    for var in CONNECTION_VARS {
        command.env_remove(var);
    }
    command.args(["--base-url", &server.url(), "query"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--auth-client-id"));
}

#[tokio::test]
async fn the_documented_genesyscloud_variables_configure_the_binary() {
    let server = quick_server().await;
    let mut command = Command::new(BIN);
    for var in CONNECTION_VARS {
        command.env_remove(var);
    }
    command
        .env("GENESYSCLOUD_BASE_URL", server.url())
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", DEFAULT_CLIENT_ID)
        .env("GENESYSCLOUD_OAUTHCLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        .args(["query", "--format", "csv"])
        .stdin(Stdio::null());
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stdout(&output).is_empty());
}

#[tokio::test]
async fn half_of_the_client_credentials_is_a_usage_error_naming_the_other_half() {
    let server = quick_server().await;
    let mut command = Command::new(BIN);
    for var in CONNECTION_VARS {
        command.env_remove(var);
    }
    command
        .env("GENESYSCLOUD_OAUTHCLIENT_ID", DEFAULT_CLIENT_ID)
        .args(["--base-url", &server.url(), "query"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("GENESYSCLOUD_OAUTHCLIENT_SECRET is not"),
        "{}",
        stderr(&output)
    );
    let mut command = Command::new(BIN);
    for var in CONNECTION_VARS {
        command.env_remove(var);
    }
    command.args([
        "--base-url",
        &server.url(),
        "--auth-client-id",
        "x",
        "query",
    ]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("together"), "{}", stderr(&output));
}

#[tokio::test]
async fn an_unreachable_service_exits_7() {
    // A port that was free a moment ago: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let server = quick_server().await;
    let mut command = cli(&server);
    command.args(["--base-url", &format!("http://127.0.0.1:{port}"), "query"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
}

#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_exits_130_and_prints_the_execution_id() {
    let server = quick_server().await;
    let engine = server.engine();
    engine.set_default_lifecycle("running:manual,complete".parse().unwrap());
    let mut command = cli(&server);
    command
        .args([
            "client-jobs",
            "--client-id",
            &engine.dataset().clients()[0].id,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    let pid = child.id().unwrap().to_string();
    // Wait (bounded) until the query is polled, so the binary knows its id.
    for _ in 0..600 {
        if engine.executions().first().is_some_and(|e| e.polls > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let id = engine
        .executions()
        .first()
        .expect("a submitted query")
        .id
        .clone();
    let kill = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    assert!(kill.unwrap().success());
    let output = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains(&format!("execution id: {id}")), "{err}");
    assert!(err.contains("genesys-usage resume client-jobs"), "{err}");
}
