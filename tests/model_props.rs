//! Property tests of the wire models: model → JSON → model is the identity,
//! unknown enum text survives byte for byte, no input panics a decoder,
//! `Interval` and `parse_retry_after` hold their contracts.
//!
//! Case counts are proptest's default (256, or `PROPTEST_CASES`), so CI stays fast.

#[path = "model_props/inputs.rs"]
mod inputs;
#[path = "model_props/strategies.rs"]
mod strategies;

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use genesys_usage::{
    AccessTokenResponse, ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult,
    ApiUsageSimpleSearch, ClientGroupBy, ClientJobsGroupBy, ClientPublicApiUsageQueryRequest,
    ClientPublicApiUsageResultsResponse, ErrorBody, Granularity, HttpMethod, Interval, JobStatus,
    OAuthErrorBody, OrganizationGroupBy, OrganizationJobsGroupBy,
    OrganizationPublicApiUsageQueryRequest, OrganizationPublicApiUsageResultsResponse,
    OrganizationUsageQueryResponse, QueryStatus, SimpleSearchMetric, SortOrder,
    UsageExecutionResult, UsageMetric, parse_retry_after,
};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use strategies as st;

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// `value` survives JSON text and a JSON value unchanged.
fn round_trips<T>(value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let text = serde_json::to_string(value).map_err(fail)?;
    let from_text: T = serde_json::from_str(&text).map_err(fail)?;
    prop_assert_eq!(&from_text, value, "through text {}", text);
    let tree = serde_json::to_value(value).map_err(fail)?;
    let from_tree: T = serde_json::from_value(tree).map_err(fail)?;
    prop_assert_eq!(&from_tree, value);
    Ok(())
}

proptest! {
    #[test]
    fn organisation_query_round_trips(v in st::organization_query()) { round_trips(&v)?; }

    #[test]
    fn client_query_round_trips(v in st::client_query()) { round_trips(&v)?; }

    #[test]
    fn simple_search_round_trips(v in st::simple_search()) { round_trips(&v)?; }

    #[test]
    fn execution_result_round_trips(v in st::execution_result()) { round_trips(&v)?; }

    #[test]
    fn legacy_query_result_round_trips(v in st::query_result()) { round_trips(&v)?; }

    #[test]
    fn organisation_jobs_request_round_trips(v in st::organization_jobs_request()) {
        round_trips(&v)?;
    }

    #[test]
    fn client_jobs_request_round_trips(v in st::client_jobs_request()) { round_trips(&v)?; }

    #[test]
    fn jobs_submit_answer_round_trips(v in st::jobs_submit_answer()) { round_trips(&v)?; }

    #[test]
    fn organisation_jobs_page_round_trips(v in st::organization_jobs_page()) { round_trips(&v)?; }

    #[test]
    fn client_jobs_page_round_trips(v in st::client_jobs_page()) { round_trips(&v)?; }

    #[test]
    fn error_body_round_trips(v in st::error_body()) { round_trips(&v)?; }

    #[test]
    fn token_answer_round_trips(v in st::token_answer()) { round_trips(&v)?; }

    #[test]
    fn token_error_round_trips(v in st::token_error()) { round_trips(&v)?; }
}

/// Text that is not a known value of `E` decodes to `Unknown` and encodes back
/// to exactly the JSON string it came from.
fn unknown_text_survives<E>(known: &[E], text: &str) -> Result<(), TestCaseError>
where
    E: Serialize + DeserializeOwned + PartialEq + Debug + for<'a> From<&'a str>,
{
    let value = E::from(text);
    prop_assume!(!known.contains(&value));
    prop_assert!(
        format!("{value:?}").starts_with("Unknown("),
        "{:?} is not Unknown",
        value
    );
    let wire = serde_json::to_string(text).map_err(fail)?;
    let decoded: E = serde_json::from_str(&wire).map_err(fail)?;
    prop_assert_eq!(&decoded, &value);
    prop_assert_eq!(serde_json::to_string(&decoded).map_err(fail)?, wire);
    Ok(())
}

proptest! {
    #[test]
    fn unknown_enum_text_survives_byte_for_byte(text in st::text()) {
        unknown_text_survives(Granularity::KNOWN, &text)?;
        unknown_text_survives(UsageMetric::KNOWN, &text)?;
        unknown_text_survives(SimpleSearchMetric::KNOWN, &text)?;
        unknown_text_survives(OrganizationGroupBy::KNOWN, &text)?;
        unknown_text_survives(ClientGroupBy::KNOWN, &text)?;
        unknown_text_survives(OrganizationJobsGroupBy::KNOWN, &text)?;
        unknown_text_survives(ClientJobsGroupBy::KNOWN, &text)?;
        unknown_text_survives(HttpMethod::KNOWN, &text)?;
        unknown_text_survives(QueryStatus::KNOWN, &text)?;
        unknown_text_survives(JobStatus::KNOWN, &text)?;
        unknown_text_survives(SortOrder::KNOWN, &text)?;
    }

    #[test]
    fn unknown_enum_text_inside_a_model_comes_back_unchanged(text in st::text()) {
        let s = text.as_str();
        same_json_after_decoding::<ApiUsageQueryResult>(json!({ "queryStatus": s }))?;
        same_json_after_decoding::<OrganizationPublicApiUsageResultsResponse>(
            json!({ "queryStatus": s, "entities": [{ "httpMethod": s }] }),
        )?;
        same_json_after_decoding::<ClientPublicApiUsageResultsResponse>(
            json!({ "queryStatus": s, "entities": [{ "httpMethod": s }] }),
        )?;
        same_json_after_decoding::<ApiUsageOrganizationQuery>(
            json!({ "interval": "i", "granularity": s, "metrics": [s], "groupBy": [s] }),
        )?;
        same_json_after_decoding::<ApiUsageClientQuery>(json!({ "interval": "i", "groupBy": [s] }))?;
        same_json_after_decoding::<ApiUsageSimpleSearch>(
            json!({ "interval": "i", "metrics": [s], "httpMethods": [s] }),
        )?;
        same_json_after_decoding::<OrganizationPublicApiUsageQueryRequest>(
            json!({ "interval": "i", "groupBy": [s], "sortBy": [{ "order": s }] }),
        )?;
        same_json_after_decoding::<ClientPublicApiUsageQueryRequest>(
            json!({ "interval": "i", "groupBy": [s], "httpMethods": [s] }),
        )?;
    }
}

/// `doc` decodes as `T` and encodes back to the same JSON (strings compared exactly).
fn same_json_after_decoding<T>(doc: Value) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned,
{
    let model: T = serde_json::from_value(doc.clone()).map_err(fail)?;
    prop_assert_eq!(serde_json::to_value(&model).map_err(fail)?, doc);
    Ok(())
}

/// Decodes `bytes` as every model; errors are fine, a panic fails the property.
fn decode_every_model(bytes: &[u8]) {
    fn try_decode<T: DeserializeOwned>(bytes: &[u8]) {
        let _ = serde_json::from_slice::<T>(bytes);
    }
    try_decode::<ApiUsageOrganizationQuery>(bytes);
    try_decode::<ApiUsageClientQuery>(bytes);
    try_decode::<ApiUsageSimpleSearch>(bytes);
    try_decode::<UsageExecutionResult>(bytes);
    try_decode::<ApiUsageQueryResult>(bytes);
    try_decode::<OrganizationPublicApiUsageQueryRequest>(bytes);
    try_decode::<ClientPublicApiUsageQueryRequest>(bytes);
    try_decode::<OrganizationUsageQueryResponse>(bytes);
    try_decode::<OrganizationPublicApiUsageResultsResponse>(bytes);
    try_decode::<ClientPublicApiUsageResultsResponse>(bytes);
    try_decode::<ErrorBody>(bytes);
    try_decode::<AccessTokenResponse>(bytes);
    try_decode::<OAuthErrorBody>(bytes);
    try_decode::<Interval>(bytes);
}

proptest! {
    #[test]
    fn arbitrary_json_never_panics_a_decoder(doc in inputs::json_value()) {
        decode_every_model(doc.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_decoder(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        decode_every_model(&bytes);
    }

    #[test]
    fn truncated_or_corrupted_answers_never_panic_a_decoder(
        page in st::organization_jobs_page(),
        cut in any::<prop::sample::Index>(),
        flip in any::<(prop::sample::Index, u8)>(),
    ) {
        let mut bytes = serde_json::to_vec(&page).map_err(fail)?;
        let at = flip.0.index(bytes.len());
        bytes[at] ^= flip.1;
        decode_every_model(&bytes);
        bytes.truncate(cut.index(bytes.len()));
        decode_every_model(&bytes);
    }
}

/// Text shaped like an interval, with out-of-range fields and odd offsets.
const NEAR_INTERVAL: &str = "[0-9+-]{0,6}(-[0-9]{1,3}(-[0-9]{1,3}(T[0-9]{1,3}(:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{0,12})?)?)?)?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})? ?";

proptest! {
    #[test]
    fn interval_parse_never_panics_on_any_text(text in st::text()) {
        let _ = Interval::parse(&text);
    }

    #[test]
    fn interval_parse_never_panics_on_interval_shaped_text(
        start in NEAR_INTERVAL,
        end in NEAR_INTERVAL,
    ) {
        let _ = Interval::parse(&format!("{start}/{end}"));
    }

    #[test]
    fn interval_display_parses_back_to_the_same_interval(interval in inputs::interval()) {
        let text = interval.to_string();
        prop_assert_eq!(Interval::parse(&text), Ok(interval), "{}", text);
        round_trips(&interval)?;
    }
}

/// Any clock reading from 1970 to about 2242, so `now` itself cannot overflow.
fn now() -> impl Strategy<Value = SystemTime> {
    (0_u64..1 << 33).prop_map(|secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

proptest! {
    #[test]
    fn retry_after_never_panics_on_any_text(text in st::text(), now in now()) {
        let _ = parse_retry_after(&text, now);
    }

    #[test]
    fn retry_after_never_panics_on_date_or_number_shaped_text(
        text in "([A-Z][a-z]{2}, )?[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT|[-+0-9.eEinfINFaN]{0,24}",
        now in now(),
    ) {
        let _ = parse_retry_after(&text, now);
    }

    #[test]
    fn retry_after_digits_are_exactly_that_many_seconds(
        secs in any::<u64>(),
        zeros in 0_usize..3,
        pad in prop::sample::select(&["", " ", "\t", "  "][..]),
        now in now(),
    ) {
        let text = format!("{pad}{}{secs}{pad}", "0".repeat(zeros));
        prop_assert_eq!(parse_retry_after(&text, now), Some(Duration::from_secs(secs)));
    }

    #[test]
    fn retry_after_digits_beyond_u64_saturate(text in "[1-9][0-9]{20,40}", now in now()) {
        prop_assert_eq!(parse_retry_after(&text, now), Some(Duration::from_secs(u64::MAX)));
    }
}
