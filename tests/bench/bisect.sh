#!/usr/bin/env bash
# bisect.sh - `perfgate bisect` over 64 commits with nothing stored: builds used and wall time.
# Usage: PERFGATE=build/perfgate PG_BINDIR=build PG_SRCDIR=. tests/bench/bisect.sh [COMMITS] [STEP_AT]
set -uo pipefail
: "${PERFGATE:?set PERFGATE to the perfgate executable}"
: "${PG_BINDIR:?set PG_BINDIR to the build directory}"
WORKLOAD="$PG_BINDIR/perfgate-workload"
commits=${1:-64}
step_at=${2:-$((commits * 2 / 3 + 1))}

"$PERFGATE" help | grep -qw bisect || { echo "perfgate has no bisect verb"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/perfgate-bench-bisect.XXXXXX")
trap '[[ -n "${PG_KEEP:-}" ]] || rm -rf "$T"' EXIT
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
cd "$T" || exit 1

git init -q -b main repo
git -C repo config user.name "perfgate bench"
git -C repo config user.email "bench@perfgate.invalid"
mkdir repo/gates
echo 0 >repo/slow.txt
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"warmup": 1},
 "build": [["true"]],
 "benchmarks": [{"name": "workload",
   "command": ["$WORKLOAD", "--work", "4", "--slowdown-file", "{root}/slow.txt"]}]}
JSON
git -C repo add -A && git -C repo commit -q -m "good" && git -C repo tag good
for i in $(seq 1 "$commits"); do
  echo "$i" >repo/n.txt
  [[ $i -eq $step_at ]] && echo 25 >repo/slow.txt
  git -C repo add -A && git -C repo commit -q -m "commit $i"
done
culprit=$(git -C repo log --format=%H --grep "^commit $step_at\$")

start=$(date +%s.%N)
(cd repo && "$PERFGATE" bisect -q --good good --bad main --format json="$T/bisect.json")
status=$?
end=$(date +%s.%N)

found=$(jq -r '.first_bad.commit // "none"' "$T/bisect.json")
builds=$(jq '.builds' "$T/bisect.json")
skipped=$(jq '[.steps[] | select(.source == "skipped")] | length' "$T/bisect.json")
steps=$(jq '.steps | length' "$T/bisect.json")
runs=$(jq '[.steps[].runs // 0] | add' "$T/bisect.json")
target=$(awk -v n="$commits" 'BEGIN { b = 0; while (2 ^ b < n) b++; print b + 1 }')
printf 'bisect over %d commits (step at %d): exit %d, %s\n' "$commits" "$step_at" "$status" \
  "$([[ $found == "$culprit" ]] && echo "found the culprit" || echo "WRONG: found $found")"
printf 'commits looked at: %d, skipped: %d, pairs measured: %d\n' "$steps" "$skipped" "$runs"
# The issue's target: log2(N) probes and the good commit, plus skips (bad is measured only when
# the search comes down to it).
limit=$((target + skipped))
printf 'builds used: %d (target <= %d: log2(%d) probes + good + skips): %s\n' "$builds" "$limit" "$commits" \
  "$([[ $builds -le $limit ]] && echo met || echo MISSED)"
printf 'wall time: %.2f s\n' "$(echo "$end - $start" | bc)"
[[ $status -eq 0 && $found == "$culprit" && $builds -le $limit ]]
