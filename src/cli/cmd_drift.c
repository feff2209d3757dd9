/* cmd_drift.c - `check --drift N`: the cumulative change since N first-parent commits back */
#include "drift.h"

#include "perfgate/accept.h"
#include "perfgate/baseline.h"
#include "perfgate/error.h"
#include "perfgate/quantity.h"
#include "perfgate/repo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The target branch's name: as given, $GITHUB_BASE_REF, origin's default; NULL when none. Caller frees. */
static char *target_name(git_repository *repo, const char *target)
{
	const char *env = getenv("GITHUB_BASE_REF");
	if (target)
		return strdup(target);
	if (env && *env)
		return strdup(env);
	git_reference *ref = NULL;
	char *branch = NULL;
	const char *prefix = "refs/remotes/origin/";
	if (git_reference_lookup(&ref, repo, "refs/remotes/origin/HEAD") == 0 &&
	    git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) {
		const char *to = git_reference_symbolic_target(ref);
		if (to && strncmp(to, prefix, strlen(prefix)) == 0)
			branch = strdup(to + strlen(prefix));
	}
	git_reference_free(ref);
	return branch;
}

/* The target branch's tip: origin's remote-tracking branch, else the local one. 0, or -1 when neither. */
static int target_tip(git_oid *out, git_repository *repo, const char *target)
{
	const char *forms[] = {"refs/remotes/origin/", "refs/heads/"};
	char name[512];
	for (size_t i = 0; target && i < 2; i++) {
		git_object *obj = NULL, *commit = NULL;
		snprintf(name, sizeof(name), "%s%s", forms[i], target);
		if (git_revparse_single(&obj, repo, name) != 0)
			continue;
		int found = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) == 0;
		if (found)
			git_oid_cpy(out, git_object_id(commit));
		git_object_free(obj);
		git_object_free(commit);
		if (found)
			return 0;
	}
	return -1;
}

/* 1 when this run is on the target branch itself (a push there, where drift fails). */
static int on_target(git_repository *repo, const char *target, const git_oid *head)
{
	const char *ref = getenv("GITHUB_REF");
	char name[512];
	git_oid tip, mb;
	if (!target)
		return 0;
	snprintf(name, sizeof(name), "refs/heads/%s", target);
	if (ref && strcmp(ref, name) == 0)
		return 1;
	return target_tip(&tip, repo, target) == 0 && git_merge_base(&mb, repo, head, &tip) == 0 &&
	       git_oid_equal(&mb, head);
}

/* steps first parents back from hex (in place); 0, or -1 when history ends first. */
static int back(char hex[GIT_OID_HEXSZ + 1], git_repository *repo, int steps)
{
	git_oid oid;
	if (git_oid_fromstr(&oid, hex) != 0)
		return -1;
	for (int i = 0; i < steps; i++) {
		git_commit *c = NULL, *parent = NULL;
		if (git_commit_lookup(&c, repo, &oid) != 0)
			return -1;
		int ok = git_commit_parentcount(c) > 0 && git_commit_parent(&parent, c, 0) == 0;
		if (ok)
			git_oid_cpy(&oid, git_commit_id(parent));
		git_commit_free(parent);
		git_commit_free(c);
		if (!ok)
			return -1;
	}
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &oid);
	return 0;
}

static int is_primary(const pg_result_set *head, const pg_metric_change *c)
{
	const pg_benchmark *b = pg_result_set_find(head, c->bench);
	return b && b->n_metrics > 0 && !c->stat && strcmp(b->metrics[0].name, c->metric) == 0;
}

/* A regression row of v copied from the drift comparison's row d. */
static int add_row(pg_verdict *v, const pg_metric_change *d, int n)
{
	char note[128], change[32];
	pg_metric_change *c = pg_verdict_add_metric(v);
	if (!c)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_format_change(change, sizeof(change), d->change);
	snprintf(note, sizeof(note), "drift over %d commits: %s", n, change);
	c->bench = strdup(d->bench);
	c->metric = strdup(d->metric);
	c->unit = d->unit ? strdup(d->unit) : NULL;
	c->base_commit = d->base_commit ? strdup(d->base_commit) : NULL;
	c->note = strdup(note);
	if (!c->bench || !c->metric || (d->unit && !c->unit) || (d->base_commit && !c->base_commit) || !c->note)
		return pg_error_set(PG_ENOMEM, "out of memory");
	c->better_higher = d->better_higher;
	c->gated = 1;
	c->has_base = 1;
	c->base = d->base;
	c->head = d->head;
	c->change = d->change;
	c->ci_lo = d->ci_lo;
	c->ci_hi = d->ci_hi;
	c->p = d->p;
	c->threshold = d->threshold;
	c->min_change = d->min_change;
	c->n_base = d->n_base;
	c->n_head = d->n_head;
	c->base_depth = d->base_depth;
	c->verdict = PG_CHANGE_REGRESSION;
	return 0;
}

int pg_cli_drift(pg_verdict *v, const pg_cli_context *ctx, pg_store *store, const pg_result_set *head,
		 const pg_gates *gates, int n, const char *target, const pg_compare_options *co)
{
	char *branch = NULL, *start = NULL, *how = NULL, **names = NULL;
	char at[GIT_OID_HEXSZ + 1];
	pg_baseline *base = NULL;
	pg_verdict *dv = NULL;
	pg_acceptances a = {0};
	int rc = 0, collected = 0;

	if (!ctx->repo || !head->commit)
		return pg_verdict_warn(v, "drift over %d commits: needs a repository and a commit", n);
	branch = target_name(ctx->repo, target);
	pg_baseline_options bo = {.target = branch};
	if (pg_baseline_start(&start, &how, ctx->repo, head->commit, &bo) != 0) {
		rc = pg_verdict_warn(v, "drift over %d commits: %s", n, pg_error_message());
		goto out;
	}
	/*
	 * On the target itself (or with no target) the start is HEAD's first
	 * parent, one back already; in a PR it is the merge-base, N back from it.
	 */
	git_oid head_oid, tip, mb;
	git_oid_fromstr(&head_oid, head->commit);
	int in_pr = target_tip(&tip, ctx->repo, branch) == 0 &&
		    git_merge_base(&mb, ctx->repo, &head_oid, &tip) == 0 && !git_oid_equal(&mb, &head_oid);
	snprintf(at, sizeof(at), "%s", start);
	if (back(at, ctx->repo, in_pr ? n : n - 1) != 0) {
		rc = pg_verdict_warn(v, "drift over %d commits: history has fewer than %d commits before %.7s "
				     "(a shallow clone? fetch with fetch-depth 0)", n, n, start);
		goto out;
	}
	if (!(names = calloc(head->n_benchmarks + 1, sizeof(char *)))) {
		rc = pg_error_set(PG_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < head->n_benchmarks; i++)
		names[i] = head->benchmarks[i].name;
	pg_baseline_options fo = {.base = at, .env_key = head->env.key};
	if ((rc = pg_baseline_find(&base, store, ctx->repo, head->commit, names, head->n_benchmarks, &fo)))
		goto out;
	if (!base->rs) {
		rc = pg_verdict_warn(v, "drift over %d commits: no stored results of key %s at or beyond %.7s", n,
				     head->env.key ? head->env.key : "(any)", at);
		goto out;
	}
	if ((rc = pg_compare(&dv, head, base->rs, base->origins, gates, co)))
		goto out;
	const char *since = base->origins[0].commit ? base->origins[0].commit : at;
	if ((rc = pg_acceptances_collect(&a, ctx->repo, store, since, head->commit, NULL)))
		goto out;
	collected = 1;
	if ((rc = pg_acceptances_apply(dv, &a, co)))
		goto out;
	int fails = on_target(ctx->repo, branch, &head_oid);
	for (size_t i = 0; i < dv->n_metrics && !rc; i++) {
		const pg_metric_change *d = &dv->metrics[i];
		char change[32];
		if (!d->gated || !d->has_base || d->verdict != PG_CHANGE_REGRESSION || !is_primary(head, d))
			continue;
		pg_format_change(change, sizeof(change), d->change);
		if (fails)
			rc = add_row(v, d, n);
		else
			rc = pg_verdict_warn(v, "drift over %d commits: %s.%s %s since %.7s (would fail on %s)", n,
					     d->bench, d->metric, change, d->base_commit ? d->base_commit : at,
					     branch ? branch : "the target branch");
	}
	pg_verdict_decide(v, co);
out:
	if (collected)
		pg_acceptances_release(&a);
	pg_verdict_free(dv);
	pg_baseline_free(base);
	free(names);
	free(start);
	free(how);
	free(branch);
	return rc;
}
