//! `genesys-usage report`: read a store, compute one report, print it as
//! tables (colour only on a terminal) or JSON, and optionally write the
//! HTML page. It never connects to Genesys Cloud, so it runs apart from
//! the query subcommands (no client, no credentials).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Days, NaiveDate, Utc};
use clap::Args;
use genesys_usage::report::{Report, ReportOptions};
use genesys_usage::sync::open_store;

use crate::args::Format;
use crate::failure::code;
use crate::history::{self, default_store};

/// Days of the default range: the last 30 complete days.
const DEFAULT_DAYS: u64 = 30;

/// `report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The store to read: sqlite:PATH or postgres://user[:password]@host[:port]/db
    /// [default: the one sync writes by default; env: GENESYS_USAGE_STORE].
    #[arg(long, env = "GENESYS_USAGE_STORE", hide_env = true)]
    pub(crate) store: Option<String>,
    /// First UTC day, YYYY-MM-DD [default: 29 days before --until].
    #[arg(long, value_parser = day)]
    pub(crate) since: Option<NaiveDate>,
    /// Last UTC day, inclusive, YYYY-MM-DD [default: yesterday, the last complete day].
    #[arg(long, value_parser = day)]
    pub(crate) until: Option<NaiveDate>,
    /// Only this organisation (its id, as the store keeps it) [default: all].
    #[arg(long)]
    pub(crate) org: Option<String>,
    /// Lines per ranking (top clients, top endpoints, …).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub(crate) top: u16,
    /// Also write the report as one self-contained HTML page to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
}

fn day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| format!("{text:?} is not a YYYY-MM-DD day: {e}"))
}

/// Runs `report` to its exit code; failures are written to stderr.
/// `record` says whether the global `--record` was given: `report` makes no
/// API call, so a cassette would stay empty, and it is refused instead.
pub(crate) fn main(args: &ReportArgs, format: Option<Format>, record: bool) -> ExitCode {
    let outcome = if record {
        Err((
            code::USAGE,
            "report reads a store and makes no API call: --record has nothing to record".into(),
        ))
    } else {
        run(args, format)
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err((exit, message)) => {
            let _ = writeln!(io::stderr().lock(), "error: {message}");
            ExitCode::from(exit)
        }
    }
}

type Failed = (u8, String);

fn run(args: &ReportArgs, format: Option<Format>) -> Result<(), Failed> {
    let json = match format {
        None | Some(Format::Table) => false,
        Some(Format::Json) => true,
        Some(Format::Csv) => {
            return Err((code::USAGE, "report prints --format table or json".into()));
        }
    };
    let options = options(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| (code::OTHER, format!("cannot start the runtime: {e}")))?;
    let location = match &args.store {
        Some(location) => location.clone(),
        None => {
            // Reading must not leave an empty store behind where sync would write.
            let path = default_store();
            if !path.exists() {
                return Err((
                    history::code::STORE,
                    format!(
                        "no store at {} (the default): run genesys-usage sync first, or name one with --store",
                        path.display()
                    ),
                ));
            }
            format!("sqlite:{}", path.display())
        }
    };
    let report = runtime.block_on(async {
        let store = open_store(&location).await?;
        Report::from_store(store.as_ref(), &options).await
    });
    // Store errors name the store without its password.
    let report = report.map_err(|e| (history::code::STORE, e.to_string()))?;
    if let Some(path) = &args.html {
        std::fs::write(path, report.to_html())
            .map_err(|e| (code::OTHER, format!("cannot write {}: {e}", path.display())))?;
    }
    let stdout = io::stdout();
    let text = if json {
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        text
    } else {
        report.to_terminal(stdout.is_terminal() && colour_allowed())
    };
    match stdout.lock().write_all(text.as_bytes()) {
        // `genesys-usage report | head` closing the pipe early is not a failure.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err((code::OTHER, format!("writing the output failed: {e}")))
        }
        _ => Ok(()),
    }
}

/// `NO_COLOR` (any non-empty value) turns colours off even on a terminal.
fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn options(args: &ReportArgs) -> Result<ReportOptions, Failed> {
    let yesterday = Utc::now().date_naive() - Days::new(1);
    let until = args.until.unwrap_or(yesterday);
    let since = args
        .since
        .unwrap_or_else(|| until - Days::new(DEFAULT_DAYS - 1));
    if since > until {
        return Err((
            code::USAGE,
            format!("--since {since} is after --until {until}"),
        ));
    }
    let mut options = ReportOptions::days(since, until).top(usize::from(args.top));
    if let Some(org) = &args.org {
        options = options.organization(org.clone());
    }
    Ok(options)
}
