//! What the SDK reads from the process environment, tested in child
//! processes (this binary run again, with an environment made for it) so
//! no test changes its own process's environment: `SSL_CERT_FILE` trusted
//! by default, `HTTPS_PROXY` honoured and `NO_PROXY` respected by default,
//! `.no_proxy()` ignoring them, and `UsageClient::from_env()` with both the
//! documented names and their aliases.

#[path = "support/proxy.rs"]
mod proxy;
#[path = "support/tls.rs"]
mod tls;

use std::process::Stdio;
use std::time::Duration;

use genesys_usage::UsageClient;
use genesys_usage_mock::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockServer};
use proxy::ConnectProxy;
use tls::{Authority, Scratch, ca_of, https_mock, query};

/// The variable telling the child entry point how to build its client.
const MODE: &str = "GENESYS_USAGE_TEST_CHILD_MODE";
const CHILD: &str = "child_runs_one_query_configured_by_its_environment";
const LIMIT: Duration = Duration::from_secs(60);

/// Not a test of its own: the entry point of the child processes below.
/// It builds a client from its environment, runs one query and prints one
/// `OUTCOME` line for the parent to judge.
#[tokio::test]
#[ignore = "run by the tests of this file in a child process"]
async fn child_runs_one_query_configured_by_its_environment() {
    let built = match std::env::var(MODE).as_deref() {
        Ok("no_proxy") => UsageClient::builder()
            .with_env()
            .and_then(|b| b.no_proxy().build()),
        _ => UsageClient::from_env(),
    };
    let outcome = match built {
        Ok(client) => client.run_usage_query(&query()).await,
        Err(error) => Err(error),
    };
    #[allow(clippy::print_stdout, reason = "the parent reads this line")]
    match outcome {
        Ok(result) => println!(
            "OUTCOME ok rows={}",
            result.results.unwrap_or_default().len()
        ),
        Err(error) => println!("OUTCOME error {error}"),
    }
}

/// Runs the child entry point with exactly `vars` as its environment and
/// returns its `OUTCOME` line.
async fn child(vars: &[(&str, &str)]) -> String {
    let exe = std::env::current_exe().expect("this test binary");
    let mut command = tokio::process::Command::new(exe);
    command
        .args([
            "--exact",
            CHILD,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(LIMIT, command.output())
        .await
        .expect("the child finished in time")
        .expect("the child started");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    stdout
        .lines()
        // libtest prints `test … ... ` before the line on the same line.
        .find_map(|line| line.split_once("OUTCOME ").map(|(_, outcome)| outcome))
        .unwrap_or_else(|| {
            panic!(
                "no OUTCOME line; stdout: {stdout}\nstderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
        .to_owned()
}

/// The variables pointing the child at `server` with the documented names.
fn service(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("GENESYSCLOUD_BASE_URL", server.url()),
        ("GENESYSCLOUD_OAUTHCLIENT_ID", DEFAULT_CLIENT_ID.to_owned()),
        (
            "GENESYSCLOUD_OAUTHCLIENT_SECRET",
            DEFAULT_CLIENT_SECRET.to_owned(),
        ),
    ]
}

async fn child_with(vars: Vec<(&'static str, String)>) -> String {
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    child(&borrowed).await
}

#[tokio::test]
async fn ssl_cert_file_is_trusted_by_default() {
    let server = https_mock(None).await;
    let scratch = Scratch::new();
    let ca = scratch.write("ca.pem", &ca_of(&server));
    let mut vars = service(&server);
    vars.push(("SSL_CERT_FILE", ca.display().to_string()));
    let outcome = child_with(vars).await;
    assert!(outcome.starts_with("ok rows="), "{outcome}");
}

#[tokio::test]
async fn an_ssl_cert_file_without_the_ca_leaves_the_mock_untrusted() {
    let server = https_mock(None).await;
    let scratch = Scratch::new();
    let other = scratch.write("other.pem", &Authority::new("unrelated CA").pem());
    let mut vars = service(&server);
    vars.push(("SSL_CERT_FILE", other.display().to_string()));
    let outcome = child_with(vars).await;
    assert!(
        outcome.starts_with("error transport error (tls)"),
        "{outcome}"
    );
    assert!(outcome.contains("not trusted"), "{outcome}");
}

#[tokio::test]
async fn https_proxy_is_honoured_by_default() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::open().await;
    let scratch = Scratch::new();
    let ca = scratch.write("ca.pem", &ca_of(&server));
    let mut vars = service(&server);
    vars.push(("SSL_CERT_FILE", ca.display().to_string()));
    vars.push(("HTTPS_PROXY", proxy.url()));
    let outcome = child_with(vars).await;
    assert!(outcome.starts_with("ok rows="), "{outcome}");
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty(), "the child went through the proxy");
    let host = server.url().trim_start_matches("https://").to_owned();
    assert!(tunnels.iter().all(|t| t.target == host), "{tunnels:?}");
}

#[tokio::test]
async fn no_proxy_lets_a_host_bypass_https_proxy() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::open().await;
    let scratch = Scratch::new();
    let ca = scratch.write("ca.pem", &ca_of(&server));
    let mut vars = service(&server);
    vars.push(("SSL_CERT_FILE", ca.display().to_string()));
    vars.push(("HTTPS_PROXY", proxy.url()));
    vars.push(("NO_PROXY", "127.0.0.1".to_owned()));
    let outcome = child_with(vars).await;
    assert!(outcome.starts_with("ok rows="), "{outcome}");
    assert!(proxy.tunnels().is_empty(), "{:?}", proxy.tunnels());
}

#[tokio::test]
async fn no_proxy_in_code_ignores_https_proxy() {
    let server = https_mock(None).await;
    let proxy = ConnectProxy::open().await;
    let scratch = Scratch::new();
    let ca = scratch.write("ca.pem", &ca_of(&server));
    let mut vars = service(&server);
    vars.push(("SSL_CERT_FILE", ca.display().to_string()));
    vars.push(("HTTPS_PROXY", proxy.url()));
    vars.push((MODE, "no_proxy".to_owned()));
    let outcome = child_with(vars).await;
    assert!(outcome.starts_with("ok rows="), "{outcome}");
    assert!(proxy.tunnels().is_empty(), "{:?}", proxy.tunnels());
}

#[tokio::test]
async fn from_env_accepts_the_older_genesys_names() {
    let server = https_mock(None).await;
    let scratch = Scratch::new();
    let ca = scratch.write("ca.pem", &ca_of(&server));
    let url = server.url();
    let ca = ca.display().to_string();
    let outcome = child(&[
        ("GENESYS_BASE_URL", url.as_str()),
        ("GENESYS_CLIENT_ID", DEFAULT_CLIENT_ID),
        ("GENESYS_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        ("SSL_CERT_FILE", ca.as_str()),
    ])
    .await;
    assert!(outcome.starts_with("ok rows="), "{outcome}");
}

#[tokio::test]
async fn from_env_without_credentials_names_the_variables_to_set() {
    let server = https_mock(None).await;
    let url = server.url();
    let outcome = child(&[("GENESYSCLOUD_BASE_URL", url.as_str())]).await;
    assert!(
        outcome.starts_with("error invalid config: auth: "),
        "{outcome}"
    );
    assert!(outcome.contains("GENESYSCLOUD_OAUTHCLIENT_ID"), "{outcome}");
    assert!(outcome.contains("GENESYSCLOUD_ACCESS_TOKEN"), "{outcome}");
}
