#!/usr/bin/env bash
# store_notes.sh - the notes store as git sees it, and `perfgate show` / `perfgate log` reading it
source "$(dirname "$0")/lib.bash"
HELPER="$PG_BINDIR/tests/test_store" # test_store's helper mode: --record, --append
[[ -x $HELPER ]] || { echo "skip: $HELPER is not built"; exit 77; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@perfgate.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@perfgate.invalid

make_repo repo
cd repo || exit 1
for s in "second commit" "third: the matcher got faster"; do
  git commit -q --allow-empty -m "$s"
done
c1=$(git rev-parse HEAD~2) c2=$(git rev-parse HEAD~1) c3=$(git rev-parse HEAD)
rec1=$("$HELPER" --record linux-x86_64-test 2026-01-01T00:00:00.000Z)
rec2=$("$HELPER" --record linux-x86_64-test 2026-01-02T00:00:00.000Z)
rec3=$("$HELPER" --record macos-arm64-test 2026-01-03T00:00:00.000Z)
rec4=$("$HELPER" --record linux-x86_64-test 2026-01-04T00:00:00.000Z)

# ---- what git sees ----
"$HELPER" --append "$c3" "$rec1" || fail "append rec1"
check "git notes show prints the record perfgate wrote" test "$(git notes --ref=perfgate show "$c3")" = "$rec1"
check "the notes tree uses git's fan-out" test "$(git ls-tree -r --name-only refs/notes/perfgate)" = "${c3:0:2}/${c3:2}"

# Two writers diverge from one notes commit; git's own cat_sort_uniq merge gives a note perfgate reads.
base=$(git rev-parse refs/notes/perfgate)
"$HELPER" --append "$c3" "$rec2" || fail "append rec2"
git update-ref refs/notes/theirs refs/notes/perfgate
git update-ref refs/notes/perfgate "$base"
"$HELPER" --append "$c3" "$rec3" || fail "append rec3"
"$HELPER" --append "$c2" "$rec4" || fail "append rec4"
git notes --ref=perfgate merge -q -s cat_sort_uniq refs/notes/theirs || fail "git notes merge"
check "cat_sort_uniq kept each record once" test "$(git notes --ref=perfgate show "$c3" | wc -l)" = 3
"$HELPER" --append "$c3" "$rec1" || fail "append after a git merge"
check "saving again after git's merge keeps one copy of each record" \
  test "$(git notes --ref=perfgate show "$c3" | wc -l)" = 3

# ---- show ----
run_pg merged 0 show "$c3" --all-runs --format json
check "show reads git's merged note: 3 result sets" test "$(wc -l <"$T/merged.out")" = 3
check "no warning for a note git merged" test ! -s "$T/merged.err"

run_pg table 0 show "$c3"
expect_out table "^${c3:0:7}  third: the matcher got faster"
expect_out table '^linux-x86_64-test  2026-01-02T00:00:00.000Z  run [0-9a-f]{8}$'
expect_out table '^macos-arm64-test  2026-01-03T00:00:00.000Z'
expect_out table '^  matcher +ok +latency +4\.50 ms$'
expect_out table 'older result sets?: each benchmark above is from the newest run that measured it'
check "latest per env key: two result sets" test "$(grep -c '^  matcher' "$T/table.out")" = 2

run_pg all 0 show "$c3" --all-runs
check "--all-runs shows every result set" test "$(grep -c '^  matcher' "$T/all.out")" = 3
run_pg envtext 0 show "$c3" --env linux-x86_64-test
expect_out envtext '^\(1 older result set: each benchmark above is from the newest run that measured it'
run_pg envmac 0 show "$c3" --env macos-arm64-test
check "--env of a key with one set: no older set to mention" bash -c "! grep -q 'older result set' '$T/envmac.out'"
run_pg env 0 show "$c3" --env macos-arm64-test --format json
check "--env picks one key" test "$(jq -r .env.key "$T/env.out")" = macos-arm64-test
run_pg noenv 0 show "$c3" --env windows
expect_out noenv 'no results for env windows \(stored: .*linux-x86_64-test'

run_pg json 0 show "$c2" --format json
check "--format json is the record as stored" test "$(cat "$T/json.out")" = "$rec4"

run_pg size 0 show "$c3" --size
expect_out size "^${c3:0:7}: the note is [0-9.]+ (B|KiB) \(1[0-9]{3} bytes\)$"
expect_out size '^  line [123] +perfgate/1 +[0-9a-f]{8} +linux-x86_64-test +[0-9]+ B$'

run_pg nothing 0 show "$c1"
expect_out nothing "^no results stored on ${c1:0:7}$"

run_pg badrev 2 show nosuchrev
expect_err badrev '^perfgate: nosuchrev: not a commit in this repository$'

# A line that is not JSON: a warning naming the commit, the other lines still read.
printf '%s\nthis is not json\n{"schema":"perfgate-future/9","run_id":"x"}\n' "$rec1" >"$T/note"
git notes --ref=perfgate add -f -F "$T/note" "$c1"
run_pg badline 0 show "$c1" --format json
expect_err badline "^perfgate: warning: note on ${c1:0:7}: line 2 is not a perfgate record: not valid JSON$"
check "the other lines are read" test "$(jq -r .run_id "$T/badline.out")" = "$(jq -r .run_id <<<"$rec1")"
check "the perfgate-future/9 line is skipped silently" test "$(wc -l <"$T/badline.err")" = 1

# ---- log ----
run_pg log 0 log -n 3
check "log: a header, two env keys on the head, one on each parent" test "$(wc -l <"$T/log.out")" = 5
expect_out log '^commit +date +subject +env +matcher\.latency$'
expect_out log "^${c3:0:7}  2026-01-02  third: the matcher got faster  linux-x86_64-test +4\.50 ms$"
expect_out log "^${c3:0:7}  2026-01-03  third: the matcher got faster  macos-arm64-test +4\.50 ms$"
expect_out log "^${c2:0:7}  2026-01-04  second commit +linux-x86_64-test +4\.50 ms$"
expect_out log "^${c1:0:7}  2026-01-01  first +linux-x86_64-test +4\.50 ms$"
expect_err log "^perfgate: warning: note on ${c1:0:7}: line 2 is not a perfgate record"

run_pg logenv 0 log --env macos-arm64-test --metric matcher.latency.p99 --metric matcher.latency.n
expect_out logenv '^commit +date +subject +matcher\.latency\.p99 +matcher\.latency\.n$'
expect_out logenv "^${c3:0:7}  2026-01-03  third: the matcher got faster +4\.99 ms +5$"
expect_out logenv "^${c2:0:7}  · +second commit +· +·$"

run_pg logn 0 log -n 1 --env linux-x86_64-test
check "-n limits the rows" test "$(wc -l <"$T/logn.out")" = 2
run_pg logbad 2 log -n zero
expect_err logbad '^perfgate: -n: expected an integer >= 1'

# ---- the plain-file store ----
"$HELPER" --append --store "$T/results" "$c2" "$rec2" || fail "append to a dir store"
check "DIR/<commit>.jsonl holds the record" test "$(cat "$T/results/$c2.jsonl")" = "$rec2"
run_pg dirshow 0 show "$c2" --store "$T/results" --format json
check "show --store reads the file" test "$(cat "$T/dirshow.out")" = "$rec2"
run_pg dirlog 0 log -n 2 --store "$T/results"
expect_out dirlog "^${c2:0:7}  2026-01-02  second commit +4\.50 ms$"

echo x >"$T/somefile"
run_pg notdir 3 show --store "$T/somefile/sub"
expect_err notdir "^perfgate: $T/somefile/sub: "

cd "$T" || exit 1
mkdir outside
cd outside || exit 1
run_pg norepo 3 show
expect_err norepo '^perfgate: not in a git repository \(run inside one, or give --store DIR\)$'
"$HELPER" --append --store "$T/loose" unversioned "$rec3" || fail "append unversioned"
run_pg unversioned 0 show --store "$T/loose" --format json
check "outside a repository show --store reads unversioned.jsonl" test "$(cat "$T/unversioned.out")" = "$rec3"
run_pg nolog 3 log
expect_err nolog '^perfgate: not in a git repository'

finish
