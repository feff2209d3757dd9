#!/usr/bin/env bash
# check_time.sh - how long the main job's `perfgate check -c gates/default.json` takes here: the
# wall time, and the CPU time of perfgate and every process it measured (bash's `time`); and the
# peak RSS of perfgate's own process (what -v prints at exit; the target is 8 MB).
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
  { TIMEFORMAT='%R %U %S'; time (cd "$here" && "$build/perfgate" check -v -c gates/default.json \
      --format "json=$tmp/verdict.json" -o "$tmp/report.txt" >/dev/null 2>"$tmp/err" || true); } 2>>"$tmp/times"
  sed -n 's/^perfgate: peak RSS of this process: \([0-9]*\) KiB$/\1/p' "$tmp/err" >>"$tmp/rss"
done
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
printf 'perfgate check -c gates/default.json, %d rounds (median):\n' "$rounds"
printf '  wall %6.2f s   user %6.2f s   sys %6.2f s\n' \
  "$(cut -d' ' -f1 "$tmp/times" | median)" "$(cut -d' ' -f2 "$tmp/times" | median)" "$(cut -d' ' -f3 "$tmp/times" | median)"
rss=$(median <"$tmp/rss")
[[ -n $rss ]] || { echo "check_time: perfgate -v printed no peak RSS" >&2; exit 3; }
awk -v k="$rss" 'BEGIN { printf "  peak RSS of perfgate'"'"'s own process: %.1f MB (%d KiB) against the 8 MB target: %s\n",
  k * 1024 / 1e6, k, k * 1024 <= 8e6 ? "met" : "MISSED" }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
