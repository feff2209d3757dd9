/* site.c - `perfgate publish`'s rendering: the plots, the pages and data.json, written only where they changed */
#include "perfgate/publish.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/hash.h"
#include "perfgate/json.h"
#include "perfgate/plot.h"
#include "publish/releases.h"
#include "pg_version.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a render works on: the model, the counts for the CLI, the site's directory. */
typedef struct site {
	pg_publish_model *model;
	pg_publish_counts *counts;
	const char *dir;
} site;

static int oom(void)
{
	return pg_error_set(PG_ENOMEM, "out of memory");
}

int pg_publish_warn(pg_publish_model *model, pg_publish_counts *counts, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	int rc = pg_strlist_push(&model->warnings, &model->n_warnings, buf);
	return rc ? rc : pg_strlist_push(&counts->warnings, &counts->n_warnings, buf);
}

/* ---- plots ---- */

/* The plot of key on the page on disk (old), or NULL. */
static char *plot_on_page(const char *old, const char *key)
{
	char marker[64];
	snprintf(marker, sizeof(marker), "<!-- plot:%s -->", key);
	const char *begin = strstr(old, marker), *end;
	if (!begin || !(end = strstr(begin, "<!-- /plot -->")))
		return NULL;
	begin += strlen(marker);
	return strndup(begin, (size_t)(end - begin));
}

static int has_plot(const char *page, const char *key)
{
	char marker[64];
	snprintf(marker, sizeof(marker), "<!-- plot:%s -->", key);
	return strstr(page, marker) != NULL;
}

/* 1 when every plot of the metric is on the page (with its key), or none of them is. */
static int find_plots(pg_publish_metric *pm, size_t n_keys, const char *page)
{
	int all = 1;
	for (size_t k = 0; k < n_keys; k++)
		all &= pm->series[k].svg_on_disk = has_plot(page, pm->series[k].plot_key);
	if (n_keys > 1)
		all &= pm->svg_on_disk = has_plot(page, pm->plot_key);
	return all;
}

/* How much of a page is read first: its page key and its first plot's key come within 4 KB of its start. */
#define PAGE_HEAD 16384

/* Up to max bytes of path, NUL-terminated (caller frees); *whole: that was all of it. NULL when unreadable. */
static char *read_head(const char *path, size_t max, int *whole)
{
	FILE *f = fopen(path, "rbe");
	char *text = f ? malloc(max + 1) : NULL;
	size_t got = text ? fread(text, 1, max, f) : 0;
	int bad = !text || ferror(f);
	*whole = !bad && got < max;
	if (f)
		fclose(f);
	if (bad) {
		free(text);
		return NULL;
	}
	text[got] = '\0';
	return text;
}

/*
 * Which plots of a metric the page on disk has with the same keys: those
 * are not redrawn, and are read from the page only when the page itself is
 * rendered again (load_plots). The page's start is kept for its key.
 * A page of one env key has its one plot's key in its start; a page of
 * several has later plots beyond it: when one is not found there, the
 * whole page is read.
 */
static void reuse_plots(site *s, size_t i)
{
	pg_publish_metric *pm = &s->model->metrics[i];
	char *path = pg_path_join(s->dir, pm->page), *page = NULL;
	int whole = 0;
	if (path && (page = read_head(path, PAGE_HEAD, &whole)) && !find_plots(pm, s->model->n_env_keys, page) &&
	    !whole && s->model->n_env_keys > 1) {
		char *all = NULL;
		if (pg_file_read(&all, NULL, path) == 0) {
			free(page);
			page = all;
			find_plots(pm, s->model->n_env_keys, page);
		}
	}
	pg_error_clear();
	pm->page_on_disk = page;
	free(path);
}

/*
 * The plots of a page about to be rendered that are on the page on disk,
 * read from it. One that cannot be read again is not drawn (no_plot says
 * so). Returns 1 when one could not, 0 when all were read.
 */
static int load_plots(site *s, pg_publish_metric *pm)
{
	size_t n_keys = s->model->n_env_keys;
	int wanted = n_keys > 1 && pm->svg_on_disk && !pm->svg, lost = 0;
	for (size_t k = 0; k < n_keys; k++)
		wanted |= pm->series[k].svg_on_disk && !pm->series[k].svg;
	if (!wanted)
		return 0;
	char *path = pg_path_join(s->dir, pm->page), *page = NULL;
	if (!path || pg_file_read(&page, NULL, path) != 0)
		page = NULL;
	pg_error_clear();
	static const char gone[] = "its plot on the page before could not be read again";
	for (size_t k = 0; k < n_keys; k++) {
		pg_publish_series *ser = &pm->series[k];
		if (!ser->svg_on_disk || ser->svg)
			continue;
		ser->svg_on_disk = 0;
		if (!page || !(ser->svg = plot_on_page(page, ser->plot_key))) {
			ser->no_plot = gone;
			lost = 1;
		}
	}
	if (n_keys > 1 && pm->svg_on_disk && !pm->svg) {
		pm->svg_on_disk = 0;
		if (!page || !(pm->svg = plot_on_page(page, pm->plot_key))) {
			pm->no_plot = gone;
			lost = 1;
		}
	}
	free(page);
	free(path);
	return lost;
}

/* gnuplot's SVG file as an element to inline: from <svg on. */
static char *read_svg(const char *path)
{
	char *text = NULL;
	size_t len;
	if (pg_file_read(&text, &len, path) != 0)
		return NULL;
	char *start = strstr(text, "<svg");
	if (!start) {
		free(text);
		return NULL;
	}
	memmove(text, start, len - (size_t)(start - text) + 1);
	return text;
}

/* The SVG gnuplot drew as file in tmpdir into *svg (the file removed); 1, or 0 with *no_plot saying why. */
static int take_svg(char **svg, const char **no_plot, const char *tmpdir, const char *file)
{
	char *path = pg_path_join(tmpdir, file);
	int drawn = path && (*svg = read_svg(path)) != NULL;
	if (!drawn && !*no_plot)
		*no_plot = "gnuplot did not draw it (see the warnings of perfgate publish)";
	if (path)
		unlink(path);
	free(path);
	return drawn;
}

/* gnuplot processes drawing one key's plots side by side: one per core, up to this many. */
#define MAX_GNUPLOTS 4

static int draw_key(site *s, size_t k, const char *tmpdir)
{
	pg_gnuplot *gps[MAX_GNUPLOTS] = {0};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n_gp = cores < 1 ? 1 : cores > MAX_GNUPLOTS ? MAX_GNUPLOTS : (size_t)cores, next = 0;
	int rc = 0;
	if (n_gp > s->model->n_metrics)
		n_gp = s->model->n_metrics ? s->model->n_metrics : 1;
	for (size_t g = 0; g < n_gp && !rc; g++)
		rc = pg_gnuplot_open(&gps[g], tmpdir, PG_PLOT_SVG);
	size_t n_drawn = 0;
	char **files = calloc(s->model->n_metrics + 1, sizeof(char *));
	pg_history_commit *view = calloc(s->model->histories[k]->n_commits + 1, sizeof(*view));
	pg_mark *view_marks = calloc(s->model->histories[k]->n_commits + 1, sizeof(*view_marks));
	if (!files || !view || !view_marks)
		rc = oom();
	for (size_t i = 0; i < s->model->n_metrics && !rc; i++) {
		pg_publish_metric *pm = &s->model->metrics[i];
		pg_publish_series *ser = &pm->series[k];
		pg_lookup_hint near = {0, 0};
		if (ser->svg || ser->svg_on_disk || ser->n_rows == 0)
			continue;
		char file[600];
		pg_plot_history_file(file, sizeof(file), pm->bench, pm->metric, NULL, PG_PLOT_SVG);
		int clash = 0;
		for (size_t j = 0; j < i && !clash; j++)
			clash = files[j] && strcmp(files[j], file) == 0;
		if (clash) {
			ser->no_plot = "its plot's file name is the same as another metric's";
			continue;
		}
		/* Only the commits with the metric: a commit that did not measure it leaves the page alone. */
		const pg_history *h = s->model->histories[k];
		pg_history hv = {view, 0, h->env_key, NULL, 0, NULL, 0};
		for (size_t c = 0; c < h->n_commits; c++)
			if (pg_result_set_ok_metric(h->commits[c].rs, pm->bench, pm->metric, &near)) {
				view_marks[hv.n_commits] = s->model->marks[k][c * s->model->n_metrics + i];
				view[hv.n_commits++] = h->commits[c];
			}
		pg_plot_options po = {.format = PG_PLOT_SVG, .threshold = pm->threshold, .target = pm->target,
				      .target_is_max = pm->target_is_max, .marks = view_marks, .changes = &ser->changes};
		int drawn = 0;
		rc = pg_plot_history(gps[next++ % n_gp], &hv, pm->bench, pm->metric, NULL, &po, &drawn);
		if (drawn && !(files[i] = strdup(file)))
			rc = oom();
	}
	for (size_t g = 0; g < n_gp; g++) {
		int closed = pg_gnuplot_close(gps[g]);
		if (!rc && closed)
			rc = pg_publish_warn(s->model, s->counts, "gnuplot: %s", pg_error_message());
	}
	for (size_t i = 0; i < s->model->n_metrics; i++) {
		if (!files || !files[i])
			continue;
		pg_publish_series *ser = &s->model->metrics[i].series[k];
		n_drawn += take_svg(&ser->svg, &ser->no_plot, tmpdir, files[i]);
		free(files[i]);
	}
	s->counts->plots += n_drawn;
	free(files);
	free(view);
	free(view_marks);
	if (!rc)
		pg_error_clear();
	return rc;
}

/* 1 when metric i has a result in some env key. */
static int measured(const pg_publish_model *m, size_t i)
{
	for (size_t k = 0; k < m->n_env_keys; k++)
		if (m->metrics[i].series[k].n_rows > 0)
			return 1;
	return 0;
}

/* Each metric's plot of every env key's line (several keys only), with one gnuplot. */
static int draw_together(site *s, const char *tmpdir)
{
	const pg_publish_model *m = s->model;
	size_t n_keys = m->n_env_keys, n_commits = m->histories[0]->n_commits, n_drawn = 0;
	pg_gnuplot *gp = NULL;
	int wanted = 0;
	for (size_t i = 0; i < m->n_metrics && !wanted; i++)
		wanted = !m->metrics[i].svg && measured(m, i);
	if (!wanted)
		return 0;
	pg_mark *marks = calloc(n_keys * n_commits + 1, sizeof(*marks));
	const pg_mark **key_marks = calloc(n_keys, sizeof(*key_marks));
	char **files = calloc(m->n_metrics + 1, sizeof(char *));
	int rc = marks && key_marks && files ? pg_gnuplot_open(&gp, tmpdir, PG_PLOT_SVG) : oom();
	for (size_t k = 0; k < n_keys && !rc; k++)
		key_marks[k] = marks + k * n_commits;
	for (size_t i = 0; i < m->n_metrics && !rc; i++) {
		pg_publish_metric *pm = &m->metrics[i];
		if (pm->svg || pm->svg_on_disk || !measured(m, i))
			continue;
		for (size_t k = 0; k < n_keys; k++)
			for (size_t c = 0; c < n_commits; c++)
				marks[k * n_commits + c] = m->marks[k][c * m->n_metrics + i];
		/* Page names are told apart already: the plot is named after its page. */
		char file[700];
		snprintf(file, sizeof(file), "%.*s.svg", (int)(strlen(pm->page) - strlen(".html")), pm->page);
		pg_plot_options po = {.format = PG_PLOT_SVG, .target = pm->target, .target_is_max = pm->target_is_max,
				      .file = file};
		int drawn = 0;
		rc = pg_plot_history_keys(gp, m->histories, n_keys, pm->bench, pm->metric, key_marks, &po, &drawn);
		if (!rc && drawn && !(files[i] = strdup(file)))
			rc = oom();
	}
	int closed = pg_gnuplot_close(gp);
	if (!rc && closed)
		rc = pg_publish_warn(s->model, s->counts, "gnuplot: %s", pg_error_message());
	for (size_t i = 0; files && i < m->n_metrics; i++) {
		if (!files[i])
			continue;
		pg_publish_metric *pm = &m->metrics[i];
		n_drawn += take_svg(&pm->svg, &pm->no_plot, tmpdir, files[i]);
		free(files[i]);
	}
	s->counts->plots += n_drawn;
	free(files);
	free(marks);
	free(key_marks);
	if (!rc)
		pg_error_clear();
	return rc;
}

int pg_publish_plots(pg_publish_counts *counts, pg_publish_model *model, const char *dir)
{
	site ctx = {model, counts, dir}, *s = &ctx;
	int needed = 0;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return pg_error_set(PG_ESYSTEM, "%s: cannot make the site's directory: %s", dir, strerror(errno));
	for (size_t i = 0; i < s->model->n_metrics; i++) {
		reuse_plots(s, i);
		for (size_t k = 0; k < s->model->n_env_keys; k++)
			needed |= !s->model->metrics[i].series[k].svg_on_disk && s->model->metrics[i].series[k].n_rows > 0;
		needed |= s->model->n_env_keys > 1 && !s->model->metrics[i].svg_on_disk && measured(s->model, i);
	}
	if (!needed)
		return 0;
	char *gnuplot = NULL;
	int rc = pg_gnuplot_find(&gnuplot);
	free(gnuplot);
	if (rc == PG_ESYSTEM) {
		if (!(s->counts->no_plots = strdup(pg_error_message())))
			return oom();
		for (size_t i = 0; i < s->model->n_metrics; i++) {
			for (size_t k = 0; k < s->model->n_env_keys; k++)
				if (!s->model->metrics[i].series[k].svg_on_disk)
					s->model->metrics[i].series[k].no_plot = s->counts->no_plots;
			if (!s->model->metrics[i].svg_on_disk)
				s->model->metrics[i].no_plot = s->counts->no_plots;
		}
		pg_error_clear();
		return 0;
	}
	if (rc)
		return rc;
	char *tmpdir = pg_path_join(s->dir, ".plots.XXXXXX");
	if (!tmpdir)
		return oom();
	if (!mkdtemp(tmpdir)) {
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot make a directory for the plots: %s", tmpdir, strerror(errno));
		free(tmpdir);
		return rc;
	}
	for (size_t k = 0; k < s->model->n_env_keys && !rc; k++)
		rc = draw_key(s, k, tmpdir);
	if (!rc && s->model->n_env_keys > 1)
		rc = draw_together(s, tmpdir);
	/* Each plot was read and unlinked, and gnuplot removes what it failed to draw. */
	rmdir(tmpdir);
	free(tmpdir);
	return rc;
}

/* ---- data.json ---- */

/*
 * Streamed rather than built as a cJSON tree: at 1,000 commits x 50
 * metrics the tree cost more than all the pages. A field's key is written
 * with fputs, not formatted: 50,000 rows of eight.
 */
static void json_key(FILE *out, const char *key)
{
	fputs(",\"", out);
	fputs(key, out);
	fputs("\":", out);
}

static void json_field(FILE *out, const char *key, const char *v)
{
	json_key(out, key);
	pg_json_write_string(out, v);
}

static void json_field_number(FILE *out, const char *key, double v)
{
	json_key(out, key);
	pg_json_write_number(out, v);
}

/* A metric's card in one env key, as fields of the object being written. */
static void json_card(FILE *out, const pg_publish_card *card)
{
	json_field(out, "status", pg_publish_status_word(card->status));
	json_field(out, "status_text", card->status_text);
	json_field_number(out, "latest", card->latest);
	json_field(out, "latest_commit", card->latest_commit);
	json_field_number(out, "vs_tag", card->vs_tag);
	json_field_number(out, "vs_back", card->vs_back);
	json_field(out, "back_commit", card->back_commit);
}

static void data_json(FILE *out, const pg_publish_model *m)
{
	fputs("{\"schema\":\"perfgate-site/2\"", out);
	json_field(out, "title", m->title);
	json_field(out, "head", m->head);
	fprintf(out, ",\"commits\":%d", m->n);
	json_field(out, "tag", m->tag);
	json_field(out, "tag_commit", m->tag_commit);
	fputs(",\"env_keys\":[", out);
	for (size_t k = 0; k < m->n_env_keys; k++) {
		fputs(k ? "," : "", out);
		pg_json_write_string(out, m->env_keys[k]);
	}
	fputs("],\"releases\":[", out);
	for (size_t i = 0; i < m->n_releases; i++) {
		const pg_publish_release *r = &m->releases[i];
		fputs(i ? ",\n{\"tag\":" : "\n{\"tag\":", out);
		pg_json_write_string(out, r->tag);
		json_field(out, "commit", r->commit);
		json_field(out, "date", r->date);
		json_field(out, "page", r->page);
		json_field(out, "compared_with", r->prev_tag);
		json_field(out, "status", pg_publish_status_word(r->status));
		putc('}', out);
	}
	fputs("],\"platforms\":[", out);
	for (size_t k = 0; k < m->n_env_keys; k++) {
		const pg_publish_platform *p = &m->platforms[k];
		fputs(k ? ",\n{\"env_key\":" : "\n{\"env_key\":", out);
		pg_json_write_string(out, m->env_keys[k]);
		json_field(out, "anchor", p->anchor);
		json_field(out, "latest_commit", p->latest_commit);
		json_field(out, "status", pg_publish_status_word(p->status));
		fprintf(out, ",\"failing\":%zu,\"inconclusive\":%zu,\"compared\":%zu,\"broken\":%zu}", p->n_fail,
			p->n_warn, p->n_compared, p->n_broken);
	}
	/* Each metric's rows live in its own data file, written once: not repeated here. The card's
	 * fields are the first env key's; "envs" has every key's. */
	fputs("],\"metrics\":[", out);
	for (size_t i = 0; i < m->n_metrics; i++) {
		const pg_publish_metric *pm = &m->metrics[i];
		fputs(i ? ",\n{\"bench\":" : "\n{\"bench\":", out);
		pg_json_write_string(out, pm->bench);
		json_field(out, "metric", pm->metric);
		json_field(out, "unit", pm->unit);
		json_field(out, "better", pm->better_higher ? "higher" : "lower");
		json_field(out, "page", pm->page);
		json_field(out, "data", pm->data);
		fprintf(out, ",\"on_index\":%s", pm->on_index ? "true" : "false");
		json_field_number(out, "threshold", pm->threshold);
		json_field(out, "gate", pm->gate_text);
		json_card(out, &pm->series[0].card);
		fputs(",\"envs\":[", out);
		for (size_t k = 0; k < m->n_env_keys; k++) {
			fputs(k ? ",{\"env_key\":" : "{\"env_key\":", out);
			pg_json_write_string(out, m->env_keys[k]);
			json_card(out, &pm->series[k].card);
			putc('}', out);
		}
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
}

/* A metric's data file: its key (what page_key hashed), then every row and change point per env key. */
static void metric_json(FILE *out, const pg_publish_model *m, const pg_publish_metric *pm)
{
	fprintf(out, "{\"schema\":\"perfgate-site-metric/1\",\"key\":\"%s\"", pm->page_key);
	json_field(out, "bench", pm->bench);
	json_field(out, "metric", pm->metric);
	json_field(out, "unit", pm->unit);
	json_field(out, "better", pm->better_higher ? "higher" : "lower");
	json_field(out, "page", pm->page);
	json_field_number(out, "threshold", pm->threshold);
	fputs(",\"series\":[", out);
	for (size_t k = 0; k < m->n_env_keys; k++) {
		const pg_publish_series *ser = &pm->series[k];
		fputs(k ? ",{\"env_key\":" : "{\"env_key\":", out);
		pg_json_write_string(out, ser->env_key);
		fputs(",\"rows\":[", out);
		for (size_t r = 0; r < ser->n_rows; r++) {
			const pg_publish_row *row = &ser->rows[r];
			fputs(r ? ",\n{\"commit\":\"" : "\n{\"commit\":\"", out);
			fputs(row->commit, out);
			putc('"', out);
			json_field(out, "subject", row->subject);
			json_field_number(out, "median", row->value);
			json_field_number(out, "p90", row->p90);
			json_key(out, "n");
			pg_json_write_number(out, (double)row->n);
			json_field_number(out, "change", row->change);
			json_field(out, "accepted_by", row->accepted_by);
			json_field(out, "mark", row->mark == PG_MARK_NONE ? NULL : pg_mark_name(row->mark));
			putc('}', out);
		}
		fputs("],\"changes\":[", out);
		for (size_t j = 0; j < ser->changes.n; j++) {
			const pg_change_point *c = &ser->changes.items[j];
			fprintf(out, "%s{\"commit\":\"%s\"", j ? ",\n" : "\n", c->commit);
			json_field(out, "subject", c->subject);
			json_field_number(out, "before", c->before);
			json_field_number(out, "after", c->after);
			json_field_number(out, "change", c->change);
			json_field_number(out, "p", c->p);
			json_field_number(out, "p_runs", c->p_runs);
			fprintf(out, ",\"worse\":%s,\"decided\":%s", c->worse ? "true" : "false",
				c->too_few ? "false" : "true");
			json_field(out, "accepted_by", c->accepted_by);
			putc('}', out);
		}
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
}

/* ---- what a metric's page shows, as a key ---- */

static uint64_t hash_double(uint64_t h, double v)
{
	return pg_fnv1a(h, &v, sizeof(v));
}

/*
 * Every input of a metric's page and data file, hashed (the plot's key
 * stands for the values it draws): with the same key, the page and the data
 * file on disk are what a render would write, so neither is rendered. The
 * version is in it: another perfgate may render differently.
 */
static void page_key(const pg_publish_model *m, pg_publish_metric *pm)
{
	uint64_t h = pg_fnv1a_field(PG_FNV_BASIS, "perfgate-page/2 " PG_VERSION); /* /2: several env keys together */
	const char *fields[] = {m->title, m->repo_url, pm->bench, pm->metric, pm->unit, pm->gate_text, pm->page};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		h = pg_fnv1a_field(h, fields[i]);
	h = pg_fnv1a(h, &pm->better_higher, sizeof(pm->better_higher));
	h = hash_double(h, pm->threshold);
	h = pg_fnv1a(h, &m->n_env_keys, sizeof(m->n_env_keys));
	if (m->n_env_keys > 1) {
		/* The plot of every key, and each key's newest result and its status above the keys. */
		h = pg_fnv1a_field(h, pm->plot_key);
		h = pg_fnv1a_field(h, pm->svg || pm->svg_on_disk ? "svg" : pm->no_plot);
		for (size_t k = 0; k < m->n_env_keys; k++) {
			const pg_publish_card *card = &pm->series[k].card;
			h = pg_fnv1a_field(h, m->platforms[k].anchor);
			h = pg_fnv1a_field(h, card->latest_commit);
			h = pg_fnv1a_field(h, card->status_text);
			h = pg_fnv1a(h, &card->status, sizeof(card->status));
			h = hash_double(h, card->latest);
		}
	}
	for (size_t k = 0; k < m->n_env_keys; k++) {
		const pg_publish_series *ser = &pm->series[k];
		h = pg_fnv1a_field(h, ser->env_key);
		h = pg_fnv1a_field(h, ser->plot_key);
		h = pg_fnv1a_field(h, ser->svg || ser->svg_on_disk ? "svg" : ser->no_plot);
		h = pg_fnv1a(h, &ser->n_rows, sizeof(ser->n_rows));
		for (size_t r = 0; r < ser->n_rows; r++) {
			h = pg_fnv1a_field(h, ser->rows[r].subject);
			h = pg_fnv1a_field(h, ser->rows[r].accepted_by);
		}
		for (size_t j = 0; j < ser->changes.n; j++) {
			const pg_change_point *c = &ser->changes.items[j];
			h = pg_fnv1a_field(h, c->commit);
			h = pg_fnv1a_field(h, c->subject);
			h = pg_fnv1a_field(h, c->accepted_by);
			const double figures[] = {c->before, c->after, c->change, c->p, c->p_runs};
			for (size_t f = 0; f < sizeof(figures) / sizeof(figures[0]); f++)
				h = hash_double(h, figures[f]);
			const int flags[] = {c->worse, c->too_few};
			h = pg_fnv1a(h, flags, sizeof(flags));
		}
	}
	snprintf(pm->page_key, sizeof(pm->page_key), "%016llx", (unsigned long long)h);
}

/* 1 when the file name in the site starts with prefix (a page's or data file's key). */
static int starts_with(const site *s, const char *name, const char *prefix)
{
	char head[256];
	char *path = pg_path_join(s->dir, name);
	FILE *f = path ? fopen(path, "rb") : NULL;
	size_t want = strlen(prefix), got = f && want < sizeof(head) ? fread(head, 1, want, f) : 0;
	if (f)
		fclose(f);
	free(path);
	return got == want && memcmp(head, prefix, want) == 0;
}

/* ---- writing ---- */

/* Write name in the site when its content changed; an unchanged file keeps its inode and time. */
static int write_if_changed(site *s, const char *name, const char *data, size_t len)
{
	char *path = pg_path_join(s->dir, name), *old = NULL;
	size_t old_len = 0;
	int rc = 0;
	if (!path)
		return oom();
	s->counts->pages++;
	if (access(path, F_OK) == 0 && pg_file_read(&old, &old_len, path) == 0 && old_len == len &&
	    memcmp(old, data, len) == 0) {
		free(old);
		free(path);
		return 0;
	}
	pg_error_clear();
	free(old);
	rc = pg_file_write_atomic(path, data, len);
	if (!rc)
		s->counts->written++;
	free(path);
	return rc;
}

typedef struct metric_files {
	const pg_publish_model *model;
	const pg_publish_metric *pm;
} metric_files;

static int render_metric_data(FILE *out, void *arg)
{
	const metric_files *f = arg;
	metric_json(out, f->model, f->pm);
	return 0;
}

static int render_metric_page(FILE *out, void *arg)
{
	const metric_files *f = arg;
	pg_publish_page_metric(out, f->model, f->pm);
	return 0;
}

/*
 * A file of a metric whose key differs from the one on disk: rendered
 * straight into the file that replaces it, never held or compared (the
 * key is in it, so it differs).
 */
static int write_keyed(site *s, const pg_publish_metric *pm, const char *name, int (*render)(FILE *, void *))
{
	metric_files f = {s->model, pm};
	char *path = pg_path_join(s->dir, name);
	if (!path)
		return oom();
	s->counts->pages++;
	int rc = pg_file_write_derived(path, render, &f);
	if (!rc)
		s->counts->written++;
	free(path);
	return rc;
}

/* A metric's data file, unless the one on disk has its key. */
static int write_metric_data(site *s, const pg_publish_metric *pm)
{
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "{\"schema\":\"perfgate-site-metric/1\",\"key\":\"%s\"", pm->page_key);
	if (starts_with(s, pm->data, prefix)) {
		s->counts->pages++;
		return 0;
	}
	return write_keyed(s, pm, pm->data, render_metric_data);
}

/* A metric's page, unless the one on disk has its key; its plots that page has are read from it first. */
static int write_metric_page(site *s, pg_publish_metric *pm)
{
	char marker[64];
	page_key(s->model, pm);
	snprintf(marker, sizeof(marker), "<!-- page:%s -->", pm->page_key);
	if (pm->page_on_disk && strstr(pm->page_on_disk, marker)) {
		s->counts->pages++;
		return 0;
	}
	/* A plot that could not be read again is missing from the page: its key says so. */
	if (load_plots(s, pm))
		page_key(s->model, pm);
	return write_keyed(s, pm, pm->page, render_metric_page);
}

/* r NULL: the index, else release r's page. */
static int write_page(site *s, const pg_publish_release *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return oom();
	if (r)
		pg_publish_page_release(out, s->model, r);
	else
		pg_publish_page_index(out, s->model);
	if (fclose(out) != 0) {
		free(buf);
		return oom();
	}
	int rc = write_if_changed(s, r ? r->page : "index.html", buf, len);
	free(buf);
	return rc;
}

int pg_publish_write(pg_publish_counts *counts, pg_publish_model *model, const char *dir)
{
	site ctx = {model, counts, dir}, *s = &ctx;
	int rc = 0;
	for (size_t i = 0; i < model->n_releases && !rc; i++)
		if (model->releases[i].verdict && !model->releases[i].signoff)
			rc = pg_publish_release_sign_off(&model->releases[i]);
	for (size_t i = 0; i < model->n_metrics && !rc; i++) {
		rc = write_metric_page(s, &model->metrics[i]);
		if (!rc)
			rc = write_metric_data(s, &model->metrics[i]);
	}
	for (size_t i = 0; i < model->n_releases && !rc; i++)
		rc = write_page(s, &model->releases[i]);
	if (!rc)
		rc = write_page(s, NULL);
	if (!rc) {
		char *json = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&json, &len);
		if (out)
			data_json(out, model);
		rc = out && fclose(out) == 0 ? write_if_changed(s, "data.json", json, len) : oom();
		free(json);
	}
	return rc;
}

void pg_publish_model_release(pg_publish_model *m)
{
	for (size_t i = 0; i < m->n_metrics; i++) {
		pg_publish_metric *pm = &m->metrics[i];
		for (size_t k = 0; pm->series && k < m->n_env_keys; k++) {
			free(pm->series[k].env_key);
			free(pm->series[k].rows);
			free(pm->series[k].svg);
			pg_changes_release(&pm->series[k].changes);
			free(pm->series[k].card.status_text);
			free(pm->series[k].card.trend);
		}
		free(pm->series);
		free(pm->bench);
		free(pm->metric);
		free(pm->unit);
		free(pm->gate_text);
		free(pm->svg);
		free(pm->page_on_disk);
	}
	free(m->metrics);
	free(m->platforms);
	for (size_t k = 0; m->env_keys && k < m->n_env_keys; k++)
		free(m->env_keys[k]);
	free(m->env_keys);
	free(m->tag);
	free(m->tag_commit);
	pg_publish_releases_free(m->releases, m->n_releases);
	for (size_t i = 0; i < m->n_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
	memset(m, 0, sizeof(*m));
}

void pg_publish_counts_release(pg_publish_counts *counts)
{
	if (!counts)
		return;
	free(counts->no_plots);
	for (size_t i = 0; i < counts->n_warnings; i++)
		free(counts->warnings[i]);
	free(counts->warnings);
	memset(counts, 0, sizeof(*counts));
}
