#!/usr/bin/env bash
# Runs a command with MLPERSIST_BENCH_PG_URI naming a database on a throwaway PostgreSQL 15
# server (initdb and pg_ctl in a temporary directory, unix socket only, fsync on as in
# production), stopped and removed afterwards. Without PostgreSQL the command runs alone.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
if [[ ! -x $bin/initdb ]]; then
  exec "$@"
fi
dir=$(mktemp -d /tmp/mlpersist-bench-pg-XXXXXX)
as_owner=()
if [[ $(id -u) == 0 ]]; then  # the server refuses to run as root
  chown nobody:nogroup "$dir"
  as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
chmod 711 "$dir"
cleanup() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U mlpersist --auth=trust -E UTF8 >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-k $dir -c listen_addresses=''" start >/dev/null
"$bin/createdb" -h "$dir" -U mlpersist bench
MLPERSIST_BENCH_PG_URI="postgresql:///bench?host=$dir&user=mlpersist" "$@"
