#!/usr/bin/env bash
# Installs the official Genesys Python SDK (pinned) in a virtual environment,
# starts the genesys-usage-mock binary on a free loopback port, drives every
# Usage operation of that SDK through it, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/official_sdk/venv.sh
source tests/official_sdk/venv.sh

cargo build --locked --quiet -p genesys-usage-mock
port_file=$(mktemp)
log=$(mktemp)
./target/debug/genesys-usage-mock --port 0 --port-file "$port_file" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

# Wait (bounded) for the one "listening on" line.
for _ in $(seq 1 100); do
  grep -q '^listening on http://127.0.0.1:' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
url=$(grep -m1 '^listening on ' "$log" | sed 's/^listening on //')
[ -n "$url" ] || { echo "mock server did not report a listening address" >&2; cat "$log" >&2; exit 1; }
echo "official SDK $SDK_VERSION against $url"
"$venv/bin/python" tests/official_sdk/drive.py "$url"
