#!/usr/bin/env bash
# matrix_local.sh - a GitHub Actions matrix played on this machine: three shards (`run --shard K/3`)
# run as separate processes in three clones of one remote, each saves its part and syncs at the same
# time; `merge` joins the parts; the merged verdict is the single job's on deterministic metrics
# (file sizes), a regression in one shard fails it, a missing shard is reported missing (never a
# pass), and the remote keeps every record of the three concurrent syncs.
source "$(dirname "$0")/lib.bash"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@perfgate.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@perfgate.invalid

# Seven size benchmarks: deterministic, so one job and three shards must agree exactly.
git init -q --bare -b main remote.git
make_repo seed
mkdir seed/gates
{
  printf '{"schema": "perfgate-gates/1", "benchmarks": ['
  for i in 1 2 3 4 5 6 7; do
    head -c $((i * 1000)) /dev/zero >"seed/blob$i.bin"
    printf '%s{"name": "blob%d", "kind": "size", "files": ["{root}/blob%d.bin"]}' "$([[ $i -gt 1 ]] && echo ,)" "$i" "$i"
  done
  printf ']}\n'
} >seed/gates/default.json
git -C seed add -A && git -C seed commit -q -m "the suite"
git -C seed remote add origin "$T/remote.git"
(cd seed && "$PERFGATE" run -q --save) || fail "the base run"
git -C seed push -q origin main
(cd seed && "$PERFGATE" sync -q) || fail "sync of the base"

# The head: blob5 grows 30 % (a regression of the 10 % gate), the rest stays.
head -c 6500 /dev/zero >seed/blob5.bin
git -C seed commit -q -am "blob5 grows 30 %"
git -C seed push -q origin main
for k in 1 2 3; do
  git clone -q remote.git "shard$k"
  git -C "shard$k" fetch -q origin refs/notes/perfgate:refs/notes/perfgate
done

# The single job, for reference.
(cd shard1 && "$PERFGATE" check -q --format json="$T/single.json")
check "the single job fails (blob5 +30 %)" test $? -eq 1

# Three jobs at once, each in its own clone: measure its shard, save it on the head, sync.
for k in 1 2 3; do
  (cd "shard$k" && "$PERFGATE" run --shard "$k/3" -o "$T/shard-$k.json" --save \
    2>"$T/split-$k.txt" >/dev/null && "$PERFGATE" sync -q 2>"$T/sync-$k.err") &
done
wait
for k in 1 2 3; do
  check "shard $k/3 ran and records which part it is" jq -e ".shard == {\"index\": $k, \"count\": 3}" "shard-$k.json"
done
# split K: the assignment as job K printed it, without its own heading and mark
split() { tail -n +2 "split-$1.txt" | sed 's/^  \*/   /'; }
check "every job printed the same split" bash -c "$(declare -f split); diff <(split 1) <(split 2) && diff <(split 1) <(split 3)"
check "the split names each shard's benchmarks" grep -qE '^  \*1/3( \([0-9]+ ms\))?: blob' split-1.txt
check "every benchmark ran in exactly one shard" \
  bash -c "jq -r '.benchmarks[].name' shard-*.json | sort | tr '\n' ' ' | grep -qx 'blob1 blob2 blob3 blob4 blob5 blob6 blob7 '"
check "the shards are balanced by stored cost: no shard has more than 3 of 7" \
  bash -c "for k in 1 2 3; do test \$(jq '.benchmarks | length' shard-\$k.json) -le 3 || exit 1; done"

# The three concurrent syncs lost nothing: the remote has all three records on the head.
head_commit=$(git -C seed rev-parse HEAD)
git -C remote.git notes --ref=perfgate show "$head_commit" >remote-head.jsonl 2>/dev/null
check "the remote has one record per shard on the head" test "$(wc -l <remote-head.jsonl)" -eq 3
check "with three distinct run_ids" test "$(jq -r .run_id remote-head.jsonl | sort -u | wc -l)" -eq 3
git clone -q remote.git reader
git -C reader fetch -q origin refs/notes/perfgate:refs/notes/perfgate
(cd reader && "$PERFGATE" show --format json >"$T/show.json" 2>"$T/show.err")
check "show on the head sees the whole suite" \
  bash -c "jq -r '.. | objects | select(has(\"benchmarks\")) | .benchmarks[].name' show.json | sort -u | wc -l | grep -qx 7"
(cd reader && "$PERFGATE" show >"$T/show.txt" 2>&1)
check "show's table has all 7 benchmarks of the three shards" test "$(grep -cE '^  blob[0-9]+ +ok ' show.txt)" -eq 7
check "and says the other shards' runs are folded in, not hidden" grep -q "2 older result sets: .*(shards are folded in)" show.txt

# The final job: merge the three parts and decide once.
run_pg merge 0 merge shard-1.json shard-2.json shard-3.json -o merged.json
(cd reader && "$PERFGATE" compare --head "$T/merged.json" --format json="$T/merged-verdict.json" -q)
check "the merged verdict fails, as the single job does" test $? -eq 1
gated() { jq -c '[.metrics[] | select(.gated) | [.bench, .metric, .verdict, .change]] | sort' "$1"; }
check "the merged verdict is the single job's, row for row" diff <(gated single.json) <(gated merged-verdict.json)
check "and names blob5's regression" \
  jq -e '.metrics[] | select(.bench == "blob5" and .gated) | .verdict == "regression"' merged-verdict.json

# A shard that never reported: missing, and the verdict fails naming it.
missing=$(jq -r '.shard.index' shard-2.json)
run_pg merge_missing 0 merge -c reader/gates/default.json shard-1.json shard-3.json -o partial.json
check "merge says shard 2/3 is missing" grep -q "shard 2/3 missing" merge_missing.err
check "its benchmarks are failed, not absent" \
  jq -e --argjson n "$(jq '.benchmarks | length' shard-2.json)" \
  '[.benchmarks[] | select(.status == "failed" and (.reason | test("shard 2 of 3")))] | length == $n' partial.json
(cd reader && "$PERFGATE" compare --head "$T/partial.json" --format json="$T/partial-verdict.json" -q)
check "a missing shard fails the verdict (never a pass)" test $? -eq 1
check "the verdict counts the missing shard's benchmarks as failed" \
  jq -e '.counts.failed_benchmarks >= 1' partial-verdict.json
[[ $missing == 2 ]] || fail "shard-2.json is shard $missing"

# With stored runs the split follows their cost: a gates file of timed commands, stored once.
# w8 and w4 do 160 and 80 units (~0.3 s and ~0.15 s a run here), the small ones 1-2 (~2-3 ms):
# a small one descheduled on a loaded runner cannot overtake the two long ones.
make_repo timed
mkdir timed/gates
cat >timed/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0},
 "benchmarks": [{"name": "w1", "command": ["$WORKLOAD", "--work", "1"]},
                {"name": "w8", "command": ["$WORKLOAD", "--work", "160"]},
                {"name": "w2", "command": ["$WORKLOAD", "--work", "2"]},
                {"name": "w4", "command": ["$WORKLOAD", "--work", "80"]},
                {"name": "w1b", "command": ["$WORKLOAD", "--work", "1"]}]}
JSON
git -C timed add -A && git -C timed commit -q -m "timed suite"
(cd timed && "$PERFGATE" run -q --save) || fail "the timed base run"
git -C timed commit -q --allow-empty -m "head"
(cd timed && "$PERFGATE" run --shard 1/2 --list >"$T/timed-1.txt" 2>"$T/timed-split.txt") || fail "run --shard 1/2 --list"
check "the split says it is balanced by stored cost" grep -q "balanced by the time of their last stored runs" timed-split.txt
check "the two longest benchmarks (w8, w4) land in different shards" \
  bash -c "! grep -E '^  .?[12]/2 .*: ' timed-split.txt | grep -E ' w8( |\$)' | grep -qE ' w4( |\$)'"
check "--list lists the shard's own benchmarks only" \
  bash -c "test \$(wc -l <timed-1.txt) -ge 1 -a \$(wc -l <timed-1.txt) -le 4"

# Bad input: exit 2, named.
run_pg shard_zero 2 run --shard 0/3 -c seed/gates/default.json
expect_err shard_zero "--shard: expected K/N"
run_pg shard_over 2 run --shard 4/3 -c seed/gates/default.json
run_pg shard_words 2 run --shard a/b -c seed/gates/default.json
run_pg merge_twice 2 merge shard-1.json shard-1.json -o twice.json
expect_err merge_twice "both shard 1/3"
finish
