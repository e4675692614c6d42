#!/usr/bin/env bash
# Runs every fenced code block of README.md, so that the README never lies:
#   ```sql blocks, in order, through psql (from the repository's top
#   directory, ON_ERROR_STOP) on a throwaway cluster;
#   ```sh blocks as shell commands: `bash test/demo.sh` runs the demo (with
#   fewer rows, README_DEMO_ROWS, default 50000) and stops the cluster it
#   leaves; `bash test/run_all.sh` is skipped when this runs inside it.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/test/lib.sh"
WORK=$(mktemp -d /tmp/cocoon-readme.XXXXXX); chmod 755 "$WORK"
cleanup() { stop_cluster "$WORK/cluster"; rm -rf "$WORK"; }
trap cleanup EXIT

python3 - "$REPO/README.md" "$WORK" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```(\w+)\n(.*?)^```", text, re.S | re.M)
n = {"sql": 0, "sh": 0}
for lang, body in blocks:
    if lang not in n:
        continue
    n[lang] += 1
    open(f"{sys.argv[2]}/{lang}_{n[lang]:02d}.{lang}", "w").write(body)
print(f"README: {n['sql']} sql blocks, {n['sh']} sh blocks")
PY

pass=0; fail=0
PORT=$(free_port 26700)
start_cluster "$WORK/cluster" "$PORT" || exit 1
PORT=$(cat "$WORK/cluster/port")
PSQL="$PGBIN/psql -X -v ON_ERROR_STOP=1 -h $WORK/cluster -p $PORT -U postgres -d postgres"
cd "$REPO"
for f in "$WORK"/sql_*.sql; do
  if $PSQL -q -f "$f" >"$f.out" 2>&1; then
    echo "ok: README $(basename "$f")"; pass=$((pass+1))
  else
    echo "FAILED: README $(basename "$f")"; cat "$f.out"; fail=$((fail+1))
  fi
done
for f in "$WORK"/sh_*.sh; do
  cmd=$(grep -v '^\s*#' "$f" | grep -v '^\s*$' | head -1)
  case "$cmd" in
    "bash test/run_all.sh")
      if [ -n "${COCOON_IN_RUN_ALL:-}" ]; then
        echo "ok: README $(basename "$f"): '$cmd' is the suite running this test"; pass=$((pass+1)); continue
      fi ;;
    "bash test/demo.sh")
      cmd="bash test/demo.sh ${README_DEMO_ROWS:-50000}" ;;
  esac
  if bash -c "$cmd" >"$f.out" 2>&1; then
    echo "ok: README $(basename "$f"): $cmd"; pass=$((pass+1))
  else
    echo "FAILED: README $(basename "$f"): $cmd"; tail -30 "$f.out"; fail=$((fail+1))
  fi
  # the demo leaves its cluster running and says how to stop it
  stop=$(grep '^stop:' "$f.out" | sed 's/^stop: *//' || true)
  [ -n "$stop" ] && bash -c "$stop" >/dev/null 2>&1 || true
done
echo "readme: $pass passed, $fail failed"
[ "$fail" = 0 ]
