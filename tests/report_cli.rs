//! `genesys-usage report` over a store filled with the fixture dataset:
//! the binary prints the library's report (JSON and plain tables in a
//! pipe), writes its page, refuses bad flags with exit 2 and names a bad
//! store without its password. One test also leaves the page and its JSON
//! under `target/tmp/report-page/` for the browser check
//! (`tests/browser/run.sh`).
#![cfg(feature = "cli")]

#[path = "support/dataset_sums.rs"]
mod dataset_sums;
#[path = "support/report_store.rs"]
mod report_store;

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use chrono::NaiveDate;
use genesys_usage::report::{Report, ReportOptions};
use genesys_usage::sync::open_store;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_genesys-usage");

async fn run(args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("GENESYS_USAGE_STORE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the binary finishes within 120 s")
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn fixture_range() -> (NaiveDate, NaiveDate) {
    report_store::fixture_days(&dataset_sums::records())
}

async fn library_report(location: &str, options: &ReportOptions) -> Report {
    let store = open_store(location).await.unwrap();
    Report::from_store(store.as_ref(), options).await.unwrap()
}

#[tokio::test]
async fn the_binary_prints_the_library_report_as_json_and_as_plain_tables() {
    let location = report_store::filled_store("cli").await;
    let (first, last) = fixture_range().await;
    let (since, until) = (first.to_string(), last.to_string());
    let flags = [
        "report", "--store", &location, "--since", &since, "--until", &until,
    ];
    let expected = library_report(&location, &ReportOptions::days(first, last)).await;

    let json = run(&[&flags[..], &["--format", "json"]].concat()).await;
    assert!(json.status.success(), "{}", text(&json.stderr));
    // Compared as text: serde_json's default float parsing may be one ulp off.
    let mut want = serde_json::to_string_pretty(&expected).unwrap();
    want.push('\n');
    assert_eq!(text(&json.stdout), want);

    let table = run(&flags).await;
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    assert!(!table.contains('\x1b'), "no colour in a pipe");
    assert_eq!(table, expected.to_terminal(false));
}

#[tokio::test]
async fn html_writes_the_page_of_the_same_report_for_one_organisation() {
    let location = report_store::filled_store("cli-html").await;
    let (first, last) = fixture_range().await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join(format!("page-{}.html", std::process::id()));
    let (since, until) = (first.to_string(), last.to_string());
    let out = run(&[
        "report",
        "--store",
        &location,
        "--since",
        &since,
        "--until",
        &until,
        "--org",
        "org-initech",
        "--top",
        "3",
        "--html",
        page.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let options = ReportOptions::days(first, last)
        .organization("org-initech")
        .top(3);
    let expected = library_report(&location, &options).await;
    assert_eq!(std::fs::read_to_string(&page).unwrap(), expected.to_html());
    assert_eq!(expected.top_clients.len(), 3);
    assert_eq!(expected.organizations.len(), 1);
}

#[tokio::test]
async fn bad_flags_exit_2_and_a_bad_store_exits_9_without_its_password() {
    let location = report_store::filled_store("cli-bad").await;
    let csv = run(&["report", "--store", &location, "--format", "csv"]).await;
    assert_eq!(csv.status.code(), Some(2), "{}", text(&csv.stderr));
    let backwards = run(&[
        "report",
        "--store",
        &location,
        "--since",
        "2025-05-02",
        "--until",
        "2025-05-01",
    ])
    .await;
    assert_eq!(backwards.status.code(), Some(2));
    assert!(text(&backwards.stderr).contains("--since 2025-05-02 is after --until 2025-05-01"));
    let bad_day = run(&["report", "--store", &location, "--since", "May 1"]).await;
    assert_eq!(bad_day.status.code(), Some(2));
    let unreachable = run(&[
        "report",
        "--store",
        "postgres://me:s3cret-pw@127.0.0.1:1/db",
    ])
    .await;
    assert_eq!(
        unreachable.status.code(),
        Some(9),
        "the store exit code of sync and export"
    );
    let stderr = text(&unreachable.stderr);
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
    let record = run(&["report", "--store", &location, "--record", "x.json"]).await;
    assert_eq!(record.status.code(), Some(2), "{}", text(&record.stderr));
    // Without --store: the default store of sync, missing here under an empty home.
    let home = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("report-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut default = Command::new(BIN);
    default
        .args(["report", "--format", "json"])
        .env_remove("GENESYS_USAGE_STORE")
        .env_remove("XDG_DATA_HOME")
        .env("HOME", &home)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let default = tokio::time::timeout(Duration::from_secs(120), default.output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(default.status.code(), Some(9));
    let stderr = text(&default.stderr);
    assert!(
        stderr.contains(".local/share/genesys-usage/usage.db"),
        "{stderr}"
    );
    assert!(stderr.contains("genesys-usage sync"), "{stderr}");
    assert!(
        !home.join(".local/share/genesys-usage/usage.db").exists(),
        "nothing created"
    );
}

/// Writes `report.html` and `report.json` of the whole fixture to
/// `target/tmp/report-page/`, the files `tests/browser/run.sh` opens.
#[tokio::test]
async fn writes_the_page_and_json_the_browser_check_opens() {
    let location = report_store::filled_store("cli-browser").await;
    let (first, last) = fixture_range().await;
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-page");
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    let (since, until) = (first.to_string(), last.to_string());
    let out = run(&[
        "report",
        "--store",
        &location,
        "--since",
        &since,
        "--until",
        &until,
        "--html",
        page.to_str().unwrap(),
        "--format",
        "json",
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::write(dir.join("report.json"), &out.stdout).unwrap();
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.totals.requests > 0 && report.totals.status429 > 0);
}
