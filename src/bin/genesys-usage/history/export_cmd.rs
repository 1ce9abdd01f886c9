//! `genesys-usage export`: a store's records as a spec §13a dataset file
//! (`--format csv` or `jsonl`), to stdout or `--output`.

use std::io::Write;

use genesys_usage::sync::{self, ExportFormat, RecordQuery};

use super::args::ExportArgs;
use super::{code, default_store, eprintln_safe};
use crate::args::{Cli, Format};
use crate::failure::code as cli_code;

/// Runs the export; the exit code.
pub(crate) async fn run(cli: &Cli, args: &ExportArgs) -> u8 {
    let format = match cli.output.format {
        Some(Format::Csv) => ExportFormat::Csv,
        Some(Format::Json) => ExportFormat::JsonLines,
        _ => {
            eprintln_safe("error: export needs --format csv or --format jsonl");
            return cli_code::USAGE;
        }
    };
    let location = args
        .store
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", default_store().display()));
    let store = match sync::open_store(&location).await {
        Ok(store) => store,
        Err(e) => {
            eprintln_safe(&format!("error: {e}"));
            return code::STORE;
        }
    };
    let mut query = RecordQuery::all().days(Some(args.since), args.until);
    if let Some(org) = &args.org {
        query = query.organization(org.clone());
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Box::new(std::io::BufWriter::new(file)),
            Err(e) => {
                eprintln_safe(&format!("error: cannot create {}: {e}", path.display()));
                return cli_code::OTHER;
            }
        },
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    match sync::export(&*store, &query, format, &mut out).await {
        Ok(n) => {
            if args.output.is_some() {
                eprintln_safe(&format!("exported {n} record(s)"));
            }
            0
        }
        Err(sync::ExportError::Store(e)) => {
            eprintln_safe(&format!("error: {e}"));
            code::STORE
        }
        Err(sync::ExportError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln_safe(&format!("error: {e}"));
            cli_code::OTHER
        } // ExportError is non-exhaustive.
    }
}
