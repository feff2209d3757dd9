/* html.c - the dashboard's pages: index cards (per env key), metric pages, and the inline SVG sparkline */
#include "perfgate/publish.h"

#include "perfgate/quantity.h"
#include "report/escape.h"

#include <math.h>
#include <string.h>

/* One stylesheet, inline in every page: no request leaves the site, dark mode from the system. */
static const char css[] =
	":root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--card:#f6f8fa;"
	"--line:#d1d9e0;--link:#0550ae;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700;--row:#eef1f4}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;"
	"--card:#151b23;--line:#3d444d;--link:#4493f8;--bad:#ff7b72;--good:#3fb950;--warn:#d29922;"
	"--row:#1c232c}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0 auto;max-width:1280px;padding:1rem 1.5rem 3rem;background:var(--bg);"
	"color:var(--fg);font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
	"a{color:var(--link)}\n"
	"h1{font-size:1.6rem;margin:.4rem 0}h2,h3{font-size:1.15rem;margin:0 0 .5rem;overflow-wrap:anywhere}\n"
	".meta{color:var(--muted);margin:.2rem 0 1rem}\n"
	"code{font:13px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,36rem),1fr));gap:1rem}\n"
	".card,.key{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;"
	"min-width:0}\n"
	".keys{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,34rem),1fr));gap:1rem}\n"
	"table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}\n"
	"th,td{padding:.3rem .45rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}\n"
	"thead th{color:var(--muted);font-weight:600;font-size:.85rem;white-space:nowrap}\n"
	"tbody tr:hover{background:var(--row)}\n"
	"td.num,td.verdict{text-align:right;white-space:nowrap}td.verdict{text-align:left}\n"
	"caption{text-align:left;color:var(--muted);padding:.4rem 0}\n"
	".table-wrap{overflow-x:auto}\n"
	".status{white-space:nowrap}.fail{color:var(--bad)}.pass{color:var(--good)}.warn{color:var(--warn)}\n"
	".spark{color:var(--link);vertical-align:middle}.spark .last{fill:var(--bad)}\n"
	".plot{background:#fff;border-radius:6px;padding:.3rem;margin:0 0 .8rem}\n"
	".plot svg{display:block;width:100%;height:auto}\n"
	".noplot{border:1px dashed var(--line);border-radius:6px;padding:1rem;color:var(--muted)}\n"
	".subject{max-width:24rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
	".also{color:var(--muted);font-size:.9rem;margin:.6rem 0 0}\n"
	".warnings{border-left:4px solid var(--warn);padding:.3rem .8rem;margin:0 0 1rem}\n"
	"th button{all:unset;cursor:pointer;font:inherit;color:inherit}\n"
	"th button:focus-visible{outline:2px solid var(--link)}\n"
	"th.num{text-align:right}\n"
	"footer{color:var(--muted);margin-top:2rem;font-size:.85rem}\n"
	".releases{margin:1.5rem 0 0}\n"
	".signoff{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.2rem 1.2rem 1rem;"
	"max-width:60rem}\n"
	".signoff table{width:auto;margin:0 0 1rem}\n"
	".platforms,.platform,.together{margin:0 0 1.5rem}\n"
	".platform>h2{font-size:1.3rem;margin:1.2rem 0 .6rem}\n";

/* Click a column heading to sort; the tables read the same without it. */
static const char sort_script[] =
	"<script>\n"
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	" t.querySelectorAll('thead th').forEach(function(th,i){\n"
	"  var b=document.createElement('button');b.textContent=th.textContent;th.textContent='';\n"
	"  th.appendChild(b);\n"
	"  b.addEventListener('click',function(){\n"
	"   var up=th.getAttribute('aria-sort')!=='ascending',body=t.tBodies[0];\n"
	"   t.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('aria-sort');});\n"
	"   th.setAttribute('aria-sort',up?'ascending':'descending');\n"
	"   var key=function(r){var c=r.cells[i],v=c.getAttribute('data-v');\n"
	"    return v!==null?parseFloat(v):c.textContent;};\n"
	"   Array.prototype.slice.call(body.rows).sort(function(a,c){var x=key(a),y=key(c);\n"
	"    var d=typeof x==='number'&&typeof y==='number'?x-y:String(x).localeCompare(String(y));\n"
	"    return up?d:-d;}).forEach(function(r){body.appendChild(r);});\n"
	"  });\n"
	" });\n"
	"});\n"
	"</script>\n";

static void esc(FILE *out, const char *s)
{
	pg_escape_xml(out, s ? s : "", 0);
}

static void attr(FILE *out, const char *s)
{
	pg_escape_xml(out, s ? s : "", 1);
}

const char *pg_publish_status_mark(pg_publish_status s)
{
	switch (s) {
	case PG_PUBLISH_PASS:
		return "\xe2\x9c\x85"; /* ✅ */
	case PG_PUBLISH_FAIL:
		return "\xe2\x9d\x8c"; /* ❌ */
	case PG_PUBLISH_WARN:
		return "\xe2\x9a\xa0\xef\xb8\x8f"; /* ⚠️ */
	default:
		return "\xe2\x80\x94"; /* — */
	}
}

const char *pg_publish_status_word(pg_publish_status s)
{
	static const char *const words[] = {"no comparison", "pass", "fail", "inconclusive"};
	return words[s];
}

static const char *status_class(pg_publish_status s)
{
	static const char *const classes[] = {"none", "pass", "fail", "warn"};
	return classes[s];
}

static void page_head(FILE *out, const char *title, const char *heading_of)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"color-scheme\" content=\"light dark\">\n<title>",
	      out);
	if (heading_of) {
		esc(out, heading_of);
		fputs(" \xe2\x80\x94 ", out);
	}
	esc(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

static void commit_link(FILE *out, const pg_publish_model *site, const char *commit)
{
	if (site->repo_url) {
		fputs("<a href=\"", out);
		attr(out, site->repo_url);
		fputs("/commit/", out);
		attr(out, commit);
		fprintf(out, "\"><code>%.7s</code></a>", commit);
	} else {
		fprintf(out, "<code>%.7s</code>", commit);
	}
}

/*
 * A change as a table cell, numeric sort key included; "—" when unknown.
 * Coloured only by a decision (colour: " fail", " pass", " warn", or ""): a
 * ratio alone is no verdict.
 */
static void change_cell(FILE *out, double change, int better_higher, const char *colour)
{
	char text[32];
	if (!isfinite(change)) {
		fputs("<td class=\"num\" data-v=\"0\">\xe2\x80\x94</td>", out);
		return;
	}
	/* The sign as the value moved; the colour says whether that is worse. */
	double moved = better_higher ? -change : change;
	pg_format_change(text, sizeof(text), moved);
	fprintf(out, "<td class=\"num%s\" data-v=\"%.6g\">%s</td>", colour, moved, text);
}

/* The colour of a commit's mark. */
static const char *mark_css(pg_mark mark)
{
	return mark == PG_MARK_REGRESSION ? " fail"
	       : mark == PG_MARK_IMPROVEMENT || mark == PG_MARK_ACCEPTED ? " pass"
	       : mark == PG_MARK_INCONCLUSIVE || mark == PG_MARK_WORSE	 ? " warn"
									 : "";
}

void pg_publish_sparkline(FILE *out, const double *values, size_t n, int width, int height,
			  const char *alt)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t finite = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(values[i])) {
			lo = values[i] < lo ? values[i] : lo;
			hi = values[i] > hi ? values[i] : hi;
			finite++;
		}
	if (finite == 0)
		return;
	double pad = 3, span = hi > lo ? hi - lo : 1;
	double step = n > 1 ? (width - 2 * pad) / (double)(n - 1) : 0;
	fprintf(out, "<svg class=\"spark\" width=\"%d\" height=\"%d\" "
		     "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		width, height, width, height);
	attr(out, alt);
	fputs("\"><title>", out);
	esc(out, alt);
	fputs("</title><polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" "
	      "stroke-linejoin=\"round\" points=\"",
	      out);
	double lx = 0, ly = 0;
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(values[i]))
			continue;
		double x = n > 1 ? pad + step * (double)i : width / 2.0;
		/* A flat line sits in the middle rather than on the floor. */
		double y = hi > lo ? height - pad - (values[i] - lo) / span * (height - 2 * pad) : height / 2.0;
		fprintf(out, "%s%.1f,%.1f", first ? "" : " ", x, y);
		first = 0;
		lx = x;
		ly = y;
	}
	fprintf(out, "\"/><circle class=\"last\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"/></svg>", lx, ly);
}

static void value_text(char *buf, size_t size, double v, const char *unit)
{
	if (isfinite(v))
		pg_format_value(buf, size, v, unit);
	else
		snprintf(buf, size, "\xe2\x80\x94");
}

/* The release page of tag, or NULL. */
static const pg_publish_release *release_of(const pg_publish_model *site, const char *tag)
{
	for (size_t i = 0; tag && i < site->n_releases; i++)
		if (strcmp(site->releases[i].tag, tag) == 0)
			return &site->releases[i];
	return NULL;
}

/* tag as text, linked to its release page when it has one. */
static void tag_link(FILE *out, const pg_publish_model *site, const char *tag)
{
	const pg_publish_release *r = release_of(site, tag);
	if (r)
		fprintf(out, "<a href=\"%s\">", r->page);
	esc(out, tag);
	if (r)
		fputs("</a>", out);
}

static void header(FILE *out, const pg_publish_model *site)
{
	fputs("<header>\n<h1>", out);
	esc(out, site->title);
	fputs("</h1>\n<p class=\"meta\">Newest commit ", out);
	commit_link(out, site, site->head);
	fputs(" \xc2\xb7 env ", out);
	for (size_t i = 0; i < site->n_env_keys; i++) {
		fputs(i ? ", <code>" : "<code>", out);
		esc(out, site->env_keys[i]);
		fputs("</code>", out);
	}
	fprintf(out, " \xc2\xb7 last %d commits along first parents", site->n);
	if (site->tag) {
		fputs(" \xc2\xb7 previous release ", out);
		tag_link(out, site, site->tag);
	}
	fputs("</p>\n</header>\n", out);
	if (site->n_warnings) {
		fputs("<div class=\"warnings\" role=\"note\"><p>Warnings:</p><ul>\n", out);
		for (size_t i = 0; i < site->n_warnings; i++) {
			fputs("<li>", out);
			esc(out, site->warnings[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul></div>\n", out);
	}
}

/* After an open commit cell: the commit's link, then a cell with its subject (cut by CSS, whole on hover). */
static void commit_cells(FILE *out, const pg_publish_model *site, const char *commit, const char *subject)
{
	commit_link(out, site, commit);
	fputs("</td><td class=\"subject\" title=\"", out);
	attr(out, subject);
	fputs("\">", out);
	esc(out, subject);
	fputs("</td>", out);
}

/* A status cell: its mark, then text (NULL: the status's word). */
static void status_cell(FILE *out, pg_publish_status status, const char *text)
{
	fprintf(out, "<td class=\"status %s\"><span aria-hidden=\"true\">%s</span> ", status_class(status),
		pg_publish_status_mark(status));
	esc(out, text ? text : pg_publish_status_word(status));
	fputs("</td>", out);
}

/* The line of metric m on its benchmark's card in env key k. */
static void index_row(FILE *out, const pg_publish_model *site, const pg_publish_metric *m, size_t k)
{
	const pg_publish_card *card = &m->series[k].card;
	char latest[64], alt[512];
	value_text(latest, sizeof(latest), card->latest, m->unit);
	fprintf(out, "<tr><th scope=\"row\"><a href=\"%s\">", m->page);
	esc(out, m->metric);
	fprintf(out, "</a></th><td class=\"num\" data-v=\"%.10g\">%s</td><td>",
		isfinite(card->latest) ? card->latest : 0, latest);
	esc(out, m->gate_text);
	fputs("</td>", out);
	status_cell(out, card->status, card->status_text);
	if (site->tag)
		change_cell(out, card->vs_tag, m->better_higher, "");
	change_cell(out, card->vs_back, m->better_higher, "");
	fputs("<td>", out);
	if (site->n_env_keys > 1)
		snprintf(alt, sizeof(alt), "trend of %s.%s in env %s over the last %zu results, newest %s", m->bench,
			 m->metric, site->env_keys[k], card->n_trend, latest);
	else
		snprintf(alt, sizeof(alt), "trend of %s.%s over the last %zu results, newest %s", m->bench, m->metric,
			 card->n_trend, latest);
	pg_publish_sparkline(out, card->trend, card->n_trend, 120, 28, alt);
	fputs("</td></tr>\n", out);
}

/* The release tags with their sign-off status, newest first. */
static void releases_table(FILE *out, const pg_publish_model *site)
{
	if (site->n_releases == 0)
		return;
	fputs("<section class=\"releases\" aria-label=\"releases\">\n<h2>Releases</h2>\n"
	      "<div class=\"table-wrap\"><table>\n<caption>Each release tag signed off against the one before "
	      "it</caption>\n<thead><tr><th scope=\"col\">release</th><th scope=\"col\">commit</th>"
	      "<th scope=\"col\">date</th><th scope=\"col\">compared with</th><th scope=\"col\">sign-off</th>"
	      "</tr></thead>\n<tbody>\n",
	      out);
	for (size_t i = site->n_releases; i-- > 0;) {
		const pg_publish_release *r = &site->releases[i];
		fprintf(out, "<tr><th scope=\"row\"><a href=\"%s\">", r->page);
		esc(out, r->tag);
		fputs("</a></th><td>", out);
		commit_link(out, site, r->commit);
		fprintf(out, "</td><td>%s</td><td>", r->date);
		if (r->prev_tag)
			tag_link(out, site, r->prev_tag);
		else
			fputs("\xe2\x80\x94", out);
		fprintf(out, "</td><td class=\"status %s\"><span aria-hidden=\"true\">%s</span> %s</td></tr>\n",
			status_class(r->status), pg_publish_status_mark(r->status),
			r->status == PG_PUBLISH_PASS ? "approved" : r->status == PG_PUBLISH_FAIL ? "not approved"
												 : "inconclusive");
	}
	fputs("</tbody>\n</table></div>\n</section>\n", out);
}

void pg_publish_page_release(FILE *out, const pg_publish_model *site, const pg_publish_release *r)
{
	char heading[600];
	snprintf(heading, sizeof(heading), "release %s", r->tag);
	page_head(out, site->title, heading);
	fputs("<nav><a href=\"index.html\">\xe2\x86\x90 ", out);
	esc(out, site->title);
	fputs("</a></nav>\n<main>\n<h1>Release ", out);
	esc(out, r->tag);
	fputs("</h1>\n<p class=\"meta\">Commit ", out);
	commit_link(out, site, r->commit);
	fprintf(out, " \xc2\xb7 tagged %s \xc2\xb7 ", r->date);
	if (r->prev_tag) {
		fputs("compared with ", out);
		tag_link(out, site, r->prev_tag);
	} else {
		fputs("the first release with results here: only the absolute gates apply", out);
	}
	fprintf(out, " \xc2\xb7 <span class=\"status %s\">%s %s</span></p>\n<article class=\"signoff\">\n",
		status_class(r->status), pg_publish_status_mark(r->status), pg_publish_status_word(r->status));
	/* Rendered by cmark-gfm in safe mode from the markdown `check --format signoff` writes; the
	 * marker lets the next publish reuse it when its inputs did not change. */
	fprintf(out, "<!-- signoff:%s:%d -->%s<!-- /signoff -->\n", r->key, (int)r->status,
		r->signoff ? r->signoff : "");
	fputs("</article>\n</main>\n<footer>Made by perfgate from the results stored on the tagged commit. "
	      "Data: <a href=\"data.json\">data.json</a>.</footer>\n</body>\n</html>\n",
	      out);
}

/* 1 when metric m is on env key k's cards: every metric with one key, else those measured in k. */
static int on_cards(const pg_publish_model *site, const pg_publish_metric *m, size_t k)
{
	return site->n_env_keys == 1 || m->series[k].n_rows > 0;
}

/*
 * One card per benchmark of env key k, its benchmarks' names as headings
 * of level h (2 on an index of one key, 3 under each key's heading).
 */
static void cards(FILE *out, const pg_publish_model *site, size_t k, int h)
{
	for (size_t i = 0; i < site->n_metrics;) {
		const char *bench = site->metrics[i].bench;
		size_t end = i;
		int shown = 0;
		while (end < site->n_metrics && strcmp(site->metrics[end].bench, bench) == 0)
			shown |= on_cards(site, &site->metrics[end++], k);
		if (!shown) {
			i = end;
			continue;
		}
		fprintf(out, "<article class=\"card\">\n<h%d>", h);
		esc(out, bench);
		fprintf(out, "</h%d>\n<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">metric</th>"
			     "<th scope=\"col\" class=\"num\">latest</th><th scope=\"col\">gate</th>"
			     "<th scope=\"col\">status</th>",
			h);
		if (site->tag) {
			fputs("<th scope=\"col\" class=\"num\">vs ", out);
			esc(out, site->tag);
			fputs("</th>", out);
		}
		fprintf(out, "<th scope=\"col\" class=\"num\">vs %d back</th><th scope=\"col\">trend</th>"
			     "</tr></thead>\n"
			     "<tbody>\n",
			site->back);
		int others = 0;
		for (size_t j = i; j < end; j++) {
			if (!on_cards(site, &site->metrics[j], k))
				continue;
			if (site->metrics[j].on_index)
				index_row(out, site, &site->metrics[j], k);
			else
				others++;
		}
		fputs("</tbody>\n</table></div>\n", out);
		if (others) {
			fputs("<p class=\"also\">Also measured:", out);
			for (size_t j = i; j < end; j++) {
				if (site->metrics[j].on_index || !on_cards(site, &site->metrics[j], k))
					continue;
				fprintf(out, " <a href=\"%s\">", site->metrics[j].page);
				esc(out, site->metrics[j].metric);
				fputs("</a>", out);
			}
			fputs("</p>\n", out);
		}
		fputs("</article>\n", out);
		i = end;
	}
}

/* Key k's metrics whose card has status (inconclusive: the gated ones), linked, with what their cards say. */
static void platform_metrics(FILE *out, const pg_publish_model *site, size_t k, pg_publish_status status)
{
	const size_t most = 5;
	size_t listed = 0, more = 0;
	for (size_t i = 0; i < site->n_metrics; i++) {
		const pg_publish_metric *m = &site->metrics[i];
		const pg_publish_card *card = &m->series[k].card;
		if (card->status != status || (status == PG_PUBLISH_WARN && !card->gated))
			continue;
		if (listed == most) {
			more++;
			continue;
		}
		fprintf(out, "%s<a href=\"%s\">", listed ? "; " : "", m->page);
		esc(out, m->bench);
		fputc('.', out);
		esc(out, m->metric);
		fputs("</a> ", out);
		esc(out, card->status_text ? card->status_text : pg_publish_status_word(card->status));
		listed++;
	}
	if (more)
		fprintf(out, "; and %zu more", more);
}

/* Each env key's newest commit and status, linked to its part of the index (several keys only). */
static void platforms_table(FILE *out, const pg_publish_model *site)
{
	fputs("<section class=\"platforms\" aria-label=\"platforms\">\n<h2>Platforms</h2>\n"
	      "<div class=\"table-wrap\"><table>\n<caption>Each env key's newest results against the results "
	      "before them, decided as <code>perfgate check</code> decides: a regression of a gated metric that "
	      "nothing accepts, or a failed gate, fails</caption>\n"
	      "<thead><tr><th scope=\"col\">env key</th><th scope=\"col\">latest commit</th>"
	      "<th scope=\"col\">subject</th><th scope=\"col\">status</th><th scope=\"col\">why</th>"
	      "</tr></thead>\n<tbody>\n",
	      out);
	for (size_t k = 0; k < site->n_env_keys; k++) {
		const pg_publish_platform *p = &site->platforms[k];
		fputs("<tr><th scope=\"row\"><a href=\"#", out);
		attr(out, p->anchor);
		fputs("\">", out);
		esc(out, site->env_keys[k]);
		fputs("</a></th><td>", out);
		if (p->latest_commit)
			commit_cells(out, site, p->latest_commit, p->latest_subject ? p->latest_subject : "");
		else
			fputs("\xe2\x80\x94</td><td></td>", out);
		status_cell(out, p->status, NULL);
		fputs("<td>", out);
		if (p->n_broken) {
			fputs("benchmark ", out);
			esc(out, p->broken);
			fprintf(out, " broke on its newest commit%s", p->n_broken > 1 ? " (and others)" : "");
			fputs(p->n_fail ? "; " : "", out);
		}
		if (p->n_fail || p->status == PG_PUBLISH_WARN)
			platform_metrics(out, site, k, p->status);
		else if (p->status == PG_PUBLISH_PASS)
			fprintf(out, "%zu metric%s compared, none failing", p->n_compared,
				p->n_compared == 1 ? "" : "s");
		else if (p->status == PG_PUBLISH_NONE)
			fputs(p->latest_commit ? "a single result: nothing to compare with yet"
					       : "no results along these commits",
			      out);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n</section>\n", out);
}

void pg_publish_page_index(FILE *out, const pg_publish_model *site)
{
	page_head(out, site->title, NULL);
	header(out, site);
	fputs("<main>\n", out);
	if (site->n_env_keys > 1) {
		platforms_table(out, site);
		for (size_t k = 0; k < site->n_env_keys; k++) {
			const pg_publish_platform *p = &site->platforms[k];
			fputs("<section class=\"platform\" id=\"", out);
			attr(out, p->anchor);
			fputs("\" aria-label=\"benchmarks in env ", out);
			attr(out, site->env_keys[k]);
			fputs("\">\n<h2>env <code>", out);
			esc(out, site->env_keys[k]);
			fprintf(out, "</code> <span class=\"status %s\"><span aria-hidden=\"true\">%s</span> %s</span>"
				     "</h2>\n<div class=\"cards\">\n",
				status_class(p->status), pg_publish_status_mark(p->status),
				pg_publish_status_word(p->status));
			cards(out, site, k, 3);
			fputs("</div>\n</section>\n", out);
		}
	} else {
		fputs("<section class=\"cards\" aria-label=\"benchmarks\">\n", out);
		cards(out, site, 0, 2);
		if (site->n_metrics == 0)
			fputs("<p>No results stored along these commits.</p>\n", out);
		fputs("</section>\n", out);
	}
	releases_table(out, site);
	fputs("</main>\n<footer>Made by perfgate from the results stored in "
	      "<code>refs/notes/perfgate</code>. Data: <a href=\"data.json\">data.json</a>.</footer>\n"
	      "</body>\n</html>\n",
	      out);
}

/* The change point that starts a new level at commit, or NULL. */
static const pg_change_point *change_at(const pg_publish_series *s, const char *commit)
{
	for (size_t j = 0; j < s->changes.n; j++)
		if (!s->changes.items[j].too_few && strcmp(s->changes.items[j].commit, commit) == 0)
			return &s->changes.items[j];
	return NULL;
}

/* Where the level shifted: the commit that starts each new level, before -> after, and who accepted it. */
static void changes_table(FILE *out, const pg_publish_model *site, const pg_publish_metric *m,
			  const pg_publish_series *s)
{
	if (s->changes.n == 0) {
		fprintf(out, "<p class=\"also\">No change point found over these %zu commit%s (a new level needs "
			     "3 commits on each side to be told from noise).</p>\n",
			s->n_rows, s->n_rows == 1 ? "" : "s");
		return;
	}
	fputs("<div class=\"table-wrap\"><table>\n<caption>Change points: where the level shifted "
	      "(rank segmentation, each split tested on the commits and their runs, as "
	      "<code>perfgate changes</code>), oldest first</caption>\n"
	      "<thead><tr><th scope=\"col\">commit</th><th scope=\"col\">subject</th>"
	      "<th scope=\"col\" class=\"num\">before</th><th scope=\"col\" class=\"num\">after</th>"
	      "<th scope=\"col\" class=\"num\">change</th><th scope=\"col\" class=\"num\">p</th>"
	      "<th scope=\"col\">accepted</th></tr></thead>\n<tbody>\n",
	      out);
	for (size_t j = 0; j < s->changes.n; j++) {
		const pg_change_point *c = &s->changes.items[j];
		char before[64], after[64];
		value_text(before, sizeof(before), c->before, m->unit);
		value_text(after, sizeof(after), c->after, m->unit);
		fputs("<tr><td>", out);
		commit_cells(out, site, c->commit, c->subject);
		fprintf(out, "<td class=\"num\">%s (%zu)</td><td class=\"num\">%s (%zu)</td>", before,
			c->n_before, after, c->n_after);
		/* change_cell takes the change as "> 0 worse". */
		change_cell(out, m->better_higher ? -c->change : c->change, m->better_higher,
			    c->too_few ? "" : c->worse ? (c->accepted_by ? "" : " fail") : " pass");
		if (c->too_few) {
			fputs("<td class=\"num\">\xe2\x80\x94</td><td>too few commits to tell</td></tr>\n", out);
			continue;
		}
		fprintf(out, "<td class=\"num\">%.2g</td><td>", c->p);
		if (c->accepted_by)
			esc(out, c->accepted_by);
		else
			fputs(c->worse ? "<span class=\"warn\">not accepted</span>" : "\xe2\x80\x94", out);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
}

/* The newest rows a page lists; older ones only where something happened (the data file has all). */
#define PAGE_ROWS 100

static int listed(const pg_publish_series *s, size_t i)
{
	const pg_publish_row *r = &s->rows[i];
	return i + PAGE_ROWS >= s->n_rows || r->mark == PG_MARK_REGRESSION || r->mark == PG_MARK_ACCEPTED ||
	       r->accepted_by || change_at(s, r->commit);
}

static void series_table(FILE *out, const pg_publish_model *site, const pg_publish_metric *m,
			 const pg_publish_series *s)
{
	size_t shown = 0;
	for (size_t i = 0; i < s->n_rows; i++)
		shown += listed(s, i) != 0;
	fputs("<div class=\"table-wrap\"><table class=\"sortable\">\n<caption>", out);
	if (shown < s->n_rows)
		fprintf(out, "%zu of %zu commits with results: the newest %d and every older regression, acceptance "
			     "and change point (all of them: <a href=\"",
			shown, s->n_rows, PAGE_ROWS);
	if (shown < s->n_rows) {
		attr(out, m->data);
		fputs("\">", out);
		esc(out, m->data);
		fputs("</a>)", out);
	} else {
		fprintf(out, "%zu commit%s with results", s->n_rows, s->n_rows == 1 ? "" : "s");
	}
	fprintf(out, ", newest first; each decided against the results before it "
		     "as <code>perfgate check</code> decides: a regression is over %.3g %% and significant on "
		     "the runs (inconclusive: over it, not significant or too few runs)</caption>\n",
		m->threshold * 100);
	fputs("<thead><tr><th scope=\"col\">commit</th><th scope=\"col\">subject</th>"
	      "<th scope=\"col\" class=\"num\">median</th><th scope=\"col\" class=\"num\">p90</th>"
	      "<th scope=\"col\" class=\"num\">n</th><th scope=\"col\" class=\"num\">change</th>"
	      "<th scope=\"col\">verdict</th><th scope=\"col\">acceptance</th></tr></thead>\n<tbody>\n",
	      out);
	for (size_t i = s->n_rows; i-- > 0;) {
		const pg_publish_row *r = &s->rows[i];
		char v[64], p[64];
		if (!listed(s, i))
			continue;
		value_text(v, sizeof(v), r->value, m->unit);
		value_text(p, sizeof(p), r->p90, m->unit);
		fprintf(out, "<tr><td data-v=\"%zu\">", i);
		commit_cells(out, site, r->commit, r->subject);
		fprintf(out, "<td class=\"num\" data-v=\"%.10g\">%s</td><td class=\"num\" data-v=\"%.10g\">%s</td>"
			     "<td class=\"num\" data-v=\"%zu\">%zu</td>",
			r->value, v, isfinite(r->p90) ? r->p90 : 0, p, r->n, r->n);
		change_cell(out, r->change, m->better_higher, mark_css(r->mark));
		const char *verdict = r->mark == PG_MARK_ACCEPTED       ? "\xe2\x9c\x85 accepted"
				      : r->mark == PG_MARK_REGRESSION   ? "\xe2\x9d\x8c regression"
				      : r->mark == PG_MARK_WORSE        ? "worse (not gated)"
				      : r->mark == PG_MARK_INCONCLUSIVE ? "\xe2\x9a\xa0\xef\xb8\x8f inconclusive"
				      : r->mark == PG_MARK_IMPROVEMENT  ? "improvement"
				      : r->mark == PG_MARK_UNCHANGED    ? "unchanged"
									: "\xe2\x80\x94";
		fprintf(out, "<td class=\"verdict\">%s%s</td><td class=\"subject\">", verdict,
			change_at(s, r->commit) ? " \xc2\xb7 change point" : "");
		esc(out, r->accepted_by ? r->accepted_by : "");
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n", out);
}

/* Above the env keys of a metric's page: every key's line on one plot, and each key's newest result. */
static void together(FILE *out, const pg_publish_model *site, const pg_publish_metric *m, const char *heading)
{
	fputs("<section class=\"together\" aria-label=\"every env key\">\n<h2>Every env key</h2>\n", out);
	if (m->svg) {
		fputs("<figure class=\"plot\" role=\"img\" aria-label=\"History of ", out);
		attr(out, heading);
		fprintf(out, " in %zu env keys: one line per env key, the median per commit; regressions in red\">",
			site->n_env_keys);
		fprintf(out, "<!-- plot:%s -->%s<!-- /plot --></figure>\n", m->plot_key, m->svg);
	} else {
		fputs("<p class=\"noplot\">No plot: ", out);
		esc(out, m->no_plot ? m->no_plot : "not drawn");
		fputs(".</p>\n", out);
	}
	fputs("<div class=\"table-wrap\"><table>\n<caption>The newest result in each env key against the one "
	      "before it, as <code>perfgate check</code> decides</caption>\n"
	      "<thead><tr><th scope=\"col\">env key</th><th scope=\"col\">commit</th>"
	      "<th scope=\"col\" class=\"num\">latest</th><th scope=\"col\">status</th></tr></thead>\n<tbody>\n",
	      out);
	for (size_t k = 0; k < site->n_env_keys; k++) {
		const pg_publish_card *card = &m->series[k].card;
		char latest[64];
		value_text(latest, sizeof(latest), card->latest, m->unit);
		fputs("<tr><th scope=\"row\"><a href=\"#", out);
		attr(out, site->platforms[k].anchor);
		fputs("\">", out);
		esc(out, site->env_keys[k]);
		fputs("</a></th><td>", out);
		if (card->latest_commit)
			commit_link(out, site, card->latest_commit);
		else
			fputs("\xe2\x80\x94", out);
		fprintf(out, "</td><td class=\"num\">%s</td>", latest);
		status_cell(out, card->status, m->series[k].n_rows ? card->status_text : "no results in this env key");
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table></div>\n</section>\n", out);
}

void pg_publish_page_metric(FILE *out, const pg_publish_model *site, const pg_publish_metric *m)
{
	char heading[1024];
	snprintf(heading, sizeof(heading), "%s.%s", m->bench, m->metric);
	page_head(out, site->title, heading);
	if (m->page_key[0])
		fprintf(out, "<!-- page:%s -->\n", m->page_key);
	fputs("<nav><a href=\"index.html\">\xe2\x86\x90 ", out);
	esc(out, site->title);
	fputs("</a></nav>\n<main>\n<h1>", out);
	esc(out, m->bench);
	fputs(" \xc2\xb7 ", out);
	esc(out, m->metric);
	fputs("</h1>\n<p class=\"meta\">", out);
	fprintf(out, "%s is better \xc2\xb7 threshold %.3g %% \xc2\xb7 unit ",
		m->better_higher ? "higher" : "lower", m->threshold * 100);
	esc(out, m->unit);
	if (m->gate_text && m->gate_text[0]) {
		fputs(" \xc2\xb7 gate ", out);
		esc(out, m->gate_text);
	}
	fputs("</p>\n", out);
	if (site->n_env_keys > 1)
		together(out, site, m, heading);
	fputs("<div class=\"keys\">\n", out);
	for (size_t k = 0; k < site->n_env_keys; k++) {
		const pg_publish_series *s = &m->series[k];
		fputs("<section class=\"key\"", out);
		if (site->n_env_keys > 1) {
			fputs(" id=\"", out);
			attr(out, site->platforms[k].anchor);
			fputs("\"", out);
		}
		fputs(">\n<h2>env ", out);
		esc(out, s->env_key);
		fputs("</h2>\n", out);
		if (s->n_rows == 0) {
			fputs("<p class=\"noplot\">No results for this metric in this environment.</p>\n</section>\n",
			      out);
			continue;
		}
		if (s->svg) {
			fputs("<figure class=\"plot\" role=\"img\" aria-label=\"", out);
			fprintf(out, "History of ");
			attr(out, heading);
			fprintf(out, " over %zu commits: the median per commit, the spread of the runs as a band, "
				     "the threshold as a dashed red line, regressions in red, "
				     "change points as dotted orange lines\">",
				s->n_rows);
			fprintf(out, "<!-- plot:%s -->%s<!-- /plot --></figure>\n", s->plot_key, s->svg);
		} else {
			fputs("<p class=\"noplot\">No plot: ", out);
			esc(out, s->no_plot ? s->no_plot : "not drawn");
			fputs(".</p>\n", out);
		}
		changes_table(out, site, m, s);
		series_table(out, site, m, s);
		fputs("</section>\n", out);
	}
	fputs("</div>\n</main>\n<footer>Made by perfgate. Data: <a href=\"", out);
	attr(out, m->data);
	fputs("\">", out);
	esc(out, m->data);
	fputs("</a> (every result of this metric), <a href=\"data.json\">data.json</a> (the site).</footer>\n", out);
	fputs(sort_script, out);
	fputs("</body>\n</html>\n", out);
}
