#!/usr/bin/env bash
# Load with nothing lost: builds the release mock server binary and runs the
# ignored test tests/load.rs against it (200 clients x 50 queries by default,
# about 5 % of answers faulted; see RELIABILITY.md for the figures).
#
#   bench/load.sh                              # full run
#   LOAD_CLIENTS=20 LOAD_QUERIES=5 bench/load.sh   # a quick one
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p genesys-usage-mock --bin genesys-usage-mock
export GENESYS_USAGE_MOCK_BIN="$PWD/target/release/genesys-usage-mock"
cargo test --release --locked --all-features --test load -- --ignored --nocapture
