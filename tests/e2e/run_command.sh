#!/usr/bin/env bash
# run_command.sh - `perfgate run` with the command kind: tables, result sets, selection, exit codes
source "$(dirname "$0")/lib.bash"

cat >gates.json <<JSON
{"schema": "perfgate-gates/1",
 "defaults": {"runs": 5, "warmup": 1},
 "benchmarks": [
   {"name": "quick", "command": ["$WORKLOAD", "--work", "1"]},
   {"name": "shell", "shell": true, "command": "test -n \"\$PG_E2E\" && $WORKLOAD --work 1",
    "env": {"PG_E2E": "set"}, "runs": 3},
   {"name": "alloc", "command": ["{bindir}/perfgate-workload", "--alloc-mib", "32"], "runs": 2}
 ]}
JSON

run_pg table 0 run -c gates.json
expect_out table '^quick  command · 5 samples · ok'
expect_out table '^shell  command · 3 samples · ok'
expect_out table '^  wall +[0-9.]+ (ms|us)'
expect_out table '^  peak_rss +[0-9.]+ MiB'

run_pg result 0 run -c gates.json -q -o result.json
check "result.json has schema perfgate/1" test "$(jq -r .schema result.json)" = "perfgate/1"
check "quick has 5 wall samples" test "$(jq '.benchmarks[0].metrics[0].samples | length' result.json)" = 5
check "the first metric is wall, in ms" test "$(jq -r '.benchmarks[0].metrics[0] | .name + " " + .unit' result.json)" = "wall ms"
check "summary n matches" test "$(jq '.benchmarks[0].metrics[0].summary.n' result.json)" = 5
check "rss_floor is recorded" jq -e '.rss_floor > 0' result.json
check "outside a repository commit is null" test "$(jq -r .commit result.json)" = null
check "{bindir} placeholder resolved: alloc peaks near 32 MiB" \
  jq -e '.benchmarks[2].metrics[3].summary.median > 30*1048576 and .benchmarks[2].metrics[3].summary.median < 36*1048576' result.json
check "env key is normalised" jq -e '.env.key | test("^[a-z0-9._-]+$")' result.json

run_pg only 0 run -c gates.json -b quick --runs 2 --warmup 0 -q -o only.json
check "-b picks one benchmark" test "$(jq '.benchmarks | length' only.json)" = 1
check "--runs overrides the gates file" test "$(jq '.benchmarks[0].metrics[0].samples | length' only.json)" = 2

run_pg unknown_bench 2 run -c gates.json -b nope
expect_err unknown_bench "perfgate: gates.json: no benchmark named 'nope'"

run_pg adhoc 0 run --runs 3 --format json -- "$WORKLOAD" --work 1
check "ad hoc command is one benchmark" test "$(jq '.benchmarks | length' adhoc.out)" = 1
check "ad hoc command's name is the command" jq -e '.benchmarks[0].name | endswith("--work 1")' adhoc.out

run_pg list 0 run -c gates.json --list
expect_out list '^quick +command +5 runs, 1 warm-up'

# Inside a repository: the commit and the dirty flag are recorded.
make_repo repo
cp gates.json repo/
(cd repo && "$PERFGATE" run -c gates.json -b quick --runs 1 -q -o ../inrepo.json) || fail "run in repo"
check "commit is HEAD" test "$(jq -r .commit inrepo.json)" = "$(git -C repo rev-parse HEAD)"
check "untracked gates.json does not make the tree dirty" test "$(jq -r .dirty inrepo.json)" = false
echo two >repo/file.txt
(cd repo && "$PERFGATE" run -c gates.json -b quick --runs 1 -q -o ../dirty.json) || fail "run in dirty repo"
check "a modified tracked file makes the tree dirty" test "$(jq -r .dirty dirty.json)" = true

run_pg version 0 --version
expect_out version '^perfgate [0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?(-g[0-9a-f]+)?(-dirty)?$'
run_pg help 0 run --help
expect_out help '^usage: perfgate run'

finish
