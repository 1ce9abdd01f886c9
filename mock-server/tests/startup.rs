//! The binary as CI runs it: one listening line, port file, environment and
//! file configuration, exit codes, and graceful shutdown.

#![cfg(unix)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use genesys_usage_mock::exit_code;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
use tokio::process::{Child, ChildStdout, Command};

const BIN: &str = env!("CARGO_BIN_EXE_genesys-usage-mock");
const WAIT: Duration = Duration::from_secs(20);

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// A fresh path in the temp directory, unique per test.
fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("genesys-usage-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Waits for the listening line; returns the base URL and the rest of stdout.
async fn listening(child: &mut Child) -> (String, BufReader<ChildStdout>) {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(WAIT, stdout.read_line(&mut line))
        .await
        .expect("a line within the wait")
        .unwrap();
    let url = line
        .strip_suffix('\n')
        .and_then(|l| l.strip_prefix("listening on "))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (url, stdout)
}

async fn exit_code_of(child: &mut Child) -> i32 {
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("exits within the wait")
        .unwrap();
    status.code().expect("exited, not killed")
}

fn signal(child: &Child, name: &str) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args([name, pid.as_str()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(WAIT)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_binary_prints_one_listening_line_and_stops_cleanly_on_sigterm() {
    let mut child = command(&["--port", "0"]).spawn().unwrap();
    let (url, mut stdout) = listening(&mut child).await;
    let health = client()
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    signal(&child, "-TERM");
    assert_eq!(exit_code_of(&mut child).await, exit_code::OK);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "", "nothing but the listening line on stdout");
}

#[tokio::test]
async fn sigint_also_stops_the_binary_cleanly() {
    let mut child = command(&[]).spawn().unwrap();
    listening(&mut child).await;
    signal(&child, "-INT");
    assert_eq!(exit_code_of(&mut child).await, exit_code::OK);
}

#[tokio::test]
async fn the_port_file_holds_the_listening_port() {
    let path = temp_path("port-file");
    let mut child = command(&["--port-file", path.to_str().unwrap()])
        .spawn()
        .unwrap();
    let (url, _) = listening(&mut child).await;
    let port = std::fs::read_to_string(&path).unwrap();
    assert_eq!(url, format!("http://127.0.0.1:{}", port.trim()));
    signal(&child, "-TERM");
    exit_code_of(&mut child).await;
}

#[tokio::test]
async fn environment_variables_configure_the_binary() {
    let path = temp_path("env-port-file");
    let mut child = command(&[])
        .env("GENESYS_MOCK_PORT_FILE", &path)
        .env("GENESYS_MOCK_CLIENT_ID", "env-client")
        .env("GENESYS_MOCK_NO_ADMIN", "true")
        .spawn()
        .unwrap();
    let (url, _) = listening(&mut child).await;
    assert!(path.exists(), "GENESYS_MOCK_PORT_FILE was used");
    let http = client();
    let token = http
        .post(format!("{url}/oauth/token"))
        .basic_auth("env-client", Some("mock-client-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    let admin = http
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 404, "GENESYS_MOCK_NO_ADMIN was used");
    signal(&child, "-TERM");
    exit_code_of(&mut child).await;
}

#[tokio::test]
async fn flags_win_over_the_environment_and_the_file() {
    let file = temp_path("mock.toml");
    std::fs::write(
        &file,
        "client-id = \"file-client\"\nclient-secret = \"file-secret\"\n",
    )
    .unwrap();
    let mut child = command(&[
        "--config",
        file.to_str().unwrap(),
        "--client-id",
        "flag-client",
    ])
    .env("GENESYS_MOCK_CLIENT_ID", "env-client")
    .spawn()
    .unwrap();
    let (url, _) = listening(&mut child).await;
    let token = |id: &'static str| {
        let url = url.clone();
        async move {
            client()
                .post(format!("{url}/oauth/token"))
                .basic_auth(id, Some("file-secret"))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        token("flag-client").await,
        200,
        "flag id with the file's secret"
    );
    assert_eq!(token("env-client").await, 401);
    assert_eq!(token("file-client").await, 401);
    signal(&child, "-TERM");
    exit_code_of(&mut child).await;
}

/// Flags and one environment variable of a bad-configuration case.
type Case<'a> = (&'a [&'a str], Option<(&'a str, &'a str)>);

#[tokio::test]
async fn bad_configuration_exits_with_code_2() {
    let cases: [Case<'_>; 4] = [
        (&["--lifecycle", "sometimes"], None),
        (&["--config", "/nonexistent/mock.toml"], None),
        (&["--no-such-flag"], None),
        (&[], Some(("GENESYS_MOCK_TOKEN_TTL", "soon"))),
    ];
    for (args, env) in cases {
        let mut command = command(args);
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        assert_eq!(
            exit_code_of(&mut child).await,
            exit_code::BAD_CONFIG,
            "{args:?} {env:?}"
        );
    }
}

#[tokio::test]
async fn a_port_in_use_exits_with_code_3() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut child = command(&["--port", &port]).spawn().unwrap();
    assert_eq!(exit_code_of(&mut child).await, exit_code::BIND_FAILED);
}

#[tokio::test]
async fn an_unwritable_port_file_exits_with_code_4() {
    let mut child = command(&["--port-file", "/nonexistent/dir/port"])
        .spawn()
        .unwrap();
    assert_eq!(exit_code_of(&mut child).await, exit_code::PORT_FILE_FAILED);
}

#[tokio::test]
async fn admin_shutdown_stops_the_binary_with_code_0() {
    let mut child = command(&[]).spawn().unwrap();
    let (url, _) = listening(&mut child).await;
    let answer = client()
        .post(format!("{url}/__admin/shutdown"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    assert_eq!(exit_code_of(&mut child).await, exit_code::OK);
}
