#!/usr/bin/env bash
# merge.sh - `perfgate merge`: the shards of one commit made one set, what must agree, missing shards failed, --save
source "$(dirname "$0")/lib.bash"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@perfgate.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@perfgate.invalid

# jqt FILTER FILE : the filter holds (jq -e, quietly)
jqt() {
  jq -e "$1" "$2" >/dev/null
}

# Six size benchmarks (deterministic) and one short timed command (so that a shard has a probe).
make_repo repo
mkdir repo/gates
for i in 1 2 3 4 5; do head -c $((i * 1000)) /dev/zero >"repo/f$i.bin"; done
cat >repo/gates/default.json <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [{"name": "a", "kind": "size", "files": ["{root}/f1.bin"]},
                {"name": "b", "kind": "size", "files": ["{root}/f2.bin"]},
                {"name": "c", "kind": "size", "files": ["{root}/f3.bin"]},
                {"name": "d", "kind": "size", "files": ["{root}/f4.bin"]},
                {"name": "e", "kind": "size", "files": ["{root}/f5.bin"]},
                {"name": "w", "command": ["$WORKLOAD", "--work", "0"], "runs": 3, "warmup": 0}]}
JSON
git -C repo add -A && git -C repo commit -q -m "five blobs and a workload"
cd repo || exit 1
M=$T/m # the merged files, kept out of the work tree

run_pg full 0 run -q -o "$T/full.json"
check "run records the gates file's hash" jqt '.gates_hash | test("^[0-9a-f]{16}$")' "$T/full.json"
# The base of the compares below: the size benchmarks, whose figures cannot move between runs.
jq 'del(.benchmarks[] | select(.name == "w"))' "$T/full.json" >"$T/base.json"

# The three shards of a matrix. `run --shard K/N` is being added beside this verb; until it is here,
# each shard runs its benchmarks with -b and its "shard" field is set with jq.
shard() { # shard K N BENCH... : run BENCH... as shard K of N into $T/shard-K.json
  local k=$1 n=$2
  shift 2
  local only=()
  for b in "$@"; do only+=(-b "$b"); done
  "$PERFGATE" run -q "${only[@]}" -o "$T/raw-$k.json" || fail "run shard $k"
  jq --argjson k "$k" --argjson n "$n" '.shard = {index: $k, count: $n}' "$T/raw-$k.json" >"$T/shard-$k.json"
}
# Dealt out of declaration order, as shards balanced by cost are.
shard 1 3 a e
shard 2 3 c d
shard 3 3 b w

# ---- a merge of the three is the union ----
mkdir -p "$M"
run_pg three 0 merge "$T/shard-3.json" "$T/shard-1.json" "$T/shard-2.json" -o "$M/merged.json" -q
check "the merged set has every benchmark, in the gates file's order" \
  test "$(jq -r '[.benchmarks[].name] | join(" ")' "$M/merged.json")" = "a b c d e w"
check "its size benchmarks are the whole run's, figure for figure" \
  test "$(jq -c '[.benchmarks[] | select(.kind == "size") | del(.probe)]' "$M/merged.json")" = \
  "$(jq -c '[.benchmarks[] | select(.kind == "size") | del(.probe)]' "$T/full.json")"
check "its benchmarks are the shards', each as its shard wrote it" \
  test "$(jq -c '[.benchmarks[] | del(.probe)] | sort_by(.name)' "$M/merged.json")" = \
  "$(jq -s -c '[.[].benchmarks[] | del(.probe)] | sort_by(.name)' "$T"/shard-[123].json)"
check "one commit, one env key, the gates hash kept, no shard" \
  jq -e --arg c "$(git rev-parse HEAD)" --arg h "$(jq -r .gates_hash "$T/full.json")" \
  '.commit == $c and .env.key != null and .gates_hash == $h and (has("shard") | not)' "$M/merged.json"
check "a fresh run id" bash -c "! jq -r .run_id '$T'/shard-*.json | grep -qx '$(jq -r .run_id "$M/merged.json")'"
check "created is the latest shard's" test "$(jq -r .created "$M/merged.json")" = \
  "$(jq -r .created "$T"/shard-*.json | sort | tail -n 1)"
check "shard 1 took no probe (size only), so neither does the merged set" jqt 'has("probe") | not' "$M/merged.json"
check "the timed benchmark carries the probe of its shard" \
  test "$(jq -c '.benchmarks[] | select(.name == "w") | .probe' "$M/merged.json")" = "$(jq -c .probe "$T/shard-3.json")"
check "nothing on stderr with every shard there" test ! -s "$T/three.err"

run_pg json 0 merge "$T/shard-1.json" "$T/shard-2.json" "$T/shard-3.json" --format json
check "--format json prints the merged set" jqt '.schema == "perfgate/1" and (.benchmarks | length) == 6' "$T/json.out"
run_pg table 0 merge "$T/shard-1.json" "$T/shard-2.json" "$T/shard-3.json"
expect_out table '^c  size · 1 value · ok$'
run_pg compare_whole 0 compare --head "$M/merged.json" --base "$T/base.json" -q

# ---- inputs that cannot be one set: exit 2, both files and both values named ----
bad() { # bad NAME JQ_FILTER : shard-2.json changed by the filter
  jq "$2" "$T/shard-2.json" >"$T/$1.json"
}
bad other_commit '.commit = "0123456789abcdef0123456789abcdef01234567"'
run_pg commit 2 merge "$T/shard-1.json" "$T/other_commit.json" -o "$M/no.json"
expect_err commit "^perfgate: merge: $T/other_commit.json has commit 0123456789ab, $T/shard-1.json $(git rev-parse --short=12 HEAD): a merge is of one commit$"
check "nothing written when the files disagree" test ! -e "$M/no.json"

bad other_env '.env.key = "macos-arm64-ci"'
run_pg env 2 merge "$T/shard-1.json" "$T/other_env.json"
expect_err env "^perfgate: merge: $T/other_env.json has env key macos-arm64-ci, $T/shard-1.json [^ ]+: a merge is of one environment$"

bad other_gates '.gates_hash = "ffffffffffffffff"'
run_pg gates 2 merge "$T/shard-1.json" "$T/other_gates.json"
expect_err gates "^perfgate: merge: $T/other_gates.json ran gates ffffffffffffffff, $T/shard-1.json gates [0-9a-f]{16}: a merge is of one gates file$"

bad other_count '.shard.count = 4'
run_pg count 2 merge "$T/shard-1.json" "$T/other_count.json"
expect_err count "^perfgate: merge: $T/other_count.json is shard 2/4, $T/shard-1.json is shard 1/3: a merge is of one split of the suite$"

bad unsharded 'del(.shard)'
run_pg unsharded 2 merge "$T/shard-1.json" "$T/unsharded.json"
expect_err unsharded "is unsharded, $T/shard-1.json is shard 1/3"

bad again '.benchmarks = [] | .shard.index = 2'
run_pg twice 2 merge "$T/shard-1.json" "$T/shard-2.json" "$T/again.json"
expect_err twice "^perfgate: merge: $T/shard-2.json and $T/again.json are both shard 2/3: a merge takes each shard once$"

bad dup '.benchmarks += [.benchmarks[0] | .name = "a"]'
run_pg dup 2 merge "$T/shard-1.json" "$T/dup.json"
expect_err dup "^perfgate: merge: benchmark 'a' is in both $T/shard-1.json and $T/dup.json: a merge takes each benchmark from one file$"

printf '{"schema": "perfgate/1", "benchmarks": [' >"$T/truncated.json"
run_pg truncated 2 merge "$T/shard-1.json" "$T/truncated.json"
expect_err truncated "^perfgate: $T/truncated.json: "
bad schema '.schema = "perfgate/9"'
run_pg schema 2 merge "$T/shard-1.json" "$T/schema.json"
expect_err schema "^perfgate: $T/schema.json: \\\$\\.schema: expected \"perfgate/1\""
run_pg absent 3 merge "$T/shard-1.json" "$T/no-such-shard.json"
expect_err absent "no-such-shard.json"
run_pg none 2 merge
expect_err none '^perfgate: merge: name the result files to merge$'

# -c: the files' gates hash must be that file's.
jq '.benchmarks[0].name = "a2"' gates/default.json >"$T/renamed.json"
run_pg c_other 2 merge "$T/shard-1.json" "$T/shard-2.json" -c "$T/renamed.json"
expect_err c_other "^perfgate: merge: $T/shard-1.json ran gates [0-9a-f]{16}, $T/renamed.json is gates [0-9a-f]{16}: a merge is of the gates file the shards ran$"
run_pg c_same 0 merge "$T/shard-1.json" "$T/shard-2.json" "$T/shard-3.json" -c gates/default.json -q

# ---- a missing shard: warned, and with the gates known its benchmarks fail, named ----
run_pg missing 0 merge "$T/shard-1.json" "$T/shard-3.json" -o "$M/missing.json" -q
expect_err missing '^perfgate: warning: shard 2/3 missing'
expect_err missing "2 benchmarks of .*gates/default.json are in no merged file.*'c', 'd'"
check "the missing shard's benchmarks are in the merged set, failed" \
  test "$(jq -r '[.benchmarks[] | select(.status == "failed") | .name] | join(" ")' "$M/missing.json")" = "c d"
check "each says why" jqt '[.benchmarks[] | select(.name == "c" or .name == "d") | .reason] ==
  ["not measured: no result from shard 2 of 3 (missing)", "not measured: no result from shard 2 of 3 (missing)"]' "$M/missing.json"
check "in the gates file's order" test "$(jq -r '[.benchmarks[].name] | join(" ")' "$M/missing.json")" = "a b c d e w"
run_pg compare_missing 1 compare --head "$M/missing.json" --base "$T/base.json"
expect_out compare_missing '^c: failed — not measured: no result from shard 2 of 3 \(missing\)$'
expect_out compare_missing '^d: failed — not measured'
expect_err compare_missing 'compare failed: .*2 benchmarks failed'

# Without a gates file (outside the repository): the warning only.
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && "$PERFGATE" merge "$T/shard-1.json" "$T/shard-3.json" -o nogates.json -q) 2>"$T/nogates.err" ||
  fail "merge without a gates file"
expect_err nogates '^perfgate: warning: shard 2/3 missing: .*give the gates file with -c'
check "without gates nothing is made up, and the order is the shards'" \
  test "$(jq -r '[.benchmarks[].name] | join(" ")' "$T/elsewhere/nogates.json")" = "a e b w"

# A default gates file that is not the one the shards ran: a warning, and it is not used.
(cd "$T/elsewhere" && mkdir -p gates && cp "$T/renamed.json" gates/default.json &&
  "$PERFGATE" merge "$T/shard-1.json" "$T/shard-3.json" -o other.json -q) 2>"$T/otherdefault.err" ||
  fail "merge beside another default gates file"
expect_err otherdefault 'gates/default.json is gates [0-9a-f]{16}, .* ran gates [0-9a-f]{16}: benchmarks that no file holds are not looked for'
check "another suite's benchmarks are not added" test "$(jq '.benchmarks | length' "$T/elsewhere/other.json")" = 4

# Unsharded files (runs of some benchmarks each): what none holds is named as such.
"$PERFGATE" run -q -b a -o "$T/only-a.json" && "$PERFGATE" run -q -b b -o "$T/only-b.json" || fail "unsharded runs"
run_pg unsharded_missing 0 merge "$T/only-a.json" "$T/only-b.json" -o "$M/ab.json" -q
check "unsharded: no shard warning" bash -c "! grep -q 'shard' '$T/unsharded_missing.err'"
check "unsharded: the rest failed, in none of the files" jqt '[.benchmarks[] | select(.status == "failed") | .reason] | unique ==
  ["not measured: in none of the 2 merged files"]' "$M/ab.json"

# ---- --save: each shard its own record, read back as one suite ----
jq '.commit = null' "$T/shard-1.json" >"$T/nocommit-1.json"
jq '.commit = null' "$T/shard-2.json" >"$T/nocommit-2.json"
run_pg save_null 2 merge "$T/nocommit-1.json" "$T/nocommit-2.json" --save
expect_err save_null "^perfgate: merge --save: $T/nocommit-1.json names no commit"
check "nothing saved for a set without a commit" bash -c '! git notes --ref=perfgate list | grep -q .'

run_pg save 0 merge "$T/shard-1.json" "$T/shard-2.json" "$T/shard-3.json" --save -o "$M/saved.json" -q
check "one note line per shard" test "$(git notes --ref=perfgate show HEAD | wc -l)" = 3
check "each keeps its own run id" test "$(git notes --ref=perfgate show HEAD | jq -r .run_id | sort -u)" = \
  "$(jq -r .run_id "$T"/shard-[123].json | sort -u)"
check "the merged set's run id is not stored" bash -c "! git notes --ref=perfgate show HEAD | grep -q '$(jq -r .run_id "$M/saved.json")'"
run_pg show 0 show HEAD
for b in a b c d e w; do
  expect_out show "^  $b +ok "
done
run_pg compare_stored 0 compare --head HEAD --base "$T/base.json" -q

# check records the gates file's hash too (on a commit of its own, measuring one size benchmark).
git commit -q --allow-empty -m "second"
run_pg check 0 check -b a --save -q
check "check records the gates file's hash" \
  test "$(git notes --ref=perfgate show HEAD | jq -r .gates_hash)" = "$(jq -r .gates_hash "$T/full.json")"

finish
