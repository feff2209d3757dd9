#!/usr/bin/env bash
# publish.sh - `perfgate publish`: a strict-parsing, self-contained, escaped, incremental static site,
# gnuplot missing, and the index as headless Chromium renders it (light and dark)
source "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || { echo "python3 is not installed: skipped"; exit 77; }

# slow.txt: the workload's --slowdown, so the history below has a change point.
cat >gates.json <<JSON
{"schema": "perfgate-gates/1", "defaults": {"runs": 6, "warmup": 0},
 "benchmarks": [
   {"name": "workload", "command": ["{bindir}/perfgate-workload", "--work", "4", "--slowdown-file", "$T/slow.txt"]},
   {"name": "<script>alert(1)</script>|x", "command": ["{bindir}/perfgate-workload", "--work", "1", "--slowdown-file", "$T/slow2.txt"]}],
 "gates": [{"metric": "workload.wall", "max": "10s"}, {"metric": "<script>alert(1)</script>|x.wall", "max": "12ms"}]}
JSON
pg() { (cd "$T/repo" && "$PERFGATE" "$@"); }
url=https://example.invalid/o/r

# 20 commits with both benchmarks saved: the workload three times slower from the 11th on (a
# change point: 10 commits a side, so that one noisy commit on a busy runner cannot hide it), release tags on the 6th
# (lightweight) and the 12th (annotated, dated), a tag with a hostile name on the 4th, a
# hostile subject on the 9th. The 8th accepts the workload's step (Perfgate-Accept); the hostile
# benchmark gets three times slower from the 11th on, accepted by nobody.
make_repo repo
echo 0 >slow.txt
echo 0 >slow2.txt
for i in $(seq 1 20); do
  if ((i > 1)); then
    echo "$i" >repo/file.txt
    msg="commit $i"
    ((i == 11)) && msg=$'commit 11: three times the work\n\nPerfgate-Accept: workload.wall +400%'
    ((i == 9)) && msg="commit $i &<>\"' <b>bold</b>"
    git -C repo commit -q -am "$msg"
  fi
  ((i == 11)) && echo 200 >slow.txt
  ((i == 12)) && echo 200 >slow2.txt
  ((i == 6)) && git -C repo tag v0.6
  ((i == 4)) && git -C repo tag 'rel<i>&"x'
  ((i == 12)) && GIT_COMMITTER_DATE="2026-01-02T03:04:05Z" git -C repo tag -a v0.12 -m "release 0.12"
  pg run -c "$T/gates.json" -q --save || fail "run --save on commit $i"
done
step=$(git -C repo rev-parse HEAD~9)

pg publish -o "$T/site" -c "$T/gates.json" --repo-url "$url/" --title 'Perf <&> "site"' >pub1.out 2>pub1.err
check "publish exits 0" test $? -eq 0
sed 's/^/    /' pub1.err | head -n 5 >&2
check "index.html is written" test -f site/index.html
check "data.json is written" test -f site/data.json
check "a page for workload.wall" test -f site/workload.wall.html
check "a page for the hostile benchmark, named safely" test -f "site/_script_alert_1___script__x.wall.html"
check "no temporary file or directory is left" test -z "$(ls -A site | grep -v -E '\.(html|json)$')"
check "data.json is JSON" python3 -m json.tool site/data.json

# ---- strict parsing, links, no other host ----
cat >checker.py <<'PY'
import html.parser, os, re, sys
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
repo_url = sys.argv[1]
site = sys.argv[2]
errors = []

class Checker(html.parser.HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name, self.stack, self.ids, self.refs, self.doctype = name, [], set(), [], False
    def handle_decl(self, decl):
        self.doctype |= decl.lower() == "doctype html"
    def note(self, tag, attrs):
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k in ("href", "src", "xlink:href", "action", "poster", "data") and v is not None:
                self.refs.append((tag, k, v))
            if k == "style" and v and "url(" in v:
                errors.append(f"{self.name}: url() in a style attribute")
    def handle_starttag(self, tag, attrs):
        self.note(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.note(tag, attrs)
    def handle_endtag(self, tag):
        if tag in VOID:
            errors.append(f"{self.name}:{self.getpos()[0]}: end tag of void element </{tag}>")
        elif not self.stack:
            errors.append(f"{self.name}:{self.getpos()[0]}: </{tag}> closes nothing")
        elif self.stack[-1][0] != tag:
            errors.append(f"{self.name}:{self.getpos()[0]}: </{tag}> closes <{self.stack[-1][0]}> "
                          f"opened at line {self.stack[-1][1][0]} (misnested)")
            # recover: pop up to the matching tag, if any
            names = [t for t, _ in self.stack]
            if tag in names:
                while self.stack[-1][0] != tag:
                    self.stack.pop()
                self.stack.pop()
        else:
            self.stack.pop()

pages = sorted(f for f in os.listdir(site) if f.endswith(".html"))
for page in pages:
    text = open(os.path.join(site, page), encoding="utf-8").read()
    c = Checker(page)
    c.feed(text)
    c.close()
    if not c.doctype:
        errors.append(f"{page}: no <!DOCTYPE html>")
    for tag, line in c.stack:
        errors.append(f"{page}:{line[0]}: <{tag}> is never closed")
    for tag, attr, ref in c.refs:
        if tag == "a" and attr == "href" and ref.startswith(repo_url + "/commit/"):
            if not re.fullmatch(re.escape(repo_url) + r"/commit/[0-9a-f]{40}", ref):
                errors.append(f"{page}: malformed commit link {ref}")
            continue
        if "//" in ref or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref):
            errors.append(f"{page}: <{tag} {attr}={ref!r}> refers to another host or scheme")
            continue
        if ref.startswith("#"):
            if ref[1:] not in c.ids:
                errors.append(f"{page}: {ref} names no id of the page")
            continue
        path = ref.split("#")[0]
        if not os.path.isfile(os.path.join(site, path)):
            errors.append(f"{page}: {attr}={ref!r} is no file of the site")
    for m in re.finditer(r"@import|url\(\s*['\"]?(https?:)?//", text):
        errors.append(f"{page}: CSS loads something: {m.group(0)}")
    if "<table" in text and "<th" not in text:
        errors.append(f"{page}: tables without header cells")
    if ("<svg" in text or "<img" in text) and "aria-label=" not in text:
        errors.append(f"{page}: no alternative text for its images")
    if "prefers-color-scheme:dark" not in text.replace(" ", ""):
        errors.append(f"{page}: no dark mode")
for e in errors:
    print(e)
print(f"{len(pages)} pages checked")
sys.exit(1 if errors else 0)
PY
python3 checker.py "$url" site >checker.out 2>&1
check "every page parses strictly, every link resolves, nothing refers to another host" test $? -eq 0
grep -v 'pages checked' checker.out | head -n 10 | sed 's/^/    /' >&2
check "more than the index was checked" grep -qE '^(9|[1-9][0-9]+) pages checked' checker.out
check "commits link to --repo-url" grep -qE "href=\"$url/commit/[0-9a-f]{40}\"" site/workload.wall.html
check "no script or style is loaded from anywhere" bash -c "! grep -hoE '<(script|link|img|iframe)[^>]* (src|href)=' site/*.html | grep -q ."
check "at most one small inline script per page" \
  bash -c 'for f in site/*.html; do [ "$(grep -c "<script>" "$f")" -le 1 ] || exit 1; done'

# ---- hostile names ----
check "the benchmark name never appears raw" bash -c "! grep -l '<script>alert' site/*.html"
check "the benchmark name appears escaped on the index" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;|x' site/index.html
check "the subject appears escaped" grep -qE 'commit 9 &amp;&lt;&gt;&quot;(&#39;|&apos;) &lt;b&gt;bold&lt;/b&gt;' site/workload.wall.html
check "the raw subject never appears" bash -c "! grep -l '<b>bold</b>' site/*.html"
check "the title is escaped" grep -qF '<title>Perf &lt;&amp;&gt; &quot;site&quot;</title>' site/index.html

# ---- content ----
check "the index has a card per benchmark" test "$(grep -c '<article class="card">' site/index.html)" -eq 2
check "the index compares with the release tag" grep -qF 'vs v0.12' site/index.html
check "the index has a sparkline" grep -q '<svg class="spark"' site/index.html
check "the gate is shown" grep -qF '10s' site/index.html
check "the status marks are there" grep -qE '(✅|❌|⚠️)' site/index.html
check "the metric page inlines the gnuplot SVG" grep -q '<!-- plot:[0-9a-f]\{16\} --><svg' site/workload.wall.html
check "the plot has its threshold line" grep -q 'threshold' site/workload.wall.html
check "the plot marks the change point" grep -qF '<text>change point</text>' site/workload.wall.html
check "a target far above the data is named, off the scale" grep -qE '<text>target ≤ 10(\.0)? s, off the scale</text>' site/workload.wall.html
check "a target near the data is a line in the key" \
  grep -qE '<text>target ≤ 12(\.0)? ms</text>' site/_script_alert_1___script__x.wall.html
check "the change points table names the commit of the step" grep -qF "<code>${step:0:7}</code>" <(sed -n '/Change points:/,/<\/table>/p' site/workload.wall.html)
check "and names the acceptance that covers it" grep -qF "<td>${step:0:7} commit 11: three times the work</td></tr>" site/workload.wall.html
check "the step's row is accepted, a change point, and names its acceptance" \
  grep -qE "${step:0:7}.*✅ accepted · change point</td><td class=\"subject\">${step:0:7} commit 11" site/workload.wall.html
check "the hostile benchmark's unaccepted step is a regression in its table" \
  grep -qE '❌ regression( · change point)?</td><td class="subject"></td></tr>' site/_script_alert_1___script__x.wall.html
check "the table lists the 20 commits" test "$(grep -c '<tr><td data-v=' site/workload.wall.html)" -eq 20
python3 - site/data.json "$step" <<'PY' >json.out 2>&1
import json, os, sys
d = json.load(open(sys.argv[1]))
m = {(x["bench"], x["metric"]): x for x in d["metrics"]}
w = m[("workload", "wall")]
assert d["schema"] == "perfgate-site/2" and d["tag"] == "v0.12", d["tag"]
# Rows and change points live in the metric's own data file, named in data.json and linked from its page.
assert "series" not in w and w["data"] == "workload.wall.json", w
data = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), w["data"])))
assert data["schema"] == "perfgate-site-metric/1" and data["bench"] == "workload" and data["page"] == w["page"], data
assert '<!-- page:%s -->' % data["key"] in open(os.path.join(os.path.dirname(sys.argv[1]), w["page"])).read()
w["series"] = data["series"]
assert len(w["series"][0]["rows"]) == 20, len(w["series"][0]["rows"])
# The step is a change point (timing noise on a busy runner may add a small one elsewhere).
ch = [c for c in w["series"][0]["changes"] if c["commit"] == sys.argv[2]]
assert len(ch) == 1, w["series"][0]["changes"]
assert ch[0]["change"] > 0.5 and ch[0]["worse"], ch
assert (ch[0]["accepted_by"] or "").startswith(sys.argv[2][:7] + " commit 11"), ch
row = [r for r in w["series"][0]["rows"] if r["commit"] == sys.argv[2]][0]
assert (row["accepted_by"] or "").startswith(sys.argv[2][:7]), row
rel = {r["tag"]: r for r in d["releases"]}
assert sorted(rel) == sorted(["v0.6", 'rel<i>&"x', "v0.12"]), sorted(rel)
assert rel['rel<i>&"x']["compared_with"] is None and rel['rel<i>&"x']["status"] == "pass", rel['rel<i>&"x']
assert rel["v0.6"]["compared_with"] == 'rel<i>&"x', rel["v0.6"]
assert rel["v0.12"]["compared_with"] == "v0.6" and rel["v0.12"]["status"] == "fail", rel["v0.12"]
assert rel["v0.12"]["date"] == "2026-01-02", rel["v0.12"]
assert ("<script>alert(1)</script>|x", "wall") in m
assert w["latest"] > 0 and w["on_index"]
PY
check "data.json and the metrics' data files hold what the pages show" test $? -eq 0
sed 's/^/    /' json.out | tail -n 3 >&2

# ---- release pages ----
check "a page per release tag" test -f site/release-v0.6.html -a -f site/release-v0.12.html
hostile_rel=$(ls site | grep '^release-rel' || true)
check "the hostile tag's page has a safe name ($hostile_rel)" grep -qE '^release-rel[A-Za-z0-9_.-]*\.html$' <<<"$hostile_rel"
check "the index lists the releases, linked" grep -qF '<a href="release-v0.12.html">v0.12</a>' site/index.html
check "the hostile tag appears escaped" grep -qF 'rel&lt;i&gt;&amp;&quot;x' site/index.html
check "the hostile tag never appears raw" bash -c "! grep -lF 'rel<i>' site/*.html"
check "the release page holds the sign-off document" grep -q '<h2>Performance Sign-Off' site/release-v0.12.html
check "dated when the tag was made" grep -qF '<strong>Date</strong>: 2026-01-02' site/release-v0.12.html
check "its key metrics are a table" grep -q '<table>' site/release-v0.12.html
check "v0.12, a benchmark three times slower than the tag before, is not approved" grep -qF 'Status: NOT APPROVED' site/release-v0.12.html
# Wall time or CPU time: on a busy machine the probe may hold wall time's (inconclusive) while
# CPU time still decides.
check "it names the regression" grep -qE '&lt;script&gt;alert\(1\)&lt;/script&gt;\|x\.(wall|cpu): .*\+[0-9.]+ %.*: regression' site/release-v0.12.html
check "and the accepted step, with who accepted it" grep -qE "workload\.wall: .* — accepted by ${step:0:7} commit 11" site/release-v0.12.html
check "it links the release it was compared with" grep -qF 'compared with <a href="release-v0.6.html">' site/release-v0.12.html
check "v0.6 is signed off against the tag before" grep -qF "compared with <a href=\"$hostile_rel\">" site/release-v0.6.html
check "the first release, with no earlier one, is approved on its gates" grep -qF 'Status: APPROVED FOR RELEASE' "site/$hostile_rel"

# ---- incremental ----
snap() { (cd "$T/$1" && for f in *; do stat -c '%n %i %.9Y' "$f"; done) | sort; }
snap site >snap1
pg publish -o "$T/site" -c "$T/gates.json" --repo-url "$url/" --title 'Perf <&> "site"' >pub2.out 2>pub2.err
check "second publish exits 0" test $? -eq 0
snap site >snap2
check "a second publish with no new commit rewrites no file" cmp -s snap1 snap2
check "it says nothing was written" grep -q ' 0 written' pub2.out

echo 21 >repo/file.txt
git -C repo commit -q -am "commit 21"
pg run -c "$T/gates.json" -b workload -q --save || fail "run --save on commit 21"
pg publish -o "$T/site" -c "$T/gates.json" --repo-url "$url/" --title 'Perf <&> "site"' >pub3.out 2>pub3.err
check "publish after one more commit exits 0" test $? -eq 0
snap site >snap3
changed=$(join -v1 snap3 snap2 | awk '{print $1}'; join snap3 snap2 | awk '$2 != $4 || $3 != $5 {print $1}')
changed=$(echo "$changed" | sort -u | grep . | tr '\n' ' ')
check "index.html is rewritten" grep -q 'index.html' <<<"$changed"
check "data.json is rewritten" grep -q 'data.json' <<<"$changed"
check "the measured metric's page is rewritten" grep -q 'workload.wall.html' <<<"$changed"
check "and its data file" grep -q 'workload.wall.json' <<<"$changed"
check "nothing else is rewritten (changed: $changed)" \
  bash -c "! tr ' ' '\n' <<<'$changed' | grep . | grep -v -E '^(index\.html|data\.json|workload\.[a-z_]+\.(html|json))$'"
check "the pages of the benchmark not measured are untouched" \
  bash -c "! grep -q '_script_' <<<'$changed'"
# Another title: every page is rendered again, each with the plot its page had, none drawn again.
plot_of() { sed -n '/<!-- plot:/,/<!-- \/plot -->/p' "$1"; }
plot_of site/workload.wall.html >plot-before.svg
pg publish -o "$T/site" -c "$T/gates.json" --repo-url "$url/" --title 'Another title' >pub4.out 2>pub4.err
check "a new title rewrites the pages (0 unchanged) and draws no plot" grep -qE ' 0 unchanged; 0 plots drawn' pub4.out
check "the page has the new title" grep -qF 'Another title</title>' site/workload.wall.html
plot_of site/workload.wall.html >plot-after.svg
check "and the plot its page had, byte for byte" \
  bash -c "test -s plot-before.svg && grep -q '</svg>' plot-before.svg && cmp -s plot-before.svg plot-after.svg"

# ---- gnuplot missing ----
mkdir -p nobin
(cd repo && PATH="$T/nobin" "$PERFGATE" publish -o "$T/nogp" -c "$T/gates.json") >nogp.out 2>nogp.err
check "publish without gnuplot exits 0" test $? -eq 0
check "it warns that gnuplot is missing" grep -q 'gnuplot' nogp.err
check "each page says why it has no plot" \
  bash -c 'for f in nogp/*.*.html; do [[ $f == nogp/release-* ]] || grep -q "No plot: gnuplot not found" "$f" || exit 1; done'
python3 checker.py "$url" nogp >checker2.out 2>&1
check "pages without plots parse strictly too" test $? -eq 0

# ---- a long history: the page lists the newest 100 rows and the older ones where something happened ----
git init -q -b main long
# 150 commits of one benchmark, 10 ms each, except commit 20, twice as slow: a regression there,
# far older than the newest 100 (and an improvement at commit 21, which the page leaves to the data file).
awk 'BEGIN {
  for (i = 1; i <= 150; i++) {
    printf "commit refs/heads/main\nmark :%d\ncommitter T <t@perfgate.invalid> %d +0000\ndata 11\ncommit %03d\n\n", i, 1600000000 + i * 60, i
  }
  printf "commit refs/notes/perfgate\ncommitter perfgate <perfgate@localhost> 1700000000 +0000\ndata 5\nnotes\n"
  for (i = 1; i <= 150; i++) {
    v = (i == 20 ? 20 : 10) + (i % 3) * 0.01
    s = ""
    for (k = 0; k < 10; k++) s = s sprintf("%s%d", k ? "," : "", v * 1000000 + k * 1000)
    note = sprintf("{\"schema\":\"perfgate/1\",\"run_id\":\"run-%d\",\"env\":{\"key\":\"k\"},\"created\":\"2026-01-01T00:00:00.000Z\",\"benchmarks\":[{\"name\":\"b\",\"kind\":\"command\",\"status\":\"ok\",\"metrics\":[{\"name\":\"wall\",\"unit\":\"ms\",\"ticks\":[%s],\"per_unit\":1000000}]}]}", i, s)
    printf "N inline :%d\ndata %d\n%s\n", i, length(note) + 1, note
  }
}' | git -C long fast-import --quiet && git -C long reset -q --hard main
(cd long && "$PERFGATE" publish -o "$T/longsite" -n 200) >long.out 2>long.err
check "publish of 150 commits exits 0" test $? -eq 0
check "the data file has every row" test "$(jq '.series[0].rows | length' longsite/b.wall.json)" -eq 150
rows=$(grep -c '<tr><td data-v=' longsite/b.wall.html)
check "the page lists the newest 100 and the regression before them ($rows rows)" test "$rows" -eq 101
check "its caption says so and links the data file" \
  grep -qF '101 of 150 commits with results: the newest 100 and every older regression, acceptance and change point (all of them: <a href="b.wall.json">' longsite/b.wall.html
check "the regression at commit 20 is listed" grep -qE '>commit 020</td>.*❌ regression' longsite/b.wall.html
check "the page links its data file in the footer" grep -qF 'Data: <a href="b.wall.json">b.wall.json</a>' longsite/b.wall.html

# ---- bad command lines ----
run_pg no_dir 2 publish
pg publish -o "$T/x" --env no-such-key >nokey.out 2>nokey.err
check "an env key with no results exits 3" test $? -eq 3
check "it says nothing is stored" grep -q 'no results stored' nokey.err

# ---- headless Chromium ----
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$chromium" ]]; then
  echo "chromium is not installed (apt-get install -y chromium): browser checks skipped"
else
  browse() {
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
      --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" "$@" 2>/dev/null
  }
  browse --dump-dom "file://$T/site/index.html" >dom.html
  check "Chromium renders the index with both cards" test "$(grep -c '<article class="card">' dom.html)" -eq 2
  check "the rendered index has the workload card" grep -q '<h2>workload</h2>' dom.html
  check "the rendered index has the hostile card as text" grep -qF '<h2>&lt;script&gt;alert(1)&lt;/script&gt;|x</h2>' dom.html
  browse --dump-dom "file://$T/site/workload.wall.html" >dom2.html
  check "the sort script turned headings into buttons" grep -q '<th scope="col"><button>commit</button></th>' dom2.html
  browse --dump-dom "file://$T/site/release-v0.12.html" >dom3.html
  check "Chromium renders the release page's sign-off" grep -q '<article class="signoff">' dom3.html
  browse --screenshot="$T/release.png" --window-size=1200,900 "file://$T/site/release-v0.12.html" >/dev/null
  browse --screenshot="$T/metric.png" --window-size=1200,1400 "file://$T/site/workload.wall.html" >/dev/null
  for mode in light dark; do
    flags=(--blink-settings=preferredColorScheme=1)
    [[ $mode == dark ]] && flags=(--force-dark-mode --blink-settings=preferredColorScheme=0)
    browse "${flags[@]}" --screenshot="$T/index-$mode.png" --window-size=1200,900 "file://$T/site/index.html" >/dev/null
    check "the $mode screenshot is a PNG" \
      test "$(head -c 8 "$T/index-$mode.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
  done
  check "dark mode renders differently from light" bash -c "! cmp -s '$T/index-light.png' '$T/index-dark.png'"
fi

finish
