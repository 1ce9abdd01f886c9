//! Raw inputs for the decoders and parsers: arbitrary JSON biased to wire
//! names, and valid intervals of four-digit years.

use chrono::{DateTime, TimeDelta, Utc};
use genesys_usage::Interval;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

use super::strategies::text;

/// Wire names and values, so arbitrary JSON often lands on a real field.
const WIRE_WORDS: &str = "
    interval granularity metrics groupBy oauthClientNames httpMethods templateUris executionId
    resultsUri results queryStatus cursors before after clientId clientName organizationId userId
    templateUri httpMethod status200 status300 status400 status500 status429 requests date sortBy
    platforms userIds oauthClientIds organizationIds fieldName order id name selfUri errorBody
    nextUri entities platform requestCount oauthClient user message code status entityId
    entityName messageWithParams messageParams contextId details errors limit errorCode key
    namespace value access_token token_type expires_in error description error_description
    Running Complete Failed Succeeded Queued Day GET Desc OAuthClientId
";

fn wire_word() -> impl Strategy<Value = String> {
    prop_oneof![
        select(WIRE_WORDS.split_whitespace().collect::<Vec<_>>()).prop_map(String::from),
        text()
    ]
}

/// Arbitrary JSON, nested up to four levels, with keys and strings biased to wire names.
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        wire_word().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(wire_word(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Milliseconds from 0000-01-01 to 9999-12-31T23:59:59.999Z: the four-digit years ISO-8601 writes.
const FIRST_MS: i64 = -62_167_219_200_000;
const LAST_MS: i64 = 253_402_300_799_999;

/// An instant of a four-digit year, mostly at the millisecond precision the wire
/// uses (spec §2), sometimes with extra micro- or nanoseconds.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // Half the cases in this century, where real queries live.
    let recent = 946_684_800_000_i64..4_102_444_800_000;
    let extra_nanos = prop_oneof![3 => Just(0_i64), 1 => 0_i64..1_000_000];
    (prop_oneof![FIRST_MS..=LAST_MS, recent], extra_nanos).prop_filter_map(
        "in chrono range",
        |(ms, nanos)| {
            let t = DateTime::<Utc>::from_timestamp_millis(ms)?;
            t.checked_add_signed(TimeDelta::nanoseconds(nanos))
                .filter(|t| t.timestamp_millis() <= LAST_MS)
        },
    )
}

/// A valid interval: two distinct instants, the earlier one first.
pub(crate) fn interval() -> impl Strategy<Value = Interval> {
    (instant(), instant()).prop_filter_map("distinct instants", |(a, b)| {
        Interval::new(a.min(b), a.max(b)).ok()
    })
}
