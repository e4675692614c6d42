#!/usr/bin/env bash
# psql against cocoon tables: \d+ / \dt+ / \dA show the access method, \copy in
# and out round-trips, and UPDATE/DELETE by primary key (SKIP on SQLSTATE 0A000).
# Environment: PGHOST PGPORT PGUSER PGDATABASE, PSQL (default: PG 15's psql), WORK.
set -uo pipefail
PSQL=${PSQL:-/usr/lib/postgresql/15/bin/psql}
export PGTZ=UTC PGDATESTYLE=ISO   # the \copy TO comparison below is byte for byte
WORK=${WORK:-$(mktemp -d)}
fails=0
pass() { echo "  pass: $*"; }
fail() { echo "  FAIL: $*"; fails=$((fails+1)); }
q() { "$PSQL" -X -q -v ON_ERROR_STOP=1 "$@"; }

q <<'SQL' || fail "create tables"
SET client_min_messages = warning;
DROP TABLE IF EXISTS psql_logs, psql_default;
CREATE TABLE psql_logs (id bigint PRIMARY KEY, ts timestamptz NOT NULL, level text, message text)
  USING cocoon;
SET default_table_access_method = cocoon;
CREATE TABLE psql_default (ts timestamptz, message text);
SQL

d=$(q -c '\d+ psql_logs')
if grep -qx 'Access method: cocoon' <<<"$d"; then pass '\d+ psql_logs shows "Access method: cocoon"'
else fail '\d+ psql_logs does not show "Access method: cocoon"'; echo "$d"; fi
d=$(q -c '\d+ psql_default')
if grep -qx 'Access method: cocoon' <<<"$d"; then pass '\d+ shows cocoon for a table made under SET default_table_access_method'
else fail '\d+ psql_default'; echo "$d"; fi
d=$(q -A -F'|' -c '\dt+ psql_*')
if [ "$(grep -c '|cocoon|' <<<"$d")" = 2 ]; then pass '\dt+ lists both tables with access method cocoon'
else fail '\dt+'; echo "$d"; fi
d=$(q -A -F'|' -t -c '\dA cocoon')
if [ "$d" = "cocoon|Table" ]; then pass '\dA cocoon: a Table access method'
else fail "\\dA cocoon: $d"; fi

# \copy in from a client-side CSV (quotes, commas, newlines, UTF-8, NULL) and out again
/usr/bin/python3 - "$WORK/in.csv" <<'PY'
import sys
msgs = ['plain', "it's 'quoted'", 'a "double", quote', 'two\nlines', 'héllo ✓ 日本語', None, '']
def field(m):
    if m is None:
        return '\\N'                     # COPY's NULL option below
    if m == '' or any(ch in m for ch in ',"\n\r'):
        return '"' + m.replace('"', '""') + '"'   # quoted the way COPY TO (FORMAT csv) quotes
    return m
with open(sys.argv[1], 'w', newline='') as f:
    for i in range(1, 5001):
        f.write('%d,2024-03-01 00:00:00+00,%s,%s\n' % (i, ['INFO', 'WARN', 'ERROR'][i % 3], field(msgs[i % len(msgs)])))
PY
q -c "\\copy psql_logs FROM '$WORK/in.csv' WITH (FORMAT csv, NULL '\\N')" || fail '\copy FROM'
n=$(q -A -t -c "SELECT count(*) || '/' || count(message) || '/' || count(*) FILTER (WHERE message = '') FROM psql_logs")
if [ "$n" = "5000/4286/714" ]; then pass "\\copy FROM csv: 5000 rows, 714 NULL, 714 empty"
else fail "\\copy FROM counts: $n"; fi
q -c "\\copy (SELECT id, ts, level, coalesce(message, '\\N') FROM psql_logs ORDER BY id) TO '$WORK/out.csv' WITH (FORMAT csv)" \
  || fail '\copy TO'
if cmp -s "$WORK/in.csv" "$WORK/out.csv"; then pass '\copy TO reproduces the input file byte for byte'
else fail '\copy TO differs'; diff "$WORK/in.csv" "$WORK/out.csv" | head -5; fi

# UPDATE / DELETE by primary key: 0A000 -> SKIP, any other error -> FAIL
guarded() {  # guarded WHAT EXPECTED_OUTPUT SQL
  local what=$1 want=$2 sql=$3 out
  if out=$(q -A -t -v VERBOSITY=verbose -c "$sql" 2>&1); then
    if [ "$out" = "$want" ]; then pass "$what"; else fail "$what: got '$out', want '$want'"; fi
  elif grep -q '0A000' <<<"$out"; then
    echo "  SKIP update/delete: not supported yet ($what: $(head -1 <<<"$out"))"
  else
    fail "$what: $out"
  fi
}
guarded "UPDATE by primary key" "FATAL|updated by psql|5000" \
  "UPDATE psql_logs SET level = 'FATAL', message = 'updated by psql' WHERE id = 42;
   SELECT level, message, (SELECT count(*) FROM psql_logs) FROM psql_logs WHERE id = 42"
guarded "DELETE by primary key" "0|4999" \
  "DELETE FROM psql_logs WHERE id = 42;
   SELECT count(*) FILTER (WHERE id = 42), count(*) FROM psql_logs"

echo "psql: $([ $fails = 0 ] && echo 'all checks passed' || echo "$fails checks failed")"
[ $fails = 0 ]
