#!/usr/bin/env bash
# probe_spread.sh - how long the environment probe takes here and how far before/after drift (printed, not asserted)
# usage: tests/bench/probe_spread.sh [PERFGATE] [TRIALS]
set -uo pipefail
PERFGATE=${1:-build/perfgate}
TRIALS=${2:-20}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "load before: $(cat /proc/loadavg)"
for i in $(seq "$TRIALS"); do
  t0=$(date +%s%N)
  "$PERFGATE" run -q --runs 1 --warmup 0 -o "$T/p$i.json" -- true || exit 3
  t1=$(date +%s%N)
  "$PERFGATE" run -q --runs 1 --warmup 0 --no-probe -o "$T/n$i.json" -- true || exit 3
  t2=$(date +%s%N)
  # The wall time two probes add to a whole `perfgate run`, against the same run without them.
  jq -c --argjson added $(( ((t1 - t0) - (t2 - t1)) / 1000000 )) '.probe + {added_ms: $added}' "$T/p$i.json"
done >"$T/all.jsonl"
jq -rs '
  def spread: ((.cpu_ms[1] + .mem_ms[1]) / (.cpu_ms[0] + .mem_ms[0]) | log | fabs * 100);
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  (["run", "cpu_before", "mem_before", "cpu_after", "mem_after", "spread_%", "added_ms"] | @tsv),
  (to_entries[] | [.key + 1, .value.cpu_ms[0], .value.mem_ms[0], .value.cpu_ms[1], .value.mem_ms[1],
                   (.value | spread * 100 | round / 100), .value.added_ms] | @tsv),
  "one probe (ms): median \(map((.cpu_ms[0] + .mem_ms[0] + .cpu_ms[1] + .mem_ms[1]) / 2) | median | . * 10 | round / 10), " +
  "cpu part median \(map(.cpu_ms[]) | median | . * 10 | round / 10), mem part median \(map(.mem_ms[]) | median | . * 10 | round / 10)",
  "before/after spread (%): median \(map(spread) | median | . * 100 | round / 100), max \(map(spread) | max | . * 100 | round / 100)",
  "wall added to `perfgate run` by the two probes (ms): median \(map(.added_ms) | median)"' "$T/all.jsonl"
echo "load after: $(cat /proc/loadavg)"
