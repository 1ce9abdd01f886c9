//! Loads the wire payloads of `fixtures/` (one JSON file per situation).
//!
//! Included by test files with `#[path = "support/fixtures.rs"] mod fixtures;`;
//! self-contained so any test target can use it without other support files.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

use serde::de::DeserializeOwned;

/// The `fixtures/` directory of the SDK package.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The text of `fixtures/{name}`; panics naming the file when it cannot be read.
pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} cannot be read: {e}", path.display()))
}

/// `fixtures/{name}` parsed as `T`; panics naming the file when it does not parse.
pub fn fixture_json<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture(name))
        .unwrap_or_else(|e| panic!("fixture {name} does not parse as the expected type: {e}"))
}

/// The names of every `*.json` file in `fixtures/`, sorted.
pub fn fixture_names() -> Vec<String> {
    let dir = fixtures_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("fixtures dir {} cannot be read: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}
