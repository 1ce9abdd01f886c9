//! [`StoreLocation`]: `sqlite:PATH` or `postgres://…`, and how a location is
//! shown without its password.

use std::path::PathBuf;

use super::StoreError;

/// Where a store lives, parsed from the `--store` text.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreLocation {
    /// `sqlite:PATH`: an SQLite file (created if missing).
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`: a PostgreSQL connection URL.
    Postgres(String),
}

impl StoreLocation {
    /// Parses `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    ///
    /// # Errors
    /// [`StoreError::InvalidLocation`] for anything else or an empty path.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::InvalidLocation {
                    location: text.to_owned(),
                    message: "sqlite: needs a file path, e.g. sqlite:usage.db".into(),
                });
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err(StoreError::InvalidLocation {
            location: redact_url(text),
            message: "expected sqlite:PATH or postgres://user@host/database".into(),
        })
    }
}

impl std::fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact_url(url)),
        }
    }
}

// A connection URL may carry a password: Debug shows it masked, like Display.
impl std::fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreLocation({self})")
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`; a
/// `password=` query parameter is masked too. Anything unparsable is masked
/// after the scheme, so a malformed URL cannot leak either.
pub(crate) fn redact_url(text: &str) -> String {
    let Some((scheme, _)) = text.split_once("://") else {
        return text.to_owned();
    };
    let Ok(mut url) = url::Url::parse(text) else {
        return format!("{scheme}://***");
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k.eq_ignore_ascii_case("password") {
                "***".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_never_show_a_password() {
        assert_eq!(
            StoreLocation::parse("sqlite:a/b.db").unwrap(),
            StoreLocation::Sqlite("a/b.db".into())
        );
        let pg = StoreLocation::parse("postgres://me:s3cret@127.0.0.1:5432/usage").unwrap();
        assert_eq!(pg.to_string(), "postgres://me:***@127.0.0.1:5432/usage");
        assert!(!format!("{pg:?}").contains("s3cret"));
        let q = StoreLocation::parse("postgresql://h/db?user=me&password=s3cret").unwrap();
        assert!(!q.to_string().contains("s3cret"), "{q}");
        let err = StoreLocation::parse("mysql://me:s3cret@h/db").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(StoreLocation::parse("sqlite:").is_err());
    }
}
