#!/usr/bin/env bash
# size.sh - what `perfgate size` costs: a large file against gzip -9 | wc -c, perfgate itself
# against strip + stat, and perfgate's peak RSS, which must not grow with the file.
#   tests/bench/size.sh [BUILD_DIR] [MB]     (default: build, 200; PERFGATE=... picks the binary)
# Prints wall times, their ratios, the sizes both ways and the peak RSS; target: peak RSS < 16 MiB.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
mb=${2:-200}
perfgate=${PERFGATE:-$build/perfgate}
command -v jq >/dev/null || { echo "size: jq is not installed" >&2; exit 3; }
"$perfgate" size --help >/dev/null 2>&1 || { echo "size: $perfgate has no size verb" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Half incompressible, half text, in 1 MiB pieces: deflate sees both kinds of block.
for i in $(seq 2000); do echo "line $i: the quick brown fox jumps over the lazy dog, perfgate size bench"; done |
  head -c 1048576 >"$tmp/text"
for i in $(seq "$mb"); do
  if ((i % 2)); then head -c 1048576 /dev/urandom; else cat "$tmp/text"; fi
done >"$tmp/big"

now() { date +%s.%N; }
# peak_rss_and_wall OUT CMD... : run CMD, stdout to OUT; prints "WALL_S RSS_KIB"
peak_rss_and_wall() {
  local out=$1
  shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$out"
    cat "$tmp/time"
  else
    local t0 t1
    t0=$(now)
    "$@" >"$out"
    t1=$(now)
    "$perfgate" run -q --runs 1 --warmup 0 -o "$tmp/rss.json" -- "$@"
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $(jq '.benchmarks[0].metrics[3].samples[0] / 1024 | floor' "$tmp/rss.json")"
  fi
}

read -r pg_wall pg_rss < <(peak_rss_and_wall "$tmp/big.json" "$perfgate" size --format json "$tmp/big")
t0=$(now)
gz_bytes=$(gzip -9 -c "$tmp/big" | wc -c)
t1=$(now)
gz_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
pg_gzip=$(jq '.benchmarks[0].metrics[] | select(.name == "gzip_bytes") | .value' "$tmp/big.json")

read -r self_wall self_rss < <(peak_rss_and_wall "$tmp/self.json" "$perfgate" size --format json "$perfgate")
t0=$(now)
strip -o "$tmp/stripped" "$perfgate"
strip_bytes=$(stat -c %s "$tmp/stripped")
t1=$(now)
strip_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
# perfgate size does three jobs on the file: strip's arithmetic, gzip -9 of the stripped file
# (the seed's release script: strip, then gzip) and gzip -9 of the file itself.
t0=$(now)
gzip -9 -c "$perfgate" | wc -c >/dev/null
strip_gz_bytes=$(gzip -9 -n -c "$tmp/stripped" | wc -c)
t1=$(now)
both_wall=$(awk -v a="$t0" -v b="$t1" -v s="$strip_wall" 'BEGIN { print b - a + s }')
pg_stripped=$(jq '.benchmarks[0].metrics[0].value' "$tmp/self.json")
pg_strip_gz=$(jq '.benchmarks[0].metrics[] | select(.name == "gzip_stripped_bytes") | .value' "$tmp/self.json")

printf '%d MiB file (half /dev/urandom, half text)\n' "$mb"
printf '  perfgate size          %8.2f s   gzip_bytes %d\n' "$pg_wall" "$pg_gzip"
printf '  gzip -9 -c | wc -c     %8.2f s   bytes      %d\n' "$gz_wall" "$gz_bytes"
printf 'perfgate itself (%s)\n' "$perfgate"
printf '  perfgate size          %8.3f s   stripped_bytes %d\n' "$self_wall" "$pg_stripped"
printf '  strip -o + stat        %8.3f s   bytes          %d\n' "$strip_wall" "$strip_bytes"
printf '  strip + stat + gzip -9 %8.3f s   (of the file and of the stripped file)\n' "$both_wall"
printf '  gzip_stripped_bytes %d, strip | gzip -9 -n %d\n' "$pg_strip_gz" "$strip_gz_bytes"
awk -v pw="$pg_wall" -v gw="$gz_wall" -v pg="$pg_gzip" -v gz="$gz_bytes" \
    -v sw="$self_wall" -v tw="$strip_wall" -v bw="$both_wall" -v ps="$pg_stripped" -v st="$strip_bytes" \
    -v rss="$pg_rss" -v srss="$self_rss" -v pz="$pg_strip_gz" -v sz="$strip_gz_bytes" 'BEGIN {
  printf "  wall perfgate / gzip   %8.3f\n", pw / gw
  printf "  wall perfgate / strip  %8.3f\n", sw / tw
  printf "  wall perfgate / both   %8.3f  (both: strip + stat + gzip -9)\n", sw / bw
  printf "  gzip_bytes vs gzip     %+8.3f %%\n", 100 * (pg - gz) / gz
  printf "  stripped vs strip -o   %+8.3f %%\n", 100 * (ps - st) / st
  printf "  gzip_stripped vs strip | gzip -9 -n %+8.3f %%\n", 100 * (pz - sz) / sz
  printf "  peak RSS               %8.1f MiB on the large file, %.1f MiB on perfgate (target < 16)\n", rss / 1024, srss / 1024
  ok = rss < 16 * 1024
  print ok ? "result: target met" : "result: TARGET MISSED"
  exit ok ? 0 : 1
}'
