//! Tests of flag / file folding (environment parity is tested on the binary).

use super::*;

fn args(flags: &[&str]) -> Args {
    let mut argv = vec!["genesys-usage-mock"];
    argv.extend_from_slice(flags);
    Args::try_parse_from(argv).expect("flags parse")
}

fn file(text: &str) -> FileConfig {
    toml::from_str(text).expect("toml parses")
}

#[test]
fn no_flags_and_no_file_give_the_defaults() {
    let config = args(&[]).merge(FileConfig::default()).unwrap();
    assert_eq!(config.port, 0);
    assert!(config.host.is_loopback());
    assert_eq!(config.client_id, "mock-client-id");
    assert_eq!(config.rate_limit, None);
    assert!(config.admin);
    assert_eq!(
        config.lifecycle.to_string(),
        Lifecycle::default().to_string()
    );
}

#[test]
fn flags_win_over_the_file_and_the_file_over_defaults() {
    let config = args(&["--port", "9000", "--token-ttl", "90s"])
        .merge(file("port = 8000\nseed = 7\ntoken-ttl = 30\n"))
        .unwrap();
    assert_eq!(config.port, 9000);
    assert_eq!(config.token_ttl, Duration::from_secs(90));
    assert_eq!(config.seed, 7);
}

#[test]
fn rate_limit_without_a_value_means_the_default_budget() {
    let config = args(&["--rate-limit"])
        .merge(FileConfig::default())
        .unwrap();
    assert_eq!(config.rate_limit, Some(DEFAULT_RATE_LIMIT));
    let off = args(&["--rate-limit", "0"])
        .merge(FileConfig::default())
        .unwrap();
    assert_eq!(off.rate_limit, None);
    let from_file = args(&[]).merge(file("rate-limit = true")).unwrap();
    assert_eq!(from_file.rate_limit, Some(DEFAULT_RATE_LIMIT));
}

#[test]
fn boolean_flags_work_bare_and_with_a_value() {
    let config = args(&["--no-admin", "--accept-any-credentials=false"])
        .merge(file("accept-any-credentials = true"))
        .unwrap();
    assert!(!config.admin);
    assert!(!config.accept_any_credentials);
}

#[test]
fn poll_shortcuts_build_a_lifecycle() {
    let config = args(&["--running-polls", "3"])
        .merge(FileConfig::default())
        .unwrap();
    assert_eq!(
        config.lifecycle.to_string(),
        Lifecycle::polls(0, 3, Terminal::Complete).to_string()
    );
    let after = args(&["--complete-after", "5s"])
        .merge(FileConfig::default())
        .unwrap();
    assert_eq!(
        after.lifecycle.to_string(),
        Lifecycle::after(Duration::from_secs(5), Terminal::Complete).to_string()
    );
}

#[test]
fn a_flag_lifecycle_overrides_file_shortcuts() {
    let config = args(&["--lifecycle", "running:2,failed"])
        .merge(file("pending-polls = 4"))
        .unwrap();
    assert_eq!(config.lifecycle.to_string(), "running:2,failed");
}

#[test]
fn mixing_lifecycle_forms_in_one_layer_is_an_error() {
    let err = args(&["--lifecycle", "complete", "--running-polls", "2"])
        .merge(FileConfig::default())
        .unwrap_err();
    assert!(err.to_string().contains("lifecycle"), "{err}");
    let err = args(&["--complete-after", "1s", "--pending-polls", "2"])
        .merge(FileConfig::default())
        .unwrap_err();
    assert!(err.to_string().contains("complete-after"), "{err}");
}

#[test]
fn bad_values_in_the_file_name_the_setting() {
    let err = args(&[]).merge(file("token-ttl = \"soon\"")).unwrap_err();
    assert!(err.to_string().contains("token-ttl"), "{err}");
    let err = args(&[])
        .merge(file("lifecycle = \"sometimes\""))
        .unwrap_err();
    assert!(err.to_string().contains("lifecycle"), "{err}");
}

#[test]
fn unknown_file_keys_are_rejected() {
    assert!(toml::from_str::<FileConfig>("prot = 1").is_err());
}

#[test]
fn a_missing_config_file_is_a_file_error() {
    let err = args(&["--config", "/nonexistent/mock.toml"])
        .into_config()
        .unwrap_err();
    assert!(matches!(err, ConfigError::File { .. }), "{err}");
}

#[test]
fn bad_flag_values_are_rejected_by_the_parser() {
    let argv = ["genesys-usage-mock", "--lifecycle", "sometimes"];
    assert!(Args::try_parse_from(argv).is_err());
    let argv = ["genesys-usage-mock", "--port", "70000"];
    assert!(Args::try_parse_from(argv).is_err());
}

#[test]
fn the_host_may_be_localhost() {
    for name in ["localhost", "LOCALHOST", "localhost.", "api.localhost"] {
        let config = args(&["--host", name])
            .merge(FileConfig::default())
            .unwrap();
        assert_eq!(config.host, IpAddr::from([127, 0, 0, 1]), "{name}");
    }
    let from_file = args(&[]).merge(file("host = \"localhost\"")).unwrap();
    assert!(from_file.host.is_loopback());
    let v6 = args(&["--host", "::1"])
        .merge(FileConfig::default())
        .unwrap();
    assert!(v6.host.is_loopback());
}

#[test]
fn another_host_name_is_refused_with_the_reason() {
    let argv = ["genesys-usage-mock", "--host", "example.com"];
    let message = Args::try_parse_from(argv).unwrap_err().to_string();
    assert!(message.contains("example.com"), "{message}");
    assert!(message.contains("localhost"), "{message}");
    assert!(message.contains("IP address"), "{message}");
}

#[test]
fn tls_settings_fold_from_the_file_under_the_flags() {
    let config = args(&["--tls-ca-out", "flag-ca.pem"])
        .merge(file(
            "tls-self-signed = true\ntls-ca-out = \"file-ca.pem\"\n",
        ))
        .unwrap();
    assert!(config.tls.self_signed);
    assert_eq!(config.tls.ca_out, Some(PathBuf::from("flag-ca.pem")));
    let plain = args(&[]).merge(FileConfig::default()).unwrap();
    assert!(!plain.tls.is_enabled());
    let refused = args(&["--tls-client-ca", "clients.pem"]).merge(FileConfig::default());
    assert!(
        matches!(
            refused,
            Err(ConfigError::Invalid {
                setting: "tls-client-ca",
                ..
            })
        ),
        "{refused:?}"
    );
}
