#!/usr/bin/env bash
# history_scale.sh - `perfgate log -n N` over N commits, each with a default-gates-sized note (the
# shipped gates' real result set in today's compact form, ~15 KB), beside `git log -n N`; the summary
# index cold (first read: it is built), warm, and bypassed (PERFGATE_NO_INDEX=1: every note parsed,
# as before the index); the note's size; peak RSS of the warm log.
#   tests/bench/history_scale.sh [BUILD_DIR] [COMMITS]   (default: build, 10000)
# PERFGATE overrides the executable. Targets: warm log -n 10000 <= 1 s; note <= 16 KiB.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
commits=${2:-10000}
pg=${PERFGATE:-$build/perfgate}
fixture=$here/fixtures/notes/default-gates.previous.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load)"

# The note as perfgate writes it today: the fixture (the previous format) saved by this perfgate.
git init -q -b main "$tmp/one"
git -C "$tmp/one" -c user.name=b -c user.email=b@perfgate.invalid commit -q --allow-empty -m one
(cd "$tmp/one" && "$pg" save "$fixture" --commit HEAD -q) || { echo "history_scale: save failed" >&2; exit 3; }
git -C "$tmp/one" notes --ref=perfgate show HEAD >"$tmp/note.jsonl"
note_bytes=$(wc -c <"$tmp/note.jsonl")

repo=$tmp/repo
git init -q -b main "$repo"
start=$(date +%s%N)
# Every commit's note differs (its run id), as on a real history: no two share a blob.
awk -v n="$commits" -v notefile="$tmp/note.jsonl" 'BEGIN {
  getline note <notefile
  for (i = 1; i <= n; i++) {
    printf "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@perfgate.invalid> %d +0000\n", i, 1600000000 + i * 60
    msg = "change " i ": adjust the matcher table"
    printf "data %d\n%s\n\n", length(msg), msg
  }
  printf "commit refs/notes/perfgate\ncommitter perfgate <perfgate@localhost> %d +0000\ndata 12\nbench notes\n\n", 1600000000 + n * 60
  for (i = 1; i <= n; i++) {
    line = note
    sub(/"run_id":"[^"]*"/, "\"run_id\":\"00000000-0000-4000-8000-" sprintf("%012d", i) "\"", line)
    printf "N inline :%d\ndata %d\n", i, length(line) + 1
    print line
  }
}' | git -C "$repo" fast-import --quiet
git -C "$repo" reset -q --hard main
built=$(( ($(date +%s%N) - start) / 1000000 ))
cd "$repo"

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
best_of() { local best=999999999 t; for _ in 1 2 3; do t=$(ms "$@"); (( t < best )) && best=$t; done; echo "$best"; }

gitlog=$(best_of git log -n "$commits" --format='%h %ad %s')
cold=$(ms "$pg" log -n "$commits")
rows=$("$pg" log -n "$commits" | wc -l)
[[ $rows -eq $((commits + 1)) ]] || { echo "history_scale: log printed $rows lines, expected $((commits + 1))" >&2; exit 1; }
warm=$(best_of "$pg" log -n "$commits")
load_warm=$(load)
bypass=$(PERFGATE_NO_INDEX=1 ms "$pg" log -n "$commits")
rss_kb=$( { /usr/bin/time -f '%M' "$pg" log -n "$commits" >/dev/null; } 2>&1 | tail -n 1)
index_mb=$(du -sm .git/perfgate | cut -f1)
notes_mb=$(du -sm .git/objects | cut -f1)

printf '%d commits, a %d-byte default-gates note on each; built in %.1f s; load average %s\n' \
  "$commits" "$note_bytes" "$(awk -v ms="$built" 'BEGIN { print ms / 1000 }')" "$load_warm"
printf '  git log -n %d                                %6d ms\n' "$commits" "$gitlog"
printf '  perfgate log -n %d, index warm (best of 3)  %6d ms   (target <= 1000; %.1fx git log)\n' "$commits" "$warm" \
  "$(awk -v a="$warm" -v b="$gitlog" 'BEGIN { print (b > 0 ? a / b : 0) }')"
printf '  perfgate log -n %d, index cold (built)      %6d ms\n' "$commits" "$cold"
printf '  perfgate log -n %d, no index (PERFGATE_NO_INDEX=1) %6d ms   (%.1fx the warm index)\n' "$commits" "$bypass" \
  "$(awk -v a="$bypass" -v b="$warm" 'BEGIN { print (b > 0 ? a / b : 0) }')"
printf '  peak RSS of the warm log                     %6.1f MiB\n' "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')"
printf '  index %d MB beside %d MB of git objects\n' "$index_mb" "$notes_mb"
printf '  one note                                     %6d bytes (target <= 16384)\n' "$note_bytes"
if (( warm <= 1000 && note_bytes <= 16384 )); then echo "result: targets met"; else echo "result: TARGET MISSED"; exit 1; fi
