//! The reqwest client of a transport (and of its token provider): built
//! from the options, or given whole by the caller.

use std::time::Duration;

use reqwest::header::HeaderValue;

use super::proxy::ProxyOptions;
use super::tls::TlsOptions;
use super::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT};
use crate::error::{Error, Result};

/// What configures the reqwest client.
#[derive(Clone, Default)]
pub(crate) struct ClientOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) user_agent: Option<String>,
    pub(crate) proxy: ProxyOptions,
    pub(crate) tls: TlsOptions,
    /// A client given with `http_client`: used as is.
    pub(crate) given: Option<reqwest::Client>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.given.is_some() {
            return f.write_str("<your reqwest::Client>");
        }
        f.debug_struct("ClientOptions")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("proxy", &self.proxy)
            .field("tls", &self.tls)
            .finish()
    }
}

/// The `User-Agent` sent by default: `genesys-usage/<version>`.
fn default_user_agent() -> String {
    format!("genesys-usage/{}", env!("CARGO_PKG_VERSION"))
}

impl ClientOptions {
    /// The client: the given one, or one built from the options with the
    /// user agent, timeouts, proxy, TLS, and no redirects (a redirect could
    /// carry the bearer token elsewhere; the API never redirects).
    ///
    /// # Errors
    /// [`Error::Config`] naming the option at fault.
    pub(crate) fn build(&self) -> Result<reqwest::Client> {
        if let Some(given) = &self.given {
            self.refuse_options_beside_a_given_client()?;
            return Ok(given.clone());
        }
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let timeout = self.timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT);
        if connect_timeout.is_zero() {
            return Err(Error::config(
                "connect_timeout",
                "must be greater than zero",
            ));
        }
        if timeout.is_zero() {
            return Err(Error::config("timeout", "must be greater than zero"));
        }
        let user_agent = self.user_agent.clone().unwrap_or_else(default_user_agent);
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::config("user_agent", "must be visible ascii"))?;
        let builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(connect_timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none());
        let builder = self.tls.apply(self.proxy.apply(builder)?)?;
        builder.build().map_err(|e| {
            let hint = if self.tls.is_set() {
                " (check the certificates and identity given)"
            } else {
                ""
            };
            Error::config("http", format!("cannot build the http client: {e}{hint}"))
        })
    }

    /// A given client carries its own settings: options that would
    /// configure the client are a mistake, not silently ignored.
    fn refuse_options_beside_a_given_client(&self) -> Result<()> {
        let set = [
            ("timeout", self.timeout.is_some()),
            ("connect_timeout", self.connect_timeout.is_some()),
            ("user_agent", self.user_agent.is_some()),
            ("proxy", self.proxy.is_set()),
            ("tls", self.tls.is_set()),
        ];
        match set.iter().find(|(_, is_set)| *is_set) {
            Some((option, _)) => Err(Error::config(
                option,
                "cannot be combined with http_client: configure your reqwest::Client instead",
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_beside_a_given_client_are_refused_naming_them() {
        let options = ClientOptions {
            timeout: Some(Duration::from_secs(5)),
            given: Some(reqwest::Client::new()),
            ..ClientOptions::default()
        };
        let err = options.build().unwrap_err();
        assert!(
            matches!(&err, Error::Config { field, .. } if field == "timeout"),
            "{err}"
        );
        let alone = ClientOptions {
            given: Some(reqwest::Client::new()),
            ..ClientOptions::default()
        };
        assert!(alone.build().is_ok());
    }

    #[test]
    fn zero_timeouts_are_refused() {
        let options = ClientOptions {
            connect_timeout: Some(Duration::ZERO),
            ..ClientOptions::default()
        };
        assert!(
            options
                .build()
                .unwrap_err()
                .to_string()
                .contains("connect_timeout")
        );
    }
}
