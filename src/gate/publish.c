/* publish.c - `perfgate publish`'s reading: each env key's walk, marks, cards and platform, releases: the site's model */
#include "perfgate/gate_history.h"

#include "gate/releases.h"
#include "gate/site.h"
#include "perfgate/accept.h"
#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/hash.h"
#include "perfgate/marks.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"
#include "report/escape.h"

#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Points on an index card's sparkline: enough for a trend, few enough to read. */
#define TREND_POINTS 60

int pg_site_oom(void)
{
	return pg_error_set(PG_ENOMEM, "out of memory");
}

/* ---- history and commit subjects ---- */

static int load_histories(pg_site *s)
{
	const pg_publish_options *o = s->o;
	pg_publish_model *m = &s->model;
	pg_history *first = NULL;
	int rc = pg_history_load(&first, s->store, m->head, m->n, o->n_env_keys ? o->env_keys[0] : NULL, 0);
	if (rc)
		return rc;
	int any = 0;
	for (size_t i = 0; i < first->n_commits && !any; i++)
		any = first->commits[i].rs != NULL;
	if (!any) {
		pg_history_free(first);
		if (o->n_env_keys)
			return pg_error_set(PG_ESYSTEM, "no results stored for env %s on the last %d commits from HEAD "
							"(stored keys are listed by `perfgate log`)",
					    o->env_keys[0], m->n);
		return pg_error_set(PG_ESYSTEM, "no results stored on the last %d commits from HEAD "
						"(save some with `perfgate run --save`)",
				    m->n);
	}
	size_t n_keys = o->n_env_keys ? o->n_env_keys : 1 + first->n_other_keys;
	if (!(s->histories = calloc(n_keys, sizeof(*s->histories))) ||
	    !(m->env_keys = calloc(n_keys, sizeof(char *)))) {
		pg_history_free(first);
		return pg_site_oom();
	}
	s->histories[0] = first;
	m->n_env_keys = n_keys;
	for (size_t k = 0; k < n_keys && !rc; k++) {
		const char *key = k == 0 ? first->env_key : o->n_env_keys ? o->env_keys[k] : first->other_keys[k - 1];
		if (!(m->env_keys[k] = strdup(key)))
			return pg_site_oom();
		if (k > 0)
			rc = pg_history_load(&s->histories[k], s->store, m->head, m->n, key, 0);
	}
	m->back = first->n_commits > 0 ? (int)first->n_commits - 1 : 0;
	for (size_t i = 0; i < first->n_warnings && !rc; i++)
		rc = pg_publish_warn(&s->model, s->counts, "%s", first->warnings[i]);
	return rc;
}

static int load_subjects(pg_site *s)
{
	const pg_history *h = s->histories[0];
	git_repository *repo = pg_store_repo(s->store);
	if (!(s->subjects = calloc(h->n_commits ? h->n_commits : 1, sizeof(char *))))
		return pg_site_oom();
	for (size_t i = 0; i < h->n_commits; i++) {
		git_oid oid;
		git_commit *c = NULL;
		const char *subject = "";
		if (git_oid_fromstr(&oid, h->commits[i].commit) == 0 && git_commit_lookup(&c, repo, &oid) == 0)
			subject = git_commit_summary(c) ? git_commit_summary(c) : "";
		s->subjects[i] = strdup(subject);
		git_commit_free(c);
		if (!s->subjects[i])
			return pg_site_oom();
	}
	return 0;
}

/* The first commit of the walk (oldest first, one first-parent line) that is or descends from oid. */
static size_t first_containing(git_repository *repo, const pg_history *h, const git_oid *oid)
{
	size_t lo = 0, hi = h->n_commits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		git_oid at;
		int has = git_oid_fromstr(&at, h->commits[mid].commit) == 0 &&
			  (git_oid_equal(&at, oid) || git_graph_descendant_of(repo, &at, oid) == 1);
		if (has)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Every acceptance on the commits of the walk (trailers, accept records),
 * placed at the first commit of the walk that has it: a row's change is
 * covered by the acceptances placed after the row before it, up to it.
 */
static int load_acceptances(pg_site *s)
{
	const pg_history *h = s->histories[0];
	git_repository *repo = pg_store_repo(s->store);
	if (h->n_commits == 0)
		return 0;
	int rc = pg_acceptances_collect(&s->accepts, repo, s->store, h->n_commits > 1 ? h->commits[0].commit : NULL,
					h->commits[h->n_commits - 1].commit, NULL);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->accepts.n_warnings && !rc; i++)
		rc = pg_publish_warn(&s->model, s->counts, "%s", s->accepts.warnings[i]);
	if (rc || !(s->accept_at = calloc(s->accepts.n + 1, sizeof(size_t))))
		return rc ? rc : pg_site_oom();
	for (size_t i = 0; i < s->accepts.n; i++) {
		/* by is "abc1234 subject": the commit that carries it. */
		char abbrev[41] = "";
		git_object *obj = NULL;
		sscanf(s->accepts.items[i].by, "%40[0-9a-f]", abbrev);
		s->accept_at[i] = h->n_commits;
		if (abbrev[0] && git_revparse_single(&obj, repo, abbrev) == 0)
			s->accept_at[i] = first_containing(repo, h, git_object_id(obj));
		git_object_free(obj);
		git_error_clear();
	}
	return 0;
}

/* The acceptance of bench.metric placed in (after, upto] of the walk, or NULL. */
const pg_acceptance *pg_site_acceptance_in(const pg_site *s, const pg_publish_metric *pm, size_t after, size_t upto)
{
	char name[1024];
	snprintf(name, sizeof(name), "%s.%s", pm->bench, pm->metric);
	for (size_t i = 0; s->accept_at && i < s->accepts.n; i++)
		if (s->accept_at[i] > after && s->accept_at[i] <= upto && fnmatch(s->accepts.items[i].glob, name, 0) == 0)
			return &s->accepts.items[i];
	return NULL;
}

/* `git describe --tags --abbrev=0` from head: the previous release tag and its commit. */
static void find_tag(pg_site *s)
{
	git_repository *repo = pg_store_repo(s->store);
	git_describe_options opts;
	git_describe_format_options fopts;
	git_describe_result *res = NULL;
	git_object *head = NULL, *target = NULL;
	git_buf name = {0};
	git_describe_options_init(&opts, GIT_DESCRIBE_OPTIONS_VERSION);
	git_describe_format_options_init(&fopts, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
	opts.describe_strategy = GIT_DESCRIBE_TAGS;
	fopts.abbreviated_size = 0;
	if (git_revparse_single(&head, repo, s->model.head) == 0 &&
	    git_describe_commit(&res, head, &opts) == 0 && git_describe_format(&name, res, &fopts) == 0) {
		char spec[512];
		snprintf(spec, sizeof(spec), "refs/tags/%s^{commit}", name.ptr);
		if (git_revparse_single(&target, repo, spec) == 0) {
			char hex[GIT_OID_HEXSZ + 1];
			git_oid_tostr(hex, sizeof(hex), git_object_id(target));
			s->model.tag = strdup(name.ptr);
			s->model.tag_commit = strdup(hex);
		}
	}
	git_buf_dispose(&name);
	git_describe_result_free(res);
	git_object_free(head);
	git_object_free(target);
	git_error_clear();
}

/* ---- the metrics ---- */

/* Every metric of the walk, each benchmark's metrics together in the order the newest result has them. */
static int collect_metrics(pg_site *s)
{
	pg_publish_model *m = &s->model;
	size_t cap = 0;
	for (size_t k = 0; k < m->n_env_keys; k++) {
		const pg_history *h = s->histories[k];
		for (size_t i = h->n_commits; i-- > 0;) {
			const pg_result_set *rs = h->commits[i].rs;
			for (size_t b = 0; rs && b < rs->n_benchmarks; b++) {
				const pg_benchmark *bench = &rs->benchmarks[b];
				size_t after = m->n_metrics;
				for (size_t j = 0; j < bench->n_metrics; j++) {
					int found = 0;
					for (size_t x = 0; x < m->n_metrics && !found; x++) {
						if (strcmp(m->metrics[x].bench, bench->name) != 0)
							continue;
						after = x + 1;
						found = strcmp(m->metrics[x].metric, bench->metrics[j].name) == 0;
					}
					if (found)
						continue;
					if (m->n_metrics == cap) {
						cap = cap ? cap * 2 : 32;
						pg_publish_metric *grown = realloc(m->metrics, cap * sizeof(*grown));
						if (!grown)
							return pg_site_oom();
						m->metrics = grown;
					}
					memmove(&m->metrics[after + 1], &m->metrics[after],
						(m->n_metrics - after) * sizeof(*m->metrics));
					pg_publish_metric *pm = &m->metrics[after];
					memset(pm, 0, sizeof(*pm));
					m->n_metrics++;
					pm->bench = strdup(bench->name);
					pm->metric = strdup(bench->metrics[j].name);
					pm->unit = strdup(bench->metrics[j].unit ? bench->metrics[j].unit : "");
					pm->better_higher = bench->metrics[j].better == PG_BETTER_HIGHER;
					pm->on_index = j == 0;
					pm->threshold = s->o->gates && s->o->gates->regression > 0
								? s->o->gates->regression
								: 0.10;
					if (!pm->bench || !pm->metric || !pm->unit)
						return pg_site_oom();
					after++;
				}
			}
		}
	}
	/* Page names: the plot name made safe, numbered where two metrics make the same one. */
	for (size_t i = 0; i < m->n_metrics; i++) {
		char name[600];
		pg_report_plot_name(name, sizeof(name), m->metrics[i].bench, m->metrics[i].metric);
		snprintf(m->metrics[i].page, sizeof(m->metrics[i].page), "%s.html", name);
		for (int n = 2;; n++) {
			/* (data.html would give the data file the name of the site's data.json) */
			int clash = strcmp(m->metrics[i].page, "index.html") == 0 ||
				    strcmp(m->metrics[i].page, "data.html") == 0;
			for (size_t j = 0; j < i && !clash; j++)
				clash = strcmp(m->metrics[j].page, m->metrics[i].page) == 0;
			if (!clash)
				break;
			snprintf(m->metrics[i].page, sizeof(m->metrics[i].page), "%s-%d.html", name, n);
		}
		size_t stem = strlen(m->metrics[i].page) - strlen(".html");
		snprintf(m->metrics[i].data, sizeof(m->metrics[i].data), "%.*s.json", (int)stem, m->metrics[i].page);
	}
	return 0;
}

/* One metric in one key: its rows, and the key of its plot. */
static int fill_series(pg_site *s, pg_publish_metric *pm, size_t k)
{
	const pg_history *h = s->histories[k];
	pg_publish_series *ser = &pm->series[k];
	if (!(ser->env_key = strdup(s->model.env_keys[k])) ||
	    !(ser->rows = calloc(h->n_commits ? h->n_commits : 1, sizeof(*ser->rows))))
		return pg_site_oom();
	/* The version names what a plot shows: /2 drew change points. */
	uint64_t key = pg_fnv1a_field(PG_FNV_BASIS, "perfgate-publish/3"); /* /3: red points are check's marks */
	key = pg_fnv1a_field(key, pm->bench);
	key = pg_fnv1a_field(key, pm->metric);
	key = pg_fnv1a_field(key, ser->env_key);
	key = pg_fnv1a(key, &pm->threshold, sizeof(pm->threshold));
	key = pg_fnv1a(key, &pm->target, sizeof(pm->target));
	key = pg_fnv1a(key, &pm->target_is_max, sizeof(pm->target_is_max));
	size_t prev = 0;
	pg_lookup_hint near = {0, 0};
	for (size_t i = 0; i < h->n_commits; i++) {
		const pg_metric *mt = pg_result_set_ok_metric(h->commits[i].rs, pm->bench, pm->metric, &near);
		double v;
		if (!mt || pg_metric_center(mt, &v) != 0 || !isfinite(v))
			continue;
		pg_publish_row *r = &ser->rows[ser->n_rows];
		r->commit = h->commits[i].commit;
		r->subject = s->subjects[i];
		r->value = v;
		r->p90 = mt->has_summary ? mt->summary.p90 : NAN;
		r->n = mt->has_summary ? mt->summary.n : mt->n_samples ? mt->n_samples : (size_t)mt->has_value;
		r->change = NAN;
		if (ser->n_rows > 0 && r[-1].value != 0) {
			r->change = v / r[-1].value - 1.0;
			if (pm->better_higher)
				r->change = -r->change;
		}
		const pg_acceptance *acc = ser->n_rows > 0 ? pg_site_acceptance_in(s, pm, prev, i) : NULL;
		if (acc)
			r->accepted_by = acc->by;
		size_t at = i * s->model.n_metrics + (size_t)(pm - s->model.metrics);
		r->mark = ser->n_rows > 0 && s->marks ? s->marks[k][at] : PG_MARK_NONE;
		r->accepted = r->mark == PG_MARK_ACCEPTED;
		prev = i;
		double lo = mt->has_summary ? mt->summary.min : NAN;
		key = pg_fnv1a(key, r->commit, 40);
		key = pg_fnv1a(key, &v, sizeof(v));
		key = pg_fnv1a(key, &lo, sizeof(lo));
		key = pg_fnv1a(key, &r->p90, sizeof(r->p90));
		key = pg_fnv1a(key, &r->n, sizeof(r->n));
		key = pg_fnv1a(key, &r->mark, sizeof(r->mark));
		ser->n_rows++;
	}
	snprintf(ser->plot_key, sizeof(ser->plot_key), "%016llx", (unsigned long long)key);
	int rc = pg_changes_find_metric(&ser->changes, h, pm->bench, pm->metric, NULL);
	return rc ? rc : pg_gate_changes_annotate(&ser->changes, pg_store_repo(s->store), s->store);
}

static double worse_change(const pg_publish_metric *pm, double base, double head)
{
	if (!isfinite(base) || !isfinite(head) || base == 0)
		return NAN;
	double c = head / base - 1.0;
	return pm->better_higher ? -c : c;
}

/* Key k's card of a metric: latest value, trend, change against the oldest of the walk and the release tag. */
static int fill_card_values(pg_site *s, pg_publish_metric *pm, size_t k,
			    const pg_commit_records *tag_records)
{
	pg_publish_series *ser = &pm->series[k];
	pg_publish_card *card = &ser->card;
	if (ser->n_rows == 0)
		return 0;
	const pg_publish_row *last = &ser->rows[ser->n_rows - 1];
	card->latest = last->value;
	card->latest_commit = last->commit;
	if (ser->n_rows > 1) {
		card->vs_back = worse_change(pm, ser->rows[0].value, last->value);
		card->back_commit = ser->rows[0].commit;
	}
	size_t from = ser->n_rows > TREND_POINTS ? ser->n_rows - TREND_POINTS : 0;
	card->n_trend = ser->n_rows - from;
	if (!(card->trend = malloc(card->n_trend * sizeof(double))))
		return pg_site_oom();
	for (size_t i = from; i < ser->n_rows; i++)
		card->trend[i - from] = ser->rows[i].value;
	if (tag_records) {
		const pg_result_set *rs = pg_records_latest(tag_records, s->model.env_keys[k]);
		const pg_metric *mt = pg_result_set_ok_metric(rs, pm->bench, pm->metric, NULL);
		double v;
		if (mt && pg_metric_center(mt, &v) == 0)
			card->vs_tag = worse_change(pm, v, last->value);
	}
	return 0;
}

/* The key of a metric's plot of every env key: what each key's plot draws, in the site's order of keys. */
static void together_key(pg_publish_metric *pm, size_t n_keys)
{
	uint64_t key = pg_fnv1a_field(PG_FNV_BASIS, "perfgate-publish-keys/1");
	for (size_t k = 0; k < n_keys; k++)
		key = pg_fnv1a_field(key, pm->series[k].plot_key);
	snprintf(pm->plot_key, sizeof(pm->plot_key), "%016llx", (unsigned long long)key);
}

/* ---- the platforms: each env key's part of the site ---- */

/*
 * Each key's newest commit with results, the benchmarks that broke there
 * (a card shows a benchmark's newest clean result: check fails on a broken
 * one), and the id of its part of the pages: "env-" and the key with what
 * an id or a URL fragment would need escaped made "_", numbered where two
 * keys make the same one.
 */
static int name_platforms(pg_site *s)
{
	pg_publish_model *m = &s->model;
	if (!(m->platforms = calloc(m->n_env_keys, sizeof(*m->platforms))))
		return pg_site_oom();
	for (size_t k = 0; k < m->n_env_keys; k++) {
		pg_publish_platform *p = &m->platforms[k];
		const pg_history *h = s->histories[k];
		for (size_t i = h->n_commits; i-- > 0 && !p->latest_commit;) {
			const pg_result_set *rs = h->commits[i].rs;
			if (!rs)
				continue;
			p->latest_commit = h->commits[i].commit;
			p->latest_subject = s->subjects[i];
			for (size_t b = 0; b < rs->n_benchmarks; b++) {
				pg_status st = rs->benchmarks[b].status;
				if (st == PG_STATUS_OK || st == PG_STATUS_SKIPPED)
					continue;
				if (p->n_broken++ == 0)
					p->broken = rs->benchmarks[b].name;
			}
		}
		char safe[80];
		size_t n = 0;
		for (const char *c = m->env_keys[k]; *c && n + 1 < sizeof(safe); c++)
			safe[n++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
					    *c == '-' || *c == '_' || *c == '.'
					    ? *c
					    : '_';
		safe[n] = '\0';
		snprintf(p->anchor, sizeof(p->anchor), "env-%s", safe);
		for (int number = 2;; number++) {
			int clash = 0;
			for (size_t j = 0; j < k && !clash; j++)
				clash = strcmp(m->platforms[j].anchor, p->anchor) == 0;
			if (!clash)
				break;
			snprintf(p->anchor, sizeof(p->anchor), "env-%s-%d", safe, number);
		}
	}
	return 0;
}

/* ---- the releases, and the flow ---- */

static int warn_text(void *ctx, const char *text)
{
	pg_site *s = ctx;
	return pg_publish_warn(&s->model, s->counts, "%s", text);
}

/* The release tags along the walk of the first env key, each decided against the one before. */
static int find_releases(pg_site *s)
{
	const char **taken = calloc(s->model.n_metrics + 1, sizeof(*taken));
	if (!taken)
		return pg_site_oom();
	for (size_t i = 0; i < s->model.n_metrics; i++)
		taken[i] = s->model.metrics[i].page;
	pg_release_walk w = {s->store,     s->histories[0], s->o->gates,       s->o->dir, &s->accepts,
			     s->accept_at, taken,           s->model.n_metrics, warn_text, s};
	int rc = pg_gate_releases(&s->model.releases, &s->model.n_releases, &w);
	free(taken);
	return rc;
}

static void site_release(pg_site *s)
{
	pg_publish_model *m = &s->model;
	size_t n_keys = m->n_env_keys, n_commits = s->histories && s->histories[0] ? s->histories[0]->n_commits : 0;
	pg_site_marks_free(s);
	pg_publish_model_release(m);
	for (size_t i = 0; s->subjects && i < n_commits; i++)
		free(s->subjects[i]);
	free(s->subjects);
	for (size_t k = 0; s->histories && k < n_keys; k++)
		pg_history_free(s->histories[k]);
	free(s->histories);
	pg_acceptances_release(&s->accepts);
	free(s->accept_at);
}

int pg_gate_publish(pg_publish_counts *counts, pg_store *store, const char *head, const pg_publish_options *o)
{
	pg_site s = {.store = store, .o = o, .counts = counts};
	pg_commit_records tag_records;
	int have_tag = 0, rc;
	memset(counts, 0, sizeof(*counts));
	s.model.title = o->title ? o->title : "perfgate";
	s.model.repo_url = o->repo_url;
	s.model.head = head;
	s.model.n = o->n > 0 ? o->n : 50;
	if (!pg_store_repo(store))
		return pg_error_set(PG_ESYSTEM, "publish needs a git repository");
	rc = load_histories(&s);
	if (!rc)
		rc = load_subjects(&s);
	if (!rc)
		rc = load_acceptances(&s);
	if (!rc) {
		find_tag(&s);
		rc = collect_metrics(&s);
	}
	/* A tag whose commit has no readable results only leaves the column empty. */
	if (!rc && s.model.tag_commit) {
		have_tag = pg_store_read_summaries(&tag_records, store, s.model.tag_commit) == 0;
		pg_error_clear();
	}
	for (size_t i = 0; i < s.model.n_metrics && !rc; i++) {
		pg_publish_metric *pm = &s.model.metrics[i];
		if (!(pm->series = calloc(s.model.n_env_keys, sizeof(*pm->series)))) {
			rc = pg_site_oom();
			break;
		}
		for (size_t k = 0; k < s.model.n_env_keys; k++) {
			pg_publish_card *card = &pm->series[k].card;
			card->latest = card->vs_tag = card->vs_back = NAN;
		}
	}
	if (!rc)
		rc = name_platforms(&s);
	if (!rc)
		rc = pg_site_decide_status(&s);
	if (!rc)
		rc = pg_site_decide_marks(&s);
	for (size_t i = 0; i < s.model.n_metrics && !rc; i++) {
		pg_publish_metric *pm = &s.model.metrics[i];
		for (size_t k = 0; k < s.model.n_env_keys && !rc; k++) {
			rc = fill_series(&s, pm, k);
			if (!rc)
				rc = fill_card_values(&s, pm, k, have_tag ? &tag_records : NULL);
		}
		if (!rc && s.model.n_env_keys > 1)
			together_key(pm, s.model.n_env_keys);
	}
	s.model.histories = (const pg_history *const *)s.histories;
	s.model.marks = (const pg_mark *const *)s.marks;
	if (!rc)
		rc = pg_publish_plots(counts, &s.model, o->dir);
	if (!rc)
		rc = find_releases(&s);
	if (!rc)
		rc = pg_publish_write(counts, &s.model, o->dir);
	if (have_tag)
		pg_commit_records_release(&tag_records);
	site_release(&s);
	return rc;
}
