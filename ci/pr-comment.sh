#!/usr/bin/env bash
# pr-comment.sh - post perfgate's report on a pull request as ONE sticky comment, updated in place
#
#   GITHUB_TOKEN=... ci/pr-comment.sh --repo OWNER/NAME --pr N --body FILE... [--api URL] [--author LOGIN]
#   ci/pr-comment.sh --body FILE... --output OUT
#
# FILE is the report of `perfgate check --format markdown=FILE`. Its first line is a hidden
# marker, `<!-- perfgate:ENVKEY -->`; the comment to update is the first one on the PR whose
# first line is that same marker AND whose author is the token's own user (GET /user; a GitHub
# App token such as the Actions GITHUB_TOKEN cannot read /user, so then `github-actions[bot]`,
# or --author LOGIN). Anyone else's comment is never touched: without a match, a new comment is
# posted. One comment per environment key, so runners that each post keep one comment each.
#
# --body more than once joins the reports of several environments (the platforms of a matrix
# whose shards were merged) into ONE comment: its marker is `<!-- perfgate:matrix -->`, then a
# section per report, headed `## ENVKEY` from that report's marker, which is dropped. Each
# report is checked as one alone is, and the joined comment must fit GitHub's limit too.
# --output OUT writes the comment to OUT and posts nothing (no token, --repo or --pr): a job
# without the right to comment leaves it for one that has it (.github/workflows/perfgate-matrix.yml).
#
# Run it from a job whose token may write to pull requests: for PRs from forks that is the
# `workflow_run` job of .github/workflows/perfgate-comment.yml, never the `pull_request` job
# (a fork PR's token is read-only there).
#
# Exit status: 0 posted, updated or written; 2 bad command line, no token, a body that is not a
# perfgate report, two bodies of one env key, or a comment over GitHub's 65,536-character
# limit; 3 a body cannot be read, OUT cannot be written, GitHub could not be reached or
# answered with an error (403, rate limit, ...).
set -euo pipefail

readonly body_limit=65536
readonly fallback_author='github-actions[bot]'

die() { # die STATUS MESSAGE
  local status=$1
  shift
  echo "pr-comment: $*" >&2
  exit "$status"
}

usage() {
  echo "usage: ci/pr-comment.sh --repo OWNER/NAME --pr N --body FILE... [--api URL] [--author LOGIN]" >&2
  echo "       ci/pr-comment.sh --body FILE... --output OUT" >&2
  echo "       (GITHUB_TOKEN from the environment; --api default \$GITHUB_API_URL or https://api.github.com)" >&2
}

repo='' pr='' author='' output=''
bodies=()
api=${GITHUB_API_URL:-https://api.github.com}
have_pr=0
while (($# > 0)); do
  case $1 in
    --repo | --pr | --body | --api | --author | --output)
      if (($# < 2)); then
        usage
        die 2 "$1 needs a value"
      fi
      case $1 in
        --repo) repo=$2 ;;
        --pr) pr=$2 have_pr=1 ;;
        --body) bodies+=("$2") ;;
        --api) api=$2 ;;
        --author) author=$2 ;;
        --output) output=$2 ;;
      esac
      shift 2
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

if [[ -n $output ]]; then
  ((${#bodies[@]} > 0)) || {
    usage
    die 2 "--body is required"
  }
  [[ -z $repo && $have_pr -eq 0 ]] || die 2 "--output writes the comment and posts nothing: give --output, or --repo and --pr, not both"
else
  [[ -n $repo && $have_pr -eq 1 && ${#bodies[@]} -gt 0 ]] || {
    usage
    die 2 "--repo, --pr and --body are required"
  }
  [[ -n ${GITHUB_TOKEN:-} ]] || die 2 "GITHUB_TOKEN is not set"
  [[ $pr =~ ^[0-9]{1,10}$ && $pr != 0* ]] || die 2 "--pr '$pr': not a pull request number"
  [[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die 2 "--repo '$repo': expected OWNER/NAME"
  api=${api%/}
  [[ $api =~ ^https?://[^[:space:]]+$ ]] || die 2 "--api '$api': expected an http(s) URL"
fi

# characters FILE: sets $chars. GitHub counts characters, not bytes; jq counts code points of
# the UTF-8 text. --rawfile, not -Rs: jq 1.6 (Debian 12) -R mangles a multi-byte character
# that straddles its read buffer.
chars=0
characters() {
  chars=$(jq -n --rawfile body "$1" '$body | length') || die 3 "$1: could not be read as text"
}

keys=()
for body in "${bodies[@]}"; do
  [[ -f $body && -r $body ]] || die 3 "$body: no such readable file"
  marker=''
  IFS= read -r marker <"$body" || true
  marker=${marker%$'\r'}
  [[ $marker =~ ^'<!-- perfgate:'([^[:space:]]+)' -->'$ ]] ||
    die 2 "$body: the first line is not perfgate's marker '<!-- perfgate:ENVKEY -->' (write the body with perfgate check --format markdown=FILE)"
  key=${BASH_REMATCH[1]}
  for ((i = 0; i < ${#keys[@]}; i++)); do
    [[ ${keys[i]} != "$key" ]] || die 2 "$body: env key '$key' again (${bodies[i]} is its report already); one report per key"
  done
  keys+=("$key")
  characters "$body"
  ((chars <= body_limit)) ||
    die 2 "$body: $chars characters, over GitHub's comment limit of $body_limit; the report must already fit"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pr-comment.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# One report is the comment as it is; several become one comment of a section each.
comment=${bodies[0]}
if ((${#bodies[@]} > 1)); then
  marker='<!-- perfgate:matrix -->'
  comment=$tmp/comment.md
  {
    printf '%s\n' "$marker"
    for ((i = 0; i < ${#bodies[@]}; i++)); do
      printf '\n## %s\n\n' "${keys[i]}"
      tail -n +2 -- "${bodies[i]}"
      # A report without a final newline still ends its section.
      [[ -z $(tail -c 1 -- "${bodies[i]}") ]] || printf '\n'
    done
  } >"$comment" || die 3 "$tmp: could not write the joined comment"
  characters "$comment"
  ((chars <= body_limit)) ||
    die 2 "the comment joining ${bodies[*]}: $chars characters, over GitHub's comment limit of $body_limit; give fewer reports or shorter ones"
fi

if [[ -n $output ]]; then
  cp -- "$comment" "$output" || die 3 "$output: could not be written"
  echo "pr-comment: wrote the comment ($chars characters) to $output"
  exit 0
fi

# The token goes to curl in a file of our own, never on a command line other users can read.
(
  umask 077
  printf 'Authorization: Bearer %s\n' "$GITHUB_TOKEN" >"$tmp/auth"
)

# request METHOD PATH [JSON_FILE]: sets $status; the answer is in $tmp/answer, its headers in
# $tmp/headers. Dies (3) only when GitHub could not be reached at all.
status=''
request() {
  local method=$1 path=$2 data=${3:-}
  local args=(-sS --fail-with-body -X "$method" -H @"$tmp/auth"
    -H "Accept: application/vnd.github+json" -H "X-GitHub-Api-Version: 2022-11-28"
    -D "$tmp/headers" -o "$tmp/answer" -w '%{http_code}')
  if [[ -n $data ]]; then
    args+=(-H "Content-Type: application/json" --data-binary @"$data")
  fi
  : >"$tmp/headers"
  : >"$tmp/answer"
  status=$(curl "${args[@]}" "$api$path" 2>"$tmp/curl.err") || true
  if [[ ! $status =~ ^[1-5][0-9][0-9]$ ]]; then
    die 3 "$method $api$path: could not reach GitHub: $(head -n 1 "$tmp/curl.err")"
  fi
}

header() { # header NAME: the value of the last such response header, if any
  grep -i "^$1:" "$tmp/headers" | tail -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//; s/ *$//' || true
}

github_message() {
  jq -r '.message // empty' "$tmp/answer" 2>/dev/null | head -n 1 || true
}

rate_limited() {
  [[ $status == 429 ]] || { [[ $status == 403 && $(header x-ratelimit-remaining) == 0 ]]; }
}

fail_http() { # fail_http METHOD PATH: explain a 4xx/5xx answer and exit 3
  local method=$1 path=$2 message reset when retry
  message=$(github_message)
  if rate_limited; then
    reset=$(header x-ratelimit-reset)
    retry=$(header retry-after)
    if [[ $reset =~ ^[0-9]+$ ]]; then
      when=$(date -u -d "@$reset" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null || echo "epoch $reset")
      die 3 "$status from GitHub on $method $path: API rate limit exceeded; it resets at $when (in $((reset - $(date +%s))) s)"
    elif [[ $retry =~ ^[0-9]+$ ]]; then
      die 3 "$status from GitHub on $method $path: API rate limit exceeded; retry after $retry s"
    fi
    die 3 "$status from GitHub on $method $path: API rate limit exceeded; the reset time was not given"
  fi
  if [[ $status == 403 ]]; then
    die 3 "403 from GitHub: a fork PR's token is read-only; post from the workflow_run job (see README)${message:+ [GitHub: $message]}"
  fi
  die 3 "$status from GitHub on $method $path: ${message:-no message}"
}

# Whose comments may be updated: the token's own user.
if [[ -z $author ]]; then
  request GET /user
  if [[ $status == 200 ]]; then
    author=$(jq -r '.login // empty' "$tmp/answer")
  elif rate_limited || [[ $status != 403 && $status != 404 ]]; then
    fail_http GET /user
  fi
  # A GitHub App's installation token (the Actions GITHUB_TOKEN) gets 403 on /user.
  [[ -n $author ]] || author=$fallback_author
fi

# Find our comment, 100 per page, oldest first.
comment_id=''
for ((page = 1; page <= 100; page++)); do
  path="/repos/$repo/issues/$pr/comments?per_page=100&page=$page"
  request GET "$path"
  [[ $status == 200 ]] || fail_http GET "$path"
  comment_id=$(jq -r --arg marker "$marker" --arg author "$author" '
      [.[] | select(.user.login == $author
                    and (((.body // "") | split("\n")[0] | rtrimstr("\r")) == $marker))]
      | .[0].id // empty' "$tmp/answer") || die 3 "GET $path: the answer is not a JSON list of comments"
  [[ -z $comment_id ]] || break
  (($(jq 'length' "$tmp/answer") == 100)) || break
done

jq -n --rawfile body "$comment" '{body: $body}' >"$tmp/request.json"
if [[ -n $comment_id ]]; then
  path="/repos/$repo/issues/comments/$comment_id"
  request PATCH "$path" "$tmp/request.json"
  [[ $status == 200 ]] || fail_http PATCH "$path"
  echo "pr-comment: updated comment $comment_id on $repo#$pr: $(jq -r '.html_url // empty' "$tmp/answer")"
else
  path="/repos/$repo/issues/$pr/comments"
  request POST "$path" "$tmp/request.json"
  [[ $status == 201 || $status == 200 ]] || fail_http POST "$path"
  echo "pr-comment: posted comment $(jq -r '.id // empty' "$tmp/answer") on $repo#$pr: $(jq -r '.html_url // empty' "$tmp/answer")"
fi
