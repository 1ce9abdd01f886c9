#!/usr/bin/env bash
# Record once, replay everywhere, over HTTP with the official Genesys Python
# SDK: an upstream mock server; a second one as the recording proxy in front
# of it (--record --upstream); the SDK driver through the proxy; SIGTERM
# writes the cassette; the upstream is stopped (its port closed); a third
# server replays the cassette (--replay) and the same driver passes against
# it, for every operation it ran while recording. Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/official_sdk/venv.sh
source tests/official_sdk/venv.sh

cargo build --locked --quiet -p genesys-usage-mock
mock=./target/debug/genesys-usage-mock
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME ARGS...: starts the mock with ARGS, waits for its listening line,
# sets $url and $pid.
start() {
  local name=$1
  shift
  "$mock" --port 0 "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    grep -q '^listening on http://127.0.0.1:' "$work/$name.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  url=$(grep -m1 '^listening on ' "$work/$name.log" | sed 's/^listening on //')
  [ -n "$url" ] || { echo "$name did not report a listening address" >&2; cat "$work/$name.log" >&2; exit 1; }
}

# stop PID: SIGTERM, then wait (bounded) for the process to exit.
stop() {
  kill -TERM "$1"
  for _ in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  echo "process $1 did not stop within 10 s" >&2
  exit 1
}

start upstream
upstream_url=$url upstream_pid=$pid
cassette="$work/usage.cassette.json"
start recorder --record "$cassette" --upstream "$upstream_url"
recorder_pid=$pid
echo "official SDK $SDK_VERSION recording through $url (upstream $upstream_url)"
"$venv/bin/python" tests/official_sdk/drive.py "$url"
stop "$recorder_pid"
[ -s "$cassette" ] || { echo "no cassette written on SIGTERM" >&2; cat "$work/recorder.log" >&2; exit 1; }
if grep -q -e 'mock-client-secret' -e 'access_token' -i -e 'authorization' "$cassette"; then
  echo "the cassette holds a secret, a token or an Authorization header" >&2
  exit 1
fi
stop "$upstream_pid"
port=${upstream_url##*:}
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "the upstream port $port is still open" >&2
  exit 1
fi

start replay --replay "$cassette" --min-poll-interval 0s
echo "official SDK $SDK_VERSION against the replay at $url (upstream gone)"
"$venv/bin/python" tests/official_sdk/drive.py "$url" --replay
