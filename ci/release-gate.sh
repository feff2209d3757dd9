#!/usr/bin/env bash
# release-gate.sh - the pre-release performance checklist as one command, ending in the sign-off
#
#   ci/release-gate.sh [-c GATES] [--base REV] [--runs N] [--out DIR] [-- CHECK_ARGS...]
#
# Run it in the repository about to be released, on the release candidate (HEAD). It finds the
# previous release tag (`git describe --tags --abbrev=0 HEAD^`, or --base REV), measures HEAD
# with the release gates (default gates/release.json) and more runs than a PR check, compares
# with the results stored for that tag, strictly: an inconclusive result fails, and so does a
# missing baseline. It writes DIR/signoff.md (the "Performance Sign-Off" document) and
# DIR/verdict.json, prints the sign-off, and on failure lists what keeps the release back.
#
# The baseline is what was stored on the tag (or the closest first-parent commit before it
# with results) under the same environment key: measure on the same kind of machine that
# stored them (the CI runner), or pass `-- --env KEY`.
#
# perfgate: $PERFGATE, else build/perfgate of this repository, else perfgate on PATH.
# Exit status: 0 approved; 1 not approved (the failing items are listed); 2 bad command line,
# no previous release tag, or a bad gates file; 3 perfgate could not run.
set -euo pipefail

die() { # die STATUS MESSAGE
  local status=$1
  shift
  echo "release-gate: $*" >&2
  exit "$status"
}

usage() {
  echo "usage: ci/release-gate.sh [-c GATES] [--base REV] [--runs N] [--out DIR] [-- CHECK_ARGS...]" >&2
}

gates='' base='' runs=50 out=perfgate-release
extra=()
while (($# > 0)); do
  case $1 in
    -c | --gates | --base | --runs | --out)
      (($# >= 2)) || {
        usage
        die 2 "$1 needs a value"
      }
      case $1 in
        -c | --gates) gates=$2 ;;
        --base) base=$2 ;;
        --runs) runs=$2 ;;
        --out) out=$2 ;;
      esac
      shift 2
      ;;
    --)
      shift
      extra=("$@")
      break
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage
      die 2 "unknown argument '$1'"
      ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die 2 "--runs '$runs': expected a positive number"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -n ${PERFGATE:-} ]]; then
  perfgate=$PERFGATE
elif [[ -x $here/build/perfgate ]]; then
  perfgate=$here/build/perfgate
elif command -v perfgate >/dev/null; then
  perfgate=perfgate
else
  die 3 "no perfgate: build it (cmake -B build && cmake --build build) or set PERFGATE"
fi
command -v jq >/dev/null || die 3 "jq is needed to list the failing items (apt-get install jq)"

root=$(git rev-parse --show-toplevel 2>/dev/null) || die 2 "not in a git repository: run it in the repository to release"
[[ -n $gates ]] || gates=$root/gates/release.json
[[ -f $gates ]] || die 2 "$gates: no such gates file"

if [[ -z $base ]]; then
  base=$(git describe --tags --abbrev=0 HEAD^ 2>/dev/null) ||
    die 2 "no release tag before HEAD (git describe --tags --abbrev=0 HEAD^ found none): tag the previous release, or give --base REV"
  how="previous release tag $base"
else
  git rev-parse --verify --quiet "$base^{commit}" >/dev/null || die 2 "--base $base: not a commit in this repository"
  how="--base $base"
fi
base_commit=$(git rev-parse "$base^{commit}")

mkdir -p "$out" || die 3 "$out: cannot create the output directory"
signoff=$out/signoff.md
verdict=$out/verdict.json
rm -f "$signoff" "$verdict"

echo "release-gate: HEAD $(git rev-parse --short HEAD) against $how ($(git rev-parse --short "$base_commit")), $runs runs per benchmark"
status=0
"$perfgate" check -c "$gates" --base "$base" --strict --require-baseline --runs "$runs" \
  --format "signoff=$signoff" --format "json=$verdict" --format text "${extra[@]}" || status=$?

if [[ ! -s $verdict ]]; then
  # perfgate has said why on stderr; keep its status (2 bad input, 3 could not run).
  ((status != 0)) || status=3
  die "$status" "perfgate check wrote no verdict (exit $status): no sign-off"
fi

echo
echo "======== $signoff"
cat "$signoff"
echo

found=$(jq -r '.base.commit // empty' "$verdict")
if [[ -n $found && $found != "$base_commit" ]]; then
  echo "release-gate: note: $base has no results of its own; the baseline is ${found:0:12}, $(jq -r '.base.depth // "?"' "$verdict") first-parent commits before it"
fi

if ((status == 0)); then
  echo "release-gate: APPROVED: every release gate holds against $how"
  exit 0
fi

echo "release-gate: NOT APPROVED (perfgate exit $status). Failing items:"
jq -r '
  def name: "\(.bench).\(.metric)\(if .stat then "." + .stat else "" end)";
  def pct: if . == null then "?" else "\(. * 1000 | round / 10) %" end;
  (.metrics[]? | select(.gated and .verdict == "regression")
     | "  - regression: \(name) \(.change | pct) (threshold \(.threshold | pct))"),
  (.metrics[]? | select(.gated and .verdict == "inconclusive")
     | "  - inconclusive (--strict): \(name) \(.change | pct); \(if .more_runs then "about \(.more_runs) more runs per side would decide" elif .note then .note else "more runs would decide" end)"),
  (.gates[]? | select(.pass | not)
     | "  - gate failed: \(.metric) \(if .max != null then "<= \(.max)" else ">= \(.min)" end) \(.unit // ""): measured \(.value // "nothing")\(if .reason then " (" + .reason + ")" else "" end)"),
  (.benchmarks_not_ok[]? | select(.status != "skipped")
     | "  - benchmark \(.bench) \(.status)\(if .reason then ": " + .reason else "" end)"),
  (if .base.found == false or .base.commit == null
   then "  - no baseline: no results stored for \(.base.how // "the base") under env key \(.head.env) (measure the tag on this kind of machine, or pass -- --env KEY)"
   else empty end)
' "$verdict"
exit "$status"
