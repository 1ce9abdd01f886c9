//! HTTPS: the rustls acceptor of a [`TlsConfig`] (crypto from aws-lc-rs,
//! as in the SDK's reqwest; no OpenSSL), from PEM files or from a CA and a
//! loopback certificate generated at start-up (rcgen).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig};

use crate::settings::tls::TlsConfig;

/// The names the generated certificate is valid for.
const LOOPBACK_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// Why HTTPS could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file at fault.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The certificates, key or generated material cannot be used.
    #[error("tls: {0}")]
    Unusable(String),
}

impl From<TlsError> for io::Error {
    fn from(error: TlsError) -> Self {
        io::Error::new(io::ErrorKind::InvalidInput, error)
    }
}

fn file_error(path: &Path, message: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        path: path.to_owned(),
        message: message.to_string().to_lowercase(),
    }
}

/// A server's HTTPS, set up from a [`TlsConfig`] before it listens: the
/// rustls acceptor and, for a generated certificate, its CA.
#[derive(Clone)]
pub struct Https {
    pub(crate) acceptor: TlsAcceptor,
    ca_pem: Option<String>,
}

impl std::fmt::Debug for Https {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Https")
            .field("generated_ca", &self.ca_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl Https {
    /// The HTTPS `config` asks for (`None`: plain HTTP). A generated CA is
    /// written to `config.ca_out` here, before the server listens.
    ///
    /// # Errors
    /// [`TlsError`] naming the file or what is unusable.
    pub fn setup(config: &TlsConfig) -> Result<Option<Self>, TlsError> {
        setup(config)
    }

    /// The generated CA certificate (PEM), for clients to trust; `None`
    /// with `--tls-cert`.
    #[must_use]
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }
}

fn setup(config: &TlsConfig) -> Result<Option<Https>, TlsError> {
    let (chain, key, ca_pem) = match (&config.cert, &config.key, config.self_signed) {
        (Some(cert), Some(key), _) => (read_chain(cert)?, read_key(key)?, None),
        (_, _, true) => generate()?,
        _ => return Ok(None),
    };
    if let (Some(path), Some(pem)) = (&config.ca_out, &ca_pem) {
        std::fs::write(path, pem).map_err(|e| file_error(path, e))?;
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Unusable(e.to_string()))?;
    let builder = match &config.client_ca {
        Some(path) => {
            let roots = Arc::new(read_roots(path)?);
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| file_error(path, e))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut server = builder
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Unusable(format!("certificate and key: {e}")))?;
    // The server speaks HTTP/1.1 only; saying so lets HTTP/2 clients fall back.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Https {
        acceptor: TlsAcceptor::from(Arc::new(server)),
        ca_pem,
    }))
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| file_error(path, e))
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let chain = CertificateDer::pem_slice_iter(&read(path)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, format!("not a PEM certificate chain: {e}")))?;
    if chain.is_empty() {
        return Err(file_error(path, "holds no PEM certificate"));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(&read(path)?)
        .map_err(|e| file_error(path, format!("not a PEM private key: {e}")))
}

fn read_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in read_chain(path)? {
        roots
            .add(cert)
            .map_err(|e| file_error(path, format!("not a usable CA certificate: {e}")))?;
    }
    Ok(roots)
}

/// A new CA, and a certificate it signed for the loopback names.
fn generate() -> Result<
    (
        Vec<CertificateDer<'static>>,
        PrivateKeyDer<'static>,
        Option<String>,
    ),
    TlsError,
> {
    let unusable = |e: rcgen::Error| TlsError::Unusable(format!("generating a certificate: {e}"));
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(unusable)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "genesys-usage-mock test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let issuer = CertifiedIssuer::self_signed(ca, KeyPair::generate().map_err(unusable)?)
        .map_err(unusable)?;
    let names: Vec<String> = LOOPBACK_NAMES.iter().map(|n| (*n).to_owned()).collect();
    let mut leaf = CertificateParams::new(names).map_err(unusable)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "genesys-usage-mock");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().map_err(unusable)?;
    let cert = leaf.signed_by(&leaf_key, &issuer).map_err(unusable)?;
    let key = PrivateKeyDer::try_from(leaf_key.serialize_der())
        .map_err(|e| TlsError::Unusable(e.to_owned()))?;
    let chain = vec![cert.der().clone(), issuer.der().clone()];
    Ok((chain, key, Some(issuer.pem())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_comes_with_its_ca() {
        let config = TlsConfig {
            self_signed: true,
            ..TlsConfig::default()
        };
        let tls = Https::setup(&config).unwrap().expect("https");
        let ca = tls.ca_certificate_pem().expect("a ca");
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
        assert!(setup(&TlsConfig::default()).unwrap().is_none());
    }

    #[test]
    fn an_unreadable_certificate_names_the_file() {
        let config = TlsConfig {
            cert: Some("/nonexistent/cert.pem".into()),
            key: Some("/nonexistent/key.pem".into()),
            ..TlsConfig::default()
        };
        let error = setup(&config).unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/cert.pem"),
            "{error}"
        );
    }
}
