# reports_tools.sh - the golden reports as real tools read them: cmark-gfm for the markdown, xmllint for JUnit
source "$(dirname "$0")/lib.bash"

if ! command -v cmark-gfm >/dev/null; then
  echo "skipped: cmark-gfm not installed"
  exit 77
fi
if ! command -v xmllint >/dev/null; then
  echo "skipped: xmllint not installed (libxml2-utils)"
  exit 77
fi

GOLDEN="$PG_SRCDIR/fixtures/reports"
GFM=(-e table -e strikethrough -e autolink)
# Every tag the markdown of our reports may turn into; anything else came from data.
ALLOWED_TAGS=' p table thead tbody tr th td ul li strong a h2 h3 details summary !-- '

# md_checks FILE : markdown that GitHub renders with no HTML but ours
md_checks() {
  local file=$1 name
  name=$(basename "$file")
  # Safe mode replaces each piece of raw HTML: exactly the ones we wrote, no more.
  local ours omitted
  ours=$(grep -cE '^(<!-- perfgate:[A-Za-z0-9._-]+ -->|<details><summary>All [0-9]+ metrics</summary>|</details>)$' "$file")
  omitted=$(cmark-gfm "${GFM[@]}" "$file" | grep -o 'raw HTML omitted' | wc -l)
  check "$name: raw HTML is only the marker and <details> ($omitted pieces, $ours ours)" \
    test "$omitted" -eq "$ours"

  cmark-gfm --unsafe "${GFM[@]}" "$file" >"$T/$name.html"
  local tag bad=""
  while read -r tag; do
    [[ "$ALLOWED_TAGS" == *" $tag "* ]] || bad+=" $tag"
  done < <(grep -oE '<(/?[A-Za-z][A-Za-z0-9]*|!--)' "$T/$name.html" | sed -E 's|^</?||' | sort -u)
  check "$name: no tag but ours in the HTML (unexpected:${bad:- none})" test -z "$bad"
  check "$name: no <script> element" bash -c "! grep -qi '<script' '$T/$name.html'"
  check "$name: <details> opens and closes" \
    test "$(grep -c '<details>' "$T/$name.html")" -eq "$(grep -c '</details>' "$T/$name.html")"
  # Links go to our plots only.
  local links
  links=$(grep -oE '<a href="[^"]*"' "$T/$name.html" | grep -vc '^<a href="https://example.org/perf/plots/')
  check "$name: every link is a plot link" test "$links" -eq 0
}

for f in "$GOLDEN"/*.markdown "$GOLDEN"/*.signoff; do
  md_checks "$f"
done

# The hostile names render as themselves, each in its own cell.
cmark-gfm --unsafe "${GFM[@]}" "$GOLDEN/hostile.markdown" >"$T/hostile.html"
check "hostile: a\"b|c\`\$(x)\` is one cell" grep -qF '<td align="left">a&quot;b|c`$(x)`</td>' "$T/hostile.html"
check "hostile: <script>alert(1)</script>|x&y is one cell" \
  grep -qF '<td align="left">&lt;script&gt;alert(1)&lt;/script&gt;|x&amp;y</td>' "$T/hostile.html"
check "hostile: *bold*_u_[l](javascript:…) stays text" \
  grep -qF '<td align="left">*bold*_u_[l](javascript:alert(1))</td>' "$T/hostile.html"
check "hostile: the headline is bold" grep -qF '<strong>perfgate: fail</strong>' "$T/hostile.html"
cmark-gfm --unsafe "${GFM[@]}" "$GOLDEN/pass_improvement.markdown" >"$T/pass.html"
check "pass: metrics link to their plots" \
  grep -qF '<a href="https://example.org/perf/plots/matcher.latency.png">latency</a>' "$T/pass.html"

# xpath FILE EXPR : the value of an XPath expression
xpath() {
  xmllint --xpath "$2" "$1" 2>/dev/null
}

for f in "$GOLDEN"/*.junit; do
  name=$(basename "$f")
  check "$name: well-formed XML" xmllint --noout "$f"
  check "$name: testsuites/@tests counts the test cases" \
    test "$(xpath "$f" 'count(//testcase)')" = "$(xpath "$f" 'string(/testsuites/@tests)')"
  check "$name: testsuites/@failures counts the failures" \
    test "$(xpath "$f" 'count(//testcase[failure])')" = "$(xpath "$f" 'string(/testsuites/@failures)')"
  check "$name: each suite's tests, failures and skipped agree with its cases" \
    test "$(xpath "$f" 'count(//testsuite[count(testcase) != @tests or count(testcase[failure]) != @failures or count(testcase[skipped]) != @skipped])')" = 0
  check "$name: every case's classname is perfgate.SUITE" \
    test "$(xpath "$f" 'count(//testcase[@classname != concat("perfgate.", ../@name)])')" = 0
  check "$name: every failure has a message and a known type" \
    test "$(xpath "$f" 'count(//failure[not(@message) or not(@type="regression" or @type="gate" or @type="benchmark")])')" = 0
  check "$name: no two cases share classname and name" \
    test "$(xpath "$f" 'count(//testcase[@name = preceding-sibling::testcase/@name])')" = 0
done

F="$GOLDEN/fail_mixed.junit"
check "fail_mixed: a suite per benchmark" test "$(xpath "$F" 'count(//testsuite)')" = 5
check "fail_mixed: the regression fails" \
  test "$(xpath "$F" 'string(//testsuite[@name="decoder"]/testcase[@name="ttft"]/failure/@type)')" = regression
check "fail_mixed: the size gate fails" \
  test "$(xpath "$F" 'count(//testcase[@name="gate stripped_bytes <= 14.3 MiB"]/failure[@type="gate"])')" = 1
check "fail_mixed: the timed-out benchmark fails its run" \
  test "$(xpath "$F" 'string(//testsuite[@name="server"]/testcase[@name="run"]/failure/@type)')" = benchmark
check "fail_mixed: the skipped benchmark is skipped" \
  test "$(xpath "$F" 'count(//testsuite[@name="microvm"]/testcase[@name="run"]/skipped)')" = 1
check "fail_mixed: passes carry their figures" \
  grep -q 'unchanged: base 86.2 %, head 85.8 %' <(xpath "$F" '//testcase[@name="hit_rate"]/system-out/text()')

H="$GOLDEN/hostile.junit"
check "hostile: <script>alert(1)</script>|x&y is a suite name, as is" \
  test "$(xpath "$H" "count(//testsuite[@name='<script>alert(1)</script>|x&y'])")" = 1
check "hostile: a\"b|c\`\$(x)\` is a suite name, as is" \
  test "$(xpath "$H" "count(//testsuite[@name='a\"b|c\`\$(x)\`'])")" = 1
NL=$'\n'
check "hostile: a newline in a name survives in the attribute" \
  test "$(xpath "$H" "count(//testsuite[@name='-- evil${NL}::error::x'])")" = 1
check "hostile: the failure text keeps its lines" \
  test "$(xpath "$H" 'count(//testcase[@name="run"]/failure[contains(text(), "::error::pwned")])')" = 1

finish
