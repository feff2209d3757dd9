#!/usr/bin/env bash
# publish_env_keys.sh - `perfgate publish` of results saved under two env keys (two runners of a CI
# matrix): a line per key on each metric's plot, a table per key, and the index's status per platform
source "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || { echo "python3 is not installed: skipped"; exit 77; }

# save KEY SCALE: the runs of w at SCALE ms, saved on HEAD under env key KEY.
tight=(0.989 0.992 0.994 0.996 0.998 1 1.002 1.004 1.006 1.008 1.01 1.012)
save() {
  hyperfine_json "$T/$1.json" "$2" "${tight[@]}"
  (cd repo && "$PERFGATE" import --from hyperfine "$T/$1.json" --save -q --env "$1" 2>/dev/null) ||
    fail "import --save --env $1 on $(git -C repo log -1 --format=%s)"
}

# 8 commits. linux-x86_64 runs at 10 ms on commits 1-7 and has no result on the 8th (its runner has
# not reported yet); linux-aarch64 runs at 20 ms on commits 1-7 and at 26 ms (+30 %, every run
# above) on the 8th: a regression a check there fails on.
make_repo repo
for i in $(seq 1 8); do
  if ((i > 1)); then
    echo "$i" >>repo/file.txt
    git -C repo commit -q -am "commit $i"
  fi
  ((i < 8)) && save linux-x86_64 10
  if ((i < 8)); then save linux-aarch64 20; else save linux-aarch64 26; fi
done
head=$(git -C repo rev-parse HEAD)
prev=$(git -C repo rev-parse HEAD~1)

(cd repo && "$PERFGATE" publish -o "$T/site") >pub.out 2>pub.err
check "publish exits 0" test $? -eq 0
sed 's/^/    /' pub.err | head -n 5 >&2
check "a page for w.wall" test -f site/w.wall.html

# ---- data.json: both keys, each platform's newest commit and status ----
python3 - site "$head" "$prev" <<'PY' >json.out 2>&1
import json, os, sys
site, head, prev = sys.argv[1:]
d = json.load(open(os.path.join(site, "data.json")))
assert sorted(d["env_keys"]) == ["linux-aarch64", "linux-x86_64"], d["env_keys"]
p = {x["env_key"]: x for x in d["platforms"]}
assert p["linux-aarch64"]["latest_commit"] == head and p["linux-aarch64"]["status"] == "fail", p
assert p["linux-aarch64"]["failing"] == 1, p
assert p["linux-x86_64"]["latest_commit"] == prev and p["linux-x86_64"]["status"] == "pass", p
assert p["linux-x86_64"]["failing"] == 0 and p["linux-x86_64"]["compared"] >= 1, p
w = [m for m in d["metrics"] if m["bench"] == "w" and m["metric"] == "wall"][0]
envs = {e["env_key"]: e for e in w["envs"]}
assert envs["linux-aarch64"]["status"] == "fail" and envs["linux-aarch64"]["status_text"].startswith("regression +30"), envs
assert envs["linux-x86_64"]["status"] == "pass" and envs["linux-x86_64"]["latest_commit"] == prev, envs
assert abs(envs["linux-x86_64"]["latest"] - 10) < 0.1 and abs(envs["linux-aarch64"]["latest"] - 26) < 0.3, envs
# Each key's rows in the metric's data file.
data = json.load(open(os.path.join(site, w["data"])))
rows = {s["env_key"]: s["rows"] for s in data["series"]}
assert len(rows["linux-x86_64"]) == 7 and len(rows["linux-aarch64"]) == 8, {k: len(v) for k, v in rows.items()}
assert rows["linux-aarch64"][-1]["mark"] == "regression" and rows["linux-x86_64"][-1]["mark"] == "unchanged", rows
PY
check "data.json: both keys, each platform's newest commit and status, each key's rows" test $? -eq 0
sed 's/^/    /' json.out | tail -n 3 >&2

# ---- the index: a row per platform, linked to its part, and each part's cards ----
platform_row() { grep -E "^<tr><th scope=\"row\"><a href=\"#env-$1\">$1</a></th>" site/index.html; }
check "the index lists the platforms" grep -qF '<h2>Platforms</h2>' site/index.html
check "linux-aarch64: its newest commit, failing, naming the regression" \
  grep -qE "<code>${head:0:7}</code>.*❌</span> fail</td><td><a href=\"w.wall.html\">w.wall</a> regression \+30" <(platform_row linux-aarch64)
check "linux-x86_64: its newest commit (one before HEAD), passing" \
  grep -qE "<code>${prev:0:7}</code>.*✅</span> pass</td>" <(platform_row linux-x86_64)
check "each platform has its part of the index" \
  bash -c "grep -qF '<section class=\"platform\" id=\"env-linux-aarch64\"' site/index.html && grep -qF '<section class=\"platform\" id=\"env-linux-x86_64\"' site/index.html"
check "each part has its card" test "$(grep -c '<article class="card">' site/index.html)" -eq 2
check "each card shows its key's latest value" \
  bash -c "sed -n '/id=\"env-linux-x86_64\"/,/<\/section>/p' site/index.html | grep -qE '>10(\.0)? ms</td>' &&
           sed -n '/id=\"env-linux-aarch64\"/,/<\/section>/p' site/index.html | grep -qE '>26(\.0)? ms</td>'"

# ---- the metric page: every key's line on one plot, then each key's table ----
cat >page.py <<'PY'
import html.parser, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
errors = []
# Every fragment link names an id of the page, and the page nests strictly.
class Page(html.parser.HTMLParser):
    VOID = {"br", "hr", "img", "input", "link", "meta", "wbr"}
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.refs, self.stack = set(), [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.refs.append(a["href"][1:])
        if tag not in self.VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            errors.append(f"</{tag}> misnested")
p = Page()
p.feed(text)
errors += [f"#{r} names no id" for r in p.refs if r not in p.ids]
if p.stack:
    errors.append(f"never closed: {p.stack}")
if sys.argv[2] == "page":
    together = text[text.index('<section class="together"'):text.index('<div class="keys">')]
    svg = re.search(r"<!-- plot:[0-9a-f]{16} -->(<svg.*?)<!-- /plot -->", together, re.S)
    if not svg:
        errors.append("no plot of every key")
    else:
        # gnuplot's SVG: one group per line of the plot, its title text in the key, its points as <use>.
        lines = {}
        for group in re.split(r'<g id="gnuplot_plot_\d+"', svg.group(1))[1:]:
            title = re.search(r"<text>([^<]*)</text>", group)
            colour = re.search(r"<path stroke='(rgb\([^)]*\))'", group)
            lines[title.group(1) if title else ""] = (group.count("<use xlink:href='#gpPt"), colour and colour.group(1))
        # Each key's commits, and the point of its key's legend line.
        if lines.get("linux-x86_64", (0,))[0] != 7 + 1 or lines.get("linux-aarch64", (0,))[0] != 8 + 1:
            errors.append(f"a line per key with its commits: {lines}")
        elif lines["linux-x86_64"][1] == lines["linux-aarch64"][1]:
            errors.append(f"the keys' lines have the same colour: {lines}")
        if not any(t.startswith("regression") for t in lines):
            errors.append(f"the regression is not marked: {list(lines)}")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
python3 page.py site/w.wall.html page >page.out 2>&1
check "the metric page's plot has a line per env key, each with its commits, and the regression marked" test $? -eq 0
sed 's/^/    /' page.out | head -n 5 >&2
python3 page.py site/index.html index >index.out 2>&1
check "the index nests strictly and its platform links resolve" test $? -eq 0
sed 's/^/    /' index.out | head -n 5 >&2
check "the page has a section per key, with its anchor" \
  bash -c "grep -qF '<section class=\"key\" id=\"env-linux-aarch64\">' site/w.wall.html && grep -qF '<section class=\"key\" id=\"env-linux-x86_64\">' site/w.wall.html"
check "each key's section has its own plot" test "$(grep -c '<!-- plot:' site/w.wall.html)" -eq 3
key_rows() { sed -n "/<section class=\"key\" id=\"env-$1\">/,/<\/section>/p" site/w.wall.html | grep -c '<tr><td data-v='; }
check "each key's table lists its commits (x86_64 7, aarch64 8)" \
  test "$(key_rows linux-x86_64) $(key_rows linux-aarch64)" = "7 8"
check "the page's table of every key: aarch64's regression" \
  grep -qE '<a href="#env-linux-aarch64">linux-aarch64</a></th><td><code>[0-9a-f]{7}</code></td><td class="num">26(\.0)? ms</td><td class="status fail">.*regression \+30' site/w.wall.html

# ---- a second publish with nothing new writes nothing ----
(cd repo && "$PERFGATE" publish -o "$T/site") >pub2.out 2>pub2.err
check "a second publish rewrites no file" grep -q ' 0 written' pub2.out
check "and draws no plot" grep -q '; 0 plots drawn' pub2.out
# Another title: each page rendered again with its three plots (the later two beyond the page's start).
plots_before=$(sed -n '/<!-- plot:/,/<!-- \/plot -->/p' site/w.wall.html | md5sum)
(cd repo && "$PERFGATE" publish -o "$T/site" --title 'Another title') >pub3.out 2>pub3.err
check "a new title rewrites the pages and draws no plot" grep -qE ' 0 unchanged; 0 plots drawn' pub3.out
check "the page has the new title" grep -qF 'Another title</title>' site/w.wall.html
plots_after=$(sed -n '/<!-- plot:/,/<!-- \/plot -->/p' site/w.wall.html | md5sum)
check "each key's plot and the plot of every key are on it as before" test "$plots_after" = "$plots_before"
check "all three of them" \
  bash -c "test \$(grep -o '</svg>' site/w.wall.html | wc -l) -ge 3 && ! grep -q 'No plot' site/w.wall.html"

# ---- one env key: the site as it always was ----
(cd repo && "$PERFGATE" publish -o "$T/one" --env linux-x86_64) >one.out 2>one.err
check "publish --env linux-x86_64 exits 0" test $? -eq 0
check "one key: no platforms table" bash -c "! grep -q 'Platforms\|class=\"platform\"' one/index.html"
check "one key: the cards as before" grep -qF '<section class="cards" aria-label="benchmarks">' one/index.html
check "one key: no plot of every key" bash -c "! grep -q 'class=\"together\"' one/w.wall.html"
check "one key: one plot" test "$(grep -c '<!-- plot:' one/w.wall.html)" -eq 1

# ---- without gnuplot the plot of every key says why it is missing ----
mkdir -p nobin
(cd repo && PATH="$T/nobin" "$PERFGATE" publish -o "$T/nogp") >nogp.out 2>nogp.err
check "publish without gnuplot exits 0" test $? -eq 0
check "the plot of every key says why there is none" \
  bash -c "grep -A1 -F '<h2>Every env key</h2>' nogp/w.wall.html | grep -qF '<p class=\"noplot\">No plot: gnuplot not found'"

finish
