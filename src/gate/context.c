/* context.c - what the flows share: the repository context, gates file lookup, save, probe, acceptances, reports */
#include "perfgate/gate.h"

#include "perfgate/accept.h"
#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/gitlib.h"
#include "perfgate/log.h"
#include "perfgate/repo.h"
#include "perfgate/report.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int pg_gate_context_open(pg_gate_context *ctx)
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
	if (!ctx->repo)
		pg_log_verbose("not in a git repository: {root} is %s", ctx->root);
	else
		pg_log_verbose("repository %s%s", ctx->root, git_repository_is_bare(ctx->repo) ? " (bare)" : "");
	return 0;
}

void pg_gate_context_close(pg_gate_context *ctx)
{
	if (ctx->repo) /* suspended, libgit2 is not loaded: not even for a free of NULL */
		git_repository_free(ctx->repo);
	free(ctx->root);
	free(ctx->bindir);
	free(ctx->git_dir);
	free(ctx->common_dir);
	memset(ctx, 0, sizeof(*ctx));
}

int pg_gate_open_store(pg_store **store, const pg_gate_context *ctx, const char *store_dir)
{
	*store = NULL;
	if (store_dir)
		return pg_store_open_dir(store, store_dir, ctx->repo);
	return ctx->repo ? pg_store_open_notes(store, ctx->repo, NULL) : 0;
}

int pg_gate_context_suspend(pg_gate_context *ctx, pg_store **store)
{
	if (!ctx->repo)
		return 0;
	free(ctx->git_dir);
	free(ctx->common_dir);
	ctx->git_dir = strdup(git_repository_path(ctx->repo));
	ctx->common_dir = strdup(git_repository_commondir(ctx->repo));
	if (!ctx->git_dir || !ctx->common_dir)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (store) {
		pg_store_free(*store);
		*store = NULL;
	}
	git_repository_free(ctx->repo);
	ctx->repo = NULL;
	ctx->suspended = 1;
	/* libgit2 itself too, with the libraries only it needs: loaded again only to save or read more. */
	pg_gitlib_close();
#ifdef __GLIBC__
	/*
	 * What libgit2 freed goes back to the system now, and what is freed from here
	 * on once 32 KiB are free at the heap's top (glibc keeps 128 KiB by default):
	 * about 100 KiB less of check's own memory beside the benchmarks, for a few
	 * more brk calls.
	 */
	mallopt(M_TRIM_THRESHOLD, 32 * 1024);
	mallopt(M_TOP_PAD, 16 * 1024);
	malloc_trim(0);
#endif
	return 0;
}

int pg_gate_context_resume(pg_gate_context *ctx, pg_store **store, const char *store_dir)
{
	if (!ctx->suspended)
		return 0;
	ctx->suspended = 0;
	int rc = pg_gitlib_open();
	if (rc)
		return rc;
	if (git_repository_open_ext(&ctx->repo, ctx->git_dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot open the git repository again after measuring: %s",
				    ctx->git_dir, pg_git_error());
	return store ? pg_gate_open_store(store, ctx, store_dir) : 0;
}

int pg_gate_open_history(pg_gate_context *ctx, pg_store **store, const char *store_dir, const char *verb)
{
	*store = NULL;
	int rc = pg_gate_context_open(ctx);
	if (rc)
		return rc;
	if (!ctx->repo)
		return pg_error_set(PG_ESYSTEM, "not in a git repository (%s walks the history of one)", verb);
	return pg_gate_open_store(store, ctx, store_dir);
}

int pg_gate_load_gates(pg_gates **out, const pg_gate_context *ctx, const pg_gate_options *o)
{
	int rc;
	if (o->gates_path) {
		/* Outside a repository a gates file's own directory is {root}. */
		rc = pg_gates_load(out, o->gates_path, ctx->repo ? ctx->root : NULL, ctx->bindir);
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
	if (!rc && o->threshold > 0)
		(*out)->regression = o->threshold;
	if (!rc)
		pg_log_verbose("gates file %s: %zu benchmark%s, regression threshold %g %%", (*out)->path,
			       (*out)->n_benchmarks, (*out)->n_benchmarks == 1 ? "" : "s", (*out)->regression * 100);
	return rc;
}

int pg_gate_head(pg_result_set *rs, const pg_gate_context *ctx, const char *commit_rev)
{
	if (!ctx->repo) {
		if (commit_rev)
			return pg_error_set(PG_EINPUT, "--commit %s: not in a git repository", commit_rev);
		return 0;
	}
	/* A bare repository has no work tree and no HEAD of what was measured: only --commit names it. */
	if (git_repository_is_bare(ctx->repo))
		return commit_rev ? pg_repo_resolve_commit(&rs->commit, ctx->repo, commit_rev) : 0;
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

int pg_gate_refuse_dirty(const pg_result_set *rs, const pg_gate_context *ctx, int allow_dirty)
{
	if (rs->dirty && !allow_dirty)
		return pg_error_set(PG_EINPUT, "%s: tracked files are modified: commit them, or save with --allow-dirty",
				    ctx->root);
	return 0;
}

int pg_gate_new_result_set(pg_result_set **out, const pg_gate_context *ctx, const char *env_key,
			   const char *commit_rev, int save, int allow_dirty)
{
	int rc;
	if (!(*out = pg_result_set_new()))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((rc = pg_env_detect(&(*out)->env, env_key)))
		return rc;
	if (save || commit_rev || (ctx->repo && !git_repository_head_unborn(ctx->repo)))
		if ((rc = pg_gate_head(*out, ctx, commit_rev)))
			return rc;
	return save ? pg_gate_refuse_dirty(*out, ctx, allow_dirty) : 0;
}

void pg_gate_probe(pg_probe *probe, int after, const pg_gate_options *o, const pg_gates *gates)
{
	pg_measure_options selected = {.only = o->only};
	if (o->no_probe || !pg_probe_wanted(gates, &selected))
		return;
	if (pg_probe_measure(probe, after) != 0)
		pg_log_warning("%s; this result set has no environment probe",
			pg_error_message());
}

int pg_gate_read_acceptances(pg_acceptances *a, const pg_gate_context *ctx, pg_store *store,
			     const char *base_commit, const char *head_commit)
{
	const char *labeled = getenv("PERFGATE_ACCEPT_LABELED"), *label = getenv("PERFGATE_ACCEPT_LABEL");
	const char *by_label = labeled && strcmp(labeled, "true") == 0 ? (label && *label ? label : "perf-accepted")
								    : NULL;
	memset(a, 0, sizeof(*a));
	if (!head_commit && !by_label)
		return 0;
	return pg_acceptances_collect(a, ctx->repo, store, base_commit, head_commit, by_label);
}

int pg_gate_apply_acceptances(pg_verdict *v, const pg_gate_context *ctx, pg_store *store,
			      const pg_compare_options *opts)
{
	pg_acceptances a;
	int rc = pg_gate_read_acceptances(&a, ctx, store, v->base_commit, v->head_commit);
	if (!rc)
		rc = pg_acceptances_apply(v, &a, opts);
	pg_acceptances_release(&a);
	return rc;
}

size_t pg_gate_output_format(const pg_gate_options *o)
{
	for (size_t i = 0; o->output && i < o->n_formats; i++)
		if (!strchr(o->formats[i], '='))
			return i;
	return o->n_formats;
}

int pg_gate_render(const pg_gate_options *o, const pg_verdict *v)
{
	pg_report_options ro = {.color = pg_report_want_color(stdout)};
	int rc = 0;
	size_t to_output = pg_gate_output_format(o);
	if (o->output) {
		char spec[4096];
		snprintf(spec, sizeof(spec), "%s=%s", to_output < o->n_formats ? o->formats[to_output] : "text",
			 o->output);
		rc = pg_report_render(spec, v, &ro);
	}
	for (size_t i = 0; !rc && i < o->n_formats; i++)
		if (!o->output || i != to_output)
			rc = pg_report_render(o->formats[i], v, &ro);
	if (!rc && !o->n_formats && !o->output && !o->quiet)
		rc = pg_report_render("text", v, &ro);
	/* Inside GitHub Actions the annotations, summary and outputs come unasked, unless a format was named. */
	const char *gha = getenv("GITHUB_ACTIONS");
	if (!rc && !o->n_formats && gha && strcmp(gha, "true") == 0)
		rc = pg_report_render("github", v, &ro);
	return rc;
}

int pg_gate_verdict_status(const pg_verdict *v, const char *verb)
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

static int results_text(FILE *f, void *rs)
{
	pg_report_results_text(f, rs, 0);
	return 0;
}

int pg_gate_write_results(const pg_result_set *rs, const char *output, char *const *formats, size_t n_formats,
			  int quiet, const char *verb)
{
	int rc = 0;
	if (output && (rc = pg_result_set_write_file(rs, output)))
		return rc;
	for (size_t i = 0; i < n_formats && !rc; i++) {
		const char *f = formats[i], *eq = strchr(f, '=');
		size_t len = eq ? (size_t)(eq - f) : strlen(f);
		if (len == 4 && strncmp(f, "json", 4) == 0 && eq) {
			rc = pg_result_set_write_file(rs, eq + 1);
		} else if (len == 4 && strncmp(f, "json", 4) == 0) {
			char *text;
			if (!(rc = pg_result_set_to_string(&text, rs, 1))) {
				puts(text);
				free(text);
			}
		} else if (len == 4 && strncmp(f, "text", 4) == 0 && eq) {
			rc = pg_file_write_rendered(eq + 1, results_text, (void *)rs);
		} else if (len == 4 && strncmp(f, "text", 4) == 0) {
			pg_report_results_text(stdout, rs, pg_report_want_color(stdout));
		} else {
			rc = pg_error_set(PG_EINPUT, "--format: unknown format '%.*s' for %s (expected text or json)",
					  (int)len, f, verb);
		}
	}
	if (!rc && n_formats == 0 && !quiet)
		pg_report_results_text(stdout, rs, pg_report_want_color(stdout));
	return rc;
}
