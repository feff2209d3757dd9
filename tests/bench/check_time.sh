#!/usr/bin/env bash
# check_time.sh - how long the main job's `perfgate check -c gates/default.json` takes here: the
# wall time, and the CPU time of perfgate and every process it measured (bash's `time`); and the
# peak RSS of perfgate's own process (what -v prints at exit; the target is 8 MB), both in this
# repository as the main job runs it (no stored baseline) and in a clone whose parent commit has a
# stored result set (a pull request's check: the baseline and its history are read and compared).
#   tests/bench/check_time.sh [BUILD_DIR] [ROUNDS]     (default: build, 3)
# Prints the load average before and after: these are figures of a shared 2-core machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
rounds=${2:-3}
command -v jq >/dev/null || { echo "check_time: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# measure DIR TAG: ROUNDS checks in DIR; times into $tmp/TAG.times, peak RSS (KiB) into $tmp/TAG.rss
measure() {
  for _ in $(seq "$rounds"); do
    # bash's `time` keyword, in seconds: real user sys
    { TIMEFORMAT='%R %U %S'; time (cd "$1" && { "$build/perfgate" check -v -c gates/default.json \
        --format "json=$tmp/verdict.json" -o "$tmp/report.txt" >/dev/null 2>"$tmp/err" || true; }); } 2>>"$tmp/$2.times"
    sed -n 's/^perfgate: peak RSS of this process: \([0-9]*\) KiB$/\1/p' "$tmp/err" >>"$tmp/$2.rss"
    if grep -q "^perfgate: baseline: none" "$tmp/err"; then echo none
    elif grep -q "^perfgate: baseline: " "$tmp/err"; then echo found
    else echo "not-read"; fi >>"$tmp/$2.base"
  done
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
report() {
  printf '%s, %d rounds (median), baseline %s:\n' "$3" "$rounds" "$(sort -u "$tmp/$2.base" | paste -sd/)"
  printf '  wall %6.2f s   user %6.2f s   sys %6.2f s\n' "$(cut -d' ' -f1 "$tmp/$2.times" | median)" \
    "$(cut -d' ' -f2 "$tmp/$2.times" | median)" "$(cut -d' ' -f3 "$tmp/$2.times" | median)"
  local rss
  [[ $(wc -l <"$tmp/$2.rss") -eq $rounds ]] ||
    { echo "check_time: perfgate -v printed a peak RSS in $(wc -l <"$tmp/$2.rss") of $rounds rounds ($1)" >&2; exit 3; }
  rss=$(median <"$tmp/$2.rss")
  awk -v k="$rss" -v all="$(sort -g "$tmp/$2.rss" | paste -sd' ')" 'BEGIN {
    printf "  peak RSS of perfgate'"'"'s own process: %.1f MB (%d KiB; all: %s) against the 8 MB target: %s\n",
    k * 1024 / 1e6, k, all, k * 1024 <= 8e6 ? "met" : "MISSED" }'
}

measure "$here" main
# A pull request's check: HEAD's parent has a stored result set (saved here, in a clone).
git clone -q "$here" "$tmp/clone"
(cd "$tmp/clone" && "$build/perfgate" check --save -q -c gates/default.json >/dev/null 2>&1) ||
  { echo "check_time: check --save in a clone failed" >&2; exit 3; }
git -C "$tmp/clone" -c user.name=b -c user.email=b@perfgate.invalid commit -q --allow-empty -m "a change"
measure "$tmp/clone" pr
report "$here" main "perfgate check -c gates/default.json in this repository"
report "$tmp/clone" pr "the same in a clone whose parent commit has a stored result set"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
