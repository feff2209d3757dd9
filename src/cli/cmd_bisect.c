/* cmd_bisect.c - `perfgate bisect`: the first first-parent commit whose benchmark regressed against good */
#include "ab_common.h"
#include "cli.h"

#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/json.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"
#include "perfgate/worktree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static const char usage[] =
	"perfgate bisect [-c GATES] [-b BENCH | --metric BENCH.METRIC] --good REV --bad REV\n"
	"                       [--max-runs N] [--aa-runs N] [--no-build] [--store DIR] [--env KEY]\n"
	"                       [--format text|json[=FILE]]... [-o FILE]";

static const char help[] =
	"Find the first commit of the first-parent range good..bad whose benchmark is a\n"
	"regression against good, by binary search. Bad is checked first. A commit whose\n"
	"results (same env key) are stored, like good's, is compared from the store;\n"
	"any other is checked out in a temporary worktree, built with the gates file's\n"
	"`build` steps and measured against good (also checked out, built once)\n"
	"interleaved, decided paired, as `perfgate ab` does. A commit that does not build\n"
	"or whose benchmark fails is skipped (a neighbour is tried instead); an\n"
	"inconclusive one is measured again with twice --max-runs, and if still\n"
	"inconclusive the search stops with the range it narrowed to. The gates file\n"
	"(-c, default gates/default.json here) drives every commit, {root} being that\n"
	"commit's worktree.\n"
	"\n"
	"  -b BENCH        the benchmark to follow (default: the gates file's first)\n"
	"  --metric B.M    follow metric M of benchmark B (stored results; measuring\n"
	"                  decides on the benchmark's primary metric)\n"
	"  --good REV      a commit without the regression (an ancestor of --bad)\n"
	"  --bad REV       a commit with it\n"
	"  --max-runs N    most runs per side and commit (default 30)\n"
	"  --aa-runs N     runs per side of the A/A noise block on good (default 12; 0: skip)\n"
	"  --no-build      measure the checkouts as they are (no `build` steps)\n"
	"  --store DIR     stored results in plain files under DIR instead of git notes\n"
	"\n"
	"Exit status: 0 the first bad commit was found, 1 no regression between good and\n"
	"bad, 2 bad command line or revision, 3 could not decide (good does not build,\n"
	"bad could not be measured, an inconclusive commit, only skipped commits left).\n";

enum {
	OPT_GOOD = OPT_CLI_LAST,
	OPT_BAD,
	OPT_METRIC,
	OPT_MAX_RUNS,
	OPT_AA_RUNS,
	OPT_NO_BUILD,
	OPT_STORE,
};

typedef struct bisect_args {
	pg_cli_common c;
	const char *good, *bad, *metric, *store_dir;
	int max_runs, aa_runs, no_build;
} bisect_args;

static int parse(bisect_args *a, int argc, char *argv[])
{
	static const struct option longopts[] = {PG_COMMON_LONG_OPTIONS,
						  {"good", required_argument, NULL, OPT_GOOD},
						  {"bad", required_argument, NULL, OPT_BAD},
						  {"metric", required_argument, NULL, OPT_METRIC},
						  {"max-runs", required_argument, NULL, OPT_MAX_RUNS},
						  {"aa-runs", required_argument, NULL, OPT_AA_RUNS},
						  {"no-build", no_argument, NULL, OPT_NO_BUILD},
						  {"store", required_argument, NULL, OPT_STORE},
						  {NULL, 0, NULL, 0}};
	int opt, rc;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, PG_COMMON_SHORT_OPTIONS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			return 1;
		case OPT_GOOD:
			a->good = optarg;
			break;
		case OPT_BAD:
			a->bad = optarg;
			break;
		case OPT_METRIC:
			a->metric = optarg;
			break;
		case OPT_STORE:
			a->store_dir = optarg;
			break;
		case OPT_MAX_RUNS:
			if ((rc = pg_cli_int(&a->max_runs, optarg, "--max-runs", 4)))
				return rc;
			break;
		case OPT_AA_RUNS:
			if ((rc = pg_cli_int(&a->aa_runs, optarg, "--aa-runs", 0)))
				return rc;
			break;
		case OPT_NO_BUILD:
			a->no_build = 1;
			break;
		default:
			rc = pg_cli_common_option(&a->c, opt, optarg);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return pg_cli_bad_option("bisect", usage, argv);
		}
	}
	if (optind < argc)
		return pg_error_set(PG_EINPUT, "bisect: unexpected argument '%s'\nusage: %s", argv[optind], usage);
	if (!a->good || !a->bad)
		return pg_error_set(PG_EINPUT, "bisect: --good REV and --bad REV are both needed\nusage: %s", usage);
	if (a->c.n_only > 1)
		return pg_error_set(PG_EINPUT, "bisect: follows one benchmark: give -b once\nusage: %s", usage);
	if (a->c.n_only && a->metric)
		return pg_error_set(PG_EINPUT, "bisect: give -b BENCH or --metric BENCH.METRIC, not both");
	for (size_t i = 0; i < a->c.n_formats; i++) {
		const char *f = a->c.formats[i];
		size_t len = strcspn(f, "=");
		if (!((len == 4 && strncmp(f, "text", 4) == 0) || (len == 4 && strncmp(f, "json", 4) == 0)))
			return pg_error_set(PG_EINPUT, "bisect: --format %s: expected text or json", f);
	}
	return 0;
}

typedef enum step_source { FROM_STORE, MEASURED, SKIPPED } step_source;

/* One commit looked at, in the order the search looked. */
typedef struct step {
	char commit[41];
	char *subject;
	step_source source;
	pg_change_verdict verdict;
	double change, lo, hi, p; /* vs good, > 0 worse */
	size_t runs;              /* per side */
	int measured_again;       /* inconclusive at first: measured with twice --max-runs */
	char *note;               /* why it was skipped, or what the decision rests on */
} step;

typedef enum outcome { PROBE_GOOD, PROBE_BAD, PROBE_INCONCLUSIVE, PROBE_SKIPPED } outcome;

typedef struct bisect {
	const bisect_args *a;
	const pg_cli_context *ctx;
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
	step *steps;
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
static int probe_stored(bisect *b, const char *commit, step *st)
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
			st->source = FROM_STORE;
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
	int rc = pg_cli_ab_calibrate(&floors, aa_runs, b->good_gates, &mo, names, 1);
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
	if (!(b->good_bindir = pg_cli_ab_bindir(b->ctx, b->good_tree)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = pg_gates_load(&b->good_gates, b->gates->path, b->good_tree, b->good_bindir)))
		return rc;
	if (!b->a->no_build && b->good_gates->n_build) {
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
	return calibrate(b, b->a->aa_runs);
}

/* Measure commit against good interleaved; st filled, *out the outcome. */
static int measure_pair(bisect *b, const pg_gates *probe_gates, int max_runs, step *st, outcome *out)
{
	char *names[] = {(char *)b->bench, NULL};
	pg_measure_options mo = {.runs = 1, .warmup = 0, .only = names};
	if (!b->a->c.quiet && isatty(STDERR_FILENO))
		mo.progress = pg_cli_progress;
	int max_blocks = max_runs / 2;
	pg_cli_ab_stop_rule rule = {.gates = b->good_gates, .looks = max_blocks};
	pg_ab_options ao = {.min_blocks = 3 < max_blocks ? 3 : max_blocks, .max_blocks = max_blocks,
			    .stop = pg_cli_ab_settled, .stop_arg = &rule};
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
		st->source = SKIPPED;
		*out = PROBE_SKIPPED;
	} else if (!rc) {
		pg_paired_result est;
		if (pg_paired_estimate(&est, p->base, p->head, p->n, p->better_higher, b->good_gates->alpha,
				       max_blocks) != 0) {
			st->source = SKIPPED;
			free(st->note);
			st->note = strdup("no usable pair of measurements");
			*out = PROBE_SKIPPED;
		} else {
			st->source = MEASURED;
			st->verdict = pg_paired_verdict(&est, b->threshold, b->good_gates->alpha, b->noise_floor);
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
					 "%s A/B; noise on this runner ±%.1f %% exceeds the %.0f %% threshold",
					 primary, b->noise_floor * 100, b->threshold * 100);
			else
				snprintf(note, sizeof(note), "%s A/B: %zu pairs from %d ABBA block%s%s", primary,
					 est.n, p->blocks, p->blocks == 1 ? "" : "s",
					 p->stopped_early ? ", stopped early" : "");
			free(st->note);
			st->note = strdup(note);
			*out = outcome_of(st->verdict);
		}
	}
	pg_ab_pairs_free(pairs, np);
	pg_result_set_free(good_rs);
	pg_result_set_free(probe_rs);
	return rc;
}

/* Check commit out, build it and measure it against good. */
static int probe_measured(bisect *b, const char *commit, step *st, outcome *out)
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
	if (!(bindir = pg_cli_ab_bindir(b->ctx, tree))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_gates_load(&g, b->gates->path, tree, bindir)))
		goto out;
	if (!b->a->no_build && g->n_build) {
		char what[64];
		snprintf(what, sizeof(what), "%.7s", commit);
		b->builds++;
		if (!b->a->c.quiet)
			fprintf(stderr, "perfgate: building %.7s\n", commit);
		rc = pg_build(g->build, g->n_build, tree, what, 3600);
		if (rc == PG_EFAIL) {
			/* Like `git bisect skip`: this commit says nothing about speed. */
			st->source = SKIPPED;
			st->note = strdup(pg_error_message());
			*out = PROBE_SKIPPED;
			rc = 0;
			goto out;
		}
		if (rc)
			goto out;
	}
	if ((rc = measure_pair(b, g, b->a->max_runs, st, out)))
		goto out;
	if (*out == PROBE_INCONCLUSIVE) {
		st->measured_again = 1;
		/* A noise floor over the threshold may have been a passing burst of load: measure it again too. */
		if (isfinite(b->noise_floor) && b->noise_floor > b->threshold && (rc = calibrate(b, b->a->aa_runs * 2)))
			goto out;
		rc = measure_pair(b, g, b->a->max_runs * 2, st, out);
	}
out:
	if (tree)
		pg_worktree_remove(b->ctx->root, tree);
	free(tree);
	free(bindir);
	pg_gates_free(g);
	return rc;
}

/* "+25.1 % [+24.0, +26.2]"; deterministic stored results have no interval. */
static void print_change(FILE *f, const step *st)
{
	fprintf(f, "%+.1f %%", st->change * 100);
	if (isfinite(st->lo) && isfinite(st->hi))
		fprintf(f, " [%+.1f, %+.1f]", st->lo * 100, st->hi * 100);
}

static void print_step(FILE *f, const step *st)
{
	fprintf(f, "  %.7s %s: ", st->commit, st->subject);
	if (st->source == SKIPPED) {
		fprintf(f, "skipped (%s)\n", st->note ? st->note : "could not be measured");
		return;
	}
	print_change(f, st);
	fprintf(f, " %s (%s, %zu runs%s)\n", pg_change_verdict_name(st->verdict),
		st->source == FROM_STORE ? "stored" : "measured", st->runs,
		st->measured_again ? ", measured again" : "");
}

/* Look at the commit of the range: stored results if any, else measure it. */
static int probe(bisect *b, const char *commit, outcome *out)
{
	step *grown = realloc(b->steps, (b->n_steps + 1) * sizeof(step));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	b->steps = grown;
	step *st = &b->steps[b->n_steps++];
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
		print_step(b->live, st);
		fflush(b->live);
	}
	return rc;
}

typedef enum result_kind { FOUND, NO_REGRESSION, UNDECIDED, ONLY_SKIPPED, BAD_UNMEASURED } result_kind;

typedef struct bisect_result {
	result_kind kind;
	const char *lo, *hi;   /* the last good and the first bad commit known (lo may be good) */
	const step *culprit;   /* FOUND: the first bad commit's step */
	const step *undecided; /* UNDECIDED: the commit that could not be decided */
	size_t n_commits;
} bisect_result;

static const step *step_of(const bisect *b, const char *commit)
{
	for (size_t i = b->n_steps; i-- > 0;)
		if (strcmp(b->steps[i].commit, commit) == 0)
			return &b->steps[i];
	return NULL;
}

static int search(bisect_result *res, bisect *b, char (*commits)[41], size_t n)
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
			res->kind = o == PROBE_GOOD ? NO_REGRESSION : o == PROBE_SKIPPED ? BAD_UNMEASURED : UNDECIDED;
			res->undecided = &b->steps[b->n_steps - 1];
			goto out;
		}
		hi_known = 1;
	}
	res->lo = lo < 0 ? b->good : commits[lo];
	res->hi = commits[hi];
	if (undecided) {
		res->kind = UNDECIDED;
		res->undecided = &b->steps[b->n_steps - 1];
	} else {
		res->kind = hi - lo > 1 ? ONLY_SKIPPED : FOUND;
		res->culprit = step_of(b, commits[hi]);
	}
out:
	free(skipped);
	return rc;
}

static const char *kind_name(result_kind k)
{
	static const char *const names[] = {"found", "no-regression", "inconclusive", "only-skipped",
					    "bad-not-measured"};
	return names[k];
}

static void print_text(FILE *f, const bisect *b, const bisect_result *res, int with_steps)
{
	if (with_steps)
		for (size_t i = 0; i < b->n_steps; i++)
			print_step(f, &b->steps[i]);
	size_t skipped = 0;
	for (size_t i = 0; i < b->n_steps; i++)
		skipped += b->steps[i].source == SKIPPED;
	if (skipped) {
		fprintf(f, "skipped:");
		for (size_t i = 0; i < b->n_steps; i++)
			if (b->steps[i].source == SKIPPED)
				fprintf(f, " %.7s", b->steps[i].commit);
		fputc('\n', f);
	}
	const step *c = res->culprit;
	switch (res->kind) {
	case FOUND:
		fprintf(f, "first bad commit: %s %s: ", c->commit, c->subject);
		print_change(f, c);
		fputs(" vs good\n", f);
		break;
	case NO_REGRESSION:
		fprintf(f, "no regression between good %.7s and bad %.7s\n", b->good, b->bad);
		break;
	case UNDECIDED:
		fprintf(f, "the regression is between %.7s and %.7s; commit %.7s could not be decided: inconclusive\n",
			res->lo, res->hi, res->undecided->commit);
		break;
	case ONLY_SKIPPED:
		fprintf(f, "the regression is between %.7s and %.7s; only skipped commits are left: the first bad commit is one of them or %.7s\n",
			res->lo, res->hi, res->hi);
		break;
	case BAD_UNMEASURED:
		fprintf(f, "bad %.7s could not be measured\n", b->bad);
		break;
	}
	fprintf(f, "%zu commit%s in the range, %zu looked at, %d build%s, %d checkout%s\n", res->n_commits,
		res->n_commits == 1 ? "" : "s", b->n_steps, b->builds, b->builds == 1 ? "" : "s", b->checkouts,
		b->checkouts == 1 ? "" : "s");
}

static cJSON *step_json(const step *st)
{
	static const char *const sources[] = {"stored", "measured", "skipped"};
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	int rc = pg_json_add_string(o, "commit", st->commit) || pg_json_add_string(o, "subject", st->subject) ||
		 pg_json_add_string(o, "source", sources[st->source]);
	if (!rc && st->source != SKIPPED) {
		cJSON *ci = cJSON_AddArrayToObject(o, "ci");
		rc = !ci || pg_json_add_number(o, "change", st->change) ||
		     pg_json_add_string(o, "verdict", pg_change_verdict_name(st->verdict)) ||
		     pg_json_add_number(o, "p", st->p) || pg_json_add_number(o, "runs", (double)st->runs) ||
		     !cJSON_AddBoolToObject(o, "measured_again", st->measured_again);
		if (!rc) {
			cJSON_AddItemToArray(ci, pg_json_number(st->lo));
			cJSON_AddItemToArray(ci, pg_json_number(st->hi));
		}
	}
	if (!rc)
		rc = pg_json_add_string(o, "note", st->note);
	if (rc) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int write_json(FILE *f, const bisect *b, const bisect_result *res)
{
	cJSON *o = cJSON_CreateObject(), *steps = o ? cJSON_AddArrayToObject(o, "steps") : NULL;
	int rc = !steps || pg_json_add_string(o, "schema", "perfgate-bisect/1") ||
		 pg_json_add_string(o, "result", kind_name(res->kind)) ||
		 pg_json_add_string(o, "benchmark", b->bench) || pg_json_add_string(o, "metric", b->metric) ||
		 pg_json_add_string(o, "env_key", b->env_key) || pg_json_add_string(o, "good", b->good) ||
		 pg_json_add_string(o, "bad", b->bad) || pg_json_add_number(o, "threshold", b->threshold) ||
		 pg_json_add_number(o, "commits", (double)res->n_commits) ||
		 pg_json_add_string(o, "range_good", res->lo) || pg_json_add_string(o, "range_bad", res->hi) ||
		 pg_json_add_number(o, "builds", b->builds) || pg_json_add_number(o, "checkouts", b->checkouts);
	for (size_t i = 0; !rc && i < b->n_steps; i++) {
		cJSON *s = step_json(&b->steps[i]);
		rc = !s || !cJSON_AddItemToArray(steps, s);
	}
	if (!rc && res->kind == FOUND) {
		cJSON *c = step_json(res->culprit);
		rc = !c || !cJSON_AddItemToObject(o, "first_bad", c);
	} else if (!rc) {
		rc = !cJSON_AddNullToObject(o, "first_bad");
	}
	if (!rc && res->kind == UNDECIDED)
		rc = pg_json_add_string(o, "undecided", res->undecided->commit);
	char *text = rc ? NULL : pg_json_print(o, 1);
	cJSON_Delete(o);
	if (!text)
		return pg_error_set(PG_ENOMEM, "out of memory");
	fprintf(f, "%s\n", text);
	free(text);
	return 0;
}

/* Every --format F[=FILE] (and -o FILE for the first); text to stdout without any. */
static int render(const bisect *b, const bisect_result *res, int text_was_live)
{
	const pg_cli_common *c = &b->a->c;
	size_t n = c->n_formats ? c->n_formats : 1;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const char *spec = c->n_formats ? c->formats[i] : "text";
		const char *eq = strchr(spec, '='), *path = eq ? eq + 1 : i == 0 ? c->output : NULL;
		int json = strncmp(spec, "json", 4) == 0;
		if (!path && c->quiet && !c->n_formats)
			continue;
		FILE *f = path ? fopen(path, "w") : stdout;
		if (!f)
			return pg_error_set(PG_ESYSTEM, "%s: cannot write the report", path);
		if (json)
			rc = write_json(f, b, res);
		else
			print_text(f, b, res, !(f == stdout && text_was_live));
		if (path && fclose(f) != 0)
			rc = pg_error_set(PG_ESYSTEM, "%s: cannot write the report", path);
	}
	return rc;
}

/* The benchmark to follow: -b, the benchmark of --metric, or the gates file's first. */
static int pick_benchmark(bisect *b, const bisect_args *a, const pg_gates *g)
{
	if (a->c.n_only) {
		if (!pg_gates_find(g, a->c.only[0]))
			return pg_error_set(PG_EINPUT, "-b %s: no such benchmark in %s", a->c.only[0], g->path);
		b->bench = a->c.only[0];
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

int cmd_bisect(int argc, char *argv[])
{
	bisect_args a = {.max_runs = 30, .aa_runs = 12};
	pg_cli_context ctx = {0};
	pg_gates *gates = NULL;
	pg_result_set *self = NULL;
	char (*commits)[41] = NULL;
	size_t n = 0;
	bisect b = {.a = &a, .ctx = &ctx, .noise_floor = NAN};
	bisect_result res = {0};
	int rc, have_records = 0;

	pg_cli_common_init(&a.c);
	if ((rc = parse(&a, argc, argv)))
		goto out;
	if ((rc = pg_cli_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "bisect: not in a git repository");
		goto out;
	}
	if ((rc = resolve(b.good, ctx.repo, a.good, "--good")) || (rc = resolve(b.bad, ctx.repo, a.bad, "--bad")))
		goto out;
	git_oid good_oid, bad_oid;
	git_oid_fromstr(&good_oid, b.good);
	git_oid_fromstr(&bad_oid, b.bad);
	if (git_graph_descendant_of(ctx.repo, &bad_oid, &good_oid) != 1) {
		rc = pg_error_set(PG_EINPUT, "--good %s is not an ancestor of --bad %s", a.good, a.bad);
		goto out;
	}
	if ((rc = pg_cli_load_gates(&gates, &ctx, &a.c)) || (rc = pick_benchmark(&b, &a, gates)))
		goto out;
	b.gates = gates;
	b.threshold = pg_cli_ab_threshold(gates, b.bench);
	if (!(self = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&self->env, a.c.env_key)))
		goto out;
	b.env_key = self->env.key;
	if ((rc = first_parent_range(&commits, &n, ctx.repo, b.good, b.bad)))
		goto out;
	if (!n) {
		rc = pg_error_set(PG_EINPUT, "--good %s and --bad %s: no first-parent commit between them", a.good, a.bad);
		goto out;
	}
	rc = pg_cli_open_store(&b.store, &ctx, a.store_dir);
	if (rc || (rc = pg_store_read(&b.good_records, b.store, b.good)))
		goto out;
	have_records = 1;
	b.good_stored = stored_with(&b.good_records, b.env_key, b.bench);

	int text_live = !a.c.quiet && !a.c.output && !a.c.n_formats;
	for (size_t i = 0; i < a.c.n_formats; i++)
		text_live |= strcmp(a.c.formats[i], "text") == 0 && !(i == 0 && a.c.output);
	b.live = text_live ? stdout : NULL;
	if (b.live) {
		fprintf(stdout, "bisect %s%s%s over %zu first-parent commit%s, good %.7s, bad %.7s, threshold %.0f %%\n",
			b.bench, b.metric ? "." : "", b.metric ? b.metric : "", n, n == 1 ? "" : "s", b.good, b.bad,
			b.threshold * 100);
		fflush(stdout);
	}
	if ((rc = search(&res, &b, commits, n)))
		goto out;
	if ((rc = render(&b, &res, text_live)))
		goto out;
	switch (res.kind) {
	case FOUND:
		break;
	case NO_REGRESSION:
		rc = pg_error_set(PG_EFAIL, "no regression between good %.7s and bad %.7s: bad is %+.1f %% vs good (%s)",
				  b.good, b.bad, res.undecided->change * 100,
				  pg_change_verdict_name(res.undecided->verdict));
		break;
	case UNDECIDED:
		rc = pg_error_set(PG_ESYSTEM, "the regression is between %.7s and %.7s; commit %.7s could not be decided: inconclusive",
				  res.lo, res.hi, res.undecided->commit);
		break;
	case ONLY_SKIPPED:
		rc = pg_error_set(PG_ESYSTEM, "the regression is between %.7s and %.7s: the commits between could not be measured",
				  res.lo, res.hi);
		break;
	case BAD_UNMEASURED:
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
	pg_cli_context_close(&ctx);
	pg_cli_common_release(&a.c);
	return rc == 1 ? 0 : rc;
}
