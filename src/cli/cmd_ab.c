/* cmd_ab.c - `perfgate ab`: base and head built side by side, measured interleaved, decided paired */
#include "ab_common.h"
#include "cli.h"

#include "perfgate/baseline.h"
#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/report.h"
#include "perfgate/runner.h"
#include "perfgate/worktree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"perfgate ab [-c GATES] [-b BENCH]... [--env KEY] [--base REV] [--target BRANCH]\n"
	"                   [--max-runs N] [--aa-runs N] [--no-build] [--save] [--strict]\n"
	"                   [--format F[=FILE]]... [-o FILE]";

static const char help[] =
	"Same-runner A/B: check out the base commit in a temporary worktree, build\n"
	"both trees with the gates file's `build` steps, and measure base and head\n"
	"interleaved (A B B A blocks, so drift cancels), deciding each benchmark from\n"
	"the paired log ratios: median change, bootstrap interval, signed-rank test.\n"
	"A benchmark stops early once its interval is clearly inside half the\n"
	"threshold or clearly beyond it. An A/A block (head against head) first\n"
	"measures this runner's noise: where it is wider than the threshold the\n"
	"verdict is inconclusive. `--base HEAD` is a legal A/A run.\n"
	"\n"
	"  --base REV     the base (default: the merge-base, as `check` finds it)\n"
	"  --max-runs N   most runs per side and benchmark (default 30)\n"
	"  --aa-runs N    runs per side of the A/A noise block (default 12; 0: skip)\n"
	"  --no-build     measure the trees as they are (no `build` steps)\n"
	"  --save         store both sides' results on their commits\n"
	"  --no-probe     take no environment probe (informative here: one runner)\n"
	"\n"
	"Exit status: 0 pass, 1 a regression, gate or benchmark failed, 2 bad command\n"
	"line, 3 the base does not build or could not be measured.\n";

enum {
	OPT_BASE = OPT_CLI_LAST,
	OPT_TARGET,
	OPT_MAX_RUNS,
	OPT_AA_RUNS,
	OPT_NO_BUILD,
	OPT_SAVE,
	OPT_STRICT,
};

typedef struct ab_args {
	pg_cli_common c;
	pg_baseline_options base;
	int max_runs, aa_runs, no_build, save, strict;
} ab_args;

static int parse(ab_args *a, int argc, char *argv[])
{
	static const struct option longopts[] = {PG_COMMON_LONG_OPTIONS,
						  {"base", required_argument, NULL, OPT_BASE},
						  {"target", required_argument, NULL, OPT_TARGET},
						  {"max-runs", required_argument, NULL, OPT_MAX_RUNS},
						  {"aa-runs", required_argument, NULL, OPT_AA_RUNS},
						  {"no-build", no_argument, NULL, OPT_NO_BUILD},
						  {"save", no_argument, NULL, OPT_SAVE},
						  {"strict", no_argument, NULL, OPT_STRICT},
						  {"ab", no_argument, NULL, 0}, /* from `check --ab` */
						  /* from `check --mode ab|auto` (decided) and the pre-push hook's --local */
						  {"mode", required_argument, NULL, 0},
						  {"local", no_argument, NULL, 0},
						  {NULL, 0, NULL, 0}};
	int opt, rc;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, PG_COMMON_SHORT_OPTIONS, longopts, NULL)) != -1) {
		switch (opt) {
		case 0:
			break;
		case 'h':
		case OPT_HELP:
			printf("usage: %s\n\n%s", usage, help);
			return 1;
		case OPT_BASE:
			a->base.base = optarg;
			break;
		case OPT_TARGET:
			a->base.target = optarg;
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
		case OPT_SAVE:
			a->save = 1;
			break;
		case OPT_STRICT:
			a->strict = 1;
			break;
		default:
			rc = pg_cli_common_option(&a->c, opt, optarg);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return pg_cli_bad_option("ab", usage, argv);
		}
	}
	if (optind < argc)
		return pg_error_set(PG_EINPUT, "ab: unexpected argument '%s'\nusage: %s", argv[optind], usage);
	return 0;
}

/* Replace each benchmark's primary row of the unpaired verdict with the paired decision. */
static void apply_pairs(pg_verdict *v, const pg_ab_pairs *pairs, size_t np, const double *floors,
			char *const *names, size_t n, const pg_gates *g, int looks)
{
	for (size_t i = 0; i < np; i++) {
		const pg_ab_pairs *p = &pairs[i];
		double floor = NAN;
		for (size_t j = 0; j < n; j++)
			if (strcmp(names[j], p->bench) == 0)
				floor = floors[j];
		for (size_t k = 0; k < v->n_metrics; k++) {
			pg_metric_change *c = &v->metrics[k];
			if (strcmp(c->bench, p->bench) != 0 || c->stat || !c->gated || !p->unit)
				continue;
			/* The primary row only: the metric the pairs were made of. */
			if (k > 0 && strcmp(v->metrics[k - 1].bench, p->bench) == 0)
				continue;
			pg_paired_result est;
			if (p->failure || pg_paired_estimate(&est, p->base, p->head, p->n, p->better_higher,
							     g->alpha, looks) != 0)
				break;
			double thr = pg_cli_ab_threshold(g, p->bench);
			c->change = est.change;
			c->ci_lo = est.lo;
			c->ci_hi = est.hi;
			c->p = est.p;
			c->threshold = thr;
			c->noise_floor = floor;
			c->verdict = pg_paired_verdict(&est, thr, g->alpha, floor);
			c->more_runs = 0;
			char note[400];
			if (isfinite(floor) && floor > thr)
				snprintf(note, sizeof(note),
					 "noise on this runner ±%.1f %% exceeds the %.0f %% threshold: use measure: instructions, more runs or a quieter runner",
					 floor * 100, thr * 100);
			else
				snprintf(note, sizeof(note), "A/B: %zu pairs from %d ABBA block%s%s%s", est.n,
					 p->blocks, p->blocks == 1 ? "" : "s", p->stopped_early ? ", stopped early" : "",
					 isfinite(floor) ? "" : "");
			free(c->note);
			c->note = strdup(note);
			if (isfinite(floor)) {
				char *with = malloc(strlen(note) + 64);
				if (with && !(floor > thr)) {
					snprintf(with, strlen(note) + 64, "%s; A/A noise ±%.1f %%", note, floor * 100);
					free(c->note);
					c->note = with;
				} else {
					free(with);
				}
			}
			break;
		}
		if (p->failure)
			pg_verdict_warn(v, "benchmark '%s' could not be compared: %s", p->bench, p->failure);
	}
}

int cmd_ab(int argc, char *argv[])
{
	ab_args a = {.max_runs = 30, .aa_runs = 12};
	pg_cli_context ctx = {0};
	pg_gates *head_g = NULL, *base_g = NULL;
	pg_result_set *head_rs = NULL, *base_rs = NULL;
	pg_ab_pairs *pairs = NULL;
	size_t np = 0, n_names = 0;
	char *base_commit = NULL, *how = NULL, *worktree = NULL, *bindir = NULL, **names = NULL;
	double *floors = NULL;
	pg_verdict *v = NULL;
	int rc;

	pg_cli_common_init(&a.c);
	if ((rc = parse(&a, argc, argv)))
		goto out;
	if ((rc = pg_cli_context_open(&ctx)))
		goto out;
	if (!ctx.repo) {
		rc = pg_error_set(PG_ESYSTEM, "ab: not in a git repository (it checks out the base commit)");
		goto out;
	}
	if ((rc = pg_cli_load_gates(&head_g, &ctx, &a.c)) || (rc = pg_gates_check_metrics(head_g)))
		goto out;
	if (!(head_rs = pg_result_set_new()) || !(base_rs = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&head_rs->env, a.c.env_key)) || (rc = pg_env_detect(&base_rs->env, a.c.env_key)) ||
	    (rc = pg_cli_head(head_rs, &ctx, NULL)))
		goto out;
	if ((rc = pg_baseline_start(&base_commit, &how, ctx.repo, head_rs->commit, &a.base)))
		goto out;
	base_rs->commit = strdup(base_commit);
	head_rs->rss_floor = base_rs->rss_floor = pg_spawner_rss_floor();

	if ((rc = pg_worktree_add(&worktree, ctx.root, base_commit)))
		goto out;
	if (!(bindir = pg_cli_ab_bindir(&ctx, worktree))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	/* The head's gates file drives both sides; only {root} and {bindir} differ. */
	if ((rc = pg_gates_load(&base_g, head_g->path, worktree, bindir)))
		goto out;
	if (!a.no_build && head_g->n_build) {
		if (!a.c.quiet)
			fprintf(stderr, "perfgate: building head and base (%zu step%s each)\n", head_g->n_build,
				head_g->n_build == 1 ? "" : "s");
		if ((rc = pg_build(head_g->build, head_g->n_build, ctx.root, "head", 3600)))
			goto out;
		if ((rc = pg_build(base_g->build, base_g->n_build, worktree, "base", 3600))) {
			/* The base failing to build says nothing about the head's speed. */
			char why[2048];
			snprintf(why, sizeof(why), "%s", pg_error_message());
			rc = pg_error_set(PG_ESYSTEM, "%s", why);
			goto out;
		}
	}
	names = calloc(head_g->n_benchmarks + 1, sizeof(char *));
	for (size_t i = 0; names && i < head_g->n_benchmarks; i++) {
		int take = !a.c.only;
		for (char **o = a.c.only; o && *o; o++)
			take |= strcmp(*o, head_g->benchmarks[i].name) == 0;
		if (take)
			names[n_names++] = head_g->benchmarks[i].name;
	}
	if (!names) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	pg_measure_options mo = {.runs = 1, .warmup = 0, .only = a.c.only};
	if (!a.c.quiet && isatty(STDERR_FILENO))
		mo.progress = pg_cli_progress;
	/* One probe pair for both sides: they share the runner, so it informs and never decides. */
	pg_cli_probe(&head_rs->probe, 0, &a.c, head_g);
	if ((rc = pg_cli_ab_calibrate(&floors, a.aa_runs, head_g, &mo, names, n_names)))
		goto out;
	int max_blocks = a.max_runs / 2;
	pg_cli_ab_stop_rule rule = {.gates = head_g, .looks = max_blocks};
	pg_ab_options ao = {.min_blocks = 3 < max_blocks ? 3 : max_blocks, .max_blocks = max_blocks,
			    .stop = pg_cli_ab_settled, .stop_arg = &rule};
	if ((rc = pg_measure_ab(&pairs, &np, base_rs, head_rs, base_g, head_g, &mo, &ao)))
		goto out;
	if (head_rs->probe.cpu_ms[0] > 0) {
		pg_cli_probe(&head_rs->probe, 1, &a.c, head_g);
		base_rs->probe = head_rs->probe;
	}

	pg_compare_options co = {.strict = a.strict};
	if ((rc = pg_compare(&v, head_rs, base_rs, NULL, head_g, &co)))
		goto out;
	free(v->base_commit);
	v->base_commit = strdup(base_commit);
	v->base_depth = 0;
	v->base_how = how ? strdup(how) : NULL;
	apply_pairs(v, pairs, np, floors, names, n_names, head_g, max_blocks);
	pg_verdict_decide(v, &(pg_compare_options){.strict = a.strict});
	pg_verdict_probe_same_runner(v, &head_rs->probe);
	/* The runner's A/A noise travels with the results it qualifies (the A/A ran on head). */
	for (size_t j = 0; floors && j < n_names; j++) {
		pg_benchmark *hb = pg_result_set_find(head_rs, names[j]);
		if (hb)
			hb->noise_floor = floors[j];
	}
	if (a.save) {
		if ((rc = pg_cli_save(head_rs, &ctx, NULL, 0)))
			goto out;
		base_rs->dirty = 0;
		if ((rc = pg_cli_save(base_rs, &ctx, NULL, 0)))
			goto out;
	}
	if (!(rc = pg_cli_render(&a.c, v)))
		rc = pg_cli_verdict_status(v, "ab");
out:
	if (worktree)
		pg_worktree_remove(ctx.root, worktree);
	pg_verdict_free(v);
	pg_ab_pairs_free(pairs, np);
	free(floors);
	free(names);
	free(worktree);
	free(bindir);
	free(base_commit);
	free(how);
	pg_result_set_free(head_rs);
	pg_result_set_free(base_rs);
	pg_gates_free(base_g);
	pg_gates_free(head_g);
	pg_cli_context_close(&ctx);
	pg_cli_common_release(&a.c);
	return rc == 1 ? 0 : rc;
}
