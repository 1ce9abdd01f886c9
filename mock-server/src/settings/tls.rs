//! HTTPS settings: [`TlsConfig`] and its flags (`--tls-cert`, `--tls-key`,
//! `--tls-self-signed`, `--tls-ca-out`, `--tls-client-ca`), so clients can
//! be tested over real TLS, with their own CA, and with mutual TLS.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;

use crate::settings::cli::ConfigError;

/// How the server speaks TLS. The default is plain HTTP.
///
/// ```
/// use genesys_usage_mock::{Config, TlsConfig};
/// let config = Config {
///     tls: TlsConfig { self_signed: true, ..TlsConfig::default() },
///     ..Config::default()
/// };
/// assert!(config.tls.is_enabled());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// Serve HTTPS with the certificate chain in this PEM file (with `key`).
    pub cert: Option<PathBuf>,
    /// The private key (PKCS#8, RSA or SEC1 PEM) of `cert`.
    pub key: Option<PathBuf>,
    /// Serve HTTPS with a certificate for `127.0.0.1`, `::1` and `localhost`
    /// generated at start-up, signed by a CA generated with it.
    pub self_signed: bool,
    /// Write the generated CA certificate (PEM) to this file before
    /// listening, for clients to trust. Needs `self_signed`.
    pub ca_out: Option<PathBuf>,
    /// Require a client certificate signed by a CA of this PEM file (mutual
    /// TLS); a client without one fails the handshake.
    pub client_ca: Option<PathBuf>,
}

impl TlsConfig {
    /// Whether the server speaks HTTPS.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.self_signed || self.cert.is_some()
    }

    /// Refuses the combinations that cannot work, naming the flag.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |setting, message: &str| ConfigError::Invalid {
            setting,
            message: message.to_owned(),
        };
        match (&self.cert, &self.key, self.self_signed) {
            (Some(_), None, _) => return Err(invalid("tls-key", "--tls-cert needs --tls-key")),
            (None, Some(_), _) => return Err(invalid("tls-cert", "--tls-key needs --tls-cert")),
            (Some(_), Some(_), true) => {
                return Err(invalid(
                    "tls-self-signed",
                    "give either --tls-self-signed or --tls-cert/--tls-key, not both",
                ));
            }
            _ => {}
        }
        if self.ca_out.is_some() && !self.self_signed {
            return Err(invalid(
                "tls-ca-out",
                "needs --tls-self-signed (with --tls-cert you already have the CA)",
            ));
        }
        if self.client_ca.is_some() && !self.is_enabled() {
            return Err(invalid(
                "tls-client-ca",
                "needs --tls-self-signed or --tls-cert/--tls-key",
            ));
        }
        Ok(())
    }
}

/// The TLS flags; each also read from its `GENESYS_MOCK_TLS_*` variable.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct TlsArgs {
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, env = "GENESYS_MOCK_TLS_CERT", value_name = "PATH")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, env = "GENESYS_MOCK_TLS_KEY", value_name = "PATH")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a certificate for 127.0.0.1/::1/localhost and its CA, generated at start-up.
    #[arg(long, env = "GENESYS_MOCK_TLS_SELF_SIGNED", num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub tls_self_signed: Option<bool>,
    /// Write the generated CA certificate (PEM) here before listening (with --tls-self-signed).
    #[arg(long, env = "GENESYS_MOCK_TLS_CA_OUT", value_name = "PATH")]
    pub tls_ca_out: Option<PathBuf>,
    /// Require client certificates signed by a CA in this PEM file (mutual TLS).
    #[arg(long, env = "GENESYS_MOCK_TLS_CLIENT_CA", value_name = "PATH")]
    pub tls_client_ca: Option<PathBuf>,
}

impl TlsArgs {
    /// Each setting from `self`, else from `lower`.
    pub(crate) fn or(self, lower: Self) -> Self {
        Self {
            tls_cert: self.tls_cert.or(lower.tls_cert),
            tls_key: self.tls_key.or(lower.tls_key),
            tls_self_signed: self.tls_self_signed.or(lower.tls_self_signed),
            tls_ca_out: self.tls_ca_out.or(lower.tls_ca_out),
            tls_client_ca: self.tls_client_ca.or(lower.tls_client_ca),
        }
    }

    /// The configuration these settings describe.
    pub(crate) fn build(self) -> TlsConfig {
        TlsConfig {
            cert: self.tls_cert,
            key: self.tls_key,
            self_signed: self.tls_self_signed.unwrap_or(false),
            ca_out: self.tls_ca_out,
            client_ca: self.tls_client_ca,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(config: &TlsConfig) -> &'static str {
        match config.validate() {
            Err(ConfigError::Invalid { setting, .. }) => setting,
            other => panic!("expected an invalid setting, got {other:?}"),
        }
    }

    #[test]
    fn half_a_key_pair_is_refused_naming_the_missing_flag() {
        let cert_only = TlsConfig {
            cert: Some("c.pem".into()),
            ..TlsConfig::default()
        };
        assert_eq!(setting(&cert_only), "tls-key");
        let key_only = TlsConfig {
            key: Some("k.pem".into()),
            ..TlsConfig::default()
        };
        assert_eq!(setting(&key_only), "tls-cert");
    }

    #[test]
    fn flags_that_need_tls_are_refused_without_it() {
        let ca_out = TlsConfig {
            ca_out: Some("ca.pem".into()),
            ..TlsConfig::default()
        };
        assert_eq!(setting(&ca_out), "tls-ca-out");
        let client_ca = TlsConfig {
            client_ca: Some("ca.pem".into()),
            ..TlsConfig::default()
        };
        assert_eq!(setting(&client_ca), "tls-client-ca");
        let both = TlsConfig {
            cert: Some("c.pem".into()),
            key: Some("k.pem".into()),
            self_signed: true,
            ..TlsConfig::default()
        };
        assert_eq!(setting(&both), "tls-self-signed");
    }

    #[test]
    fn plain_http_and_each_tls_form_are_accepted() {
        assert!(TlsConfig::default().validate().is_ok());
        let generated = TlsConfig {
            self_signed: true,
            ca_out: Some("ca.pem".into()),
            client_ca: Some("clients.pem".into()),
            ..TlsConfig::default()
        };
        assert!(generated.validate().is_ok());
        assert!(generated.is_enabled());
    }
}
