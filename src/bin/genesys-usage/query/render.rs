//! Rendering rows as a table (people), CSV (spreadsheets) or JSON lines
//! (programs).

use std::io::{self, Write};

use genesys_usage::{ApiUsageRow, ClientPublicApiUsage, OrganizationPublicApiUsage};

use crate::args::Format;
use crate::query::columns::{Column, Row, Value};

/// The rows of a finished query, by family.
#[derive(Debug)]
pub(crate) enum Rows {
    /// Legacy rows (query, search, client-query, client-summary).
    Legacy(Vec<ApiUsageRow>),
    /// Organisation jobs rows.
    Organization(Vec<OrganizationPublicApiUsage>),
    /// Client jobs rows.
    Client(Vec<ClientPublicApiUsage>),
}

impl Rows {
    /// How many rows.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Legacy(rows) => rows.len(),
            Self::Organization(rows) => rows.len(),
            Self::Client(rows) => rows.len(),
        }
    }
}

/// Writes `rows` to `out` in `format`.
pub(crate) fn render(rows: &Rows, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match rows {
        Rows::Legacy(rows) => render_rows(rows, format, out),
        Rows::Organization(rows) => render_rows(rows, format, out),
        Rows::Client(rows) => render_rows(rows, format, out),
    }
}

fn render_rows<R: Row>(rows: &[R], format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table(rows, out),
        Format::Csv => csv(rows, out),
        Format::Json => json_lines(rows, out),
    }
}

/// One JSON object per line: the row exactly as the API spelt it.
fn json_lines<R: Row>(rows: &[R], out: &mut dyn Write) -> io::Result<()> {
    for row in rows {
        serde_json::to_writer(&mut *out, row)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A header of wire names, then every column of every row, so the shape of
/// the file does not depend on the data.
fn csv<R: Row>(rows: &[R], out: &mut dyn Write) -> io::Result<()> {
    let columns = R::columns();
    let header: Vec<String> = columns.iter().map(|c| csv_field(c.key)).collect();
    writeln!(out, "{}", header.join(","))?;
    for row in rows {
        let cells: Vec<String> = columns.iter().map(|c| csv_field(&c.cell(row))).collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    Ok(())
}

/// RFC 4180 quoting: only when the field needs it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Aligned columns (only those with a value in some row), counters right
/// aligned, a totals line and the row count.
fn table<R: Row>(rows: &[R], out: &mut dyn Write) -> io::Result<()> {
    let columns = visible_columns(rows);
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 2);
    lines.push(columns.iter().map(|c| c.title.to_owned()).collect());
    for row in rows {
        lines.push(columns.iter().map(|c| table_cell(c, row)).collect());
    }
    let has_label = matches!(columns.first().map(|c| &c.value), Some(Value::Text(_)));
    if has_label && rows.len() > 1 {
        lines.push(totals(&columns, rows));
    }
    write_aligned(&columns, &lines, out)?;
    writeln!(out, "rows: {}", rows.len())
}

/// The columns with a value in some row (ungrouped dimensions and
/// unrequested counters are left out); the counters when there are no rows.
fn visible_columns<R: Row>(rows: &[R]) -> Vec<Column<R>> {
    R::columns()
        .into_iter()
        .filter(|c| {
            if rows.is_empty() {
                matches!(c.value, Value::Count(_))
            } else {
                rows.iter().any(|row| c.is_set(row))
            }
        })
        .collect()
}

/// Pads every cell to its column's width: text left, counters right.
fn write_aligned<R>(
    columns: &[Column<R>],
    lines: &[Vec<String>],
    out: &mut dyn Write,
) -> io::Result<()> {
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .zip(columns)
            .zip(&widths)
            .map(|((cell, column), &width)| match column.value {
                Value::Text(_) => format!("{cell:<width$}"),
                Value::Count(_) => format!("{cell:>width$}"),
            })
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

/// A cell as people read it: midnight date-times shown as dates.
fn table_cell<R>(column: &Column<R>, row: &R) -> String {
    let text = column.cell(row);
    if column.key == "date" {
        for midnight in ["T00:00:00Z", "T00:00:00.000Z"] {
            if let Some(date) = text.strip_suffix(midnight) {
                return date.to_owned();
            }
        }
    }
    text
}

/// The totals line: `TOTAL` under the first dimension, sums under counters.
fn totals<R>(columns: &[Column<R>], rows: &[R]) -> Vec<String> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| match &column.value {
            Value::Text(_) if i == 0 => "TOTAL".to_owned(),
            Value::Text(_) => String::new(),
            Value::Count(read) => rows
                .iter()
                .filter_map(read)
                .fold(0_i64, i64::saturating_add)
                .to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use genesys_usage::{DomainEntityRef, HttpMethod};

    use super::*;

    fn legacy_row(client: &str, date: &str, requests: i64) -> ApiUsageRow {
        ApiUsageRow {
            client_id: Some(format!("id-{client}")),
            client_name: Some(client.to_owned()),
            organization_id: Some(String::new()),
            user_id: Some(String::new()),
            template_uri: Some(String::new()),
            http_method: Some(String::new()),
            status200: Some(requests - 1),
            status300: Some(0),
            status400: Some(1),
            status500: Some(0),
            status429: Some(1),
            requests: Some(requests),
            date: Some(date.to_owned()),
        }
    }

    fn rendered(rows: &Rows, format: Format) -> String {
        let mut out = Vec::new();
        render(rows, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn two_legacy_rows() -> Rows {
        Rows::Legacy(vec![
            legacy_row("Client Creds", "2024-01-02T00:00:00Z", 14),
            legacy_row("Prince, \"Implicit\"", "2024-01-03T00:00:00Z", 57),
        ])
    }

    #[test]
    fn the_table_shows_only_columns_with_values_under_capital_headers() {
        let text = rendered(&two_legacy_rows(), Format::Table);
        let header = text.lines().next().unwrap();
        let titles: Vec<&str> = header.split("  ").filter(|t| !t.is_empty()).collect();
        let titles: Vec<&str> = titles.iter().map(|t| t.trim()).collect();
        assert_eq!(
            titles,
            [
                "DATE",
                "CLIENT",
                "CLIENT ID",
                "REQUESTS",
                "2XX",
                "3XX",
                "4XX",
                "429",
                "5XX"
            ]
        );
        assert!(
            !header.contains("TEMPLATE"),
            "ungrouped dimensions are hidden"
        );
    }

    #[test]
    fn the_table_aligns_numbers_right_and_adds_totals_and_a_count() {
        let text = rendered(&two_legacy_rows(), Format::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5, "header, two rows, totals, count:\n{text}");
        assert!(lines[1].starts_with("2024-01-02  Client Creds"));
        let requests_end = lines[0].find("REQUESTS").unwrap() + "REQUESTS".len();
        assert_eq!(&lines[1][requests_end - 2..requests_end], "14");
        assert_eq!(&lines[3][requests_end - 2..requests_end], "71");
        assert!(lines[3].starts_with("TOTAL"));
        assert_eq!(lines[4], "rows: 2");
    }

    #[test]
    fn an_empty_table_still_has_a_header_and_a_count() {
        let text = rendered(&Rows::Legacy(Vec::new()), Format::Table);
        assert!(text.starts_with("REQUESTS"));
        assert!(text.ends_with("rows: 0\n"));
    }

    #[test]
    fn csv_has_a_wire_name_header_and_quotes_when_needed() {
        let text = rendered(&two_legacy_rows(), Format::Csv);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("date,clientName,clientId,organizationId"));
        assert!(lines[2].contains(r#""Prince, ""Implicit""""#));
        let columns = lines[0].split(',').count();
        assert_eq!(lines[1].split(',').count(), columns);
    }

    #[test]
    fn json_lines_are_one_parseable_object_per_row_in_wire_names() {
        let text = rendered(&two_legacy_rows(), Format::Json);
        let values: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(values.len(), 2);
        assert_eq!(values[1]["requests"], 57);
        assert_eq!(values[0]["clientName"], "Client Creds");
    }

    #[test]
    fn jobs_rows_show_the_nested_client_and_the_method() {
        let row = OrganizationPublicApiUsage {
            date: Some("2025-06-02".into()),
            http_method: Some(HttpMethod::Get),
            request_count: Some(120),
            oauth_client: Some(DomainEntityRef {
                id: Some("c1".into()),
                name: Some("Client Creds".into()),
                self_uri: None,
            }),
            ..OrganizationPublicApiUsage::default()
        };
        let rows = Rows::Organization(vec![row]);
        let table = rendered(&rows, Format::Table);
        assert!(table.starts_with("DATE        CLIENT        CLIENT ID  METHOD  REQUESTS"));
        let csv = rendered(&rows, Format::Csv);
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .starts_with("2025-06-02,Client Creds,c1,,,,GET,120")
        );
    }

    #[test]
    fn client_jobs_rows_render_in_every_format() {
        let rows = Rows::Client(vec![ClientPublicApiUsage {
            organization_id: Some("o1".into()),
            request_count: Some(3),
            ..ClientPublicApiUsage::default()
        }]);
        assert_eq!(rows.len(), 1);
        assert!(rendered(&rows, Format::Table).starts_with("ORGANIZATION  REQUESTS"));
        assert!(rendered(&rows, Format::Csv).starts_with("date,organizationId"));
        assert_eq!(
            rendered(&rows, Format::Json),
            "{\"requestCount\":3,\"organizationId\":\"o1\"}\n"
        );
    }
}
