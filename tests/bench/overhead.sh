#!/usr/bin/env bash
# overhead.sh - what perfgate adds to the time of a process: perfgate timing /bin/true,
# next to hyperfine -N and a raw posix_spawn+wait4 loop, in one run.
#   tests/bench/overhead.sh [BUILD_DIR] [RUNS]     (default: build, 500)
# Prints the three means and the ratios; targets: perfgate <= 1.05 x floor and <= hyperfine.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
runs=${2:-500}
command -v hyperfine >/dev/null || { echo "overhead: hyperfine is not installed (apt-get install hyperfine)" >&2; exit 3; }
command -v jq >/dev/null || { echo "overhead: jq is not installed" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/spawn_floor" "$here/tests/bench/spawn_floor.c"

# Interleave the three tools over several rounds so drift hits all alike; take each one's median round.
rounds=5
for r in $(seq $rounds); do
  "$tmp/spawn_floor" "$runs" /bin/true >>"$tmp/floor"
  "$build/perfgate" run -q --runs "$runs" --warmup 3 -o "$tmp/pg.json" -- /bin/true
  jq '.benchmarks[0].metrics[0].summary.mean' "$tmp/pg.json" >>"$tmp/perfgate"
  hyperfine -N -w 3 -r "$runs" --export-json "$tmp/hf.json" /bin/true >/dev/null 2>&1
  jq '.results[0].mean * 1000' "$tmp/hf.json" >>"$tmp/hyperfine"
done
median() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
floor=$(median "$tmp/floor")
pg=$(median "$tmp/perfgate")
hf=$(median "$tmp/hyperfine")
printf 'mean time of /bin/true, %d runs, median of %d interleaved rounds\n' "$runs" "$rounds"
printf '  raw posix_spawn+wait4  %8.4f ms\n' "$floor"
printf '  perfgate run           %8.4f ms\n' "$pg"
printf '  hyperfine -N           %8.4f ms\n' "$hf"
awk -v p="$pg" -v f="$floor" -v h="$hf" 'BEGIN {
  printf "  perfgate / floor      %8.3f  (target <= 1.05)\n", p / f
  printf "  perfgate / hyperfine  %8.3f  (target <= 1.00)\n", p / h
  ok = (p / f <= 1.05 && p <= h)
  print ok ? "result: targets met" : "result: TARGET MISSED"
  exit ok ? 0 : 1
}'
