#!/usr/bin/env bash
# check_modes.sh - check --mode auto picks same-runner A/B only where it can be had (build steps,
# a known base, nothing to save), --mode stored never does, and --threshold moves the default
# relative threshold (a gate's own still holds)
source "$(dirname "$0")/lib.bash"
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"

make_repo repo
mkdir repo/gates
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"warmup": 0, "runs": 3},
 "build": [["true"]],
 "benchmarks": [{"name": "workload", "command": ["$WORKLOAD", "--work", "1"]}]}
JSON
git -C repo add -A && git -C repo commit -q -m "gates with build steps"
echo two >>repo/file.txt && git -C repo commit -q -am "a second commit"

(cd repo && run_pg auto 0 check --mode auto --base HEAD~1 --format json=../auto.json)
expect_err auto "^perfgate: mode auto: same-runner A/B against [0-9a-f]{12} \(--base HEAD~1\): .*gates/default.json has build steps"
check "mode auto measured base and head side by side (paired: pairs in the verdict)" \
  jq -e '.metrics[0].n_base >= 2 and .metrics[0].n_head >= 2' auto.json

(cd repo && run_pg stored 0 check --mode stored --base HEAD~1)
check "mode stored never builds the base" bash -c "! grep -q 'mode auto' '$T/stored.err'"

# Saving needs the head's own run: auto stays with the stored baseline.
(cd repo && run_pg auto_save 0 check --mode auto --base HEAD~1 --save)
check "mode auto with --save stays stored" bash -c "! grep -q 'same-runner A/B' '$T/auto_save.err'"
# No build steps: nothing to build the base with.
jq 'del(.build)' repo/gates/default.json >nobuild.json
(cd repo && run_pg auto_nobuild 0 check --mode auto -c ../nobuild.json --base HEAD~1)
check "mode auto without build steps stays stored" bash -c "! grep -q 'same-runner A/B' '$T/auto_nobuild.err'"
(cd repo && run_pg bad_mode 2 check --mode fast)
expect_err bad_mode "^perfgate: --mode: expected auto, ab or stored, found 'fast'"

# --threshold: identical samples decide by plain ratio, so +7 % is a fixed answer.
hf() { # hf FILE MS : a hyperfine export with five identical runs of MS milliseconds
  jq -n --argjson t "$2" '{results: [{command: "cmd", mean: ($t/1000), times: [range(5)] | map($t/1000),
    user: 0.001, system: 0.001, exit_codes: [0,0,0,0,0]}]}' >"$1"
}
hf base.json 100 && hf head.json 107
run_pg imp_base 0 import --from hyperfine base.json -o base_rs.json -q
run_pg imp_head 0 import --from hyperfine head.json -o head_rs.json -q
run_pg thr_default 0 compare --base base_rs.json --head head_rs.json --format json=thr_default.json
check "+7 % under the default 10 %: unchanged" jq -e '.metrics[0].verdict == "unchanged"' thr_default.json
run_pg thr_5 1 compare --base base_rs.json --head head_rs.json --threshold 5% --format json=thr_5.json
check "+7 % over --threshold 5%: a regression" jq -e '.metrics[0].verdict == "regression" and .metrics[0].threshold == 0.05' thr_5.json
run_pg thr_bad 2 compare --base base_rs.json --head head_rs.json --threshold fast
expect_err thr_bad "^perfgate: --threshold: expected a percentage such as 10%, found 'fast'"

finish
