//! reqwest errors as [`Error::Transport`]: which host, which kind, and a
//! message that says what to do when the cause is the configuration (an
//! untrusted certificate, a proxy refusing its credentials).

use crate::error::{Error, TransportErrorKind};

/// The request that failed, for the message: `request to api.example.com`
/// or `token request to login.example.com`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// `request` or `token request`.
    pub(crate) what: &'static str,
    /// The host (and port, when not the default) the request went to.
    pub(crate) host: &'a str,
}

impl std::fmt::Display for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {}", self.what, self.host)
    }
}

/// `host[:port]` of a URL, for messages.
pub(crate) fn authority(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "<no host>".to_owned(),
    }
}

/// Maps a reqwest error to [`Error::Transport`], naming the host. The
/// path and query are dropped (they add nothing the caller lacks) and no
/// header is ever in the message.
pub(crate) fn transport_error(error: reqwest::Error, target: Target<'_>) -> Error {
    let error = error.without_url();

    let detail = describe(&error);
    if let Some(tls) = tls_cause(&error) {
        return Error::Transport {
            kind: TransportErrorKind::Tls,
            message: tls_message(target, tls),
            // A failed handshake never hands the request to the server.
            not_sent: true,
        };
    }
    if detail.contains("proxy authorization required") {
        return Error::Transport {
            kind: TransportErrorKind::Proxy,
            message: format!(
                "{target}: the proxy answered 407 proxy authentication required; \
                 check the proxy user and password (proxy_basic_auth, \
                 GENESYSCLOUD_PROXY_AUTH_USERNAME/PASSWORD or the proxy url)"
            ),
            not_sent: true,
        };
    }
    let (kind, not_sent) = if error.is_connect() {
        (TransportErrorKind::Connect, true)
    } else if error.is_timeout() {
        (TransportErrorKind::Timeout, false)
    } else if error.is_body() || error.is_decode() || error.is_request() {
        (TransportErrorKind::Io, false)
    } else {
        (TransportErrorKind::Other, false)
    };
    let hint = if detail.contains("tunnel error") {
        "; the proxy did not open a tunnel (is it reachable, and does it allow this host?)"
    } else {
        ""
    };
    Error::Transport {
        kind,
        message: format!("{target}: {detail}{hint}"),
        not_sent,
    }
}

/// The rustls error in the chain, if the failure is a TLS one.
///
/// rustls errors travel inside `io::Error`s, whose `source()` skips the
/// error they hold, so each link is opened by hand as well as followed.
fn tls_cause<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(cause) = current {
        if let Some(tls) = opened(cause) {
            return Some(tls);
        }
        current = cause.source();
    }
    None
}

/// `error` as a rustls error, or the rustls error held by an `io::Error`
/// (the connector nests them: `io::Error(Other, io::Error(InvalidData, …))`).
fn opened<'a>(mut error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = error.downcast_ref::<std::io::Error>()?.get_ref()?;
        error = inner;
    }
}

fn tls_message(target: Target<'_>, error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(why) => format!(
            "{target}: the server's certificate is not trusted ({why:?}); trust its CA with \
             add_root_certificate or tls_certs_only, or SSL_CERT_FILE"
        ),
        rustls::Error::AlertReceived(alert) => format!(
            "{target}: the server ended the tls handshake ({alert:?}); if it requires a \
             client certificate, set one with identity"
        ),
        other => format!("{target}: tls handshake failed: {other}"),
    }
}

/// The error and its sources, joined, as `error: cause: root cause`.
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_rustls_error_is_found_in_the_chain() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::other(std::io::Error::new(std::io::ErrorKind::InvalidData, tls));
        let found = tls_cause(&io).expect("found");
        assert!(matches!(found, rustls::Error::InvalidCertificate(_)));

        let plain = std::io::Error::other("connection refused");
        assert!(tls_cause(&plain).is_none());
    }

    #[test]
    fn an_untrusted_certificate_names_the_host_and_the_fix() {
        let target = Target {
            what: "request",
            host: "127.0.0.1:8443",
        };
        let error = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let message = tls_message(target, &error);
        assert!(
            message.starts_with("request to 127.0.0.1:8443: "),
            "{message}"
        );
        assert!(message.contains("UnknownIssuer"), "{message}");
        assert!(message.contains("add_root_certificate"), "{message}");
    }

    #[test]
    fn the_authority_keeps_a_non_default_port() {
        let url = url::Url::parse("https://api.example.com/api/v2").unwrap();
        assert_eq!(authority(&url), "api.example.com");
        let url = url::Url::parse("http://127.0.0.1:9000/").unwrap();
        assert_eq!(authority(&url), "127.0.0.1:9000");
    }
}
