#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose
# correct_data.sh - data that must come out right: units converted before comparing, a second result
# set on a commit beside the first, every benchmark of an imported file, and -o / --format F=FILE
# writing through whatever is at the path (a FIFO, a device, a symlink) instead of replacing it.
source "$(dirname "$0")/lib.bash"

# gbench UNIT SCALE NAME... : a Google Benchmark file with 5 repetitions of each NAME, ~22.3 µs each.
gbench() {
  local unit=$1 scale=$2
  shift 2
  local rows=() name i t
  for name in "$@"; do
    i=0
    for t in 22.1 22.3 22.6 22.2 22.4; do
      rows+=("{\"name\": \"$name\", \"run_name\": \"$name\", \"run_type\": \"iteration\",
        \"repetitions\": 5, \"repetition_index\": $i, \"threads\": 1, \"iterations\": 1000,
        \"real_time\": $(awk -v t="$t" -v s="$scale" 'BEGIN { print t * s }'),
        \"cpu_time\": $(awk -v t="$t" -v s="$scale" 'BEGIN { print t * s }'), \"time_unit\": \"$unit\"}")
      i=$((i + 1))
    done
  done
  local IFS=,
  echo "{\"context\": {\"date\": \"2026-01-01T00:00:00+00:00\"}, \"benchmarks\": [${rows[*]}]}"
}

# --- 1. units: the same durations in ns and in us compare as equal -------------------------
gbench ns 1000 BM_x >ns.json
gbench us 1 BM_x >us.json
run_pg import_ns 0 import --from gbench ns.json -o ns.rs.json -q
run_pg import_us 0 import --from gbench us.json -o us.rs.json -q
for pair in ns:us us:ns; do
  b=${pair%:*} h=${pair#*:}
  run_pg "units_${b}_$h" 0 compare --base "$b.rs.json" --head "$h.rs.json" --no-probe --format json="units_${b}_$h.json"
  check "compare $b → $h: real_time unchanged (no ±99.9 % from the unit)" \
    jq -e '[.metrics[] | select(.metric == "real_time" and .stat == null)][0]
           | (.change | fabs) < 0.01 and .verdict != "improvement" and .verdict != "regression"' "units_${b}_$h.json"
done
# Incompatible dimensions (a duration against bytes) are refused, naming the metric.
jq '.benchmarks[0].metrics |= map(if .name == "real_time" then .unit = "B" else . end)' ns.rs.json >bytes.rs.json
run_pg units_bad 2 compare --base bytes.rs.json --head us.rs.json --no-probe
expect_err units_bad 'real_time.*(B|bytes).*(us|ns|time|duration)|real_time.*unit'

# --- 3. the import kind keeps every benchmark of the file ----------------------------------
gbench ns 1 BM_a BM_b BM_c >three.json
cat >three.gates.json <<JSON
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "gb", "kind": "import", "from": "gbench", "path": "$T/three.json"}]}
JSON
run_pg import_kind 0 run -c three.gates.json -q --no-probe -o three.rs.json
check "import kind: all three benchmarks, named gb/…" \
  jq -e '[.benchmarks[].name] | sort == ["gb/BM_a", "gb/BM_b", "gb/BM_c"]' three.rs.json

# --- 2. a second result set on one commit does not hide the first --------------------------
make_repo repo
mkdir repo/gates
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0},
 "benchmarks": [{"name": "w", "command": ["true"]}]}
JSON
git -C repo add -A && git -C repo commit -q -m gates
(cd repo && run_pg two_run 0 run -q --no-probe --save)
(cd repo && run_pg two_import 0 import --from gbench "$T/us.json" --save -q)
echo two >repo/file.txt && git -C repo commit -q -am two
(cd repo && run_pg two_compare 0 compare --base HEAD~1 --head HEAD~1 --no-probe --format json="$T/two.json")
check "both sets of one commit are read: w and BM_x" \
  jq -e '[.metrics[].bench] | unique | (index("w") != null) and (index("BM_x") != null)' two.json
(cd repo && run_pg two_check 0 check -q --no-probe --format json="$T/two_check.json")
check "check's baseline for w is the commit both sets are on" \
  jq -e --arg c "$(git -C repo rev-parse HEAD~1)" '[.metrics[] | select(.bench == "w")][0].base_commit == $c' two_check.json
if grep -q 'nearer ones had no results' "$T/two_check.err"; then fail "two_check: the commit with both sets was skipped"; else pass; fi
(cd repo && run_pg two_show 0 show HEAD~1 --format json)
check "show: the commit's results hold both benchmarks" \
  jq -se '[.[] | select(.schema == "perfgate/1") | .benchmarks[].name] | (index("w") != null) and (index("BM_x") != null)' two_show.out
(cd repo && run_pg two_show_all 0 show HEAD~1 --all-runs --format json)
check "show --all-runs: both result sets as stored" \
  jq -se '[.[] | select(.schema == "perfgate/1") | [.benchmarks[].name]] | sort == [["BM_x"], ["w"]]' two_show_all.out

# The run-to-run history counts each stored set once: the import's set, folded with the run's w
# for readers of the commit, must not count w's run twice. Two more commits with a run of w each:
# from the newest, w has 3 runs (4 if the first commit's run were counted twice).
for i in 3 4; do
  (cd repo && run_pg "more_run_$i" 0 run -q --no-probe --save)
  echo "$i" >repo/file.txt && git -C repo commit -q -am "$i"
done
(cd repo && run_pg runs_check 0 check -q --no-probe --format json="$T/runs_check.json")
check "the run-to-run history of w counts the commit with two sets once (3 runs)" \
  jq -e '[.metrics[] | select(.bench == "w" and .metric == "wall" and .stat == null)][0].history_runs == 3' runs_check.json

# --- 4. -o and --format F=FILE write through what is at the path ---------------------------
# A FIFO: perfgate writes into it (a reader gets the report), and it stays a FIFO.
# (The reader gives up after 20 s, so a perfgate that replaced the FIFO cannot hang the test.)
mkfifo fifo
timeout 20 cat fifo >fifo.read &
reader=$!
run_pg out_fifo 0 run -q --no-probe --runs 1 --warmup 0 -o fifo -- true
wait "$reader"
check "-o FIFO: still a FIFO" test -p fifo
check "-o FIFO: the reader got the result set" jq -e '.schema == "perfgate/1"' fifo.read
# A symlink: the target is written, the link stays a link.
echo old >target.json && ln -s target.json link.json
run_pg out_link 0 run -q --no-probe --runs 1 --warmup 0 --format json=link.json -- true
check "--format json=LINK: still a symlink" test -L link.json
check "--format json=LINK: the target holds the result set" jq -e '.schema == "perfgate/1"' target.json
# A character device (as root: a copy of /dev/null made with mknod); never replaced by a file.
if [[ $(id -u) == 0 ]] && mknod null c 1 3 2>/dev/null; then
  run_pg out_dev 0 run -q --no-probe --runs 1 --warmup 0 -o null -- true
  check "-o DEVICE: still a character device" test -c null
else
  echo "skipped: the device case needs root and mknod (the FIFO case ran)"
fi
# - is stdout.
run_pg out_dash 0 run -q --no-probe --runs 1 --warmup 0 --format json=- -- true
check "--format json=-: the result set on stdout" jq -e '.schema == "perfgate/1"' out_dash.out

# --- 6. a save that fails loses nothing -----------------------------------------------------
# A writer killed mid-update leaves refs/notes/perfgate.lock. The next save names the lock and
# its age at once (no 30 s of retries), keeps the results in .git/perfgate/unsaved/, and says
# how to save them; `perfgate save` does, and removes the kept file.
make_repo locked
cd locked || exit 1
run_pg lock_first 0 run -q --no-probe --save --runs 2 --warmup 0 -- true
touch -d '-3 min' .git/refs/notes/perfgate.lock
started=$SECONDS
run_pg lock_stale 3 run -q --no-probe --save --runs 2 --warmup 0 -- true
check "a stale lock fails at once ($((SECONDS - started)) s)" test $((SECONDS - started)) -lt 10
expect_err lock_stale "perfgate\.lock is 3 min old: a writer killed during an update left it"
expect_err lock_stale "the results are kept in $T/locked/\.git/perfgate/unsaved/[0-9a-f-]+\.json: .*perfgate save "
kept=$(ls .git/perfgate/unsaved/*.json 2>/dev/null)
check "one result set kept" test "$(echo "$kept" | wc -w)" -eq 1
check "the kept file is the run's result set" jq -e '.schema == "perfgate/1" and (.benchmarks | length) == 1' $kept
run_pg lock_still 3 save $kept
check "save against the stale lock keeps the file" test -f "$kept"
rm .git/refs/notes/perfgate.lock
# The next successful save says what waits.
run_pg lock_next 0 run --no-probe --save --runs 2 --warmup 0 -o /dev/null -- true
expect_err lock_next "1 result set could not be saved earlier and waits in .*unsaved: save them with: perfgate save "
run_pg lock_save 0 save $kept
expect_err lock_save "saved .*\.json on [0-9a-f]{12}"
check "the saved file is removed from unsaved/" test ! -e "$kept"
run_pg lock_show 0 show --all-runs --format json
check "three runs stored on HEAD" jq -se 'length == 3' "$T/lock_show.out"
# A file naming a commit this repository lacks saves nothing.
jq '.commit = "0123456789abcdef0123456789abcdef01234567"' "$T/three.rs.json" >alien.json
run_pg save_alien 2 save alien.json
expect_err save_alien "alien\.json: commit 0123456789ab is not in this repository"
run_pg save_none 2 save
cd "$T" || exit 1

finish
