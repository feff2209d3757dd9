#!/usr/bin/env bash
# timing_kind_matcher.sh - the matcher kind decides right: --slowdown 25 against itself without
# never passes silently (a regression, or inconclusive where this runner's noise leaves the
# interval across the threshold), --slowdown 0 against itself never fails.
#
# Two things make this workload hard to time, and the test handles both the way a user should:
# - at 0.6 us a lookup, 25 % more of it is 2 % of the 7 us pipe exchange perfgate times, so the
#   lookup is made costlier (--rounds 120) to outweigh the pipe;
# - one matcher process differs from the next by up to ±25 % here (core placement, cross-core
#   wake-ups of the exchange), so a single process per side cannot decide a 25 % change: the two
#   sides are measured interleaved with `perfgate ab` (a process per half, A B B A), everything
#   pinned to one CPU so each exchange wakes the other side on the same core.
source "$(dirname "$0")/lib.bash"

export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
make_repo repo
mkdir repo/gates
echo 0 >repo/slow.txt
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [{"name": "matcher", "kind": "matcher",
   "target": {"command": ["sh", "-c", "exec $PG_BINDIR/perfgate-matcher --serve --rounds 120 --slowdown \$(cat {root}/slow.txt)"],
              "protocol": "line"},
   "corpus": "$PG_SRCDIR/fixtures/matcher/queries.txt"}]}
JSON
git -C repo add -A && git -C repo commit -q -m "matcher at its base cost"
echo 25 >repo/slow.txt
git -C repo commit -q -am "25 % more lookup work"
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
echo "slowdown 0 vs 0: $same of $trials passed; 25 vs 0: $slow of $trials failed, $silent passed silently (last change $(jq -r '.metrics[0].change' repo/v.json))"
check "--slowdown 0 against itself never fails ($trials of $trials)" test $same -eq $trials
check "--slowdown 25 against itself without never passes silently ($silent of $trials did)" test $silent -eq 0
check "--slowdown 25 is caught as a regression at least once in $trials" test $slow -ge 1
finish
