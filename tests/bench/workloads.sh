#!/usr/bin/env bash
# workloads.sh - what perfgate's measurement of each workload adds, against an independent
# measure of the same work, in one run:
#   matcher  : perfgate's line-protocol latency vs the matcher's own in-process lookup time
#   vmspawn  : perfgate's spawn+teardown vs hyperfine -N on the launcher, and the launcher's own timing
#   inference: perfgate's TTFT/TPOT vs the decoder's own --self-time
#   tests/bench/workloads.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
pg=$build/perfgate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in jq hyperfine; do command -v $t >/dev/null || { echo "workloads: $t is not installed" >&2; exit 3; }; done
corpus=$here/fixtures/matcher/queries.txt
prompts=$here/fixtures/decoder/prompts.txt

echo "== matcher: per-query latency (765 queries x 10 passes)"
cat >"$tmp/m.json" <<JSON
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "m", "kind": "matcher", "runs": 10, "warmup": 1,
  "target": {"command": ["$build/perfgate-matcher", "--serve"], "protocol": "line"}, "corpus": "$corpus"}]}
JSON
"$pg" run -q -c "$tmp/m.json" -o "$tmp/m.out"
own=$("$build/perfgate-matcher" --time-corpus "$corpus" --passes 10)
pg_med=$(jq '.benchmarks[0].metrics[0].summary.median * 1000' "$tmp/m.out")
pg_p99=$(jq '.benchmarks[0].metrics[0].summary.p99 * 1000' "$tmp/m.out")
own_med=$(jq .p50_us <<<"$own")
own_p99=$(jq .p99_us <<<"$own")
awk -v a="$pg_med" -v b="$own_med" -v c="$pg_p99" -v d="$own_p99" 'BEGIN {
  printf "  perfgate (write query, read answer)  median %7.2f us   p99 %7.2f us\n", a, c
  printf "  matcher in-process lookup            median %7.2f us   p99 %7.2f us\n", b, d
  printf "  harness overhead per query           median %7.2f us   (ratio %.1fx; the pipe round trip)\n", a - b, a / b }'

echo "== vmspawn: launch to exit (5 interleaved rounds of 10 runs each)"
cat >"$tmp/v.json" <<JSON
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "v", "kind": "vmspawn", "runs": 10, "warmup": 2,
  "command": ["$build/perfgate-microvm"], "ready": {"match": "^ready$"}}]}
JSON
"$pg" run -q -c "$tmp/v.json" -o "$tmp/v.out"
status=$(jq -r '.benchmarks[0].status' "$tmp/v.out")
if [[ $status != ok ]]; then
  echo "  vmspawn: $status: $(jq -r '.benchmarks[0].reason' "$tmp/v.out")"
else
  # Rounds alternate the three measures, so load that comes and goes hits all of them.
  : >"$tmp/pgs"; : >"$tmp/hfs"; : >"$tmp/self"
  for round in 1 2 3 4 5; do
    "$pg" run -q -c "$tmp/v.json" -o "$tmp/v.out"
    jq -c '[.benchmarks[0].metrics[0].samples, .benchmarks[0].metrics[1].samples] | transpose[] | {s: .[0], t: .[1]}' "$tmp/v.out" >>"$tmp/pgs"
    hyperfine -N -w 2 -r 10 --export-json "$tmp/hf.json" "$build/perfgate-microvm" >/dev/null 2>&1
    jq '.results[0].times[] * 1000' "$tmp/hf.json" >>"$tmp/hfs"
    for i in $(seq 10); do "$build/perfgate-microvm" --self-time 2>&1 >/dev/null | tail -n 1; done >>"$tmp/self"
  done
  spawn=$(jq -s 'map(.s) | sort | .[length/2|floor]' "$tmp/pgs")
  total=$(jq -s 'map(.s + .t) | sort | .[length/2|floor]' "$tmp/pgs")
  hf=$(jq -s 'sort | .[length/2|floor]' "$tmp/hfs")
  self_spawn=$(jq -s 'map(.spawn_ms) | sort | .[length/2|floor]' "$tmp/self")
  awk -v s="$spawn" -v T="$total" -v h="$hf" -v o="$self_spawn" 'BEGIN {
    printf "  perfgate spawn %.2f ms, spawn + teardown %.2f ms (medians of 50)\n", s, T
    printf "  hyperfine -N (whole process)         %.2f ms   perfgate/hyperfine %.3f\n", h, T / h
    printf "  launcher own spawn (--self-time)     %.2f ms   perfgate spawn/own %.3f (own starts at main, perfgate at spawn)\n", o, s / o }'
fi

echo "== inference: TTFT and TPOT (8 prompts x 3 runs, 32 tokens)"
cat >"$tmp/i.json" <<JSON
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "i", "kind": "inference", "runs": 3, "warmup": 1,
  "target": {"command": ["$build/perfgate-decoder", "--max-tokens", "32"]}, "corpus": "$prompts"}]}
JSON
"$pg" run -q -c "$tmp/i.json" -o "$tmp/i.out"
grep -v '^#' "$prompts" | while IFS= read -r p; do
  for r in 1 2 3; do "$build/perfgate-decoder" --max-tokens 32 --self-time "$p" 2>&1 >/dev/null | tail -n 1; done
done >"$tmp/iself"
ttft=$(jq '.benchmarks[0].metrics[] | select(.name == "ttft") | .summary.median' "$tmp/i.out")
tpot=$(jq '.benchmarks[0].metrics[] | select(.name == "tpot") | .summary.median' "$tmp/i.out")
own_ttft=$(jq -s 'map(.ttft_ms) | sort | .[length/2|floor]' "$tmp/iself")
own_tpot=$(jq -s 'map(.tpot_ms) | sort | .[length/2|floor]' "$tmp/iself")
awk -v a="$ttft" -v b="$own_ttft" -v c="$tpot" -v d="$own_tpot" 'BEGIN {
  printf "  TTFT perfgate %.2f ms, decoder own %.2f ms: perfgate - own = %.2f ms (process start + weights, which own timing leaves out)\n", a, b, a - b
  printf "  TPOT perfgate %.3f ms, decoder own %.3f ms: ratio %.3f\n", c, d, c / d }'
