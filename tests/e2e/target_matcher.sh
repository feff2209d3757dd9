#!/usr/bin/env bash
# target_matcher.sh - perfgate-matcher, the reference static matcher: protocol, corpus quality, slowdown, memory
source "$(dirname "$0")/lib.bash"

MATCHER="$PG_BINDIR/perfgate-matcher"
TABLE="$PG_SRCDIR/fixtures/matcher/patterns.tsv"
CORPUS="$PG_SRCDIR/fixtures/matcher/queries.txt"
if [[ ! -x $MATCHER ]]; then
  echo "FAIL: $MATCHER is not built" >&2
  exit 1
fi

# rss_kib PID : the resident set of a running process, in KiB
rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# jq_true FILTER FILE... : the filter holds
jq_true() {
  jq -e "$@" >/dev/null
}

# wait_lines FILE N : wait (at most 10 s) until FILE has N lines
wait_lines() {
  local i
  for ((i = 0; i < 1000; i++)); do
    [[ $(wc -l <"$1") -ge $2 ]] && return 0
    sleep 0.01
  done
  return 1
}

# --- the tables -------------------------------------------------------------
intents=$(grep -cvE '^(#|@|$)' "$TABLE")
check "the pattern table has >= 100 intents (has $intents)" test "$intents" -ge 100
short=$(awk -F'\t' '!/^(#|@|$)/ && NF < 5 {print $1}' "$TABLE")
check "every intent has >= 3 phrasings (not: $short)" test -z "$short"
queries=$(grep -c . "$CORPUS")
check "the corpus has >= 500 queries (has $queries)" test "$queries" -ge 500
cut -f1 "$CORPUS" >corpus.txt

# --- serve: one answer line per query, flushed, exit 0 at EOF -----------------
cat >known.txt <<'EOF'
undo my last commit but keep the changes
show listening ports
how much free disk space do i have
convert video.mp4 to a gif with ffmpeg
extract archive.tar.gz
tell me a joke
EOF
"$MATCHER" --serve <known.txt >serve.out 2>serve.err
check "serve exits 0 at the end of its input" test $? -eq 0
check "serve writes one line per query" test "$(wc -l <serve.out)" -eq 6
check "serve writes nothing on stderr" test ! -s serve.err
check "a hit is <id><TAB><command>" \
  test "$(sed -n 1p serve.out)" = "$(printf 'git_undo_last_commit\tgit reset --soft HEAD~1')"
check "listening ports" test "$(sed -n 2p serve.out | cut -f1)" = listening_ports
check "free disk space" test "$(sed -n 3p serve.out | cut -f1)" = disk_free
check "a miss is an empty line" test -z "$(sed -n 4p serve.out)"
check "a file name reads as its extensions" test "$(sed -n 5p serve.out | cut -f1)" = extract_tar_gz
check "a miss is an empty line (2)" test -z "$(sed -n 6p serve.out)"

# The answer comes before the end of the input: the line protocol needs it flushed.
coproc SERVE { "$MATCHER" --serve; }
echo "show listening ports" >&"${SERVE[1]}"
answer=
IFS= read -r -t 5 answer <&"${SERVE[0]}"
check "serve answers (flushed) while its input stays open" test "${answer%%$'\t'*}" = listening_ports
exec {SERVE[1]}>&-
wait "$SERVE_PID"
check "serve exits 0 when its input closes" test $? -eq 0

# --- oneshot: the same answer as serve ------------------------------------------
i=0
while IFS= read -r q; do
  i=$((i + 1))
  # shellcheck disable=SC2086 # the words of the query are the arguments
  got=$("$MATCHER" $q)
  check "oneshot exits 0 for '$q'" test $? -eq 0
  check "oneshot answers '$q' as serve does" test "$got" = "$(sed -n "${i}p" serve.out)"
done <known.txt
check "oneshot accepts a query after --" test "$("$MATCHER" -- -v show listening ports | cut -f1)" = listening_ports

# --- the table is compiled in: the binary works without the source tree -------
cp "$MATCHER" ./matcher-copy
check "a copied binary answers from its built-in table" \
  test "$(./matcher-copy show listening ports | cut -f1)" = listening_ports

# --- another table with --patterns ---------------------------------------------
printf '# a test table\n@alias\tgreet\thello\thowdy\nsay_hi\techo hi\tgreet the world\tsay hello\n' >small.tsv
printf 'list_files\tls\tshow the files\tlist the files\n' >>small.tsv
check "--patterns FILE replaces the table" test "$("$MATCHER" --patterns small.tsv hello world | cut -f1)" = say_hi
check "--patterns: aliases apply" test "$("$MATCHER" --patterns small.tsv --serve <<<"hello" | cut -f2)" = "echo hi"
check "--patterns: the built-in intents are gone" test -z "$("$MATCHER" --patterns small.tsv undo my last git commit)"

# --- bad usage and bad tables ---------------------------------------------------
status_of() {
  "$@" >/dev/null 2>status.err
  echo $?
}
check "no arguments: exit 2" test "$(status_of "$MATCHER")" -eq 2
check "an unknown option: exit 2" test "$(status_of "$MATCHER" --frobnicate)" -eq 2
check "an unknown option is named" grep -q -- "--frobnicate" status.err
check "--slowdown needs a number: exit 2" test "$(status_of "$MATCHER" --serve --slowdown fast)" -eq 2
check "--slowdown needs a value: exit 2" test "$(status_of "$MATCHER" --serve --slowdown)" -eq 2
check "--passes without --time-corpus: exit 2" test "$(status_of "$MATCHER" --passes 3 list files)" -eq 2
check "--serve with a query: exit 2" test "$(status_of "$MATCHER" --serve list files)" -eq 2
check "an unreadable --patterns file: exit 3" test "$(status_of "$MATCHER" --patterns nowhere.tsv list files)" -eq 3
check "the unreadable file is named" grep -q "nowhere.tsv" status.err
printf '@alias\tgreet\tthe\n' >stopalias.tsv
check "an alias that is a stop word: exit 3" test "$(status_of "$MATCHER" --patterns stopalias.tsv list files)" -eq 3
check "the stop word is named" grep -q "stopalias.tsv:1: @alias: 'the' is a stop word" status.err
printf 'broken_intent\tno phrasings\n' >broken.tsv
check "a malformed table: exit 3" test "$(status_of "$MATCHER" --patterns broken.tsv list files)" -eq 3
check "a malformed table names its line" grep -q "broken.tsv:1:" status.err
printf 'list the files\tno_such_intent\n' >badcorpus.txt
check "a corpus naming an unknown intent: exit 3" test "$(status_of "$MATCHER" --time-corpus badcorpus.txt)" -eq 3

# --- the corpus: hit rate and accuracy -------------------------------------------
"$MATCHER" --time-corpus "$CORPUS" --passes 3 >timing.json
check "--time-corpus exits 0" test $? -eq 0
check "--time-corpus prints one line of JSON with every field" \
  jq_true 'has("queries") and has("mean_us") and has("p50_us") and has("p99_us") and has("hit_rate") and has("accuracy")' timing.json
check "--time-corpus counts one pass (>= 500 queries)" jq_true ".queries == $queries and .queries >= 500" timing.json
check "hit_rate is between 0.80 and 0.90 ($(jq .hit_rate timing.json))" jq_true '.hit_rate >= 0.80 and .hit_rate <= 0.90' timing.json
check "accuracy is >= 0.90 ($(jq .accuracy timing.json))" jq_true '.accuracy >= 0.90' timing.json
check "percentiles are ordered and a lookup is under 1 ms at p99" \
  jq_true '.p50_us > 0 and .p50_us <= .p99_us and .p99_us < 1000' timing.json
"$MATCHER" --serve <corpus.txt >all.out
hits=$(grep -c . all.out)
check "serve's hits over the corpus agree with --time-corpus" \
  jq_true --argjson h "$hits" --argjson n "$queries" '(.hit_rate - $h / $n) | fabs < 0.0001' timing.json

# --- --slowdown does more work, never changes an answer -----------------------------
"$MATCHER" --serve --slowdown 25 <corpus.txt >slow25.out
check "--slowdown 25 gives the same answers as --slowdown 0" cmp -s all.out slow25.out
"$MATCHER" --serve --slowdown 0 <corpus.txt >slow0.out
check "--slowdown 0 is the default" cmp -s all.out slow0.out
"$MATCHER" --serve --slowdown 150 <corpus.txt >slow150.out
check "--slowdown 150 gives the same answers" cmp -s all.out slow150.out

# --- memory: flat without --leak, growing with it ---------------------------------------
for ((k = 0; k < 70; k++)); do cat corpus.txt; done >many.txt

# serve_rss NAME ARGS... : a serve process's RSS in KiB after 1k, 21k and 50k queries, in rss[0..2]
serve_rss() {
  local name=$1 fd pid
  shift
  rss=(0 0 0)
  mkfifo "$name.in"
  "$MATCHER" --serve "$@" <"$name.in" >"$name.out" &
  pid=$!
  exec {fd}>"$name.in"
  local from=1 to i=0
  for to in 1000 21000 50000; do
    sed -n "${from},${to}p" many.txt >&"$fd"
    if ! wait_lines "$name.out" "$to"; then
      fail "$name: no answers to $to queries"
      break
    fi
    rss[i]=$(rss_kib "$pid")
    from=$((to + 1))
    i=$((i + 1))
  done
  exec {fd}>&-
  wait "$pid" || fail "$name: serve exited with status $?"
}

serve_rss flat
check "without --leak, RSS after 50k queries is within 512 KiB of RSS after 1k (${rss[0]} -> ${rss[2]} KiB)" \
  test $((rss[2] - rss[0])) -le 512 -a $((rss[0] - rss[2])) -le 512
serve_rss leaky --leak
check "with --leak, RSS grows by more than 10 MiB over 20k queries (${rss[0]} -> ${rss[1]} KiB)" \
  test $((rss[1] - rss[0])) -gt 10240

finish
