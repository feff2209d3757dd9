#!/usr/bin/env bash
# merge.sh - what `perfgate merge` costs at the scale of a big matrix: 50 shard files of 20
# benchmarks each (30 samples per metric, as `perfgate run` writes them; one commit, one env key,
# each shard's runner with its own probe), merged into one set written with -o, beside an anchor
# timed in the same run: `jq -s` concatenating the same files' benchmark arrays into one file.
#   tests/bench/merge.sh [BUILD_DIR] [RUNS]     (default: build, 11)
# Prints the median of RUNS of each, their ratio and the load average; the target is 200 ms.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
runs=${2:-11}
shards=50 per_shard=20
pg=$build/perfgate
[[ -x $pg && -x $build/perfgate-workload ]] || { echo "merge: $pg or perfgate-workload is not built" >&2; exit 3; }
command -v jq >/dev/null || { echo "merge: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap '[[ -n ${PG_KEEP:-} ]] || rm -rf "$tmp"' EXIT
cd "$tmp"

# One real benchmark as `run` writes it (wall, user, sys, peak RSS ... with 30 samples each).
"$pg" run -q --runs 30 --warmup 0 -o template.json -- "$build/perfgate-workload" --work 0
mkdir shards
for ((k = 1; k <= shards; k++)); do
  jq --argjson k "$k" --argjson n "$shards" --argjson per "$per_shard" '
    .commit = "0123456789abcdef0123456789abcdef01234567" | .env.key = "linux-x86_64-bench" |
    .run_id = "00000000-0000-4000-8000-\(10000000 + $k)" | .shard = {index: $k, count: $n} |
    .gates_hash = "00000000000000aa" |
    if .probe then .probe.cpu_ms[0] += $k else . end |
    .benchmarks[0] as $b | .benchmarks = [range($per) | . as $i | $b | .name = "bench-\($k)-\($i)"]
  ' template.json >"shards/shard-$k.json"
done
echo "$shards shard files, $per_shard benchmarks each, $(jq '.benchmarks[0].metrics | length' shards/shard-1.json) metrics of $(jq '.benchmarks[0].metrics[0].samples | length' shards/shard-1.json) samples per benchmark: $(du -sh shards | cut -f1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $runs runs each"

# measure CMD... : RUNS runs of CMD; prints the median wall time and the median CPU time (user + sys)
# in ms. The CPU time moves less than the wall time on a shared, loaded machine.
measure() {
  local TIMEFORMAT='%3R %3U %3S' r
  for ((r = 0; r < runs; r++)); do
    { time "$@" >/dev/null 2>&1; } 2>>"$tmp/times"
  done
  local wall cpu
  wall=$(awk '{ print $1 * 1000 }' "$tmp/times" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  cpu=$(awk '{ print ($2 + $3) * 1000 }' "$tmp/times" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  rm -f "$tmp/times"
  echo "$wall $cpu"
}

files=(shards/shard-*.json)
read -r merge_ms merge_cpu < <(measure "$pg" merge "${files[@]}" -o merged.json -q)
read -r anchor_ms anchor_cpu < <(measure sh -c 'jq -s "{benchmarks: [.[].benchmarks[]]}" "$@" >anchor.json' sh "${files[@]}")
[[ $(jq '.benchmarks | length' merged.json) -eq $((shards * per_shard)) ]] ||
  { echo "merge: the merged set does not hold $((shards * per_shard)) benchmarks" >&2; exit 1; }
awk -v m="$merge_ms" -v a="$anchor_ms" -v mc="$merge_cpu" -v ac="$anchor_cpu" 'BEGIN {
  printf "perfgate merge: %.0f ms wall, %.0f ms CPU (medians)\n", m, mc
  printf "jq -s concatenation (anchor): %.0f ms wall, %.0f ms CPU\n", a, ac
  printf "ratio perfgate / jq: %.2f wall, %.2f CPU\n", m / a, mc / ac
  printf "against the 200 ms target: %s\n", m <= 200 ? "met" : "MISSED" }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
