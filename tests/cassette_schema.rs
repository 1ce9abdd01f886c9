//! `docs/cassette.schema.json` describes what the SDK writes: recordings
//! with every kind of outcome validate against it, and the validator (a
//! small one, for the keywords the schema uses) rejects what it should.
#![cfg(feature = "cassette")]

use std::time::Duration;

use genesys_usage::cassette::RecordingTransport;
use genesys_usage::fake::{
    FakeTransport, Fault, FaultRule, FaultTrigger, Lifecycle, Operation, RetryAfterHint, Terminal,
};
use genesys_usage::{ApiUsageOrganizationQuery, UsageClient, UsageTransport, WaitPolicy};
use serde_json::{Value, json};

fn schema() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/cassette.schema.json"
    ))
    .expect("docs/cassette.schema.json exists");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The errors of `value` against `schema` (keywords: type, const, enum,
/// required, properties, additionalProperties, items, oneOf, $ref, minimum,
/// maximum); `at` is the JSON path for messages.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return validate(root, &root["$defs"][name], value, at);
    }
    let mut errors = Vec::new();
    if let Some(expected) = schema.get("const") {
        if value != expected {
            errors.push(format!("{at}: expected {expected}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            errors.push(format!("{at}: {value} not in enum"));
        }
    }
    let type_ok = match schema.get("type").and_then(Value::as_str) {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some("boolean") => value.is_boolean(),
        _ => true,
    };
    if !type_ok {
        errors.push(format!("{at}: wrong type"));
        return errors;
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if n < min {
            errors.push(format!("{at}: below minimum"));
        }
    }
    if let (Some(max), Some(n)) = (
        schema.get("maximum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if n > max {
            errors.push(format!("{at}: above maximum"));
        }
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let passing = branches
            .iter()
            .filter(|b| validate(root, b, value, at).is_empty())
            .count();
        if passing != 1 {
            errors.push(format!("{at}: {passing} oneOf branches match"));
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            errors.extend(validate(root, items, item, &format!("{at}[{i}]")));
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !object.contains_key(name.as_str().unwrap_or_default()) {
                errors.push(format!("{at}: missing {name}"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, inner) in object {
            let path = format!("{at}.{name}");
            match (
                properties.and_then(|p| p.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => errors.extend(validate(root, sub, inner, &path)),
                (None, Some(Value::Bool(false))) => errors.push(format!("{path}: not allowed")),
                (None, Some(sub)) if sub.is_object() => {
                    errors.extend(validate(root, sub, inner, &path))
                }
                _ => {}
            }
        }
    }
    errors
}

fn errors_of(value: &Value) -> Vec<String> {
    let root = schema();
    validate(&root, &root, value, "$")
}

#[tokio::test(start_paused = true)]
async fn recordings_with_every_kind_of_outcome_validate() {
    let poll = Operation::GetUsageQueryExecutionIdResults;
    let on_poll = |fault, n| FaultRule::new(fault).on(poll).when(FaultTrigger::Nth(n));
    let fake = FakeTransport::builder()
        .lifecycle(Lifecycle::polls(0, 8, Terminal::Complete))
        .fault(on_poll(
            Fault::RateLimited {
                retry_after: RetryAfterHint::Seconds(2),
            },
            1,
        ))
        .fault(on_poll(Fault::ConnectionReset, 2))
        .fault(on_poll(Fault::TokenExpired, 3))
        .fault(on_poll(Fault::ServerError { status: 503 }, 4))
        .build();
    let recorder = RecordingTransport::new(fake);
    let client = UsageClient::with_transport(recorder.clone()).with_wait_policy(WaitPolicy::fixed(
        Duration::from_secs(1),
        Duration::from_secs(120),
    ));
    client
        .run_usage_query(&ApiUsageOrganizationQuery::new("2025-06-01/2025-06-08"))
        .await
        .unwrap();
    // An unsendable request: the SDK refuses an empty id.
    let _ = recorder.get_usage_query_execution_id_results("").await;
    let cassette = recorder.cassette();
    let value: Value = serde_json::from_slice(&cassette.to_vec()).unwrap();
    let text = value.to_string();
    for expected in [
        "\"status\":429",
        "\"type\":\"transport\"",
        "\"status\":401",
        "\"operation\":\"token\"",
        "\"type\":\"invalid_request\"",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert_eq!(errors_of(&value), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_unknown_keys_two_outcomes_kinds_and_versions() {
    let ok = json!({"version": 1, "exchanges": [{"operation": "token", "request": {"method": "POST", "path": "/oauth/token"}, "token": {"issued": true, "expires_in": 86400}}]});
    assert_eq!(errors_of(&ok), Vec::<String>::new());
    let mut bad = ok.clone();
    bad["version"] = json!(2);
    assert!(!errors_of(&bad).is_empty());
    let mut bad = ok.clone();
    bad["exchanges"][0]["token"]["access_token"] = json!("x");
    assert!(errors_of(&bad).iter().any(|e| e.contains("access_token")));
    let mut bad = ok.clone();
    bad["exchanges"][0]["error"] =
        json!({"type": "transport", "kind": "warp", "message": "m", "not_sent": true});
    assert!(!errors_of(&bad).is_empty());
    let mut bad = ok;
    bad["exchanges"][0]["operation"] = json!("delete_everything");
    assert!(!errors_of(&bad).is_empty());
}
