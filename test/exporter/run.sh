#!/usr/bin/env bash
# Starts Debian's prometheus-postgres-exporter against a throwaway cluster
# (both on 127.0.0.1) with cocoon's custom queries, and checks that the
# cocoon_* metrics it serves over HTTP match cocoon.tables.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib.sh"
if [ "$(id -u)" = 0 ] && ! command -v prometheus-postgres-exporter >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    prometheus-postgres-exporter curl >/dev/null
fi
WORK=$(mktemp -d /tmp/cocoon-exporter.XXXXXX); chmod 755 "$WORK"
EXP_PID=
cleanup() { [ -n "$EXP_PID" ] && kill "$EXP_PID" 2>/dev/null; stop_cluster "$WORK/cluster"; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=$(free_port 26500)
start_cluster "$WORK/cluster" "$PORT" || exit 1
PORT=$(cat "$WORK/cluster/port")
PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1 -h $WORK/cluster -p $PORT -U postgres -d postgres"
$PSQL <<'SQL'
CREATE EXTENSION cocoon;
CREATE TABLE weblogs (ts timestamptz, status int, path text) USING cocoon;
INSERT INTO weblogs SELECT '2026-01-01'::timestamptz + (i || ' s')::interval, 200 + i % 5, '/p/' || i
  FROM generate_series(1, 5000) i;
DELETE FROM weblogs WHERE status = 204;
SQL
cp "$REPO/src/metrics/cocoon_queries.yaml" "$WORK/queries.yaml"
EPORT=$(free_port 26600)
DATA_SOURCE_NAME="host=$WORK/cluster port=$PORT user=postgres dbname=postgres sslmode=disable" \
  prometheus-postgres-exporter --web.listen-address=127.0.0.1:$EPORT \
    --extend.query-path="$WORK/queries.yaml" --disable-default-metrics \
    >"$WORK/exporter.log" 2>&1 &
EXP_PID=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$EPORT/metrics" >"$WORK/metrics.txt" 2>/dev/null && break
  sleep 0.2
done
fail=0
check() {  # check METRIC EXPECTED
  local got
  got=$(grep -E "^$1\{.*table_name=\"weblogs\"" "$WORK/metrics.txt" | awk '{print $2}' | head -1)
  if [ -n "$got" ] && awk -v a="$got" -v b="$2" 'BEGIN{exit !(a+0==b+0)}'; then
    echo "ok: $1 = $got"
  else
    echo "FAILED: $1 = '${got}', expected $2"; fail=1
  fi
}
rows=$($PSQL -At -c "SELECT row_count FROM cocoon.tables WHERE table_name = 'weblogs'")
dead=$($PSQL -At -c "SELECT dead_rows FROM cocoon.tables WHERE table_name = 'weblogs'")
stripes=$($PSQL -At -c "SELECT stripes FROM cocoon.tables WHERE table_name = 'weblogs'")
check cocoon_table_row_count "$rows"
check cocoon_table_dead_rows "$dead"
check cocoon_table_stripes "$stripes"
check cocoon_table_newest_seconds "$($PSQL -At -c "SELECT extract(epoch FROM newest) FROM cocoon.tables WHERE table_name = 'weblogs'")"
if grep -q "^cocoon_table_compression_ratio{" "$WORK/metrics.txt"; then echo "ok: compression_ratio served"; else echo "FAILED: no compression_ratio"; fail=1; fi
[ "$rows" = 4000 ] || { echo "FAILED: expected 4000 live rows, cocoon.tables says $rows"; fail=1; }
if [ $fail != 0 ]; then echo "--- exporter log"; tail -20 "$WORK/exporter.log"; echo "--- metrics"; grep cocoon "$WORK/metrics.txt" | head -20; fi
[ $fail = 0 ] && echo "exporter: 1 passed, 0 failed" || echo "exporter: 0 passed, 1 failed"
exit $fail
