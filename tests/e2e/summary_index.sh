#!/usr/bin/env bash
# summary_index.sh - the summary index in .git/perfgate/: readers that show summaries (log, changes)
# read through it, see exactly what the notes hold, never trust a stale or corrupt one, and a note
# written in the previous format (samples at full precision beside a summary) reads the same.
source "$(dirname "$0")/lib.bash"
FIXTURE="$PG_SRCDIR/fixtures/notes/default-gates.previous.jsonl"

make_repo repo
cd repo || exit 1
# Six commits, each with the shipped default gates' result set as perfgate wrote it before notes
# were compacted (a real run's), its run id and medians changed per commit.
for i in 1 2 3 4 5 6; do
  git commit -q --allow-empty -m "change $i"
  sed -E "s/\"run_id\":\"[^\"]*\"/\"run_id\":\"00000000-0000-4000-8000-00000000000$i\"/" "$FIXTURE" |
    git notes --ref=perfgate add -f -F - HEAD 2>/dev/null
done
idx=.git/perfgate/summaries.idx pack=.git/perfgate/summaries.pack
# Without the index: the notes parsed, as every read did before.
PERFGATE_NO_INDEX=1 "$PERFGATE" log -n 6 >"$T/plain.out" 2>"$T/plain.err" || fail "log without the index"
check "reading without the index writes none" test ! -e "$pack"

run_pg first 0 log -n 6
check "the first read builds the index" test -s "$pack" -a -s "$idx"
check "and prints what the notes say" cmp -s "$T/plain.out" "$T/first.out"
check "saying so in one line" test "$(grep -c 'summary index .*/summaries.pack was missing; building it from the notes' "$T/first.err")" -eq 1 -a "$(wc -l <"$T/first.err")" -eq 1
check "its table lists the six notes" test "$(stat -c %s "$idx")" -eq $((32 + 6 * 28))
size_first=$(stat -c %s "$pack")
run_pg second 0 log -n 6
check "a read through the index prints the same" cmp -s "$T/plain.out" "$T/second.out"
check "and says nothing on stderr" test ! -s "$T/second.err"
check "a read through the index adds nothing" test "$(stat -c %s "$pack")" -eq "$size_first"
run_pg changes_indexed 0 changes --format json
PERFGATE_NO_INDEX=1 "$PERFGATE" changes --format json >"$T/changes_plain.out" 2>/dev/null
check "changes reads the same through the index" cmp -s "$T/changes_plain.out" "$T/changes_indexed.out"

# The notes ref moves (a new result on HEAD): the note has a new blob, which the index has not seen.
size_before=$(stat -c %s "$pack")
sed -E 's/"run_id":"[^"]*"/"run_id":"00000000-0000-4000-8000-0000000000aa"/; s/"median":[0-9.e-]+/"median":7.5/' \
  "$FIXTURE" | git notes --ref=perfgate add -f -F - HEAD 2>/dev/null
run_pg moved 0 log -n 6
PERFGATE_NO_INDEX=1 "$PERFGATE" log -n 6 >"$T/moved_plain.out" 2>/dev/null
check "a moved notes ref is read as it is now, not as indexed" cmp -s "$T/moved_plain.out" "$T/moved.out"
check "the changed note was added to the index" test "$(stat -c %s "$pack")" -gt "$size_before"
check "and the newest row changed" bash -c "! cmp -s '$T/plain.out' '$T/moved.out'"

# A record that fails its checksum: the index is dropped with one line and rebuilt; the output holds.
# The pack: a 16-byte header, then records (20-byte key, u32 length, u32 crc32, payload); the first
# is the note HEAD had before it moved, which no read asks for now: spoil the second's payload.
first_len=$(od -An -tu4 -j36 -N4 "$pack" | tr -d ' ')
printf '\xff\xff\xff\xff' | dd of="$pack" bs=1 seek=$((16 + 28 + first_len + 28 + 100)) conv=notrunc status=none
run_pg corrupt 0 log -n 6
check "a corrupt index gives the same table" cmp -s "$T/moved_plain.out" "$T/corrupt.out"
check "and one line saying it is rebuilt" test "$(wc -l <"$T/corrupt.err")" -eq 1
expect_err corrupt "perfgate: the summary index .*summaries\.pack (holds a record that fails its checksum|holds a record that does not decode|holds another note where its table points); rebuilding it from the notes"
run_pg after_corrupt 0 log -n 6
check "the rebuilt index reads the same" cmp -s "$T/moved_plain.out" "$T/after_corrupt.out"
check "and quietly" test ! -s "$T/after_corrupt.err"

# A pack cut short under its table, and a table of another format: rebuilt, same output.
truncate -s 100 "$pack"
run_pg short 0 log -n 6
check "a pack shorter than its table is rebuilt" cmp -s "$T/moved_plain.out" "$T/short.out"
expect_err short "summaries\.pack is shorter than its table says; rebuilding it"
printf 'PGSUMPK0' | dd of="$pack" bs=1 seek=0 conv=notrunc status=none
run_pg other_version 0 log -n 6
check "an index of another version is rebuilt" cmp -s "$T/moved_plain.out" "$T/other_version.out"
expect_err other_version "was written by another version of perfgate; rebuilding it"
echo garbage >"$idx"
run_pg bad_table 0 log -n 6
check "a table that is garbage is read past: the pack's records are found" cmp -s "$T/moved_plain.out" "$T/bad_table.out"
rm -rf .git/perfgate
run_pg removed 0 log -n 6
check "a removed index is built again" cmp -s "$T/moved_plain.out" "$T/removed.out"
check "with the same line" grep -q 'was missing; building it from the notes' "$T/removed.err"
rm -rf .git/perfgate
run_pg removed_q 0 log -q -n 6
check "-q builds it without a word" test -s "$pack" -a ! -s "$T/removed_q.err"

# The previous format and the compact one read the same: save the fixture with perfgate.
git commit -q --allow-empty -m "change 7"
sed -E 's/"run_id":"[^"]*"/"run_id":"00000000-0000-4000-8000-0000000000bb"/' "$FIXTURE" >"$T/set.json"
run_pg save 0 save "$T/set.json" --commit HEAD
check "the default gates' result set fits a 16 KiB note" test "$(git notes --ref=perfgate show HEAD | wc -c)" -le 16384
check "the note keeps clock ticks" bash -c "git notes --ref=perfgate show HEAD | jq -e '.benchmarks[0].metrics[0] | has(\"ticks\") and .per_unit == 1000000'"
run_pg show_previous 0 show HEAD~2 --format json
run_pg show_compact 0 show HEAD --format json
# The same counts, and medians and quantiles to the clock's tick (the compact note's summary of the
# samples it keeps whole is computed from them as stored, to the nanosecond).
flat() { jq -c '[.benchmarks[] | .name as $b | .metrics[] | (.summary // {}) as $s |
  [$b, .name, .unit, .better, .value, $s.n, $s.median, $s.p90, $s.p99]]' "$1"; }
same_figures() { jq -n --argjson a "$(flat "$1")" --argjson b "$(flat "$2")" '($a | length) == ($b | length) and
  ([range(0; $a | length) as $i | range(0; $a[$i] | length) as $k | $a[$i][$k] as $u | $b[$i][$k] as $v |
    if ($u | type) == "number" and ($v | type) == "number"
    then (($u - $v) | fabs) <= 1e-6 * ([($u | fabs), ($v | fabs)] | max) + 1e-12 else $u == $v end] | all)' |
  grep -qx true; }
check "the compact note reads the previous note's counts, medians and quantiles" \
  same_figures "$T/show_previous.out" "$T/show_compact.out"
# (a row's marks say how it compares with the rows below it, which differ: left out)
log_row() { "$PERFGATE" log -n 3 | sed -n "${1}p" | cut -c9- | sed 's/change [0-9]//' | sed -E 's/ (\?|✗|✓|!)( |$)/ /g' | tr -s ' '; }
check "and log prints the same row for both" test "$(log_row 2)" = "$(log_row 4)"

finish
