//! What the `genesys-usage` binary tells a user besides the rows: notes on
//! the window, hints after a failure, usage lines, logging, and the flags a
//! first run asked for (`--allow-insecure-http`). Against an in-process
//! mock server, as `tests/cli.rs`.
#![cfg(feature = "cli")]

#[path = "support/cli.rs"]
mod cli_support;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use cli_support::{cli, quick_server, run, stderr, stdout};
use genesys_usage::fake::{Fault, FaultRule, FaultTrigger, Operation, RetryAfterHint};

fn json_rows(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

#[tokio::test]
async fn jobs_note_the_days_they_cover_when_legacy_would_cover_one_less() {
    let server = quick_server().await;
    let today = Utc::now().date_naive();
    let (first, end) = (today - Duration::days(3), today - Duration::days(1));
    let interval = format!("{first}/{end}");
    let mut command = cli(&server);
    command.args(["jobs", "--interval", &interval, "--granularity", "Day"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let days: BTreeSet<String> = json_rows(&stdout(&output))
        .iter()
        .filter_map(|row| row["date"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(days.len(), 3, "the end day is counted: {days:?}");
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "note: jobs counts the end of --interval too: it covers {first} to {end} (3 days); \
             query, search and client-query would stop before {end}"
        )),
        "{err}"
    );
    assert!(err.trim_end().ends_with("(2 days)"), "{err}");
}

#[tokio::test]
async fn a_window_in_the_future_warns_that_no_rows_will_come_back() {
    let server = quick_server().await;
    let start = Utc::now().date_naive() + Duration::days(2);
    let interval = format!("{start}/{}", start + Duration::days(7));
    let mut command = cli(&server);
    command.args(["query", "--interval", &interval]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "", "no rows");
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "warning: the window starts {start}, today or later (UTC)"
        )),
        "{err}"
    );
    assert!(err.contains("so no rows will come back"), "{err}");
}

#[tokio::test]
async fn a_reset_after_a_processed_submit_says_the_query_may_exist_and_how_to_find_it() {
    let server = quick_server().await;
    let reset = FaultRule::new(Fault::ConnectionReset)
        .on(Operation::PostUsageQuery)
        .when(FaultTrigger::Next(1));
    server.engine().add_fault(reset);
    let mut command = cli(&server);
    command.arg("query");
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(7), "{}", stderr(&output));
    assert_eq!(server.engine().executions().len(), 1, "it was processed");
    let err = stderr(&output);
    assert!(err.contains("the query may exist there"), "{err}");
    assert!(
        err.contains("running the command again submits a second query"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "find it with: curl -s {}/__admin/executions then: genesys-usage resume query <execution-id>",
            server.url()
        )),
        "{err}"
    );
}

#[tokio::test]
async fn usage_errors_do_not_show_options_from_the_environment_as_required_flags() {
    let server = quick_server().await;
    let mut command = cli(&server);
    command.args([
        "query",
        "--interval",
        "2024-01-01/2024-01-02",
        "--last",
        "7d",
    ]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("Usage: genesys-usage query [OPTIONS]\n"),
        "{err}"
    );
    for flag in ["--base-url", "--auth-client-id", "--auth-client-secret"] {
        assert!(!err.contains(flag), "{flag} in {err}");
    }
}

#[tokio::test]
async fn allow_insecure_http_lets_plain_http_reach_a_host_that_is_not_loopback() {
    let server = quick_server().await;
    // 0.0.0.0 reaches this machine but is not a loopback address.
    let url = server.url().replace("127.0.0.1", "0.0.0.0");
    let mut refused = cli(&server);
    refused.args(["--base-url", &url, "query"]);
    let output = run(refused).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("use https or --allow-insecure-http"), "{err}");
    assert!(!err.contains("allow_insecure_http(true)"), "{err}");

    let mut allowed = cli(&server);
    allowed.args(["--base-url", &url, "--allow-insecure-http", "query"]);
    let output = run(allowed).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!json_rows(&stdout(&output)).is_empty());
}

#[tokio::test]
async fn rust_log_alone_turns_on_the_logs() {
    let server = quick_server().await;
    let mut command = cli(&server);
    command.env("RUST_LOG", "genesys_usage=debug").arg("query");
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("usage call succeeded"), "{err}");
    assert!(
        !json_rows(&stdout(&output)).is_empty(),
        "stdout keeps the rows"
    );
}

#[tokio::test]
async fn a_retry_after_landing_past_the_timeout_exits_6_with_the_resume_command() {
    let server = quick_server().await;
    let limited = Fault::RateLimited {
        retry_after: RetryAfterHint::Seconds(60),
    };
    let rule = FaultRule::new(limited)
        .on(Operation::GetUsageQueryExecutionIdResults)
        .when(FaultTrigger::Next(1));
    server.engine().add_fault(rule);
    let mut command = cli(&server);
    command.args(["query", "--timeout", "2s"]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    let err = stderr(&output);
    let id = server.engine().executions()[0].id.clone();
    assert!(err.contains("rate limited: retry after 60s"), "{err}");
    assert!(
        err.contains("the service asks to wait 60s for its rate limit (until "),
        "{err}"
    );
    assert!(
        err.contains(&format!("resume with: genesys-usage resume query {id}")),
        "{err}"
    );
}

#[tokio::test]
async fn resuming_an_empty_execution_id_is_a_usage_error() {
    let server = quick_server().await;
    let mut command = cli(&server);
    command.args(["resume", "query", ""]);
    let output = run(command).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("an execution id cannot be empty"), "{err}");
    assert!(!err.contains("  failed"), "{err}");
}
