#!/usr/bin/env bash
# check_repo.sh - `perfgate check` in real git repositories: no baseline, compare, regression,
# and every way the baseline can be missing or wrong
source "$(dirname "$0")/lib.bash"

write_gates() { # write_gates DIR SLOWDOWN
  mkdir -p "$1/gates"
  cat >"$1/gates/default.json" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 20, "warmup": 2},
 "benchmarks": [{"name": "workload", "command": ["{bindir}/perfgate-workload", "--work", "4", "--slowdown", "$2"]}],
 "gates": [{"metric": "workload.wall.median", "max": "5s"}]}
JSON
}
# The fixture lives beside perfgate; {bindir} must find it, so run the built perfgate.
pg() { (cd "$T/repo" && "$PERFGATE" "$@"); }

make_repo repo
write_gates repo 0
git -C repo add gates && git -C repo commit -q -m "add gates"

pg check --save >first.out 2>first.err
check "first check passes with no baseline" test $? -eq 0
check "it says there is no baseline" grep -q "no baseline" first.out
check "the note is on HEAD" bash -c "git -C repo notes --ref=perfgate show HEAD >/dev/null"
check "the note is one JSON line of perfgate/1" \
  test "$(git -C repo notes --ref=perfgate show HEAD | jq -r .schema)" = perfgate/1

git -C repo commit -q --allow-empty -m "an innocent commit"
pg check --save --format json=verdict.json >second.out 2>second.err
check "the next commit compares and passes" test $? -eq 0
check "the baseline is the first commit" \
  test "$(jq -r .base.commit repo/verdict.json)" = "$(git -C repo rev-parse HEAD~1)"
check "the verdict has counts" jq -e '.counts.regressions == 0' repo/verdict.json

# An injected regression: 60 % more work.
write_gates repo 60
git -C repo commit -q -am "make it slower"
pg check >third.out 2>third.err
status=$?
check "an injected regression fails with exit 1" test $status -eq 1
# CPU time is gated beside wall time: on a busy runner wall time may not reproduce, CPU time does.
check "the report names it a regression" grep -Eq "^  (wall|cpu) .* regression" third.out
check "the error line says what failed" grep -Eq "^perfgate: check failed: [12] regressions?" third.err
check "the changed definition is warned about" grep -q "changed its definition" third.out

# Inside GitHub Actions the annotations and outputs come without asking.
(cd repo && GITHUB_ACTIONS=true GITHUB_OUTPUT="$T/gh-output" GITHUB_STEP_SUMMARY="$T/gh-summary" \
  "$PERFGATE" check --runs 5 >gha.out 2>&1)
check "GITHUB_ACTIONS=true writes the step outputs" grep -q "^verdict=" "$T/gh-output"
check "and appends the markdown summary" grep -q "<!-- perfgate:" "$T/gh-summary"

# Bad input and missing baselines.
(cd repo && "$PERFGATE" check --base no-such-rev) >bb.out 2>bb.err
check "--base that does not resolve exits 2" test $? -eq 2
check "and names it" grep -q "no-such-rev: not a file, nor a commit" bb.err

(cd repo && "$PERFGATE" check --env other-key --runs 5) >key.out 2>key.err
check "another env key only: passes" test $? -eq 0
check "and says which keys it found" grep -q "no baseline for key other-key; found keys:" key.out

(cd repo && "$PERFGATE" check --env other-key --runs 5 --require-baseline) >rb.out 2>rb.err
check "--require-baseline fails without one" test $? -eq 1

echo dirt >>repo/file.txt
(cd repo && "$PERFGATE" check --save --runs 3) >dirty.out 2>dirty.err
check "--save refuses a dirty tree with exit 2" test $? -eq 2
check "and says how to go on" grep -q "allow-dirty" dirty.err
git -C repo checkout -q file.txt

git -C repo checkout -q --detach HEAD
(cd repo && "$PERFGATE" check --runs 5 -q)
check "detached HEAD is normal (measured and compared)" test $? -le 1
git -C repo checkout -q main

mkdir unborn && git -C unborn init -q && write_gates unborn 0
(cd unborn && "$PERFGATE" check --runs 3) >unborn.out 2>unborn.err
check "unborn HEAD exits 2" test $? -eq 2
check "and says so" grep -q "HEAD is unborn" unborn.err

mkdir norepo && write_gates norepo 0
(cd norepo && "$PERFGATE" check --runs 3 -c gates/default.json) >norepo.out 2>norepo.err
check "outside a repository check still runs (no baseline)" test $? -eq 0
(cd norepo && "$PERFGATE" check --runs 3 -c gates/default.json --save) >nrs.out 2>nrs.err
check "--save outside a repository exits 3" test $? -eq 3
check "and names the way out" grep -q "give --store DIR" nrs.err

cat >repo/gates/bad.json <<JSON
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "w", "command": ["true"]}],
 "gates": [{"metric": "w.latency.p99", "max": "10ms"}]}
JSON
(cd repo && "$PERFGATE" check -c gates/bad.json) >badgate.out 2>badgate.err
check "a gate on a metric the benchmark does not produce exits 2" test $? -eq 2
check "naming file, gate and metric" grep -q "bad.json: \$.gates\[0\].metric: benchmark 'w' (kind command) has no metric 'latency'" badgate.err

# run --save --commit REV attaches the results to another commit.
before=$(git -C repo notes --ref=perfgate show HEAD~2 | wc -l)
(cd repo && "$PERFGATE" run --runs 2 -q --save --commit HEAD~2) || fail "run --save --commit"
check "run --save --commit adds a record to that commit" \
  test "$(git -C repo notes --ref=perfgate show HEAD~2 | wc -l)" -eq $((before + 1))
(cd repo && "$PERFGATE" run --runs 1 -q --save --commit nope) 2>commit.err
check "run --save --commit with a bad revision exits 2" test $? -eq 2
check "and names it" grep -q "nope: not a commit in this repository" commit.err

# A shallow clone: the walk stops at the boundary and says how to fetch.
git clone -q --depth 1 "file://$T/repo" shallow
write_gates shallow 0
(cd shallow && "$PERFGATE" check --runs 3) >shallow.out 2>shallow.err
check "a shallow clone still checks" test $? -eq 0
check "and says the history is shallow" grep -q "history is shallow: fetch with fetch-depth 0 and fetch refs/notes/perfgate" shallow.out

finish
