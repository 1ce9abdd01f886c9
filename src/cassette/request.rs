//! The recorded form of each call: method, path template and parameters of
//! every [`Operation`], shared by the recorder and the player so both
//! describe a call the same way.

use std::collections::BTreeMap;

use percent_encoding::utf8_percent_encode;
use serde::Serialize;
use serde_json::Value;

use crate::cassette::format::RecordedRequest;
use crate::fake::Operation;
use crate::transport::PageRequest;
use crate::transport::http::urls::SEGMENT;

/// The method and path template of `op`, as the service routes it.
#[must_use]
pub fn route(op: Operation) -> (&'static str, &'static str) {
    match op {
        Operation::PostUsageQuery => ("POST", "/api/v2/usage/query"),
        Operation::GetUsageQueryExecutionIdResults => {
            ("GET", "/api/v2/usage/query/{executionId}/results")
        }
        Operation::PostUsageSimplesearch => ("POST", "/api/v2/usage/simplesearch"),
        Operation::GetUsageSimplesearchExecutionIdResults => {
            ("GET", "/api/v2/usage/simplesearch/{executionId}/results")
        }
        Operation::PostOauthClientUsageQuery => {
            ("POST", "/api/v2/oauth/clients/{clientId}/usage/query")
        }
        Operation::GetOauthClientUsageQueryResult => (
            "GET",
            "/api/v2/oauth/clients/{clientId}/usage/query/results/{executionId}",
        ),
        Operation::GetOauthClientUsageSummary => {
            ("GET", "/api/v2/oauth/clients/{clientId}/usage/summary")
        }
        Operation::PostUsageAggregatesQueryJobs => ("POST", "/api/v2/usage/aggregates/query/jobs"),
        Operation::GetUsageAggregatesQueryJob => {
            ("GET", "/api/v2/usage/aggregates/query/jobs/{jobId}")
        }
        Operation::PostUsageClientAggregatesQueryJobs => (
            "POST",
            "/api/v2/usage/client/{clientId}/aggregates/query/jobs",
        ),
        Operation::GetUsageClientAggregatesQueryJob => (
            "GET",
            "/api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}",
        ),
        Operation::Token => ("POST", "/oauth/token"),
    }
}

/// The request of `op` with `params` filling the template's placeholders in
/// order, `query` (unset values left out) and an optional body.
pub(crate) fn describe(
    op: Operation,
    params: &[&str],
    query: &[(&str, Option<String>)],
    body: Option<Value>,
) -> RecordedRequest {
    let (method, template) = route(op);
    let mut params = params.iter();
    let mut path = String::with_capacity(template.len() + 48);
    let mut path_params = BTreeMap::new();
    for segment in template.trim_start_matches('/').split('/') {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = params.next().copied().unwrap_or_default();
                path.extend(utf8_percent_encode(value, SEGMENT));
                path_params.insert(name.to_owned(), value.to_owned());
            }
            None => path.push_str(segment),
        }
    }
    let query = query
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| ((*k).to_owned(), v)))
        .collect();
    RecordedRequest {
        method: method.to_owned(),
        path,
        path_params,
        query,
        body,
    }
}

/// A GET of `op`.
pub(crate) fn get(
    op: Operation,
    params: &[&str],
    query: &[(&str, Option<String>)],
) -> RecordedRequest {
    describe(op, params, query, None)
}

/// A POST of `op` with `body` as JSON.
pub(crate) fn post(op: Operation, params: &[&str], body: &impl Serialize) -> RecordedRequest {
    // The models are plain data: serialising them cannot fail.
    let body = serde_json::to_value(body).unwrap_or(Value::Null);
    describe(op, params, &[], Some(body))
}

/// `pageSize` and `after` of a paged GET.
pub(crate) fn page_query(page: &PageRequest) -> [(&'static str, Option<String>); 2] {
    [
        ("pageSize", page.page_size.map(|s| s.to_string())),
        ("after", page.after.clone()),
    ]
}

/// The request of `refresh_auth`: the token endpoint.
pub(crate) fn token() -> RecordedRequest {
    describe(Operation::Token, &[], &[], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_encoded_in_the_path_and_kept_decoded() {
        let request = get(
            Operation::GetOauthClientUsageQueryResult,
            &["c/1", "e?2"],
            &[("after", None)],
        );
        assert_eq!(
            request.path,
            "/api/v2/oauth/clients/c%2F1/usage/query/results/e%3F2"
        );
        assert_eq!(request.path_params["clientId"], "c/1");
        assert_eq!(request.path_params["executionId"], "e?2");
        assert!(request.query.is_empty());
    }
}
