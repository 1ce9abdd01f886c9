#!/usr/bin/env bash
# Sync throughput and peak memory (issue 13): 90 days x 1,000 records/day of one
# organisation, served by the mock server, synced by `genesys-usage sync` into a new
# SQLite file and (with a URL argument) a new PostgreSQL database. Not run by
# bench/run.sh; figures go to BENCHMARKS.md, section "Sync", by hand.
#
#   cargo build --release --locked --features cli --bin genesys-usage
#   cargo build --release --locked -p genesys-usage-mock --bin genesys-usage-mock
#   bash bench/sync.sh [postgres://user@127.0.0.1:5432/empty_db]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release
work=$(mktemp -d)
trap 'kill "${mock:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
python3 - "$work/bench.jsonl" <<'PY'
import datetime, json, random, sys
random.seed(5)
start = datetime.date(2025, 1, 1)
with open(sys.argv[1], "w") as f:
    for d in range(90):
        day = start + datetime.timedelta(days=d)
        keys = set()
        while len(keys) < 1000:
            keys.add((random.randrange(10), random.randrange(4), random.randrange(25),
                      random.randrange(4), random.randrange(2)))
        for c, u, t, m, p in sorted(keys):
            s400 = random.randrange(20)
            f.write(json.dumps({
                "date": str(day), "organization_id": "org-bench",
                "oauth_client_id": f"c{c}", "oauth_client_name": f"Client {c}",
                "user_id": "" if u == 0 else f"u{u}", "template_uri": f"api/v2/t{t}",
                "http_method": ["GET", "POST", "PUT", "DELETE"][m],
                "platform": ["PublicApi", "Browser"][p],
                "status200": random.randrange(1, 500), "status300": 0, "status400": s400,
                "status429": random.randrange(s400 + 1), "status500": random.randrange(3),
            }) + "\n")
PY
"$bin/genesys-usage-mock" --port 0 --port-file "$work/port" --dataset "$work/bench.jsonl" \
  --clock-start 2025-04-01T12:00:00Z --virtual-clock --lifecycle complete --min-poll-interval 0 \
  >"$work/mock.out" 2>"$work/mock.err" &
mock=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$work/port")
export GENESYSCLOUD_OAUTHCLIENT_ID=mock-client-id GENESYSCLOUD_OAUTHCLIENT_SECRET=mock-client-secret
run() {
  /usr/bin/time -f "%e %M" "$bin/genesys-usage" --base-url "$url" sync --store "$1" \
    --since 2025-01-01 --name org-bench --now 2025-04-01T12:00:00Z \
    --requests-per-minute 1000000 2>&1 >/dev/null | tail -1 |
    awk '{ printf "%.0f rows/s (90,000 rows in %s s), peak RSS %.1f MiB\n", 90000 / $1, $1, $2 / 1024 }'
}
echo "sqlite:   $(run "sqlite:$work/usage.db")"
if [ -n "${1:-}" ]; then echo "postgres: $(run "$1")"; fi
