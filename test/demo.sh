#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine:
#   bash test/demo.sh [ROWS]
# installs the Debian packages it needs (as root), builds and installs
# cocoon, starts a throwaway cluster on a free loopback port, generates
# ROWS sample log rows (default 1000000), loads them into a cocoon table and
# a heap table, and shows queries with their timings and the compression.
# The cluster is left running; the last lines say how to connect and stop.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/test/lib.sh"
ROWS=${1:-1000000}

install_packages
build_install

WORK=$(mktemp -d /tmp/cocoon-demo.XXXXXX)
chmod 755 "$WORK"
PORT=$(free_port 24400)
log "starting a throwaway cluster in $WORK on 127.0.0.1:$PORT"
COCOON_SHARED_BUFFERS=${COCOON_SHARED_BUFFERS:-512MB} start_cluster "$WORK/cluster" "$PORT" || exit 1
PORT=$(cat "$WORK/cluster/port")

log "generating $ROWS sample log rows"
cc -O2 -o "$WORK/gen" "$REPO/bench/gen.c" -lm
"$WORK/gen" --rows "$ROWS" --seed 1 --csv "$WORK/logs.csv" --json "$WORK/logs.jsonl" >/dev/null
chmod 644 "$WORK/logs.csv"

PSQL="$PGBIN/psql -X -h $WORK/cluster -p $PORT -U postgres -d postgres"
log "loading and querying (psql, \\timing on)"
$PSQL -v ON_ERROR_STOP=1 <<SQL
\\timing on
CREATE EXTENSION cocoon;
CREATE TABLE logs (ts timestamptz, level text, service text, host text, message text,
                   status int, latency_ms float8, trace_id uuid, attrs jsonb) USING cocoon;
CREATE TABLE logs_heap (LIKE logs) USING heap;
\\echo '-- COPY into cocoon, then into heap'
COPY logs FROM '$WORK/logs.csv' (FORMAT csv);
COPY logs_heap FROM '$WORK/logs.csv' (FORMAT csv);
VACUUM ANALYZE logs_heap;
ANALYZE logs;
\\d+ logs
\\echo '-- how many rows per level'
SELECT level, count(*) FROM logs GROUP BY 1 ORDER BY 2 DESC;
\\echo '-- the last 5 minutes of logs'
SELECT ts, level, service, left(message, 60) AS message
  FROM logs WHERE ts > (SELECT max(ts) FROM logs) - interval '5 minutes'
 ORDER BY ts DESC LIMIT 5;
\\echo '-- p99 latency per service (top 5)'
SELECT service, round(percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms)::numeric, 1) AS p99_ms
  FROM logs GROUP BY 1 ORDER BY 2 DESC LIMIT 5;
\\echo '-- what the scan skipped for a one-hour window'
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT count(*) FROM logs
 WHERE ts >= (SELECT min(ts) FROM logs_heap) + interval '1 day'
   AND ts <  (SELECT min(ts) FROM logs_heap) + interval '1 day 1 hour';
\\echo '-- compression'
SELECT row_count, stripes, pg_size_pretty(raw_bytes) AS raw, pg_size_pretty(stored_bytes) AS stored,
       round(compression_ratio::numeric, 1) AS ratio FROM cocoon.stats('logs');
SELECT attname, codecs, pg_size_pretty(stored_bytes) AS stored FROM cocoon.column_stats('logs') ORDER BY attnum;
SELECT pg_size_pretty(pg_total_relation_size('logs_heap')) AS heap_size,
       pg_size_pretty((SELECT stored_bytes FROM cocoon.stats('logs'))) AS cocoon_size,
       round(pg_total_relation_size('logs_heap')::numeric / (SELECT stored_bytes FROM cocoon.stats('logs')), 1) AS smaller_than_heap,
       round($(stat -c %s "$WORK/logs.jsonl")::numeric / (SELECT stored_bytes FROM cocoon.stats('logs')), 1) AS smaller_than_json;
SQL

log "the cluster is still running"
echo "connect:  $PSQL"
echo "stop:     su postgres -c '$PGBIN/pg_ctl -D $WORK/cluster/data stop' && rm -rf $WORK"
