//! `sync` and `export`: the store of complete days (library:
//! `genesys_usage::sync`). They run apart from the query subcommands:
//! `sync` builds one client per organisation, `export` none.

pub(crate) mod args;
mod export_cmd;
mod progress;
mod sync_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::args::{Cli, Command};

/// Exit codes of `sync` and `export` besides 0, 2 (usage) and 130 (Ctrl-C);
/// see docs/CLI.md.
pub(crate) mod code {
    /// At least one organisation failed; the others are synced.
    pub(crate) const SOME_FAILED: u8 = 8;
    /// The store could not be opened, read or written.
    pub(crate) const STORE: u8 = 9;
}

/// Runs `sync` or `export`; `None` for the other subcommands.
pub(crate) fn dispatch(cli: &Cli) -> Option<ExitCode> {
    if matches!(cli.command, Command::Sync(_) | Command::Export(_))
        && cli.connection.record.is_some()
    {
        // A sync runs one client per organisation; a cassette holds one.
        eprintln_safe("error: --record is for the query subcommands, not sync or export");
        return Some(ExitCode::from(crate::failure::code::USAGE));
    }
    let code = match &cli.command {
        Command::Sync(args) => runtime().map(|rt| rt.block_on(sync_cmd::run(cli, args))),
        Command::Export(args) => runtime().map(|rt| rt.block_on(export_cmd::run(cli, args))),
        _ => return None,
    };
    Some(ExitCode::from(code.unwrap_or_else(|e| {
        eprintln_safe(&format!("error: cannot start the runtime: {e}"));
        1
    })))
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    // Organisations are synced side by side; two workers keep a commit of
    // one from holding up the fetches of the others.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// The store when neither `--store` nor the config names one:
/// `$XDG_DATA_HOME/genesys-usage/usage.db`, else
/// `~/.local/share/genesys-usage/usage.db`, else `./genesys-usage.db`.
pub(crate) fn default_store() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".local/share"))
        });
    match data {
        Some(dir) => dir.join("genesys-usage").join("usage.db"),
        None => PathBuf::from("genesys-usage.db"),
    }
}

/// Writes a line to stderr; nothing more can be done if stderr is gone.
pub(crate) fn eprintln_safe(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
