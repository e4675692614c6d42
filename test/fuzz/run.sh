#!/usr/bin/env bash
# test/fuzz/run.sh MODE SECONDS JOBS TARGET...
#   Runs each libFuzzer target (built in build/) for SECONDS seconds.
#   MODE short: one process per target on a fresh working corpus in a
#               private directory build/run/<target>.XXXXXX (kept there on
#               failure, moved to build/run/<target>.last on success) plus
#               the seeds (read only).
#   MODE long:  JOBS parallel jobs/workers per target, keeping the grown
#               corpus in build/long/<target>/corpus across runs.
#   Prints libFuzzer's final "#N DONE ... exec/s" line per target and ends
#   with "fuzz: N passed, M failed"; exits non-zero if any target crashed,
#   leaked, ran out of memory or timed out (artifacts are kept and listed).
set -u
cd "$(dirname "$0")"
HERE=$(pwd)
MODE=$1 SECONDS_PER_TARGET=$2 JOBS=$3
shift 3
FLAGS=(-max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10
       -print_final_stats=1)

passed=0; failed=0
for t in "$@"; do
  bin=$HERE/build/$t
  seeds=$HERE/build/corpus/$t
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "$t: FAILED: $bin or $seeds missing (make build seeds)"
    failed=$((failed+1)); continue
  fi
  if [ "$MODE" = long ]; then
    dir=$HERE/build/long/$t
    art=$dir/artifacts-$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dir/corpus" "$art"
    rm -f "$dir"/fuzz-*.log
    echo "$t: $JOBS jobs x ${SECONDS_PER_TARGET}s, corpus $dir/corpus ($(ls "$dir/corpus" | wc -l) files)"
    (cd "$dir" && "$bin" "${FLAGS[@]}" -jobs="$JOBS" -workers="$JOBS" \
        -artifact_prefix="$art/" corpus "$seeds") > "$dir/main.log" 2>&1
    rc=$?
    logs=("$dir"/fuzz-*.log)
  else
    # a private directory: concurrent runs (e.g. test/run_all.sh while a
    # measurement run is going) must not delete each other's corpus or log
    mkdir -p "$HERE/build/run"
    dir=$(mktemp -d "$HERE/build/run/$t.XXXXXX")
    art=$dir/artifacts
    mkdir -p "$dir/corpus" "$art"
    (cd "$dir" && "$bin" "${FLAGS[@]}" -artifact_prefix="$art/" corpus "$seeds") \
        > "$dir/log" 2>&1
    rc=$?
    logs=("$dir/log")
  fi

  execs=0; summary=""
  for log in "${logs[@]}"; do
    [ -f "$log" ] || continue
    done_line=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
    n=$(grep -aE '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')
    execs=$((execs + ${n:-0}))
    [ -n "$done_line" ] && summary="$summary
    $done_line"
  done
  artifacts=$(ls -A "$art" 2>/dev/null)
  [ -z "$artifacts" ] && [ "$MODE" = long ] && rmdir "$art"
  corpus_n=$(ls "$dir/corpus" | wc -l)
  if [ "$rc" = 0 ] && [ -z "$artifacts" ] && [ "$execs" -gt 0 ]; then
    passed=$((passed+1))
    if [ "$MODE" != long ]; then
      # keep the last good run as build/run/<target>.last (make coverage)
      rm -rf "$HERE/build/run/$t.last.old"
      mv "$HERE/build/run/$t.last" "$HERE/build/run/$t.last.old" 2>/dev/null
      mv "$dir" "$HERE/build/run/$t.last" 2>/dev/null && dir=$HERE/build/run/$t.last
      rm -rf "$HERE/build/run/$t.last.old"
    fi
    echo "$t: ok, $execs executions in ${SECONDS_PER_TARGET}s, $corpus_n units in $dir/corpus$summary"
  else
    failed=$((failed+1))
    echo "$t: FAILED (exit $rc, $execs executions)$summary"
    for log in "${logs[@]}"; do
      [ -f "$log" ] || continue
      if grep -aqE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|FUZZ CHECK FAILED' "$log"; then
        echo "--- $log"
        grep -aE -m1 -A40 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|FUZZ CHECK FAILED' "$log"
      else
        echo "--- $log (tail)"; tail -20 "$log"
      fi
    done
    for a in $artifacts; do echo "artifact: $art/$a (reproduce: $bin $art/$a)"; done
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
