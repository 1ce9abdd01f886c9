//! [`export`]: a store's daily records as a dataset file (spec §13a), CSV
//! or JSON Lines, one record a line, so an export loads straight back into
//! the fake or the mock server as a dataset.

use std::io::Write;

use serde::Serialize;

use super::store::{RecordQuery, Store, StoreError};
use crate::models::{Granularity, UsageRecord};

/// The two dataset formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExportFormat {
    /// A header line, then one record a line.
    Csv,
    /// One JSON object a line.
    JsonLines,
}

/// The columns, in the order an export writes them; `requests` and
/// `granularity` are the optional fields §13a checks on loading.
const COLUMNS: [&str; 15] = [
    "date",
    "organization_id",
    "oauth_client_id",
    "oauth_client_name",
    "user_id",
    "template_uri",
    "http_method",
    "platform",
    "status200",
    "status300",
    "status400",
    "status429",
    "status500",
    "requests",
    "granularity",
];

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The output could not be written.
    #[error("writing the export: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes the daily records `query` selects, in key order, to `out`;
/// returns how many. Records of another granularity are left out (a
/// dataset holds days only).
///
/// A record the legacy service filled has no platform; a dataset reads an
/// empty platform as `PublicApi`.
///
/// # Errors
/// [`ExportError`] when the store cannot be read or `out` written.
pub async fn export(
    store: &dyn Store,
    query: &RecordQuery,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let records = store.records(query).await?;
    if format == ExportFormat::Csv {
        writeln!(out, "{}", COLUMNS.join(","))?;
    }
    let mut written = 0;
    for r in records.iter().filter(|r| r.granularity == Granularity::Day) {
        match format {
            ExportFormat::Csv => write_csv(r, out)?,
            ExportFormat::JsonLines => {
                serde_json::to_writer(&mut *out, &Line::from(r)).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        written += 1;
    }
    out.flush()?;
    Ok(written)
}

/// One JSON Lines record, in the dataset's field names.
#[derive(Serialize)]
struct Line<'a> {
    date: String,
    organization_id: &'a str,
    oauth_client_id: &'a str,
    oauth_client_name: &'a str,
    user_id: &'a str,
    template_uri: &'a str,
    http_method: &'a str,
    platform: &'a str,
    status200: i64,
    status300: i64,
    status400: i64,
    status429: i64,
    status500: i64,
    requests: i64,
    granularity: &'a str,
}

impl<'a> From<&'a UsageRecord> for Line<'a> {
    fn from(r: &'a UsageRecord) -> Self {
        Self {
            date: r.date.to_string(),
            organization_id: &r.organization_id,
            oauth_client_id: &r.oauth_client_id,
            oauth_client_name: &r.oauth_client_name,
            user_id: &r.user_id,
            template_uri: &r.template_uri,
            http_method: &r.http_method,
            platform: &r.platform,
            status200: r.status200,
            status300: r.status300,
            status400: r.status400,
            status429: r.status429,
            status500: r.status500,
            requests: r.requests(),
            granularity: r.granularity.as_str(),
        }
    }
}

fn write_csv(r: &UsageRecord, out: &mut dyn Write) -> std::io::Result<()> {
    let text = [
        r.date.to_string(),
        r.organization_id.clone(),
        r.oauth_client_id.clone(),
        r.oauth_client_name.clone(),
        r.user_id.clone(),
        r.template_uri.clone(),
        r.http_method.clone(),
        r.platform.clone(),
    ];
    let cells: Vec<String> = text.iter().map(|t| cell(t)).collect();
    writeln!(
        out,
        "{},{},{},{},{},{},{},{}",
        cells.join(","),
        r.status200,
        r.status300,
        r.status400,
        r.status429,
        r.status500,
        r.requests(),
        r.granularity.as_str(),
    )
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_only_when_they_must_be() {
        assert_eq!(cell("api/v2/users"), "api/v2/users");
        assert_eq!(cell("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
