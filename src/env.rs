//! Configuration from environment variables: Genesys's own names (those of
//! the Genesys Cloud Terraform provider and CLI), ours for the endpoints,
//! and the older `GENESYS_*` names of this project as aliases.
//!
//! The variables are listed on
//! [`HttpTransportBuilder::with_env`](crate::HttpTransportBuilder::with_env).
//! Values are read through a `Source`, so tests give a lookup function
//! instead of changing their own process's environment.

use url::Url;

use crate::error::{Error, Result};
use crate::region::Region;
use crate::transport::http::{AuthConfig, HttpTransportBuilder, ProxyAuth, ProxyChoice};

/// A variable and its older alias.
#[derive(Debug, Clone, Copy)]
struct Var {
    name: &'static str,
    alias: Option<&'static str>,
}

const fn var(name: &'static str, alias: &'static str) -> Var {
    Var {
        name,
        alias: Some(alias),
    }
}

const fn own(name: &'static str) -> Var {
    Var { name, alias: None }
}

const CLIENT_ID: Var = var("GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYS_CLIENT_ID");
const CLIENT_SECRET: Var = var("GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYS_CLIENT_SECRET");
const ACCESS_TOKEN: Var = var("GENESYSCLOUD_ACCESS_TOKEN", "GENESYS_TOKEN");
const REGION: Var = var("GENESYSCLOUD_REGION", "GENESYS_REGION");
const BASE_URL: Var = var("GENESYSCLOUD_BASE_URL", "GENESYS_BASE_URL");
const LOGIN_URL: Var = var("GENESYSCLOUD_LOGIN_URL", "GENESYS_LOGIN_URL");
const PROXY_HOST: Var = own("GENESYSCLOUD_PROXY_HOST");
const PROXY_PORT: Var = own("GENESYSCLOUD_PROXY_PORT");
const PROXY_PROTOCOL: Var = own("GENESYSCLOUD_PROXY_PROTOCOL");
const PROXY_USERNAME: Var = own("GENESYSCLOUD_PROXY_AUTH_USERNAME");
const PROXY_PASSWORD: Var = own("GENESYSCLOUD_PROXY_AUTH_PASSWORD");

/// Where values come from: the process environment, or a lookup a test
/// gives (so no test ever changes its own process's environment).
trait Source {
    /// The value of `name`, `None` when unset or empty.
    fn get(&self, name: &str) -> Result<Option<String>>;
}

/// The process environment.
struct Process;

impl Source for Process {
    fn get(&self, name: &str) -> Result<Option<String>> {
        match std::env::var(name) {
            Ok(value) => Ok(Some(value).filter(|v| !v.is_empty())),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(Error::config(name, "is not valid UTF-8"))
            }
        }
    }
}

/// A caller's lookup function.
struct Lookup<F>(F);

impl<F: Fn(&str) -> Option<String>> Source for Lookup<F> {
    fn get(&self, name: &str) -> Result<Option<String>> {
        Ok((self.0)(name).filter(|v| !v.is_empty()))
    }
}

/// A value and the name it was read under, for error messages.
struct Found {
    name: &'static str,
    value: String,
}

/// `var`'s value: the name's, else the alias's.
fn read(source: &dyn Source, var: Var) -> Result<Option<Found>> {
    let primary = source.get(var.name)?;
    let alias = match var.alias {
        Some(alias) => source.get(alias)?.map(|value| (alias, value)),
        None => None,
    };
    Ok(match (primary, alias) {
        (Some(value), Some((alias, other))) => {
            if value != other {
                tracing::warn!(
                    name = var.name,
                    alias,
                    "both are set with different values; using {}",
                    var.name
                );
            }
            Some(Found {
                name: var.name,
                value,
            })
        }
        (Some(value), None) => Some(Found {
            name: var.name,
            value,
        }),
        (None, Some((name, value))) => Some(Found { name, value }),
        (None, None) => None,
    })
}

impl HttpTransportBuilder {
    /// Applies the configuration variables of the process environment that
    /// are set; the others leave the builder as it was, and setters called
    /// afterwards win. `UsageClient::from_env()` is this plus `build()`.
    ///
    /// | Variable | Alias | Sets |
    /// |---|---|---|
    /// | `GENESYSCLOUD_OAUTHCLIENT_ID` | `GENESYS_CLIENT_ID` | client credentials: the id |
    /// | `GENESYSCLOUD_OAUTHCLIENT_SECRET` | `GENESYS_CLIENT_SECRET` | client credentials: the secret |
    /// | `GENESYSCLOUD_ACCESS_TOKEN` | `GENESYS_TOKEN` | a bearer token instead (wins over client credentials) |
    /// | `GENESYSCLOUD_REGION` | `GENESYS_REGION` | the region: `us_east_1`, `eu-west-1`, `mypurecloud.ie`, … |
    /// | `GENESYSCLOUD_BASE_URL` | `GENESYS_BASE_URL` | the API base URL (wins over the region), e.g. a mock server |
    /// | `GENESYSCLOUD_LOGIN_URL` | `GENESYS_LOGIN_URL` | the login base URL (default: derived from the API URL) |
    /// | `GENESYSCLOUD_PROXY_HOST` | | a proxy for every request: its host |
    /// | `GENESYSCLOUD_PROXY_PORT` | | its port (default 80 for http, 443 for https) |
    /// | `GENESYSCLOUD_PROXY_PROTOCOL` | | `http` (default) or `https` |
    /// | `GENESYSCLOUD_PROXY_AUTH_USERNAME` | | its Basic auth user |
    /// | `GENESYSCLOUD_PROXY_AUTH_PASSWORD` | | its Basic auth password |
    ///
    /// The `GENESYSCLOUD_` names are Genesys's own (its Terraform provider
    /// reads them), the URL variables are ours, and the `GENESYS_` aliases
    /// are this project's older names. An empty variable counts as unset;
    /// when a name and its alias are both set the name wins (a warning is
    /// logged if they differ). Without `GENESYSCLOUD_PROXY_HOST`, the proxy
    /// comes from `HTTPS_PROXY` / `NO_PROXY` as for
    /// [`proxy`](Self::proxy).
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable whose value is unusable (an
    /// unknown region, a proxy port that is not a number, …). Missing
    /// credentials are reported by [`build`](Self::build), naming the
    /// variables to set.
    pub fn with_env(self) -> Result<Self> {
        self.apply_env(&Process)
    }

    /// As [`with_env`](Self::with_env), reading each variable through
    /// `lookup` instead of the process environment: for tests, or for
    /// values kept elsewhere (a secrets file, a config service).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use genesys_usage::HttpTransport;
    ///
    /// let vars = HashMap::from([
    ///    ("GENESYSCLOUD_BASE_URL", "http://127.0.0.1:8080"),
    ///    ("GENESYSCLOUD_ACCESS_TOKEN", "a-token"),
    /// ]);
    /// let transport = HttpTransport::builder()
    ///    .with_env_from(|name| vars.get(name).map(|v| v.to_string()))?
    ///    .build()?;
    /// assert_eq!(transport.base_url(), "http://127.0.0.1:8080/");
    /// # Ok::<(), genesys_usage::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`with_env`](Self::with_env).
    pub fn with_env_from<F>(self, lookup: F) -> Result<Self>
    where
        F: Fn(&str) -> Option<String>,
    {
        self.apply_env(&Lookup(lookup))
    }

    fn apply_env(mut self, source: &dyn Source) -> Result<Self> {
        if let Some(found) = read(source, REGION)? {
            let region = found.value.parse::<Region>().map_err(|_| {
                Error::config(
                    found.name,
                    format!(
                        "unknown region {:?}; expected e.g. us_east_1, eu-west-1 or mypurecloud.ie",
                        found.value
                    ),
                )
            })?;
            self.region = Some(region);
        }
        if let Some(found) = read(source, BASE_URL)? {
            self.base_url = Some(found.value);
        }
        if let Some(found) = read(source, LOGIN_URL)? {
            self.login_url = Some(found.value);
        }
        self = self.apply_env_auth(source)?;
        if let Some((url, auth)) = proxy(source)? {
            self.client.proxy.choice = ProxyChoice::Url(url);
            self.client.proxy.auth = auth;
        }
        Ok(self)
    }

    fn apply_env_auth(mut self, source: &dyn Source) -> Result<Self> {
        if let Some(token) = read(source, ACCESS_TOKEN)? {
            self.auth = AuthConfig::Static(token.value);
            return Ok(self);
        }
        match (read(source, CLIENT_ID)?, read(source, CLIENT_SECRET)?) {
            (Some(id), Some(secret)) => {
                self.auth = AuthConfig::ClientCredentials {
                    client_id: id.value,
                    client_secret: secret.value,
                };
            }
            (Some(id), None) => {
                self.env_auth_gap = Some(format!(
                    "{} is set but {} is not",
                    id.name, CLIENT_SECRET.name
                ));
            }
            (None, Some(secret)) => {
                self.env_auth_gap = Some(format!(
                    "{} is set but {} is not",
                    secret.name, CLIENT_ID.name
                ));
            }
            (None, None) => {
                self.env_auth_gap = Some(format!(
                    "no credentials: set {} and {}, or {} (or call client_credentials or token)",
                    CLIENT_ID.name, CLIENT_SECRET.name, ACCESS_TOKEN.name
                ));
            }
        }
        Ok(self)
    }
}

/// The proxy of the `GENESYSCLOUD_PROXY_*` variables, if any.
fn proxy(source: &dyn Source) -> Result<Option<(String, Option<ProxyAuth>)>> {
    let host = read(source, PROXY_HOST)?;
    let port = read(source, PROXY_PORT)?;
    let protocol = read(source, PROXY_PROTOCOL)?;
    let auth = proxy_auth(source)?;
    let Some(host) = host else {
        let other = [&port, &protocol].into_iter().flatten().next();
        return match (other, &auth) {
            (Some(found), _) => Err(Error::config(
                PROXY_HOST.name,
                format!("not set, but {} is", found.name),
            )),
            (None, Some(_)) => Err(Error::config(
                PROXY_HOST.name,
                format!("not set, but {} is", PROXY_USERNAME.name),
            )),
            (None, None) => Ok(None),
        };
    };
    let scheme = match protocol.as_ref().map(|p| p.value.to_ascii_lowercase()) {
        None => "http".to_owned(),
        Some(p) if p == "http" || p == "https" => p,
        Some(other) => {
            return Err(Error::config(
                PROXY_PROTOCOL.name,
                format!("{other:?} is not http or https"),
            ));
        }
    };
    let port = match port {
        Some(found) => found.value.trim().parse::<u16>().map_err(|_| {
            Error::config(
                found.name,
                format!("{:?} is not a port number", found.value),
            )
        })?,
        None if scheme == "https" => 443,
        None => 80,
    };
    Ok(Some((proxy_url(&host, &scheme, port)?, auth)))
}

/// `scheme://host:port`, checked.
fn proxy_url(host: &Found, scheme: &str, port: u16) -> Result<String> {
    let name = host.value.trim();
    if name.contains("://") {
        return Err(Error::config(
            host.name,
            format!(
                "give the host only (e.g. proxy.example.com); the scheme goes in {}",
                PROXY_PROTOCOL.name
            ),
        ));
    }
    // An IPv6 address needs brackets in a URL.
    let name = if name.contains(':') && !name.starts_with('[') {
        format!("[{name}]")
    } else {
        name.to_owned()
    };
    let url = format!("{scheme}://{name}:{port}");
    Url::parse(&url).map_err(|e| Error::config(host.name, format!("not a host: {e}")))?;
    Ok(url)
}

/// The proxy credentials: both or neither.
fn proxy_auth(source: &dyn Source) -> Result<Option<ProxyAuth>> {
    match (read(source, PROXY_USERNAME)?, read(source, PROXY_PASSWORD)?) {
        (Some(user), Some(password)) => Ok(Some(ProxyAuth {
            username: user.value,
            password: password.value,
        })),
        (Some(_), None) => Err(Error::config(
            PROXY_PASSWORD.name,
            format!("not set, but {} is", PROXY_USERNAME.name),
        )),
        (None, Some(_)) => Err(Error::config(
            PROXY_USERNAME.name,
            format!("not set, but {} is", PROXY_PASSWORD.name),
        )),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn source(vars: &[(&'static str, &'static str)]) -> Lookup<impl Fn(&str) -> Option<String>> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        Lookup(move |name: &str| vars.get(name).map(|v| (*v).to_owned()))
    }

    fn field(error: &Error) -> &str {
        match error {
            Error::Config { field, .. } => field,
            other => panic!("not a config error: {other}"),
        }
    }

    #[test]
    fn the_genesyscloud_name_wins_over_its_alias() {
        let both = source(&[
            ("GENESYSCLOUD_REGION", "eu-west-1"),
            ("GENESYS_REGION", "us_east_1"),
        ]);
        let found = read(&both, REGION).unwrap().unwrap();
        assert_eq!(
            (found.name, found.value.as_str()),
            ("GENESYSCLOUD_REGION", "eu-west-1")
        );
        let alias = source(&[("GENESYS_REGION", "us_east_1")]);
        assert_eq!(
            read(&alias, REGION).unwrap().unwrap().name,
            "GENESYS_REGION"
        );
        let empty = source(&[("GENESYSCLOUD_REGION", "")]);
        assert!(read(&empty, REGION).unwrap().is_none());
    }

    #[test]
    fn proxy_variables_make_one_url_with_its_credentials() {
        let vars = source(&[
            ("GENESYSCLOUD_PROXY_HOST", "proxy.corp"),
            ("GENESYSCLOUD_PROXY_PORT", "3128"),
            ("GENESYSCLOUD_PROXY_AUTH_USERNAME", "me"),
            ("GENESYSCLOUD_PROXY_AUTH_PASSWORD", "pw"),
        ]);
        let (url, auth) = proxy(&vars).unwrap().unwrap();
        assert_eq!(url, "http://proxy.corp:3128");
        assert_eq!(auth.unwrap().password, "pw");
        let tls = source(&[
            ("GENESYSCLOUD_PROXY_HOST", "::1"),
            ("GENESYSCLOUD_PROXY_PROTOCOL", "HTTPS"),
        ]);
        assert_eq!(proxy(&tls).unwrap().unwrap().0, "https://[::1]:443");
        assert!(proxy(&source(&[])).unwrap().is_none());
    }

    #[test]
    fn unusable_proxy_variables_are_named() {
        let cases: [(&[(&'static str, &'static str)], &str); 5] = [
            (
                &[("GENESYSCLOUD_PROXY_PORT", "3128")],
                "GENESYSCLOUD_PROXY_HOST",
            ),
            (
                &[
                    ("GENESYSCLOUD_PROXY_HOST", "p"),
                    ("GENESYSCLOUD_PROXY_PORT", "x"),
                ],
                "GENESYSCLOUD_PROXY_PORT",
            ),
            (
                &[
                    ("GENESYSCLOUD_PROXY_HOST", "p"),
                    ("GENESYSCLOUD_PROXY_PROTOCOL", "socks5"),
                ],
                "GENESYSCLOUD_PROXY_PROTOCOL",
            ),
            (
                &[("GENESYSCLOUD_PROXY_HOST", "http://p")],
                "GENESYSCLOUD_PROXY_HOST",
            ),
            (
                &[
                    ("GENESYSCLOUD_PROXY_HOST", "p"),
                    ("GENESYSCLOUD_PROXY_AUTH_USERNAME", "u"),
                ],
                "GENESYSCLOUD_PROXY_AUTH_PASSWORD",
            ),
        ];
        for (vars, named) in cases {
            let error = proxy(&source(vars)).unwrap_err();
            assert_eq!(field(&error), named, "{vars:?}: {error}");
        }
    }

    #[test]
    fn an_unknown_region_is_refused_naming_the_variable_read() {
        let vars = source(&[("GENESYS_REGION", "mars-north-1")]);
        let error = HttpTransportBuilder::default()
            .apply_env(&vars)
            .unwrap_err();
        assert_eq!(field(&error), "GENESYS_REGION");
        assert!(error.to_string().contains("mars-north-1"), "{error}");
    }

    #[test]
    fn a_token_wins_over_client_credentials() {
        let vars = source(&[
            ("GENESYSCLOUD_OAUTHCLIENT_ID", "id"),
            ("GENESYSCLOUD_OAUTHCLIENT_SECRET", "secret"),
            ("GENESYS_TOKEN", "token"),
        ]);
        let builder = HttpTransportBuilder::default().apply_env(&vars).unwrap();
        assert!(matches!(builder.auth, AuthConfig::Static(ref t) if t == "token"));
    }

    #[test]
    fn half_of_the_client_credentials_is_reported_naming_the_other_half() {
        let vars = source(&[("GENESYS_CLIENT_ID", "id")]);
        let builder = HttpTransportBuilder::default().apply_env(&vars).unwrap();
        let gap = builder.env_auth_gap.clone().unwrap();
        assert!(gap.contains("GENESYS_CLIENT_ID is set"), "{gap}");
        assert!(gap.contains("GENESYSCLOUD_OAUTHCLIENT_SECRET"), "{gap}");
    }
}
