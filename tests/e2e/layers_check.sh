#!/usr/bin/env bash
# layers_check.sh - tests/layers.sh catches what the map forbids: an upward include, <git2.h> in a
# stage that must not reach git, a public header no row places, a folder that is no layer; and a
# tree that keeps the map passes.
set -uo pipefail
# It reads the source tree, not the build: the plain build's run covers the sanitized one's.
if [[ ${PG_SANITIZED:-0} == 1 ]]; then
  echo "skipped: layers_check reads the sources, which the plain build's run already checked"
  exit 77
fi
src=${PG_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
no() { echo "FAIL $1"; fail=$((fail + 1)); }

fresh() { # a copy of the tree the script reads
  rm -rf "$tmp/t" && mkdir -p "$tmp/t/tests"
  cp -r "$src/src" "$src/include" "$src/ARCHITECTURE.md" "$tmp/t/"
  cp "$src/tests/layers.sh" "$tmp/t/tests/"
}
# expect NAME STATUS PATTERN: layers.sh on the copy exits STATUS and prints PATTERN
expect() {
  local out rc
  out=$(bash "$tmp/t/tests/layers.sh" "$tmp/t" 2>&1)
  rc=$?
  if [[ $rc == "$2" ]] && grep -qF -- "$3" <<<"$out"; then ok "$1"; else no "$1 (exit $rc): $out"; fi
}

fresh
expect "the tree as it is keeps the map" 0 "0 forbidden edges"

fresh
sed -i '0,/#include "perfgate/s//#include "perfgate\/compare.h"\n#include "perfgate/' "$tmp/t/src/store/store.c"
expect "store including compare/ is named" 1 'src/store/store.c: store includes "perfgate/compare.h" (compare)'

fresh
sed -i '0,/#include "perfgate/s//#include <git2.h>\n#include "perfgate/' "$tmp/t/src/compare/stats.c"
expect "<git2.h> in compare is named" 1 'src/compare/stats.c: compare includes <git2.h>'

fresh
printf '/* stray.h - a header the map does not place */\n' >"$tmp/t/include/perfgate/stray.h"
expect "an unplaced public header is named" 1 'include/perfgate/stray.h: a public header in no layer'

fresh
mkdir "$tmp/t/src/misc" && printf '/* x.c */\n#include "perfgate/error.h"\n' >"$tmp/t/src/misc/x.c"
expect "a folder that is no layer is named" 1 'src/misc/: a folder that is no layer'

fresh
sed -i '0,/#include "perfgate/s//#include "publish\/releases.h"\n#include "perfgate/' "$tmp/t/src/report/json.c"
expect "a private header of a higher stage is named" 1 'src/report/json.c: report includes "publish/releases.h" (publish)'

echo "$pass passed, $fail failed"
((fail == 0))
