//! `genesys-usage`: query Genesys Cloud API usage from the command line.
//!
//! Parse the flags, build the client, run the query (spinner on a terminal,
//! Ctrl-C stops cleanly), render the rows. Exit codes are listed in
//! `docs/CLI.md` and in [`failure::code`].

mod args;
mod connect;
mod failure;
mod parse;
mod query;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Format};
use crate::failure::Failure;
use crate::query::run::Progress;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.output.verbose);
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Failure::Output)
        .and_then(|runtime| runtime.block_on(run(&cli)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Nothing more can be done if stderr is gone too.
            let _ = io::stderr().lock().write_all(failure.message().as_bytes());
            ExitCode::from(failure.exit_code())
        }
    }
}

async fn run(cli: &Cli) -> Result<(), Failure> {
    let client = connect::client(&cli.connection, cli.output.timeout)?;
    // Spinner frames in a log file or a pipe are noise; -v logs take the line.
    let progress = Progress::new(cli.output.verbose == 0 && io::stderr().is_terminal());
    let outcome = tokio::select! {
        rows = query::run::execute(&cli.command, &client, &progress) => rows,
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

/// `-v` logs the SDK's debug events to stderr, `-vv` trace; `RUST_LOG`
/// overrides the filter.
fn init_tracing(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let default = match verbose {
        1 => "genesys_usage=debug",
        _ => "genesys_usage=trace,reqwest=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use crate::failure::code;

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
