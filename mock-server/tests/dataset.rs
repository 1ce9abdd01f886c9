//! Dataset files on the mock server (spec §13a): `--dataset PATH` (also
//! `GENESYS_MOCK_DATASET` and the TOML key `dataset`) at start-up, and
//! `PUT`/`GET /__admin/dataset` at run time. A bad file stops the binary with
//! exit code 2 before its listening line; over the admin API it is a 400
//! naming the line and field, and the data served before keeps serving.

mod support;

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use genesys_usage::fake::Dataset;
use genesys_usage_mock::{Config, exit_code};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Harness, error_body, start, start_with};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-usage-mock");
const WAIT: Duration = Duration::from_secs(20);
const HEADER: &str = "date,organization_id,oauth_client_id,template_uri,http_method,\
                      status200,status300,status400,status500";

fn fixture(ext: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/datasets")
        .join(format!("three_orgs.{ext}"))
}

/// A fresh file in the temp directory holding `body`.
fn temp_file(name: &str, body: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("genesys-mock-dataset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

async fn put_dataset(h: &Harness, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    h.http
        .put(h.url("/__admin/dataset"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("admin request")
}

/// Runs the binary with `args` and `env` until it exits (bounded); returns
/// the exit code, stdout and stderr.
async fn run_binary(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let child = tokio::process::Command::new(BIN)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("the binary exits within the wait")
        .unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().expect("exited, not killed"),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[tokio::test]
async fn a_bad_dataset_file_exits_with_code_2_before_the_listening_line() {
    let bad = temp_file(
        "bad.csv",
        format!("{HEADER}\n2025-06-02,org-a,c1,api/v2/users,OPTIONS,1,0,0,0\n").as_bytes(),
    );
    let bad = bad.to_str().unwrap();
    for (args, env) in [
        (vec!["--dataset", bad], vec![]),
        (vec![], vec![("GENESYS_MOCK_DATASET", bad)]),
    ] {
        let (code, stdout, stderr) = run_binary(&args, &env).await;
        assert_eq!(code, exit_code::BAD_CONFIG, "{stderr}");
        assert_eq!(stdout, "", "nothing listens");
        assert!(
            stderr.contains(&format!(
                "setting `dataset`: dataset {bad}, line 2, field http_method: must be one of"
            )),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn the_config_file_key_dataset_loads_a_file_the_binary_serves() {
    let config = temp_file(
        "mock.toml",
        format!(
            "dataset = {:?}\nport-file = {:?}\n",
            fixture("csv"),
            temp_file("port", b"")
        )
        .as_bytes(),
    );
    let mut child = tokio::process::Command::new(BIN)
        .args(["--config", config.to_str().unwrap(), "--port", "0"])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(
        WAIT,
        tokio::io::AsyncBufReadExt::read_line(&mut stdout, &mut line),
    )
    .await
    .expect("a listening line within the wait")
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let summary: Value = support::http_client()
        .get(format!("{url}/__admin/dataset"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected = Dataset::from_path(fixture("csv")).unwrap().summary();
    assert_eq!(summary["source"], "loaded");
    assert_eq!(summary["records"], json!(expected.records));
    assert_eq!(summary["mainOrganizationId"], "org-acme");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn get_dataset_says_what_is_served() {
    let h = start().await;
    let synthetic = h.admin_get("dataset").await;
    assert_eq!(synthetic["source"], "synthetic");
    assert_eq!(synthetic["seed"], 42);
    assert!(synthetic["clients"].as_array().unwrap().len() >= 5);

    let loaded = Dataset::from_path(fixture("jsonl")).unwrap();
    let h = start_with(Config {
        dataset: Some(Arc::new(loaded)),
        ..Config::default()
    })
    .await;
    let summary = h.admin_get("dataset").await;
    assert_eq!(summary["source"], "loaded");
    assert_eq!(summary["organizations"].as_array().unwrap().len(), 3);
    assert_eq!(summary["clients"].as_array().unwrap().len(), 22);
    assert!(summary["days"].as_u64().unwrap() >= 60, "{summary}");
    assert!(summary["records"].as_u64().unwrap() > 1000, "{summary}");
}

#[tokio::test]
async fn put_dataset_serves_csv_and_json_lines_and_reset_goes_back() {
    let h = start().await;
    let csv = std::fs::read(fixture("csv")).unwrap();
    let response = put_dataset(&h, "text/csv; charset=utf-8", csv).await;
    assert_eq!(response.status(), StatusCode::OK);
    let from_csv: Value = response.json().await.unwrap();
    assert_eq!(from_csv["origin"], "request body");
    assert_eq!(h.admin_get("dataset").await["records"], from_csv["records"]);

    let jsonl = std::fs::read(fixture("jsonl")).unwrap();
    let response = put_dataset(&h, "application/x-ndjson", jsonl).await;
    assert_eq!(response.status(), StatusCode::OK);
    let from_jsonl: Value = response.json().await.unwrap();
    assert_eq!(from_jsonl["records"], from_csv["records"]);
    assert_eq!(from_jsonl["clients"], from_csv["clients"]);

    let (status, _) = h.admin_post("reset", &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.admin_get("dataset").await["source"], "synthetic");
}

#[tokio::test]
async fn put_dataset_with_another_content_type_is_415() {
    let h = start().await;
    let response = put_dataset(&h, "application/json", b"{}".to_vec()).await;
    let body = error_body(response, 415, "unsupported.media.type").await;
    assert!(
        body["message"].as_str().unwrap().contains("text/csv"),
        "{body}"
    );
}

/// The bad-file matrix of issue 11, as `(case, content type, body)`.
fn bad_files() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let csv = |rows: &str| format!("{HEADER}\n{rows}\n").into_bytes();
    let row = "2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,0";
    let mut long = format!("{HEADER}\n").into_bytes();
    long.resize(long.len() + 2 * 1024 * 1024, b'x');
    let mut utf8 = format!("{HEADER}\n").into_bytes();
    utf8.extend_from_slice(b"2025-06-02,org-\xff,c1,api/v2/users,GET,1,0,0,0\n");
    vec![
        (
            "missing column",
            "text/csv",
            b"date,organization_id,oauth_client_id,template_uri,status200,status300,status400,status500\n"
                .to_vec(),
        ),
        (
            "unknown column",
            "text/csv",
            format!("{HEADER},status_200\n{row},1\n").into_bytes(),
        ),
        ("bad date", "text/csv", csv("2025-6-2,org-a,c1,api/v2/users,GET,10,0,3,0")),
        ("negative count", "text/csv", csv("2025-06-02,org-a,c1,api/v2/users,GET,-1,0,3,0")),
        ("non-integer count", "text/csv", csv("2025-06-02,org-a,c1,api/v2/users,GET,10,1.5,3,0")),
        (
            "status429 above status400",
            "text/csv",
            format!("{HEADER},status429\n{row},4\n").into_bytes(),
        ),
        ("unknown method", "text/csv", csv("2025-06-02,org-a,c1,api/v2/users,OPTIONS,10,0,3,0")),
        (
            "client with two names",
            "text/csv",
            format!("{HEADER},oauth_client_name\n{row},Reports\n{row},Exports\n").into_bytes(),
        ),
        ("empty file", "text/csv", Vec::new()),
        ("line over 1 MiB", "text/csv", long),
        ("invalid UTF-8", "text/csv", utf8),
        ("JSON line not an object", "application/x-ndjson", b"[1,2,3]\n".to_vec()),
    ]
}

#[tokio::test]
async fn bad_files_are_400_naming_line_and_field_and_the_old_data_keeps_serving() {
    let h = start().await;
    let good = format!("{HEADER}\n2025-06-02,org-a,c1,api/v2/users,GET,10,0,3,0\n");
    let response = put_dataset(&h, "text/csv", good.into_bytes()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let before = h.admin_get("dataset").await;

    let mut report = String::new();
    for (case, content_type, body) in bad_files() {
        let response = put_dataset(&h, content_type, body).await;
        let error = error_body(response, 400, "bad.request").await;
        let field = error["details"][0]["fieldName"].as_str().unwrap_or("?");
        let params = &error["messageParams"];
        assert_eq!(params["file"], "request body", "{case}: {error}");
        assert!(params["rule"].is_string(), "{case}: {error}");
        if field != "body" {
            assert_eq!(params["field"], field, "{case}: {error}");
        }
        let message = error["message"].as_str().unwrap();
        report.push_str(&format!("{case}: [{field}] {message}\n"));
        assert_eq!(
            h.admin_get("dataset").await,
            before,
            "{case} changed the data"
        );
    }
    insta::assert_snapshot!("bad_dataset_files_over_http", report);
}
