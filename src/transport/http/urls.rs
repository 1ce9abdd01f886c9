//! URLs of [`HttpTransport`](crate::HttpTransport): validation of the
//! configured bases, the login URL derivation and path templates.

use std::net::IpAddr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::{Host, Url};

use crate::error::{Error, Result};

/// Everything but the RFC 3986 unreserved characters is encoded, so a path
/// parameter can never add a segment, a query or a fragment.
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Parses a configured base URL and applies the transport's rules to it:
/// `http`/`https` only, no credentials, query or fragment, and plain `http`
/// only to loopback unless `allow_insecure_http`.
pub(crate) fn parse_base(field: &str, raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let url =
        Url::parse(raw.trim()).map_err(|e| Error::config(field, format!("not a url: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(
                field,
                "plain http is only allowed to loopback hosts; use https or allow_insecure_http(true)",
            ));
        }
        other => {
            return Err(Error::config(
                field,
                format!("scheme {other:?} is not http or https"),
            ));
        }
    }
    if url.host().is_none() {
        return Err(Error::config(field, "the url has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            field,
            "the url must not carry credentials; use client_credentials or token",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            field,
            "the url must not have a query or fragment",
        ));
    }
    Ok(url)
}

/// `url` without a trailing `suffix` path (e.g. `api/v2` on a base URL
/// copied from the API's documented paths, whose operations add it
/// themselves). The change is logged, not refused: the intent is clear.
pub(crate) fn without_suffix(field: &str, mut url: Url, suffix: &str) -> Url {
    let path = url.path().trim_end_matches('/');
    let Some(prefix) = path.strip_suffix(suffix) else {
        return url;
    };
    let Some(prefix) = prefix.strip_suffix('/') else {
        return url;
    };
    let prefix = prefix.to_owned();
    tracing::debug!(
        field,
        suffix,
        "dropping the trailing path from the configured url"
    );
    url.set_path(&format!("{prefix}/"));
    url
}

/// Whether the URL's host is `localhost`, 127.0.0.0/8 or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.');
            domain.eq_ignore_ascii_case("localhost")
        }
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The login base URL when none is configured: the API URL with `//api.`
/// replaced by `//login.` (as every official SDK does), or the API URL
/// itself, so a mock serving `/oauth/token` on the same port just works.
pub(crate) fn derive_login_url(base_url: &str) -> String {
    base_url.replacen("//api.", "//login.", 1)
}

/// `{base}` + `path`, where `path` is a relative path such as `oauth/token`.
pub(crate) fn join_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}/{path}"));
    url
}

/// Expands a path template such as `/api/v2/usage/query/{executionId}/results`
/// under `base`, percent-encoding each parameter as one segment.
///
/// Parameters fill the `{…}` placeholders in order. An empty parameter (or
/// `.`/`..`, which URL parsers fold into a path change) is refused with
/// [`Error::InvalidRequest`] naming the placeholder, before anything is sent.
pub(crate) fn expand(base: &Url, template: &str, params: &[&str]) -> Result<Url> {
    let mut params = params.iter();
    let mut path = String::with_capacity(template.len() + 48);
    for segment in template.trim_start_matches('/').split('/') {
        path.push('/');
        let Some(field) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            path.push_str(segment);
            continue;
        };
        let value = params
            .next()
            .ok_or_else(|| Error::invalid(field, "missing path parameter"))?;
        if value.is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        if *value == "." || *value == ".." {
            return Err(Error::invalid(field, "must not be \".\" or \"..\""));
        }
        path.extend(utf8_percent_encode(value, SEGMENT));
    }
    Ok(join_path(base, path.trim_start_matches('/')))
}

/// The URL for `Debug` output, with any password hidden.
pub(crate) fn redact(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        Ok(_) => raw.to_owned(),
        Err(_) => "<unparsable url>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(raw: &str) -> Url {
        parse_base("base_url", raw, false).unwrap()
    }

    #[test]
    fn parameters_are_encoded_as_one_segment() {
        let url = expand(
            &base("http://127.0.0.1:9"),
            "/api/v2/usage/query/{executionId}/results",
            &["a/b?c#d%e f"],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/api/v2/usage/query/a%2Fb%3Fc%23d%25e%20f/results"
        );
    }

    #[test]
    fn a_base_path_prefix_is_kept() {
        let url = expand(
            &base("https://gw.example/prefix/"),
            "/api/v2/x/{id}",
            &["1"],
        )
        .unwrap();
        assert_eq!(url.as_str(), "https://gw.example/prefix/api/v2/x/1");
        let token = join_path(&base("https://login.example"), "oauth/token");
        assert_eq!(token.as_str(), "https://login.example/oauth/token");
    }

    #[test]
    fn empty_and_dot_parameters_are_refused_naming_the_field() {
        let b = base("https://api.example");
        for bad in ["", ".", ".."] {
            let err = expand(&b, "/api/v2/oauth/clients/{clientId}/usage", &[bad]).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidRequest { field, .. } if field == "clientId"),
                "{err}"
            );
        }
    }

    #[test]
    fn plain_http_is_allowed_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:1",
            "http://127.8.9.1",
            "http://[::1]:80",
            "http://localhost:8080",
            "http://LOCALHOST.",
        ] {
            assert!(parse_base("base_url", ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            let err = parse_base("login_url", bad, false).unwrap_err();
            assert!(err.to_string().contains("login_url"), "{err}");
            assert!(parse_base("login_url", bad, true).is_ok());
        }
    }

    #[test]
    fn bad_urls_are_refused_naming_the_field() {
        for bad in [
            "not a url",
            "ftp://example.com",
            "https://u:p@example.com",
            "https://example.com/?q=1",
        ] {
            let err = parse_base("base_url", bad, false).unwrap_err();
            assert!(
                matches!(&err, Error::Config { field, .. } if field == "base_url"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn login_url_is_derived_from_an_api_host() {
        assert_eq!(
            derive_login_url("https://api.mypurecloud.ie"),
            "https://login.mypurecloud.ie"
        );
        assert_eq!(
            derive_login_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn a_trailing_api_v2_is_dropped_from_a_base_url() {
        let strip = |raw: &str| without_suffix("base_url", base(raw), "api/v2").to_string();
        assert_eq!(strip("https://api.example/api/v2"), "https://api.example/");
        assert_eq!(strip("https://api.example/api/v2/"), "https://api.example/");
        assert_eq!(
            strip("https://gw.example/p/api/v2"),
            "https://gw.example/p/"
        );
        assert_eq!(
            strip("https://api.example/xapi/v2"),
            "https://api.example/xapi/v2"
        );
        assert_eq!(strip("https://api.example/"), "https://api.example/");
    }

    #[test]
    fn passwords_are_redacted_from_debug_urls() {
        assert!(!redact("https://u:hunter2@example.com").contains("hunter2"));
        assert_eq!(redact("https://example.com/"), "https://example.com/");
    }
}
