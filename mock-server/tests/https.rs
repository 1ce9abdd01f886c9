//! The binary over HTTPS: `--tls-self-signed` announces `https://` and
//! writes its CA before the listening line, `--tls-cert`/`--tls-key` serve
//! given files, `--tls-client-ca` requires client certificates, and
//! unusable TLS settings exit with their codes naming what is wrong.

#![cfg(unix)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use genesys_usage_mock::exit_code;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
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

/// A fresh directory in the temp directory, unique per test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "genesys-usage-mock-https-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The URL of the listening line.
async fn listening(child: &mut Child) -> String {
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(WAIT, stdout.read_line(&mut line))
        .await
        .expect("a line within the wait")
        .unwrap();
    line.strip_suffix('\n')
        .and_then(|l| l.strip_prefix("listening on "))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned()
}

async fn exit_code_of(child: &mut Child) -> i32 {
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("exits within the wait")
        .unwrap();
    status.code().expect("exited, not killed")
}

async fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .await
        .unwrap();
    text
}

fn stop(child: &Child) {
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", pid.as_str()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A client trusting only `ca_pem`, presenting `identity` if given.
fn client(ca_pem: &str, identity: Option<&str>) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([ca])
        .no_proxy()
        .timeout(WAIT);
    if let Some(pem) = identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

async fn health(client: &reqwest::Client, url: &str) -> Result<u16, reqwest::Error> {
    let answer = client.get(format!("{url}/__admin/health")).send().await?;
    Ok(answer.status().as_u16())
}

/// A CA able to sign certificates for tests.
fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A certificate `ca` signed for `names` with `usage`, and its key (PEM).
fn signed(
    ca: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let mut params = CertificateParams::new(names).unwrap();
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, ca).unwrap();
    (cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn a_self_signed_binary_announces_https_and_writes_its_ca_first() {
    let dir = temp_dir("self-signed");
    let ca_path = dir.join("ca.pem");
    let mut child = command(&[
        "--tls-self-signed",
        "--tls-ca-out",
        ca_path.to_str().unwrap(),
    ])
    .spawn()
    .unwrap();
    let url = listening(&mut child).await;
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    // Read right after the line: it was written before.
    let ca = std::fs::read_to_string(&ca_path).expect("the CA file exists");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    assert_eq!(health(&client(&ca, None), &url).await.unwrap(), 200);
    let localhost = url.replace("127.0.0.1", "localhost");
    assert_eq!(health(&client(&ca, None), &localhost).await.unwrap(), 200);
    stop(&child);
    assert_eq!(exit_code_of(&mut child).await, exit_code::OK);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn given_certificate_files_are_served_and_client_certificates_required() {
    let dir = temp_dir("files");
    let server_ca = authority("server CA");
    let (cert, key) = signed(
        &server_ca,
        &["127.0.0.1"],
        ExtendedKeyUsagePurpose::ServerAuth,
    );
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    let client_ca = authority("client CA");
    let client_ca_path = dir.join("clients.pem");
    std::fs::write(&client_ca_path, client_ca.pem()).unwrap();
    let mut child = command(&[])
        .env("GENESYS_MOCK_TLS_CERT", &cert_path)
        .env("GENESYS_MOCK_TLS_KEY", &key_path)
        .env("GENESYS_MOCK_TLS_CLIENT_CA", &client_ca_path)
        .spawn()
        .unwrap();
    let url = listening(&mut child).await;
    assert!(url.starts_with("https://"), "{url}");
    let (client_cert, client_key) = signed(&client_ca, &[], ExtendedKeyUsagePurpose::ClientAuth);
    let identity = format!("{client_cert}{client_key}");
    let with_identity = client(&server_ca.pem(), Some(&identity));
    assert_eq!(health(&with_identity, &url).await.unwrap(), 200);
    let without = health(&client(&server_ca.pem(), None), &url).await;
    assert!(
        without.is_err(),
        "a client without a certificate is refused"
    );
    stop(&child);
    assert_eq!(exit_code_of(&mut child).await, exit_code::OK);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn unusable_certificate_files_exit_5_naming_the_file() {
    let mut child = command(&[
        "--tls-cert",
        "/nonexistent/cert.pem",
        "--tls-key",
        "/nonexistent/key.pem",
    ])
    .spawn()
    .unwrap();
    assert_eq!(exit_code_of(&mut child).await, exit_code::TLS_FAILED);
    let stderr = stderr_of(&mut child).await;
    assert!(stderr.contains("/nonexistent/cert.pem"), "{stderr}");
}

#[tokio::test]
async fn tls_flags_that_do_not_fit_together_exit_2_naming_the_flag() {
    let cases: [(&[&str], &str); 3] = [
        (&["--tls-ca-out", "/tmp/ca.pem"], "tls-ca-out"),
        (&["--tls-cert", "/tmp/cert.pem"], "tls-key"),
        (&["--tls-client-ca", "/tmp/ca.pem"], "tls-client-ca"),
    ];
    for (args, named) in cases {
        let mut child = command(args).spawn().unwrap();
        assert_eq!(
            exit_code_of(&mut child).await,
            exit_code::BAD_CONFIG,
            "{args:?}"
        );
        let stderr = stderr_of(&mut child).await;
        assert!(stderr.contains(named), "{args:?}: {stderr}");
    }
}
