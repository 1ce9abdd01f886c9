//! Keeping what leaves the organisation to what it must: [`Cassette::scrub`]
//! replaces a known secret wherever it might appear, and a [`Pseudonymiser`]
//! replaces user ids and OAuth client names by stable stand-ins.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::cassette::format::{Cassette, Exchange, RecordedError, RecordedRequest};

impl Cassette {
    /// Replaces `secret` by `with` in every string the cassette holds
    /// (request and response bodies, parameters, headers, error messages).
    /// The recorders already never write a secret or a token; this is the
    /// belt to those braces, for values a server might echo.
    pub fn scrub(&mut self, secret: &str, with: &str) {
        if secret.is_empty() {
            return;
        }
        let mut swap = |text: &str| text.contains(secret).then(|| text.replace(secret, with));
        for exchange in &mut self.exchanges {
            rewrite_exchange(exchange, &mut swap, &mut |_, _| None);
        }
    }
}

/// Replaces user ids and OAuth client names by stand-ins, the same value
/// always by the same stand-in for as long as the `Pseudonymiser` lives
/// (one recording run), so a replay still links a client's rows across
/// queries. The stand-ins are numbered in order of first sight, never
/// derived from the real value, so they reveal nothing of it; the mapping
/// stays in memory and is never written.
///
/// What is replaced: user ids (`userId`, `userIds`, `user.id`, and inside
/// any string such as a `selfUri`) with UUID-shaped stand-ins
/// (`00000000-0000-4000-8000-000000000001`), and client names
/// (`clientName`, `oauthClientNames`, `oauthClient.name`, and any string
/// equal to one) with `client-1`, `client-2`, …. Client ids, organisation
/// ids, endpoint templates and counts are kept: without them a replay
/// could not match requests or reproduce totals.
///
/// ```
/// use genesys_usage::cassette::{Cassette, Pseudonymiser};
/// let mut pseudonyms = Pseudonymiser::new();
/// let mut cassette = Cassette::new();
/// pseudonyms.apply(&mut cassette);
/// assert!(cassette.exchanges.is_empty());
/// ```
#[derive(Debug, Default, Clone)]
pub struct Pseudonymiser {
    users: HashMap<String, String>,
    names: HashMap<String, String>,
}

impl Pseudonymiser {
    /// A fresh mapping (a new run).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Pseudonymises `cassette` in place, extending the mapping with the
    /// user ids and client names it meets for the first time.
    pub fn apply(&mut self, cassette: &mut Cassette) {
        for exchange in &cassette.exchanges {
            for value in bodies(exchange) {
                self.collect(None, value);
            }
        }
        let users: Vec<(String, String)> = self
            .users
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let names = &self.names;
        let mut swap = |text: &str| {
            let mut out: Option<String> = None;
            for (real, stand_in) in &users {
                let current = out.as_deref().unwrap_or(text);
                if current.contains(real.as_str()) {
                    out = Some(current.replace(real.as_str(), stand_in));
                }
            }
            out
        };
        let mut exact = |_: Option<&str>, text: &str| names.get(text).cloned();
        for exchange in &mut cassette.exchanges {
            rewrite_exchange(exchange, &mut swap, &mut exact);
        }
    }

    /// Notes the user ids and client names in `value`; `key` is the key it sits under.
    fn collect(&mut self, key: Option<&str>, value: &Value) {
        match value {
            Value::Object(map) => {
                for (name, inner) in map {
                    match (name.as_str(), inner) {
                        ("user", Value::Object(user)) => {
                            if let Some(Value::String(id)) = user.get("id") {
                                self.user(id);
                            }
                        }
                        ("oauthClient", Value::Object(client)) => {
                            if let Some(Value::String(n)) = client.get("name") {
                                self.name(n);
                            }
                        }
                        _ => {}
                    }
                    self.collect(Some(name), inner);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.collect(key, item);
                }
            }
            Value::String(text) => match key {
                Some("userId" | "userIds") => self.user(text),
                Some("clientName" | "oauthClientNames" | "oauthClientName") => self.name(text),
                _ => {}
            },
            _ => {}
        }
    }

    fn user(&mut self, id: &str) {
        if id.is_empty() {
            return;
        }
        let next = self.users.len() + 1;
        self.users
            .entry(id.to_owned())
            .or_insert_with(|| format!("00000000-0000-4000-8000-{next:012}"));
    }

    fn name(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        let next = self.names.len() + 1;
        self.names
            .entry(name.to_owned())
            .or_insert_with(|| format!("client-{next}"));
    }
}

/// The JSON bodies of an exchange (request and response).
fn bodies(exchange: &Exchange) -> impl Iterator<Item = &Value> {
    let request = exchange.request.body.as_ref();
    let response = exchange.response.as_ref().and_then(|r| r.body.as_ref());
    request.into_iter().chain(response)
}

/// Rewrites every string of `exchange`: `exact` first (a whole-value
/// replacement), else `swap` (a replacement inside the string).
fn rewrite_exchange(
    exchange: &mut Exchange,
    swap: &mut dyn FnMut(&str) -> Option<String>,
    exact: &mut dyn FnMut(Option<&str>, &str) -> Option<String>,
) {
    let mut text = |s: &mut String| {
        if let Some(new) = exact(None, s).or_else(|| swap(s)) {
            *s = new;
        }
    };
    rewrite_request(&mut exchange.request, &mut text);
    if let Some(response) = &mut exchange.response {
        for value in response.headers.values_mut() {
            text(value);
        }
        if let Some(body) = &mut response.body {
            rewrite_value(body, &mut text);
        }
        if let Some(body) = &mut response.body_text {
            text(body);
        }
    }
    if let Some(error) = &mut exchange.error {
        match error {
            RecordedError::Transport { message, .. }
            | RecordedError::Unauthorized { message, .. }
            | RecordedError::InvalidRequest { message, .. } => text(message),
            RecordedError::Decode {
                message, snippet, ..
            } => {
                text(message);
                text(snippet);
            }
        }
    }
    if let Some(id) = exchange.token.as_mut().and_then(|t| t.client_id.as_mut()) {
        text(id);
    }
}

fn rewrite_request(request: &mut RecordedRequest, text: &mut dyn FnMut(&mut String)) {
    text(&mut request.path);
    rewrite_map(&mut request.path_params, text);
    rewrite_map(&mut request.query, text);
    if let Some(body) = &mut request.body {
        rewrite_value(body, text);
    }
}

fn rewrite_map(map: &mut BTreeMap<String, String>, text: &mut dyn FnMut(&mut String)) {
    for value in map.values_mut() {
        text(value);
    }
}

fn rewrite_value(value: &mut Value, text: &mut dyn FnMut(&mut String)) {
    match value {
        Value::String(s) => text(s),
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_value(v, text)),
        Value::Object(map) => map.values_mut().for_each(|v| rewrite_value(v, text)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassette::format::RecordedResponse;
    use crate::fake::Operation;
    use serde_json::json;

    fn exchange(body: Value) -> Exchange {
        Exchange {
            operation: Operation::GetUsageAggregatesQueryJob,
            request: RecordedRequest::for_call(
                Operation::GetUsageAggregatesQueryJob,
                &["job-1"],
                &[],
                None,
            ),
            response: Some(RecordedResponse {
                status: 200,
                body: Some(body),
                ..RecordedResponse::default()
            }),
            error: None,
            token: None,
            elapsed_ms: 0,
        }
    }

    #[test]
    fn user_ids_and_client_names_get_stable_stand_ins_across_saves() {
        let row = json!({"entities": [
            {"oauthClient": {"id": "c1", "name": "Billing Bot"},
             "user": {"id": "u-secret-1", "selfUri": "/api/v2/users/u-secret-1"}},
            {"clientName": "Billing Bot", "userId": "u-secret-2", "clientId": "c1"}
        ]});
        let mut pseudonyms = Pseudonymiser::new();
        let mut first = Cassette::new();
        first.exchanges.push(exchange(row.clone()));
        pseudonyms.apply(&mut first);
        let text = String::from_utf8(first.to_vec()).unwrap();
        assert!(
            !text.contains("u-secret") && !text.contains("Billing Bot"),
            "{text}"
        );
        assert!(text.contains("\"c1\""), "client ids are kept: {text}");
        let mut second = Cassette::new();
        second.exchanges.push(exchange(row));
        pseudonyms.apply(&mut second);
        assert_eq!(first, second, "the same values, the same stand-ins");
    }

    #[test]
    fn scrub_replaces_a_secret_inside_any_string() {
        let mut cassette = Cassette::new();
        cassette
            .exchanges
            .push(exchange(json!({"message": "token tok-123 expired"})));
        cassette.scrub("tok-123", "<redacted>");
        let text = String::from_utf8(cassette.to_vec()).unwrap();
        assert!(
            !text.contains("tok-123") && text.contains("<redacted>"),
            "{text}"
        );
    }
}
