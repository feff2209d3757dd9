#!/usr/bin/env bash
# luminaguard_gates.sh - gates/luminaguard.json on LuminaGuard's own metrics files: the newest file of
# each kind is read, the seed's targets are gated, and medians are tested from n, median and sd
source "$(dirname "$0")/lib.bash"

FIX="$PG_SRCDIR/fixtures/import"
R=$T/repo
DIR=$R/.beads/metrics/performance
make_repo "$R"
mkdir -p "$DIR" "$R/gates"
cp "$PG_SRCDIR/gates/luminaguard.json" "$R/gates/"
cp "$FIX/agent_baseline_20260215_033200.json" "$FIX/rust_baseline_20260215_033805.json" "$DIR/"
cd "$R" || exit 1
git add -A && git commit -q -m "metrics of 15 February"

# jqt FILTER FILE : the filter holds
jqt() {
  jq -e "$1" "$2" >/dev/null
}

# newer NAME JQ-EDIT : a later stamped copy of the fixture NAME (agent or rust), edited, committed
newer() {
  local src stamp=$3
  src=$(ls "$FIX/$1"_baseline_2026*.json)
  jq "$2" "$src" >"$DIR/$1_baseline_${stamp}.json"
  git add -A && git commit -q -m "$1 metrics of $stamp"
}

run_pg run_table 0 run -c gates/luminaguard.json
expect_out run_table '^rust_baseline/rust.network_latency  import · 100 runs summarised · ok$'
expect_out run_table '^agent_baseline/agent.tool_execution_times.read_file  import · 100 runs summarised · ok$'
expect_out run_table '^agent_baseline/agent  import · 1 value · ok$'
run_pg save_base 0 run -c gates/luminaguard.json --save -q -o $T/base.json
check "network latency is a summary: n 100 (the file's iterations), median, sd, p99, and no invented mean" \
  jqt '.benchmarks[] | select(.name == "rust_baseline/rust.network_latency") | .metrics[0].summary
       | .n == 100 and .median == 10.07 and .stddev == 0.25 and .p99 == 11.3 and .mean == null' $T/base.json
check "read_file's time is a summary in ms" \
  jqt '.benchmarks[] | select(.name == "agent_baseline/agent.tool_execution_times.read_file") | .metrics[0]
       | .unit == "ms" and .summary.n == 100 and .summary.stddev == 0.004' $T/base.json

# A file that does not say how many runs it summarises: bare values, gated but not tested.
jq 'del(.iterations)' "$DIR/rust_baseline_20260215_033805.json" >"$T/rust_baseline_20260215_000000.json"
run_pg no_iterations 0 import --from luminaguard "$T/rust_baseline_20260215_000000.json" -o "$T/bare.json" -q
check "without iterations the median is a bare value" \
  jqt '.benchmarks[0].metrics[0] | .value == 110.2 and .summary == null' "$T/bare.json"

# The same figures in a later file: nothing moved.
newer rust '.' 20260301_000000
run_pg same 0 check -c gates/luminaguard.json --format text --format json=$T/same.json
check "the same figures a day later pass, every gate of the seed's table held" \
  jqt '.verdict == "pass" and ([.gates[] | select(.pass)] | length) == 6' $T/same.json
expect_out same '^  pass rust_baseline/rust.network_latency.median_ms <= 50ms: 10.1 ms$'
expect_out same '^  pass rust_baseline/rust.cpu.median_percent <= 50%: 0 %$'
run_pg save_same 0 run -c gates/luminaguard.json --save -q

# The newest file is the one read: network latency +14 % (10.07 -> 11.5 ms, sd 0.25, 100 runs each).
newer rust '.network_latency_ms.median = 11.5' 20260302_000000
run_pg slower 1 check -c gates/luminaguard.json --format json=$T/slower.json
check "network latency +14 % is a regression, tested (a p value from n, median and sd)" \
  jqt '.metrics[] | select(.bench == "rust_baseline/rust.network_latency" and .metric == "median_ms")
       | .verdict == "regression" and .p < 0.001' $T/slower.json
check "spawn time, unchanged in that file, is unchanged" \
  jqt '.metrics[] | select(.bench == "rust_baseline/rust.spawn_time" and .metric == "median_ms")
       | .verdict == "unchanged"' $T/slower.json

# A tool's execution time +30 % in the agent's file.
git reset -q --hard HEAD~1
newer agent '.tool_execution_times.read_file.median_ms = 0.0676' 20260302_000000
run_pg tool_slower 1 check -c gates/luminaguard.json --format json=$T/tool.json
check "read_file +30 % is a regression" \
  jqt '.metrics[] | select(.bench == "agent_baseline/agent.tool_execution_times.read_file" and .metric == "median_ms")
       | .verdict == "regression" and .p < 0.001' $T/tool.json

# Over the seed's absolute targets: network latency 60 ms fails its gate (and regresses).
git reset -q --hard HEAD~1
newer rust '.network_latency_ms.median = 60 | .cpu_percent.median = 55' 20260303_000000
run_pg over 1 check -c gates/luminaguard.json
expect_out over '^  FAIL rust_baseline/rust.network_latency.median_ms <= 50ms: 60.0 ms$'
expect_out over '^  FAIL rust_baseline/rust.cpu.median_percent <= 50%: 55.0 %$'

# No file to read: named, and nothing measured.
git rm -q "$DIR"/rust_baseline_*.json && git commit -q -m "no rust metrics"
run_pg none 3 run -c gates/luminaguard.json
expect_err none "benchmark 'rust_baseline': path .*/\\.beads/metrics/performance/rust_baseline_\\*\\.json: no file matches"

finish
