/* cmd_check.c - `perfgate check`: measure, save, find the baseline, compare, gate, report */
#include "cli.h"

#include "perfgate/baseline.h"
#include "perfgate/bench.h"
#include "perfgate/compare.h"
#include "perfgate/error.h"
#include "perfgate/gate_history.h"
#include "perfgate/plot.h"
#include "perfgate/repo.h"
#include "perfgate/report.h"
#include "perfgate/runner.h"
#include "perfgate/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"perfgate check [-c GATES] [-b BENCH]... [--runs N] [--warmup N] [--env KEY]\n"
	"                      [--base REV|FILE] [--target BRANCH] [--max-depth N] [--save]\n"
	"                      [--allow-dirty] [--commit REV] [--store DIR] [--confirm N] [--strict]\n"
	"                      [--require-baseline] [--drift N] [--shifts N] [--format F[=FILE]]...\n"
	"                      [-o FILE] [--plot DIR] [--ab] [--mode auto|ab|stored] [--local]\n"
	"                      [--threshold P] [--history K] [--no-probe]";

static const char help[] =
	"Measure the gates file's benchmarks, find the baseline, compare, hold the gates,\n"
	"and report: the one command CI needs.\n"
	"\n"
	"  --base REV|FILE     compare with this commit's stored results (walking first\n"
	"                      parents from it) or a result set file\n"
	"  --target BRANCH     the branch a PR goes into (default: $GITHUB_BASE_REF, else\n"
	"                      origin's default branch); the walk starts at the merge-base\n"
	"  --max-depth N       first-parent commits to look through (default 50)\n"
	"  --save              store the result set on HEAD (git notes, or --store DIR)\n"
	"  --allow-dirty       save even with modified tracked files\n"
	"  --commit REV        the commit the results belong to (default HEAD)\n"
	"  --store DIR         keep results in plain files under DIR instead of git notes\n"
	"  --confirm N         re-measure what looks regressed N times; fail only if it\n"
	"                      reproduces (default 1; 0 = trust the first measurement)\n"
	"  --strict            an inconclusive result fails\n"
	"  --require-baseline  no baseline fails\n"
	"  --format F[=FILE]   report format: text (default), json, markdown, junit,\n"
	"                      github, signoff; repeatable\n"
	"  --plot DIR          base-vs-head distribution plots (gnuplot) into DIR\n"
	"  --drift N           also compare with the target branch N first parents back:\n"
	"                      a creeping regression fails on the branch, warns in a PR\n"
	"  --shifts N          list the level shifts (as `perfgate changes` finds them) of\n"
	"                      the last N commits that went the bad way and that no\n"
	"                      acceptance covers; informative (default 50, 0 = off)\n"
	"  --ab                build the base in a worktree and measure it interleaved with\n"
	"                      the head on this runner (see `perfgate ab --help`)\n"
	"  --mode M            stored (default): against the stored baseline; ab: as --ab;\n"
	"                      auto: A/B when the gates file has build steps, the base\n"
	"                      commit is known and nothing is saved, else stored\n"
	"  --threshold P       the default relative threshold (e.g. 5%%), over the gates\n"
	"                      file's defaults; a gate's own regression still holds\n"
	"  --local             the developer's check before a push: what is built now\n"
	"                      against the stored baseline of the merge-base; never saves\n"
	"                      (refuses --save), never pushes (see ci/pre-push.sample)\n"
	"  --no-probe          take no environment probe and leave the baseline's unused\n"
	"                      (see README: Environment probe)\n"
	"  --history K         hold a regression against the run-to-run variation of the\n"
	"                      last K stored runs along the baseline's history (default:\n"
	"                      the gates file's `history`, else 10; fewer than 3 runs:\n"
	"                      single-run baseline)\n"
	"  -o FILE             write the report of the first --format (or text) to FILE\n"
	"  -c, -b, --runs, --warmup, --env, -q   as for `perfgate run`\n"
	"\n"
	"Exit status: 0 pass (also with no baseline, unless --require-baseline), 1 a\n"
	"regression, a failed gate or a failed benchmark, 2 bad command line or gates\n"
	"file, 3 could not measure, read or save.\n";

enum {
	OPT_BASE = OPT_CLI_LAST,
	OPT_TARGET,
	OPT_MAX_DEPTH,
	OPT_SAVE,
	OPT_ALLOW_DIRTY,
	OPT_STORE,
	OPT_CONFIRM,
	OPT_STRICT,
	OPT_REQUIRE_BASELINE,
	OPT_COMMIT,
	OPT_PLOT,
	OPT_DRIFT,
	OPT_SHIFTS,
	OPT_LOCAL,
	OPT_MODE,
	OPT_HISTORY,
};

enum check_mode { MODE_STORED = 0, MODE_AB, MODE_AUTO };

typedef struct check_args {
	pg_cli_common c;
	pg_baseline_options base;
	const char *store_dir, *commit, *plot_dir;
	int save, allow_dirty, confirm, strict, require_baseline, drift, shifts, local, history;
	enum check_mode mode;
} check_args;

static int parse(check_args *a, int argc, char *argv[])
{
	static const struct option longopts[] = {
		PG_COMMON_LONG_OPTIONS,
		{"base", required_argument, NULL, OPT_BASE},
		{"target", required_argument, NULL, OPT_TARGET},
		{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
		{"save", no_argument, NULL, OPT_SAVE},
		{"allow-dirty", no_argument, NULL, OPT_ALLOW_DIRTY},
		{"store", required_argument, NULL, OPT_STORE},
		{"confirm", required_argument, NULL, OPT_CONFIRM},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"require-baseline", no_argument, NULL, OPT_REQUIRE_BASELINE},
		{"commit", required_argument, NULL, OPT_COMMIT},
		{"plot", required_argument, NULL, OPT_PLOT},
		{"drift", required_argument, NULL, OPT_DRIFT},
		{"shifts", required_argument, NULL, OPT_SHIFTS},
		{"local", no_argument, NULL, OPT_LOCAL},
		{"mode", required_argument, NULL, OPT_MODE},
		{"history", required_argument, NULL, OPT_HISTORY},
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
		case OPT_BASE:
			a->base.base = optarg;
			break;
		case OPT_TARGET:
			a->base.target = optarg;
			break;
		case OPT_MAX_DEPTH:
			if ((rc = pg_cli_int(&a->base.max_depth, optarg, "--max-depth", 1)))
				return rc;
			break;
		case OPT_SAVE:
			a->save = 1;
			break;
		case OPT_ALLOW_DIRTY:
			a->allow_dirty = 1;
			break;
		case OPT_STORE:
			a->store_dir = optarg;
			break;
		case OPT_CONFIRM:
			if ((rc = pg_cli_int(&a->confirm, optarg, "--confirm", 0)))
				return rc;
			break;
		case OPT_STRICT:
			a->strict = 1;
			break;
		case OPT_REQUIRE_BASELINE:
			a->require_baseline = 1;
			break;
		case OPT_COMMIT:
			a->commit = optarg;
			break;
		case OPT_PLOT:
			a->plot_dir = optarg;
			break;
		case OPT_DRIFT:
			if ((rc = pg_cli_int(&a->drift, optarg, "--drift", 1)))
				return rc;
			break;
		case OPT_LOCAL:
			a->local = 1;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "stored") == 0)
				a->mode = MODE_STORED;
			else if (strcmp(optarg, "ab") == 0)
				a->mode = MODE_AB;
			else if (strcmp(optarg, "auto") == 0)
				a->mode = MODE_AUTO;
			else
				return pg_error_set(PG_EINPUT, "--mode: expected auto, ab or stored, found '%s'",
						    optarg);
			break;
		case OPT_HISTORY:
			if ((rc = pg_cli_int(&a->history, optarg, "--history", 1)))
				return rc;
			break;
		case OPT_SHIFTS:
			if ((rc = pg_cli_int(&a->shifts, optarg, "--shifts", 0)))
				return rc;
			break;
		default:
			rc = pg_cli_common_option(&a->c, opt, optarg);
			if (rc < 0)
				return rc;
			if (rc == 0)
				return pg_cli_bad_option("check", usage, argv);
		}
	}
	if (optind < argc)
		return pg_error_set(PG_EINPUT, "check: unexpected argument '%s'\nusage: %s", argv[optind],
				    usage);
	if (a->local && a->save)
		return pg_error_set(PG_EINPUT, "check: --local never saves: drop --save (results stored from a "
						"developer's machine would be compared with CI's)");
	return 0;
}

/* Before measuring: with this few runs, could any result be significant at all? */
static void warn_if_runs_too_few(pg_verdict *v, const pg_gates *g, const pg_measure_options *mo,
				 const pg_baseline *base)
{
	if (!base->rs)
		return;
	size_t gated = 0, least_base = (size_t)-1;
	int least_runs = 1 << 30;
	for (size_t i = 0; i < base->rs->n_benchmarks; i++) {
		const pg_benchmark *b = &base->rs->benchmarks[i];
		const pg_bench_def *d = pg_gates_find(g, b->name);
		if (!d || b->n_metrics == 0 || b->metrics[0].n_samples < 2)
			continue;
		/* The primary metric, and CPU time where it is recorded (gated beside it). */
		const pg_metric *cpu = pg_benchmark_find_metric(b, "cpu");
		gated += 1 + (cpu && cpu->n_samples >= 2);
		int runs = mo->runs > 0 ? mo->runs : d->run.runs;
		least_runs = runs < least_runs ? runs : least_runs;
		size_t n = b->metrics[0].has_summary ? b->metrics[0].summary.n : b->metrics[0].n_samples;
		least_base = n < least_base ? n : least_base;
	}
	if (!gated)
		return;
	double need = g->alpha / (double)gated;
	if (pg_compare_min_p((size_t)least_runs, least_base) >= need) {
		int runs = least_runs;
		while (runs < 10000 && pg_compare_min_p((size_t)runs, least_base) >= need)
			runs++;
		pg_verdict_warn(v,
				"with %d runs against %zu baseline samples no change can be significant across %zu gated metrics (alpha %.3g, Holm): use --runs %d or more",
				least_runs, least_base, gated, g->alpha, runs);
	}
}

static int benchmark_names(char ***names, size_t *n, const pg_gates *g, const pg_cli_common *c)
{
	*names = calloc(g->n_benchmarks + 1, sizeof(char *));
	if (!*names)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*n = 0;
	for (size_t i = 0; i < g->n_benchmarks; i++) {
		int take = !c->only;
		for (char **o = c->only; o && *o; o++)
			take |= strcmp(*o, g->benchmarks[i].name) == 0;
		if (take)
			(*names)[(*n)++] = g->benchmarks[i].name;
	}
	return 0;
}

/* Re-measure the benchmarks that look regressed; keep a regression only if it reproduces. */
static int confirm_regressions(pg_verdict *v, const check_args *a, const pg_gates *g,
			       const pg_measure_options *mo, const pg_baseline *base,
			       const pg_result_set *head, const pg_compare_options *co)
{
	/* earlier[0] is the first measurement (borrowed), earlier[r] the rerun of round r (owned). */
	pg_result_set **earlier = calloc((size_t)a->confirm + 1, sizeof(*earlier));
	int rc = earlier ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	if (earlier)
		earlier[0] = (pg_result_set *)head;
	for (int round = 1; !rc && round <= a->confirm && v->counts.regressions > 0; round++) {
		char **again_names = calloc(head->n_benchmarks + 1, sizeof(char *));
		size_t n = 0;
		if (!again_names) {
			rc = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		for (size_t i = 0; i < head->n_benchmarks; i++)
			if (pg_verdict_bench_regressed(v, head->benchmarks[i].name))
				again_names[n++] = head->benchmarks[i].name;
		pg_measure_options again = *mo;
		again.only = again_names;
		pg_result_set *rs = pg_result_set_new();
		pg_verdict *second = NULL;
		rc = rs ? pg_env_detect(&rs->env, head->env.key) : pg_error_set(PG_ENOMEM, "out of memory");
		if (!rc && !a->c.quiet)
			fprintf(stderr, "perfgate: %zu benchmark%s looked regressed: measuring again (round %d of %d)\n",
				n, n == 1 ? "" : "s", round, a->confirm);
		/* The rerun is judged as the first run was: its own probe pair around it. */
		pg_cli_common probe_only = a->c;
		probe_only.only = again_names;
		if (!rc)
			pg_cli_probe(&rs->probe, 0, &probe_only, g);
		if (!rc && !(rc = pg_measure(rs, g, &again)))
			pg_cli_probe(&rs->probe, 1, &probe_only, g);
		/* Every earlier measurement of this head is one more head run for the run-to-run model. */
		pg_compare_options with_earlier = *co;
		with_earlier.earlier_heads = (const pg_result_set *const *)earlier;
		with_earlier.n_earlier_heads = (size_t)round;
		if (!rc)
			rc = pg_compare(&second, rs, base->rs, base->origins, g, &with_earlier);
		if (!rc)
			rc = pg_verdict_apply_probe(second, rs, base->rs, base->probes, base->origins, g,
						    &with_earlier);
		if (!rc)
			rc = pg_verdict_confirm(v, second, round, co);
		pg_verdict_free(second);
		earlier[round] = rs;
		free(again_names);
		if (rc)
			break;
	}
	for (int i = 1; earlier && i <= a->confirm; i++)
		pg_result_set_free(earlier[i]);
	free(earlier);
	return rc;
}

/*
 * The run-to-run history along the baseline's first parents: only for a
 * stored baseline (a file is one run by definition). K is the largest the
 * selected benchmarks ask for; compare trims each to its own.
 */
static int read_history(pg_run_history **out, pg_store *store, const pg_cli_context *ctx,
			const pg_baseline *base, const pg_gates *g, char *const *names, size_t n,
			const check_args *a)
{
	*out = NULL;
	if (!base->rs || !base->start || !ctx->repo)
		return 0;
	int k = a->history;
	for (size_t i = 0; a->history == 0 && i < n; i++) {
		const pg_bench_def *d = pg_gates_find(g, names[i]);
		int want = d && d->run.history > 0 ? d->run.history : PG_DEFAULT_HISTORY;
		k = want > k ? want : k;
	}
	return pg_run_history_read(out, store, ctx->repo, base->start, a->base.env_key, names, n,
				   k > 0 ? k : PG_DEFAULT_HISTORY, a->base.max_depth);
}

/*
 * --mode auto: same-runner A/B when it can be had (the gates file builds the tree, the base
 * commit is known) and nothing is to be saved (A/B stores no run of the head alone).
 * Returns 1 for A/B, 0 for the stored baseline.
 */
static int auto_picks_ab(const pg_cli_context *ctx, const pg_gates *gates, const pg_result_set *rs,
			 const check_args *a)
{
	if (a->save || !ctx->repo || !rs->commit || gates->n_build == 0)
		return 0;
	char *start = NULL, *how = NULL;
	int known = pg_baseline_start(&start, &how, ctx->repo, rs->commit, &a->base) == 0;
	if (known && !a->c.quiet)
		fprintf(stderr, "perfgate: mode auto: same-runner A/B against %.12s (%s): %s has build steps\n",
			start, how, gates->path);
	free(start);
	free(how);
	pg_error_clear();
	return known;
}

int cmd_check(int argc, char *argv[])
{
	check_args a = {.confirm = 1, .shifts = 50};
	pg_cli_context ctx = {0};
	pg_gates *gates = NULL;
	pg_result_set *rs = NULL;
	pg_store *store = NULL;
	pg_baseline *base = NULL;
	pg_verdict *v = NULL;
	pg_run_history *history = NULL;
	char **names = NULL;
	size_t n_names = 0;
	int rc;

	/* check --ab is the same-runner A/B of `perfgate ab`, with its options. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--ab") == 0)
			return cmd_ab(argc, argv);
	pg_cli_common_init(&a.c);
	if ((rc = parse(&a, argc, argv)))
		goto out;
	if (a.mode == MODE_AB) {
		pg_cli_common_release(&a.c);
		return cmd_ab(argc, argv);
	}
	if ((rc = pg_cli_context_open(&ctx)) || (rc = pg_cli_load_gates(&gates, &ctx, &a.c)) ||
	    (rc = pg_gates_check_metrics(gates)))
		goto out;
	for (char **o = a.c.only; o && *o; o++)
		if (!pg_gates_find(gates, *o)) {
			rc = pg_error_set(PG_EINPUT, "%s: no benchmark named '%s'", gates->path, *o);
			goto out;
		}
	if (!(rs = pg_result_set_new())) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = pg_env_detect(&rs->env, a.c.env_key)))
		goto out;
	if ((rc = pg_cli_head(rs, &ctx, a.commit)))
		goto out;
	if (a.mode == MODE_AUTO && (rc = auto_picks_ab(&ctx, gates, rs, &a)) != 0) {
		if (rc < 0)
			goto out;
		pg_result_set_free(rs);
		pg_gates_free(gates);
		pg_cli_context_close(&ctx);
		pg_cli_common_release(&a.c);
		return cmd_ab(argc, argv);
	}
	if (a.save && rs->dirty && !a.allow_dirty) {
		rc = pg_error_set(PG_EINPUT, "%s: tracked files are modified: commit them, or save with --allow-dirty",
				  ctx.root);
		goto out;
	}
	if (a.save && !ctx.repo && !a.store_dir) {
		rc = pg_error_set(PG_ESYSTEM, "--save: not in a git repository (give --store DIR)");
		goto out;
	}
	rs->rss_floor = pg_spawner_rss_floor();
	if ((rc = pg_cli_open_store(&store, &ctx, a.store_dir)) || (rc = benchmark_names(&names, &n_names, gates, &a.c)))
		goto out;
	a.base.env_key = rs->env.key;
	/* The baseline first: it is cheap, and it tells whether the runs can decide anything. */
	if ((rc = pg_baseline_find(&base, store, ctx.repo, rs->commit, names, n_names, &a.base)))
		goto out;

	pg_measure_options mo = {.runs = a.c.runs, .warmup = a.c.warmup, .only = a.c.only};
	if (!a.c.quiet && isatty(STDERR_FILENO))
		mo.progress = pg_cli_progress;
	pg_verdict early = {0};
	warn_if_runs_too_few(&early, gates, &mo, base);
	for (size_t i = 0; i < early.n_warnings && !a.c.quiet; i++)
		fprintf(stderr, "perfgate: warning: %s\n", early.warnings[i]);
	pg_cli_probe(&rs->probe, 0, &a.c, gates);
	int measured = pg_measure(rs, gates, &mo);
	char measure_message[1024];
	snprintf(measure_message, sizeof(measure_message), "%s", pg_error_message());
	if (measured != PG_EINPUT)
		pg_cli_probe(&rs->probe, 1, &a.c, gates);
	if (measured == PG_EINPUT) {
		rc = measured;
		goto early_out;
	}
	/* Saved whatever the verdict: a failure is history too. */
	if (a.save && (rc = pg_cli_save(rs, &ctx, a.store_dir, a.allow_dirty)))
		goto early_out;
	pg_compare_options co = {.strict = a.strict, .require_baseline = a.require_baseline,
				 .history_runs = a.history};
	if ((rc = read_history(&history, store, &ctx, base, gates, names, n_names, &a)))
		goto early_out;
	co.history = history;
	if ((rc = pg_compare(&v, rs, base->rs, base->origins, gates, &co)))
		goto early_out;
	v->base_how = base->how ? strdup(base->how) : NULL;
	/* Before confirming: a regression the runner explains is not re-measured as one. */
	if (!a.c.no_probe &&
	    (rc = pg_verdict_apply_probe(v, rs, base->rs, base->probes, base->origins, gates, &co)))
		goto early_out;
	for (size_t i = 0; i < early.n_warnings; i++)
		pg_verdict_warn(v, "%s", early.warnings[i]);
	for (size_t i = 0; i < base->n_warnings; i++)
		pg_verdict_warn(v, "%s", base->warnings[i]);
	if ((rc = confirm_regressions(v, &a, gates, &mo, base, rs, &co)) ||
	    (rc = pg_cli_apply_acceptances(v, &ctx, store, &co)))
		goto early_out;
	/* Creeping regressions: head against the target branch N first parents back. */
	if (a.drift > 0 && (rc = pg_gate_drift(v, ctx.repo, store, rs, gates, a.drift, a.base.target, &co)))
		goto early_out;
	if ((rc = pg_gate_level_shifts(v, ctx.repo, store, rs, a.shifts)))
		goto early_out;
	if (a.plot_dir) {
		/* Plots help a person; without gnuplot the verdict stands, with a warning. */
		pg_plot_options po = {.format = PG_PLOT_PNG};
		if (pg_plot_verdict(a.plot_dir, rs, base->rs, v, &po) != 0)
			pg_verdict_warn(v, "no plots: %s", pg_error_message());
	}
	if ((rc = pg_cli_render(&a.c, v)))
		goto early_out;
	if (measured)
		rc = pg_error_set(measured, "%s", measure_message);
	else
		rc = pg_cli_verdict_status(v, "check");
early_out:
	for (size_t i = 0; i < early.n_warnings; i++)
		free(early.warnings[i]);
	free(early.warnings);
out:
	pg_verdict_free(v);
	pg_run_history_free(history);
	pg_baseline_free(base);
	pg_store_free(store);
	free(names);
	pg_result_set_free(rs);
	pg_gates_free(gates);
	pg_cli_context_close(&ctx);
	pg_cli_common_release(&a.c);
	return rc == 1 ? 0 : rc;
}
