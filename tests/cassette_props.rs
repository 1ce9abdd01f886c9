//! Properties of the cassette loader: arbitrary bytes never panic it, and a
//! cassette saved then loaded is equal and saves back byte for byte; the
//! pseudonymiser, the scrub and the dataset reading never panic, keep a
//! valid cassette, and give the same stand-ins for the same input.
#![cfg(feature = "cassette")]

use std::collections::BTreeMap;

use genesys_usage::cassette::{
    Cassette, Exchange, Pseudonymiser, RecordedError, RecordedRequest, RecordedResponse, TokenGrant,
};
use genesys_usage::fake::Operation;
use proptest::prelude::*;
use serde_json::Value;

fn text() -> impl Strategy<Value = String> {
    // Quotes, backslashes, non-ASCII and control characters included.
    "[a-zA-Z0-9 _/?%\"\\\\é€\u{1}-]{0,12}"
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn strings() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(text(), text(), 0..3)
}

fn request() -> impl Strategy<Value = RecordedRequest> {
    (
        text(),
        text(),
        strings(),
        strings(),
        prop::option::of(json()),
    )
        .prop_map(|(method, path, path_params, query, body)| RecordedRequest {
            method,
            path,
            path_params,
            query,
            body,
        })
}

fn outcome() -> impl Strategy<Value = (Option<RecordedResponse>, Option<RecordedError>)> {
    let response = (
        any::<u16>(),
        strings(),
        prop::option::of(json()),
        prop::option::of(text()),
    )
        .prop_map(|(status, headers, body, body_text)| RecordedResponse {
            status,
            headers,
            body,
            body_text,
        });
    let error = prop_oneof![
        (text(), text(), any::<bool>()).prop_map(|(kind, message, not_sent)| {
            RecordedError::Transport {
                kind,
                message,
                not_sent,
            }
        }),
        (
            any::<u16>(),
            text(),
            text(),
            any::<bool>(),
            prop::option::of(text())
        )
            .prop_map(|(status, message, snippet, not_json, correlation_id)| {
                RecordedError::Decode {
                    status,
                    message,
                    snippet,
                    not_json,
                    correlation_id,
                }
            }),
        (prop::option::of(any::<u16>()), text())
            .prop_map(|(status, message)| RecordedError::Unauthorized { status, message }),
        (text(), text())
            .prop_map(|(field, message)| RecordedError::InvalidRequest { field, message }),
    ];
    prop_oneof![
        response.prop_map(|r| (Some(r), None)),
        error.prop_map(|e| (None, Some(e))),
    ]
}

fn exchange() -> impl Strategy<Value = Exchange> {
    let grant = (
        any::<bool>(),
        prop::option::of(text()),
        prop::option::of(any::<u64>()),
    )
        .prop_map(|(issued, client_id, expires_in)| TokenGrant {
            issued,
            client_id,
            expires_in,
        });
    (
        prop::sample::select(Operation::ALL.to_vec()),
        request(),
        outcome(),
        prop::option::of(grant),
        any::<u64>(),
    )
        .prop_map(
            |(operation, request, (response, error), token, elapsed_ms)| Exchange {
                operation,
                request,
                response,
                error,
                token,
                elapsed_ms,
            },
        )
}

fn cassette() -> impl Strategy<Value = Cassette> {
    (
        prop::option::of(text()),
        prop::collection::vec(exchange(), 0..5),
    )
        .prop_map(|(recorder, exchanges)| Cassette {
            recorder,
            exchanges,
            ..Cassette::new()
        })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Cassette::from_slice(&bytes);
    }

    #[test]
    fn json_shaped_garbage_never_panics_the_loader(value in json()) {
        let mut with_version = serde_json::json!({"version": 1, "exchanges": [value.clone()]});
        let _ = Cassette::from_slice(&serde_json::to_vec(&with_version).unwrap());
        with_version["exchanges"] = value;
        let _ = Cassette::from_slice(&serde_json::to_vec(&with_version).unwrap());
    }

    #[test]
    fn pseudonymising_and_reading_usage_never_panic_and_keep_a_valid_cassette(cassette in cassette()) {
        let _ = cassette.usage_records("org");
        let mut pseudonyms = Pseudonymiser::new();
        let mut once = cassette.clone();
        pseudonyms.apply(&mut once);
        let bytes = once.to_vec();
        prop_assert_eq!(&Cassette::from_slice(&bytes).unwrap(), &once);
        // Stable for the run: the same input gets the same stand-ins.
        let mut again = cassette.clone();
        pseudonyms.apply(&mut again);
        prop_assert_eq!(again, once);
        let mut scrubbed = cassette;
        scrubbed.scrub("a", "<redacted>");
        prop_assert!(Cassette::from_slice(&scrubbed.to_vec()).is_ok());
    }

    #[test]
    fn a_saved_cassette_loads_back_equal_and_saves_back_identical(cassette in cassette()) {
        let bytes = cassette.to_vec();
        let loaded = Cassette::from_slice(&bytes).unwrap();
        prop_assert_eq!(&loaded, &cassette);
        prop_assert_eq!(loaded.to_vec(), bytes);
    }
}
