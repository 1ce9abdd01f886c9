//! The three servers of the throughput bench and what they share: a token,
//! two executions of the mock server, and the bytes of their results.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

use base64::Engine as _;

use crate::support::{MockProcess, spawn_listening, workspace_root};

/// The query behind both executions: 17 days by day, per OAuth client (the
/// legacy default grouping) = 100 rows from the default synthetic log.
pub(crate) const QUERY: &str =
    r#"{"interval":"2025-06-01T00:00:00Z/2025-06-18T00:00:00Z","granularity":"Day"}"#;

/// Rows the complete result must have.
const ROWS: usize = 100;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ServerKind {
    Mock,
    BareAxum,
    Wiremock,
}

/// The mock server with its two executions, and their bodies on disk for the
/// other servers.
pub(crate) struct Fixture {
    pub(crate) mock: MockProcess,
    pub(crate) token: String,
    running_id: String,
    complete_id: String,
    pub(crate) running_body: Vec<u8>,
    pub(crate) complete_body: Vec<u8>,
    dir: PathBuf,
}

impl Fixture {
    /// Starts the mock server, gets a token, submits one execution held
    /// `Running` and one `Complete`, and saves what their results answer.
    pub(crate) fn prepare() -> Self {
        let mock = MockProcess::spawn(&["--retention", "24h"]);
        let basic =
            base64::engine::general_purpose::STANDARD.encode("mock-client-id:mock-client-secret");
        let token = request(
            &mock.url,
            "POST",
            "/oauth/token",
            &[
                ("Authorization", format!("Basic {basic}")),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
            ],
            b"grant_type=client_credentials",
        );
        let token = json_field(&token, "access_token");
        let submit = |lifecycle: &str| {
            let answer = request(
                &mock.url,
                "POST",
                "/api/v2/usage/query",
                &[
                    ("Authorization", format!("Bearer {token}")),
                    ("Content-Type", "application/json".to_owned()),
                    ("X-Mock-Lifecycle", lifecycle.to_owned()),
                ],
                QUERY.as_bytes(),
            );
            json_field(&answer, "executionId")
        };
        let running_id = submit("running:manual,complete");
        let complete_id = submit("complete");
        let get = |id: &str| {
            let path = format!("/api/v2/usage/query/{id}/results");
            request(
                &mock.url,
                "GET",
                &path,
                &[("Authorization", format!("Bearer {token}"))],
                b"",
            )
        };
        let running_body = get(&running_id);
        let complete_body = get(&complete_id);
        let complete: serde_json::Value =
            serde_json::from_slice(&complete_body).expect("the complete result is JSON");
        assert_eq!(complete["queryStatus"], "Complete");
        assert_eq!(
            complete["results"].as_array().map(Vec::len),
            Some(ROWS),
            "the query should give {ROWS} rows"
        );
        let dir = std::env::temp_dir().join(format!("genesys-throughput-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the bodies directory");
        std::fs::write(dir.join("running.json"), &running_body).expect("write a body");
        std::fs::write(dir.join("complete.json"), &complete_body).expect("write a body");
        Self {
            mock,
            token,
            running_id,
            complete_id,
            running_body,
            complete_body,
            dir,
        }
    }

    /// The results path of the running or the complete execution.
    pub(crate) fn path(&self, complete: bool) -> &'static str {
        let id = if complete {
            &self.complete_id
        } else {
            &self.running_id
        };
        // Leaked once per execution id: the bench is one short process.
        Box::leak(format!("/api/v2/usage/query/{id}/results").into_boxed_str())
    }

    /// `<execution-id>=<body-file>` arguments of the example servers.
    fn body_args(&self) -> [String; 2] {
        [
            format!(
                "{}={}",
                self.running_id,
                self.dir.join("running.json").display()
            ),
            format!(
                "{}={}",
                self.complete_id,
                self.dir.join("complete.json").display()
            ),
        ]
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An example server (bare axum or wiremock) as a child process; killed on drop.
pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
}

impl Server {
    /// Starts it on the fixture's bodies and checks it answers the same bytes.
    pub(crate) fn spawn(kind: ServerKind, fixture: &Fixture) -> Self {
        let name = match kind {
            ServerKind::BareAxum => "bench_bare_axum",
            ServerKind::Wiremock => "bench_wiremock",
            ServerKind::Mock => unreachable!("the mock server is the fixture's"),
        };
        let binary = workspace_root().join("target/release/examples").join(name);
        let mut command = Command::new(&binary);
        command.args(fixture.body_args());
        let (child, url) = spawn_listening(
            command,
            &format!("run `cargo build --release --example {name}` first"),
        );
        let server = Self { child, url };
        for complete in [false, true] {
            let body = request(
                &server.url,
                "GET",
                fixture.path(complete),
                &[("Authorization", format!("Bearer {}", fixture.token))],
                b"",
            );
            let expected = if complete {
                &fixture.complete_body
            } else {
                &fixture.running_body
            };
            assert!(body == *expected, "{name} does not answer the mock's bytes");
        }
        server
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on its own connection; the body of a 2xx answer.
/// (Set-up only: a few calls, so no client library is needed.)
fn request(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Vec<u8> {
    let authority = base.strip_prefix("http://").expect("an http:// URL");
    let mut stream = TcpStream::connect(authority).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a read timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send the request");
    stream.write_all(body).expect("send the body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read the answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    assert!(
        !head.contains("transfer-encoding: chunked"),
        "{method} {path}: chunked answers are not expected"
    );
    let body = answer[split + 4..].to_vec();
    assert!(
        (200..300).contains(&status),
        "{method} {path} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// A string field of a JSON object.
fn json_field(body: &[u8], name: &str) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).expect("a JSON answer");
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
        .to_owned()
}
