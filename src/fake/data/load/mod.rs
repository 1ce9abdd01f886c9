//! Loading a [`Dataset`] from a file, a reader or records built in code
//! (spec §13a), refused whole with a [`DatasetError`] naming the file, the
//! line, the field and the rule.
//!
//! - `lines.rs`: bounded UTF-8 lines, CSV cells;
//! - `csv.rs`, `jsonl.rs`, `records.rs`: each source → cells per field;
//! - `fields.rs`: the fields and their rules;
//! - `build.rs`: checked records → catalog and day-grouped records.

mod build;
mod csv;
mod fields;
mod jsonl;
mod lines;
mod records;

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::fake::data::dataset::Dataset;
use crate::models::UsageRecord;

pub(crate) use lines::MAX_LINE_BYTES;

/// Why a dataset was refused: the file, the line (from 1), the field and
/// the rule it broke. Nothing of a refused dataset is served.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatasetError {
    /// The file name (as given), or `<records>` for records built in code.
    pub file: String,
    /// The line, from 1 (for records built in code: the record's position,
    /// from 1); `None` when the whole file is concerned (it cannot be read).
    pub line: Option<u64>,
    /// The field concerned, e.g. `status429`; `None` for a line that is not
    /// a record at all.
    pub field: Option<String>,
    /// The rule, e.g. `must be at most status400 …`.
    pub rule: String,
}

impl DatasetError {
    pub(crate) fn new(
        file: &str,
        line: Option<u64>,
        field: Option<&str>,
        rule: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_owned(),
            line,
            field: field.map(str::to_owned),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dataset {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.rule)
    }
}

impl std::error::Error for DatasetError {}

/// The two file formats of spec §13a.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatasetFormat {
    /// A header line naming the fields in any order, then one record a line.
    Csv,
    /// One JSON object a line.
    JsonLines,
}

impl DatasetFormat {
    /// The format a file name says: `.csv`, or `.jsonl` / `.ndjson`.
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" => Some(Self::JsonLines),
            _ => None,
        }
    }

    /// The format a `Content-Type` names: `text/csv`, or
    /// `application/x-ndjson` / `application/jsonl` / `application/x-jsonlines`
    /// / `application/json-lines` (parameters such as `charset` ignored).
    #[must_use]
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" | "application/csv" => Some(Self::Csv),
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonl"
            | "application/jsonlines"
            | "application/x-jsonlines"
            | "application/json-lines" => Some(Self::JsonLines),
            _ => None,
        }
    }
}

impl Dataset {
    /// Loads a dataset file (spec §13a). The format is the extension's
    /// (`.csv`, `.jsonl`, `.ndjson`); with another extension, a file whose
    /// first non-blank character is `{` is JSON Lines, any other CSV.
    ///
    /// # Errors
    /// A [`DatasetError`] naming the file, line, field and rule; the file
    /// cannot be opened or read; nothing of a bad file is kept.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, DatasetError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| DatasetError::new(&name, None, None, format!("cannot open it: {e}")))?;
        let mut reader = BufReader::with_capacity(256 * 1024, file);
        let format = match DatasetFormat::from_path(path) {
            Some(format) => format,
            None => sniff(&mut reader).map_err(|e| {
                DatasetError::new(&name, None, None, format!("cannot read it: {e}"))
            })?,
        };
        Self::from_buf_reader(&name, format, reader)
    }

    /// Loads a dataset in `format` from `reader`; `name` names it in errors.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path).
    pub fn from_reader(
        name: &str,
        format: DatasetFormat,
        reader: impl Read,
    ) -> Result<Self, DatasetError> {
        Self::from_buf_reader(name, format, BufReader::with_capacity(256 * 1024, reader))
    }

    fn from_buf_reader(
        name: &str,
        format: DatasetFormat,
        reader: impl BufRead,
    ) -> Result<Self, DatasetError> {
        match format {
            DatasetFormat::Csv => csv::load(name, reader),
            DatasetFormat::JsonLines => jsonl::load(name, reader),
        }
    }

    /// A dataset of records built in code, under the rules of the files
    /// (every record daily: `granularity` [`Day`](crate::models::Granularity::Day);
    /// an empty `oauth_client_name` defaults to the id, an empty `platform`
    /// to `PublicApi`). Errors name `<records>` and the record's position
    /// from 1 as the line.
    ///
    /// # Errors
    /// A [`DatasetError`] for the first record that breaks a rule, or none at all.
    pub fn from_records(
        records: impl IntoIterator<Item = UsageRecord>,
    ) -> Result<Self, DatasetError> {
        records::load(records)
    }
}

/// JSON Lines when the first non-blank byte is `{`, else CSV.
fn sniff(reader: &mut impl BufRead) -> std::io::Result<DatasetFormat> {
    let buf = reader.fill_buf()?;
    let buf = buf.strip_prefix(b"\xef\xbb\xbf").unwrap_or(buf);
    let first = buf.iter().find(|b| !b.is_ascii_whitespace());
    Ok(match first {
        Some(b'{') => DatasetFormat::JsonLines,
        _ => DatasetFormat::Csv,
    })
}

/// The error of a line that could not be read.
fn line_error(name: &str, line: u64, e: lines::LineError) -> DatasetError {
    let rule = match e {
        lines::LineError::TooLong => {
            format!("the line is longer than {MAX_LINE_BYTES} bytes")
        }
        lines::LineError::Utf8 { byte } => format!("invalid UTF-8 at byte {byte} of the line"),
        lines::LineError::Io(e) => format!("cannot read it: {e}"),
    };
    DatasetError::new(name, Some(line), None, rule)
}
