//! Proxy options of [`HttpTransportBuilder`](crate::HttpTransportBuilder):
//! the environment's `HTTPS_PROXY`/`NO_PROXY` by default, one explicit proxy
//! (with Basic auth), or none.

use url::Url;

use super::urls;
use crate::error::{Error, Result};

/// Which proxy the transport uses.
#[derive(Clone, Default)]
pub(crate) enum ProxyChoice {
    /// reqwest's system proxy: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`
    /// (and their lowercase forms), minus `NO_PROXY`, read from the process
    /// environment when the transport is built.
    #[default]
    System,
    /// No proxy at all, whatever the environment says.
    Direct,
    /// Every request through this proxy URL.
    Url(String),
}

/// Basic credentials for the proxy (`Proxy-Authorization`). `Debug` shows
/// the user name only.
#[derive(Clone)]
pub(crate) struct ProxyAuth {
    pub(crate) username: String,
    pub(crate) password: String,
}

impl std::fmt::Debug for ProxyAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The proxy options as set on the builder.
#[derive(Clone, Default)]
pub(crate) struct ProxyOptions {
    pub(crate) choice: ProxyChoice,
    pub(crate) auth: Option<ProxyAuth>,
}

impl std::fmt::Debug for ProxyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let choice = match &self.choice {
            ProxyChoice::System => "system (HTTPS_PROXY / NO_PROXY)".to_owned(),
            ProxyChoice::Direct => "none".to_owned(),
            ProxyChoice::Url(url) => urls::redact(url),
        };
        f.debug_struct("Proxy")
            .field("proxy", &choice)
            .field("auth", &self.auth)
            .finish()
    }
}

impl ProxyOptions {
    /// Whether anything differs from the default (the system proxy).
    pub(crate) fn is_set(&self) -> bool {
        !matches!(self.choice, ProxyChoice::System) || self.auth.is_some()
    }

    /// Applies the options to a reqwest client builder.
    ///
    /// # Errors
    /// [`Error::Config`] `proxy` when the URL is unusable, or
    /// `proxy_basic_auth` when credentials are given without a proxy.
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder> {
        match (&self.choice, &self.auth) {
            (ProxyChoice::Url(raw), auth) => {
                let proxy = explicit(raw, auth.as_ref())?;
                Ok(builder.proxy(proxy))
            }
            (_, Some(_)) => Err(Error::config(
                "proxy_basic_auth",
                "proxy credentials need a proxy: set proxy(url) too",
            )),
            (ProxyChoice::Direct, None) => Ok(builder.no_proxy()),
            (ProxyChoice::System, None) => Ok(builder),
        }
    }
}

/// A reqwest proxy for every request, with Basic auth from `auth` or from
/// the URL's user info (`http://user:password@proxy:3128`).
fn explicit(raw: &str, auth: Option<&ProxyAuth>) -> Result<reqwest::Proxy> {
    let mut url =
        Url::parse(raw.trim()).map_err(|e| Error::config("proxy", format!("not a url: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config(
            "proxy",
            format!(
                "scheme {:?} is not supported; use http or https",
                url.scheme()
            ),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::config("proxy", "the url has no host"));
    }
    let from_url = user_info(&url);
    // The credentials travel in Proxy-Authorization, never in the URL.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let proxy = reqwest::Proxy::all(url.as_str())
        .map_err(|e| Error::config("proxy", format!("unusable proxy url: {e}")))?;
    Ok(match auth.cloned().or(from_url) {
        Some(auth) => proxy.basic_auth(&auth.username, &auth.password),
        None => proxy,
    })
}

/// The percent-decoded user and password of a proxy URL, if any.
fn user_info(url: &Url) -> Option<ProxyAuth> {
    if url.username().is_empty() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some(ProxyAuth {
        username: decode(url.username()),
        password: decode(url.password().unwrap_or_default()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(choice: ProxyChoice, auth: Option<ProxyAuth>) -> ProxyOptions {
        ProxyOptions { choice, auth }
    }

    fn auth() -> Option<ProxyAuth> {
        Some(ProxyAuth {
            username: "squid".into(),
            password: "hunter2".into(),
        })
    }

    #[test]
    fn debug_shows_the_proxy_user_but_never_its_password() {
        let url = ProxyChoice::Url("http://me:s3cret@proxy.corp:3128".into());
        let debug = format!("{:?}", with(url, auth()));
        assert!(debug.contains("proxy.corp:3128"), "{debug}");
        assert!(debug.contains("squid"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("s3cret"), "{debug}");
    }

    #[test]
    fn unusable_proxy_urls_are_refused_naming_the_option() {
        for bad in ["not a url", "ftp://proxy:21", "socks5://proxy:1080"] {
            let options = with(ProxyChoice::Url(bad.into()), None);
            let err = options.apply(reqwest::Client::builder()).unwrap_err();
            assert!(
                matches!(&err, Error::Config { field, .. } if field == "proxy"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn proxy_credentials_without_a_proxy_are_refused() {
        for choice in [ProxyChoice::System, ProxyChoice::Direct] {
            let err = with(choice, auth())
                .apply(reqwest::Client::builder())
                .unwrap_err();
            assert!(err.to_string().contains("proxy_basic_auth"), "{err}");
        }
    }

    #[test]
    fn user_info_in_the_url_is_decoded() {
        let url = Url::parse("http://us%40er:p%3Ass@proxy:3128").unwrap();
        let auth = user_info(&url).unwrap();
        assert_eq!(auth.username, "us@er");
        assert_eq!(auth.password, "p:ss");
        assert!(user_info(&Url::parse("http://proxy:3128").unwrap()).is_none());
    }
}
