#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine:
#   bash test/run_all.sh
# installs the Debian packages it needs (as root), builds and installs
# cocoon, then runs: the codec tests (plain and under ASan/UBSan), the
# pg_regress suites and the TAP tests against throwaway clusters on free
# loopback ports, and the benchmark's quick mode (answers must match heap).
# Ends with "N passed, M failed" and a non-zero exit status on failure.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/test/lib.sh"

passed=0; failed=0; failures=()
step() {  # step NAME COMMAND...
  local name=$1; shift
  log "$name"
  if "$@"; then passed=$((passed+1)); echo "ok: $name"
  else failed=$((failed+1)); failures+=("$name"); echo "FAILED: $name"; fi
}

install_packages || exit 1
build_install || exit 1

WORK=$(mktemp -d /tmp/cocoon-test.XXXXXX)
cleanup() { stop_cluster "$WORK/cluster"; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

step "codec tests" make -C "$REPO/test/codec" -s check
step "codec tests under ASan/UBSan" make -C "$REPO/test/codec" -s asan
step "fuzzing the decoders (short run)" make -C "$REPO/test/fuzz" -s run FUZZ_SECONDS=${FUZZ_SECONDS:-15}

# pg_regress and TAP need a tree the postgres user can write to
cp -r "$REPO" "$WORK/tree"
rm -rf "$WORK/tree/results" "$WORK/tree/tmp_check"
[ "$(id -u)" = 0 ] && chown -R postgres "$WORK"
PORT=$(free_port 25432)
start_cluster "$WORK/cluster" "$PORT" || exit 1
PORT=$(cat "$WORK/cluster/port")

regress() {
  as_pg "cd '$WORK/tree' && PGHOST='$WORK/cluster' PGPORT=$PORT PGUSER=postgres \
    make -s installcheck PG_CONFIG=$PG_CONFIG TAP_TESTS= ISOLATION= " || {
      cat "$WORK/tree/regression.diffs" 2>/dev/null | head -200; return 1; }
}
isolation() {
  as_pg "cd '$WORK/tree' && PGHOST='$WORK/cluster' PGPORT=$PORT PGUSER=postgres \
    PGISOLATIONTIMEOUT=60 make -s installcheck PG_CONFIG=$PG_CONFIG TAP_TESTS= REGRESS= " || {
      cat "$WORK/tree/output_iso/regression.diffs" 2>/dev/null | head -200; return 1; }
}
tap() {
  as_pg "cd '$WORK/tree' && PATH=$PGBIN:\$PATH make -s installcheck REGRESS= ISOLATION= \
    PG_CONFIG=$PG_CONFIG PROVE_FLAGS='--timer'" || {
      for f in "$WORK"/tree/tmp_check/log/regress_log_*; do
        [ -f "$f" ] && { echo "--- $f"; tail -40 "$f"; }; done; return 1; }
}
step "pg_regress suites" regress
step "isolation tests (concurrent DML, locks, unique keys, compaction)" isolation
if ls "$REPO"/test/t/*.pl >/dev/null 2>&1; then
  step "TAP tests" tap
fi
stop_cluster "$WORK/cluster"

step "client tests (python, node, rsyslog, psql)" bash "$REPO/test/clients/run.sh"
step "prometheus-postgres-exporter serves cocoon_* metrics" bash "$REPO/test/exporter/run.sh"
step "every README code block runs" env COCOON_IN_RUN_ALL=1 bash "$REPO/test/readme/run.sh"

if [ -x "$REPO/bench/run" ]; then
  step "benchmark quick mode (cocoon answers = heap answers)" "$REPO/bench/run" --quick
fi

log "summary"
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
