/* site.c - `perfgate publish`: the dashboard's model from history, its plots, and incremental writes */
#include "perfgate/publish.h"

#include "perfgate/accept.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/fileio.h"
#include "perfgate/hash.h"
#include "perfgate/marks.h"
#include "perfgate/plot.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"
#include "publish/releases.h"
#include "report/escape.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Points on an index card's sparkline: enough for a trend, few enough to read. */
#define TREND_POINTS 60

typedef struct site {
	pg_publish_model model;
	char **old_pages;       /* per metric, the page as on disk (NULL: none), read once */
	size_t *old_lens;
	pg_history **histories; /* one per env key, same commits in the same order */
	char **subjects;        /* per commit of the walk */
	pg_acceptances accepts; /* what accepts changes along the walk */
	size_t *accept_at;      /* per acceptance: the first commit of the walk that has it */
	pg_verdict ***verdicts; /* per env key and commit: that commit against the results before it, or NULL */
	pg_commit_records **full; /* per env key and commit: the records read with samples for the marks */
	int **full_read;
	pg_store *store;
	const pg_publish_options *o;
	pg_publish_counts *counts;
} site;

static int oom(void)
{
	return pg_error_set(PG_ENOMEM, "out of memory");
}

static int push_string(char ***list, size_t *n, const char *s)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(char *));
	if (!grown)
		return oom();
	*list = grown;
	if (!(grown[*n] = strdup(s)))
		return oom();
	(*n)++;
	return 0;
}

static int warn(site *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(site *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	int rc = push_string(&s->model.warnings, &s->model.n_warnings, buf);
	return rc ? rc : push_string(&s->counts->warnings, &s->counts->n_warnings, buf);
}

/* ---- history and commit subjects ---- */

static int load_histories(site *s)
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
		return oom();
	}
	s->histories[0] = first;
	m->n_env_keys = n_keys;
	for (size_t k = 0; k < n_keys && !rc; k++) {
		const char *key = k == 0 ? first->env_key : o->n_env_keys ? o->env_keys[k] : first->other_keys[k - 1];
		if (!(m->env_keys[k] = strdup(key)))
			return oom();
		if (k > 0)
			rc = pg_history_load(&s->histories[k], s->store, m->head, m->n, key, 0);
	}
	m->back = first->n_commits > 0 ? (int)first->n_commits - 1 : 0;
	for (size_t i = 0; i < first->n_warnings && !rc; i++)
		rc = warn(s, "%s", first->warnings[i]);
	return rc;
}

static int load_subjects(site *s)
{
	const pg_history *h = s->histories[0];
	git_repository *repo = pg_store_repo(s->store);
	if (!(s->subjects = calloc(h->n_commits ? h->n_commits : 1, sizeof(char *))))
		return oom();
	for (size_t i = 0; i < h->n_commits; i++) {
		git_oid oid;
		git_commit *c = NULL;
		const char *subject = "";
		if (git_oid_fromstr(&oid, h->commits[i].commit) == 0 && git_commit_lookup(&c, repo, &oid) == 0)
			subject = git_commit_summary(c) ? git_commit_summary(c) : "";
		s->subjects[i] = strdup(subject);
		git_commit_free(c);
		if (!s->subjects[i])
			return oom();
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
static int load_acceptances(site *s)
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
		rc = warn(s, "%s", s->accepts.warnings[i]);
	if (rc || !(s->accept_at = calloc(s->accepts.n + 1, sizeof(size_t))))
		return rc ? rc : oom();
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
static const pg_acceptance *acceptance_in(const site *s, const pg_publish_metric *pm, size_t after, size_t upto)
{
	char name[1024];
	snprintf(name, sizeof(name), "%s.%s", pm->bench, pm->metric);
	for (size_t i = 0; s->accept_at && i < s->accepts.n; i++)
		if (s->accept_at[i] > after && s->accept_at[i] <= upto && fnmatch(s->accepts.items[i].glob, name, 0) == 0)
			return &s->accepts.items[i];
	return NULL;
}

/* `git describe --tags --abbrev=0` from head: the previous release tag and its commit. */
static void find_tag(site *s)
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

static const pg_metric *metric_of(const pg_result_set *rs, const char *bench, const char *metric)
{
	const pg_benchmark *b = rs ? pg_result_set_find(rs, bench) : NULL;
	return b && b->status == PG_STATUS_OK ? pg_benchmark_find_metric(b, metric) : NULL;
}

/* Every metric of the walk, each benchmark's metrics together in the order the newest result has them. */
static int collect_metrics(site *s)
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
							return oom();
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
					pm->latest = pm->vs_tag = pm->vs_back = NAN;
					pm->threshold = s->o->gates && s->o->gates->regression > 0
								? s->o->gates->regression
								: 0.10;
					if (!pm->bench || !pm->metric || !pm->unit)
						return oom();
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
			int clash = strcmp(m->metrics[i].page, "index.html") == 0;
			for (size_t j = 0; j < i && !clash; j++)
				clash = strcmp(m->metrics[j].page, m->metrics[i].page) == 0;
			if (!clash)
				break;
			snprintf(m->metrics[i].page, sizeof(m->metrics[i].page), "%s-%d.html", name, n);
		}
	}
	return 0;
}

/* ---- marks: each commit against the results before it, as check decides ---- */

/* The options check would take from the gates file. */
static pg_compare_options compare_options(const site *s)
{
	pg_compare_options opts = {0};
	if (s->o->gates) {
		opts.regression = s->o->gates->regression;
		opts.alpha = s->o->gates->alpha;
	}
	return opts;
}

/* The lowest relative threshold any metric is held to: a smaller move is unchanged without a test. */
static double least_threshold(const site *s)
{
	const pg_gates *g = s->o->gates;
	double least = g && g->regression > 0 ? g->regression : 0.10;
	for (size_t i = 0; g && i < g->n_gates; i++)
		if (g->gates[i].has_regression && g->gates[i].regression < least)
			least = g->gates[i].regression;
	return least;
}

/* Some metric of head moved by more than least against the base, or from or to zero. */
static int moved(const pg_result_set *head, const pg_result_set *base, double least)
{
	for (size_t b = 0; b < head->n_benchmarks; b++) {
		const pg_benchmark *hb = &head->benchmarks[b], *bb = pg_result_set_find(base, hb->name);
		for (size_t j = 0; bb && j < hb->n_metrics; j++) {
			const pg_metric *bm = pg_benchmark_find_metric(bb, hb->metrics[j].name);
			double h, v;
			if (!bm || pg_metric_center(&hb->metrics[j], &h) != 0 || pg_metric_center(bm, &v) != 0)
				continue;
			if (v == 0 ? h != 0 : fabs(h / v - 1.0) > least)
				return 1;
		}
	}
	return 0;
}

/* Commit i of key k with its samples (the history holds summaries), read once. */
static const pg_result_set *full_of(site *s, size_t k, size_t i)
{
	if (!s->full_read[k][i]) {
		if (pg_store_read(&s->full[k][i], s->store, s->histories[k]->commits[i].commit) != 0) {
			pg_error_clear();
			return NULL;
		}
		s->full_read[k][i] = 1;
	}
	return pg_records_latest(&s->full[k][i], s->model.env_keys[k]);
}

/* Runs read for the run-to-run model of a mark: enough for any benchmark's `history` K. */
#define HISTORY_RUNS_READ 50

/*
 * Commit i of key k against, per benchmark, the newest earlier commit of the
 * walk with it. Only a commit whose summaries moved beyond the lowest
 * threshold is decided (on its samples, read then): under every threshold
 * check says unchanged without a test.
 */
static int decide_commit(site *s, size_t k, size_t i, const pg_result_set **earlier, const char **commits)
{
	const pg_history *h = s->histories[k];
	const pg_result_set *head = h->commits[i].rs;
	pg_result_set *base = NULL;
	pg_base_origin *origins = NULL;
	pg_run_history *history = NULL;
	size_t oldest = 0, n = 0;
	if (!head)
		return 0;
	for (size_t j = i; j-- > 0;) {
		earlier[n] = h->commits[j].rs;
		commits[n++] = h->commits[j].commit;
	}
	int rc = pg_marks_base(&base, &origins, &oldest, head, earlier, commits, n);
	if (rc || !base)
		return rc;
	if (!moved(head, base, least_threshold(s))) {
		/* Unchanged, as check would say: a verdict without tests. */
		pg_compare_options quick = compare_options(s);
		quick.regression = 1e9;
		rc = pg_marks_decide(&s->verdicts[k][i], head, base, origins, NULL, &quick, NULL);
		goto out_base;
	}
	/* The run-to-run model on the summaries before this commit, as check has it from the store. */
	if ((rc = pg_marks_history(&history, head, earlier, n, HISTORY_RUNS_READ)))
		goto out_base;
	/* The same decision on the samples: the head and each base commit read in full. */
	const pg_result_set *full_head = full_of(s, k, i);
	for (size_t b = 0; b < base->n_benchmarks; b++) {
		size_t at = i - (size_t)origins[b].depth;
		earlier[origins[b].depth - 1] = full_of(s, k, at);
	}
	for (size_t j = 0; j < n; j++) {
		int used = 0;
		for (size_t b = 0; b < base->n_benchmarks && !used; b++)
			used = (size_t)origins[b].depth == j + 1;
		if (!used)
			earlier[j] = NULL;
	}
	pg_result_set_free(base);
	free(origins);
	base = NULL;
	origins = NULL;
	if (!full_head || (rc = pg_marks_base(&base, &origins, &oldest, full_head, earlier, commits, n)) ||
	    !base)
		goto out_base;
	/* What accepts a change here: acceptances on the commits after the oldest base, up to this one. */
	size_t from = i - 1 - oldest;
	pg_acceptances step = {0};
	if (!(step.items = calloc(s->accepts.n + 1, sizeof(*step.items)))) {
		rc = oom();
		goto out;
	}
	for (size_t a = 0; s->accept_at && a < s->accepts.n; a++)
		if (s->accept_at[a] > from && s->accept_at[a] <= i)
			step.items[step.n++] = s->accepts.items[a];
	pg_compare_options opts = compare_options(s);
	opts.history = history;
	rc = pg_marks_decide(&s->verdicts[k][i], full_head, base, origins, s->o->gates, &opts, &step);
	if (rc == PG_EINPUT && s->o->gates) {
		/* The gates name a metric this older commit did not measure: its marks without them. */
		pg_error_clear();
		rc = pg_marks_decide(&s->verdicts[k][i], full_head, base, origins, NULL, &opts, &step);
	}
out:
	free(step.items); /* the items' strings belong to s->accepts */
out_base:
	pg_run_history_free(history);
	pg_result_set_free(base);
	free(origins);
	return rc;
}

static int decide_marks(site *s)
{
	const pg_publish_model *m = &s->model;
	if (!(s->verdicts = calloc(m->n_env_keys, sizeof(*s->verdicts))) ||
	    !(s->full = calloc(m->n_env_keys, sizeof(*s->full))) ||
	    !(s->full_read = calloc(m->n_env_keys, sizeof(*s->full_read))))
		return oom();
	int rc = 0;
	for (size_t k = 0; k < m->n_env_keys && !rc; k++) {
		size_t n = s->histories[k]->n_commits;
		const pg_result_set **earlier = calloc(n + 1, sizeof(*earlier));
		const char **commits = calloc(n + 1, sizeof(*commits));
		if (!(s->verdicts[k] = calloc(n + 1, sizeof(pg_verdict *))) || !earlier || !commits ||
		    !(s->full[k] = calloc(n + 1, sizeof(pg_commit_records))) ||
		    !(s->full_read[k] = calloc(n + 1, sizeof(int))))
			rc = oom();
		for (size_t i = 0; i < n && !rc; i++)
			rc = decide_commit(s, k, i, earlier, commits);
		free(earlier);
		free(commits);
	}
	return rc;
}

static void verdicts_free(site *s)
{
	for (size_t k = 0; s->verdicts && k < s->model.n_env_keys; k++) {
		for (size_t i = 0; s->histories && s->histories[k] && i < s->histories[k]->n_commits; i++) {
			if (s->verdicts[k])
				pg_verdict_free(s->verdicts[k][i]);
			if (s->full && s->full[k] && s->full_read && s->full_read[k] && s->full_read[k][i])
				pg_commit_records_release(&s->full[k][i]);
		}
		free(s->verdicts[k]);
		if (s->full)
			free(s->full[k]);
		if (s->full_read)
			free(s->full_read[k]);
	}
	free(s->verdicts);
	free(s->full);
	free(s->full_read);
}

/* One metric in one key: its rows, and the key of its plot. */
static int fill_series(site *s, pg_publish_metric *pm, size_t k)
{
	const pg_history *h = s->histories[k];
	pg_publish_series *ser = &pm->series[k];
	if (!(ser->env_key = strdup(s->model.env_keys[k])) ||
	    !(ser->rows = calloc(h->n_commits ? h->n_commits : 1, sizeof(*ser->rows))))
		return oom();
	/* The version names what a plot shows: /2 drew change points. */
	uint64_t key = pg_fnv1a_field(PG_FNV_BASIS, "perfgate-publish/3"); /* /3: red points are check's marks */
	key = pg_fnv1a_field(key, pm->bench);
	key = pg_fnv1a_field(key, pm->metric);
	key = pg_fnv1a_field(key, ser->env_key);
	key = pg_fnv1a(key, &pm->threshold, sizeof(pm->threshold));
	key = pg_fnv1a(key, &pm->target, sizeof(pm->target));
	key = pg_fnv1a(key, &pm->target_is_max, sizeof(pm->target_is_max));
	size_t prev = 0;
	for (size_t i = 0; i < h->n_commits; i++) {
		const pg_metric *mt = metric_of(h->commits[i].rs, pm->bench, pm->metric);
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
		const pg_acceptance *acc = ser->n_rows > 0 ? acceptance_in(s, pm, prev, i) : NULL;
		if (acc)
			r->accepted_by = acc->by;
		r->mark = ser->n_rows > 0 && s->verdicts ? pg_marks_of(s->verdicts[k][i], pm->bench, pm->metric, NULL)
							 : PG_MARK_NONE;
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

/* Latest value, trend, change against the oldest of the walk and against the release tag. */
static int fill_card_values(site *s, pg_publish_metric *pm, const pg_commit_records *tag_records)
{
	const pg_publish_series *ser = &pm->series[0];
	if (ser->n_rows == 0)
		return 0;
	const pg_publish_row *last = &ser->rows[ser->n_rows - 1];
	pm->latest = last->value;
	pm->latest_commit = last->commit;
	if (ser->n_rows > 1) {
		pm->vs_back = worse_change(pm, ser->rows[0].value, last->value);
		pm->back_commit = ser->rows[0].commit;
	}
	size_t from = ser->n_rows > TREND_POINTS ? ser->n_rows - TREND_POINTS : 0;
	pm->n_trend = ser->n_rows - from;
	if (!(pm->trend = malloc(pm->n_trend * sizeof(double))))
		return oom();
	for (size_t i = from; i < ser->n_rows; i++)
		pm->trend[i - from] = ser->rows[i].value;
	if (tag_records) {
		const pg_result_set *rs = pg_records_latest(tag_records, s->model.env_keys[0]);
		const pg_metric *mt = metric_of(rs, pm->bench, pm->metric);
		double v;
		if (mt && pg_metric_center(mt, &v) == 0)
			pm->vs_tag = worse_change(pm, v, last->value);
	}
	return 0;
}

/* ---- status: the newest result of each benchmark against its previous one ---- */

typedef struct full_reads {
	pg_commit_records *records; /* per commit of the walk, read on demand */
	int *read;
} full_reads;

static const pg_result_set *full_set(site *s, full_reads *f, size_t i)
{
	const pg_history *h = s->histories[0];
	if (!f->read[i]) {
		if (pg_store_read(&f->records[i], s->store, h->commits[i].commit) != 0)
			return NULL;
		f->read[i] = 1;
	}
	return pg_records_latest(&f->records[i], s->model.env_keys[0]);
}

static void gate_text_add(char **text, const char *part)
{
	size_t old = *text ? strlen(*text) : 0;
	char *grown = realloc(*text, old + strlen(part) + 8);
	if (!grown)
		return;
	snprintf(grown + old, strlen(part) + 8, "%s%s", old ? ", " : "", part);
	*text = grown;
}

static pg_publish_metric *find_metric(site *s, const char *bench, const char *metric)
{
	for (size_t i = 0; i < s->model.n_metrics; i++)
		if (strcmp(s->model.metrics[i].bench, bench) == 0 && strcmp(s->model.metrics[i].metric, metric) == 0)
			return &s->model.metrics[i];
	return NULL;
}

/* Where each benchmark of a card's comparison was found along the walk. */
typedef struct card_span {
	const char *bench;
	size_t base_at, head_at; /* base_at == head_at: no base */
} card_span;

/* The acceptance that covers a worse change c of pm between the two results of its card, or NULL. */
static const pg_acceptance *card_acceptance(const site *s, const pg_publish_metric *pm, const pg_metric_change *c,
					    const card_span *spans, size_t n_spans)
{
	if (c->verdict != PG_CHANGE_REGRESSION && c->verdict != PG_CHANGE_INCONCLUSIVE)
		return NULL;
	for (size_t i = 0; i < n_spans; i++) {
		if (strcmp(spans[i].bench, c->bench) != 0 || spans[i].base_at == spans[i].head_at)
			continue;
		const pg_acceptance *a = acceptance_in(s, pm, spans[i].base_at, spans[i].head_at);
		return a && (!a->has_bound || c->change <= a->bound) ? a : NULL;
	}
	return NULL;
}

static void apply_verdict(site *s, const pg_verdict *v, const card_span *spans, size_t n_spans)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		pg_publish_metric *pm = c->stat ? NULL : find_metric(s, c->bench, c->metric);
		if (!pm)
			continue;
		char text[160], change[32];
		pm->on_index |= c->gated;
		pm->threshold = c->threshold > 0 ? c->threshold : pm->threshold;
		if (c->gated) {
			snprintf(text, sizeof(text), "%s%.3g %% vs previous", pm->better_higher ? "-" : "+",
				 pm->threshold * 100);
			gate_text_add(&pm->gate_text, text);
		}
		if (!c->has_base || c->verdict == PG_CHANGE_NO_BASELINE) {
			pm->status = PG_PUBLISH_NONE;
			continue;
		}
		pg_format_change(change, sizeof(change), pm->better_higher ? -c->change : c->change);
		const char *what = "unchanged";
		const pg_acceptance *acc = card_acceptance(s, pm, c, spans, n_spans);
		switch (acc ? PG_CHANGE_ACCEPTED : c->verdict) {
		case PG_CHANGE_REGRESSION:
			pm->status = c->gated ? PG_PUBLISH_FAIL : PG_PUBLISH_WARN;
			what = "regression";
			break;
		case PG_CHANGE_INCONCLUSIVE:
			pm->status = PG_PUBLISH_WARN;
			what = "inconclusive";
			break;
		case PG_CHANGE_IMPROVEMENT:
			pm->status = PG_PUBLISH_PASS;
			what = "improvement";
			break;
		case PG_CHANGE_ACCEPTED:
			pm->status = PG_PUBLISH_PASS;
			what = "accepted";
			break;
		default:
			pm->status = PG_PUBLISH_PASS;
		}
		snprintf(text, sizeof(text), "%s %s vs %.7s%s%s", what, change,
			 c->base_commit ? c->base_commit : "previous", acc ? " by " : "", acc ? acc->by : "");
		free(pm->status_text);
		pm->status_text = strdup(text);
	}
	for (size_t g = 0; g < v->n_gates; g++) {
		const pg_gate_result *gr = &v->gates[g];
		for (size_t i = 0; i < s->model.n_metrics; i++) {
			pg_publish_metric *pm = &s->model.metrics[i];
			size_t nb = strlen(pm->bench), nm = strlen(pm->metric);
			if (!gr->metric || strncmp(gr->metric, pm->bench, nb) != 0 || gr->metric[nb] != '.' ||
			    strncmp(gr->metric + nb + 1, pm->metric, nm) != 0 ||
			    (gr->metric[nb + 1 + nm] != '\0' && gr->metric[nb + 1 + nm] != '.'))
				continue;
			char bound[64], text[160];
			if (gr->bound_text)
				snprintf(bound, sizeof(bound), "%s", gr->bound_text);
			else
				pg_format_value(bound, sizeof(bound), gr->bound, gr->unit ? gr->unit : pm->unit);
			const char *stat = gr->metric[nb + 1 + nm] ? gr->metric + nb + 2 + nm : "";
			snprintf(text, sizeof(text), "%s %s%s%s", gr->is_max ? "\xe2\x89\xa4" : "\xe2\x89\xa5", bound,
				 stat[0] ? " " : "", stat);
			gate_text_add(&pm->gate_text, text);
			pm->on_index = 1;
			/* The plot shows medians: a gate on them (not on p99, say) is its target line. */
			if (!stat[0] || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0) {
				pm->target = gr->bound;
				pm->target_is_max = gr->is_max;
			}
			if (!gr->pass) {
				pm->status = PG_PUBLISH_FAIL;
				snprintf(text, sizeof(text), "gate %s%s %s failed", gr->metric + nb + 1 + nm,
					 gr->is_max ? " \xe2\x89\xa4" : " \xe2\x89\xa5", bound);
				free(pm->status_text);
				pm->status_text = strdup(text);
			} else if (pm->status == PG_PUBLISH_NONE) {
				pm->status = PG_PUBLISH_PASS;
			}
		}
	}
}

static int decide_status(site *s)
{
	const pg_history *h = s->histories[0];
	full_reads f = {calloc(h->n_commits + 1, sizeof(pg_commit_records)), calloc(h->n_commits + 1, sizeof(int))};
	pg_result_set *head = pg_result_set_new(), *base = pg_result_set_new();
	pg_verdict *v = NULL;
	pg_base_origin *origins = calloc(s->model.n_metrics + 1, sizeof(*origins));
	card_span *spans = calloc(s->model.n_metrics + 1, sizeof(*spans));
	size_t n_spans = 0;
	int rc = 0;
	if (!f.records || !f.read || !head || !base || !origins || !spans) {
		rc = oom();
		goto out;
	}
	/* Each benchmark from the newest commit that has it, against the one before that has it. */
	for (size_t i = 0; i < s->model.n_metrics && !rc; i++) {
		const char *bench = s->model.metrics[i].bench;
		if (pg_result_set_find(head, bench))
			continue;
		size_t found = 0;
		card_span *span = &spans[n_spans++];
		span->bench = bench;
		for (size_t c = h->n_commits; c-- > 0 && found < 2;) {
			const pg_result_set *rs = h->commits[c].rs;
			const pg_benchmark *b = rs ? pg_result_set_find(rs, bench) : NULL;
			if (!b || b->status != PG_STATUS_OK)
				continue;
			const pg_result_set *full = full_set(s, &f, c);
			const pg_benchmark *fb = full ? pg_result_set_find(full, bench) : NULL;
			if (!fb)
				continue;
			span->base_at = c;
			if (found == 0)
				span->head_at = c;
			if (!pg_result_set_copy_benchmark(found == 0 ? head : base, fb))
				rc = oom();
			else if (found == 1)
				origins[base->n_benchmarks - 1] = (pg_base_origin){h->commits[c].commit,
										   (int)(h->n_commits - 1 - c)};
			found++;
		}
	}
	if (rc || head->n_benchmarks == 0)
		goto out;
	pg_compare_options opts = {0};
	const pg_gates *gates = s->o->gates;
	if (gates) {
		opts.regression = gates->regression;
		opts.alpha = gates->alpha;
	}
	rc = pg_marks_decide(&v, head, base->n_benchmarks ? base : NULL, origins, gates, &opts, NULL);
	if (rc == PG_EINPUT && gates) {
		rc = warn(s, "gates file %s: %s; status without its gates", gates->path, pg_error_message());
		if (!rc)
			rc = pg_marks_decide(&v, head, base->n_benchmarks ? base : NULL, origins, NULL, &opts, NULL);
	}
	if (!rc)
		apply_verdict(s, v, spans, n_spans);
out:
	free(spans);
	for (size_t i = 0; f.read && i < h->n_commits; i++)
		if (f.read[i])
			pg_commit_records_release(&f.records[i]);
	free(f.records);
	free(f.read);
	pg_result_set_free(head);
	pg_result_set_free(base);
	free(origins);
	pg_verdict_free(v);
	return rc;
}

/* ---- plots ---- */

/* The plot of a series as the page on disk has it, when its key is the same. */
static void reuse_plots(site *s, size_t i)
{
	pg_publish_metric *pm = &s->model.metrics[i];
	char *path = pg_path_join(s->o->dir, pm->page), *old = NULL;
	size_t len = 0;
	if (path && access(path, F_OK) == 0 && pg_file_read(&old, &len, path) == 0) {
		for (size_t k = 0; k < s->model.n_env_keys; k++) {
			char marker[64];
			snprintf(marker, sizeof(marker), "<!-- plot:%s -->", pm->series[k].plot_key);
			const char *begin = strstr(old, marker), *end;
			if (!begin || !(end = strstr(begin, "<!-- /plot -->")))
				continue;
			begin += strlen(marker);
			pm->series[k].svg = strndup(begin, (size_t)(end - begin));
		}
	}
	pg_error_clear();
	s->old_pages[i] = old;
	s->old_lens[i] = len;
	free(path);
}

/* gnuplot's SVG file as an element to inline: from <svg on. */
static char *read_svg(const char *path)
{
	char *text = NULL;
	size_t len;
	if (pg_file_read(&text, &len, path) != 0)
		return NULL;
	char *start = strstr(text, "<svg");
	char *svg = start ? strdup(start) : NULL;
	free(text);
	return svg;
}

static int draw_key(site *s, size_t k, const char *tmpdir)
{
	pg_gnuplot *gp = NULL;
	int rc = pg_gnuplot_open(&gp, tmpdir, PG_PLOT_SVG);
	if (rc)
		return rc;
	size_t n_drawn = 0;
	char **files = calloc(s->model.n_metrics + 1, sizeof(char *));
	pg_history_commit *view = calloc(s->histories[k]->n_commits + 1, sizeof(*view));
	pg_mark *view_marks = calloc(s->histories[k]->n_commits + 1, sizeof(*view_marks));
	if (!files || !view || !view_marks)
		rc = oom();
	for (size_t i = 0; i < s->model.n_metrics && !rc; i++) {
		pg_publish_metric *pm = &s->model.metrics[i];
		pg_publish_series *ser = &pm->series[k];
		if (ser->svg || ser->n_rows == 0)
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
		const pg_history *h = s->histories[k];
		pg_history hv = {view, 0, h->env_key, NULL, 0, NULL, 0};
		for (size_t c = 0; c < h->n_commits; c++)
			if (metric_of(h->commits[c].rs, pm->bench, pm->metric)) {
				view_marks[hv.n_commits] = pg_marks_of(s->verdicts[k][c], pm->bench, pm->metric, NULL);
				view[hv.n_commits++] = h->commits[c];
			}
		pg_plot_options po = {PG_PLOT_SVG, pm->threshold, pm->target, pm->target_is_max, view_marks};
		int drawn = 0;
		rc = pg_plot_history(gp, &hv, pm->bench, pm->metric, NULL, &po, &drawn);
		if (drawn && !(files[i] = strdup(file)))
			rc = oom();
	}
	int closed = pg_gnuplot_close(gp);
	if (!rc && closed) {
		rc = warn(s, "gnuplot: %s", pg_error_message());
	}
	for (size_t i = 0; i < s->model.n_metrics; i++) {
		if (!files || !files[i])
			continue;
		char *path = pg_path_join(tmpdir, files[i]);
		pg_publish_series *ser = &s->model.metrics[i].series[k];
		if (path && (ser->svg = read_svg(path)))
			n_drawn++;
		else if (!ser->no_plot)
			ser->no_plot = "gnuplot did not draw it (see the warnings of perfgate publish)";
		if (path)
			unlink(path);
		free(path);
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

static int draw_plots(site *s)
{
	int needed = 0;
	if (!(s->old_pages = calloc(s->model.n_metrics + 1, sizeof(char *))) ||
	    !(s->old_lens = calloc(s->model.n_metrics + 1, sizeof(size_t))))
		return oom();
	for (size_t i = 0; i < s->model.n_metrics; i++) {
		reuse_plots(s, i);
		for (size_t k = 0; k < s->model.n_env_keys; k++)
			needed |= !s->model.metrics[i].series[k].svg && s->model.metrics[i].series[k].n_rows > 0;
	}
	if (!needed)
		return 0;
	char *gnuplot = NULL;
	int rc = pg_gnuplot_find(&gnuplot);
	free(gnuplot);
	if (rc == PG_ESYSTEM) {
		if (!(s->counts->no_plots = strdup(pg_error_message())))
			return oom();
		for (size_t i = 0; i < s->model.n_metrics; i++)
			for (size_t k = 0; k < s->model.n_env_keys; k++)
				if (!s->model.metrics[i].series[k].svg)
					s->model.metrics[i].series[k].no_plot = s->counts->no_plots;
		pg_error_clear();
		return 0;
	}
	if (rc)
		return rc;
	char *tmpdir = pg_path_join(s->o->dir, ".plots.XXXXXX");
	if (!tmpdir)
		return oom();
	if (!mkdtemp(tmpdir)) {
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot make a directory for the plots: %s", tmpdir, strerror(errno));
		free(tmpdir);
		return rc;
	}
	for (size_t k = 0; k < s->model.n_env_keys && !rc; k++)
		rc = draw_key(s, k, tmpdir);
	/* Each plot was read and unlinked, and gnuplot removes what it failed to draw. */
	rmdir(tmpdir);
	free(tmpdir);
	return rc;
}

/* ---- data.json ---- */

/*
 * Streamed by hand rather than through a cJSON tree: at 1,000 commits x 50
 * metrics the tree and cJSON's print-and-reparse of every number cost more
 * than all the pages. Numbers keep 10 significant digits, as the pages.
 */
static void json_string(FILE *out, const char *v)
{
	if (!v) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		/* < > & escaped too: the file stays inert if someone inlines it in a page. */
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&' || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			putc(*p, out);
	}
	putc('"', out);
}

static void json_number(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.10g", v);
	else
		fputs("null", out);
}

static void json_field(FILE *out, const char *key, const char *v)
{
	fprintf(out, ",\"%s\":", key);
	json_string(out, v);
}

static void json_field_number(FILE *out, const char *key, double v)
{
	fprintf(out, ",\"%s\":", key);
	json_number(out, v);
}

static void data_json(FILE *out, const site *s)
{
	const pg_publish_model *m = &s->model;
	fputs("{\"schema\":\"perfgate-site/1\"", out);
	json_field(out, "title", m->title);
	json_field(out, "head", m->head);
	fprintf(out, ",\"commits\":%d", m->n);
	json_field(out, "tag", m->tag);
	json_field(out, "tag_commit", m->tag_commit);
	fputs(",\"env_keys\":[", out);
	for (size_t k = 0; k < m->n_env_keys; k++) {
		fputs(k ? "," : "", out);
		json_string(out, m->env_keys[k]);
	}
	fputs("],\"releases\":[", out);
	for (size_t i = 0; i < m->n_releases; i++) {
		const pg_publish_release *r = &m->releases[i];
		fputs(i ? ",\n{\"tag\":" : "\n{\"tag\":", out);
		json_string(out, r->tag);
		json_field(out, "commit", r->commit);
		json_field(out, "date", r->date);
		json_field(out, "page", r->page);
		json_field(out, "compared_with", r->prev_tag);
		json_field(out, "status", pg_publish_status_word(r->status));
		putc('}', out);
	}
	fputs("],\"metrics\":[", out);
	for (size_t i = 0; i < m->n_metrics; i++) {
		const pg_publish_metric *pm = &m->metrics[i];
		fputs(i ? ",\n{\"bench\":" : "\n{\"bench\":", out);
		json_string(out, pm->bench);
		json_field(out, "metric", pm->metric);
		json_field(out, "unit", pm->unit);
		json_field(out, "better", pm->better_higher ? "higher" : "lower");
		json_field(out, "page", pm->page);
		fprintf(out, ",\"on_index\":%s", pm->on_index ? "true" : "false");
		json_field_number(out, "threshold", pm->threshold);
		json_field(out, "status", pg_publish_status_word(pm->status));
		json_field(out, "status_text", pm->status_text);
		json_field(out, "gate", pm->gate_text);
		json_field_number(out, "latest", pm->latest);
		json_field(out, "latest_commit", pm->latest_commit);
		json_field_number(out, "vs_tag", pm->vs_tag);
		json_field_number(out, "vs_back", pm->vs_back);
		json_field(out, "back_commit", pm->back_commit);
		fputs(",\"series\":[", out);
		for (size_t k = 0; k < m->n_env_keys; k++) {
			const pg_publish_series *ser = &pm->series[k];
			fputs(k ? ",{\"env_key\":" : "{\"env_key\":", out);
			json_string(out, ser->env_key);
			fputs(",\"rows\":[", out);
			for (size_t r = 0; r < ser->n_rows; r++) {
				const pg_publish_row *row = &ser->rows[r];
				fprintf(out, "%s{\"commit\":\"%s\"", r ? ",\n" : "\n", row->commit);
				json_field(out, "subject", row->subject);
				json_field_number(out, "median", row->value);
				json_field_number(out, "p90", row->p90);
				fprintf(out, ",\"n\":%zu", row->n);
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
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
}

/* ---- writing ---- */

/* Write name in the site when its content changed; an unchanged file keeps its inode and time. */
static int write_if_changed(site *s, const char *name, const char *data, size_t len, const char *known,
			    size_t known_len)
{
	char *path = pg_path_join(s->o->dir, name), *old = NULL;
	size_t old_len = 0;
	int rc = 0;
	if (!path)
		return oom();
	s->counts->pages++;
	if (!known && access(path, F_OK) == 0 && pg_file_read(&old, &old_len, path) == 0) {
		known = old;
		known_len = old_len;
	}
	if (known && known_len == len && memcmp(known, data, len) == 0) {
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

/* pm NULL: the index, or release r's page when r is set. i: pm's index, for the page as read before. */
static int write_page(site *s, const pg_publish_metric *pm, size_t i, const pg_publish_release *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return oom();
	if (pm)
		pg_publish_page_metric(out, &s->model, pm);
	else if (r)
		pg_publish_page_release(out, &s->model, r);
	else
		pg_publish_page_index(out, &s->model);
	if (fclose(out) != 0) {
		free(buf);
		return oom();
	}
	const char *known = pm && s->old_pages ? s->old_pages[i] : NULL;
	int rc = write_if_changed(s, pm ? pm->page : r ? r->page : "index.html", buf, len, known,
				  known ? s->old_lens[i] : 0);
	free(buf);
	return rc;
}

static int warn_text(void *ctx, const char *text)
{
	return warn(ctx, "%s", text);
}

/* The release tags along the walk of the first env key, with their sign-offs. */
static int find_releases(site *s)
{
	const char **taken = calloc(s->model.n_metrics + 1, sizeof(*taken));
	if (!taken)
		return oom();
	for (size_t i = 0; i < s->model.n_metrics; i++)
		taken[i] = s->model.metrics[i].page;
	pg_publish_release_walk w = {s->store,  s->histories[0], s->o->gates,       s->o->dir, &s->accepts,
				     s->accept_at, taken, s->model.n_metrics, warn_text, s};
	int rc = pg_publish_releases(&s->model.releases, &s->model.n_releases, &w);
	free(taken);
	return rc;
}

static void model_release(site *s)
{
	pg_publish_model *m = &s->model;
	verdicts_free(s);
	for (size_t i = 0; i < m->n_metrics; i++) {
		pg_publish_metric *pm = &m->metrics[i];
		for (size_t k = 0; pm->series && k < m->n_env_keys; k++) {
			free(pm->series[k].env_key);
			free(pm->series[k].rows);
			free(pm->series[k].svg);
			pg_changes_release(&pm->series[k].changes);
		}
		free(pm->series);
		free(pm->bench);
		free(pm->metric);
		free(pm->unit);
		free(pm->status_text);
		free(pm->gate_text);
		free(pm->trend);
	}
	for (size_t i = 0; s->old_pages && i < m->n_metrics; i++)
		free(s->old_pages[i]);
	free(s->old_pages);
	free(s->old_lens);
	free(m->metrics);
	if (s->subjects && s->histories && s->histories[0])
		for (size_t i = 0; i < s->histories[0]->n_commits; i++)
			free(s->subjects[i]);
	for (size_t k = 0; k < m->n_env_keys; k++) {
		pg_history_free(s->histories ? s->histories[k] : NULL);
		free(m->env_keys[k]);
	}
	free(s->subjects);
	free(s->histories);
	pg_acceptances_release(&s->accepts);
	free(s->accept_at);
	free(m->env_keys);
	free(m->tag);
	free(m->tag_commit);
	pg_publish_releases_free(m->releases, m->n_releases);
	for (size_t i = 0; i < m->n_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
}

int pg_publish_site(pg_publish_counts *counts, pg_store *store, const char *head,
		    const pg_publish_options *o)
{
	site s = {.store = store, .o = o, .counts = counts};
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
			rc = oom();
			break;
		}
	}
	if (!rc)
		rc = decide_status(&s);
	if (!rc)
		rc = decide_marks(&s);
	for (size_t i = 0; i < s.model.n_metrics && !rc; i++) {
		pg_publish_metric *pm = &s.model.metrics[i];
		for (size_t k = 0; k < s.model.n_env_keys && !rc; k++)
			rc = fill_series(&s, pm, k);
		if (!rc)
			rc = fill_card_values(&s, pm, have_tag ? &tag_records : NULL);
	}
	if (!rc && mkdir(o->dir, 0777) != 0 && errno != EEXIST)
		rc = pg_error_set(PG_ESYSTEM, "%s: cannot make the site's directory: %s", o->dir, strerror(errno));
	if (!rc)
		rc = draw_plots(&s);
	if (!rc)
		rc = find_releases(&s);
	for (size_t i = 0; i < s.model.n_metrics && !rc; i++)
		rc = write_page(&s, &s.model.metrics[i], i, NULL);
	for (size_t i = 0; i < s.model.n_releases && !rc; i++)
		rc = write_page(&s, NULL, 0, &s.model.releases[i]);
	if (!rc)
		rc = write_page(&s, NULL, 0, NULL);
	if (!rc) {
		char *json = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&json, &len);
		if (out)
			data_json(out, &s);
		rc = out && fclose(out) == 0 ? write_if_changed(&s, "data.json", json, len, NULL, 0) : oom();
		free(json);
	}
	if (have_tag)
		pg_commit_records_release(&tag_records);
	model_release(&s);
	return rc;
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
