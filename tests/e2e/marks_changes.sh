#!/usr/bin/env bash
# marks_changes.sh - `changes` finds a step from 5-6 commits a side and says when there are too few; `log` and
# `publish` mark red only what a check would fail, grey what it cannot tell, and not what is accepted
source "$(dirname "$0")/lib.bash"

# save_commit REPO FILE MESSAGE...: commit and store FILE's results on the commit.
save_commit() {
  local repo=$1 file=$2
  shift 2
  echo "$file" >>"$repo/file.txt"
  git -C "$repo" commit -q -am "$1" "${@:2}"
  (cd "$repo" && "$PERFGATE" import --from hyperfine "$T/$file" --save -q 2>/dev/null) || fail "import --save of $file"
}
# 12 runs around 1 with about 5 % spread (deterministic per seed).
runs() { awk -v seed="$1" 'BEGIN { srand(seed); for (i = 0; i < 12; i++) printf "%.5f\n", 1 + (rand() - 0.5) * 0.17 }'; }

# ---- a clean +22 % step, 6 commits a side, 12 runs each (17.5 ms -> 21.4 ms) ----
make_repo step
for i in $(seq 1 12); do
  level=17.5
  ((i > 6)) && level=21.4
  mapfile -t r < <(runs "$i")
  hyperfine_json "step_$i.json" "$level" "${r[@]}"
  save_commit step "step_$i.json" "commit $i"
  ((i == 7)) && step_commit=$(git -C step rev-parse HEAD)
done
(cd step && "$PERFGATE" changes --format json) >step.json 2>step.err
check "changes exits 0" test $? -eq 0
check "it finds exactly one decided change" jq -e '[.changes[] | select(.decided)] | length == 1' step.json
check "at the commit where 21.4 ms starts" jq -e --arg c "$step_commit" '.changes[0].commit == $c' step.json
check "6 commits before, 6 after, a regression" \
  jq -e '.changes[0].n_before == 6 and .changes[0].n_after == 6 and .changes[0].direction == "regression"' step.json
check "decided on the commits and on the runs" jq -e '.changes[0].p < 0.01 and .changes[0].p_runs < 0.01' step.json

# ---- the same step with 2 commits after it: too few to tell ----
make_repo short
for i in $(seq 1 12); do
  level=17.5
  ((i > 10)) && level=21.4
  mapfile -t r < <(runs "$((i + 50))")
  hyperfine_json "short_$i.json" "$level" "${r[@]}"
  save_commit short "short_$i.json" "commit $i"
  ((i == 11)) && short_commit=$(git -C short rev-parse HEAD)
done
(cd short && "$PERFGATE" changes --format json) >short.json 2>short.err
check "no decided change with 2 commits after the step" jq -e '[.changes[] | select(.decided)] | length == 0' short.json
check "but a shift with too few commits to tell, in JSON" \
  jq -e --arg c "$short_commit" '.changes | length == 1 and .[0].commit == $c and .[0].decided == false and .[0].note == "too few commits to tell" and .[0].n_after == 2' short.json
(cd short && "$PERFGATE" changes) >short.txt 2>&1
check "and in text" grep -q "too few commits to tell" short.txt
check "the text counts no change" grep -q '^0 changes in 1 metric' short.txt

# ---- marks: noisy +12 % (not significant), real +30 % (significant), accepted +30 % ----
make_repo marks
wide=(8 9 9.5 10 10.5 11 12)                        # median 10 ms, +-20 %
tight=(0.989 0.992 0.994 0.996 0.998 1 1.002 1.004 1.006 1.008 1.01 1.012)
hyperfine_json m1.json 1 "${wide[@]}"
save_commit marks m1.json "base"
hyperfine_json m2.json 1.12 "${wide[@]}"             # the median +12 %, the runs overlapping
save_commit marks m2.json "noisy twelve"
hyperfine_json m3.json 14.56 "${tight[@]}"           # +30 % on 11.2 ms, every run above
save_commit marks m3.json "real thirty"
hyperfine_json m4.json 18.93 "${tight[@]}"           # +30 % again, accepted
save_commit marks m4.json "accepted thirty" -m "Perfgate-Accept: w.* +50%"
hyperfine_json m5.json 18.93 "${tight[@]}"
save_commit marks m5.json "same again"
(cd marks && "$PERFGATE" log -n 5) >log.out 2>log.err
check "log exits 0" test $? -eq 0
check "log: the noisy +12 % is inconclusive, not red" grep -qE 'noisy twelve +11\.[0-9]+ ms \?$' log.out
check "log: the real +30 % is red" grep -qE 'real thirty +14\.[0-9]+ ms ✗$' log.out
check "log: the accepted +30 % is accepted, not red" grep -qE 'accepted thirty +18\.[0-9]+ ms ✓$' log.out
check "log: an unchanged commit has no mark" grep -qE 'same again +18\.[0-9]+ ms$' log.out
check "log: the first has nothing to compare with" grep -qE ' base +10(\.0+)? ms$' log.out

(cd marks && "$PERFGATE" publish -o "$T/site") >pub.out 2>pub.err
check "publish exits 0" test $? -eq 0
marks_of() { jq -r --arg s "$1" '.series[0].rows[] | select(.subject == $s) | .mark' \
  "site/$(jq -r '.metrics[] | select(.bench == "w" and .metric == "wall") | .data' site/data.json)"; }
check "publish: the noisy +12 % is inconclusive" test "$(marks_of 'noisy twelve')" = inconclusive
check "publish: the real +30 % is a regression" test "$(marks_of 'real thirty')" = regression
check "publish: the accepted +30 % is accepted" test "$(marks_of 'accepted thirty')" = accepted
check "publish: its table shows the regression once, in red" \
  test "$(grep -c '❌ regression' site/w.wall.html)" -eq 1
check "publish: the noisy row is not called a regression" \
  grep -qE 'noisy twelve.*⚠️ inconclusive' site/w.wall.html

finish
