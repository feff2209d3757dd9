#!/usr/bin/env bash
# load.sh - keep every core busy with CPU work and memory traffic (tests/bench/load.c, one
# process per core), the unrelated load a shared CI runner has, while a command runs:
#   tests/bench/load.sh -- COMMAND [ARG...]     run COMMAND under load; its exit status
#   tests/bench/load.sh SECONDS                 load for SECONDS, then stop
# Prints the load average before and after. Used to check the design's promise under load:
# A/A comes out pass or inconclusive, never fail (e.g. load.sh -- ctest -R e2e.timing_decision).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap stop EXIT
cc -O2 -o "$tmp/load" "$here/load.c" || { echo "load: cannot build load.c (cc)" >&2; exit 3; }
seconds=86400
if [[ ${1:-} != -- ]]; then
  seconds=${1:-60}
fi
echo "load: $(nproc) workers; load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for _ in $(seq "$(nproc)"); do
  "$tmp/load" "$seconds" &
  pids+=($!)
done
status=0
if [[ ${1:-} == -- ]]; then
  shift
  # Tests that hold a machine without this load to more than the promise read it.
  PERFGATE_UNDER_LOAD="$(nproc) workers" "$@"
  status=$?
else
  wait "${pids[@]}"
fi
echo "load: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exit $status
