#!/usr/bin/env bash
# run_to_run.sh - a stored baseline's verdict weighs run-to-run variation from history; one run is never a bare-ratio fail
source "$(dirname "$0")/lib.bash"

# hf FILE WALL_MS CPU_MS : a hyperfine export of 20 runs within +-2 % of WALL_MS, CPU time CPU_MS per run
hf() {
  awk -v w="$2" -v c="$3" 'BEGIN {
    printf "{\"results\":[{\"command\":\"work\",\"times\":["
    for (i = 0; i < 20; i++) printf "%s%.6f", i ? "," : "", w * (1 + 0.01 * ((i % 5) - 2)) / 1000
    printf "],\"user\":["
    for (i = 0; i < 20; i++) printf "%s%.6f", i ? "," : "", c * 0.95 * (1 + 0.005 * ((i % 3) - 1)) / 1000
    printf "],\"system\":["
    for (i = 0; i < 20; i++) printf "%s%.6f", i ? "," : "", c * 0.05 / 1000
    printf "],\"exit_codes\":["
    for (i = 0; i < 20; i++) printf "%s0", i ? "," : ""
    printf "]}]}\n"
  }' >"$1"
}

# Ten stored runs whose medians spread about +-15 % around 20 ms (CPU time steady at 18 ms), the
# newest (the baseline) at exactly 20 ms: what one runner after another does to the same code.
make_repo repo
cd repo || exit 1
for f in 0.82 1.18 0.88 1.12 0.90 1.10 1.20 0.80 1.15 1.00; do
  echo "$f" >>file.txt
  git commit -q -am "run at $f"
  hf "$T/run.json" "$(awk -v f="$f" 'BEGIN { print 20 * f }')" 18
  run_pg "save_$f" 0 import --from hyperfine "$T/run.json" --save --env e2e
done
echo head >>file.txt
git commit -q -am "head"

# compare_head NAME STATUS WALL_MS CPU_MS ARGS... : import a head run to a file, compare it with the stored history
compare_head() {
  local name=$1 status=$2 wall=$3 cpu=$4
  shift 4
  hf "$T/$name.hf.json" "$wall" "$cpu"
  "$PERFGATE" import --from hyperfine "$T/$name.hf.json" -o "$T/$name.rs.json" --env e2e >/dev/null 2>&1 ||
    fail "$name: import of the head"
  run_pg "$name" "$status" compare --head "$T/$name.rs.json" --env e2e --format "json=$T/$name.json" \
    --format "markdown=$T/$name.md" --format "junit=$T/$name.xml" --format "github=$T/$name.gh" "$@"
}
wall_is() { jq -e ".metrics[] | select(.metric == \"wall\") | $1" "$T/$2.json"; }
cpu_is() { jq -e ".metrics[] | select(.metric == \"cpu\") | $1" "$T/$2.json"; }

# A/A: the head measures what the baseline measured.
compare_head aa 0 20 18
check "A/A passes" jq -e '.verdict == "pass"' "$T/aa.json"
check "A/A: wall is held against the last 10 runs" wall_is '.model == "run-to-run (K=10)" and .history_runs == 10' aa

# +20 % wall, significant within the run (the runs spread 2 %), but the last ten runs spread more.
compare_head inside 0 24 18
check "+20 % inside run-to-run variation is not a fail" jq -e '.verdict != "fail"' "$T/inside.json"
check "+20 %: wall is inconclusive" wall_is '.verdict == "inconclusive" and .change > 0.15 and .p < 0.01' inside
check "+20 %: the note names the band" wall_is '.note | test("within run-to-run variation of the last 10 runs: ±[0-9.]+ %")' inside
check "+20 %: the band is wider than the change" wall_is '.run_to_run > 0.2' inside
check "markdown names the model" grep -q "run-to-run (K=10)" "$T/inside.md"
check "junit names the model" grep -q "model: run-to-run (K=10)" "$T/inside.xml"

# +60 % is beyond anything the last ten runs did: a regression.
compare_head outside 1 32 18
check "+60 % fails" jq -e '.verdict == "fail"' "$T/outside.json"
check "+60 %: wall is a regression" wall_is '.verdict == "regression"' outside

# CPU time is held against its own history: steady there, so +30 % CPU fails even where wall
# time is inside the wall band.
compare_head cpu 1 24 23.4
check "cpu +30 % fails" cpu_is '.gated and .verdict == "regression" and .model == "run-to-run (K=10)"' cpu
check "cpu: its band is its own (steady) history's, not wall's" cpu_is '.run_to_run < 0.05' cpu

# Fewer than 3 earlier runs: today's rule, and every format says "single-run baseline".
compare_head short 1 24 18 --history 2
check "--history 2: single-run baseline in json" wall_is '.model == "single-run baseline" and .verdict == "regression"' short
check "--history 2: a named warning" jq -e '.warnings | any(test("history: work.wall has 2 stored runs of the 2 asked for|fewer than 3"))' "$T/short.json"
check "--history 2: markdown says single-run baseline" grep -q "single-run baseline" "$T/short.md"
check "--history 2: junit says single-run baseline" grep -q "single-run baseline" "$T/short.xml"
check "--history 2: github says single-run baseline" grep -q "single-run baseline" "$T/short.gh"
"$PERFGATE" compare --head "$T/short.rs.json" --env e2e --history 2 >"$T/short.txt" 2>&1
check "--history 2: the terminal says single-run baseline" grep -q "model: single-run baseline" "$T/short.txt"

# K larger than the history: a named warning, and the model uses what there is.
compare_head deep 0 20 18 --history 40
check "--history 40: uses the 10 runs there are" wall_is '.model == "run-to-run (K=10)"' deep
check "--history 40: says so" jq -e '.warnings | any(test("has 10 stored runs of the 40 asked for"))' "$T/deep.json"
run_pg bad_history 2 compare --history 0

# Where CPU time itself moved from run to run (a runner whose cores differ in speed), +20 % CPU
# time inside that spread is inconclusive, not a regression.
make_repo "$T/cpu-moves"
for f in 0.82 1.18 0.88 1.12 0.90 1.10 1.20 0.80 1.15 1.00; do
  echo "$f" >>"$T/cpu-moves/file.txt"
  git -C "$T/cpu-moves" commit -q -am "run at $f"
  hf "$T/run.json" "$(awk -v f="$f" 'BEGIN { print 20 * f }')" "$(awk -v f="$f" 'BEGIN { print 18 * f }')"
  (cd "$T/cpu-moves" && "$PERFGATE" import -q --from hyperfine "$T/run.json" --save --env e2e) ||
    fail "cpu-moves: import of the run at $f"
done
echo head >>"$T/cpu-moves/file.txt"
git -C "$T/cpu-moves" commit -q -am "head"
cd "$T/cpu-moves" || exit 1
compare_head cpu_moves 0 24 21.6
cd "$T/repo" || exit 1
check "cpu +20 % inside its run-to-run spread is not a fail" jq -e '.verdict != "fail"' "$T/cpu_moves.json"
check "cpu +20 %: inconclusive, with its own band in the note" \
  cpu_is '.verdict == "inconclusive" and .run_to_run > 0.2 and (.note | test("within run-to-run variation"))' cpu_moves

# A file baseline is one run: single-run baseline.
hf "$T/base.hf.json" 20 18
"$PERFGATE" import --from hyperfine "$T/base.hf.json" -o "$T/base.rs.json" --env e2e >/dev/null 2>&1
run_pg file_base 1 compare --base "$T/base.rs.json" --head "$T/inside.rs.json" --format json
check "--base FILE: single-run baseline" jq -e '.metrics[] | select(.metric == "wall") | .model == "single-run baseline"' "$T/file_base.out"
cd "$T" || exit 1

# ---- one repetition against five (Google Benchmark): tested, never a bare-ratio fail ----
# gb FILE VALUE... : one repetition row per value
gb() {
  local file=$1 n=$(($# - 1)) i=0
  shift
  {
    printf '{"context":{"date":"2026-01-01T00:00:00+00:00","num_cpus":2},"benchmarks":['
    for v in "$@"; do
      printf '%s{"name":"BM_parse","run_name":"BM_parse","run_type":"iteration","repetitions":%d,"repetition_index":%d,"threads":1,"iterations":1000,"real_time":%s,"cpu_time":%s,"time_unit":"ns"}' \
        "$([[ $i -gt 0 ]] && echo ,)" "$n" "$i" "$v" "$v"
      i=$((i + 1))
    done
    printf ']}\n'
  } >"$file"
}
gb five.json 22.3 24.1 26.2 28.9 31.0
gb one.json 29.24
run_pg gb_five 0 import --from gbench five.json -o five.rs.json
run_pg gb_one 0 import --from gbench one.json -o one.rs.json
"$PERFGATE" compare --base five.rs.json --head one.rs.json --format json >one_vs_five.json 2>one_vs_five.err
check "1 repetition against 5: not a fail" test $? -ne 1
check "1 repetition against 5: tested (a p-value), inconclusive" \
  jq -e '.metrics[] | select(.metric == "real_time") | .verdict == "inconclusive" and .p != null' one_vs_five.json
"$PERFGATE" compare --base one.rs.json --head five.rs.json --format json >five_vs_one.json 2>five_vs_one.err
check "swapped: not a verdict of a bare ratio either" \
  jq -e '.metrics[] | select(.metric == "real_time") | .verdict != "regression" and .verdict != "improvement"' five_vs_one.json

finish
