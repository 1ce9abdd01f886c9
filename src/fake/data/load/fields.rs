//! The fields of a dataset record (spec §13a) and their rules, shared by the
//! CSV, JSON Lines and in-code loaders.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde_json::Value;

use crate::fake::data::catalog::Catalog;
use crate::fake::data::dataset::Counts;
use crate::fake::data::load::DatasetError;
use crate::models::HttpMethod;

/// Every field, in the order of the spec's table.
pub(crate) const FIELDS: [&str; 16] = [
    "date",
    "organization_id",
    "oauth_client_id",
    "oauth_client_name",
    "oauth_client_org_id",
    "user_id",
    "template_uri",
    "http_method",
    "platform",
    "status200",
    "status300",
    "status400",
    "status500",
    "status429",
    "requests",
    "granularity",
];

const DATE: usize = 0;
const ORG: usize = 1;
const CLIENT_ID: usize = 2;
const CLIENT_NAME: usize = 3;
const CLIENT_ORG: usize = 4;
const USER: usize = 5;
const TEMPLATE: usize = 6;
const METHOD: usize = 7;
const PLATFORM: usize = 8;
const S200: usize = 9;
const S300: usize = 10;
const S400: usize = 11;
const S500: usize = 12;
const S429: usize = 13;
const REQUESTS: usize = 14;
const GRANULARITY: usize = 15;

/// The fields a record must have.
pub(crate) const REQUIRED: [usize; 9] = [
    DATE, ORG, CLIENT_ID, TEMPLATE, METHOD, S200, S300, S400, S500,
];

/// The platform of a record that names none (spec §13a).
pub(crate) const DEFAULT_PLATFORM: &str = "PublicApi";

/// The largest counter accepted, so that sums over millions of records
/// stay far from overflowing.
pub(crate) const MAX_COUNT: u64 = 1_000_000_000_000;

/// The index of field `name`.
pub(crate) fn index(name: &str) -> Option<usize> {
    FIELDS.iter().position(|f| *f == name)
}

/// One value as a file gives it.
#[derive(Debug, Clone)]
pub(crate) enum Cell<'a> {
    /// A CSV cell (or a field of a record built in code): text.
    Text(Cow<'a, str>),
    /// A JSON value.
    Json(&'a Value),
}

/// One record, checked, with its text still borrowed from the line.
#[derive(Debug, Clone)]
pub(crate) struct Parsed<'a> {
    pub(crate) date: NaiveDate,
    pub(crate) org: Cow<'a, str>,
    pub(crate) client_id: Cow<'a, str>,
    pub(crate) client_name: Option<Cow<'a, str>>,
    pub(crate) client_org: Option<Cow<'a, str>>,
    /// Empty for client-credentials traffic.
    pub(crate) user: Cow<'a, str>,
    pub(crate) template: Cow<'a, str>,
    pub(crate) method: u32,
    pub(crate) platform: Cow<'a, str>,
    pub(crate) counts: Counts,
}

/// Where a record is: the file and the line, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: u64,
}

impl At<'_> {
    pub(crate) fn err(&self, field: Option<&str>, rule: impl Into<String>) -> DatasetError {
        DatasetError::new(self.file, Some(self.line), field, rule)
    }

    fn field(&self, field: usize, rule: impl Into<String>) -> DatasetError {
        self.err(Some(FIELDS[field]), rule)
    }
}

/// Checks one record whose cells are indexed like [`FIELDS`] (`None`:
/// absent or empty). A missing required field is named.
pub(crate) fn parse<'a>(
    cells: &[Option<Cell<'a>>; 16],
    at: At<'_>,
) -> Result<Parsed<'a>, DatasetError> {
    let required = |i: usize| -> Result<Cow<'a, str>, DatasetError> {
        text(cells[i].as_ref(), i, at)?
            .ok_or_else(|| at.field(i, "is required and must not be empty"))
    };
    let date_text = required(DATE)?;
    let date = day(&date_text).ok_or_else(|| {
        at.field(
            DATE,
            format!("must be a UTC day written YYYY-MM-DD, got {date_text:?}"),
        )
    })?;
    let template = required(TEMPLATE)?;
    if template.starts_with('/') {
        return Err(at.field(
            TEMPLATE,
            format!(
                "must not start with a slash (the service writes {:?})",
                template.trim_start_matches('/')
            ),
        ));
    }
    let method_text = required(METHOD)?;
    let method = method(&method_text).ok_or_else(|| {
        at.field(
            METHOD,
            format!("must be one of GET, POST, PUT, PATCH, DELETE, HEAD, got {method_text:?}"),
        )
    })?;
    let counts = counts(cells, at)?;
    if let Some(g) = text(cells[GRANULARITY].as_ref(), GRANULARITY, at)? {
        if g != "Day" {
            return Err(at.field(
                GRANULARITY,
                format!("must be Day (records are daily), got {g:?}"),
            ));
        }
    }
    Ok(Parsed {
        date,
        org: required(ORG)?,
        client_id: required(CLIENT_ID)?,
        client_name: text(cells[CLIENT_NAME].as_ref(), CLIENT_NAME, at)?,
        client_org: text(cells[CLIENT_ORG].as_ref(), CLIENT_ORG, at)?,
        user: text(cells[USER].as_ref(), USER, at)?.unwrap_or(Cow::Borrowed("")),
        template,
        method,
        platform: text(cells[PLATFORM].as_ref(), PLATFORM, at)?
            .unwrap_or(Cow::Borrowed(DEFAULT_PLATFORM)),
        counts,
    })
}

/// The counters, with the rules between them.
fn counts(cells: &[Option<Cell<'_>>; 16], at: At<'_>) -> Result<Counts, DatasetError> {
    let required = |i: usize| -> Result<i64, DatasetError> {
        count(cells[i].as_ref(), i, at)?
            .ok_or_else(|| at.field(i, "is required and must not be empty"))
    };
    let c = Counts {
        s200: required(S200)?,
        s300: required(S300)?,
        s400: required(S400)?,
        s500: required(S500)?,
        s429: count(cells[S429].as_ref(), S429, at)?.unwrap_or(0),
    };
    if c.s429 > c.s400 {
        return Err(at.field(
            S429,
            format!(
                "must be at most status400 (429s are part of the 4xx), got {} > {}",
                c.s429, c.s400
            ),
        ));
    }
    if let Some(requests) = count(cells[REQUESTS].as_ref(), REQUESTS, at)? {
        if requests != c.requests() {
            return Err(at.field(
                REQUESTS,
                format!(
                    "must equal status200 + status300 + status400 + status500 = {}, got {requests}",
                    c.requests()
                ),
            ));
        }
    }
    Ok(c)
}

/// A text field: `None` when absent, empty or JSON `null`.
fn text<'a>(
    cell: Option<&Cell<'a>>,
    field: usize,
    at: At<'_>,
) -> Result<Option<Cow<'a, str>>, DatasetError> {
    let value = match cell {
        None => return Ok(None),
        Some(Cell::Text(t)) => t.clone(),
        Some(Cell::Json(Value::Null)) => return Ok(None),
        Some(Cell::Json(Value::String(s))) => Cow::Borrowed(s.as_str()),
        Some(Cell::Json(other)) => {
            return Err(at.field(field, format!("must be a string, got {other}")));
        }
    };
    Ok((!value.is_empty()).then_some(value))
}

/// A counter: a whole number from 0 to [`MAX_COUNT`]; `None` when absent.
fn count(cell: Option<&Cell<'_>>, field: usize, at: At<'_>) -> Result<Option<i64>, DatasetError> {
    let rule = |got: &dyn std::fmt::Display| {
        at.field(
            field,
            format!("must be a whole number from 0 to {MAX_COUNT}, got {got}"),
        )
    };
    let n = match cell {
        None | Some(Cell::Json(Value::Null)) => return Ok(None),
        Some(Cell::Text(t)) if t.is_empty() => return Ok(None),
        Some(Cell::Text(t)) => {
            let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
            match t.parse::<u64>() {
                Ok(n) if digits => n,
                _ => return Err(rule(&format!("{t:?}"))),
            }
        }
        Some(Cell::Json(Value::Number(n))) => match n.as_u64() {
            Some(n) => n,
            None => return Err(rule(n)),
        },
        Some(Cell::Json(other)) => return Err(rule(other)),
    };
    if n > MAX_COUNT {
        return Err(rule(&n));
    }
    Ok(Some(n as i64))
}

/// `YYYY-MM-DD`, exactly (no single-digit months or days, no time).
fn day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

/// One of the six methods, spelt exactly.
fn method(text: &str) -> Option<u32> {
    let m = HttpMethod::from_wire(text);
    (m.as_str() == text)
        .then(|| Catalog::method_index(&m))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_exact_days() {
        assert!(day("2025-06-01").is_some());
        for bad in [
            "2025-6-1",
            "2025-02-30",
            "2025-06-01T00:00:00Z",
            "01/06/2025",
            "",
        ] {
            assert!(day(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn methods_are_the_six_spelt_exactly() {
        assert!(method("GET").is_some());
        assert!(method("HEAD").is_some());
        for bad in ["get", "OPTIONS", "TRACE", "CONNECT", "FETCH", ""] {
            assert!(method(bad).is_none(), "{bad}");
        }
    }
}
