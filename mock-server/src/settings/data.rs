//! The data the server serves: `--dataset PATH` (spec §13a), read and
//! checked at start-up so that a bad file stops the binary (exit 2) before
//! it prints its listening line.

use std::path::PathBuf;
use std::sync::Arc;

use genesys_usage::fake::Dataset;

use crate::settings::cli::ConfigError;

/// The data flags; each also read from its `GENESYS_MOCK_*` variable and
/// from the `--config` file's key of the same name.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct DataArgs {
    /// Serve this dataset file (CSV or JSON Lines, spec §13a) instead of the
    /// synthetic log; a bad file is refused naming its line, field and rule.
    #[arg(long, env = "GENESYS_MOCK_DATASET", value_name = "PATH")]
    pub dataset: Option<PathBuf>,
}

impl DataArgs {
    /// Each setting from `self`, else from `lower`.
    pub(crate) fn or(self, lower: Self) -> Self {
        Self {
            dataset: self.dataset.or(lower.dataset),
        }
    }

    /// The dataset, loaded and checked now.
    pub(crate) fn build(self) -> Result<Option<Arc<Dataset>>, ConfigError> {
        self.dataset
            .map(|path| Dataset::from_path(&path).map(Arc::new))
            .transpose()
            .map_err(|e| ConfigError::Invalid {
                setting: "dataset",
                message: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_dataset_file_names_the_setting_and_the_file() {
        let args = DataArgs {
            dataset: Some("/nonexistent/usage.csv".into()),
        };
        let err = args.build().unwrap_err().to_string();
        assert!(
            err.starts_with("setting `dataset`: dataset /nonexistent/usage.csv: cannot open it"),
            "{err}"
        );
    }
}
