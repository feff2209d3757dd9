/* publish_marks.c - the dashboard's decisions: each commit's marks and each card's status, as check decides them */
#include "gate/site.h"

#include "perfgate/error.h"
#include "perfgate/marks.h"
#include "perfgate/quantity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- marks: each commit against the results before it, as check decides ---- */

/* The options check would take from the gates file. */
static pg_compare_options compare_options(const pg_site *s)
{
	pg_compare_options opts = {0};
	if (s->o->gates) {
		opts.regression = s->o->gates->regression;
		opts.alpha = s->o->gates->alpha;
	}
	return opts;
}

/* The lowest relative threshold any metric is held to: a smaller move is unchanged without a test. */
static double least_threshold(const pg_site *s)
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
static const pg_result_set *full_of(pg_site *s, size_t k, size_t i)
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
static int decide_commit(pg_site *s, size_t k, size_t i, const pg_result_set **earlier, const char **commits)
{
	const pg_history *h = s->histories[k];
	const pg_result_set *head = h->commits[i].rs;
	pg_result_set *base = NULL;
	pg_base_origin *origins = NULL;
	pg_run_history *history = NULL;
	pg_verdict *v = NULL;
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
		/* Unchanged, as check would say: marks without a verdict where they can be told without one. */
		if (pg_marks_unmoved(&s->marks[k][i * s->model.n_metrics], s->refs, s->model.n_metrics, head, base) ==
		    0)
			goto out_base;
		/* Else a verdict without tests. */
		pg_compare_options quick = compare_options(s);
		quick.regression = 1e9;
		rc = pg_marks_decide(&v, head, base, origins, NULL, &quick, NULL);
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
		rc = pg_site_oom();
		goto out;
	}
	for (size_t a = 0; s->accept_at && a < s->accepts.n; a++)
		if (s->accept_at[a] > from && s->accept_at[a] <= i)
			step.items[step.n++] = s->accepts.items[a];
	pg_compare_options opts = compare_options(s);
	opts.history = history;
	rc = pg_marks_decide(&v, full_head, base, origins, s->o->gates, &opts, &step);
	if (rc == PG_EINPUT && s->o->gates) {
		/* The gates name a metric this older commit did not measure: its marks without them. */
		pg_error_clear();
		rc = pg_marks_decide(&v, full_head, base, origins, NULL, &opts, &step);
	}
out:
	free(step.items); /* the items' strings belong to s->accepts */
out_base:
	/* Its rows come in the order of the model's metrics (by benchmark, then metric): the hint finds each next. */
	for (size_t j = 0, hint = 0; v && j < s->model.n_metrics; j++)
		s->marks[k][i * s->model.n_metrics + j] =
			pg_marks_of_at(v, s->model.metrics[j].bench, s->model.metrics[j].metric, NULL, &hint);
	pg_verdict_free(v);
	pg_run_history_free(history);
	pg_result_set_free(base);
	free(origins);
	return rc;
}

int pg_site_decide_marks(pg_site *s)
{
	const pg_publish_model *m = &s->model;
	if (!(s->refs = calloc(m->n_metrics + 1, sizeof(*s->refs))) ||
	    !(s->marks = calloc(m->n_env_keys, sizeof(*s->marks))) ||
	    !(s->full = calloc(m->n_env_keys, sizeof(*s->full))) ||
	    !(s->full_read = calloc(m->n_env_keys, sizeof(*s->full_read))))
		return pg_site_oom();
	int rc = 0;
	for (size_t j = 0; j < m->n_metrics; j++)
		s->refs[j] = (pg_metric_ref){m->metrics[j].bench, m->metrics[j].metric};
	for (size_t k = 0; k < m->n_env_keys && !rc; k++) {
		size_t n = s->histories[k]->n_commits;
		const pg_result_set **earlier = calloc(n + 1, sizeof(*earlier));
		const char **commits = calloc(n + 1, sizeof(*commits));
		if (!(s->marks[k] = calloc(n * m->n_metrics + 1, sizeof(pg_mark))) || !earlier || !commits ||
		    !(s->full[k] = calloc(n + 1, sizeof(pg_commit_records))) ||
		    !(s->full_read[k] = calloc(n + 1, sizeof(int))))
			rc = pg_site_oom();
		for (size_t i = 0; i < n && !rc; i++)
			rc = decide_commit(s, k, i, earlier, commits);
		free(earlier);
		free(commits);
	}
	return rc;
}

void pg_site_marks_free(pg_site *s)
{
	for (size_t k = 0; s->marks && k < s->model.n_env_keys; k++) {
		for (size_t i = 0; s->histories && s->histories[k] && i < s->histories[k]->n_commits; i++)
			if (s->full && s->full[k] && s->full_read && s->full_read[k] && s->full_read[k][i])
				pg_commit_records_release(&s->full[k][i]);
		free(s->marks[k]);
		if (s->full)
			free(s->full[k]);
		if (s->full_read)
			free(s->full_read[k]);
	}
	free(s->marks);
	free(s->refs);
	free(s->full);
	free(s->full_read);
}

/* ---- status: the newest result of each benchmark against its previous one, in each env key ---- */

typedef struct full_reads {
	pg_commit_records *records; /* per commit of the walk, read on demand: every key's results */
	int *read;
} full_reads;

static const pg_result_set *full_set(pg_site *s, full_reads *f, size_t k, size_t i)
{
	const pg_history *h = s->histories[k];
	if (!f->read[i]) {
		if (pg_store_read(&f->records[i], s->store, h->commits[i].commit) != 0)
			return NULL;
		f->read[i] = 1;
	}
	return pg_records_latest(&f->records[i], s->model.env_keys[k]);
}

/* 1 when text, parts joined by ", ", has part. */
static int gate_text_has(const char *text, const char *part)
{
	size_t len = strlen(part);
	for (const char *p = text; p && (p = strstr(p, part)); p++)
		if ((p == text || (p - text >= 2 && p[-2] == ',' && p[-1] == ' ')) &&
		    (p[len] == '\0' || p[len] == ','))
			return 1;
	return 0;
}

/* Add a part to a metric's gate text: each key's comparison names the same gates, said once. */
static void gate_text_add(char **text, const char *part)
{
	if (gate_text_has(*text, part))
		return;
	size_t old = *text ? strlen(*text) : 0;
	char *grown = realloc(*text, old + strlen(part) + 8);
	if (!grown)
		return;
	snprintf(grown + old, strlen(part) + 8, "%s%s", old ? ", " : "", part);
	*text = grown;
}

static pg_publish_metric *find_metric(pg_site *s, const char *bench, const char *metric)
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
static const pg_acceptance *card_acceptance(const pg_site *s, const pg_publish_metric *pm, const pg_metric_change *c,
					    const card_span *spans, size_t n_spans)
{
	if (c->verdict != PG_CHANGE_REGRESSION && c->verdict != PG_CHANGE_INCONCLUSIVE)
		return NULL;
	for (size_t i = 0; i < n_spans; i++) {
		if (strcmp(spans[i].bench, c->bench) != 0 || spans[i].base_at == spans[i].head_at)
			continue;
		const pg_acceptance *a = pg_site_acceptance_in(s, pm, spans[i].base_at, spans[i].head_at);
		return a && (!a->has_bound || c->change <= a->bound) ? a : NULL;
	}
	return NULL;
}

/* Key k's comparison on its cards: each metric's status and text, the gates' texts and targets. */
static void apply_verdict(pg_site *s, size_t k, const pg_verdict *v, const card_span *spans, size_t n_spans)
{
	for (size_t i = 0; i < v->n_metrics; i++) {
		const pg_metric_change *c = &v->metrics[i];
		pg_publish_metric *pm = c->stat ? NULL : find_metric(s, c->bench, c->metric);
		if (!pm)
			continue;
		pg_publish_card *card = &pm->series[k].card;
		char text[160], change[32];
		pm->on_index |= c->gated;
		card->gated |= c->gated;
		pm->threshold = c->threshold > 0 ? c->threshold : pm->threshold;
		if (c->gated) {
			snprintf(text, sizeof(text), "%s%.3g %% vs previous", pm->better_higher ? "-" : "+",
				 pm->threshold * 100);
			gate_text_add(&pm->gate_text, text);
		}
		if (!c->has_base || c->verdict == PG_CHANGE_NO_BASELINE) {
			card->status = PG_PUBLISH_NONE;
			continue;
		}
		pg_format_change(change, sizeof(change), pm->better_higher ? -c->change : c->change);
		const char *what = "unchanged";
		const pg_acceptance *acc = card_acceptance(s, pm, c, spans, n_spans);
		switch (acc ? PG_CHANGE_ACCEPTED : c->verdict) {
		case PG_CHANGE_REGRESSION:
			card->status = c->gated ? PG_PUBLISH_FAIL : PG_PUBLISH_WARN;
			what = "regression";
			break;
		case PG_CHANGE_INCONCLUSIVE:
			card->status = PG_PUBLISH_WARN;
			what = "inconclusive";
			break;
		case PG_CHANGE_IMPROVEMENT:
			card->status = PG_PUBLISH_PASS;
			what = "improvement";
			break;
		case PG_CHANGE_ACCEPTED:
			card->status = PG_PUBLISH_PASS;
			what = "accepted";
			break;
		default:
			card->status = PG_PUBLISH_PASS;
		}
		snprintf(text, sizeof(text), "%s %s vs %.7s%s%s", what, change,
			 c->base_commit ? c->base_commit : "previous", acc ? " by " : "", acc ? acc->by : "");
		free(card->status_text);
		card->status_text = strdup(text);
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
			pg_publish_card *card = &pm->series[k].card;
			card->gated = 1;
			/* The plot shows medians: a gate on them (not on p99, say) is its target line. */
			if (!stat[0] || strcmp(stat, "median") == 0 || strcmp(stat, "p50") == 0) {
				pm->target = gr->bound;
				pm->target_is_max = gr->is_max;
			}
			if (!gr->pass) {
				card->status = PG_PUBLISH_FAIL;
				snprintf(text, sizeof(text), "gate %s%s %s failed", gr->metric + nb + 1 + nm,
					 gr->is_max ? " \xe2\x89\xa4" : " \xe2\x89\xa5", bound);
				free(card->status_text);
				card->status_text = strdup(text);
			} else if (card->status == PG_PUBLISH_NONE) {
				card->status = PG_PUBLISH_PASS;
			}
		}
	}
}

/* Key k's cards: each benchmark's newest result in k against the one before it in k. */
static int decide_status_of_key(pg_site *s, size_t k, full_reads *f)
{
	const pg_history *h = s->histories[k];
	pg_result_set *head = pg_result_set_new(), *base = pg_result_set_new();
	pg_verdict *v = NULL;
	pg_base_origin *origins = calloc(s->model.n_metrics + 1, sizeof(*origins));
	card_span *spans = calloc(s->model.n_metrics + 1, sizeof(*spans));
	size_t n_spans = 0;
	int rc = 0;
	if (!head || !base || !origins || !spans) {
		rc = pg_site_oom();
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
			const pg_result_set *full = full_set(s, f, k, c);
			const pg_benchmark *fb = full ? pg_result_set_find(full, bench) : NULL;
			if (!fb)
				continue;
			span->base_at = c;
			if (found == 0)
				span->head_at = c;
			if (!pg_result_set_copy_benchmark(found == 0 ? head : base, fb))
				rc = pg_site_oom();
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
		/* With one env key, the warning of old; with several, which key's results the gates do not fit. */
		char where[160] = "";
		if (s->model.n_env_keys > 1)
			snprintf(where, sizeof(where), " (env %s)", s->model.env_keys[k]);
		rc = pg_publish_warn(&s->model, s->counts, "gates file %s: %s; status without its gates%s", gates->path,
				     pg_error_message(), where);
		if (!rc)
			rc = pg_marks_decide(&v, head, base->n_benchmarks ? base : NULL, origins, NULL, &opts, NULL);
	}
	if (!rc)
		apply_verdict(s, k, v, spans, n_spans);
out:
	free(spans);
	pg_result_set_free(head);
	pg_result_set_free(base);
	free(origins);
	pg_verdict_free(v);
	return rc;
}

int pg_site_decide_status(pg_site *s)
{
	size_t n = s->histories[0]->n_commits;
	full_reads f = {calloc(n + 1, sizeof(pg_commit_records)), calloc(n + 1, sizeof(int))};
	int rc = f.records && f.read ? 0 : pg_site_oom();
	for (size_t k = 0; k < s->model.n_env_keys && !rc; k++) {
		rc = decide_status_of_key(s, k, &f);
		if (!rc)
			pg_site_decide_platform(&s->model.platforms[k], &s->model, k);
	}
	for (size_t i = 0; f.read && i < n; i++)
		if (f.read[i])
			pg_commit_records_release(&f.records[i]);
	free(f.records);
	free(f.read);
	return rc;
}

void pg_site_decide_platform(pg_publish_platform *p, const pg_publish_model *m, size_t k)
{
	p->n_fail = p->n_warn = p->n_compared = 0;
	for (size_t i = 0; i < m->n_metrics; i++) {
		const pg_publish_card *card = &m->metrics[i].series[k].card;
		/* As check: a failing card fails (a gated regression, a gate), a gated undecided one is
		 * inconclusive, and a metric no gate holds is reported, never failed on. */
		p->n_fail += card->status == PG_PUBLISH_FAIL;
		p->n_warn += card->status == PG_PUBLISH_WARN && card->gated;
		p->n_compared += card->status != PG_PUBLISH_NONE;
	}
	if (p->n_fail || p->n_broken)
		p->status = PG_PUBLISH_FAIL;
	else if (p->n_warn)
		p->status = PG_PUBLISH_WARN;
	else
		p->status = p->n_compared ? PG_PUBLISH_PASS : PG_PUBLISH_NONE;
}

