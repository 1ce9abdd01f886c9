//! TLS helpers for the HTTPS tests: the mock server over HTTPS with its
//! generated CA, certificate authorities and client certificates made with
//! rcgen, and a scratch directory for the PEM files flags and variables need.
//!
//! Included with `#[path = "support/tls.rs"] mod tls;`.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use genesys_usage::fake::Lifecycle;
use genesys_usage::{ApiUsageOrganizationQuery, Interval};
use genesys_usage_mock::{Config, MockServer, TlsConfig};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A query any mock answers.
pub fn query() -> ApiUsageOrganizationQuery {
    ApiUsageOrganizationQuery::new(Interval::last_days(7))
}

/// A directory under the system's temporary directory, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("genesys-usage-tls-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Self(dir)
    }

    /// Writes `text` to `name` in the directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write a scratch file");
        path
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The mock server over HTTPS with a generated certificate, completing
/// queries at once; `client_ca` makes it require client certificates.
pub async fn https_mock(client_ca: Option<PathBuf>) -> MockServer {
    let config = Config {
        tls: TlsConfig {
            self_signed: true,
            client_ca,
            ..TlsConfig::default()
        },
        ..Config::default()
    };
    let server = MockServer::start(config)
        .await
        .expect("start the https mock");
    server
        .engine()
        .set_default_lifecycle(Lifecycle::immediate());
    server
}

/// The CA of an HTTPS mock.
pub fn ca_of(server: &MockServer) -> String {
    server
        .ca_certificate_pem()
        .expect("a self-signed mock has a CA")
        .to_owned()
}

/// A certificate authority that can sign client certificates.
pub struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Authority {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Self { issuer }
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A client certificate it signed, with its key: the PEM an
    /// `identity()` takes (chain, then key).
    pub fn client_identity(&self, name: &str) -> String {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        format!("{}{}", cert.pem(), key.serialize_pem())
    }
}
