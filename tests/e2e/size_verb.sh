#!/usr/bin/env bash
# size_verb.sh - `perfgate size`: the table, the perfgate/1 result set, stripped/gzip against strip and gzip, errors
source "$(dirname "$0")/lib.bash"


BIN="$PG_BINDIR/perfgate"

# jqt FILTER FILE : the filter holds (jq -e, quietly)
jqt() {
  jq -e "$1" "$2" >/dev/null
}

# within PCT A B : A is within PCT percent of B
within() {
  awk -v a="$2" -v b="$3" -v p="$1" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * p / 100) }'
}

run_pg help 0 size --help
expect_out help '^usage: perfgate size FILE'

run_pg table 0 size "$BIN"
expect_out table "^$BIN  \\(ELF 64-bit, little-endian\\)"
expect_out table '^  bytes +[0-9.]+ (KiB|MiB) +[0-9]+$'
expect_out table '^  stripped +[0-9.]+ (KiB|MiB) +[0-9]+ '
expect_out table '^  gzip +[0-9.]+ (KiB|MiB) +[0-9]+ '
expect_out table '^  gzip stripped +[0-9.]+ (KiB|MiB) +[0-9]+ '
expect_out table '^    \.text +[0-9.]+ (KiB|MiB) +[0-9]+$'
check "sections are sorted largest first" \
  bash -c "sed -n '/sections, largest first/,\$p' '$T/table.out' | awk 'NR > 1 { print \$NF == \"only\" ? \$(NF-3) : \$NF }' | sort -c -n -r"

run_pg json 0 size --format json "$BIN"
check "json is a perfgate/1 result set" test "$(jq -r .schema json.out)" = "perfgate/1"
check "one benchmark named by the path, kind size" \
  test "$(jq -r '.benchmarks[0] | .name + " " + .kind + " " + .status' json.out)" = "$BIN size ok"
check "the primary metric is stripped_bytes, then gzip_stripped_bytes, gzip_bytes, bytes" \
  test "$(jq -r '[.benchmarks[0].metrics[0:4][].name] | join(",")' json.out)" = "stripped_bytes,gzip_stripped_bytes,gzip_bytes,bytes"
check "every metric is bytes, lower is better, a single value" \
  jqt '[.benchmarks[0].metrics[] | .unit == "bytes" and .better == "lower" and (.value | type) == "number"] | all' json.out
check "section metrics are named section:NAME" \
  jqt '[.benchmarks[0].metrics[].name] | index("section:.text") != null' json.out
check "bytes is the size on disk" test "$(jq '.benchmarks[0].metrics[3].value' json.out)" = "$(stat -c %s "$BIN")"
if command -v strip >/dev/null; then
  strip -o stripped.bin "$BIN"
  want=$(stat -c %s stripped.bin)
  got=$(jq '.benchmarks[0].metrics[0].value' json.out)
  echo "stripped_bytes: perfgate $got, strip -o $want"
  check "stripped_bytes ($got) within 2 % of strip -o ($want)" within 2 "$got" "$want"
  # gzip_stripped_bytes is the stripped image through the same zlib as gzip_bytes: against
  # perfgate's gzip_bytes of what strip wrote, only the rewritten headers differ (a few bytes).
  got=$(jq '.benchmarks[0].metrics[1].value' json.out)
  "$PERFGATE" size --format json stripped.bin >stripped.json
  want=$(jq '.benchmarks[0].metrics[] | select(.name == "gzip_bytes") | .value' stripped.json)
  echo "gzip_stripped_bytes: perfgate $got, zlib -9 of strip -o's file $want, gzip -9 -n of it $(gzip -9 -n -c stripped.bin | wc -c)"
  check "gzip_stripped_bytes ($got) within 64 bytes of the stripped file's gzip_bytes ($want)" \
    test $((got > want ? got - want : want - got)) -le 64
  check "gzip_stripped_bytes ($got) is less than gzip_bytes of the unstripped file" \
    test "$got" -lt "$(jq '.benchmarks[0].metrics[2].value' json.out)"
fi
want=$(gzip -9 -n -c "$BIN" | wc -c)
got=$(jq '.benchmarks[0].metrics[2].value' json.out)
echo "gzip_bytes: perfgate $got, gzip -9 -n $want"
check "gzip_bytes ($got) within 2 % of gzip -9 -n ($want)" within 2 "$got" "$want"

# Options after the files, json to a file, and a second file that is not ELF.
printf 'plain text, not ELF\n' >notes.txt
run_pg two 0 size "$BIN" notes.txt --format json=two.json --format text
expect_out two '^notes.txt  \(not ELF\)'
check "two files are two benchmarks" test "$(jq '.benchmarks | length' two.json)" = 2
check "a file that is not ELF has bytes first and no stripped_bytes" \
  test "$(jq -r '[.benchmarks[1].metrics[].name] | join(",")' two.json)" = "bytes,gzip_bytes"
if "$PERFGATE" compare --help >/dev/null 2>&1; then
  run_pg compare 0 compare --base two.json --head two.json
fi

run_pg missing 3 size "$BIN" nope.bin
expect_err missing '^perfgate: nope.bin: cannot open: No such file or directory$'
check "nothing is printed for a run with a missing file" test ! -s "$T/missing.out"

mkdir adir
run_pg directory 3 size adir
expect_err directory '^perfgate: adir: is a directory$'

run_pg no_files 2 size
expect_err no_files '^perfgate: size: expected at least one FILE'
expect_err no_files '^usage: perfgate size'

run_pg bad_option 2 size --frobnicate "$BIN"
expect_err bad_option "perfgate: size: unknown option.*--frobnicate"

run_pg bad_format 2 size --format xml "$BIN"
expect_err bad_format "--format: unknown format 'xml'"

# ELF magic, class 2, then nothing: a corrupt document named on the command line.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\001\000' >corrupt.o
run_pg corrupt 2 size corrupt.o
expect_err corrupt '^perfgate: corrupt.o: truncated ELF header'

: >empty
run_pg empty 0 size --format json empty
check "an empty file: 0 bytes, an empty gzip stream of 20" \
  test "$(jq -c '[.benchmarks[0].metrics[].value]' empty.out)" = "[0,20]"

# The size kind through a gates file, once the lead has registered its driver.
cat >gates.json <<JSON
{"schema": "perfgate-gates/1",
 "benchmarks": [
   {"name": "binary", "kind": "size", "files": ["{bindir}/perfgate"]},
   {"name": "both", "kind": "size", "files": ["$BIN", "notes.txt"]}
 ]}
JSON
run_pg kind 0 run -c gates.json -q -o kind.json
check "the size kind's primary metric is stripped_bytes" \
  test "$(jq -r '.benchmarks[0].metrics[0].name' kind.json)" = "stripped_bytes"
check "several files prefix each metric with the base name" \
  jqt '[.benchmarks[1].metrics[].name] | index("perfgate.section:.text") != null and index("notes.txt.bytes") != null' kind.json

# Section sizes are recorded, but folded out of the table and the PR comment unless gated or changed.
if command -v objcopy >/dev/null; then
  cp "$BIN" shipped.bin
  cat >fold.json <<'JSON'
{"schema": "perfgate-gates/1", "benchmarks": [{"name": "bin", "kind": "size", "files": ["shipped.bin"]}],
 "gates": [{"metric": "bin.section:.rodata", "max": "100MB"}]}
JSON
  run_pg fold_base 0 run -c fold.json -q -o fold.base.json
  sections=$(jq '[.benchmarks[0].metrics[].name | select(startswith("section:"))] | length' fold.base.json)
  run_pg fold_same 0 check -c fold.json --base fold.base.json --format text --format markdown=fold.md --format json=fold.v.json
  check "unchanged sections are folded out of the table" bash -c "! grep -q '^  section:\.text ' '$T/fold_same.out'"
  check "a gated section stays in the table" grep -q '^  section:\.rodata ' fold_same.out
  expect_out fold_same "\($((sections - 1)) section sizes unchanged and not gated, folded: --format json lists them\)"
  check "the PR comment says how many it folded" grep -q "section sizes unchanged and not gated: in the JSON report" fold.md
  check "the PR comment lists no unchanged, ungated section" bash -c "! grep -q '| section:\.text |' fold.md"
  check "the JSON verdict keeps every section" \
    test "$(jq '[.metrics[] | select(.metric | startswith("section:"))] | length' fold.v.json)" -eq "$sections"
  # A new section is a change: shown.
  objcopy --add-section .perfgate_extra=notes.txt shipped.bin
  run_pg fold_new 0 check -c fold.json --base fold.base.json
  expect_out fold_new '^  section:\.perfgate_extra +- +'
fi

finish
