//! Every wire model from arbitrary bytes: decoding never panics, and whatever
//! decodes encodes and decodes back to an equal value.
#![no_main]

use std::fmt::Debug;

use genesys_usage::{
    AccessTokenResponse, ApiUsageClientQuery, ApiUsageOrganizationQuery, ApiUsageQueryResult,
    ApiUsageSimpleSearch, ClientPublicApiUsageQueryRequest, ClientPublicApiUsageResultsResponse,
    ErrorBody, Interval, OAuthErrorBody, OrganizationPublicApiUsageQueryRequest,
    OrganizationPublicApiUsageResultsResponse, OrganizationUsageQueryResponse,
    UsageExecutionResult,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `bytes` as `T`; when that works, checks the JSON round trip.
fn check<T>(bytes: &[u8])
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let Ok(value) = serde_json::from_slice::<T>(bytes) else {
        return;
    };
    let text = serde_json::to_vec(&value).expect("a decoded model encodes");
    let again: T = serde_json::from_slice(&text).expect("an encoded model decodes");
    assert_eq!(
        again,
        value,
        "round trip through {}",
        String::from_utf8_lossy(&text)
    );
    let tree = serde_json::to_value(&value).expect("a decoded model becomes a JSON value");
    let from_tree: T = serde_json::from_value(tree).expect("a JSON value of a model decodes");
    assert_eq!(from_tree, value);
}

fuzz_target!(|bytes: &[u8]| {
    check::<ApiUsageOrganizationQuery>(bytes);
    check::<ApiUsageClientQuery>(bytes);
    check::<ApiUsageSimpleSearch>(bytes);
    check::<UsageExecutionResult>(bytes);
    check::<ApiUsageQueryResult>(bytes);
    check::<OrganizationPublicApiUsageQueryRequest>(bytes);
    check::<ClientPublicApiUsageQueryRequest>(bytes);
    check::<OrganizationUsageQueryResponse>(bytes);
    check::<OrganizationPublicApiUsageResultsResponse>(bytes);
    check::<ClientPublicApiUsageResultsResponse>(bytes);
    check::<ErrorBody>(bytes);
    check::<AccessTokenResponse>(bytes);
    check::<OAuthErrorBody>(bytes);
    check::<Interval>(bytes);
});
