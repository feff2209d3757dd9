#!/usr/bin/env bash
# timing_kind_matcher.sh - the matcher kind decides right: --slowdown 25 against itself without is
# a regression, --slowdown 0 against itself is not. The lookup is made costlier (--rounds) so that
# it outweighs the pipe: at 0.6 us a lookup, 25 % more of it is 2 % of a 7 us exchange.
source "$(dirname "$0")/lib.bash"

matcher="$PG_BINDIR/perfgate-matcher"
corpus="$PG_SRCDIR/fixtures/matcher/queries.txt"
gates() { # gates FILE SLOWDOWN
  cat >"$1" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 1},
 "benchmarks": [{"name": "matcher", "kind": "matcher",
   "target": {"command": ["$matcher", "--serve", "--rounds", "60", "--slowdown", "$2"], "protocol": "line"},
   "corpus": "$corpus"}]}
JSON
}
gates m0.json 0
gates m25.json 25
trials=5
same=0 slow=0
for t in $(seq $trials); do
  "$PERFGATE" run -q -c m0.json -o base.json || fail "base run"
  "$PERFGATE" check -q -c m0.json --base base.json && same=$((same + 1))
  "$PERFGATE" check -q -c m25.json --base base.json --format json=v.json
  [[ $? -eq 1 ]] && slow=$((slow + 1))
done
echo "slowdown 0: $same of $trials passed; slowdown 25: $slow of $trials failed ($(jq -r '.metrics[0].change' v.json))"
check "--slowdown 0 against itself passes ($trials of $trials)" test $same -eq $trials
check "--slowdown 25 against itself without is a regression ($trials of $trials)" test $slow -eq $trials
check "it is the latency that regressed" jq -e '.metrics[0].metric == "latency" and .metrics[0].verdict == "regression"' v.json
finish
