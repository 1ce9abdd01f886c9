//! TLS options of [`HttpTransportBuilder`](crate::HttpTransportBuilder):
//! extra roots, roots only, and a client identity for mutual TLS.
//!
//! By default reqwest's rustls backend (crypto from aws-lc-rs) verifies
//! servers with `rustls-platform-verifier`: the operating system's verifier
//! on macOS and Windows; on Linux and the BSDs the system's CA bundle,
//! read by `rustls-native-certs`, which takes `SSL_CERT_FILE` and
//! `SSL_CERT_DIR` *instead of* the system bundle when either is set. Roots
//! added here are trusted on top of those, or alone with `tls_certs_only`.

use crate::error::{Error, Result};

/// One PEM bundle of roots and the builder option it came from.
#[derive(Clone)]
struct Roots {
    option: &'static str,
    pem: Vec<u8>,
}

/// The TLS options as set on the builder. `Debug` never shows the
/// identity (it holds a private key).
#[derive(Clone, Default)]
pub(crate) struct TlsOptions {
    roots: Vec<Roots>,
    only: bool,
    identity: Option<Vec<u8>>,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("extra_root_bundles", &self.roots.len())
            .field("certs_only", &self.only)
            .field("identity", &self.identity.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl TlsOptions {
    /// Trusts the certificates of `pem` besides the default roots.
    pub(crate) fn add_roots(&mut self, pem: &[u8]) {
        self.roots.push(Roots {
            option: "add_root_certificate",
            pem: pem.to_vec(),
        });
    }

    /// Trusts the certificates of `pem` and no default root.
    pub(crate) fn only_roots(&mut self, pem: &[u8]) {
        self.only = true;
        self.roots.push(Roots {
            option: "tls_certs_only",
            pem: pem.to_vec(),
        });
    }

    /// Presents `pem` (certificate chain and private key) to servers.
    pub(crate) fn set_identity(&mut self, pem: &[u8]) {
        self.identity = Some(pem.to_vec());
    }

    /// Whether anything differs from the defaults.
    pub(crate) fn is_set(&self) -> bool {
        !self.roots.is_empty() || self.identity.is_some()
    }

    /// Applies the options to a reqwest client builder.
    ///
    /// # Errors
    /// [`Error::Config`] naming the option whose PEM is unusable.
    pub(crate) fn apply(
        &self,
        mut builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder> {
        let mut certs = Vec::new();
        for roots in &self.roots {
            certs.extend(parse_roots(roots)?);
        }
        builder = if self.only {
            builder.tls_certs_only(certs)
        } else if certs.is_empty() {
            builder
        } else {
            builder.tls_certs_merge(certs)
        };
        if let Some(pem) = &self.identity {
            // reqwest's message says only "builder error"; the cause is the PEM.
            let identity = reqwest::Identity::from_pem(pem).map_err(|_| {
                Error::config(
                    "identity",
                    "not a PEM certificate chain with its private key \
                     (PKCS#8, RSA or SEC1) in one buffer",
                )
            })?;
            builder = builder.identity(identity);
        }
        Ok(builder)
    }
}

/// The certificates of one PEM bundle; a bundle without any is an error.
fn parse_roots(roots: &Roots) -> Result<Vec<reqwest::Certificate>> {
    let certs = reqwest::Certificate::from_pem_bundle(&roots.pem)
        .map_err(|e| Error::config(roots.option, format!("not a PEM certificate bundle: {e}")))?;
    if certs.is_empty() {
        return Err(Error::config(
            roots.option,
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_without_certificates_is_refused_naming_the_option() {
        let mut tls = TlsOptions::default();
        tls.only_roots(b"not a certificate");
        let err = tls.apply(reqwest::Client::builder()).unwrap_err();
        assert!(
            matches!(&err, Error::Config { field, .. } if field == "tls_certs_only"),
            "{err}"
        );
        let mut tls = TlsOptions::default();
        tls.add_roots(b"");
        let err = tls.apply(reqwest::Client::builder()).unwrap_err();
        assert!(err.to_string().contains("add_root_certificate"), "{err}");
    }

    #[test]
    fn an_unusable_identity_is_refused_naming_the_option() {
        let mut tls = TlsOptions::default();
        tls.set_identity(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        let err = tls.apply(reqwest::Client::builder()).unwrap_err();
        assert!(err.to_string().contains("identity"), "{err}");
    }

    #[test]
    fn debug_never_shows_the_identity() {
        let mut tls = TlsOptions::default();
        tls.set_identity(b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
        let debug = format!("{tls:?}");
        assert!(!debug.contains("c2VjcmV0"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }
}
