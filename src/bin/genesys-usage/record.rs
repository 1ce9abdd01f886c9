//! `--record PATH`: the run's API calls written to a cassette.
//!
//! [`wrap`] puts a `RecordingTransport` over the client's transport (so
//! every subcommand that gets its client from `connect::client` records,
//! retries and polls included); [`finish`] saves the cassette at the end
//! of the run, whatever the outcome: a failed run is the one a bug report
//! needs. The recorder sits above authentication: no secret or token
//! reaches the file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use genesys_usage::cassette::RecordingTransport;
use genesys_usage::{UsageClient, UsageTransport};

use crate::failure::Failure;

type Recorder = RecordingTransport<Arc<dyn UsageTransport>>;

/// The recording of this run, if `--record` was given.
static RECORDING: Mutex<Option<(PathBuf, Recorder)>> = Mutex::new(None);

/// `client` with its calls recorded when `path` is given.
pub(crate) fn wrap(client: UsageClient, path: Option<&Path>) -> UsageClient {
    let Some(path) = path else {
        return client;
    };
    let recorder = RecordingTransport::new(Arc::clone(client.transport()));
    let recorded = UsageClient::with_transport(recorder.clone())
        .with_retry_policy(client.retry_policy().clone())
        .with_wait_policy(client.wait_policy().clone());
    *RECORDING.lock().unwrap_or_else(PoisonError::into_inner) = Some((path.to_owned(), recorder));
    recorded
}

/// Saves the recording (if any) and passes `outcome` on; a cassette that
/// cannot be written fails a run that had succeeded, and is reported
/// beside the failure of one that had not.
pub(crate) fn finish(outcome: Result<(), Failure>) -> Result<(), Failure> {
    let taken = RECORDING
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    let Some((path, recorder)) = taken else {
        return outcome;
    };
    let cassette = recorder.cassette();
    let saved = cassette.save(&path);
    let note = match &saved {
        Ok(()) => format!(
            "recorded {} API call(s) to {}",
            cassette.exchanges.len(),
            path.display()
        ),
        Err(error) => format!("warning: the recording was not saved: {error}"),
    };
    let _ = crate::write_stderr(&note);
    match (outcome, saved) {
        (Ok(()), Err(error)) => Err(Failure::Output(std::io::Error::other(error.to_string()))),
        (outcome, _) => outcome,
    }
}
