#!/usr/bin/env bash
# timing_kind_matcher.sh - the matcher kind decides right: --slowdown 30 against itself without
# never passes silently (a regression, or inconclusive where this runner's noise leaves the
# interval across the threshold), --slowdown 0 against itself never fails.
#
# The target reports each lookup's own time (--report-time, the line protocol's timing
# extension), so latency is the lookup and 30 % more lookup is 30 % more latency, not a few % more
# round trip. --rounds 10 makes --slowdown 30 every query's: 13 lookups instead of 10 (with one
# round, 30 % of the queries would do a second lookup, which moves the mean, not the median that
# is gated). One matcher process still differs
# from the next (core placement, cross-core wake-ups), so the two sides are measured
# interleaved with `perfgate ab` (a process per half, A B B A), pinned to one CPU.
# tests/bench/matcher_lookup.sh runs 20 trials of each, in both timing modes.
source "$(dirname "$0")/lib.bash"

export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
make_repo repo
mkdir repo/gates
echo 0 >repo/slow.txt
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [{"name": "matcher", "kind": "matcher",
   "target": {"command": ["sh", "-c", "exec $PG_BINDIR/perfgate-matcher --serve --report-time --rounds 10 --slowdown \$(cat {root}/slow.txt)"],
              "protocol": "line"},
   "corpus": "$PG_SRCDIR/fixtures/matcher/queries.txt"}]}
JSON
git -C repo add -A && git -C repo commit -q -m "matcher at its base cost"
echo 30 >repo/slow.txt
git -C repo commit -q -am "30 % more lookup work"
cpu=$(( $(nproc) > 1 ? 1 : 0 ))
ab() { (cd repo && taskset -c $cpu "$PERFGATE" ab --no-build -q "$@"); }

trials=5
same=0 slow=0 silent=0
for t in $(seq $trials); do
  ab --base HEAD && same=$((same + 1))
  ab --base HEAD~1 --format json=v.json
  [[ $? -eq 1 ]] && slow=$((slow + 1))
  verdict=$(jq -r '.metrics[] | select(.metric == "latency" and .stat == null) | .verdict' repo/v.json)
  [[ $verdict == regression || $verdict == inconclusive ]] || silent=$((silent + 1))
done
echo "slowdown 0 vs 0: $same of $trials passed; 30 vs 0: $slow of $trials failed, $silent passed silently (last change $(jq -r '.metrics[0].change' repo/v.json))"
check "--slowdown 0 against itself never fails ($trials of $trials)" test $same -eq $trials
check "--slowdown 30 against itself without never passes silently ($silent of $trials did)" test $silent -eq 0
check "--slowdown 30 is caught as a regression at least once in $trials" test $slow -ge 1
finish
