#!/usr/bin/env bash
# Cocoon through ordinary PostgreSQL clients:
#   bash test/clients/run.sh
# As root it installs the Debian packages it needs (SQLAlchemy, psycopg2, Django,
# rsyslog + ompgsql; nodejs/npm only if node/npm are missing), runs `npm ci` in
# test/clients/node (pg, pg-copy-streams, knex from the npm registry), builds and
# installs cocoon, starts ONE throwaway cluster on a free 127.0.0.1 port and runs:
#   python sqlalchemy, python django, node pg, node knex, rsyslog ompgsql, psql
# each in its own database with CREATE EXTENSION cocoon.  Prints "ok: NAME" /
# "FAILED: NAME" per test, then "N passed, M failed"; exits non-zero on failure.
# NO_BUILD=1 skips building (tests the installed cocoon).
# KEEP=1 keeps the work dir (cluster, logs, rsyslog config) for inspection.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/test/lib.sh"

PY=/usr/bin/python3                 # Debian's python3, where the apt modules live
CLIENT_PACKAGES="python3 python3-sqlalchemy python3-psycopg2 python3-django rsyslog rsyslog-pgsql
  bsdutils"                         # bsdutils: logger(1)
TEST_TIMEOUT=${TEST_TIMEOUT:-300}

install_client_packages() {
  local p missing=()
  local want="$CLIENT_PACKAGES"
  command -v node >/dev/null || want="$want nodejs"
  command -v npm >/dev/null || want="$want npm"      # nodesource's nodejs bundles npm
  [ -x "$PG_CONFIG" ] && [ -x "$PGBIN/postgres" ] || want="$want $APT_PACKAGES"
  for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && { log "client packages already installed"; return 0; }
  if [ "$(id -u)" != 0 ]; then
    log "not root: missing packages ${missing[*]} -- install them first"; return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # rsyslog-pgsql would otherwise ask dbconfig-common to create a "Syslog"
  # database in the system cluster; the test makes its own table instead
  echo "rsyslog-pgsql rsyslog-pgsql/dbconfig-install boolean false" | debconf-set-selections
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

npm_install() {
  log "npm ci in test/clients/node (pg, pg-copy-streams, knex)"
  (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error)
}

install_client_packages || exit 1
npm_install || exit 1
# NO_BUILD=1: test the cocoon that is already installed (e.g. while src/ is mid-edit)
[ -n "${NO_BUILD:-}" ] || build_install || exit 1

WORK=$(mktemp -d /tmp/cocoon-clients.XXXXXX)
chmod 755 "$WORK"
CL="$WORK/cluster"
cleanup() {
  local pidf="$WORK/rsyslog/rsyslogd.pid"
  [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null   # only if the test left it running
  stop_cluster "$CL"
  if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(free_port 26432)
log "starting a throwaway cluster on 127.0.0.1:$PORT"
start_cluster "$CL" "$PORT" || exit 1
PORT=$(cat "$CL/port")

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
export PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH PGDATABASE PGSERVICE PGOPTIONS
PSQL=$PGBIN/psql

newdb() {  # newdb NAME: a fresh database with the extension
  "$PSQL" -X -q -d postgres -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" &&
  "$PSQL" -X -q -d "$1" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION cocoon"
}

T="timeout $TEST_TIMEOUT"          # no client test may hang the suite
t_sqlalchemy() { newdb sqla && SQLA_DB=sqla $T $PY "$HERE/python/sqlalchemy_test.py"; }
t_django()     { newdb django && newdb django_cocoon &&
                 DJANGO_DB=django DJANGO_DB2=django_cocoon $T $PY "$HERE/python/django_test.py"; }
t_node_pg()    { newdb node_pg && (cd "$HERE/node" && PGDATABASE=node_pg $T node pg_test.js); }
t_node_knex()  { newdb node_knex && (cd "$HERE/node" && PGDATABASE=node_knex $T node knex_test.js); }
t_rsyslog() {
  local tcp udp
  tcp=$(free_port 27514); udp=$(free_port $((tcp + 1)))
  newdb rsyslog && PGDATABASE=rsyslog RSYSLOG_WORK="$WORK/rsyslog" TCP_PORT=$tcp UDP_PORT=$udp \
    N=${RSYSLOG_N:-3000} $T $PY "$HERE/rsyslog/rsyslog_test.py"
}
t_psql() { newdb psql && mkdir -p "$WORK/psql" && PGDATABASE=psql WORK="$WORK/psql" PSQL=$PSQL \
             $T bash "$HERE/psql_test.sh"; }

passed=0; failed=0; failures=()
run_test() {  # run_test NAME FUNCTION
  local name=$1 fn=$2 start=$SECONDS
  log "$name"
  if "$fn"; then
    passed=$((passed+1)); echo "  ($((SECONDS-start))s)"; echo "ok: $name"
  else
    failed=$((failed+1)); failures+=("$name"); echo "  ($((SECONDS-start))s)"; echo "FAILED: $name"
  fi
}

run_test "python sqlalchemy" t_sqlalchemy
run_test "python django" t_django
run_test "node pg" t_node_pg
run_test "node knex" t_node_knex
run_test "rsyslog ompgsql" t_rsyslog
run_test "psql" t_psql

if [ "$failed" != 0 ]; then
  log "server log (errors)"
  grep -E 'ERROR|FATAL|PANIC|TRAP' "$CL/server.log" | tail -20
fi
log "summary"
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
