//! Safe defaults not already covered elsewhere (RELIABILITY.md lists every
//! safe default with the test that proves it): the mock server binds
//! loopback, the SDK refuses plain `http://` to hosts that only look local,
//! and both crates forbid `unsafe` code.
#![cfg(feature = "fake")]

use genesys_usage::{Error, UsageClient};
use genesys_usage_mock::{Config, MockServer};

#[tokio::test]
async fn the_mock_server_binds_loopback_unless_told_otherwise() {
    let config = Config::default();
    assert!(config.host.is_loopback(), "default host {}", config.host);
    let server = MockServer::start(config).await.expect("the server starts");
    assert!(server.addr().ip().is_loopback(), "bound {}", server.addr());
    assert!(
        server.url().starts_with("http://127.0.0.1:"),
        "{}",
        server.url()
    );
}

fn refused(url: &str) -> bool {
    let built = UsageClient::builder().base_url(url).token("t").build();
    matches!(built, Err(Error::Config { .. }))
}

#[test]
fn plain_http_to_hosts_that_only_look_local_is_refused() {
    for url in [
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://[::ffff:127.0.0.1]",
        "http://10.0.0.1",
        "http://0.0.0.0",
        "http://api.mypurecloud.com",
    ] {
        assert!(refused(url), "{url} was accepted");
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
        "http://127.9.9.9",
    ] {
        assert!(!refused(url), "{url} was refused");
    }
}

#[test]
fn plain_http_to_a_remote_host_is_accepted_only_when_allowed() {
    let allowed = UsageClient::builder()
        .base_url("http://usage.example.com")
        .token("t")
        .allow_insecure_http(true)
        .build();
    assert!(allowed.is_ok());
}

#[test]
fn both_crates_forbid_unsafe_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in ["src/lib.rs", "mock-server/src/lib.rs"] {
        let text = std::fs::read_to_string(root.join(file)).expect("the crate root is readable");
        assert!(text.contains("#![forbid(unsafe_code)]"), "{file}");
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("unsafe_code = \"forbid\""),
        "workspace lint"
    );
    for member in ["Cargo.toml", "mock-server/Cargo.toml"] {
        let text = std::fs::read_to_string(root.join(member)).expect("a manifest");
        assert!(
            text.contains("[lints]\nworkspace = true"),
            "{member} inherits the lints"
        );
    }
}
