#!/usr/bin/env bash
# import_real_tools.sh - `perfgate import` on what real hyperfine and Google Benchmark write, --save, show, export
source "$(dirname "$0")/lib.bash"


FIX="$PG_SRCDIR/fixtures/import"

# close REL A B : |A - B| <= REL * max(|A|, |B|)
close() {
  awk -v r="$1" -v a="$2" -v b="$3" 'BEGIN { d = a - b; if (d < 0) d = -d;
    m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n; exit !(d <= r * m) }'
}

# Google Benchmark writes bare NaN/Infinity; jq (like cJSON) does not read them.
jq_gbench() {
  sed -E 's/(-)?(NaN|Infinity)([,}[:space:]]|$)/null\3/g' "$2" | jq -r "$1"
}

# ---- hyperfine, really run: perfgate's medians are hyperfine's own ----
if command -v hyperfine >/dev/null; then
  hyperfine -N --runs 10 --export-json hf.json "$WORKLOAD --work 1" >hf.out 2>&1 ||
    fail "hyperfine could not run the workload: $(tail -n 3 hf.out)"
  run_pg hf_import 0 import --from hyperfine hf.json -o hf_pg.json --format json
  name="$WORKLOAD --work 1"
  check "hyperfine: one benchmark named by its command" \
    test "$(jq -r '.benchmarks[0].name' hf_pg.json)" = "$name"
  check "hyperfine: kind import" test "$(jq -r '.benchmarks[0].kind' hf_pg.json)" = import
  check "hyperfine: wall first, in ms, 10 samples" \
    test "$(jq -r '.benchmarks[0].metrics[0] | "\(.name) \(.unit) \(.samples | length)"' hf_pg.json)" = "wall ms 10"
  hf_median=$(jq -r '.results[0].median * 1000' hf.json)
  pg_median=$(jq -r '.benchmarks[0].metrics[0].summary.median' hf_pg.json)
  echo "hyperfine median ${hf_median} ms, perfgate median ${pg_median} ms"
  check "hyperfine: perfgate's median equals hyperfine's median x 1000 (1e-9 relative)" \
    close 1e-9 "$hf_median" "$pg_median"
  for i in $(seq 0 9); do
    close 1e-12 "$(jq -r ".results[0].times[$i] * 1000" hf.json)" \
      "$(jq -r ".benchmarks[0].metrics[0].samples[$i]" hf_pg.json)" || fail "hyperfine: sample $i is not times[$i] in ms"
  done
  check "hyperfine: user and sys are hyperfine's means, in ms" \
    close 1e-12 "$(jq -r '.results[0].user * 1000' hf.json)" \
    "$(jq -r '.benchmarks[0].metrics[] | select(.name == "user") | .value' hf_pg.json)"
  check "hyperfine: the printed table is the result set too" jq -e '.schema == "perfgate/1"' hf_import.out

  # A command that fails under -i: imported as failed, exit 1, still written.
  hyperfine -N --runs 3 -i --export-json hf_fail.json "$WORKLOAD --exit 3" >/dev/null 2>&1
  run_pg hf_fail 1 import --from hyperfine hf_fail.json -o hf_fail_pg.json -q
  expect_err hf_fail "perfgate: benchmark '.*--exit 3' failed \\(as imported\\): run 1 of 3 exited with status 3"
  check "hyperfine: a failing command is recorded as failed" \
    test "$(jq -r '.benchmarks[0].status' hf_fail_pg.json)" = failed
else
  echo "SKIP part: hyperfine is not installed"
fi

# ---- Google Benchmark, really run ----
gbench_ok=0
if command -v g++ >/dev/null && g++ -O2 -o gbench_tiny "$FIX/gbench_tiny.cc" -lbenchmark -lpthread 2>gxx.err; then
  # --benchmark_min_time takes "0.01s" since 1.8 and a bare number before.
  for t in 0.01s 0.01; do
    if ./gbench_tiny --benchmark_format=json --benchmark_repetitions=3 --benchmark_min_time=$t \
      --benchmark_out=gb.json >gb.stdout 2>gb.err; then
      gbench_ok=1
      break
    fi
  done
  [[ $gbench_ok -eq 1 ]] || fail "gbench_tiny did not run: $(head -n 3 gb.err)"
elif ! command -v g++ >/dev/null; then
  echo "SKIP part: g++ is not installed: no Google Benchmark program to run"
else
  echo "SKIP part: cannot build a Google Benchmark program (libbenchmark-dev missing?): $(head -n 2 gxx.err)"
fi
if [[ $gbench_ok -eq 1 ]]; then
  check "Google Benchmark really wrote bare NaN and Infinity" grep -Eq ': (NaN|Infinity)' gb.json
  run_pg gb_import 1 import --from gbench gb.json -o gb_pg.json -q
  expect_err gb_import "warning: gb.json: BM_undefined_ratio: every value of 'ratio' is NaN or infinite: left out"
  expect_err gb_import "perfgate: benchmark 'BM_cannot_start' failed \\(as imported\\): fixture file missing"
  check "gbench: four benchmarks" test "$(jq '.benchmarks | length' gb_pg.json)" = 4
  for b in BM_accumulate/64 BM_accumulate/4096; do
    want=$(jq_gbench "[.benchmarks[] | select(.run_name == \"$b\" and .run_type == \"iteration\") | .real_time] | map(tostring) | join(\" \")" gb.json)
    got=$(jq -r ".benchmarks[] | select(.name == \"$b\") | .metrics[0].samples | map(tostring) | join(\" \")" gb_pg.json)
    check "gbench: $b's real_time samples are its repetitions ($want)" test "$want" = "$got"
    gb_median=$(jq_gbench ".benchmarks[] | select(.run_name == \"$b\" and .aggregate_name == \"median\") | .real_time" gb.json)
    pg_median=$(jq -r ".benchmarks[] | select(.name == \"$b\") | .metrics[0].summary.median" gb_pg.json)
    echo "$b: Google Benchmark median ${gb_median} ns, perfgate median ${pg_median} ns"
    check "gbench: $b's median is Google Benchmark's median aggregate" close 1e-12 "$gb_median" "$pg_median"
    check "gbench: $b has items_per_second, better higher" \
      jq -e ".benchmarks[] | select(.name == \"$b\") | .metrics[] | select(.name == \"items_per_second\") | .better == \"higher\"" gb_pg.json
  done
  check "gbench: a benchmark's own time unit is kept" \
    test "$(jq -r '.benchmarks[] | select(.name == "BM_undefined_ratio") | .metrics[0].unit' gb_pg.json)" = us
  check "gbench: the NaN counter is not stored" \
    jq -e '[.benchmarks[].metrics[].name] | index("ratio") == null' gb_pg.json

  # --benchmark_report_aggregates_only: no repetitions, but n, mean, stddev and median, which is
  # what Welch's test needs; the statistics the file does not hold are not invented.
  for side in agg_a agg_b; do
    ./gbench_tiny --benchmark_filter=BM_accumulate/64 --benchmark_repetitions=6 \
      --benchmark_report_aggregates_only=true --benchmark_min_time=$t --benchmark_out=$side.json \
      >/dev/null 2>&1 || fail "gbench_tiny --benchmark_report_aggregates_only did not run"
    run_pg "gb_$side" 0 import --from gbench $side.json -o ${side}_pg.json -q
  done
  for stat in mean median stddev; do
    want=$(jq_gbench ".benchmarks[] | select(.aggregate_name == \"$stat\") | .real_time" agg_a.json)
    got=$(jq -r ".benchmarks[0].metrics[0].summary.$stat" agg_a_pg.json)
    check "gbench aggregates only: real_time's $stat is Google Benchmark's ($want)" close 1e-12 "$want" "$got"
  done
  check "gbench aggregates only: n is the 6 repetitions, no samples, no invented p99" \
    jq -e '.benchmarks[0].metrics[0] | .summary.n == 6 and .samples == null and .summary.p99 == null' agg_a_pg.json
  # Two runs of real timing may differ either way: the verdict is not asserted, the test is.
  "$PERFGATE" compare --base agg_a_pg.json --head agg_b_pg.json --no-probe --format json=agg_v.json -q \
    >/dev/null 2>&1
  check "gbench aggregates only: compare tests them (Welch: a p value), not 'one run on each side'" \
    jq -e '.metrics[] | select(.metric == "real_time" and .stat == null) | (.p | type) == "number" and ((.note // "") | test("one run") | not)' agg_v.json
fi

# ---- criterion is not installable here (no cargo registry): files shaped like criterion 0.5's ----
run_pg criterion_handwritten_criterion_layout 0 import --from criterion "$FIX/criterion/target/criterion" -o cr.json -q
check "criterion_handwritten_criterion_layout: benchmarks by full_id" \
  test "$(jq -r '[.benchmarks[].name] | join(",")' cr.json)" = "fib,parse/small"
check "criterion_handwritten_criterion_layout: times per iteration in ns" \
  test "$(jq -c '.benchmarks[1].metrics[0] | [.name, .unit, .samples]' cr.json)" = '["time","ns",[100,110,90,110]]'

# ---- --save, then show reads it back; a bad file saves nothing ----
make_repo repo
# What hyperfine wrote above, or (without hyperfine) the fixture's benchmark that succeeded.
fmt=hyperfine
if [[ -f hf.json ]]; then cp hf.json repo-input.json; else jq '{results: [.results[0]]}' "$FIX/hyperfine.json" >repo-input.json; fi
(cd repo && "$PERFGATE" import --from "$fmt" "$FIX/bad/hyperfine_string_time.json" --save -q >../bad_save.out 2>../bad_save.err)
check "a bad file is exit 2" test $? -eq 2
check "a bad file names the file and the JSON path" grep -q 'hyperfine_string_time.json: \$.results\[0\].times\[3\]: expected a number, found a string' bad_save.err
(cd repo && "$PERFGATE" import --from "$fmt" ../repo-input.json "$FIX/bad/hyperfine_truncated.json" --save -q >/dev/null 2>&1)
check "a good file then a bad one: exit 2" test $? -eq 2
check "nothing was saved" test -z "$(git -C repo notes --ref perfgate list 2>/dev/null)"

(cd repo && "$PERFGATE" import --from "$fmt" ../repo-input.json --save -q >../save.out 2>../save.err)
check "import --save: exit 0" test $? -eq 0
check "import --save wrote a note on HEAD" test -n "$(git -C repo notes --ref perfgate list HEAD 2>/dev/null)"
(cd repo && "$PERFGATE" show >../show.out 2>../show.err)
check "show: exit 0" test $? -eq 0
first=$(jq -r '.results[0] | (.name // .command)' repo-input.json)
check "show lists the imported benchmark with its status" grep -qF "$first" show.out
(cd repo && "$PERFGATE" show --format json >../show.json 2>/dev/null)
check "show --format json: kind import, the commit is HEAD" \
  jq -e --arg c "$(git -C repo rev-parse HEAD)" 'select(.schema == "perfgate/1") | .commit == $c and .benchmarks[0].kind == "import"' show.json
check "show --format json: the wall samples survived the note" \
  test "$(jq -r 'select(.schema == "perfgate/1") | .benchmarks[0].metrics[0].samples | length' show.json)" = \
  "$(jq -r '.results[0].times | length' repo-input.json)"

# ---- export --to gab from the note, and back ----
if "$PERFGATE" help 2>&1 | grep -q '^  export '; then
  (cd repo && "$PERFGATE" export --to gab -o ../gab.json 2>../export.err)
  check "export --to gab: exit 0" test $? -eq 0
  check "export: the primary metric is named by the benchmark, valued by its median" \
    jq -e --arg n "$first" --argjson m "$(jq 'select(.schema == "perfgate/1") | .benchmarks[0].metrics[0].summary.median' show.json)" \
    '.[0].name == $n and .[0].unit == "ms" and .[0].value == $m and (.[0].range | startswith("± "))' gab.json
  check "export: other metrics are \"BENCH METRIC\"" jq -e --arg n "$first user" 'map(.name) | index($n) != null' gab.json
  run_pg gab_back 0 import --from gab-smaller gab.json -o gab_back.json -q
  check "export then import gab: the value comes back" \
    jq -e --slurpfile g gab.json '.benchmarks[0].metrics[0].value == $g[0][0].value' gab_back.json
  (cd repo && "$PERFGATE" export --to gab nosuchrev >/dev/null 2>../export_bad_rev.err)
  check "export of a revision that is not one: exit 2" test $? -eq 2
  expect_err export_bad_rev "nosuchrev: not a file, nor a commit in this repository"
  run_pg export_outside 3 export --to gab
  expect_err export_outside "HEAD: no such file, and not in a git repository"
  if [[ $gbench_ok -eq 1 ]]; then
    run_pg export_file 0 export --to gab --bigger gb_pg.json
    check "export --bigger: the higher-is-better metrics of a result set file" \
      jq -e 'map(.name) | index("BM_accumulate/64 items_per_second") != null' export_file.out
    expect_err export_file "warning: benchmark 'BM_cannot_start' is failed"
  fi
fi

run_pg no_from 2 import hf.json
expect_err no_from "import: --from FORMAT is required"
run_pg bad_from 2 import --from jmh x.json
expect_err bad_from "--from jmh: unknown format"
run_pg import_help 0 import --help
expect_out import_help '^usage: perfgate import --from FORMAT FILE'

finish
