#!/usr/bin/env bash
# store_sync.sh - `perfgate sync`: two clones and a bare remote end with every record of both
source "$(dirname "$0")/lib.bash"
HELPER="$PG_BINDIR/tests/test_store" # test_store's helper mode: --record, --append
[[ -x $HELPER ]] || { echo "skip: $HELPER is not built"; exit 77; }
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@perfgate.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@perfgate.invalid

git init -q --bare -b main remote.git
make_repo seed
git -C seed commit -q --allow-empty -m second
git -C seed commit -q --allow-empty -m third
git -C seed push -q "$T/remote.git" main
git clone -q remote.git a
git clone -q remote.git b
c1=$(git -C a rev-parse HEAD~2) c2=$(git -C a rev-parse HEAD~1) c3=$(git -C a rev-parse HEAD)

# save CLONE COMMIT ENVKEY : a new record on COMMIT in CLONE; its run_id goes to $T/ids.
save() {
  local rec
  rec=$("$HELPER" --record "$3")
  (cd "$T/$1" && "$HELPER" --append "$2" "$rec") || fail "save in $1 on $2"
  jq -r .run_id <<<"$rec" >>"$T/ids"
}

# ids_in CLONE : every run_id stored in CLONE's notes, sorted
ids_in() {
  git -C "$T/$1" notes --ref=perfgate list | while read -r _ commit; do
    git -C "$T/$1" notes --ref=perfgate show "$commit"
  done | jq -r .run_id | sort
}

# Different commits and the same commit, on both sides.
save a "$c1" linux
save a "$c3" linux
save b "$c2" macos
save b "$c3" macos

(cd a && "$PERFGATE" sync >"$T/sync_a.out" 2>"$T/sync_a.err") || fail "first sync from a: $(cat "$T/sync_a.err")"
expect_out sync_a '^refs/notes/perfgate: pushed to origin \(it had nothing this clone lacked\)$'
check "a's notes reached the remote" test "$(git -C remote.git notes --ref=perfgate list | wc -l)" = 2
(cd b && "$PERFGATE" sync >"$T/sync_b.out" 2>"$T/sync_b.err") || fail "sync from b: $(cat "$T/sync_b.err")"
expect_out sync_b "^refs/notes/perfgate: merged origin's notes, pushed the union to it$"
# a and b began storing before either synced: unrelated notes histories, merged as a new root
# (as after a prune); merges of related histories keep both parents (below).
check "the first merge of unrelated notes is a root" \
  test "$(git -C b rev-list --parents -n 1 refs/notes/perfgate | wc -w)" = 1
(cd a && "$PERFGATE" sync >/dev/null 2>"$T/sync_a2.err") || fail "second sync from a: $(cat "$T/sync_a2.err")"
sort "$T/ids" >"$T/want"
check "a holds every record" test "$(ids_in a)" = "$(cat "$T/want")"
check "b holds every record" test "$(ids_in b)" = "$(cat "$T/want")"
check "the shared commit holds both records" test "$(git -C a notes --ref=perfgate show "$c3" | wc -l)" = 2
check "a and b agree on the notes commit" \
  test "$(git -C a rev-parse refs/notes/perfgate)" = "$(git -C b rev-parse refs/notes/perfgate)"
check "the side ref is removed" test -z "$(git -C a for-each-ref refs/notes/perfgate-sync-remote)"
(cd b && "$PERFGATE" sync >"$T/sync_b2.out" 2>&1) || fail "a sync with nothing new"
expect_out sync_b2 '^refs/notes/perfgate: already in sync with origin$'

# Both sides save and sync at the same time, a few rounds: the lease makes the loser merge again.
for round in 1 2 3; do
  save a "$c2" linux
  save b "$c2" macos
  save a "$c3" linux
  (cd a && "$PERFGATE" sync >/dev/null 2>"$T/race_a.err") &
  pa=$!
  (cd b && "$PERFGATE" sync >/dev/null 2>"$T/race_b.err") &
  pb=$!
  wait $pa || fail "racing sync from a, round $round: $(cat "$T/race_a.err")"
  wait $pb || fail "racing sync from b, round $round: $(cat "$T/race_b.err")"
done
check "racing syncs of related notes merge with both parents" \
  test "$(git -C a rev-list --merges refs/notes/perfgate | wc -l)" -ge 1
(cd a && "$PERFGATE" sync >/dev/null) || fail "final sync a"
(cd b && "$PERFGATE" sync >/dev/null) || fail "final sync b"
sort "$T/ids" >"$T/want"
check "after racing syncs a holds all $(wc -l <"$T/want") records" test "$(ids_in a)" = "$(cat "$T/want")"
check "after racing syncs b holds them too" test "$(ids_in b)" = "$(cat "$T/want")"
check "the remote holds them too" test "$(git clone -q remote.git c && cd c &&
  git fetch -q origin refs/notes/perfgate:refs/notes/perfgate && cd .. && ids_in c)" = "$(cat "$T/want")"
check "the remote's notes are sound" git -C remote.git fsck --no-dangling --no-progress

# A remote that does not exist: exit 3, naming it and quoting git.
cd a || exit 1
run_pg badremote 3 sync nosuchremote
expect_err badremote "^perfgate: sync with nosuchremote: git fetch failed: fatal: 'nosuchremote' does not appear to be a git repository\$"
run_pg toomany 2 sync origin other
cd "$T" || exit 1
mkdir outside && cd outside || exit 1
run_pg norepo 3 sync
expect_err norepo '^perfgate: not in a git repository'

finish
