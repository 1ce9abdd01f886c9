//! The request journal: a bounded ring buffer of what the server was asked
//! (method, path, query, headers, body) and what it answered, with
//! credentials redacted ([`crate::control::redact`]), for `GET /__admin/journal`.
//!
//! Every API call writes one entry, so an entry is built to be cheap: a few
//! owned strings and the request headers packed into one buffer. Once the
//! journal is full, the buffers of the entry it pushes out are handed to the
//! next request on the same thread ([`EntryBuffers`]), so a steady load
//! allocates nothing for its path and headers; and nothing is freed while the
//! lock is held.

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderMap, HeaderName, Method};
use chrono::{DateTime, Utc};
use genesys_usage::fake::Operation;
use serde::ser::SerializeMap as _;
use serde::{Serialize, Serializer};

use crate::control::auth::lock;
use crate::control::journal_filter::JournalFilter;
use crate::control::redact::{
    HeaderRedaction, JournalBody, REDACTED, header_redaction, redact_authorization_into,
};

/// Longest header value kept in an entry; keeps a full journal's memory bounded.
const MAX_HEADER_VALUE: usize = 512;
/// Most headers kept per entry.
const MAX_HEADERS: usize = 64;
/// Entries returned when the caller gives no `limit`.
const DEFAULT_LIMIT: usize = 1000;
/// Largest buffer handed on to the next entry; a larger one (left by an
/// unusually large request) is freed, so it does not stay in the journal.
const MAX_REUSED_CAPACITY: usize = 4096;

thread_local! {
    /// The buffers of the last entry pushed out of the journal on this thread.
    static SPARE: Cell<Option<EntryBuffers>> = const { Cell::new(None) };
}

/// The heap buffers of an entry (path and headers), reused from entry to entry.
#[derive(Debug, Default)]
pub(crate) struct EntryBuffers {
    path: String,
    headers: JournalHeaders,
}

impl EntryBuffers {
    /// Empty buffers: a pushed-out entry's when this thread has them, else new.
    pub(crate) fn take() -> Self {
        SPARE.with(Cell::take).unwrap_or_default()
    }

    /// `path` and the redacted `headers`, written into these buffers.
    pub(crate) fn fill(mut self, path: &str, headers: &HeaderMap) -> (String, JournalHeaders) {
        self.path.clear();
        self.path.push_str(path);
        self.headers.fill(headers);
        (self.path, self.headers)
    }

    /// Keeps the buffers of a pushed-out entry for the next one on this thread.
    fn recycle(entry: JournalEntry) {
        let JournalEntry { path, headers, .. } = entry;
        if path.capacity() <= MAX_REUSED_CAPACITY && headers.capacity() <= MAX_REUSED_CAPACITY {
            SPARE.with(|spare| spare.set(Some(Self { path, headers })));
        }
    }
}

/// The id of one request, sent as `ININ-Correlation-Id` and kept in the journal.
///
/// A random (version 4) UUID from a fast thread-local generator rather than
/// the operating system's: it is a label, not a secret, and asking the kernel
/// for randomness on every request costs a system call each (tokens, which
/// are secrets, still come from the OS generator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CorrelationId(uuid::Uuid);

impl CorrelationId {
    pub(crate) fn new() -> Self {
        Self(uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid())
    }

    /// The hyphenated lower-case text, without allocating.
    pub(crate) fn encode<'b>(&self, buffer: &'b mut [u8; 36]) -> &'b str {
        self.0.hyphenated().encode_lower(buffer)
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl Serialize for CorrelationId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0u8; 36];
        s.serialize_str(self.encode(&mut buffer))
    }
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JournalEntry {
    /// Position in the journal since start (or the last reset), from 1.
    pub(crate) seq: u64,
    /// Wall-clock time the request arrived.
    pub(crate) time: DateTime<Utc>,
    #[serde(serialize_with = "method_text")]
    pub(crate) method: Method,
    pub(crate) path: String,
    /// The query string, credential-shaped parameters redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) query: Option<String>,
    pub(crate) status: u16,
    pub(crate) correlation_id: CorrelationId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) operation: Option<Operation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) execution_id: Option<String>,
    /// The `Retry-After` header of the answer, verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after: Option<String>,
    /// The fault injected into this answer, e.g. `rateLimited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fault: Option<String>,
    /// `--replay`: no recording matched this request; why, with the diff
    /// against the nearest recorded one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) unmatched: Option<String>,
    /// Milliseconds from arrival to the answer's headers.
    pub(crate) duration_ms: u64,
    /// Request headers, `Authorization` redacted to `<scheme> <redacted>`
    /// and every other credential-shaped one to `<redacted>`.
    pub(crate) headers: JournalHeaders,
    /// The request body (POSTs), redacted and bounded: `body`, `bodyBytes`,
    /// `bodyTruncated`.
    #[serde(flatten)]
    pub(crate) body: Option<JournalBody>,
}

fn method_text<S: Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(method.as_str())
}

/// Request headers as the journal keeps them: each name once, its values
/// joined with `", "`, credentials redacted, long values cut. The texts share
/// one buffer (two allocations per request instead of several per header);
/// they serialise as a JSON object sorted by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct JournalHeaders {
    /// Each name with the end of its text in `text`.
    names: Vec<(HeaderName, usize)>,
    text: String,
}

impl JournalHeaders {
    /// The request headers as journal text, credentials redacted, size bounded.
    #[cfg(test)]
    pub(crate) fn redacted(headers: &HeaderMap) -> Self {
        let mut out = Self::default();
        out.fill(headers);
        out
    }

    /// Replaces the contents with `headers`, reusing the buffers.
    fn fill(&mut self, headers: &HeaderMap) {
        let out = self;
        out.names.clear();
        out.text.clear();
        out.names.reserve(headers.keys_len().min(MAX_HEADERS));
        out.text.reserve(
            headers
                .values()
                .map(|v| v.len().min(MAX_HEADER_VALUE + 4) + 2)
                .sum(),
        );
        // One pass: `HeaderMap::iter` yields the values of a name together.
        for (name, value) in headers {
            let same_name = out.names.last().is_some_and(|(last, _)| last == name);
            if same_name {
                out.text.push_str(", ");
            } else if out.names.len() == MAX_HEADERS {
                break;
            }
            match header_redaction(name) {
                HeaderRedaction::KeepScheme => {
                    redact_authorization_into(&mut out.text, value.as_bytes());
                }
                HeaderRedaction::Whole => out.text.push_str(REDACTED),
                // `from_utf8` has a fast path for ASCII (`to_str` checks byte
                // by byte); a header value holds no control characters.
                HeaderRedaction::Keep => match std::str::from_utf8(value.as_bytes()) {
                    Ok(text) => truncate_into(&mut out.text, text),
                    Err(_) => {
                        truncate_into(&mut out.text, &String::from_utf8_lossy(value.as_bytes()))
                    }
                },
            }
            let end = out.text.len();
            match out.names.last_mut() {
                Some((_, last_end)) if same_name => *last_end = end,
                _ => out.names.push((name.clone(), end)),
            }
        }
    }

    /// The larger of the two buffers' capacities, in bytes.
    fn capacity(&self) -> usize {
        self.text
            .capacity()
            .max(self.names.capacity() * std::mem::size_of::<(HeaderName, usize)>())
    }

    /// `(name, text)` pairs in the order they arrived.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let starts = std::iter::once(0).chain(self.names.iter().map(|(_, end)| *end));
        self.names
            .iter()
            .zip(starts)
            .map(|((name, end), start)| (name.as_str(), &self.text[start..*end]))
    }

    /// The text of one header, if the request had it.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl Serialize for JournalHeaders {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut pairs: Vec<(&str, &str)> = self.iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut map = s.serialize_map(Some(pairs.len()))?;
        for (name, text) in pairs {
            map.serialize_entry(name, text)?;
        }
        map.end()
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

    /// Adds `entry` with the next sequence number (`entry.seq` is set here,
    /// under the lock, so the journal is always in sequence order).
    pub(crate) fn record(&self, mut entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let evicted = {
            let mut entries = lock(&self.entries);
            entry.seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let evicted = if entries.len() >= self.capacity {
                entries.pop_front()
            } else {
                None
            };
            entries.push_back(entry);
            evicted
        };
        // Handed on (or freed) after the lock is released: other requests
        // need not wait for the old entry's memory.
        if let Some(evicted) = evicted {
            EntryBuffers::recycle(evicted);
        }
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
        let old = {
            let mut entries = lock(&self.entries);
            // Under the lock, so no entry recorded meanwhile keeps an old number.
            self.seq.store(0, Ordering::Relaxed);
            std::mem::take(&mut *entries)
        };
        drop(old);
    }
}

fn truncate_into(out: &mut String, text: &str) {
    if text.len() <= MAX_HEADER_VALUE {
        out.push_str(text);
        return;
    }
    let mut end = MAX_HEADER_VALUE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&text[..end]);
    out.push('…');
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, header};

    fn entry(method: &str, path: &str, execution_id: Option<&str>) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: Utc::now(),
            method: method.parse().unwrap(),
            path: path.into(),
            query: None,
            status: 200,
            correlation_id: CorrelationId::new(),
            operation: None,
            execution_id: execution_id.map(Into::into),
            retry_after: None,
            fault: None,
            unmatched: None,
            duration_ms: 0,
            headers: JournalHeaders::default(),
            body: None,
        }
    }

    #[test]
    fn the_journal_keeps_only_the_latest_entries() {
        let journal = Journal::new(2);
        for _ in 1..=3 {
            journal.record(entry("GET", "/a", None));
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
        journal.record(entry("POST", "/api/v2/usage/query", Some("x")));
        journal.record(entry("GET", "/api/v2/usage/query/x/results", Some("x")));
        journal.record(entry("GET", "/api/v2/usage/query/y/results", Some("y")));
        journal.record(entry("GET", "/api/v2/usage/query/x/results", Some("x")));
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
        let out = JournalHeaders::redacted(&headers);
        assert_eq!(out.get("authorization"), Some("Bearer <redacted>"));
        assert!(out.get("x-long").unwrap().len() < 600);
        let mut text = String::new();
        redact_authorization_into(&mut text, b"s3cret");
        assert_eq!(text, "<redacted>");
    }

    #[test]
    fn headers_serialise_as_an_object_sorted_by_name_with_values_joined() {
        let mut headers = HeaderMap::new();
        headers.insert("x-b", HeaderValue::from_static("2"));
        headers.append("x-a", HeaderValue::from_static("1"));
        headers.append("x-a", HeaderValue::from_static("one"));
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        headers.insert(header::COOKIE, HeaderValue::from_static("sid=s3cret"));
        let json = serde_json::to_string(&JournalHeaders::redacted(&headers)).unwrap();
        assert_eq!(
            json,
            r#"{"authorization":"Bearer <redacted>","cookie":"<redacted>","x-a":"1, one","x-b":"2"}"#
        );
    }

    #[test]
    fn at_most_max_headers_names_are_kept() {
        let mut headers = HeaderMap::new();
        for i in 0..(MAX_HEADERS + 10) {
            let name = HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap();
            headers.insert(name, HeaderValue::from_static("v"));
        }
        assert_eq!(
            JournalHeaders::redacted(&headers).iter().count(),
            MAX_HEADERS
        );
    }

    #[test]
    fn a_pushed_out_entry_lends_its_buffers_to_the_next_one() {
        let journal = Journal::new(1);
        let mut first = entry("GET", "/first/path", None);
        let mut headers = HeaderMap::new();
        headers.insert("x-long", HeaderValue::from_static("some header text"));
        first.headers = JournalHeaders::redacted(&headers);
        let text_buffer = first.headers.text.as_ptr();
        journal.record(first);
        journal.record(entry("GET", "/second", None));
        let (path, reused) = EntryBuffers::take().fill(
            "/third",
            &HeaderMap::from_iter([(header::HOST, HeaderValue::from_static("h"))]),
        );
        assert_eq!(path, "/third");
        assert_eq!(reused.get("host"), Some("h"));
        assert_eq!(reused.iter().count(), 1, "nothing of the old entry is left");
        assert_eq!(
            reused.text.as_ptr(),
            text_buffer,
            "the old buffer is reused"
        );
        assert_eq!(journal.query(&JournalFilter::default())[0].path, "/second");
    }

    #[test]
    fn correlation_ids_are_distinct_version_4_uuids() {
        let a = CorrelationId::new();
        let b = CorrelationId::new();
        assert_ne!(a, b);
        let mut buffer = [0u8; 36];
        let text = a.encode(&mut buffer).to_owned();
        assert_eq!(text, a.to_string());
        let parsed = uuid::Uuid::parse_str(&text).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::Value::String(text)
        );
    }
}
