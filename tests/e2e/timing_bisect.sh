#!/usr/bin/env bash
# timing_bisect.sh - bisect finds the commit of a +25 % step, measured in worktrees or from stored
# results, skips a commit that does not build, and says so when there is nothing to find.
source "$(dirname "$0")/lib.bash"


# Worktrees go under TMPDIR: keep them in this test's directory, to look for leftovers.
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"

# make_history DIR MEASURE BUILD: 16 commits after a base one; commit 11 of them makes slow.txt 25.
make_history() {
  local dir=$1 measure=$2 build=$3
  make_repo "$dir"
  mkdir "$dir/gates"
  echo 0 >"$dir/slow.txt"
  cat >"$dir/gates/default.json" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"warmup": 1, "runs": 5 $measure},
 "build": [$build],
 "benchmarks": [{"name": "workload",
   "command": ["$WORKLOAD", "--work", "4", "--slowdown-file", "{root}/slow.txt"]}]}
JSON
  git -C "$dir" add -A && git -C "$dir" commit -q -m "good: workload at its base cost"
  git -C "$dir" tag good
  for i in $(seq 1 16); do
    echo "$i" >>"$dir/file.txt"
    if [[ $i -eq 11 ]]; then
      echo 25 >"$dir/slow.txt"
      git -C "$dir" commit -q -am "commit $i: 25 % more work"
    else
      git -C "$dir" commit -q -am "commit $i"
    fi
    git -C "$dir" tag "c$i"
  done
}

worktrees() { git -C "$1" worktree list | wc -l; }

# 1. Nothing stored: every probe is built in a worktree and measured against good.
make_history repo "" '["true"]'
culprit=$(git -C repo rev-parse c11)
(cd repo && "$PERFGATE" bisect --good good --bad c16 --format text --format json=../bisect.json) >bisect.out 2>bisect.err
check "bisect over 16 commits finds the culprit (exit 0)" test $? -eq 0
cat bisect.out
check "and names it" grep -q "first bad commit: $culprit commit 11: 25 % more work: +" bisect.out
check "the JSON names it too" jq -e --arg c "$culprit" '.result == "found" and .first_bad.commit == $c' bisect.json
check "every step was measured" jq -e '[.steps[].source] | all(. == "measured")' bisect.json
builds=$(jq '.builds' bisect.json)
echo "builds: $builds"
check "builds used <= log2(16) + 1, the good commit included ($builds)" test "$builds" -le 5
check "the culprit's change is over the 10 % threshold" jq -e '.first_bad.change > 0.10 and .first_bad.ci[0] > 0' bisect.json
check "no worktree is left behind" test "$(worktrees repo)" -eq 1
check "and no directory" bash -c "! ls -d $TMPDIR/perfgate-base-* 2>/dev/null | grep -q ."

# 2. Nothing to find: no regression between good and bad is exit 1.
(cd repo && "$PERFGATE" bisect --good good --bad c10 -q) >none.out 2>none.err
check "no regression in the range exits 1" test $? -eq 1
check "and says so" grep -q "no regression between good" none.err
(cd repo && "$PERFGATE" bisect --good c12 --bad c16 -q) >none2.out 2>none2.err
check "no regression after the step exits 1 too" test $? -eq 1

# 3. Usage: good not an ancestor of bad, a revision that does not resolve.
(cd repo && "$PERFGATE" bisect --good c16 --bad good) >usage.out 2>usage.err
check "good not an ancestor of bad exits 2" test $? -eq 2
check "and says so" grep -q -- "--good c16 is not an ancestor of --bad good" usage.err
(cd repo && "$PERFGATE" bisect --good nosuchrev --bad c16) >usage2.out 2>usage2.err
check "an unknown revision exits 2" test $? -eq 2
check "naming it" grep -q "nosuchrev" usage2.err
(cd repo && "$PERFGATE" bisect --good good) >usage3.out 2>usage3.err
check "--bad missing exits 2" test $? -eq 2

# 4. Results stored on every commit (instructions: deterministic): nothing is checked out.
make_history stored ', "measure": "instructions"' '["true"]'
for i in good $(seq -f "c%g" 1 16); do
  git -C stored checkout -q "$i"
  (cd stored && "$PERFGATE" run -q --save) || fail "run --save on $i"
done
git -C stored checkout -q main
culprit=$(git -C stored rev-parse c11)
(cd stored && "$PERFGATE" bisect --good good --bad c16 --format text --format json=../stored.json) >stored.out 2>stored.err
check "bisect from stored results finds the culprit (exit 0)" test $? -eq 0
cat stored.out
check "and names it" grep -q "first bad commit: $culprit" stored.out
check "every step says stored" jq -e '(.steps | length) > 0 and ([.steps[].source] | all(. == "stored"))' stored.json
check "the text says stored on every step" bash -c "grep '^  [0-9a-f]\{7\} ' stored.out | grep -qv '(stored' && exit 1 || exit 0"
check "no build and no checkout" jq -e '.builds == 0 and .checkouts == 0' stored.json
check "no worktree was made" bash -c "! ls -d $TMPDIR/perfgate-base-* 2>/dev/null | grep -q ."

# 5. A commit in the range that does not build is skipped, and the culprit is still found.
make_history broken "" '["sh", "-c", "test ! -e {root}/broken"]'
# Break the build exactly on the first midpoint (commit 8) and mend it on the next commit.
git -C broken checkout -q -b rewrite c7
for i in $(seq 8 16); do
  git -C broken checkout -q "c$i" -- file.txt slow.txt
  [[ $i -eq 8 ]] && touch broken/broken && git -C broken add broken
  [[ $i -eq 9 ]] && git -C broken rm -q broken
  git -C broken commit -q -m "$(git -C broken log -1 --format=%s "c$i")"
done
culprit=$(git -C broken log --format=%H --grep "commit 11:" rewrite)
(cd broken && "$PERFGATE" bisect --good good --bad rewrite --format text --format json=../broken.json) >broken.out 2>broken.err
check "bisect with a commit that does not build still finds the culprit" test $? -eq 0
cat broken.out
check "and names it" grep -q "first bad commit: $culprit" broken.out
check "the commit that does not build is reported skipped" \
  jq -e '[.steps[] | select(.source == "skipped" and (.note | test("does not build")))] | length == 1' broken.json
check "the text lists it" grep -q "^skipped: " broken.out
check "no worktree is left behind" test "$(worktrees broken)" -eq 1

# 6. Good does not build: exit 3, never a culprit.
broken_good=$(git -C broken log --format=%H --grep 'commit 8$' rewrite)
(cd broken && "$PERFGATE" bisect --good "$broken_good" --bad rewrite -q) >goodbroken.out 2>goodbroken.err
check "good that does not build exits 3" test $? -eq 3
check "and says good does not build" grep -q "good [0-9a-f]\{7\} does not build" goodbroken.err
check "no worktree is left behind" test "$(worktrees broken)" -eq 1

# 7. Ctrl-C in the middle (of a slow build): the worktrees go too.
sed 's/\["true"\]/["sleep", "30"]/' repo/gates/default.json >slow-build.json
(cd repo && exec "$PERFGATE" bisect -q -c ../slow-build.json --good good --bad c16) &
pid=$!
for i in $(seq 100); do
  [[ $(worktrees repo) -gt 1 ]] && break
  sleep 0.05
done
check "a worktree exists while bisect runs" test "$(worktrees repo)" -gt 1
sleep 0.3
kill -INT $pid
wait $pid
check "an interrupted bisect dies" test $? -ne 0
check "and leaves no worktree" test "$(worktrees repo)" -eq 1
check "and no directory" bash -c "! ls -d $TMPDIR/perfgate-base-* 2>/dev/null | grep -q ."
finish
