//! The fuzz targets' properties (`fuzz/fuzz_targets/`) as proptests, with
//! modest case counts so CI runs them on every change:
//!
//! - every wire model decodes arbitrary bytes without panicking, and what
//!   decodes encodes and decodes back to an equal value;
//! - `Interval::parse` never panics, and what parses round-trips through its
//!   display and its JSON;
//! - `parse_retry_after` never panics, reads digits as exactly that many
//!   seconds, and reads back an HTTP-date it was given;
//! - the mock server's `app()` never panics on arbitrary requests, answers
//!   5xx only for injected faults, and every 4xx is a JSON `ErrorBody`.
//!
//! Regression tests for what the fuzzers found are at the bottom.

#[path = "reliability_props/mock_requests.rs"]
mod mock_requests;

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use genesys_usage::{
    AccessTokenResponse, ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult,
    ApiUsageSimpleSearch, ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ErrorBody, Interval, OAuthErrorBody, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult, parse_retry_after,
};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `bytes` as `T`; when that works, the JSON round trip must hold.
fn decodes_and_round_trips<T>(bytes: &[u8]) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return Ok(());
    };
    let text = serde_json::to_vec(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let again: T = serde_json::from_slice(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&again, &value, "through {}", String::from_utf8_lossy(&text));
    Ok(())
}

/// The `model_decode` fuzz target's body.
fn every_model(bytes: &[u8]) -> Result<(), TestCaseError> {
    decodes_and_round_trips::<ApiUsageOrganizationQuery>(bytes)?;
    decodes_and_round_trips::<ApiUsageClientQuery>(bytes)?;
    decodes_and_round_trips::<ApiUsageSimpleSearch>(bytes)?;
    decodes_and_round_trips::<UsageExecutionResult>(bytes)?;
    decodes_and_round_trips::<ApiUsageQueryResult>(bytes)?;
    decodes_and_round_trips::<OrganizationPublicApiUsageQueryRequest>(bytes)?;
    decodes_and_round_trips::<ClientPublicApiUsageQueryRequest>(bytes)?;
    decodes_and_round_trips::<OrganizationUsageQueryResponse>(bytes)?;
    decodes_and_round_trips::<OrganizationPublicApiUsageResultsResponse>(bytes)?;
    decodes_and_round_trips::<ClientPublicApiUsageResultsResponse>(bytes)?;
    decodes_and_round_trips::<ErrorBody>(bytes)?;
    decodes_and_round_trips::<AccessTokenResponse>(bytes)?;
    decodes_and_round_trips::<OAuthErrorBody>(bytes)?;
    decodes_and_round_trips::<Interval>(bytes)
}

/// Every fixture of the repository: valid wire payloads to mutate.
fn fixtures() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures/ is readable")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|path| std::fs::read(path).ok())
        .collect()
}

/// A fixture with a few bytes overwritten and possibly cut short.
fn mutated_fixture() -> impl Strategy<Value = Vec<u8>> {
    let all = fixtures();
    assert!(!all.is_empty(), "fixtures/ has JSON files");
    (
        prop::sample::select(all),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        any::<Option<prop::sample::Index>>(),
    )
        .prop_map(|(mut bytes, flips, cut)| {
            for (at, byte) in flips {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_decode_to_models_that_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        every_model(&bytes)?;
    }

    #[test]
    fn mutated_fixtures_decode_to_models_that_round_trip(bytes in mutated_fixture()) {
        every_model(&bytes)?;
    }

    #[test]
    fn unmutated_fixtures_round_trip_as_every_model(bytes in prop::sample::select(fixtures())) {
        every_model(&bytes)?;
    }
}

/// The `interval_parse` fuzz target's body.
fn interval_round_trips(text: &str) -> Result<(), TestCaseError> {
    let Ok(interval) = Interval::parse(text) else {
        return Ok(());
    };
    prop_assert!(
        interval.start() < interval.end(),
        "{:?} gave {:?}",
        text,
        interval
    );
    let shown = interval.to_string();
    prop_assert_eq!(Interval::parse(&shown), Ok(interval), "display {}", shown);
    let json = serde_json::to_string(&interval).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: Interval =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(back, interval);
    Ok(())
}

/// One side of an interval: RFC 3339-ish with odd widths, offsets and fractions.
const BOUND: &str = "[0-9+-]{0,7}(-[0-9]{1,2}(-[0-9]{1,2}([T ][0-9]{1,2}(:[0-9]{1,2}(:[0-9]{1,2}(\\.[0-9]{0,12})?)?)?)?)?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_that_parses_as_an_interval_round_trips(text in any::<String>()) {
        interval_round_trips(&text)?;
    }

    #[test]
    fn interval_shaped_text_that_parses_round_trips(start in BOUND, end in BOUND) {
        interval_round_trips(&format!("{start}/{end}"))?;
    }
}

/// The `retry_after` fuzz target's body.
fn retry_after_holds(now_secs: u64, delay: u64, text: &str) -> Result<(), TestCaseError> {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now_secs);
    let parsed = parse_retry_after(text, now);
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        let secs = trimmed.parse::<u64>().unwrap_or(u64::MAX);
        prop_assert_eq!(parsed, Some(Duration::from_secs(secs)));
    }
    let date = httpdate::fmt_http_date(now + Duration::from_secs(delay));
    prop_assert_eq!(
        parse_retry_after(&date, now),
        Some(Duration::from_secs(delay)),
        "{}",
        date
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn retry_after_holds_its_contract_on_any_text(
        now in 0_u64..1 << 33,
        delay in 0_u64..1 << 24,
        text in any::<String>(),
    ) {
        retry_after_holds(now, delay, &text)?;
    }

    #[test]
    fn retry_after_holds_its_contract_on_number_shaped_text(
        now in 0_u64..1 << 33,
        delay in 0_u64..1 << 24,
        text in "[ \t]{0,2}[-+0-9.eE]{0,30}(inf|NaN)?[ \t]{0,2}",
    ) {
        retry_after_holds(now, delay, &text)?;
    }
}

/// Runs one `mock_request` input on a paused current-thread runtime.
fn mock_input_holds(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut data = arbitrary::Unstructured::new(bytes);
    let Ok(input) = <mock_requests::Input as arbitrary::Arbitrary>::arbitrary(&mut data) else {
        return Ok(());
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    runtime
        .block_on(mock_requests::check_input(&input))
        .map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_mock_server_answers_arbitrary_requests_within_its_contract(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        mock_input_holds(&bytes)?;
    }
}

// Regressions: inputs the fuzzers found, kept as plain tests.

/// `interval_parse` crash-23871102: chrono read `-024` as the year -24, whose
/// display `-0024-…` RFC 3339 does not parse. Years outside 0000–9999 (after
/// conversion to UTC) are now refused at parse time.
#[test]
fn intervals_outside_four_digit_years_are_refused_so_display_round_trips() {
    for text in [
        "-024-02-01/2020-02-28",
        "2020-01-01/+12345-01-01",
        "+10000-01-01T00:00:00/+10001-01-01T00:00:00",
        "0000-01-01T00:00:00+01:00/2020-01-01",
        "2020-01-01/9999-12-31T23:30:00-01:00",
    ] {
        assert!(Interval::parse(text).is_err(), "{text} parsed");
    }
    for text in ["0000-01-01/0000-01-02", "9999-12-30/9999-12-31T23:59:59Z"] {
        let interval = Interval::parse(text).expect("a four-digit year parses");
        assert_eq!(
            Interval::parse(&interval.to_string()),
            Ok(interval),
            "{text}"
        );
    }
}
