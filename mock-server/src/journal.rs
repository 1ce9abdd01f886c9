//! The request journal: a bounded ring buffer of what the server was asked and
//! what it answered, with credentials redacted, for `GET /__admin/journal`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::lock;

/// Longest header value kept in an entry; keeps a full journal's memory bounded.
const MAX_HEADER_VALUE: usize = 512;
/// Most headers kept per entry.
const MAX_HEADERS: usize = 64;
/// Entries returned when the caller gives no `limit`.
const DEFAULT_LIMIT: usize = 1000;

/// One request and its answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JournalEntry {
    /// Position in the journal since start (or the last reset), from 1.
    pub(crate) seq: u64,
    /// Wall-clock time the request arrived.
    pub(crate) time: DateTime<Utc>,
    pub(crate) method: String,
    pub(crate) path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) query: Option<String>,
    pub(crate) status: u16,
    pub(crate) correlation_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) execution_id: Option<String>,
    /// The `Retry-After` header of the answer, verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after: Option<String>,
    /// The fault injected into this answer, e.g. `rateLimited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fault: Option<String>,
    /// Milliseconds from arrival to the answer's headers.
    pub(crate) duration_ms: u64,
    /// Request headers, `Authorization` redacted to `<scheme> <redacted>`.
    pub(crate) headers: BTreeMap<String, String>,
}

/// Filters of `GET /__admin/journal`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JournalFilter {
    /// Exact method, case-insensitive.
    method: Option<String>,
    /// Substring of the path.
    path: Option<String>,
    /// Exact execution id.
    execution_id: Option<String>,
    /// Exact operation name, e.g. `post_usage_query`.
    operation: Option<String>,
    /// Exact status.
    status: Option<u16>,
    /// The latest `limit` matching entries (default 1000).
    limit: Option<usize>,
}

impl JournalFilter {
    fn matches(&self, entry: &JournalEntry) -> bool {
        self.method
            .as_ref()
            .is_none_or(|m| m.eq_ignore_ascii_case(&entry.method))
            && self
                .path
                .as_ref()
                .is_none_or(|p| entry.path.contains(p.as_str()))
            && self
                .execution_id
                .as_ref()
                .is_none_or(|id| entry.execution_id.as_ref() == Some(id))
            && self
                .operation
                .as_ref()
                .is_none_or(|op| entry.operation.as_ref() == Some(op))
            && self.status.is_none_or(|s| s == entry.status)
    }
}

/// The bounded journal.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    seq: AtomicU64,
    entries: Mutex<VecDeque<JournalEntry>>,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            seq: AtomicU64::new(0),
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
        }
    }

    /// The next sequence number; entries take it when they are created.
    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn record(&self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = lock(&self.entries);
        while entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Matching entries, oldest first, at most `limit` (the latest ones).
    pub(crate) fn query(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        let entries = lock(&self.entries);
        let limit = filter.limit.unwrap_or(DEFAULT_LIMIT);
        let mut found: Vec<JournalEntry> = entries
            .iter()
            .rev()
            .filter(|e| filter.matches(e))
            .take(limit)
            .cloned()
            .collect();
        found.reverse();
        found
    }

    pub(crate) fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(crate) fn clear(&self) {
        lock(&self.entries).clear();
        self.seq.store(0, Ordering::Relaxed);
    }
}

/// The request headers as journal text, credentials redacted, size bounded.
pub(crate) fn redacted_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for name in headers.keys().take(MAX_HEADERS) {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| {
                if name == header::AUTHORIZATION || name == header::PROXY_AUTHORIZATION {
                    redact(v.as_bytes())
                } else {
                    truncate(&String::from_utf8_lossy(v.as_bytes()))
                }
            })
            .collect();
        out.insert(name.as_str().to_owned(), values.join(", "));
    }
    out
}

/// `Bearer abc` → `Bearer <redacted>`; the scheme is kept, the secret never.
fn redact(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    match text.trim().split_once(' ') {
        Some((scheme, _)) if scheme.len() <= 16 => format!("{scheme} <redacted>"),
        _ => "<redacted>".to_owned(),
    }
}

fn truncate(text: &str) -> String {
    if text.len() <= MAX_HEADER_VALUE {
        return text.to_owned();
    }
    let mut end = MAX_HEADER_VALUE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn entry(seq: u64, method: &str, path: &str, execution_id: Option<&str>) -> JournalEntry {
        JournalEntry {
            seq,
            time: Utc::now(),
            method: method.into(),
            path: path.into(),
            query: None,
            status: 200,
            correlation_id: "c".into(),
            operation: None,
            execution_id: execution_id.map(Into::into),
            retry_after: None,
            fault: None,
            duration_ms: 0,
            headers: BTreeMap::new(),
        }
    }

    #[test]
    fn the_journal_keeps_only_the_latest_entries() {
        let journal = Journal::new(2);
        for seq in 1..=3 {
            journal.record(entry(seq, "GET", "/a", None));
        }
        let seqs: Vec<u64> = journal
            .query(&JournalFilter::default())
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, [2, 3]);
    }

    #[test]
    fn filters_combine_and_limit_keeps_the_latest() {
        let journal = Journal::new(10);
        journal.record(entry(1, "POST", "/api/v2/usage/query", Some("x")));
        journal.record(entry(2, "GET", "/api/v2/usage/query/x/results", Some("x")));
        journal.record(entry(3, "GET", "/api/v2/usage/query/y/results", Some("y")));
        journal.record(entry(4, "GET", "/api/v2/usage/query/x/results", Some("x")));
        let filter = JournalFilter {
            method: Some("get".into()),
            execution_id: Some("x".into()),
            limit: Some(1),
            ..JournalFilter::default()
        };
        let found = journal.query(&filter);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].seq, 4);
        let by_path = JournalFilter {
            path: Some("/y/".into()),
            ..JournalFilter::default()
        };
        assert_eq!(journal.query(&by_path)[0].seq, 3);
    }

    #[test]
    fn authorization_is_redacted_but_keeps_its_scheme() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        headers.insert("x-long", HeaderValue::from_str(&"a".repeat(2000)).unwrap());
        let out = redacted_headers(&headers);
        assert_eq!(out["authorization"], "Bearer <redacted>");
        assert!(out["x-long"].len() < 600);
        assert_eq!(redact(b"s3cret"), "<redacted>");
    }
}
