//! [`HealthCheck`]: the client of `genesys-usage-mock healthcheck`, one
//! `GET /__admin/health` over plain HTTP with a bounded timeout.
//!
//! It exists because the container image is `FROM scratch`: no shell, no
//! curl, so the image's `HEALTHCHECK` has to be the binary itself. It finds
//! the server from the settings the server was started with (the same
//! `GENESYS_MOCK_*` variables are in the container's environment), so the
//! check follows a changed port without being told.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use url::Url;

use crate::settings::config::Config;

/// The health route the check asks for.
const HEALTH_PATH: &str = "/__admin/health";
/// Most bytes of an answer read (the health answer is a few dozen).
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Most characters of an unexpected answer quoted in an error.
const QUOTED_CHARS: usize = 200;

/// Why a health check failed; its `Display` names the URL asked and never
/// the admin token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// The settings name no port: the server picks a free one (`--port 0`)
    /// and no port file says which.
    #[error(
        "no port to check: set GENESYS_MOCK_PORT (or --port / --port-file, as the server was \
         started with), or give --url"
    )]
    NoPort,
    /// The port file could not be read or holds no port.
    #[error("port file {path}: {message}")]
    PortFile {
        /// The file named by `--port-file`.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The server speaks HTTPS, or `--url` is not a plain `http://` URL.
    #[error("{0}: the healthcheck speaks plain HTTP only")]
    NotHttp(String),
    /// No connection could be made.
    #[error("GET {url}: cannot connect: {message}")]
    Connect {
        /// The health URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The connection broke before a whole answer arrived.
    #[error("GET {url}: {message}")]
    Answer {
        /// The health URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// No whole answer within the timeout.
    #[error("GET {url}: no answer within {timeout:?}")]
    Timeout {
        /// The health URL asked.
        url: String,
        /// The timeout given.
        timeout: Duration,
    },
    /// An answer other than `200 {"status":"ok"}`.
    #[error("GET {url} answered {status}: {body}{hint}")]
    Unhealthy {
        /// The health URL asked.
        url: String,
        /// The status of the answer.
        status: u16,
        /// The start of the answer's body.
        body: String,
        /// What a 401 or 404 usually means.
        hint: &'static str,
    },
}

/// One health check of a running mock server.
///
/// ```no_run
/// # async fn demo() -> Result<(), genesys_usage_mock::HealthError> {
/// use genesys_usage_mock::HealthCheck;
/// let url = url::Url::parse("http://127.0.0.1:8080").unwrap();
/// HealthCheck::from_url(&url, None)?
///     .run(std::time::Duration::from_secs(3))
///     .await
/// # }
/// ```
#[derive(Clone)]
pub struct HealthCheck {
    host: String,
    port: u16,
    admin_token: Option<String>,
}

impl std::fmt::Debug for HealthCheck {
    // Hand-written so the admin token never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HealthCheck")
            .field("url", &self.url())
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl HealthCheck {
    /// The check of the server these settings start: their host (an
    /// unspecified address such as `0.0.0.0` is asked on loopback), their
    /// port (or the one in their port file when the port is 0) and their
    /// admin token.
    ///
    /// # Errors
    /// [`HealthError::NoPort`], [`HealthError::PortFile`], or
    /// [`HealthError::NotHttp`] when the settings turn HTTPS on.
    pub fn from_config(config: &Config) -> Result<Self, HealthError> {
        let host = loopback_for(config.host);
        if config.tls.is_enabled() {
            return Err(HealthError::NotHttp(format!(
                "the server settings turn HTTPS on (https://{})",
                authority(&host.to_string(), config.port)
            )));
        }
        let port = match (config.port, &config.port_file) {
            (0, Some(path)) => read_port_file(path)?,
            (0, None) => return Err(HealthError::NoPort),
            (port, _) => port,
        };
        Ok(Self {
            host: host.to_string(),
            port,
            admin_token: config.admin_token.clone(),
        })
    }

    /// The check of the server at this base URL (the URL of its listening
    /// line), sending `admin_token` as a bearer token when given.
    ///
    /// # Errors
    /// [`HealthError::NotHttp`] for anything but an `http://` URL with a host.
    pub fn from_url(url: &Url, admin_token: Option<String>) -> Result<Self, HealthError> {
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => String::new(),
        };
        if url.scheme() != "http" || host.is_empty() {
            // Only scheme and host: a URL may carry a password.
            return Err(HealthError::NotHttp(format!(
                "--url {}://{}",
                url.scheme(),
                url.host_str().unwrap_or("")
            )));
        }
        Ok(Self {
            host,
            port: url.port_or_known_default().unwrap_or(80),
            admin_token,
        })
    }

    /// The health URL this check asks.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}{HEALTH_PATH}", authority(&self.host, self.port))
    }

    /// Connects, asks, and reads the answer, all within `timeout`.
    /// Needs a Tokio runtime (the connection is driven by a spawned task).
    ///
    /// # Errors
    /// [`HealthError`] saying what failed; `Ok` only for a `200` answer
    /// whose JSON `status` is `"ok"`.
    pub async fn run(&self, timeout: Duration) -> Result<(), HealthError> {
        let (status, body) = tokio::time::timeout(timeout, self.get())
            .await
            .map_err(|_| HealthError::Timeout {
                url: self.url(),
                timeout,
            })??;
        let ok = status == StatusCode::OK
            && serde_json::from_slice::<serde_json::Value>(&body)
                .is_ok_and(|v| v.get("status").and_then(|s| s.as_str()) == Some("ok"));
        if ok {
            return Ok(());
        }
        Err(HealthError::Unhealthy {
            url: self.url(),
            status: status.as_u16(),
            body: String::from_utf8_lossy(&body)
                .chars()
                .take(QUOTED_CHARS)
                .collect(),
            hint: match status {
                StatusCode::UNAUTHORIZED => " (the admin token differs: GENESYS_MOCK_ADMIN_TOKEN)",
                StatusCode::NOT_FOUND => " (is the admin API off? --no-admin)",
                _ => "",
            },
        })
    }

    async fn get(&self) -> Result<(StatusCode, Bytes), HealthError> {
        let url = self.url();
        let connect = |e: &dyn std::fmt::Display| HealthError::Connect {
            url: url.clone(),
            message: e.to_string(),
        };
        let answer = |e: &dyn std::fmt::Display| HealthError::Answer {
            url: url.clone(),
            message: e.to_string(),
        };
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| connect(&e))?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| connect(&e))?;
        // Ends with the connection: `Connection: close` asks the server to
        // close it after the answer, and dropping `sender` ends it too.
        tokio::spawn(connection);
        let mut request = hyper::Request::get(HEALTH_PATH)
            .header(hyper::header::HOST, authority(&self.host, self.port))
            .header(hyper::header::CONNECTION, "close");
        if let Some(token) = &self.admin_token {
            request = request.header(hyper::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = request
            .body(Empty::<Bytes>::new())
            .map_err(|e| answer(&e))?;
        let response = sender.send_request(request).await.map_err(|e| answer(&e))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| answer(&*e))?
            .to_bytes();
        Ok((status, body))
    }
}

/// The address to ask for a server bound to `host`: an unspecified address
/// (bind to all) is asked on the loopback of its family.
fn loopback_for(host: IpAddr) -> IpAddr {
    match host {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        other => other,
    }
}

/// `host:port`, with an IPv6 address in brackets.
fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn read_port_file(path: &Path) -> Result<u16, HealthError> {
    let error = |message: String| HealthError::PortFile {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string().to_lowercase()))?;
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(error(format!("`{}` is not a port", text.trim()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_bind_address_is_checked_on_loopback() {
        assert_eq!(
            loopback_for("0.0.0.0".parse().unwrap()).to_string(),
            "127.0.0.1"
        );
        assert_eq!(loopback_for("::".parse().unwrap()).to_string(), "::1");
        assert_eq!(
            loopback_for("10.1.2.3".parse().unwrap()).to_string(),
            "10.1.2.3"
        );
    }

    #[test]
    fn the_check_follows_the_server_settings() {
        let config = Config {
            host: "0.0.0.0".parse().unwrap(),
            port: 8080,
            admin_token: Some("admin-secret".to_owned()),
            ..Config::default()
        };
        let check = HealthCheck::from_config(&config).unwrap();
        assert_eq!(check.url(), "http://127.0.0.1:8080/__admin/health");
        let debug = format!("{check:?}");
        assert!(!debug.contains("admin-secret"), "{debug}");
        assert!(matches!(
            HealthCheck::from_config(&Config::default()),
            Err(HealthError::NoPort)
        ));
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        let config = Config {
            host: "::".parse().unwrap(),
            port: 9000,
            ..Config::default()
        };
        let url = HealthCheck::from_config(&config).unwrap().url();
        assert_eq!(url, "http://[::1]:9000/__admin/health");
        let from_url = HealthCheck::from_url(&Url::parse("http://[::1]:9000/").unwrap(), None);
        assert_eq!(from_url.unwrap().url(), url);
    }

    #[test]
    fn https_and_other_schemes_are_refused_without_echoing_a_password() {
        let url = Url::parse("https://user:hunter2@127.0.0.1:8443/").unwrap();
        let error = HealthCheck::from_url(&url, None).unwrap_err().to_string();
        assert!(error.contains("plain HTTP"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
        let config = Config {
            port: 8443,
            tls: crate::TlsConfig {
                self_signed: true,
                ..crate::TlsConfig::default()
            },
            ..Config::default()
        };
        assert!(matches!(
            HealthCheck::from_config(&config),
            Err(HealthError::NotHttp(_))
        ));
    }

    #[test]
    fn a_port_file_without_a_port_names_the_file() {
        let path = std::env::temp_dir().join(format!("health-port-{}", std::process::id()));
        std::fs::write(&path, "soon\n").unwrap();
        let config = Config {
            port_file: Some(path.clone()),
            ..Config::default()
        };
        let error = HealthCheck::from_config(&config).unwrap_err().to_string();
        let _ = std::fs::remove_file(&path);
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains("soon"), "{error}");
    }
}
