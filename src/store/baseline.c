/* baseline.c - find the result set to compare with along first-parent history */
#include "perfgate/baseline.h"

#include "perfgate/error.h"
#include "perfgate/gitlib.h"
#include "perfgate/repo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char shallow_hint[] =
	"history is shallow: fetch with fetch-depth 0 and fetch refs/notes/perfgate";

static int warn(pg_baseline *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(pg_baseline *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = pg_warning_vadd(&b->warnings, &b->n_warnings, fmt, ap);
	va_end(ap);
	return rc;
}

void pg_baseline_free(pg_baseline *b)
{
	if (!b)
		return;
	if (b->rs && b->origins)
		for (size_t i = 0; i < b->rs->n_benchmarks; i++)
			free((char *)b->origins[i].commit);
	pg_result_set_free(b->rs);
	free(b->origins);
	free(b->probes);
	free(b->how);
	free(b->start);
	for (size_t i = 0; i < b->n_warnings; i++)
		free(b->warnings[i]);
	free(b->warnings);
	free(b);
}

#define set_how(b, ...) pg_string_set(&(b)->how, __VA_ARGS__)

/* Resolve a branch name the way CI names it: a remote-tracking branch first, then any revision. */
static int resolve_target(git_oid *out, git_repository *repo, const char *target, char *shown,
			  size_t size)
{
	char name[512];
	git_object *obj = NULL;
	for (size_t i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s%s", i == 0 ? "refs/remotes/origin/" : "", target);
		if (git_revparse_single(&obj, repo, name) == 0) {
			git_object *commit = NULL;
			int rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
			git_object_free(obj);
			if (rc == 0) {
				git_oid_cpy(out, git_object_id(commit));
				git_object_free(commit);
				snprintf(shown, size, "%s", i == 0 ? name + strlen("refs/remotes/") : name);
				return 0;
			}
		}
	}
	return -1;
}

/* The remote's default branch, from refs/remotes/origin/HEAD, or NULL. Caller frees. */
static char *remote_default_branch(git_repository *repo)
{
	git_reference *ref = NULL;
	char *branch = NULL;
	if (git_reference_lookup(&ref, repo, "refs/remotes/origin/HEAD") == 0 &&
	    git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) {
		const char *target = git_reference_symbolic_target(ref);
		const char *prefix = "refs/remotes/origin/";
		if (target && strncmp(target, prefix, strlen(prefix)) == 0)
			branch = strdup(target + strlen(prefix));
	}
	git_reference_free(ref);
	return branch;
}

/* Where the walk starts, and the words that say how it was chosen. */
static int find_start(git_oid *start, int *has_start, pg_baseline *b, git_repository *repo,
		      const git_oid *head, const pg_baseline_options *o)
{
	char shown[512], hex[GIT_OID_HEXSZ + 1];
	int shallow = 0;
	*has_start = 0;
	if (o->base) {
		git_object *obj = NULL, *commit = NULL;
		if (git_revparse_single(&obj, repo, o->base) != 0 ||
		    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) != 0) {
			git_object_free(obj);
			return pg_error_set(PG_EINPUT, "--base %s: not a file, nor a commit in this repository",
					    o->base);
		}
		git_oid_cpy(start, git_object_id(commit));
		git_object_free(obj);
		git_object_free(commit);
		*has_start = 1;
		return set_how(b, "--base %s", o->base);
	}
	const char *env_target = getenv("GITHUB_BASE_REF");
	char *remote_default = NULL;
	const char *target = o->target ? o->target
			     : env_target && *env_target ? env_target
							 : (remote_default = remote_default_branch(repo));
	if (target && head) {
		git_oid tip, mb;
		if (resolve_target(&tip, repo, target, shown, sizeof(shown)) != 0) {
			free(remote_default);
			if (o->target)
				return pg_error_set(PG_EINPUT, "--target %s: no such branch (fetch it?)",
						    o->target);
			warn(b, "target branch '%s' is not in this clone (fetch it); using HEAD's first parent",
			     target);
		} else if (git_merge_base(&mb, repo, head, &tip) == 0) {
			free(remote_default);
			if (!git_oid_equal(&mb, head)) {
				git_oid_cpy(start, &mb);
				*has_start = 1;
				return set_how(b, "merge-base with %s", shown);
			}
			/* A push to the target branch: never compare head with itself. */
			if (pg_repo_first_parent(start, &shallow, repo, head) == 0) {
				*has_start = 1;
				return set_how(b, "first parent of HEAD (HEAD is on %s)", shown);
			}
			b->shallow = shallow;
			return set_how(b, "HEAD has no parent");
		} else {
			free(remote_default);
			warn(b, "HEAD and %s have no merge-base; using HEAD's first parent", shown);
		}
	} else {
		free(remote_default);
	}
	if (!head)
		return set_how(b, "no commit");
	if (pg_repo_first_parent(start, &shallow, repo, head) == 0) {
		*has_start = 1;
		return set_how(b, "first parent of HEAD");
	}
	b->shallow = shallow;
	git_oid_tostr(hex, sizeof(hex), head);
	return set_how(b, "HEAD %.7s has no parent", hex);
}

/*
 * The index of the gates entry a stored benchmark is, or -1: its own name, or
 * ENTRY/<name> for the benchmarks an import entry of several holds.
 */
static long wanted(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		if (strncmp(names[i], name, len) == 0 && (name[len] == '\0' || name[len] == '/'))
			return (long)i;
	}
	return -1;
}

static int take(pg_baseline *b, const pg_benchmark *src, const char *commit, int depth,
		const pg_probe *probe)
{
	if (!b->rs && !(b->rs = pg_result_set_new()))
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* Each benchmark is judged with the probe of the run that measured it; the set shows the first. */
	pg_probe *probes = realloc(b->probes, (b->rs->n_benchmarks + 1) * sizeof(*probes));
	if (!probes)
		return pg_error_set(PG_ENOMEM, "out of memory");
	b->probes = probes;
	probes[b->rs->n_benchmarks] = *probe;
	if (b->rs->n_benchmarks == 0)
		b->rs->probe = *probe;
	pg_base_origin *grown = realloc(b->origins, (b->rs->n_benchmarks + 1) * sizeof(*grown));
	if (!grown)
		return pg_error_set(PG_ENOMEM, "out of memory");
	b->origins = grown;
	grown[b->rs->n_benchmarks] = (pg_base_origin){commit ? strdup(commit) : NULL, depth};
	if (!pg_result_set_copy_benchmark(b->rs, src))
		return pg_error_set(PG_ENOMEM, "out of memory");
	return 0;
}

/* Note every other env key seen, to say why nothing matched. */
static void remember_keys(char *seen, size_t size, const pg_commit_records *r, const char *key)
{
	for (size_t i = 0; i < r->n_sets; i++) {
		const char *k = r->sets[i]->env.key;
		if (!k || (key && strcmp(k, key) == 0) || strstr(seen, k))
			continue;
		size_t used = strlen(seen);
		snprintf(seen + used, size - used, "%s%s", used ? ", " : "", k);
	}
}

static int from_file(pg_baseline *b, const char *path)
{
	pg_result_set *rs;
	int rc = pg_result_set_read_file(&rs, path);
	if (rc)
		return rc;
	b->rs = rs;
	b->origins = calloc(rs->n_benchmarks ? rs->n_benchmarks : 1, sizeof(*b->origins));
	if (!b->origins)
		return pg_error_set(PG_ENOMEM, "out of memory");
	return set_how(b, "file %s", path);
}

int pg_baseline_find(pg_baseline **out, pg_store *store, git_repository *repo,
		     const char *head_commit, char *const *names, size_t n,
		     const pg_baseline_options *o)
{
	pg_baseline *b = calloc(1, sizeof(*b));
	int rc = 0;
	if (!b)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*out = b;
	if (o->base && access(o->base, F_OK) == 0)
		return from_file(b, o->base);
	if (!repo) {
		if (o->base)
			return pg_error_set(PG_EINPUT, "--base %s: no such file (and not in a git repository)",
					    o->base);
		set_how(b, "no repository");
		return warn(b, "not in a git repository: no stored baseline (give --base FILE)");
	}
	git_oid head, at;
	int has_head = head_commit && git_oid_fromstr(&head, head_commit) == 0, has_start;
	if ((rc = find_start(&at, &has_start, b, repo, has_head ? &head : NULL, o)))
		return rc;
	if (!has_start) {
		if (b->shallow)
			return warn(b, "%s", shallow_hint);
		return warn(b, "no baseline: %s", b->how);
	}
	b->start = malloc(GIT_OID_HEXSZ + 1);
	if (!b->start)
		return pg_error_set(PG_ENOMEM, "out of memory");
	git_oid_tostr(b->start, GIT_OID_HEXSZ + 1, &at);
	int max_depth = o->max_depth > 0 ? o->max_depth : PG_DEFAULT_MAX_DEPTH;
	size_t found = 0;
	char *seen = calloc(n + 1, 1); /* the gates entries found so far */
	if (!seen)
		return pg_error_set(PG_ENOMEM, "out of memory");
	char other_keys[1024] = "";
	int depth, searched = 0;
	for (depth = 0; depth < max_depth && found < n; depth++) {
		searched++;
		char hex[GIT_OID_HEXSZ + 1];
		pg_commit_records records;
		git_oid_tostr(hex, sizeof(hex), &at);
		if ((rc = pg_store_read(&records, store, hex)))
			break;
		for (size_t w = 0; w < records.n_warnings; w++)
			warn(b, "%s", records.warnings[w]);
		const pg_result_set *set = pg_records_latest(&records, o->env_key);
		for (size_t i = 0; set && i < set->n_benchmarks && !rc; i++) {
			const pg_benchmark *sb = &set->benchmarks[i];
			long entry = wanted(names, n, sb->name);
			if (sb->status != PG_STATUS_OK || entry < 0 || (b->rs && pg_result_set_find(b->rs, sb->name)))
				continue;
			rc = take(b, sb, hex, depth, &set->probe);
			found += !seen[entry];
			seen[entry] = 1;
		}
		remember_keys(other_keys, sizeof(other_keys), &records, o->env_key);
		pg_commit_records_release(&records);
		if (rc)
			break;
		int shallow;
		if (found < n && pg_repo_first_parent(&at, &shallow, repo, &at) != 0) {
			b->shallow = shallow;
			break;
		}
	}
	free(seen);
	if (rc)
		return rc;
	if (found == 0) {
		if (b->shallow)
			warn(b, "%s", shallow_hint);
		else if (other_keys[0])
			warn(b, "no baseline for key %s; found keys: %s", o->env_key ? o->env_key : "(any)",
			     other_keys);
		else
			warn(b, "no baseline: no stored results on the %d first-parent commit%s from %.7s (%s)",
			     searched, searched == 1 ? "" : "s", b->start, b->how);
	} else if (found < n && b->shallow) {
		warn(b, "%s", shallow_hint);
	}
	return 0;
}

int pg_baseline_start(char **commit, char **how, git_repository *repo, const char *head_commit,
		      const pg_baseline_options *o)
{
	pg_baseline b = {0};
	git_oid head, start;
	int has_start = 0;
	if (!head_commit || git_oid_fromstr(&head, head_commit) != 0)
		return pg_error_set(PG_EINPUT, "no commit to find a base for");
	int rc = find_start(&start, &has_start, &b, repo, &head, o);
	if (!rc && !has_start)
		rc = pg_error_set(PG_EINPUT, "no base commit: %s%s", b.how ? b.how : "",
				  b.shallow ? " (history is shallow: fetch with fetch-depth 0)" : "");
	if (!rc) {
		*commit = malloc(GIT_OID_HEXSZ + 1);
		if (*commit)
			git_oid_tostr(*commit, GIT_OID_HEXSZ + 1, &start);
		*how = b.how;
		b.how = NULL;
		rc = *commit ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	free(b.how);
	for (size_t i = 0; i < b.n_warnings; i++)
		free(b.warnings[i]);
	free(b.warnings);
	return rc;
}
