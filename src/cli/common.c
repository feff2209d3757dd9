/* common.c - what the verbs share: options, repository context, gates file lookup */
#include "cli.h"

#include "perfgate/bench.h"
#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/fileio.h"
#include "perfgate/repo.h"
#include "perfgate/store.h"
#include "perfgate/accept.h"
#include "perfgate/report.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pg_cli_common_init(pg_cli_common *c)
{
	memset(c, 0, sizeof(*c));
	c->runs = -1;
	c->warmup = -1;
}

void pg_cli_common_release(pg_cli_common *c)
{
	free(c->only);
	free(c->formats);
}

static int push(char ***v, size_t *n, const char *s)
{
	char **grown = realloc(*v, (*n + 2) * sizeof(char *));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[(*n)++] = (char *)s;
	grown[*n] = NULL;
	*v = grown;
	return 0;
}

int pg_cli_int(int *out, const char *arg, const char *option, int least)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < least || v > INT_MAX)
		return pg_error_set(PG_EINPUT, "%s: expected an integer >= %d, found '%s'", option,
				    least, arg);
	*out = (int)v;
	return 0;
}

int pg_cli_threshold(double *out, const char *arg)
{
	pg_quantity q;
	if (pg_quantity_parse(&q, arg) != 0 || (q.dim != PG_DIM_RATIO && q.dim != PG_DIM_NUMBER) ||
	    !(q.value > 0) || q.value >= 10)
		return pg_error_set(PG_EINPUT, "--threshold: expected a percentage such as 10%%, found '%s'",
				    arg);
	*out = q.value;
	return 0;
}

int pg_cli_common_option(pg_cli_common *c, int opt, const char *arg)
{
	int rc;
	switch (opt) {
	case 'c':
		c->gates_path = arg;
		return 1;
	case 'o':
		c->output = arg;
		return 1;
	case 'b':
		return (rc = push(&c->only, &c->n_only, arg)) ? rc : 1;
	case 'q':
		c->quiet = 1;
		return 1;
	case 'v':
		c->verbose = 1;
		return 1;
	case OPT_ENV:
		c->env_key = arg;
		return 1;
	case OPT_FORMAT:
		return (rc = push(&c->formats, &c->n_formats, arg)) ? rc : 1;
	case OPT_RUNS:
		return (rc = pg_cli_int(&c->runs, arg, "--runs", 1)) ? rc : 1;
	case OPT_WARMUP:
		return (rc = pg_cli_int(&c->warmup, arg, "--warmup", 0)) ? rc : 1;
	case OPT_THRESHOLD:
		return (rc = pg_cli_threshold(&c->threshold, arg)) ? rc : 1;
	case OPT_NO_PROBE:
		c->no_probe = 1;
		return 1;
	default:
		return 0;
	}
}

int pg_cli_bad_option(const char *verb, const char *usage, char *const argv[])
{
	const char *what = argv[optind - 1];
	if (optopt && optopt < 256)
		pg_error_set(PG_EINPUT, "%s: %s option '-%c'\nusage: %s", verb,
			     strchr(PG_COMMON_SHORT_OPTIONS, optopt) ? "missing value for" : "unknown",
			     optopt, usage);
	else
		pg_error_set(PG_EINPUT, "%s: unknown option or missing value: '%s'\nusage: %s", verb,
			     what, usage);
	return PG_EINPUT;
}

int pg_cli_context_open(pg_cli_context *ctx)
{
	char cwd[PATH_MAX];
	memset(ctx, 0, sizeof(*ctx));
	if (!getcwd(cwd, sizeof(cwd)))
		return pg_error_set(PG_ESYSTEM, "cannot read the current directory: %s", strerror(errno));
	int rc = pg_repo_discover(&ctx->repo, cwd);
	if (rc < 0)
		return rc;
	ctx->root = ctx->repo ? pg_repo_root(ctx->repo) : NULL;
	if (!ctx->root)
		ctx->root = strdup(cwd);
	ctx->bindir = pg_self_dir();
	if (!ctx->root || !ctx->bindir)
		return pg_error_set(PG_ESYSTEM, "cannot find perfgate's own directory");
	return 0;
}

void pg_cli_context_close(pg_cli_context *ctx)
{
	git_repository_free(ctx->repo);
	free(ctx->root);
	free(ctx->bindir);
	memset(ctx, 0, sizeof(*ctx));
}

int pg_cli_load_gates(pg_gates **out, const pg_cli_context *ctx, const pg_cli_common *c)
{
	int rc;
	if (c->gates_path) {
		/* Outside a repository a gates file's own directory is {root}. */
		rc = pg_gates_load(out, c->gates_path, ctx->repo ? ctx->root : NULL, ctx->bindir);
	} else {
		char *path = pg_path_join(ctx->root, "gates/default.json");
		if (!path)
			return pg_error_set(PG_ENOMEM, "out of memory");
		rc = pg_gates_load(out, path, ctx->root, ctx->bindir);
		if (rc == PG_ESYSTEM && access(path, F_OK) != 0)
			rc = pg_error_set(PG_ESYSTEM, "%s: no gates file here (give one with -c FILE)", path);
		free(path);
	}
	/* The command line over the file's defaults; a gate's own "regression" still holds. */
	if (!rc && c->threshold > 0)
		(*out)->regression = c->threshold;
	return rc;
}

void pg_cli_probe(pg_probe *probe, int after, const pg_cli_common *c, const pg_gates *gates)
{
	pg_measure_options selected = {.only = c->only};
	if (c->no_probe || !pg_probe_wanted(gates, &selected))
		return;
	if (pg_probe_measure(probe, after) != 0)
		fprintf(stderr, "perfgate: warning: %s; this result set has no environment probe\n",
			pg_error_message());
}

void pg_cli_progress(void *arg, const char *bench, int done, int total)
{
	(void)arg;
	fprintf(stderr, "\r\033[K  %s  %d/%d", bench, done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

int pg_cli_head(pg_result_set *rs, const pg_cli_context *ctx, const char *commit_rev)
{
	if (!ctx->repo || git_repository_is_bare(ctx->repo)) {
		if (commit_rev)
			return pg_error_set(PG_EINPUT, "--commit %s: not in a git repository", commit_rev);
		return 0;
	}
	if (git_repository_head_unborn(ctx->repo) == 1 && !commit_rev)
		return pg_error_set(PG_EINPUT, "%s: HEAD is unborn (no commit yet): nothing to compare or save on",
				    ctx->root);
	int rc = pg_repo_head(&rs->commit, &rs->dirty, ctx->repo);
	if (rc || !commit_rev)
		return rc;
	free(rs->commit);
	rs->commit = NULL;
	return pg_repo_resolve_commit(&rs->commit, ctx->repo, commit_rev);
}

int pg_cli_save(const pg_result_set *rs, const pg_cli_context *ctx, const char *store_dir,
		int allow_dirty)
{
	pg_store *store = NULL;
	if (rs->dirty && !allow_dirty)
		return pg_error_set(PG_EINPUT, "%s: tracked files are modified: commit them, or save with --allow-dirty",
				    ctx->root);
	if (!ctx->repo && !store_dir)
		return pg_error_set(PG_ESYSTEM, "--save: not in a git repository (give --store DIR)");
	int rc = store_dir ? pg_store_open_dir(&store, store_dir, ctx->repo)
			   : pg_store_open_notes(&store, ctx->repo, NULL);
	if (!rc)
		rc = pg_store_save(store, rs);
	pg_store_free(store);
	return rc;
}

int pg_cli_apply_acceptances(pg_verdict *v, const pg_cli_context *ctx, pg_store *store,
			     const pg_compare_options *opts)
{
	pg_acceptances a;
	const char *labeled = getenv("PERFGATE_ACCEPT_LABELED"), *label = getenv("PERFGATE_ACCEPT_LABEL");
	const char *by_label = labeled && strcmp(labeled, "true") == 0 ? (label && *label ? label : "perf-accepted")
								    : NULL;
	if (!v->head_commit && !by_label)
		return 0;
	int rc = pg_acceptances_collect(&a, ctx->repo, store, v->base_commit, v->head_commit, by_label);
	if (!rc)
		rc = pg_acceptances_apply(v, &a, opts);
	pg_acceptances_release(&a);
	return rc;
}

int pg_cli_render(const pg_cli_common *c, const pg_verdict *v)
{
	pg_report_options ro = {.color = pg_report_want_color(stdout)};
	int rc = 0;
	if (c->output) {
		/* -o FILE takes the first --format, or text. */
		char spec[4096];
		snprintf(spec, sizeof(spec), "%s=%s", c->n_formats ? c->formats[0] : "text", c->output);
		rc = pg_report_render(spec, v, &ro);
	}
	for (size_t i = c->output ? 1 : 0; !rc && i < c->n_formats; i++)
		rc = pg_report_render(c->formats[i], v, &ro);
	if (!rc && !c->n_formats && !c->output && !c->quiet)
		rc = pg_report_render("text", v, &ro);
	/* Inside GitHub Actions the annotations, summary and outputs come unasked, unless a format was named. */
	const char *gha = getenv("GITHUB_ACTIONS");
	if (!rc && !c->n_formats && gha && strcmp(gha, "true") == 0)
		rc = pg_report_render("github", v, &ro);
	return rc;
}

int pg_cli_verdict_status(const pg_verdict *v, const char *verb)
{
	if (v->overall != PG_OVERALL_FAIL)
		return 0;
	return pg_error_set(PG_EFAIL, "%s failed: %d regression%s, %d gate%s failed, %d benchmark%s failed%s", verb,
			    v->counts.regressions, v->counts.regressions == 1 ? "" : "s",
			    v->counts.gates_failed, v->counts.gates_failed == 1 ? "" : "s",
			    v->counts.failed_benchmarks, v->counts.failed_benchmarks == 1 ? "" : "s",
			    v->no_baseline && !v->counts.regressions && !v->counts.gates_failed &&
					    !v->counts.failed_benchmarks
				    ? ", no baseline (--require-baseline)"
				    : "");
}

int pg_cli_open_history(pg_cli_context *ctx, pg_store **store, const char *store_dir, const char *verb)
{
	*store = NULL;
	int rc = pg_cli_context_open(ctx);
	if (rc)
		return rc;
	if (!ctx->repo)
		return pg_error_set(PG_ESYSTEM, "not in a git repository (%s walks the history of one)", verb);
	return pg_cli_open_store(store, ctx, store_dir);
}

int pg_cli_open_store(pg_store **store, const pg_cli_context *ctx, const char *store_dir)
{
	*store = NULL;
	if (store_dir)
		return pg_store_open_dir(store, store_dir, ctx->repo);
	return ctx->repo ? pg_store_open_notes(store, ctx->repo, NULL) : 0;
}
