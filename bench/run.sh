#!/usr/bin/env bash
# Runs every benchmark of issue 7 once, in order, and writes BENCHMARKS.md.
#
#   bash bench/run.sh                 # the full set (about 13 minutes on 2 cores)
#   BENCH_QUICK=1 bash bench/run.sh   # a short smoke run (figures not meaningful)
#   bash bench/run.sh polling official   # only these benches (report re-rendered)
#
# It installs what it needs (wrk from Debian, the official Genesys Python SDK
# in a virtual environment, matplotlib in another for the charts), builds the
# release binaries first so no bench measures a compile, and keeps each
# bench's JSON result in target/bench-results/ for bench/report.py (which
# also draws docs/bench/*.svg).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

benches=("$@")
if [ ${#benches[@]} -eq 0 ]; then
  benches=(client_overhead large_results concurrency throughput polling official scale)
fi

# --- prerequisites -----------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (load generator for the throughput bench)" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk >/dev/null
fi
# shellcheck source=tests/official_sdk/venv.sh
source tests/official_sdk/venv.sh
# matplotlib (pinned) for the charts bench/report.py draws into docs/bench/.
MATPLOTLIB_VERSION=3.9.2
bench_venv=target/bench-venv
if [ ! -x "$bench_venv/bin/python" ]; then
  python3 -m venv "$bench_venv"
fi
if ! "$bench_venv/bin/python" -c "import matplotlib" 2>/dev/null; then
  "$bench_venv/bin/pip" install --quiet --disable-pip-version-check "matplotlib==$MATPLOTLIB_VERSION"
fi

# --- build everything before measuring anything -------------------------------
cargo build --release --locked -p genesys-usage-mock --bin genesys-usage-mock
cargo build --release --locked --all-features --examples
cargo bench --locked --all-features --no-run
export GENESYS_USAGE_MOCK_BIN="$PWD/target/release/genesys-usage-mock"

# --- run ----------------------------------------------------------------------
results=target/bench-results
mkdir -p "$results"
export BENCH_RESULTS_DIR="$PWD/$results"
timings="{"
started=$SECONDS
for bench in "${benches[@]}"; do
  echo "==> $bench" >&2
  t0=$SECONDS
  cargo bench --locked --all-features --bench "$bench"
  timings+="\"$bench\": $((SECONDS - t0)), "
done
timings+="\"total_seconds\": $((SECONDS - started))}"
echo "$timings" >"$results/timings.json"

"$bench_venv/bin/python" bench/report.py "$results" >BENCHMARKS.md
echo "wrote BENCHMARKS.md (benches took $((SECONDS - started)) s)" >&2
