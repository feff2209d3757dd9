#!/usr/bin/env bash
# plot.sh - `perfgate plot`: history plots from a real repository as PNG and SVG, gaps, regressions,
# hostile benchmark names, and gnuplot missing
source "$(dirname "$0")/lib.bash"

for tool in gnuplot xmllint; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed: skipped"; exit 77; }
done

cat >gates.json <<'JSON'
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0},
 "benchmarks": [
   {"name": "workload", "command": ["{bindir}/perfgate-workload", "--work", "1"]},
   {"name": "a\"b|c`$(x)`", "command": ["{bindir}/perfgate-workload", "--work", "1"]},
   {"name": "<script>alert(1)</script>", "command": ["{bindir}/perfgate-workload", "--work", "1"]}]}
JSON
pg() { (cd "$T/repo" && "$PERFGATE" "$@"); }

# 13 commits, results saved on all but the 7th: 12 points and one gap.
make_repo repo
for i in $(seq 1 13); do
  if ((i > 1)); then
    echo "$i" >repo/file.txt
    git -C repo commit -q -am "commit $i"
  fi
  ((i == 7)) && continue
  pg run -c "$T/gates.json" -q --save || fail "run --save on commit $i"
done
mapfile -t shas < <(git -C repo rev-list --first-parent --abbrev-commit --abbrev=7 HEAD)
gap=$(git -C repo rev-parse --short=7 HEAD~6)
files=(workload.wall.png a_b_c___x__.wall.png _script_alert_1___script_.wall.png)

# ---- PNG ----
pg plot -o "$T/png" >png.out 2>png.err
check "plot exits 0" test $? -eq 0
for f in "${files[@]}"; do
  check "$f is written" test -f "png/$f"
  check "$f starts with the PNG signature" \
    test "$(head -c 8 "png/$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
  check "$f is more than 1 KiB" test "$(stat -c %s "png/$f")" -gt 1024
  check "stdout names $f" grep -qF "$T/png/$f" png.out
done
check "no temporary file is left" test -z "$(ls -A png | grep -v '\.png$')"
check "file names are safe for file systems" test -z "$(ls -A png | grep -v '^[A-Za-z0-9._-]*$')"

# ---- SVG: well-formed, the series and the commits as text ----
pg plot --format svg -o "$T/svg" >svg.out 2>svg.err
check "plot --format svg exits 0" test $? -eq 0
for f in "${files[@]}"; do
  svg="svg/${f%.png}.svg"
  check "$svg is well-formed XML" xmllint --noout "$svg"
  check "$svg has no markup from the benchmark name" bash -c "! grep -q '<script' '$svg'"
done
w=svg/workload.wall.svg
for sha in "${shas[@]}"; do
  check "commit $sha is labelled" grep -qF "<text>$sha</text>" "$w"
done
check "13 commits are labelled" test "$(grep -cE '<text>[0-9a-f]{7}</text>' "$w")" -eq 13
# The median series: its points (gnuplot draws one more, the legend's sample).
median_points=$(xmllint --xpath "count(//*[local-name()='g'][starts-with(@id,'gnuplot_plot_')][.//*[local-name()='text']='median']//*[local-name()='use'])" "$w")
check "the median series plots 12 points (got $median_points - 1)" test "$median_points" = 13
check "the band is drawn and named" grep -qF '<text>p10-p90 of runs</text>' "$w"
check "the threshold is drawn and named" grep -qE '<text>threshold \+10.0 % over [0-9a-f]{7} \([0-9.]+ ms\)</text>' "$w"
check "the axis reads in a unit a person reads" grep -qE '<text>wall \((ms|µs)\)</text>' "$w"
# The commit without results: labelled, but the median line breaks there (two runs of points).
check "the gap commit $gap is labelled" grep -qF "<text>$gap</text>" "$w"
moves=$(xmllint --xpath "string(//*[local-name()='g'][starts-with(@id,'gnuplot_plot_')][.//*[local-name()='text']='median']//*[local-name()='path']/@d)" "$w" | grep -o M | wc -l)
check "the median line breaks at the gap (legend sample + 2 runs: $moves moves)" test "$moves" -eq 3
check "the hostile name is the title, as text" \
  grep -qF '<text>a"b|c`$(x)`.wall</text>' svg/a_b_c___x__.wall.svg
check "<script> is escaped in the SVG title" \
  grep -qF '<text>&lt;script>alert(1)&lt;/script>.wall</text>' svg/_script_alert_1___script_.wall.svg

# ---- options ----
pg plot --format svg -n 5 -o "$T/five" >/dev/null 2>five.err
check "-n 5 labels 5 commits" test "$(grep -cE '<text>[0-9a-f]{7}</text>' five/workload.wall.svg)" -eq 5

pg plot --format svg --metric workload.wall.p90 --metric workload.peak_rss -o "$T/named" >named.out 2>named.err
check "--metric plots exit 0" test $? -eq 0
check "a named stat gets its own file" test -f named/workload.wall.p90.svg
check "only the metrics named are drawn" test "$(ls named | wc -l)" -eq 2
check "peak RSS reads in KiB or MiB" grep -qE '<text>peak_rss \((KiB|MiB)\)</text>' named/workload.peak_rss.svg

(cd repo && "$PERFGATE" plot --metric workload.nosuch -o "$T/bad") >bad.out 2>bad.err
check "--metric that nothing stored has exits 2" test $? -eq 2
check "and names it" grep -q "workload.nosuch" bad.err
(cd repo && "$PERFGATE" plot --format jpeg) >fmt.out 2>fmt.err
check "--format jpeg exits 2" test $? -eq 2

# ---- a regression is marked in red ----
make_repo slow
cat >slow_gates.sh <<'SH'
printf '{"schema": "perfgate-gates/1", "defaults": {"runs": 5, "warmup": 1}, "benchmarks": [{"name": "w", "command": ["{bindir}/perfgate-workload", "--work", "%s"]}]}' "$1"
SH
# Ten commits at one cost and ten at three times it. 7 against 7 is the smallest split whose
# Mann-Whitney p can clear 0.001, and only with no overlap at all: one noisy commit on a busy
# runner would hide it; 10 against 10 clears it with several.
for work in 6 6 6 6 6 6 6 6 6 6 18 18 18 18 18 18 18 18 18 18; do
  echo "$work" >>slow/file.txt
  git -C slow commit -q -am "work $work"
  bash slow_gates.sh "$work" >"slow_$work.json"
  (cd slow && "$PERFGATE" run -c "$T/slow_$work.json" -q --save) || fail "run --save with work $work"
done
(cd slow && "$PERFGATE" plot --format svg -o "$T/slowplot") >slow.out 2>slow.err
check "the slow history plots" test -f slowplot/w.wall.svg
check "the step up is marked red as a regression check would fail" \
  grep -qF '<text>regression: a check against the commits before fails here</text>' slowplot/w.wall.svg
check "the change point is drawn and named" grep -qF '<text>change point</text>' slowplot/w.wall.svg
check "so is the level of each segment" grep -qF '<text>level between change points</text>' slowplot/w.wall.svg
labels=$(grep -cE '<text>\+[0-9.]+ % \([0-9.]+ ms\)</text>' slowplot/w.wall.svg)
check "the change point is labelled with its change and new level (got $labels)" test "$labels" -ge 1

# ---- nothing to plot, or no gnuplot ----
make_repo empty_repo
(cd empty_repo && "$PERFGATE" plot -o "$T/none") >none.out 2>none.err
check "a history without results exits 3" test $? -eq 3
check "and says so" grep -q "no results stored" none.err

mkdir -p empty_path
(cd repo && PATH="$T/empty_path" "$PERFGATE" plot -o "$T/nognuplot") >nogp.out 2>nogp.err
check "without gnuplot plot exits 3" test $? -eq 3
check "with one warning line" test "$(cat nogp.err)" = "perfgate: warning: gnuplot not found on PATH: no plots written"
check "and no plots" test ! -e nognuplot

finish
