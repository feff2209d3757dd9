#!/usr/bin/env bash
# memory_gates.sh - peak memory gates, the leak check of a persistent target, and the
# deterministic instructions mode
source "$(dirname "$0")/lib.bash"

cat >mem.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0},
 "benchmarks": [{"name": "alloc", "command": ["$WORKLOAD", "--alloc-mib", "60"]}],
 "gates": [{"metric": "alloc.peak_rss.max", "max": "50MB"}]}
JSON
sed 's/"50MB"/"100MB"/' mem.json >mem100.json

run_pg mem50 1 check -c mem.json
expect_out mem50 "FAIL alloc.peak_rss.max <= 50MB: 6[0-9].[0-9] MiB"
run_pg mem100 0 check -c mem100.json
expect_out mem100 "pass alloc.peak_rss.max <= 100MB"

# The leak check: the matcher built to leak grows by MiBs per 10k queries, the clean one not at all.
matcher="$PG_BINDIR/perfgate-matcher"
corpus="$PG_SRCDIR/fixtures/matcher/queries.txt"
cat >leak.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 1},
 "benchmarks": [
   {"name": "clean", "kind": "matcher", "target": {"command": ["$matcher", "--serve"], "protocol": "line"}, "corpus": "$corpus"},
   {"name": "leaky", "kind": "matcher", "target": {"command": ["$matcher", "--serve", "--leak"], "protocol": "line"}, "corpus": "$corpus"}],
 "gates": [{"metric": "clean.rss_growth", "max": "1MB"}, {"metric": "leaky.rss_growth", "max": "1MB"}]}
JSON
run_pg leak 1 check -c leak.json --format json=leak-verdict.json
check "the clean matcher passes the leak gate" \
  jq -e '.gates[] | select(.metric == "clean.rss_growth") | .pass' leak-verdict.json
check "the leaking matcher fails it" \
  jq -e '.gates[] | select(.metric == "leaky.rss_growth") | .pass | not' leak-verdict.json
check "and grows by more than 5 MiB per 10k queries" \
  jq -e '.gates[] | select(.metric == "leaky.rss_growth") | .value > 5*1048576' leak-verdict.json

# Instructions: the same count every run, and a 25 % slowdown is a 25 % regression.
if command -v valgrind >/dev/null; then
  cat >ins.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 2},
 "benchmarks": [{"name": "w", "command": ["$WORKLOAD", "--work", "2", "--slowdown", "SLOW"], "measure": "instructions"}]}
JSON
  sed 's/SLOW/0/' ins.json >ins0.json
  sed 's/SLOW/25/' ins.json >ins25.json
  run_pg ins0 0 run -c ins0.json -q -o base.json
  check "instructions are counted" jq -e '.benchmarks[0].metrics[0] | .name == "instructions" and .summary.median > 1e6' base.json
  check "the count is the same every run" jq -e '.benchmarks[0].metrics[0].summary | .min == .max' base.json
  run_pg ins25 0 run -c ins25.json -q -o head.json
  run_pg ins_cmp 1 compare --base base.json --head head.json --format json
  check "a 25 % slowdown in instructions is a regression" jq -e '.metrics[0].verdict == "regression" and .metrics[0].change > 0.2' ins_cmp.out
  PATH=/nonexistent run_pg ins_novg 0 run -c ins0.json -o novg.json
  check "without valgrind the benchmark is skipped, saying why" \
    jq -e '.benchmarks[0].status == "skipped" and (.benchmarks[0].reason | test("valgrind"))' novg.json
else
  echo "skipped: valgrind not installed (instructions mode)"
fi
finish
