/* drift.c - what `check` reads back along history: the results N commits back, the level shifts of recent commits */
#include "perfgate/gate_history.h"

#include "perfgate/accept.h"
#include "perfgate/baseline.h"
#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/repo.h"

#include <stdio.h>
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
	int shallow;
	if (git_oid_fromstr(&oid, hex) != 0)
		return -1;
	for (int i = 0; i < steps; i++)
		if (pg_repo_first_parent(&oid, &shallow, repo, &oid) != 0)
			return -1;
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &oid);
	return 0;
}

int pg_gate_drift(pg_verdict *v, git_repository *repo, pg_store *store, const pg_result_set *head,
		  const pg_gates *gates, int n, const char *target, const pg_compare_options *co)
{
	char *branch = NULL, *start = NULL, *how = NULL, **names = NULL;
	char at[GIT_OID_HEXSZ + 1];
	pg_baseline *base = NULL;
	pg_acceptances a = {0};
	int rc = 0, collected = 0;

	if (!repo || !head->commit)
		return pg_verdict_warn(v, "drift over %d commits: needs a repository and a commit", n);
	branch = target_name(repo, target);
	pg_baseline_options bo = {.target = branch};
	if (pg_baseline_start(&start, &how, repo, head->commit, &bo) != 0) {
		rc = pg_verdict_warn(v, "drift over %d commits: %s", n, pg_error_message());
		goto out;
	}
	/*
	 * On the target itself (or with no target) the start is HEAD's first
	 * parent, one back already; in a PR it is the merge-base, N back from it.
	 */
	git_oid head_oid, tip, mb;
	git_oid_fromstr(&head_oid, head->commit);
	int in_pr = target_tip(&tip, repo, branch) == 0 && git_merge_base(&mb, repo, &head_oid, &tip) == 0 &&
		    !git_oid_equal(&mb, &head_oid);
	snprintf(at, sizeof(at), "%s", start);
	if (back(at, repo, in_pr ? n : n - 1) != 0) {
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
	if ((rc = pg_baseline_find(&base, store, repo, head->commit, names, head->n_benchmarks, &fo)))
		goto out;
	if (!base->rs) {
		rc = pg_verdict_warn(v, "drift over %d commits: no stored results of key %s at or beyond %.7s", n,
				     head->env.key ? head->env.key : "(any)", at);
		goto out;
	}
	/* What accepts the change: the acceptances since the commit the base came from. */
	const char *since = base->origins[0].commit ? base->origins[0].commit : at;
	if ((rc = pg_acceptances_collect(&a, repo, store, since, head->commit, NULL)))
		goto out;
	collected = 1;
	pg_drift d = {head, base->rs, base->origins, n, at, branch, on_target(repo, branch, &head_oid)};
	rc = pg_verdict_apply_drift(v, &d, gates, &a, co);
out:
	if (collected)
		pg_acceptances_release(&a);
	pg_baseline_free(base);
	free(names);
	free(start);
	free(how);
	free(branch);
	return rc;
}

int pg_gate_level_shifts_find(pg_level_shifts *s, git_repository *repo, pg_store *store, const char *commit,
			      const char *env_key, int n)
{
	pg_history *h = NULL;
	memset(s, 0, sizeof(*s));
	if (!repo || !commit || n <= 0)
		return 0;
	/* Summaries are enough: change points work on per-commit medians. */
	int rc = pg_history_load(&h, store, commit, n, env_key, 0);
	if (rc) {
		s->unread = strdup(pg_error_message());
		pg_error_clear();
		return s->unread ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	if ((rc = pg_changes_find(&s->found, h, NULL, 0, NULL)) == 0) {
		s->looked = 1;
		s->window = h->n_commits;
		rc = pg_gate_changes_annotate(&s->found, repo, store);
	}
	pg_history_free(h);
	return rc;
}

int pg_gate_level_shifts_apply(pg_verdict *v, const pg_level_shifts *s)
{
	if (s->unread)
		return pg_verdict_warn(v, "level shifts not looked for: %s", s->unread);
	return s->looked ? pg_verdict_set_shifts(v, &s->found, s->window) : 0;
}

void pg_gate_level_shifts_release(pg_level_shifts *s)
{
	pg_changes_release(&s->found);
	free(s->unread);
	memset(s, 0, sizeof(*s));
}
