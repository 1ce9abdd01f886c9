//! The data the server serves: `--dataset PATH` (spec §13a), read and
//! checked at start-up so that a bad file stops the binary (exit 2) before
//! it prints its listening line; `--data-lag` (spec §13b).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use genesys_usage::fake::Dataset;

use crate::settings::cli::ConfigError;
use crate::settings::config::{Config, parse_duration};
use crate::settings::scenario::Scenario;

/// The data flags; each also read from its `GENESYS_MOCK_*` variable and
/// from the `--config` file's key of the same name.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct DataArgs {
    /// Serve this dataset file (CSV or JSON Lines, spec §13a) instead of the
    /// synthetic log; a bad file is refused naming its line, field and rule.
    #[arg(long, env = "GENESYS_MOCK_DATASET", value_name = "PATH")]
    pub dataset: Option<PathBuf>,
    /// How long after its end a UTC day's data shows, e.g. 6h (spec §13b,
    /// "Data lag"); today never shows [default: 0s, yesterday complete at midnight].
    #[arg(long, env = "GENESYS_MOCK_DATA_LAG", value_parser = parse_duration)]
    pub data_lag: Option<Duration>,
    /// A scenario file (TOML): credentials with their organisations and
    /// permissions, data, lifecycle, clock, retention, rate limit; its keys
    /// win over the other settings.
    #[arg(long, env = "GENESYS_MOCK_SCENARIO", value_name = "PATH")]
    pub scenario: Option<PathBuf>,
}

impl DataArgs {
    /// Each setting from `self`, else from `lower`.
    pub(crate) fn or(self, lower: Self) -> Self {
        Self {
            dataset: self.dataset.or(lower.dataset),
            data_lag: self.data_lag.or(lower.data_lag),
            scenario: self.scenario.or(lower.scenario),
        }
    }

    /// Puts these settings into `config`, the dataset loaded and checked now.
    pub(crate) fn apply(self, config: &mut Config) -> Result<(), ConfigError> {
        if let Some(lag) = self.data_lag {
            if lag > Duration::from_secs(7 * 86_400) {
                return Err(ConfigError::Invalid {
                    setting: "data-lag",
                    message: "must be at most 7d".to_owned(),
                });
            }
            config.data_lag = lag;
        }
        config.dataset = load(self.dataset.as_deref())?;
        config.dataset_path = self.dataset;
        if let Some(path) = &self.scenario {
            Scenario::from_path(path)?.apply(config)?;
        }
        Ok(())
    }
}

fn load(path: Option<&Path>) -> Result<Option<Arc<Dataset>>, ConfigError> {
    path.map(|path| Dataset::from_path(path).map(Arc::new))
        .transpose()
        .map_err(|e| ConfigError::Invalid {
            setting: "dataset",
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_dataset_file_names_the_setting_and_the_file() {
        let args = DataArgs {
            dataset: Some("/nonexistent/usage.csv".into()),
            data_lag: None,
            scenario: None,
        };
        let err = args.apply(&mut Config::default()).unwrap_err().to_string();
        assert!(
            err.starts_with("setting `dataset`: dataset /nonexistent/usage.csv: cannot open it"),
            "{err}"
        );
    }
}
