//! Record and replay settings: `--replay PATH`, and `--record PATH
//! --upstream URL [--upstream-login URL]` ([`RecordConfig`]).

use std::path::PathBuf;

use genesys_usage::cassette::Cassette;

use crate::settings::cli::ConfigError;

/// `--record`: the server is a recording proxy in front of `upstream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordConfig {
    /// Where the cassette is written (on shutdown and on
    /// `POST /__admin/recording/save`).
    pub path: PathBuf,
    /// The API base URL requests are forwarded to, e.g.
    /// `https://api.mypurecloud.com`.
    pub upstream: String,
    /// The login base URL token requests are forwarded to; by default the
    /// upstream with `api.` replaced by `login.` (as the SDKs derive it), or
    /// the upstream itself when it has no `api.` host.
    pub upstream_login: Option<String>,
    /// `--pseudonymise`: user ids and client names replaced by stand-ins
    /// that are stable for the run (see
    /// [`Pseudonymiser`](genesys_usage::cassette::Pseudonymiser)).
    pub pseudonymise: bool,
}

impl RecordConfig {
    /// The login base URL token requests go to.
    #[must_use]
    pub fn login_url(&self) -> String {
        self.upstream_login
            .clone()
            .unwrap_or_else(|| self.upstream.replacen("//api.", "//login.", 1))
    }
}

/// The record and replay flags; each also read from its `GENESYS_MOCK_*` variable.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct CassetteArgs {
    /// Serve this cassette (recorded by `--record` or the SDK's
    /// `RecordingTransport`) instead of synthetic data; never connects out.
    #[arg(long, env = "GENESYS_MOCK_REPLAY", value_name = "PATH")]
    pub replay: Option<PathBuf>,
    /// Be a recording proxy: forward every Usage and token request to
    /// --upstream and write the exchanges to this cassette on shutdown.
    #[arg(long, env = "GENESYS_MOCK_RECORD", value_name = "PATH")]
    pub record: Option<PathBuf>,
    /// The API base URL --record forwards to (e.g. `https://api.mypurecloud.com`).
    #[arg(long, env = "GENESYS_MOCK_UPSTREAM", value_name = "URL")]
    pub upstream: Option<String>,
    /// The login base URL --record forwards token requests to [default: the
    /// upstream with `api.` replaced by `login.`].
    #[arg(long, env = "GENESYS_MOCK_UPSTREAM_LOGIN", value_name = "URL")]
    pub upstream_login: Option<String>,
    /// With --record: replace user ids and OAuth client names by stand-ins
    /// (stable for the run) in the saved cassette, for a recording that
    /// leaves the organisation.
    #[arg(long, env = "GENESYS_MOCK_PSEUDONYMISE", num_args = 0..=1,
          require_equals = true, default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub pseudonymise: Option<bool>,
}

impl CassetteArgs {
    /// Each setting from `self`, else from `lower`.
    pub(crate) fn or(self, lower: Self) -> Self {
        Self {
            replay: self.replay.or(lower.replay),
            record: self.record.or(lower.record),
            upstream: self.upstream.or(lower.upstream),
            upstream_login: self.upstream_login.or(lower.upstream_login),
            pseudonymise: self.pseudonymise.or(lower.pseudonymise),
        }
    }

    /// The replayed cassette (read now) and the recording, checked.
    pub(crate) fn build(self) -> Result<(Option<Cassette>, Option<RecordConfig>), ConfigError> {
        let invalid = |setting, message: String| ConfigError::Invalid { setting, message };
        let pseudonymise = self.pseudonymise.unwrap_or(false);
        if pseudonymise && self.record.is_none() {
            return Err(invalid(
                "pseudonymise",
                "--pseudonymise needs --record PATH".into(),
            ));
        }
        let record = match (self.record, self.upstream) {
            (Some(path), Some(upstream)) => Some(RecordConfig {
                path,
                upstream,
                upstream_login: self.upstream_login,
                pseudonymise,
            }),
            (Some(_), None) => {
                return Err(invalid("upstream", "--record needs --upstream URL".into()));
            }
            (None, Some(_)) => {
                return Err(invalid("record", "--upstream needs --record PATH".into()));
            }
            (None, None) if self.upstream_login.is_some() => {
                return Err(invalid(
                    "record",
                    "--upstream-login needs --record PATH".into(),
                ));
            }
            (None, None) => None,
        };
        if record.is_some() && self.replay.is_some() {
            return Err(invalid(
                "replay",
                "give either --replay or --record, not both".into(),
            ));
        }
        let replay = self
            .replay
            .map(|path| Cassette::load(&path))
            .transpose()
            .map_err(|e| invalid("replay", e.to_string()))?;
        Ok((replay, record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_and_upstream_need_each_other() {
        let record_only = CassetteArgs {
            record: Some("c.json".into()),
            ..CassetteArgs::default()
        };
        assert!(
            record_only
                .build()
                .unwrap_err()
                .to_string()
                .contains("--upstream")
        );
        let both = CassetteArgs {
            record: Some("c.json".into()),
            upstream: Some("https://api.mypurecloud.com".into()),
            ..CassetteArgs::default()
        };
        let (_, record) = both.build().unwrap();
        assert_eq!(record.unwrap().login_url(), "https://login.mypurecloud.com");
    }

    #[test]
    fn pseudonymise_needs_record() {
        let alone = CassetteArgs {
            pseudonymise: Some(true),
            ..CassetteArgs::default()
        };
        let err = alone.build().unwrap_err().to_string();
        assert!(err.contains("--pseudonymise needs --record"), "{err}");
    }

    #[test]
    fn an_unreadable_cassette_names_the_file() {
        let args = CassetteArgs {
            replay: Some("/nonexistent/c.json".into()),
            ..CassetteArgs::default()
        };
        let err = args.build().unwrap_err().to_string();
        assert!(
            err.contains("replay") && err.contains("/nonexistent/c.json"),
            "{err}"
        );
    }
}
