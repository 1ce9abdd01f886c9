//! Failures as a person reads them on stderr, and their exit codes.

use std::fmt::Write as _;
use std::time::Duration;

use genesys_usage::Error;

use crate::args::QueryKind;

/// Documented exit codes (see docs/CLI.md).
pub(crate) mod code {
    /// Bad flags or configuration (clap uses 2 as well).
    pub(crate) const USAGE: u8 = 2;
    /// The login was refused.
    pub(crate) const AUTH: u8 = 3;
    /// The API answered with an error status (4xx, 5xx, 429 after retries).
    pub(crate) const API: u8 = 4;
    /// The query ended Failed or Cancelled.
    pub(crate) const QUERY_FAILED: u8 = 5;
    /// The wait deadline passed; the query can be resumed.
    pub(crate) const DEADLINE: u8 = 6;
    /// No answer from the service (connect error, reset, timeout).
    pub(crate) const NETWORK: u8 = 7;
    /// Anything else.
    pub(crate) const OTHER: u8 = 1;
    /// Stopped by Ctrl-C.
    pub(crate) const INTERRUPTED: u8 = 130;
}

/// How to wait for an execution again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResumeHint {
    /// The subcommand that submitted it.
    pub(crate) kind: QueryKind,
    /// Its execution (or job) id.
    pub(crate) execution_id: String,
    /// The OAuth client id, for the client kinds.
    pub(crate) client_id: Option<String>,
}

impl ResumeHint {
    /// The command line that resumes the wait.
    pub(crate) fn command(&self) -> String {
        let mut command = format!(
            "genesys-usage resume {} {}",
            self.kind.name(),
            self.execution_id
        );
        if let Some(client_id) = &self.client_id {
            let _ = write!(command, " --client-id {client_id}");
        }
        command
    }
}

/// An SDK error and what was being done when it happened.
#[derive(Debug)]
pub(crate) struct SdkFailure {
    /// What was being done, e.g. "submitting the organisation query".
    pub(crate) doing: String,
    /// The error.
    pub(crate) error: Error,
    /// The execution it concerns, once submitted.
    pub(crate) execution: Option<ResumeHint>,
    /// Advice printed after the details, one line each.
    pub(crate) hints: Vec<String>,
    /// The wait cannot go on within `--timeout` (exit 6, as at the deadline).
    pub(crate) past_deadline: bool,
}

/// Why the command did not print rows.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An SDK error (boxed: errors carry bodies and are large).
    Sdk(Box<SdkFailure>),
    /// Flags that clap accepted but that do not fit together.
    Usage(clap::Error),
    /// Ctrl-C.
    Interrupted(Option<ResumeHint>),
    /// Writing the output failed.
    Output(std::io::Error),
}

impl Failure {
    /// An SDK error while doing `doing`.
    pub(crate) fn sdk(doing: impl Into<String>, error: Error) -> Self {
        Self::Sdk(Box::new(SdkFailure {
            doing: doing.into(),
            error,
            execution: None,
            hints: Vec::new(),
            past_deadline: false,
        }))
    }

    /// An SDK error while waiting for `execution`.
    pub(crate) fn waiting(doing: impl Into<String>, error: Error, execution: ResumeHint) -> Self {
        let mut failure = Self::sdk(doing, error);
        if let Self::Sdk(sdk) = &mut failure {
            sdk.execution = Some(execution);
        }
        failure
    }

    /// Marks a rate limit whose `Retry-After` lands past `--timeout`: the
    /// wait ends as at the deadline (exit 6), and the message says until when.
    pub(crate) fn past_deadline(mut self, timeout: Duration) -> Self {
        if let Self::Sdk(sdk) = &mut self {
            sdk.past_deadline = true;
            if let Some(wait) = sdk.error.retry_after() {
                let until =
                    chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                sdk.hints.push(format!(
                    "the service asks to wait {}s for its rate limit (until {} UTC), past the \
                     --timeout of {timeout:?}; the query keeps running: resume it after that",
                    wait.as_secs(),
                    until.format("%H:%M:%S")
                ));
            }
        }
        self
    }

    /// For a submit cut off after it was sent (`not_sent: false`): says that
    /// the query may exist, and how to find it rather than submit it twice.
    pub(crate) fn lost_submit(
        mut self,
        kind: QueryKind,
        client_id: Option<&str>,
        base_url: Option<&str>,
    ) -> Self {
        let Self::Sdk(sdk) = &mut self else {
            return self;
        };
        let lost = matches!(
            sdk.error,
            Error::Transport {
                not_sent: false,
                ..
            }
        );
        if !lost || sdk.execution.is_some() {
            return self;
        }
        sdk.hints.push(
            "the submit reached the service but its answer was lost: the query may exist \
             there, under an execution id this tool never received"
                .to_owned(),
        );
        sdk.hints.push(
            "Genesys Cloud has no API that lists executions; running the command again \
             submits a second query (the first, if it exists, expires unread)"
                .to_owned(),
        );
        if let Some(base) = base_url {
            let resume = ResumeHint {
                kind,
                execution_id: "<execution-id>".to_owned(),
                client_id: client_id.map(str::to_owned),
            };
            sdk.hints.push(format!(
                "on a genesys-usage-mock server, find it with: curl -s {}/__admin/executions \
                 then: {}",
                base.trim_end_matches('/'),
                resume.command()
            ));
        }
        self
    }

    /// The exit code.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Sdk(failure) if failure.past_deadline => code::DEADLINE,
            Self::Sdk(failure) => error_code(&failure.error),
            Self::Usage(_) => code::USAGE,
            Self::Interrupted(_) => code::INTERRUPTED,
            Self::Output(_) => code::OTHER,
        }
    }

    /// The message for stderr: what failed, then the details support asks for.
    pub(crate) fn message(&self) -> String {
        match self {
            Self::Sdk(f) => sdk_message(f),
            Self::Usage(error) => error.render().to_string(),
            Self::Interrupted(Some(hint)) => format!(
                "interrupted; the query keeps running on the service\n  execution id: {}\n  resume with: {}\n",
                hint.execution_id,
                hint.command()
            ),
            Self::Interrupted(None) => {
                "interrupted before the service returned an execution id\n".to_owned()
            }
            Self::Output(error) => format!("error: writing the output failed: {error}\n"),
        }
    }
}

fn error_code(error: &Error) -> u8 {
    match error {
        Error::Unauthorized { .. } => code::AUTH,
        Error::Api { .. } | Error::RateLimited { .. } | Error::Decode { .. } => code::API,
        Error::QueryFailed { .. } => code::QUERY_FAILED,
        Error::WaitTimeout { .. } => code::DEADLINE,
        Error::Transport { .. } => code::NETWORK,
        Error::InvalidRequest { .. } | Error::Config { .. } => code::USAGE,
        _ => code::OTHER,
    }
}

fn sdk_message(failure: &SdkFailure) -> String {
    let (error, execution) = (&failure.error, failure.execution.as_ref());
    let mut text = format!("error: {} failed: {error}\n", failure.doing);
    if let Some(status) = error.status() {
        let _ = writeln!(text, "  http status: {status}");
    }
    if let Some(correlation_id) = error.correlation_id() {
        let _ = writeln!(text, "  correlation id: {correlation_id}");
    }
    let execution_id = error
        .execution_id()
        .or(execution.map(|hint| hint.execution_id.as_str()));
    if let Some(execution_id) = execution_id {
        let _ = writeln!(text, "  execution id: {execution_id}");
    }
    for hint in &failure.hints {
        let _ = writeln!(text, "  {hint}");
    }
    // Only worth resuming when the query may still complete.
    let resumable = matches!(error, Error::WaitTimeout { .. }) || error.is_retryable();
    if let Some(hint) = execution.filter(|_| resumable) {
        let _ = writeln!(text, "  resume with: {}", hint.command());
    }
    text
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use genesys_usage::TransportErrorKind;

    use super::*;

    fn hint() -> ResumeHint {
        ResumeHint {
            kind: QueryKind::ClientJobs,
            execution_id: "job-1".into(),
            client_id: Some("c1".into()),
        }
    }

    #[test]
    fn each_error_kind_has_its_documented_exit_code() {
        let cases = [
            (
                Error::Unauthorized {
                    message: "bad credentials".into(),
                    status: Some(401),
                    body: None,
                    correlation_id: None,
                },
                3,
            ),
            (
                Error::Api {
                    status: 404,
                    body: None,
                    snippet: None,
                    correlation_id: None,
                },
                4,
            ),
            (
                Error::QueryFailed {
                    execution_id: "e".into(),
                    status: "Failed".into(),
                    body: None,
                    correlation_id: None,
                },
                5,
            ),
            (
                Error::WaitTimeout {
                    execution_id: "e".into(),
                    elapsed: Duration::from_secs(1),
                    polls: 2,
                    last_status: None,
                },
                6,
            ),
            (
                Error::Transport {
                    kind: TransportErrorKind::Connect,
                    message: "refused".into(),
                    not_sent: true,
                },
                7,
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(Failure::sdk("x", error).exit_code(), expected);
        }
        assert_eq!(Failure::Interrupted(None).exit_code(), 130);
    }

    #[test]
    fn the_message_names_the_step_status_correlation_and_resume_command() {
        let error = Error::Api {
            status: 503,
            body: None,
            snippet: None,
            correlation_id: Some("corr-9".into()),
        };
        let failure = Failure::waiting("waiting for client jobs query job-1", error, hint());
        let text = failure.message();
        assert!(text.starts_with("error: waiting for client jobs query job-1 failed: api error"));
        assert!(text.contains("  http status: 503\n"));
        assert!(text.contains("  correlation id: corr-9\n"));
        assert!(text.contains("  execution id: job-1\n"));
        assert!(text.contains("genesys-usage resume client-jobs job-1 --client-id c1"));
    }

    #[test]
    fn a_query_that_cannot_complete_shows_its_id_but_no_resume_command() {
        let error = Error::QueryFailed {
            execution_id: "job-1".into(),
            status: "Failed".into(),
            body: None,
            correlation_id: Some("corr-failed".into()),
        };
        let text = Failure::waiting("waiting for client jobs query job-1", error, hint()).message();
        assert!(text.contains("  execution id: job-1\n"));
        assert!(text.contains("  correlation id: corr-failed\n"), "{text}");
        assert!(!text.contains("resume with"));
    }

    #[test]
    fn a_retry_after_past_the_timeout_exits_6_saying_until_when() {
        let error = Error::RateLimited {
            retry_after: Some(Duration::from_secs(60)),
            body: None,
            correlation_id: None,
        };
        let failure = Failure::waiting("waiting for client jobs query job-1", error, hint());
        assert_eq!(failure.exit_code(), 4, "retries spent: an api error");
        let failure = failure.past_deadline(Duration::from_secs(30));
        assert_eq!(failure.exit_code(), 6);
        let text = failure.message();
        assert!(
            text.contains("  the service asks to wait 60s for its rate limit (until "),
            "{text}"
        );
        assert!(text.contains(" UTC), past the --timeout of 30s;"), "{text}");
        assert!(text.contains("resume with: genesys-usage resume client-jobs job-1"));
    }

    #[test]
    fn a_submit_cut_off_after_sending_says_the_query_may_exist_and_how_to_find_it() {
        let reset = || Error::Transport {
            kind: TransportErrorKind::Io,
            message: "connection reset by peer".into(),
            not_sent: false,
        };
        let failure = Failure::sdk("submitting the client jobs query", reset()).lost_submit(
            QueryKind::ClientJobs,
            Some("c1"),
            Some("http://127.0.0.1:9/"),
        );
        assert_eq!(failure.exit_code(), 7);
        let text = failure.message();
        assert!(text.contains("the query may exist there"), "{text}");
        assert!(text.contains("running the command again submits a second query"));
        assert!(
            text.contains(
                "find it with: curl -s http://127.0.0.1:9/__admin/executions then: \
             genesys-usage resume client-jobs <execution-id> --client-id c1"
            ),
            "{text}"
        );
        // Against a region there is no mock to ask.
        let text = Failure::sdk("submitting", reset())
            .lost_submit(QueryKind::Query, None, None)
            .message();
        assert!(
            text.contains("may exist") && !text.contains("__admin"),
            "{text}"
        );
        // A request that never left is not a lost submit.
        let refused = Error::Transport {
            kind: TransportErrorKind::Connect,
            message: "refused".into(),
            not_sent: true,
        };
        let text = Failure::sdk("submitting", refused)
            .lost_submit(QueryKind::Query, None, Some("http://x"))
            .message();
        assert!(!text.contains("may exist"), "{text}");
    }

    #[test]
    fn an_interrupt_prints_the_id_to_resume() {
        let text = Failure::Interrupted(Some(hint())).message();
        assert!(text.contains("execution id: job-1"));
        assert!(text.contains("resume with: genesys-usage resume client-jobs job-1"));
    }
}
