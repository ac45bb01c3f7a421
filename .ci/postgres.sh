#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the test suite and export its URL.
#
# Usage: `source .ci/postgres.sh` (exports PERSONAGUARD_TEST_POSTGRES_URL), or run it directly
# to print the URL. Installs Debian's `postgresql` package when missing (needs root), creates a
# fresh cluster in a temporary directory owned by the `postgres` user, listens on a free port
# on loopback only, and creates the database `personaguard_test`. The server is stopped by
# `.ci/postgres.sh stop` or when the temp dir is removed; CI machines are throwaway anyway.
# No `set -e` at top level: this file is sourced into the caller's shell.

_pg_main() (
  set -euo pipefail
  local pgbin pgdir port url
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y postgresql >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y postgresql >/dev/null; }
  fi
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pgdir=$(mktemp -d /tmp/personaguard-pg.XXXXXX)
  chown postgres:postgres "$pgdir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pgdir -c fsync=on -c max_connections=200" \
    start >/dev/null
  runuser -u postgres -- "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres personaguard_test
  url="postgresql://postgres@127.0.0.1:$port/personaguard_test"
  echo "$pgdir" > /tmp/personaguard-pg-last.txt
  echo "$url"
)

if [[ "${1:-}" == "stop" ]]; then
  d=$(cat /tmp/personaguard-pg-last.txt)
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl" -D "$d/data" -m fast stop
  [[ "${BASH_SOURCE[0]}" != "$0" ]] && return 0 || exit 0
fi

if ! PERSONAGUARD_TEST_POSTGRES_URL=$(_pg_main); then
  echo "postgres.sh: could not start PostgreSQL" >&2
  [[ "${BASH_SOURCE[0]}" != "$0" ]] && return 1 || exit 1
fi
export PERSONAGUARD_TEST_POSTGRES_URL
echo "PERSONAGUARD_TEST_POSTGRES_URL=$PERSONAGUARD_TEST_POSTGRES_URL" >&2
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "$PERSONAGUARD_TEST_POSTGRES_URL"
fi
