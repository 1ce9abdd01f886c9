//! How a request finds its recording: a key per request, one queue per key,
//! and a field-level diff against the nearest recording when none matches.
//!
//! The key is the operation with everything the service reads from the
//! request: path parameters (client id, execution id), query (page cursor,
//! page size, days) and body. So the polls of one execution queue up in
//! recorded order, another execution's polls sit in another queue, and N
//! identical polls take N recorded answers, one each.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::cassette::format::RecordedRequest;
use crate::fake::Operation;

/// The matching key of a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key(String);

/// Which body fields matching ignores (dotted paths such as `interval`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ignored(BTreeSet<String>);

impl Ignored {
    pub(crate) fn add(&mut self, path: impl Into<String>) {
        self.0.insert(path.into());
    }

    fn ignores(&self, path: &str) -> bool {
        self.0.iter().any(|p| p == path)
    }
}

/// The key of `request` to `operation`.
pub(crate) fn key(operation: Operation, request: &RecordedRequest, ignored: &Ignored) -> Key {
    let fields = flatten(request, ignored);
    // BTreeMap order is stable, so equal requests give equal keys.
    let text = serde_json::to_string(&(operation.as_str(), &fields)).unwrap_or_default();
    Key(text)
}

/// The request as `field path → JSON text`, the unit of comparison.
pub(crate) fn flatten(request: &RecordedRequest, ignored: &Ignored) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, value) in &request.path_params {
        out.insert(format!("path.{name}"), quoted(value));
    }
    for (name, value) in &request.query {
        out.insert(format!("query.{name}"), quoted(value));
    }
    if let Some(body) = &request.body {
        flatten_value("body", body, ignored, &mut out);
    }
    out
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn flatten_value(path: &str, value: &Value, ignored: &Ignored, out: &mut BTreeMap<String, String>) {
    let relative = path.strip_prefix("body.").unwrap_or("");
    if !relative.is_empty() && ignored.ignores(relative) {
        return;
    }
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (name, inner) in map {
                flatten_value(&format!("{path}.{name}"), inner, ignored, out);
            }
        }
        other => {
            out.insert(path.to_owned(), other.to_string());
        }
    }
}

/// The fields in which `recorded` and `requested` differ, one line each
/// (`query.after: recorded "a", requested "b"`).
pub(crate) fn diff(
    recorded: &BTreeMap<String, String>,
    requested: &BTreeMap<String, String>,
) -> Vec<String> {
    let names: BTreeSet<&String> = recorded.keys().chain(requested.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (a, b) = (recorded.get(name), requested.get(name));
            (a != b).then(|| {
                let show = |v: Option<&String>| v.map_or("(absent)".to_owned(), Clone::clone);
                format!("{name}: recorded {}, requested {}", show(a), show(b))
            })
        })
        .collect()
}

/// `operation(path.executionId="…", query.after="…")`: the call, as an
/// error message names it. The body is left out (the diff shows it).
pub(crate) fn describe_call(operation: Operation, request: &RecordedRequest) -> String {
    let args: Vec<String> = request
        .path_params
        .iter()
        .map(|(k, v)| format!("{k}={}", quoted(v)))
        .chain(
            request
                .query
                .iter()
                .map(|(k, v)| format!("{k}={}", quoted(v))),
        )
        .collect();
    format!("{}({})", operation.as_str(), args.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassette::request;
    use crate::transport::PageRequest;

    #[test]
    fn equal_requests_share_a_key_and_cursors_part_them() {
        let op = Operation::GetUsageAggregatesQueryJob;
        let ignored = Ignored::default();
        let first = request::get(op, &["j1"], &request::page_query(&PageRequest::first()));
        let again = request::get(op, &["j1"], &request::page_query(&PageRequest::first()));
        let next = request::get(
            op,
            &["j1"],
            &request::page_query(&PageRequest::first().after("c")),
        );
        assert_eq!(key(op, &first, &ignored), key(op, &again, &ignored));
        assert_ne!(key(op, &first, &ignored), key(op, &next, &ignored));
    }

    #[test]
    fn the_diff_names_each_differing_field() {
        let op = Operation::PostUsageQuery;
        let ignored = Ignored::default();
        let a = request::post(
            op,
            &[],
            &serde_json::json!({"interval": "x", "granularity": "Day"}),
        );
        let b = request::post(op, &[], &serde_json::json!({"interval": "y"}));
        let lines = diff(&flatten(&a, &ignored), &flatten(&b, &ignored));
        assert_eq!(
            lines,
            [
                "body.granularity: recorded \"Day\", requested (absent)",
                "body.interval: recorded \"x\", requested \"y\"",
            ]
        );
    }

    #[test]
    fn ignored_body_fields_do_not_part_keys() {
        let op = Operation::PostUsageQuery;
        let mut ignored = Ignored::default();
        ignored.add("interval");
        let a = request::post(op, &[], &serde_json::json!({"interval": "x"}));
        let b = request::post(op, &[], &serde_json::json!({"interval": "y"}));
        assert_eq!(key(op, &a, &ignored), key(op, &b, &ignored));
    }
}
