#!/usr/bin/env bash
# The genesys-usage-mock container image, built and tried for real.
#
#   mock-server/container.sh build   the static binary, then the image genesys-usage-mock:latest
#   mock-server/container.sh smoke   run the image, wait for its health, drive the official
#                                    Genesys Python SDK through it, stop it and remove it
#
# The image is standard (mock-server/Containerfile; docker build works as
# well). The workarounds below are for the CI machines this runs on, and
# live only here:
# - The cgroups there are v1 (a hybrid v1/v2 layout), which crun, podman's
#   preferred runtime, refuses ("cgroups in hybrid mode not supported"):
#   `--runtime runc`.
# - podman asks the runtime to raise RLIMIT_NOFILE (its default ulimits),
#   which the sandbox forbids to either runtime ("setrlimit RLIMIT_NOFILE:
#   operation not permitted"), so no container starts: a containers.conf
#   (CONTAINERS_CONF) holding `[containers] default_ulimits = []` keeps the
#   limits the machine gives. Port publishing with `-p` then works.
# - There is no systemd, so podman cannot arm HEALTHCHECK timers (it says
#   so on stderr, and runs the container all the same); the smoke test runs
#   the image's health check itself (`podman healthcheck run`).
# podman and runc come from Debian's packages when missing (as root).
#
# Environment: GENESYS_MOCK_IMAGE (default genesys-usage-mock:latest),
# CONTAINER_START_TIMEOUT seconds for the listening line (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

image=${GENESYS_MOCK_IMAGE:-genesys-usage-mock:latest}
triple=x86_64-unknown-linux-gnu
target_dir=target/container
# The `container` profile of the root Cargo.toml: release, symbols stripped.
binary=$target_dir/$triple/container/genesys-usage-mock

install_podman() {
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && return
  if [ "$(id -u)" != 0 ]; then
    echo "container.sh: podman and runc are needed (apt-get install podman runc, as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null
}

# The containers.conf of the workaround above, generated beside the build.
use_containers_conf() {
  mkdir -p "$target_dir"
  printf '[containers]\ndefault_ulimits = []\n' >"$target_dir/containers.conf"
  export CONTAINERS_CONF=$PWD/$target_dir/containers.conf
}

build() {
  install_podman
  use_containers_conf
  # Statically linked (glibc's static libraries, aws-lc compiled in), so it
  # runs on `scratch`. Its own target dir: RUSTFLAGS would otherwise force a
  # rebuild of everything the normal builds share.
  RUSTFLAGS="-C target-feature=+crt-static" cargo build --profile container --locked \
    --target "$triple" -p genesys-usage-mock --bin genesys-usage-mock --target-dir "$target_dir"
  if ! ldd "$binary" 2>&1 | grep -Eq 'not a dynamic executable|statically linked'; then
    echo "container.sh: $binary is not statically linked" >&2
    ldd "$binary" >&2 || true
    exit 1
  fi
  local version revision
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' mock-server/Cargo.toml | head -n1)
  revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  # --format docker: the OCI format has no HEALTHCHECK (podman would drop it).
  podman build --quiet --format docker -f mock-server/Containerfile \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" -t "$image" . >/dev/null
  printf 'image %s: binary %s bytes, image %s bytes\n' "$image" "$(stat -c %s "$binary")" \
    "$(podman image inspect --format '{{.Size}}' "$image")"
}

# A free TCP port on 127.0.0.1 for the published port.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The containers the smoke test started, removed on any exit.
started_containers=()
cleanup() {
  local name
  for name in "${started_containers[@]}"; do
    podman rm --force --time 0 "$name" >/dev/null 2>&1 || true
  done
}

# run_container NAME PORT PODMAN-RUN-ARGS…: starts the image detached with
# its port published on 127.0.0.1:PORT, then waits (bounded) for its one
# stdout line. podman's stderr goes to a file, shown on failure: without
# systemd it logs an error about the HEALTHCHECK timer on every run.
run_container() {
  local name=$1 port=$2 err=$target_dir/$1.err
  shift 2
  started_containers+=("$name")
  podman run --runtime runc --detach --name "$name" -p "127.0.0.1:$port:8080" "$@" "$image" \
    >/dev/null 2>"$err" || { cat "$err" >&2; exit 1; }
  local line="" deadline=$((SECONDS + ${CONTAINER_START_TIMEOUT:-30}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    line=$(podman logs "$name" 2>/dev/null | grep -m1 '^listening on ' || true)
    [ -n "$line" ] && break
    [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || break
    sleep 0.05
  done
  if [ "$line" != "listening on http://0.0.0.0:8080" ]; then
    echo "container.sh: $name printed no listening line (got '$line'); its log:" >&2
    podman logs "$name" >&2 || true
    exit 1
  fi
}

# stop_container NAME: SIGTERM to PID 1 must stop the server cleanly (exit 0)
# well within podman's 10 s; then the container is removed.
stop_container() {
  local name=$1 status
  podman stop --time 10 "$name" >/dev/null 2>>"$target_dir/$name.err"
  status=$(podman inspect --format '{{.State.ExitCode}}' "$name")
  [ "$status" = 0 ] || { echo "container.sh: $name exited $status on SIGTERM" >&2; exit 1; }
  podman rm "$name" >/dev/null 2>>"$target_dir/$name.err"
}

smoke() {
  install_podman
  use_containers_conf
  podman image exists "$image" || { echo "container.sh: no image $image (run: $0 build)" >&2; exit 1; }
  # shellcheck source=tests/official_sdk/venv.sh
  source tests/official_sdk/venv.sh
  trap cleanup EXIT
  local port url started name=genesys-usage-mock-smoke-$$

  # A settings file through a read-only volume, as the README shows (checked
  # below through the token lifetime it sets). The image runs as uid 65532:
  # the file must be readable by others.
  local config_dir=$target_dir/smoke-config
  mkdir -p "$config_dir"
  printf 'token-ttl = "2h"\n' >"$config_dir/mock.toml"
  chmod 0755 "$config_dir" && chmod 0644 "$config_dir/mock.toml"
  port=$(free_port)
  url=http://127.0.0.1:$port
  started=$(date +%s%N)
  run_container "$name" "$port" -v "$PWD/$config_dir:/config:ro" -e GENESYS_MOCK_CONFIG=/config/mock.toml
  # Polled every 50 ms; most of it is podman's own start-up (the server
  # prints the line a few milliseconds after its exec).
  echo "listening line $((($(date +%s%N) - started) / 1000000)) ms after podman run"

  # The image's own HEALTHCHECK, run inside the container.
  local healthy=""
  for _ in $(seq 1 20); do
    if podman healthcheck run "$name" >/dev/null 2>&1; then healthy=1 && break; fi
    sleep 0.25
  done
  [ -n "$healthy" ] || { echo "container.sh: the image's HEALTHCHECK never passed" >&2; exit 1; }
  echo "HEALTHCHECK: healthy"

  python3 - "$url" <<'PY'
import base64, json, sys, urllib.request
basic = base64.b64encode(b"mock-client-id:mock-client-secret").decode()
request = urllib.request.Request(sys.argv[1] + "/oauth/token", data=b"grant_type=client_credentials",
                                 headers={"Authorization": "Basic " + basic})
with urllib.request.urlopen(request, timeout=5) as answer:
    ttl = json.load(answer)["expires_in"]
if ttl != 7200:
    sys.exit(f"the mounted config was not applied: expires_in {ttl}, expected 7200")
print("mounted GENESYS_MOCK_CONFIG applied (token lifetime 7200 s)")
PY
  echo "official SDK $SDK_VERSION against the container at $url"
  "$venv/bin/python" tests/official_sdk/drive.py "$url"
  stop_container "$name"
  echo "container stopped (exit 0) and removed"

  # A dataset file through a volume (the README's example): the server
  # answers from it. Its dates are fixed, so the SDK drive above, which asks
  # for the last days, runs on the synthetic log instead.
  name=genesys-usage-mock-dataset-$$
  port=$(free_port)
  run_container "$name" "$port" -v "$PWD/fixtures/datasets:/data:ro" \
    -e GENESYS_MOCK_DATASET=/data/three_orgs.csv
  python3 - "http://127.0.0.1:$port" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/__admin/dataset", timeout=5) as answer:
    summary = json.load(answer)
if summary["source"] != "loaded" or not summary["origin"].endswith("three_orgs.csv") or summary["records"] < 1:
    sys.exit(f"the mounted dataset was not served: {summary}")
print(f"mounted GENESYS_MOCK_DATASET served: {summary['records']} records, {len(summary['organizations'])} organisations")
PY
  stop_container "$name"
  echo "container stopped (exit 0) and removed"
}

case "${1:-}" in
  build) build ;;
  smoke) smoke ;;
  *) echo "usage: $0 build|smoke" >&2; exit 2 ;;
esac
