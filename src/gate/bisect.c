/* bisect.c - the bisect flow: a binary search of good..bad's first parents, from stored results or measured A/B */
#include "ab_common.h"

#include "perfgate/gate.h"

#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/gitlib.h"
#include "perfgate/log.h"
#include "perfgate/repo.h"
#include "perfgate/report_bisect.h"
#include "perfgate/store.h"
#include "perfgate/worktree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum outcome { PROBE_GOOD, PROBE_BAD, PROBE_INCONCLUSIVE, PROBE_SKIPPED } outcome;

typedef struct bisect {
	const pg_gate_bisect_options *o;
	const pg_gate_context *ctx;
	const pg_gates *gates; /* with {root} the work tree: for settings and thresholds */
	const char *bench;
	char *metric;          /* the metric followed in stored results; NULL: the primary */
	double threshold;
	const char *env_key;
	char good[41], bad[41];
	pg_store *store;
	pg_commit_records good_records;
	const pg_result_set *good_stored; /* in good_records, or NULL */
	/* Good's checkout, made the first time a commit has to be measured. */
	char *good_tree, *good_bindir;
	pg_gates *good_gates;
	double noise_floor;
	int good_ready;
	int builds, checkouts;
	pg_bisect_step *steps;
	size_t n_steps;
	FILE *live; /* text steps printed as they are made, or NULL */
} bisect;

static char *subject_of(git_repository *repo, const char *hex)
{
	git_oid oid;
	git_commit *c = NULL;
	char *s = NULL;
	if (git_oid_fromstr(&oid, hex) == 0 && git_commit_lookup(&c, repo, &oid) == 0) {
		const char *summary = git_commit_summary(c);
		s = strdup(summary ? summary : "");
	}
	git_commit_free(c);
	return s ? s : strdup("");
}

/*
 * The first-parent commits from bad back to good, good excluded, oldest
 * first. When good is not on bad's first-parent line the walk stops at the
 * first commit good descends from.
 */
static int first_parent_range(char (**out)[41], size_t *n_out, git_repository *repo, const char *good,
			      const char *bad)
{
	git_oid good_oid, oid;
	char (*list)[41] = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	git_oid_fromstr(&good_oid, good);
	git_oid_fromstr(&oid, bad);
	for (;;) {
		if (git_oid_equal(&oid, &good_oid) || git_graph_descendant_of(repo, &good_oid, &oid) == 1)
			break;
		git_commit *c = NULL;
		if (git_commit_lookup(&c, repo, &oid) != 0) {
			rc = pg_error_set(PG_ESYSTEM, "bisect: cannot read commit %s: %s", git_oid_tostr_s(&oid),
					  pg_git_error());
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char (*grown)[41] = realloc(list, cap * sizeof(*list));
			if (!grown) {
				git_commit_free(c);
				rc = pg_error_set(PG_ENOMEM, "out of memory");
				break;
			}
			list = grown;
		}
		git_oid_tostr(list[n++], 41, &oid);
		const git_oid *parent = git_commit_parentcount(c) ? git_commit_parent_id(c, 0) : NULL;
		if (parent)
			git_oid_cpy(&oid, parent);
		git_commit_free(c);
		if (!parent) {
			rc = pg_error_set(PG_ESYSTEM, "bisect: reached the root commit before %.7s", good);
			break;
		}
	}
	if (rc) {
		free(list);
		return rc;
	}
	for (size_t i = 0; i < n / 2; i++) {
		char t[41];
		memcpy(t, list[i], 41);
		memcpy(list[i], list[n - 1 - i], 41);
		memcpy(list[n - 1 - i], t, 41);
	}
	*out = list;
	*n_out = n;
	return 0;
}

/* The latest stored set of the env key in which the benchmark ran cleanly, or NULL. */
static const pg_result_set *stored_with(const pg_commit_records *r, const char *key, const char *bench)
{
	const pg_result_set *best = NULL;
	for (size_t i = 0; i < r->n_sets; i++) {
		const pg_result_set *rs = r->sets[i];
		const pg_benchmark *b = pg_result_set_find(rs, bench);
		if (!rs->env.key || strcmp(rs->env.key, key) != 0 || !b || b->status != PG_STATUS_OK ||
		    !b->n_metrics)
			continue;
		if (!best || (rs->created && best->created && strcmp(rs->created, best->created) > 0))
			best = rs;
	}
	return best;
}

static outcome outcome_of(pg_change_verdict v)
{
	switch (v) {
	case PG_CHANGE_REGRESSION:
		return PROBE_BAD;
	case PG_CHANGE_UNCHANGED:
	case PG_CHANGE_IMPROVEMENT:
	case PG_CHANGE_ACCEPTED:
		return PROBE_GOOD;
	default:
		return PROBE_INCONCLUSIVE;
	}
}

/* Decide from stored results: 1 decided (st filled), 0 nothing usable stored, < 0 error. */
static int probe_stored(bisect *b, const char *commit, pg_bisect_step *st)
{
	if (!b->good_stored)
		return 0;
	pg_commit_records records;
	int rc = pg_store_read(&records, b->store, commit);
	if (rc)
		return rc;
	const pg_result_set *rs = stored_with(&records, b->env_key, b->bench);
	pg_verdict *v = NULL;
	pg_compare_options co = {.alpha = b->gates->alpha, .regression = b->threshold};
	if (rs && (rc = pg_compare(&v, rs, b->good_stored, NULL, NULL, &co)) == 0) {
		const pg_metric_change *row = NULL;
		for (size_t i = 0; i < v->n_metrics && !row; i++) {
			const pg_metric_change *c = &v->metrics[i];
			if (strcmp(c->bench, b->bench) == 0 && !c->stat &&
			    (b->metric ? strcmp(c->metric, b->metric) == 0 : 1))
				row = c;
		}
		if (row && row->has_base && row->verdict != PG_CHANGE_NO_BASELINE &&
		    outcome_of(row->verdict) != PROBE_INCONCLUSIVE) {
			st->source = PG_BISECT_STORED;
			st->verdict = row->verdict;
			st->change = row->change;
			st->lo = row->ci_lo;
			st->hi = row->ci_hi;
			st->p = row->p;
			st->runs = row->n_head < row->n_base ? row->n_head : row->n_base;
			char note[300];
			snprintf(note, sizeof(note), "%s from stored results", row->metric);
			st->note = strdup(note);
			rc = 1;
		}
	}
	pg_verdict_free(v);
	pg_commit_records_release(&records);
	return rc;
}

/* This runner's A/A noise on good, from aa_runs runs per side. */
static int calibrate(bisect *b, int aa_runs)
{
	char *names[] = {(char *)b->bench, NULL};
	pg_measure_options mo = {.runs = 1, .warmup = 0, .only = names};
	double *floors = NULL;
	int rc = pg_gate_ab_calibrate(&floors, aa_runs, b->good_gates, &mo, names, 1);
	b->noise_floor = floors ? floors[0] : NAN;
	free(floors);
	return rc;
}

/* Check good out beside the work tree, build it, and measure this runner's A/A noise on it. */
static int prepare_good(bisect *b)
{
	int rc;
	b->good_ready = 1;
	if ((rc = pg_worktree_add(&b->good_tree, b->ctx->root, b->good)))
		return rc;
	b->checkouts++;
	if (!(b->good_bindir = pg_gate_ab_bindir(b->ctx, b->good_tree)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = pg_gates_load(&b->good_gates, b->gates->path, b->good_tree, b->good_bindir)))
		return rc;
	if (!b->o->no_build && b->good_gates->n_build) {
		char what[64];
		snprintf(what, sizeof(what), "good %.7s", b->good);
		b->builds++;
		if ((rc = pg_build(b->good_gates->build, b->good_gates->n_build, b->good_tree, what, 3600))) {
			/* Good failing to build leaves nothing to compare with. */
			char why[2048];
			snprintf(why, sizeof(why), "%s", pg_error_message());
			return pg_error_set(PG_ESYSTEM, "%s", why);
		}
	}
	return calibrate(b, b->o->aa_runs);
}

/* Measure commit against good interleaved; st filled, *out the outcome. */
static int measure_pair(bisect *b, const pg_gates *probe_gates, int max_runs, pg_bisect_step *st, outcome *out)
{
	char *names[] = {(char *)b->bench, NULL};
	pg_measure_options mo = {.runs = 1, .warmup = 0, .only = names, .progress = b->o->gate.progress};
	int max_blocks = max_runs / 2;
	pg_gate_ab_stop_rule rule = {.gates = b->good_gates, .looks = max_blocks};
	pg_ab_options ao = {.min_blocks = 3 < max_blocks ? 3 : max_blocks, .max_blocks = max_blocks,
			    .stop = pg_gate_ab_settled, .stop_arg = &rule};
	pg_result_set *good_rs = pg_result_set_new(), *probe_rs = pg_result_set_new();
	pg_ab_pairs *pairs = NULL;
	size_t np = 0;
	int rc = good_rs && probe_rs ? pg_measure_ab(&pairs, &np, good_rs, probe_rs, b->good_gates, probe_gates, &mo, &ao)
				     : pg_error_set(PG_ENOMEM, "out of memory");
	const pg_ab_pairs *p = NULL;
	for (size_t i = 0; !rc && i < np; i++)
		if (strcmp(pairs[i].bench, b->bench) == 0)
			p = &pairs[i];
	if (!rc && !p)
		rc = pg_error_set(PG_EINPUT, "bisect: benchmark '%s' was not measured", b->bench);
	if (!rc && p->failure && strncmp(p->failure, "base:", 5) == 0) {
		rc = pg_error_set(PG_ESYSTEM, "good %.7s could not be measured: %s", b->good, p->failure + 6);
	} else if (!rc && p->failure) {
		free(st->note);
		st->note = strdup(strncmp(p->failure, "head: ", 6) == 0 ? p->failure + 6 : p->failure);
		st->source = PG_BISECT_SKIPPED;
		*out = PROBE_SKIPPED;
	} else if (!rc) {
		pg_paired_result est;
		if (pg_paired_estimate(&est, p->base, p->head, p->n, p->better_higher, b->good_gates->alpha,
				       max_blocks) != 0) {
			st->source = PG_BISECT_SKIPPED;
			free(st->note);
			st->note = strdup("no usable pair of measurements");
			*out = PROBE_SKIPPED;
		} else {
			st->source = PG_BISECT_MEASURED;
			int side = pg_paired_bisect_side(&est, b->threshold, b->good_gates->alpha, b->noise_floor);
			st->verdict = pg_paired_verdict(&est, b->threshold, b->good_gates->alpha, b->noise_floor);
			if (st->verdict == PG_CHANGE_INCONCLUSIVE && side)
				st->verdict = side > 0 ? PG_CHANGE_REGRESSION
					    : est.hi < -b->threshold && est.p < b->good_gates->alpha ? PG_CHANGE_IMPROVEMENT
												      : PG_CHANGE_UNCHANGED;
			st->change = est.change;
			st->lo = est.lo;
			st->hi = est.hi;
			st->p = est.p;
			st->runs = est.n;
			char note[400];
			const pg_benchmark *pb = pg_result_set_find(probe_rs, b->bench);
			const char *primary = pb && pb->n_metrics ? pb->metrics[0].name : "primary metric";
			if (isfinite(b->noise_floor) && b->noise_floor > b->threshold)
				snprintf(note, sizeof(note),
					 "%s A/B; noise on this runner ±%.1f %% exceeds the %.0f %% threshold%s",
					 primary, b->noise_floor * 100, b->threshold * 100,
					 side ? ": decided with the interval clear of half of it" : "");
			else
				snprintf(note, sizeof(note), "%s A/B: %zu pairs from %d ABBA block%s%s", primary,
					 est.n, p->blocks, p->blocks == 1 ? "" : "s",
					 p->stopped_early ? ", stopped early" : "");
			free(st->note);
			st->note = strdup(note);
			*out = side > 0 ? PROBE_BAD : side < 0 ? PROBE_GOOD : PROBE_INCONCLUSIVE;
		}
	}
	pg_ab_pairs_free(pairs, np);
	pg_result_set_free(good_rs);
	pg_result_set_free(probe_rs);
	return rc;
}

/* Check commit out, build it and measure it against good. */
static int probe_measured(bisect *b, const char *commit, pg_bisect_step *st, outcome *out)
{
	char *tree = NULL, *bindir = NULL;
	pg_gates *g = NULL;
	int rc = 0;
	if (!b->good_ready && (rc = prepare_good(b)))
		return rc;
	if (!b->good_gates)
		return pg_error_set(PG_ESYSTEM, "good %.7s could not be prepared", b->good);
	if ((rc = pg_worktree_add(&tree, b->ctx->root, commit)))
		goto out;
	b->checkouts++;
	if (!(bindir = pg_gate_ab_bindir(b->ctx, tree))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_gates_load(&g, b->gates->path, tree, bindir)))
		goto out;
	if (!b->o->no_build && g->n_build) {
		char what[64];
		snprintf(what, sizeof(what), "%.7s", commit);
		b->builds++;
		if (!b->o->gate.quiet)
			pg_log_note("building %.7s", commit);
		rc = pg_build(g->build, g->n_build, tree, what, 3600);
		if (rc == PG_EFAIL) {
			/* Like `git bisect skip`: this commit says nothing about speed. */
			st->source = PG_BISECT_SKIPPED;
			st->note = strdup(pg_error_message());
			*out = PROBE_SKIPPED;
			rc = 0;
			goto out;
		}
		if (rc)
			goto out;
	}
	if ((rc = measure_pair(b, g, b->o->max_runs, st, out)))
		goto out;
	if (*out == PROBE_INCONCLUSIVE) {
		st->measured_again = 1;
		/* A noise floor over the threshold may have been a passing burst of load: measure it again too. */
		if (isfinite(b->noise_floor) && b->noise_floor > b->threshold && (rc = calibrate(b, b->o->aa_runs * 2)))
			goto out;
		rc = measure_pair(b, g, b->o->max_runs * 2, st, out);
	}
out:
	if (tree)
		pg_worktree_remove(b->ctx->root, tree);
	free(tree);
	free(bindir);
	pg_gates_free(g);
	return rc;
}

/* Look at the commit of the range: stored results if any, else measure it. */
static int probe(bisect *b, const char *commit, outcome *out)
{
	pg_bisect_step *grown = realloc(b->steps, (b->n_steps + 1) * sizeof(pg_bisect_step));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	b->steps = grown;
	pg_bisect_step *st = &b->steps[b->n_steps++];
	memset(st, 0, sizeof(*st));
	memcpy(st->commit, commit, 41);
	st->subject = subject_of(b->ctx->repo, commit);
	st->change = st->lo = st->hi = st->p = NAN;
	int rc = probe_stored(b, commit, st);
	if (rc == 1) {
		*out = outcome_of(st->verdict);
		rc = 0;
	} else if (rc == 0) {
		rc = probe_measured(b, commit, st, out);
	}
	if (!rc && b->live) {
		pg_report_bisect_step(b->live, st);
		fflush(b->live);
	}
	return rc;
}

static const pg_bisect_step *step_of(const bisect *b, const char *commit)
{
	for (size_t i = b->n_steps; i-- > 0;)
		if (strcmp(b->steps[i].commit, commit) == 0)
			return &b->steps[i];
	return NULL;
}

static int search(pg_bisect_report *res, bisect *b, char (*commits)[41], size_t n)
{
	outcome o;
	int rc;
	unsigned char *skipped = calloc(n ? n : 1, 1);
	if (!skipped)
		return pg_error_set(PG_ENOMEM, "out of memory");
	res->n_commits = n;
	res->lo = b->good;
	res->hi = commits[n - 1];
	/*
	 * commits[lo] is known good (-1: good itself); commits[hi] bad, known once probed. Bad
	 * itself is measured last, and only when the search comes down to it: when a commit
	 * before it measures bad, that commit and the good one before it are the whole answer,
	 * so 64 commits cost the good build and 6 probes, not 7.
	 */
	long lo = -1, hi = (long)n - 1;
	int hi_known = 0, undecided = 0;
	for (;;) {
		while (hi - lo > 1) {
			long mid = lo + (hi - lo) / 2, pick = -1;
			/* The midpoint, else the nearest commit not skipped, alternating sides. */
			for (long d = 0; pick < 0 && d < hi - lo; d++) {
				if (mid + d < hi && !skipped[mid + d])
					pick = mid + d;
				else if (d && mid - d > lo && !skipped[mid - d])
					pick = mid - d;
			}
			if (pick < 0)
				break;
			if ((rc = probe(b, commits[pick], &o)))
				goto out;
			if (o == PROBE_SKIPPED) {
				skipped[pick] = 1;
			} else if (o == PROBE_BAD) {
				hi = pick;
				hi_known = 1;
			} else if (o == PROBE_GOOD) {
				lo = pick;
			} else {
				undecided = 1;
				break;
			}
		}
		if (undecided || hi_known)
			break;
		/* Down to bad itself, unmeasured: is it bad at all? */
		if ((rc = probe(b, commits[n - 1], &o)))
			goto out;
		if (o != PROBE_BAD) {
			res->result = o == PROBE_GOOD ? PG_BISECT_NO_REGRESSION : o == PROBE_SKIPPED ? PG_BISECT_BAD_UNMEASURED : PG_BISECT_UNDECIDED;
			res->undecided = &b->steps[b->n_steps - 1];
			goto out;
		}
		hi_known = 1;
	}
	res->lo = lo < 0 ? b->good : commits[lo];
	res->hi = commits[hi];
	if (undecided) {
		res->result = PG_BISECT_UNDECIDED;
		res->undecided = &b->steps[b->n_steps - 1];
	} else {
		res->result = hi - lo > 1 ? PG_BISECT_ONLY_SKIPPED : PG_BISECT_FOUND;
		res->culprit = step_of(b, commits[hi]);
	}
out:
	free(skipped);
	return rc;
}

static int report_json(FILE *f, void *res)
{
	return pg_report_bisect_json(f, res);
}

static int report_text(FILE *f, void *res)
{
	pg_report_bisect_text(f, res, 1);
	return 0;
}

/* Every --format F[=FILE] (and -o FILE as pg_gate_output_format says); text to stdout without any. */
static int render(const pg_gate_options *c, const pg_bisect_report *res, int text_was_live)
{
	size_t to_output = pg_gate_output_format(c), n = c->n_formats + (c->output && to_output == c->n_formats);
	int rc = 0;
	if (!n)
		n = 1;
	for (size_t i = 0; !rc && i < n; i++) {
		const char *spec = i < c->n_formats ? c->formats[i] : "text";
		const char *eq = strchr(spec, '='), *path = eq ? eq + 1 : i == to_output ? c->output : NULL;
		int json = strncmp(spec, "json", 4) == 0;
		if (!path && c->quiet && !c->n_formats)
			continue;
		if (path)
			rc = pg_file_write_rendered(path, json ? report_json : report_text, (void *)res);
		else if (json)
			rc = pg_report_bisect_json(stdout, res);
		else
			pg_report_bisect_text(stdout, res, !text_was_live);
	}
	return rc;
}

/* The benchmark to follow: -b, the benchmark of --metric, or the gates file's first. */
static int pick_benchmark(bisect *b, const pg_gate_bisect_options *a, const pg_gates *g)
{
	if (a->gate.n_only) {
		if (!pg_gates_find(g, a->gate.only[0]))
			return pg_error_set(PG_EINPUT, "-b %s: no such benchmark in %s", a->gate.only[0], g->path);
		b->bench = a->gate.only[0];
		return 0;
	}
	if (a->metric) {
		size_t best = 0;
		for (size_t i = 0; i < g->n_benchmarks; i++) {
			size_t len = strlen(g->benchmarks[i].name);
			if (len > best && strncmp(a->metric, g->benchmarks[i].name, len) == 0 && a->metric[len] == '.' &&
			    a->metric[len + 1]) {
				best = len;
				b->bench = g->benchmarks[i].name;
			}
		}
		if (!b->bench)
			return pg_error_set(PG_EINPUT, "--metric %s: no benchmark of %s is named by it (BENCH.METRIC)",
					    a->metric, g->path);
		b->metric = strdup(a->metric + best + 1);
		return b->metric ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	if (!g->n_benchmarks)
		return pg_error_set(PG_EINPUT, "%s: no benchmarks to bisect", g->path);
	b->bench = g->benchmarks[0].name;
	return 0;
}

static int resolve(char hex[41], git_repository *repo, const char *rev, const char *option)
{
	char *h = NULL;
	int rc = pg_repo_resolve_commit(&h, repo, rev);
	if (rc) {
		free(h);
		return pg_error_set(PG_EINPUT, "%s %s: not a commit of this repository", option, rev);
	}
	snprintf(hex, 41, "%s", h);
	free(h);
	return 0;
}

int pg_gate_bisect(const pg_gate_bisect_options *o)
{
	pg_gate_context ctx = {0};
	pg_gates *gates = NULL;
	pg_result_set *self = NULL;
	char (*commits)[41] = NULL;
	size_t n = 0;
	bisect b = {.o = o, .ctx = &ctx, .noise_floor = NAN};
	pg_bisect_report res = {0};
	int rc, have_records = 0;

	if ((rc = pg_gate_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "bisect: not in a git repository");
		goto out;
	}
	if ((rc = resolve(b.good, ctx.repo, o->good, "--good")) || (rc = resolve(b.bad, ctx.repo, o->bad, "--bad")))
		goto out;
	git_oid good_oid, bad_oid;
	git_oid_fromstr(&good_oid, b.good);
	git_oid_fromstr(&bad_oid, b.bad);
	if (git_graph_descendant_of(ctx.repo, &bad_oid, &good_oid) != 1) {
		rc = pg_error_set(PG_EINPUT, "--good %s is not an ancestor of --bad %s", o->good, o->bad);
		goto out;
	}
	if ((rc = pg_gate_load_gates(&gates, &ctx, &o->gate)) || (rc = pick_benchmark(&b, o, gates)))
		goto out;
	b.gates = gates;
	b.threshold = pg_gate_ab_threshold(gates, b.bench);
	if (!(self = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&self->env, o->gate.env_key)))
		goto out;
	b.env_key = self->env.key;
	if ((rc = first_parent_range(&commits, &n, ctx.repo, b.good, b.bad)))
		goto out;
	if (!n) {
		rc = pg_error_set(PG_EINPUT, "--good %s and --bad %s: no first-parent commit between them", o->good,
				  o->bad);
		goto out;
	}
	rc = pg_gate_open_store(&b.store, &ctx, o->store_dir);
	if (rc || (rc = pg_store_read(&b.good_records, b.store, b.good)))
		goto out;
	have_records = 1;
	b.good_stored = stored_with(&b.good_records, b.env_key, b.bench);

	const pg_gate_options *g = &o->gate;
	int text_live = !g->quiet && !g->output && !g->n_formats;
	for (size_t i = 0; i < g->n_formats; i++)
		text_live |= strcmp(g->formats[i], "text") == 0 && !(g->output && i == pg_gate_output_format(g));
	b.live = text_live ? stdout : NULL;
	res.bench = b.bench;
	res.metric = b.metric;
	res.env_key = b.env_key;
	memcpy(res.good, b.good, sizeof(res.good));
	memcpy(res.bad, b.bad, sizeof(res.bad));
	res.threshold = b.threshold;
	res.n_commits = n;
	if (b.live) {
		pg_report_bisect_start(stdout, &res);
		fflush(stdout);
	}
	rc = search(&res, &b, commits, n);
	res.steps = b.steps;
	res.n_steps = b.n_steps;
	res.builds = b.builds;
	res.checkouts = b.checkouts;
	if (rc || (rc = render(g, &res, text_live)))
		goto out;
	switch (res.result) {
	case PG_BISECT_FOUND:
		break;
	case PG_BISECT_NO_REGRESSION:
		rc = pg_error_set(PG_EFAIL, "no regression between good %.7s and bad %.7s: bad is %+.1f %% vs good (%s)",
				  b.good, b.bad, res.undecided->change * 100,
				  pg_change_verdict_name(res.undecided->verdict));
		break;
	case PG_BISECT_UNDECIDED:
		rc = pg_error_set(PG_ESYSTEM, "the regression is between %.7s and %.7s; commit %.7s could not be decided: inconclusive",
				  res.lo, res.hi, res.undecided->commit);
		break;
	case PG_BISECT_ONLY_SKIPPED:
		rc = pg_error_set(PG_ESYSTEM, "the regression is between %.7s and %.7s: the commits between could not be measured",
				  res.lo, res.hi);
		break;
	case PG_BISECT_BAD_UNMEASURED:
		rc = pg_error_set(PG_ESYSTEM, "bad %.7s could not be measured: %s", b.bad,
				  res.undecided->note ? res.undecided->note : "unknown reason");
		break;
	}
out:
	if (b.good_tree)
		pg_worktree_remove(ctx.root, b.good_tree);
	for (size_t i = 0; i < b.n_steps; i++) {
		free(b.steps[i].subject);
		free(b.steps[i].note);
	}
	free(b.steps);
	free(b.good_tree);
	free(b.good_bindir);
	free(b.metric);
	pg_gates_free(b.good_gates);
	if (have_records)
		pg_commit_records_release(&b.good_records);
	pg_store_free(b.store);
	free(commits);
	pg_result_set_free(self);
	pg_gates_free(gates);
	pg_gate_context_close(&ctx);
	return rc;
}
