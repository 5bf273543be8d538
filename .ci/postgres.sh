#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the leaderboard store's tests: a Unix socket in a
# temporary folder, no TCP port, trust authentication (only the folder's owner reaches it).
#
#   source .ci/postgres.sh         start one and export CASESTUDIES_TEST_POSTGRES_URL in this shell
#   bash .ci/postgres.sh start     start one and print the export lines: eval "$(bash .ci/postgres.sh start)"
#   bash .ci/postgres.sh stop      stop the one in $CASESTUDIES_TEST_POSTGRES_DIR and delete its folder
#   bash .ci/postgres.sh stop DIR  the same for the cluster in DIR
#
# PostgreSQL comes from Debian's `postgresql` package (15 on bookworm), installed when its
# binaries are missing. initdb refuses to run as root, so as root the cluster runs as the
# package's `postgres` user. PG_BIN may name another folder of PostgreSQL binaries.

_casestudies_pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local found
  found=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2> /dev/null | sort -V | tail -n 1)
  if [[ -z "$found" && -x "$(command -v initdb 2> /dev/null)" ]]; then
    found=$(dirname "$(readlink -f "$(command -v initdb)")")
  fi
  echo "$found"
}

_casestudies_pg_start() (
  set -euo pipefail
  local bin
  bin=$(_casestudies_pg_bin)
  if [[ -z "$bin" || ! -x "$bin/initdb" || ! -x "$bin/pg_ctl" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
      echo "PostgreSQL is not installed; as root: apt-get install -y postgresql (or set PG_BIN)." >&2
      exit 1
    fi
    echo "installing PostgreSQL (Debian package postgresql)" >&2
    apt-get update -qq > /dev/null && apt-get install -y -qq postgresql > /dev/null
    bin=$(_casestudies_pg_bin)
  fi
  local as=()
  local user
  user=$(id -un)
  if [[ $(id -u) -eq 0 ]]; then # initdb refuses root: run the cluster as the package's user
    user=postgres
    as=(runuser -u "$user" --)
  fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/casestudies-pg.XXXXXX")
  chown "$user" "$dir"
  chmod 0700 "$dir"
  "${as[@]}" "$bin/initdb" --pgdata="$dir/data" --username=casestudies --auth=trust --encoding=UTF8 \
    --locale=C --no-sync > "$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Only the socket in $dir; fsync off: a throwaway cluster for tests, whose clients (not the server) get killed.
  local options="-c listen_addresses='' -k $dir -c fsync=off -c max_connections=200"
  "${as[@]}" "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
    --options="$options" start > /dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  "${as[@]}" "$bin/createdb" --host="$dir" --username=casestudies casestudies
  echo "export CASESTUDIES_TEST_POSTGRES_DIR='$dir'"
  echo "export CASESTUDIES_TEST_POSTGRES_URL='postgresql+psycopg://casestudies@/casestudies?host=$dir'"
)

_casestudies_pg_stop() (
  set -euo pipefail
  local dir=${1:-${CASESTUDIES_TEST_POSTGRES_DIR:-}}
  if [[ -z "$dir" || ! -d "$dir/data" ]]; then
    echo "no throwaway PostgreSQL cluster to stop (got '${dir}')" >&2
    exit 0
  fi
  local bin
  bin=$(_casestudies_pg_bin)
  local as=()
  if [[ $(id -u) -eq 0 ]]; then
    as=(runuser -u "$(stat -c %U "$dir/data")" --)
  fi
  "${as[@]}" "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --wait --timeout=60 stop > /dev/null 2>&1 || true
  rm -rf "$dir"
)

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then # sourced: start one and export its URL here
  if _casestudies_exports=$(_casestudies_pg_start); then
    eval "$_casestudies_exports"
    echo "PostgreSQL for the tests: CASESTUDIES_TEST_POSTGRES_URL=$CASESTUDIES_TEST_POSTGRES_URL" >&2
    echo "stop it with: bash .ci/postgres.sh stop" >&2
  fi
  unset _casestudies_exports
else
  case "${1:-}" in
  start) _casestudies_pg_start ;;
  stop) _casestudies_pg_stop "${2:-}" ;;
  *)
    echo "usage: source .ci/postgres.sh | bash .ci/postgres.sh start | bash .ci/postgres.sh stop [DIR]" >&2
    exit 2
    ;;
  esac
fi
