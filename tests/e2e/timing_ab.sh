#!/usr/bin/env bash
# timing_ab.sh - same-runner A/B in a real repository: A/A never fails, +25 % never passes silently
# and fails in all trials but at most one,
# a base that does not build is said to be that, and an interrupted run leaves no worktree.
source "$(dirname "$0")/lib.bash"

# Worktrees go under TMPDIR: keep them in this test's directory, to look for leftovers.
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
make_repo repo
mkdir repo/gates
echo 0 >repo/slow.txt
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"warmup": 1},
 "build": [["sh", "-c", "test ! -e {root}/broken"]],
 "benchmarks": [{"name": "workload",
   "command": ["$WORKLOAD", "--work", "8", "--slowdown-file", "{root}/slow.txt"]}]}
JSON
git -C repo add -A && git -C repo commit -q -m "workload at its base cost"
ab() { (cd repo && "$PERFGATE" ab -q "$@"); }

trials=${PG_TRIALS:-20} # ci/test.sh runs fewer beside load.sh (the promise is asserted in each)
aa_failed=0
for t in $(seq $trials); do
  ab --base HEAD --format json=aa.json || aa_failed=$((aa_failed + 1))
done
echo "A/A: $aa_failed of $trials failed"
check "A/A (--base HEAD) never fails in $trials trials" test $aa_failed -eq 0
check "A/A reports the runner's noise floor" jq -e '.metrics[0].noise_floor >= 0' repo/aa.json
ab --base HEAD --save >/dev/null
check "ab --save stores the noise floor with the head's results" \
  bash -c "git -C repo notes --ref=perfgate show HEAD | jq -se 'map(.benchmarks[0].noise_floor // empty) | length == 1 and .[0] >= 0'"

echo 25 >repo/slow.txt
git -C repo commit -q -am "25 % more work"
# The promise: +25 % never passes silently. The power: it fails in all trials but at most one
# (this 2-core machine's plain ctest saw 19 of 20 and once 17 of 20 in one noisy stretch, the
# misses inconclusive); a miss prints its verdict and note.
caught=0 silent=0
for t in $(seq $trials); do
  ab --base HEAD~1 --format json=ab.json
  status=$?
  if [[ $status -eq 1 ]]; then
    caught=$((caught + 1))
    cp repo/ab.json caught.json
  else
    [[ $(jq -r .verdict repo/ab.json) == pass ]] && silent=$((silent + 1))
    echo "  trial $t: exit $status, $(jq -c '[.verdict, .metrics[0].change, .metrics[0].p, .metrics[0].noise_floor, .metrics[0].note]' repo/ab.json)"
  fi
done
echo "+25 %: $caught of $trials caught, $silent passed silently"
check "+25 % never passes silently ($silent of $trials did)" test $silent -eq 0
check_trials "+25 % fails" "$caught" "$trials"
check "the verdict is a regression with its interval above zero" \
  jq -e '.metrics[0].verdict == "regression" and .ci[0] > 0 // .metrics[0].ci[0] > 0' caught.json
check "check --ab is the same A/B" bash -c "cd repo && '$PERFGATE' check --ab --base HEAD~1 -q; test \$? -eq 1"

# A base that does not build: said so, exit 3, never a regression.
git -C repo checkout -q HEAD~1
touch repo/broken
git -C repo add broken && git -C repo commit -q -m "breaks the build"
git -C repo rm -q broken && git -C repo commit -q -m "fixes it"
(cd repo && "$PERFGATE" ab --base HEAD~1) >broken.out 2>broken.err
check "a base that does not build exits 3" test $? -eq 3
check "and says the base does not build" grep -q "base does not build: step 1" broken.err
check "no worktree is left behind" test "$(git -C repo worktree list | wc -l)" -eq 1

# Ctrl-C in the middle (of a slow build): the worktree goes too.
sed 's/"test ! -e {root}\/broken"/"sleep 30"/' repo/gates/default.json >slow-build.json
cp slow-build.json repo/gates/default.json
(cd repo && exec "$PERFGATE" ab --base HEAD~1 -q) &
pid=$!
for i in $(seq 100); do
  [[ $(git -C repo worktree list | wc -l) -gt 1 ]] && break
  sleep 0.05
done
check "the worktree exists while ab runs" test "$(git -C repo worktree list | wc -l)" -gt 1
sleep 0.3
kill -INT $pid
wait $pid
check "an interrupted ab dies" test $? -ne 0
check "and leaves no worktree" test "$(git -C repo worktree list | wc -l)" -eq 1
check "and no directory" bash -c "! ls -d $TMPDIR/perfgate-base-* 2>/dev/null | grep -q ."
git -C repo checkout -q gates/default.json
finish
