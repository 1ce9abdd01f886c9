//! The wire fixtures against the models: every file in `fixtures/` parses into
//! its model, matches its reviewed snapshot, and re-serialises to the same JSON
//! (camelCase names, absent fields omitted). Also checks the fixtures
//! themselves: listed in the README, mapped to a model, UUID ids, counter
//! invariants.

#[path = "support/fixtures.rs"]
mod fixtures;

use std::collections::BTreeSet;
use std::fmt::Debug;

use genesys_usage::{
    AccessTokenResponse, ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult,
    ApiUsageSimpleSearch, ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ClientUsageQueryResponse, ErrorBody, JobStatus, OAuthErrorBody,
    OrganizationPublicApiUsageQueryRequest, OrganizationPublicApiUsageResultsResponse,
    OrganizationUsageQueryResponse, PageRequest, QueryStatus, UsageExecutionResult,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Parses fixture `name` as `T`, checks it against its snapshot and that it
/// re-serialises to the same JSON value, and returns it for further checks.
fn check<T: Serialize + DeserializeOwned + Debug>(name: &str) -> T {
    let text = fixtures::fixture(name);
    let parsed: T = fixtures::fixture_json(name);
    let wire: Value = serde_json::from_str(&text).expect("fixture is json");
    let again = serde_json::to_value(&parsed).expect("model serialises");
    assert_eq!(again, wire, "{name} does not re-serialise to the same json");
    let debug = format!("{parsed:?}");
    assert!(
        !debug.contains("Unknown("),
        "{name} holds an enum value the sdk does not know: {debug}"
    );
    insta::assert_debug_snapshot!(name.trim_end_matches(".json"), parsed);
    parsed
}

/// Declares the table fixture → model and one test per fixture running [`check`].
macro_rules! fixture_models {
    ($( $test:ident: $file:literal => $model:ty ),+ $(,)?) => {
        /// Every fixture with the name of the model it is parsed into.
        const FIXTURE_MODELS: &[(&str, &str)] = &[ $( ($file, stringify!($model)) ),+ ];

        /// One test per fixture: it parses, matches its snapshot and round-trips.
        mod each_fixture_parses_matches_its_snapshot_and_round_trips {
            use super::*;
            $(
                #[test]
                fn $test() {
                    check::<$model>($file);
                }
            )+
        }
    };
}

fixture_models! {
    request_l1: "request_l1_organization_query.json" => ApiUsageOrganizationQuery,
    request_l3: "request_l3_simple_search.json" => ApiUsageSimpleSearch,
    request_l5: "request_l5_client_query.json" => ApiUsageClientQuery,
    request_n1: "request_n1_organization_jobs.json" => OrganizationPublicApiUsageQueryRequest,
    request_n1_filtered: "request_n1_organization_jobs_filtered.json" => OrganizationPublicApiUsageQueryRequest,
    request_n3: "request_n3_client_jobs.json" => ClientPublicApiUsageQueryRequest,
    submit_l1: "submit_l1_organization_query.json" => UsageExecutionResult,
    submit_l3: "submit_l3_simple_search.json" => UsageExecutionResult,
    submit_l5: "submit_l5_client_query.json" => UsageExecutionResult,
    submit_l7: "submit_l7_client_summary.json" => UsageExecutionResult,
    submit_n1: "submit_n1_organization_jobs.json" => OrganizationUsageQueryResponse,
    submit_n3: "submit_n3_client_jobs.json" => ClientUsageQueryResponse,
    legacy_running: "legacy_results_running.json" => ApiUsageQueryResult,
    legacy_complete: "legacy_results_complete.json" => ApiUsageQueryResult,
    legacy_failed: "legacy_results_failed.json" => ApiUsageQueryResult,
    simplesearch_page1: "simplesearch_results_page1.json" => ApiUsageQueryResult,
    simplesearch_last_page: "simplesearch_results_last_page.json" => ApiUsageQueryResult,
    jobs_queued: "jobs_results_queued.json" => OrganizationPublicApiUsageResultsResponse,
    jobs_running: "jobs_results_running.json" => OrganizationPublicApiUsageResultsResponse,
    jobs_page1: "jobs_results_succeeded_page1.json" => OrganizationPublicApiUsageResultsResponse,
    jobs_last_page: "jobs_results_succeeded_last_page.json" => OrganizationPublicApiUsageResultsResponse,
    jobs_failed: "jobs_results_failed.json" => OrganizationPublicApiUsageResultsResponse,
    client_jobs_page1: "client_jobs_results_succeeded_page1.json" => ClientPublicApiUsageResultsResponse,
    error_400: "error_400_bad_interval.json" => ErrorBody,
    error_401: "error_401_authentication_required.json" => ErrorBody,
    error_404: "error_404_execution_not_found.json" => ErrorBody,
    error_429: "error_429_rate_limited.json" => ErrorBody,
    error_503: "error_503_service_unavailable.json" => ErrorBody,
    token_success: "token_success.json" => AccessTokenResponse,
    token_failure: "token_failure_invalid_client.json" => OAuthErrorBody,
}

fn json_files_on_disk() -> BTreeSet<String> {
    fixtures::fixture_names().into_iter().collect()
}

/// Every fixture as a JSON value, with its name.
fn all_fixture_values() -> Vec<(String, Value)> {
    fixtures::fixture_names()
        .into_iter()
        .map(|name| {
            let value = fixtures::fixture_json(&name);
            (name, value)
        })
        .collect()
}

/// Calls `visit` on every object nested anywhere in `value` (itself included).
fn for_each_object(value: &Value, visit: &mut dyn FnMut(&serde_json::Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            visit(map);
            map.values().for_each(|v| for_each_object(v, visit));
        }
        Value::Array(items) => items.iter().for_each(|v| for_each_object(v, visit)),
        _ => {}
    }
}

#[test]
fn readme_lists_every_fixture_and_nothing_else() {
    let readme = fixtures::fixture("README.md");
    let listed: Vec<&str> = readme
        .lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .filter_map(|rest| rest.split_once('`').map(|(name, _)| name))
        .collect();
    let listed_set: BTreeSet<String> = listed.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(listed.len(), listed_set.len(), "a fixture is listed twice");
    assert_eq!(listed_set, json_files_on_disk());
}

#[test]
fn every_fixture_is_mapped_to_a_model_and_nothing_else() {
    let mapped: BTreeSet<String> = FIXTURE_MODELS
        .iter()
        .map(|(file, _)| (*file).to_owned())
        .collect();
    assert_eq!(
        mapped.len(),
        FIXTURE_MODELS.len(),
        "a fixture is mapped twice"
    );
    assert_eq!(mapped, json_files_on_disk());
}

#[test]
fn every_counter_row_keeps_the_invariants() {
    let mut rows = 0;
    for (name, value) in all_fixture_values() {
        for_each_object(&value, &mut |obj| {
            let Some(s400) = obj.get("status400").and_then(Value::as_i64) else {
                return;
            };
            rows += 1;
            let counter = |key: &str| obj.get(key).and_then(Value::as_i64).unwrap_or(0);
            let sum = counter("status200") + counter("status300") + s400 + counter("status500");
            for total in ["requests", "requestCount"] {
                if let Some(t) = obj.get(total).and_then(Value::as_i64) {
                    assert_eq!(t, sum, "{name}: {total} is not the sum of the statuses");
                }
            }
            assert!(
                counter("status429") <= s400,
                "{name}: status429 > status400"
            );
        });
    }
    assert!(rows >= 8, "only {rows} counter rows checked");
}

#[test]
fn every_id_in_the_fixtures_is_a_uuid() {
    const ID_KEYS: &[&str] = &[
        "id",
        "executionId",
        "clientId",
        "organizationId",
        "userId",
        "contextId",
        "entityId",
    ];
    const ID_LIST_KEYS: &[&str] = &["userIds", "oauthClientIds", "organizationIds"];
    let mut ids = 0;
    for (name, value) in all_fixture_values() {
        for_each_object(&value, &mut |obj| {
            let singles = ID_KEYS.iter().filter_map(|k| obj.get(*k));
            let lists = ID_LIST_KEYS
                .iter()
                .filter_map(|k| obj.get(*k).and_then(Value::as_array))
                .flatten();
            for id in singles.chain(lists).filter_map(Value::as_str) {
                // Ungrouped dimensions of legacy rows are "" by design (spec §2).
                if !id.is_empty() {
                    ids += 1;
                    assert!(
                        uuid::Uuid::try_parse(id).is_ok(),
                        "{name}: {id:?} is no uuid"
                    );
                }
            }
        });
    }
    assert!(ids >= 25, "only {ids} ids checked");
}

#[test]
fn submit_answers_point_at_their_own_execution() {
    for name in [
        "submit_l1_organization_query.json",
        "submit_l3_simple_search.json",
        "submit_l5_client_query.json",
        "submit_l7_client_summary.json",
    ] {
        let answer: UsageExecutionResult = fixtures::fixture_json(name);
        let id = answer.execution_id.expect("executionId");
        let uri = answer.results_uri.expect("resultsUri");
        assert!(
            uri.starts_with("/api/v2/") && uri.contains(&id),
            "{name}: {uri}"
        );
    }
    for name in [
        "submit_n1_organization_jobs.json",
        "submit_n3_client_jobs.json",
    ] {
        let answer: OrganizationUsageQueryResponse = fixtures::fixture_json(name);
        for uri in [answer.results_uri, answer.self_uri] {
            let uri = uri.expect("resultsUri and selfUri");
            assert!(
                uri.ends_with(&format!("/jobs/{}", answer.id)),
                "{name}: {uri}"
            );
        }
    }
}

#[test]
fn complete_legacy_result_has_dated_rows_with_empty_ungrouped_dimensions() {
    let result: ApiUsageQueryResult = fixtures::fixture_json("legacy_results_complete.json");
    assert_eq!(result.query_status, Some(QueryStatus::Complete));
    let rows = result.results.expect("results");
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row.organization_id.as_deref(), Some(""));
        assert_eq!(row.user_id.as_deref(), Some(""));
        assert_eq!(row.http_method.as_deref(), Some(""));
        assert!(row.client_id.is_some_and(|id| !id.is_empty()));
        assert!(row.date.is_some_and(|d| d.ends_with("T00:00:00Z")));
    }
}

#[test]
fn running_and_failed_legacy_results_carry_only_a_status() {
    for (name, status) in [
        ("legacy_results_running.json", QueryStatus::Running),
        ("legacy_results_failed.json", QueryStatus::Failed),
    ] {
        let result: ApiUsageQueryResult = fixtures::fixture_json(name);
        let expected = ApiUsageQueryResult {
            query_status: Some(status),
            ..ApiUsageQueryResult::default()
        };
        assert_eq!(result, expected, "{name}");
    }
}

#[test]
fn simple_search_pages_carry_a_cursor_until_the_last() {
    let first: ApiUsageQueryResult = fixtures::fixture_json("simplesearch_results_page1.json");
    let last: ApiUsageQueryResult = fixtures::fixture_json("simplesearch_results_last_page.json");
    let after = first.cursors.and_then(|c| c.after);
    assert_eq!(after.as_deref(), Some("eyJvZmZzZXQiOjF9"));
    assert_eq!(last.cursors, None);
}

#[test]
fn jobs_next_uris_give_the_next_page_request() {
    let org: OrganizationPublicApiUsageResultsResponse =
        fixtures::fixture_json("jobs_results_succeeded_page1.json");
    let client: ClientPublicApiUsageResultsResponse =
        fixtures::fixture_json("client_jobs_results_succeeded_page1.json");
    let page = |uri: Option<String>| PageRequest::from_next_uri(&uri.expect("nextUri"));
    assert_eq!(
        page(org.next_uri),
        Some(PageRequest::with_page_size(100).after("eyJvZmZzZXQiOjF9"))
    );
    assert_eq!(
        page(client.next_uri),
        Some(PageRequest::with_page_size(2).after("eyJvZmZzZXQiOjJ9"))
    );
    let last: OrganizationPublicApiUsageResultsResponse =
        fixtures::fixture_json("jobs_results_succeeded_last_page.json");
    assert_eq!(last.next_uri, None);
}

#[test]
fn client_jobs_rows_name_their_organisation() {
    let page: ClientPublicApiUsageResultsResponse =
        fixtures::fixture_json("client_jobs_results_succeeded_page1.json");
    let orgs: Vec<String> = page
        .entities
        .expect("entities")
        .into_iter()
        .filter_map(|row| row.organization_id)
        .collect();
    assert_eq!(orgs.len(), 2);
}

#[test]
fn failed_job_explains_itself_in_its_error_body() {
    let page: OrganizationPublicApiUsageResultsResponse =
        fixtures::fixture_json("jobs_results_failed.json");
    assert_eq!(page.query_status, JobStatus::Failed);
    let error = page.error_body.expect("errorBody");
    assert_eq!(error.status, Some(500));
    assert!(error.message.is_some_and(|m| m.contains("failed")));
}

#[test]
fn error_bodies_carry_their_status_and_code() {
    for (name, status, code) in [
        ("error_400_bad_interval.json", 400, "bad.request"),
        (
            "error_401_authentication_required.json",
            401,
            "authentication.required",
        ),
        ("error_404_execution_not_found.json", 404, "not.found"),
        (
            "error_429_rate_limited.json",
            429,
            "too.many.requests.retry.after",
        ),
        (
            "error_503_service_unavailable.json",
            503,
            "service.unavailable",
        ),
    ] {
        let body: ErrorBody = fixtures::fixture_json(name);
        assert_eq!(body.status, Some(status), "{name}");
        assert_eq!(body.code.as_deref(), Some(code), "{name}");
        assert!(body.context_id.is_some(), "{name} has no contextId");
    }
}

#[test]
fn bad_interval_error_names_the_interval_field() {
    let body: ErrorBody = fixtures::fixture_json("error_400_bad_interval.json");
    assert_eq!(body.field_names().collect::<Vec<_>>(), ["interval"]);
}

#[test]
fn not_found_error_names_the_execution_id() {
    let body: ErrorBody = fixtures::fixture_json("error_404_execution_not_found.json");
    let message = body.message.expect("message");
    assert!(
        message.contains("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"),
        "{message}"
    );
}

#[test]
fn rate_limited_error_matches_the_normalised_429_body() {
    let body: ErrorBody = fixtures::fixture_json("error_429_rate_limited.json");
    assert!(body.message.is_some_and(|m| m.contains("[42] seconds")));
    assert_eq!(body.details, Some(Vec::new()));
    assert_eq!(body.errors, Some(Vec::new()));
}

#[test]
fn token_answers_parse_and_debug_hides_the_token() {
    let token: AccessTokenResponse = fixtures::fixture_json("token_success.json");
    assert_eq!(token.token_type, "bearer");
    assert_eq!(token.expires_in, 86_400);
    assert!(!format!("{token:?}").contains(&token.access_token));
    let failure: OAuthErrorBody = fixtures::fixture_json("token_failure_invalid_client.json");
    assert_eq!(failure.error, "invalid_client");
    assert!(failure.description.is_some() && failure.error_description.is_some());
}
