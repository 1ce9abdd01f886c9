//! [`ReplayBook`]: a cassette compiled for serving over HTTP.
//!
//! - Each recorded submit answer is kept per request (operation, path
//!   parameters, query, body). Every new submit that matches gets the next
//!   of them, cycling, so a recorded `429` before the accepted submit comes
//!   back at the same place; an accepted one starts a *fresh* execution.
//! - A fresh execution replays the recorded one's results GETs: per distinct
//!   query (page cursor, page size), the recorded answers in order, the last
//!   one repeated (a terminal answer stays terminal). So the lifecycle is the
//!   recorded poll sequence — Running ×N, then Complete or Failed, with the
//!   recorded 429s and `Retry-After`s at the same positions.
//! - The fresh id replaces the recorded one in every string of the bodies
//!   (`executionId`, `id`, `resultsUri`, `selfUri`, `nextUri`, cursors), and
//!   the other way in the requests.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use genesys_usage::cassette::{Cassette, Exchange, RecordedRequest};
use genesys_usage::fake::Operation;
use serde_json::Value;

use crate::control::auth::lock;

/// The outcome of looking a request up.
#[derive(Debug)]
pub(crate) enum Lookup<'a> {
    /// The recorded exchange to serve, and the (fresh id, recorded id) pair
    /// to substitute in its body.
    Found {
        exchange: &'a Exchange,
        ids: Option<(String, String)>,
    },
    /// The execution id is not one this replay handed out.
    UnknownExecution(String),
    /// No recording matches; why, with the diff against the nearest.
    Unmatched(String),
}

/// A cassette ready to serve.
#[derive(Debug)]
pub(crate) struct ReplayBook {
    exchanges: Vec<Exchange>,
    /// Submit request key → indices of its recorded answers.
    submits: HashMap<String, Vec<usize>>,
    /// Recorded execution id → results-GET key → indices of its answers.
    results: HashMap<String, HashMap<String, Vec<usize>>>,
    /// OAuth client ids the recorded tokens were issued to.
    client_ids: BTreeSet<String>,
    state: Mutex<Live>,
}

#[derive(Debug, Default)]
struct Live {
    /// How many matching submits each submit key has served.
    submitted: HashMap<String, usize>,
    /// Fresh execution id → recorded id and the position per results key.
    executions: HashMap<String, LiveExecution>,
}

#[derive(Debug)]
struct LiveExecution {
    recorded: String,
    positions: HashMap<String, usize>,
}

impl ReplayBook {
    pub(crate) fn new(cassette: &Cassette) -> Self {
        let mut book = Self {
            exchanges: cassette.exchanges.clone(),
            submits: HashMap::new(),
            results: HashMap::new(),
            client_ids: BTreeSet::new(),
            state: Mutex::new(Live::default()),
        };
        for (i, exchange) in cassette.exchanges.iter().enumerate() {
            let op = exchange.operation;
            if op == Operation::Token {
                // Only a client that was issued a token: a refused one stays refused.
                let grant = exchange.token.as_ref().filter(|g| g.issued);
                if let Some(id) = grant.and_then(|g| g.client_id.clone()) {
                    book.client_ids.insert(id);
                }
            } else if op.is_submit() {
                let key = key(op, &exchange.request);
                book.submits.entry(key).or_default().push(i);
            } else if let Some(id) = execution_param(&exchange.request) {
                let key = results_key(op, &exchange.request);
                let by_key = book.results.entry(id.to_owned()).or_default();
                by_key.entry(key).or_default().push(i);
            }
        }
        book
    }

    /// Whether the token endpoint issues a token to `client_id`: one the
    /// tokens were recorded for, or any when none were (an SDK recording).
    pub(crate) fn accepts_client(&self, client_id: &str) -> bool {
        self.client_ids.is_empty() || self.client_ids.contains(client_id)
    }

    /// The recorded answer to a submit; a fresh id when it accepted one.
    pub(crate) fn submit(&self, op: Operation, request: &RecordedRequest) -> Lookup<'_> {
        let key = key(op, request);
        let Some(answers) = self.submits.get(&key) else {
            return Lookup::Unmatched(self.nearest(op, request));
        };
        let mut live = lock(&self.state);
        let served = live.submitted.entry(key).or_default();
        let exchange = &self.exchanges[answers[*served % answers.len()]];
        *served += 1;
        let recorded = exchange
            .response
            .as_ref()
            .filter(|r| (200..300).contains(&r.status))
            .and_then(|r| r.body.as_ref())
            .and_then(created_id);
        let ids = recorded.map(|recorded| {
            let fresh = uuid::Uuid::new_v4().to_string();
            live.executions.insert(
                fresh.clone(),
                LiveExecution {
                    recorded: recorded.to_owned(),
                    positions: HashMap::new(),
                },
            );
            (fresh, recorded.to_owned())
        });
        Lookup::Found { exchange, ids }
    }

    /// The recorded answer to a results GET of a fresh execution.
    /// `request` carries the fresh id; it is mapped back before matching.
    pub(crate) fn results(&self, op: Operation, request: &RecordedRequest) -> Lookup<'_> {
        let Some(fresh) = execution_param(request).map(str::to_owned) else {
            return Lookup::Unmatched("the request names no execution".into());
        };
        let mut live = lock(&self.state);
        let Some(execution) = live.executions.get_mut(&fresh) else {
            return Lookup::UnknownExecution(fresh);
        };
        let recorded_request = substitute_request(request, &fresh, &execution.recorded);
        let key = results_key(op, &recorded_request);
        let answers = self
            .results
            .get(&execution.recorded)
            .and_then(|by_key| by_key.get(&key));
        let Some(answers) = answers else {
            let reason = self.nearest(op, &recorded_request);
            return Lookup::Unmatched(reason);
        };
        let position = execution.positions.entry(key).or_default();
        let exchange = &self.exchanges[answers[(*position).min(answers.len() - 1)]];
        *position += 1;
        let ids = Some((fresh, execution.recorded.clone()));
        Lookup::Found { exchange, ids }
    }

    /// The diff against the closest recording of the same operation.
    fn nearest(&self, op: Operation, request: &RecordedRequest) -> String {
        let best = self
            .exchanges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.operation == op)
            .map(|(i, e)| (i, e.request.differences(request)))
            .min_by_key(|(i, lines)| (lines.len(), *i));
        match best {
            Some((i, lines)) => format!(
                "no recording matches this request; the nearest, exchanges[{i}], differs in {}",
                lines.join("; ")
            ),
            None => format!("the cassette holds no {} call", op.as_str()),
        }
    }
}

fn key(op: Operation, request: &RecordedRequest) -> String {
    serde_json::to_string(&(op.as_str(), request.fields())).unwrap_or_default()
}

/// The key of a results GET without its execution id (the same for the
/// recorded and the fresh execution).
fn results_key(op: Operation, request: &RecordedRequest) -> String {
    let mut fields = request.fields();
    fields.remove("path.executionId");
    fields.remove("path.jobId");
    serde_json::to_string(&(op.as_str(), fields)).unwrap_or_default()
}

fn execution_param(request: &RecordedRequest) -> Option<&str> {
    let params = &request.path_params;
    params
        .get("executionId")
        .or_else(|| params.get("jobId"))
        .map(String::as_str)
}

/// The execution id a submit answer created (`executionId` legacy, `id` jobs).
fn created_id(body: &Value) -> Option<&str> {
    body.get("executionId")
        .or_else(|| body.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
}

/// `value` with `from` replaced by `to` in every string.
pub(crate) fn substitute(value: &Value, from: &str, to: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace(from, to)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute(v, from, to)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, from, to)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn substitute_request(request: &RecordedRequest, from: &str, to: &str) -> RecordedRequest {
    let swap = |m: &std::collections::BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| (k.clone(), v.replace(from, to)))
            .collect()
    };
    RecordedRequest {
        path_params: swap(&request.path_params),
        query: swap(&request.query),
        path: request.path.replace(from, to),
        ..request.clone()
    }
}
