//! `genesys-usage`: query Genesys Cloud API usage from the command line.
//!
//! Parse the flags, print notes on the window, build the client, run the
//! query (spinner on a terminal, Ctrl-C stops cleanly), render the rows. Exit codes are listed in
//! `docs/CLI.md` and in [`failure::code`].

mod args;
mod connect;
mod failure;
mod history;
mod parse;
mod query;
mod record;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::args::{Cli, Format};
use crate::failure::Failure;
use crate::query::run::Progress;
use crate::query::waits::Waits;

fn main() -> ExitCode {
    let cli = parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    // `sync` and `export` run apart: their own clients, stores and output.
    if let Some(code) = history::dispatch(&cli) {
        return code;
    }
    let waits = Waits::default();
    let logging = init_tracing(cli.output.verbose, std::env::var("RUST_LOG").ok(), &waits);
    let notes = query::window::notes(&cli.command, chrono::Utc::now());
    let outcome = write_stderr(&notes.join("\n"))
        .and_then(|()| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        })
        .map_err(Failure::Output)
        .and_then(|runtime| runtime.block_on(run(&cli, logging, waits)));
    // `--record`: saved whatever the outcome (a failed run is the one to report).
    let outcome = record::finish(outcome);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Nothing more can be done if stderr is gone too.
            let _ = io::stderr().lock().write_all(failure.message().as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Writes `text` and a newline to stderr, unless it is empty.
fn write_stderr(text: &str) -> io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    writeln!(io::stderr().lock(), "{text}")
}

/// Parses the command line. Every usage line is the one `--help` shows:
/// on an error clap would otherwise list each option it found, those the
/// environment supplied included (`--auth-client-secret <…>`), as if the
/// user had to type them.
fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut command = Cli::command();
    command.build();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |sub| {
            let usage = help_usage(&mut sub.clone());
            sub.override_usage(usage)
        });
    }
    let usage = help_usage(&mut command.clone());
    let mut command = command.override_usage(usage);
    let matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}

/// The usage line of `--help`, without its `Usage: ` title.
fn help_usage(command: &mut clap::Command) -> String {
    let usage = command.render_usage().to_string();
    usage
        .strip_prefix("Usage: ")
        .unwrap_or(&usage)
        .trim()
        .to_owned()
}

async fn run(cli: &Cli, logging: bool, waits: Waits) -> Result<(), Failure> {
    let client = connect::client(&cli.connection, cli.output.timeout)?;
    // Spinner frames in a log file or a pipe are noise; logs take the line.
    let progress = Progress::new(!logging && io::stderr().is_terminal(), waits);
    let base_url = connect::base_url(&cli.connection);
    let outcome = tokio::select! {
        rows = query::run::execute(&cli.command, &client, &progress, base_url.as_deref()) => rows,
        Ok(()) = tokio::signal::ctrl_c() => Err(Failure::Interrupted(progress.current())),
    };
    progress.finish();
    let rows = outcome?;
    let stdout = io::stdout();
    let format = cli.output.format.unwrap_or(if stdout.is_terminal() {
        Format::Table
    } else {
        Format::Json
    });
    let mut out = io::BufWriter::new(stdout.lock());
    let written = query::render::render(&rows, format, &mut out).and_then(|()| out.flush());
    match written {
        // `genesys-usage … | head` closing the pipe early is not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(Failure::Output),
    }
}

/// Logging to stderr: `-v` (debug), `-vv` (trace), or `RUST_LOG` alone,
/// which also sets the filter when given with `-v`. Returns whether logs
/// are written. The rate-limit watcher of the spinner is installed always.
fn init_tracing(verbose: u8, rust_log: Option<String>, waits: &Waits) -> bool {
    let filter = log_filter(verbose, rust_log);
    let logging = filter.is_some();
    let logs = filter.map(|filter| {
        tracing_subscriber::fmt::layer()
            .with_writer(io::stderr)
            .with_ansi(io::stderr().is_terminal())
            .with_filter(filter)
    });
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(waits.layer())
        .try_init();
    logging
}

/// The log filter: `RUST_LOG` when set (and valid), else the one of `-v`;
/// none without either.
fn log_filter(verbose: u8, rust_log: Option<String>) -> Option<EnvFilter> {
    let from_env = rust_log.filter(|spec| !spec.trim().is_empty());
    if let Some(spec) = from_env {
        match EnvFilter::try_new(&spec) {
            Ok(filter) => return Some(filter),
            Err(e) => {
                let _ = write_stderr(&format!("warning: RUST_LOG={spec:?} is ignored: {e}"));
            }
        }
    }
    match verbose {
        0 => None,
        1 => Some(EnvFilter::new("genesys_usage=debug")),
        _ => Some(EnvFilter::new("genesys_usage=trace,reqwest=debug")),
    }
}

#[cfg(test)]
mod tests {
    use crate::failure::code;

    use super::{log_filter, parse};

    #[test]
    fn usage_lines_do_not_list_the_options_found_as_if_they_were_required() {
        // The environment supplies these the same way: clap counts both as found.
        let error = parse([
            "genesys-usage",
            "--base-url",
            "http://127.0.0.1:1",
            "--auth-client-secret",
            "s",
            "query",
            "--interval",
            "2024-01-01/2024-01-02",
            "--last",
            "7d",
        ])
        .unwrap_err();
        let text = error.render().to_string();
        assert!(
            text.contains("Usage: genesys-usage query [OPTIONS]\n"),
            "{text}"
        );
        assert!(!text.contains("--base-url <"), "{text}");
        assert!(!text.contains("--auth-client-secret <"), "{text}");
        let error = parse(["genesys-usage", "resume", "client-jobs", "abc"]).unwrap_err();
        let text = error.render().to_string();
        assert!(
            text.contains("Usage: genesys-usage resume [OPTIONS] <KIND> <EXECUTION_ID>"),
            "{text}"
        );
    }

    #[test]
    fn rust_log_alone_turns_logging_on_and_wins_over_verbose() {
        assert!(log_filter(0, None).is_none());
        assert!(log_filter(0, Some(String::new())).is_none());
        let alone = log_filter(0, Some("genesys_usage=trace".into())).expect("a filter");
        assert_eq!(alone.to_string(), "genesys_usage=trace");
        let both = log_filter(1, Some("reqwest=info".into())).expect("a filter");
        assert_eq!(both.to_string(), "reqwest=info");
        assert_eq!(
            log_filter(1, None).expect("-v").to_string(),
            "genesys_usage=debug"
        );
    }

    #[test]
    fn exit_codes_are_distinct() {
        let mut codes = [
            code::OTHER,
            code::USAGE,
            code::AUTH,
            code::API,
            code::QUERY_FAILED,
            code::DEADLINE,
            code::NETWORK,
            code::INTERRUPTED,
        ];
        codes.sort_unstable();
        assert!(codes.windows(2).all(|w| w[0] != w[1]));
    }
}
