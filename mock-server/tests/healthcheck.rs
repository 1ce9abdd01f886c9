//! `genesys-usage-mock healthcheck`, the container image's HEALTHCHECK:
//! exit 0 against a running server found from its settings, 1 (bounded in
//! time) against a closed port, a silent server or a wrong admin token.

#![cfg(unix)]

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use genesys_usage_mock::exit_code;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

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

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("genesys-usage-mock-hc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Starts a server; returns it with its base URL once it listens.
async fn server(command: &mut Command) -> (Child, String) {
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(WAIT, stdout.read_line(&mut line))
        .await
        .expect("a listening line within the wait")
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    (child, url)
}

async fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = tokio::time::timeout(WAIT, command.output())
        .await
        .expect("the healthcheck ends within the wait")
        .unwrap();
    (
        status.code().expect("exited, not killed"),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

#[tokio::test]
async fn a_running_server_found_from_its_settings_is_healthy() {
    let port_file = temp_path("port");
    let (mut child, url) = server(
        command(&[])
            .env("GENESYS_MOCK_PORT_FILE", &port_file)
            .env("GENESYS_MOCK_ADMIN_TOKEN", "admin-secret"),
    )
    .await;
    // The same environment as the server, as in the container.
    let (code, stdout, stderr) = run(command(&["healthcheck"])
        .env("GENESYS_MOCK_PORT_FILE", &port_file)
        .env("GENESYS_MOCK_ADMIN_TOKEN", "admin-secret"))
    .await;
    assert_eq!(code, exit_code::OK, "{stderr}");
    assert_eq!(stdout, format!("healthy: {url}/__admin/health\n"));

    let port = url.rsplit(':').next().unwrap();
    let (code, _, stderr) =
        run(command(&["--port", port, "healthcheck"])
            .env("GENESYS_MOCK_ADMIN_TOKEN", "admin-secret"))
        .await;
    assert_eq!(code, exit_code::OK, "{stderr}");

    // A wrong admin token: unhealthy, and neither token is echoed.
    let (code, stdout, stderr) =
        run(command(&["healthcheck", "--url", &url])
            .env("GENESYS_MOCK_ADMIN_TOKEN", "wrong-secret"))
        .await;
    assert_eq!(code, exit_code::UNHEALTHY);
    assert_eq!(stdout, "");
    assert!(stderr.contains("401"), "{stderr}");
    assert!(
        !stderr.contains("admin-secret") && !stderr.contains("wrong-secret"),
        "{stderr}"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_server_without_the_admin_api_is_unhealthy_with_a_hint() {
    let (mut child, url) = server(&mut command(&["--no-admin"])).await;
    let (code, _, stderr) = run(&mut command(&["healthcheck", "--url", &url])).await;
    assert_eq!(code, exit_code::UNHEALTHY);
    assert!(
        stderr.contains("404") && stderr.contains("--no-admin"),
        "{stderr}"
    );
    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_closed_port_is_unhealthy() {
    // Bind then drop: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&mut command(&["healthcheck", "--url", &url])).await;
    assert_eq!(code, exit_code::UNHEALTHY);
    assert_eq!(stdout, "");
    assert!(stderr.contains("cannot connect"), "{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
}

#[tokio::test]
async fn a_server_that_never_answers_is_unhealthy_after_the_timeout() {
    // Accepts connections (the kernel's backlog does) but never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let started = Instant::now();
    let (code, _, stderr) = run(&mut command(&[
        "healthcheck",
        "--url",
        &url,
        "--timeout",
        "300ms",
    ]))
    .await;
    assert_eq!(code, exit_code::UNHEALTHY);
    assert!(stderr.contains("no answer within 300ms"), "{stderr}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    drop(silent);
}

#[tokio::test]
async fn no_port_to_check_and_bad_settings_are_unhealthy_not_usage_errors() {
    let (code, _, stderr) = run(&mut command(&["healthcheck"])).await;
    assert_eq!(code, exit_code::UNHEALTHY, "{stderr}");
    assert!(stderr.contains("GENESYS_MOCK_PORT"), "{stderr}");

    let (code, _, stderr) = run(command(&["healthcheck"]).env("GENESYS_MOCK_TOKEN_TTL", "0")).await;
    assert_eq!(code, exit_code::UNHEALTHY, "{stderr}");
    assert!(stderr.contains("token-ttl"), "{stderr}");

    let (code, _, stderr) = run(command(&["healthcheck"])
        .env("GENESYS_MOCK_PORT", "8443")
        .env("GENESYS_MOCK_TLS_SELF_SIGNED", "true"))
    .await;
    assert_eq!(code, exit_code::UNHEALTHY, "{stderr}");
    assert!(stderr.contains("plain HTTP"), "{stderr}");
}
