#!/usr/bin/env bash
# layers.sh - every #include in src/ and include/ against the layer map in ARCHITECTURE.md: a stage
# includes only from the layers its row allows, <git2.h> only where the row says yes, every public
# header and every folder of src/ has a row. Prints each forbidden edge; exit 1 when there is one.
#   tests/layers.sh [ROOT]   (default: the checkout this script is in)
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
map=$root/ARCHITECTURE.md
[[ -r $map ]] || { echo "layers: $map: cannot read the layer map" >&2; exit 3; }

declare -A allowed git_ok header_layer
layers=()
# The table's rows between the markers: | layer | what | headers | may include | git2 |
while IFS='|' read -r _ layer _ headers may git _; do
  layer=${layer//[[:space:]]/}
  [[ -z $layer || $layer == layer || $layer == -* ]] && continue
  layers+=("$layer")
  allowed[$layer]=" $layer $(echo "$may" | tr -d '—') "
  [[ $git == *yes* ]] && git_ok[$layer]=1
  for h in $(echo "$headers" | tr -d '—'); do
    [[ -z ${header_layer[$h]:-} ]] || { echo "layers: $map: header $h.h is placed twice" >&2; exit 3; }
    header_layer[$h]=$layer
  done
done < <(sed -n '/<!-- layers:begin -->/,/<!-- layers:end -->/p' "$map" | grep '^|')
((${#layers[@]})) || { echo "layers: $map: no layer table between the layers:begin/end markers" >&2; exit 3; }

bad=0
edge() { echo "  $1"; bad=$((bad + 1)); }

is_layer() { [[ -n $1 && -n ${allowed[$1]:-} ]]; }

# Every folder of src/ is a layer; every public header is placed, and every placed header exists.
for d in "$root"/src/*/; do
  d=$(basename "$d")
  is_layer "$d" || edge "src/$d/: a folder that is no layer of ARCHITECTURE.md"
done
for f in "$root"/include/perfgate/*.h; do
  h=$(basename "$f" .h)
  [[ -n ${header_layer[$h]:-} ]] || edge "include/perfgate/$h.h: a public header in no layer of ARCHITECTURE.md"
done
for h in "${!header_layer[@]}"; do
  [[ -f $root/include/perfgate/$h.h ]] || edge "ARCHITECTURE.md places $h.h, which does not exist in include/perfgate/"
done

# layer_of_include FILE_DIR NAME: REPLY = the layer of an included "NAME", or ? when unknown.
# No subshells: one call per include, a thousand includes.
layer_of_include() {
  local name=$1 dir=$2
  case $name in
    perfgate/*) name=${name#perfgate/}; REPLY=${header_layer[${name%.h}]:-?}; return ;;
    pg_version.h | pre_push_hook.h) REPLY=util; return ;;
  esac
  # Relative to the including file, else to src/: its folder is its layer.
  local path
  if [[ -f $dir/$name ]]; then
    path=$dir/$name
    while [[ $path == */../* ]]; do path=$(sed -E 's#/[^/]+/\.\./#/#' <<<"$path"); done
    path=${path//\/.\//\/}
  else
    path=$root/src/$name
  fi
  path=${path#"$root"/src/}
  if [[ $path == */* ]]; then REPLY=${path%%/*}; else REPLY=cli; fi # src/main.c's neighbours: cli
}

checked=0
while IFS= read -r file; do
  rel=${file#"$root"/}
  case $rel in
    include/perfgate/*) h=$(basename "$rel" .h); layer=${header_layer[$h]:-} ;;
    src/*/*) layer=${rel#src/}; layer=${layer%%/*} ;;
    src/*) layer=cli ;;
  esac
  is_layer "${layer:-}" || continue # reported above
  while IFS= read -r inc; do
    checked=$((checked + 1))
    if [[ $inc == '<git2.h>' || $inc == '<git2/'* ]]; then
      [[ -n ${git_ok[$layer]:-} ]] || edge "$rel: $layer includes $inc (only store, gate and cli reach git)"
      continue
    fi
    [[ $inc == '"'* ]] || continue
    inc=${inc//\"/}
    layer_of_include "$inc" "${file%/*}"
    to=$REPLY
    if [[ $to == '?' ]]; then
      edge "$rel: includes \"$inc\", a header no layer places"
    elif [[ ${allowed[$layer]} != *" $to "* ]]; then
      edge "$rel: $layer includes \"$inc\" ($to), which ARCHITECTURE.md does not allow"
    fi
  done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$file")
done < <(find "$root/src" "$root/include" -name '*.[ch]' | sort)

if ((bad)); then
  echo "layers: $bad forbidden edge(s) in $checked includes (the map: ARCHITECTURE.md)"
  exit 1
fi
echo "layers: ${#layers[@]} layers, $checked includes checked, 0 forbidden edges"
