#!/usr/bin/env bash
# bad_input.sh - every bad input gets a named one-line error and the documented exit status
source "$(dirname "$0")/lib.bash"

run_pg unknown_verb 2 frobnicate
expect_err unknown_verb "^perfgate: unknown verb 'frobnicate'"
expect_err unknown_verb '^usage: perfgate'

run_pg unknown_option 2 run --frobnicate
expect_err unknown_option "perfgate: run: unknown option.*--frobnicate"
expect_err unknown_option '^usage: perfgate run'

run_pg bad_runs 2 run --runs zero -- true
expect_err bad_runs "--runs: expected an integer >= 1, found 'zero'"

run_pg missing_gates 3 run -c nowhere.json
expect_err missing_gates "perfgate: nowhere.json: cannot open: No such file"

printf '{"schema": "perfgate-gates/1", "benchmarks": [\n  {"name": "a", ' >truncated.json
run_pg truncated_gates 2 run -c truncated.json
expect_err truncated_gates "perfgate: truncated.json: line 2, column [0-9]+: JSON ends early"

printf '{"schema": "perfgate-gates/1",\n "benchmarks": [}' >malformed.json
run_pg malformed_gates 2 run -c malformed.json
expect_err malformed_gates "perfgate: malformed.json: line 2, column [0-9]+: not valid JSON"

echo '{"schema": "perfgate-gates/1", "benchmarks": [{"name": "a", "command": ["true"], "runz": 3}]}' >unknown_key.json
run_pg unknown_key 2 run -c unknown_key.json
expect_err unknown_key "unknown_key.json: \\$.benchmarks\\[0\\]: unknown key 'runz'"

echo '{"schema": "perfgate-gates/1", "benchmarks": [{"name": "a", "command": ["true"], "runs": "many"}]}' >wrong_type.json
run_pg wrong_type 2 run -c wrong_type.json
expect_err wrong_type "wrong_type.json: \\$.benchmarks\\[0\\].runs: expected an integer >= 1, found a string"

echo '{"schema": "perfgate-gates/1", "defaults": {"timeout": "soon"}, "benchmarks": []}' >bad_quantity.json
run_pg bad_quantity 2 run -c bad_quantity.json
expect_err bad_quantity "bad_quantity.json: \\$.defaults.timeout: 'soon' is not a quantity"

echo '{"schema": "perfgate-gates/1", "benchmarks": [{"name": "a", "kind": "command", "files": ["x"]}]}' >wrong_kind_key.json
run_pg wrong_kind_key 2 run -c wrong_kind_key.json
expect_err wrong_kind_key "key 'files' does not apply to kind 'command'"

# Refused before anything runs: the first benchmark would print RAN had it been measured.
first='{"name": "first", "command": ["sh", "-c", "echo RAN >{root}/ran.txt"]}'
echo "{\"schema\": \"perfgate-gates/1\", \"benchmarks\": [$first,
  {\"name\": \"inf\", \"kind\": \"inference\", \"shell\": true, \"target\": {\"command\": [\"true\"]}, \"corpus\": \"x\"}]}" >shell_kind.json
run_pg shell_kind 2 run -c shell_kind.json --no-probe
expect_err shell_kind "\\$.benchmarks\\[1\\]: key 'shell' does not apply to kind 'inference'"
check "a kind's key error is found before the first benchmark runs" test ! -e ran.txt
for bad in '"min_time": 1.8e19|min_time: expected a duration up to 1h' '"timeout": 3e6|timeout: expected a duration up to 24h' \
  '"pin": 99999|pin: CPU 99999 does not exist'; do
  echo "{\"schema\": \"perfgate-gates/1\", \"benchmarks\": [$first, {\"name\": \"b\", \"command\": [\"true\"], ${bad%%|*}}]}" >limits.json
  run_pg "limits_${bad%%\":*}" 2 run -c limits.json --no-probe --runs 1
  expect_err "limits_${bad%%\":*}" "${bad#*|}"
done
check "a limit is checked before the first benchmark runs" test ! -e ran.txt
# --runs N is N runs, whatever min_time the file asks for (command line over the file).
echo '{"schema": "perfgate-gates/1", "benchmarks": [{"name": "t", "command": ["true"], "min_time": "1h"}]}' >min_time.json
run_pg min_time_runs 0 run -c min_time.json --no-probe --runs 2 --warmup 0 -q -o min_time.rs.json
check "--runs 2 over min_time 1h: 2 samples" jq -e '.benchmarks[0].metrics[0].samples | length == 2' min_time.rs.json

echo '{"schema": "perfgate-gates/1", "benchmarks": [{"name": "a", "command": ["{src}/x"]}]}' >bad_placeholder.json
run_pg bad_placeholder 2 run -c bad_placeholder.json
expect_err bad_placeholder "unknown placeholder '\\{src\\}'"

echo '{"schema": "perfgate-gates/9", "benchmarks": []}' >bad_schema.json
run_pg bad_schema 2 run -c bad_schema.json
expect_err bad_schema 'bad_schema.json: \$.schema: expected "perfgate-gates/1", found "perfgate-gates/9"'

# Commands that do not exist, crash, fail or hang: failed, never fast.
cat >behaviour.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 2, "warmup": 0, "timeout": "1s"},
 "benchmarks": [
   {"name": "missing", "command": ["/nonexistent/perfgate-nothing"]},
   {"name": "crash", "command": ["$WORKLOAD", "--crash"]},
   {"name": "exit3", "command": ["$WORKLOAD", "--exit", "3", "--stderr", "disk full"]},
   {"name": "hang", "command": ["$WORKLOAD", "--spawn-sleeper", "--hang"]},
   {"name": "flood", "command": ["$WORKLOAD", "--flood-stdout", "200", "--flood-stderr", "20"]}
 ]}
JSON
run_pg missing_cmd 3 run -c behaviour.json -b missing -o missing.json
expect_err missing_cmd "cannot start '/nonexistent/perfgate-nothing': No such file or directory"
check "a command that cannot start is recorded as failed" test "$(jq -r '.benchmarks[0].status' missing.json)" = failed

run_pg crash 1 run -c behaviour.json -b crash -o crash.json
expect_err crash "benchmark 'crash' failed: run 1 killed by signal 11 \\(SIGSEGV\\)"
check "a crash is status failed" test "$(jq -r '.benchmarks[0].status' crash.json)" = failed
check "a crash records no samples" test "$(jq '.benchmarks[0].metrics[0].samples // [] | length' crash.json)" = 0

run_pg exit3 1 run -c behaviour.json -b exit3
expect_err exit3 "benchmark 'exit3' failed: run 1 exited with status 3 \\(stderr: disk full\\)"

start=$(date +%s)
run_pg hang 1 run -c behaviour.json -b hang -o hang.json
expect_err hang "benchmark 'hang' timed out: run 1 timed out after 1"
check "a hang is status timeout" test "$(jq -r '.benchmarks[0].status' hang.json)" = timeout
check "the timeout ended the hang in seconds" test $(($(date +%s) - start)) -lt 30
sleep 0.2
check "no sleeper left behind by the timeout" bash -c "! pgrep -f -- '[p]erfgate-workload --spawn-sleeper' >/dev/null"

run_pg flood 0 run -c behaviour.json -b flood -q -o flood.json
check "flooding output still succeeds" test "$(jq -r '.benchmarks[0].status' flood.json)" = ok

# When several fail, the worst status wins: 3 (could not start) over 1 (failed).
run_pg worst 3 run -c behaviour.json -b crash -b missing
finish
