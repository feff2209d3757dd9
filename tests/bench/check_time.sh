#!/usr/bin/env bash
# check_time.sh - how long the main job's `perfgate check -c gates/default.json` takes here, and
# where the time goes: wall and CPU of the whole check, and the CPU of the processes each
# benchmark measured (from the result set's user and sys, where the kind records them).
#   tests/bench/check_time.sh [BUILD_DIR] [ROUNDS]     (default: build, 3)
# Prints the load average before and after: these are figures of a shared 2-core machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
rounds=${2:-3}
command -v jq >/dev/null || { echo "check_time: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  # bash's `time` keyword, in seconds: real user sys
  { TIMEFORMAT='%R %U %S'; time (cd "$here" && "$build/perfgate" check -q -c gates/default.json \
      --format "json=$tmp/verdict.json" -o "$tmp/report.txt" >/dev/null 2>&1 || true); } 2>>"$tmp/times"
  "$build/perfgate" run -q -c "$here/gates/default.json" -o "$tmp/rs$r.json" >/dev/null 2>&1 || true
done
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
printf 'perfgate check -c gates/default.json, %d rounds (median):\n' "$rounds"
printf '  wall %6.2f s   user %6.2f s   sys %6.2f s\n' \
  "$(cut -d' ' -f1 "$tmp/times" | median)" "$(cut -d' ' -f2 "$tmp/times" | median)" "$(cut -d' ' -f3 "$tmp/times" | median)"
echo "per benchmark, CPU of the processes measured (user+sys summed over every run, median of rounds):"
for b in $(jq -r '.benchmarks[].name' "$tmp/rs1.json"); do
  for r in $(seq "$rounds"); do
    jq -r --arg b "$b" '.benchmarks[] | select(.name == $b) | [.metrics[] | select(.name == "user" or .name == "sys")
      | (.summary.mean // .value // 0) * (.summary.n // 1)] | add // 0' "$tmp/rs$r.json"
  done | median | awk -v b="$b" '{printf "  %-10s %8.2f s\n", b, $1 / 1000}'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
