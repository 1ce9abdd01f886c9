#!/usr/bin/env bash
# A throwaway PostgreSQL server on 127.0.0.1 for the store suite.
#
#   .ci/postgres.sh start   installs Debian's postgresql if missing (root only),
#                           creates a cluster in a temporary directory, starts it
#                           on 127.0.0.1:$PG_TEST_PORT (default 54329) and prints
#                           `export GENESYS_USAGE_TEST_PG=postgres://…` for eval
#   .ci/postgres.sh stop    stops that server and removes its directory
#
# Trust authentication on the loopback address only: the cluster lives for one
# test run and holds nothing but test data. Everything it prints other than the
# export line goes to stderr.
set -euo pipefail
port=${PG_TEST_PORT:-54329}
dir=${PG_TEST_DIR:-${TMPDIR:-/tmp}/genesys-usage-pg-$port}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# initdb and postgres refuse to run as root: then run them as `postgres`.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "${1:-}" in
  start)
    bin=$(pg_bin)
    if [ -z "$bin" ]; then
      if [ "$(id -u)" != 0 ]; then
        echo "postgres.sh: PostgreSQL is not installed (apt-get install postgresql, as root)" >&2
        exit 1
      fi
      echo "postgres.sh: installing postgresql from Debian's packages" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      # policy-rc.d 101 keeps the package from starting its own cluster.
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      apt-get install -y -qq postgresql >&2
      rm -f /usr/sbin/policy-rc.d
      bin=$(pg_bin)
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
      start >&2
    echo "export GENESYS_USAGE_TEST_PG=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
