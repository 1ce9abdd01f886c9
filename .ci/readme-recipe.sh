#!/usr/bin/env bash
# The README's "Run the mock server in CI" recipe, run as written: its
# "Start it" and "Stop it" shell blocks are cut out of README.md, so the
# recipe users copy cannot drift from one that works.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "$(cat "$work/mock.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

# The block under "- name: Start it…" up to the next "- name:", unindented.
python3 - "$work/start.sh" <<'PY'
import re, sys
readme = open("README.md", encoding="utf-8").read()
m = re.search(r"- name: Start it[^\n]*\n  run: \|\n((?:    [^\n]*\n)+)", readme)
if not m:
    sys.exit("README: no 'Start it' step with a run: | block in the CI recipe")
open(sys.argv[1], "w").write("".join(l[4:] + "\n" for l in m.group(1).splitlines()))
PY

export PATH="$PWD/target/debug:$PATH" GITHUB_ENV="$work/github.env"
test -x target/debug/genesys-usage-mock || cargo build --locked -p genesys-usage-mock
(cd "$work" && bash -euo pipefail start.sh)
url=$(sed -n 's/^GENESYSCLOUD_BASE_URL=//p' "$GITHUB_ENV")
case "$url" in http://127.0.0.1:[0-9]*) ;; *) echo "recipe exported no base URL: '$url'" >&2; exit 1 ;; esac
python3 - "$url" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/__admin/health", timeout=5) as r:
    assert json.load(r)["status"] == "ok", "health"
PY
kill "$(cat "$work/mock.pid")"
for _ in $(seq 1 50); do kill -0 "$(cat "$work/mock.pid")" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$(cat "$work/mock.pid")" 2>/dev/null; then echo "the mock did not stop on SIGTERM" >&2; exit 1; fi
echo "README CI recipe: started at $url, healthy, stopped"
