//! `genesys-usage-mock cassette-to-dataset CASSETTE OUT`: the complete daily
//! results of a recording as a dataset file (spec §13a), which
//! `--dataset OUT` then serves for any query, recorded or not.

use std::path::Path;

use genesys_usage::cassette::Cassette;
use genesys_usage::fake::{Dataset, DatasetFormat};

use crate::exit_code;
use crate::settings::command::CassetteToDatasetArgs;

/// Writes the dataset; the line to print, or the exit code and why not.
///
/// # Errors
/// [`exit_code::BAD_CONFIG`] for a cassette that cannot be read, an `OUT`
/// whose extension names no dataset format, or a cassette without
/// complete daily results; [`exit_code::SERVER_ERROR`] when the file
/// cannot be written.
pub fn cassette_to_dataset(args: &CassetteToDatasetArgs) -> Result<String, (i32, String)> {
    let bad = |message: String| (exit_code::BAD_CONFIG, message);
    let cassette = Cassette::load(&args.cassette).map_err(|e| bad(e.to_string()))?;
    let format = DatasetFormat::from_path(&args.out).ok_or_else(|| {
        bad(format!(
            "{}: name the dataset .csv, .jsonl or .ndjson",
            args.out.display()
        ))
    })?;
    let usage = cassette.usage_records(&args.organization_id);
    let left_out = if usage.skipped.is_empty() {
        String::new()
    } else {
        format!("; left out: {}", usage.skipped.join("; "))
    };
    if usage.records.is_empty() {
        return Err(bad(format!(
            "{}: no complete daily results (a query with granularity Day, grouped by the \
             client, template and method){left_out}",
            args.cassette.display()
        )));
    }
    let mut bytes = Vec::new();
    let written = match format {
        DatasetFormat::Csv => usage.write_csv(&mut bytes),
        _ => usage.write_jsonl(&mut bytes),
    };
    let io = |e: std::io::Error| {
        (
            exit_code::SERVER_ERROR,
            format!("{}: {e}", args.out.display()),
        )
    };
    written.map_err(io)?;
    write_whole(&args.out, &bytes).map_err(io)?;
    // What the loader says is the proof: a file it refuses is not left behind.
    let loaded = Dataset::from_path(&args.out).map_err(|e| {
        let _ = std::fs::remove_file(&args.out);
        (
            exit_code::SERVER_ERROR,
            format!("the written dataset does not load: {e}"),
        )
    })?;
    let summary = loaded.summary();
    Ok(format!(
        "wrote {} records ({} days) to {}{left_out}",
        usage.records.len(),
        summary.days.unwrap_or(0),
        args.out.display()
    ))
}

/// Writes beside `path`, then renames: a reader never sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".tmp-{}", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
