//! From recording to data: the complete daily results a cassette holds, as
//! the [`UsageRecord`]s of a dataset file (spec §13a), so recorded data also
//! answers queries that were never recorded.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use chrono::NaiveDate;
use serde_json::Value;

use crate::cassette::format::{Cassette, Exchange};
use crate::fake::Operation;
use crate::models::{
    ApiUsageRow, ClientPublicApiUsage, Granularity, OrganizationPublicApiUsage, UsageRecord,
};

/// The HTTP methods a dataset accepts (spec §13a).
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
/// The counters a record needs: without one, the row's totals are partial.
const COUNTERS: &[&str] = &["status200", "status300", "status400", "status500"];
/// The CSV columns, in the order [`RecordedUsage::write_csv`] writes them.
const COLUMNS: &[&str] = &[
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
];

/// What [`Cassette::usage_records`] found: the records, and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedUsage {
    /// Daily records: for each day, those of the one recorded execution
    /// with the most records for it, so two recorded queries over the same
    /// day are not counted twice.
    pub records: Vec<UsageRecord>,
    /// What was left out and why, one line per reason with a count
    /// (`3 × rows of exchanges[7]: no http method (not grouped by HttpMethod)`).
    pub skipped: Vec<String>,
}

/// What a results GET needs to know of its submit.
struct Submit {
    granularity: Option<String>,
    client_id: Option<String>,
}

impl Cassette {
    /// The complete daily results of the cassette as dataset records.
    ///
    /// Read: the results of executions that completed (`Complete`,
    /// `Succeeded`), each page once, of queries with `granularity: Day`,
    /// from rows that name the OAuth client, the endpoint template and the
    /// HTTP method and carry the four status counters. The rest is left
    /// out and said so in [`RecordedUsage::skipped`]: a dataset record is
    /// one day of one client's calls to one template with one method, and a
    /// weekly total or a row without its method cannot be split into those.
    /// `organization_id` fills the organisation where a row does not name
    /// it (rows grouped by `OrganizationId` keep theirs).
    #[must_use]
    pub fn usage_records(&self, organization_id: &str) -> RecordedUsage {
        let submits = submits(&self.exchanges);
        let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
        let mut skip = |reason: String| *skipped.entry(reason).or_default() += 1;
        // (execution id, its records) per page series, in order of first sight.
        let mut executions: Vec<(String, Vec<UsageRecord>)> = Vec::new();
        let mut index: HashMap<(String, Option<String>), usize> = HashMap::new();
        let mut pages_seen = BTreeSet::new();
        for (i, exchange) in self.exchanges.iter().enumerate() {
            let op = exchange.operation;
            if op == Operation::Token || op.is_submit() {
                continue;
            }
            let (Some(rows), Some(id)) = (complete_rows(exchange), execution_id(exchange)) else {
                continue;
            };
            // A poll that saw the job succeed and the reads of its pages
            // overlap (the poll is a first page at the default size): each
            // page size is a series of its own, of which one is kept below.
            let query = &exchange.request.query;
            let series = (id.clone(), query.get("pageSize").cloned());
            if !pages_seen.insert((series.clone(), query.get("after").cloned())) {
                continue;
            }
            let Some(submit) = submits.get(&id) else {
                skip(format!("exchanges[{i}]: its submit is not in the cassette"));
                continue;
            };
            if submit.granularity.as_deref() != Some("Day") {
                let granularity = submit.granularity.as_deref().unwrap_or("none (totals)");
                skip(format!(
                    "exchanges[{i}]: granularity {granularity}, not Day"
                ));
                continue;
            }
            let n = *index.entry(series).or_insert_with(|| {
                executions.push((id.clone(), Vec::new()));
                executions.len() - 1
            });
            for row in rows {
                match record_of(op, row, submit, organization_id) {
                    Ok(record) => executions[n].1.push(record),
                    Err(reason) => skip(format!("rows of exchanges[{i}]: {reason}")),
                }
            }
        }
        RecordedUsage {
            records: one_execution_per_day(longest_series(executions)),
            skipped: skipped
                .into_iter()
                .map(|(reason, n)| format!("{n} × {reason}"))
                .collect(),
        }
    }
}

impl RecordedUsage {
    /// Writes the records as JSON Lines (one object a line, the field
    /// names of spec §13a), a file `Dataset::from_path` loads.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_jsonl(&self, out: &mut impl Write) -> io::Result<()> {
        for record in &self.records {
            serde_json::to_writer(&mut *out, record)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Writes the records as CSV with a header line (spec §13a).
    ///
    /// # Errors
    /// The writer's.
    pub fn write_csv(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{}", COLUMNS.join(","))?;
        for r in &self.records {
            let texts = [
                r.date.to_string(),
                r.organization_id.clone(),
                r.oauth_client_id.clone(),
                r.oauth_client_name.clone(),
                r.user_id.clone(),
                r.template_uri.clone(),
                r.http_method.clone(),
                r.platform.clone(),
            ];
            let counts = [
                r.status200,
                r.status300,
                r.status400,
                r.status429,
                r.status500,
            ];
            let cells: Vec<String> = texts
                .iter()
                .map(|t| csv_cell(t))
                .chain(counts.iter().map(i64::to_string))
                .collect();
            writeln!(out, "{}", cells.join(","))?;
        }
        Ok(())
    }
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Each accepted submit by the execution id it created.
fn submits(exchanges: &[Exchange]) -> HashMap<String, Submit> {
    let mut out = HashMap::new();
    for exchange in exchanges.iter().filter(|e| e.operation.is_submit()) {
        let body = exchange.response.as_ref().and_then(|r| r.body.as_ref());
        let created = body
            .and_then(|b| b.get("executionId").or_else(|| b.get("id")))
            .and_then(Value::as_str);
        let Some(id) = created.filter(|id| !id.is_empty()) else {
            continue;
        };
        let granularity = exchange
            .request
            .body
            .as_ref()
            .and_then(|b| b.get("granularity"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let client_id = exchange.request.path_params.get("clientId").cloned();
        out.insert(
            id.to_owned(),
            Submit {
                granularity,
                client_id,
            },
        );
    }
    out
}

/// The execution a results GET read.
fn execution_id(exchange: &Exchange) -> Option<String> {
    let params = &exchange.request.path_params;
    params
        .get("executionId")
        .or_else(|| params.get("jobId"))
        .cloned()
}

/// The rows of a complete, successful results answer.
fn complete_rows(exchange: &Exchange) -> Option<&Vec<Value>> {
    let response = exchange.response.as_ref()?;
    if !(200..300).contains(&response.status) {
        return None;
    }
    let body = response.body.as_ref()?;
    let status = body.get("queryStatus").and_then(Value::as_str)?;
    if !matches!(status, "Complete" | "Succeeded") {
        return None;
    }
    body.get("results")
        .or_else(|| body.get("entities"))
        .and_then(Value::as_array)
}

/// One row as a daily record, or why it cannot be one.
fn record_of(
    op: Operation,
    row: &Value,
    submit: &Submit,
    organization_id: &str,
) -> Result<UsageRecord, String> {
    if let Some(missing) = COUNTERS.iter().find(|c| row.get(**c).is_none()) {
        return Err(format!("no {missing} (the query left that metric out)"));
    }
    let decode = |e: serde_json::Error| format!("unreadable row: {e}");
    let day = Granularity::Day;
    let mut record = match op {
        Operation::GetUsageAggregatesQueryJob => {
            let row: OrganizationPublicApiUsage =
                serde_json::from_value(row.clone()).map_err(decode)?;
            UsageRecord::from_organization_jobs_row(&row, day, organization_id)
        }
        Operation::GetUsageClientAggregatesQueryJob => {
            let row: ClientPublicApiUsage = serde_json::from_value(row.clone()).map_err(decode)?;
            let client = submit.client_id.as_deref().unwrap_or_default();
            UsageRecord::from_client_jobs_row(&row, day, client, "")
        }
        _ => {
            let row: ApiUsageRow = serde_json::from_value(row.clone()).map_err(decode)?;
            UsageRecord::from_legacy_row(&row, day, organization_id)
        }
    }
    .map_err(|e| e.to_string())?;
    if record.organization_id.is_empty() {
        organization_id.clone_into(&mut record.organization_id);
    }
    for (field, value, grouping) in [
        ("oauth client id", &record.oauth_client_id, "OAuthClientId"),
        ("template uri", &record.template_uri, "TemplateUri"),
        ("http method", &record.http_method, "HttpMethod"),
    ] {
        if value.is_empty() {
            return Err(format!("no {field} (not grouped by {grouping})"));
        }
    }
    if !METHODS.contains(&record.http_method.as_str()) {
        return Err(format!(
            "http method {} is not one a dataset takes",
            record.http_method
        ));
    }
    Ok(record)
}

/// Per execution, the page series with the most records (a complete read
/// of all its pages holds every row; a lone poll, only the first page).
fn longest_series(series: Vec<(String, Vec<UsageRecord>)>) -> Vec<Vec<UsageRecord>> {
    let mut order: Vec<String> = Vec::new();
    let mut best: HashMap<String, Vec<UsageRecord>> = HashMap::new();
    for (id, records) in series {
        match best.get(&id) {
            Some(kept) if kept.len() >= records.len() => {}
            Some(_) => {
                best.insert(id, records);
            }
            None => {
                order.push(id.clone());
                best.insert(id, records);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| best.remove(&id))
        .collect()
}

/// For each day, the records of the execution with the most records that
/// day (the first such in the cassette on a tie).
fn one_execution_per_day(executions: Vec<Vec<UsageRecord>>) -> Vec<UsageRecord> {
    let mut best: BTreeMap<NaiveDate, (usize, usize)> = BTreeMap::new();
    for (n, records) in executions.iter().enumerate() {
        let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for record in records {
            *per_day.entry(record.date).or_default() += 1;
        }
        for (day, count) in per_day {
            let entry = best.entry(day).or_insert((n, count));
            if count > entry.1 {
                *entry = (n, count);
            }
        }
    }
    let mut out: Vec<UsageRecord> = executions
        .into_iter()
        .enumerate()
        .flat_map(|(n, records)| {
            let best = &best;
            records
                .into_iter()
                .filter(move |r| best.get(&r.date).is_some_and(|(m, _)| *m == n))
        })
        .collect();
    out.sort_by_key(|r| r.date);
    out
}
