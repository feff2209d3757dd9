/* repo.c - the git repository perfgate runs in: root, HEAD, dirty state, first parents, subjects */
#include "perfgate/repo.h"

#include "perfgate/error.h"
#include "perfgate/gitlib.h"

#include <stdlib.h>
#include <string.h>

int pg_repo_discover(git_repository **out, const char *start)
{
	*out = NULL;
	int rc = pg_gitlib_open();
	if (rc)
		return rc;
	rc = git_repository_open_ext(out, start, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		pg_gitlib_close(); /* nothing to read: not kept for the benchmarks run outside one */
		return 1;
	}
	if (rc < 0)
		return pg_error_set(PG_ESYSTEM, "%s: cannot open the git repository: %s", start,
				    pg_git_error());
	return 0;
}

int pg_repo_release(git_repository *repo)
{
	git_buf objects = GIT_BUF_INIT;
	git_odb *odb = NULL;
	if (!repo)
		return 0;
	if (git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS) < 0 || git_odb_new(&odb) < 0) {
		git_buf_dispose(&objects);
		return pg_error_set(PG_ESYSTEM, "cannot reopen the object database: %s", pg_git_error());
	}
	/*
	 * An empty database in its place first: the old one goes with its packs
	 * (libgit2 shares an open pack between databases by its path, so a new one
	 * opened first would keep every window mapped); then the real one again,
	 * which opens and maps packs only as reads need them.
	 */
	git_repository_set_odb(repo, odb);
	git_odb_free(odb);
	int rc = git_odb_open(&odb, objects.ptr);
	if (rc == 0) {
		git_repository_set_odb(repo, odb);
		git_odb_free(odb);
	}
	git_buf_dispose(&objects);
	return rc < 0 ? pg_error_set(PG_ESYSTEM, "cannot reopen the object database: %s", pg_git_error()) : 0;
}

char *pg_repo_root(git_repository *repo)
{
	const char *wd = git_repository_workdir(repo);
	if (!wd)
		return NULL;
	char *root = strdup(wd);
	size_t n = root ? strlen(root) : 0;
	if (n > 1 && root[n - 1] == '/')
		root[n - 1] = '\0';
	return root;
}

static int count_modified(const char *path, unsigned int flags, void *payload)
{
	(void)path;
	if (flags & ~(unsigned)(GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED))
		(*(int *)payload)++;
	return 0;
}

int pg_repo_head(char **commit, int *dirty, git_repository *repo)
{
	git_oid oid;
	char hex[GIT_OID_HEXSZ + 1];
	if (git_reference_name_to_id(&oid, repo, "HEAD") < 0) {
		if (git_repository_head_unborn(repo) == 1)
			return pg_error_set(PG_EINPUT,
					    "HEAD is unborn (no commit yet): commit before measuring with --save");
		return pg_error_set(PG_ESYSTEM, "cannot resolve HEAD: %s", pg_git_error());
	}
	git_oid_tostr(hex, sizeof(hex), &oid);
	*commit = strdup(hex);
	if (!*commit)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*dirty = 0;
	if (!git_repository_is_bare(repo)) {
		git_status_options opts;
		git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
		opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
		opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
		int modified = 0;
		if (git_status_foreach_ext(repo, &opts, count_modified, &modified) == 0)
			*dirty = modified > 0;
		/* Every tree of HEAD was read for that: its packs' pages are not needed again. */
		return pg_repo_release(repo);
	}
	return 0;
}

int pg_repo_resolve_commit(char **hex, git_repository *repo, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	if (git_revparse_single(&obj, repo, rev) != 0 ||
	    git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) != 0) {
		git_object_free(obj);
		return pg_error_set(PG_EINPUT, "%s: not a commit in this repository", rev);
	}
	char buf[GIT_OID_HEXSZ + 1];
	git_oid_tostr(buf, sizeof(buf), git_object_id(commit));
	git_object_free(obj);
	git_object_free(commit);
	*hex = strdup(buf);
	return *hex ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

int pg_repo_head_id(char hex[41], git_repository *repo, const char *nothing_to)
{
	git_oid head;
	if (git_reference_name_to_id(&head, repo, "HEAD") < 0) {
		if (git_repository_head_unborn(repo) == 1)
			return pg_error_set(PG_EINPUT, "HEAD is unborn (no commit yet): nothing to %s", nothing_to);
		return pg_error_set(PG_ESYSTEM, "cannot resolve HEAD: %s", pg_git_error());
	}
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &head);
	return 0;
}

int pg_repo_first_parent(git_oid *out, int *shallow, git_repository *repo, const git_oid *id)
{
	git_commit *c = NULL;
	*shallow = 0;
	if (git_commit_lookup(&c, repo, id) != 0) {
		*shallow = git_repository_is_shallow(repo) == 1;
		return -1;
	}
	int rc = -1;
	if (git_commit_parentcount(c) > 0) {
		const git_oid *p = git_commit_parent_id(c, 0);
		git_commit *parent = NULL;
		/* A shallow clone lists the parent but does not have it. */
		if (git_commit_lookup(&parent, repo, p) == 0) {
			git_oid_cpy(out, p);
			rc = 0;
		} else {
			*shallow = 1;
		}
		git_commit_free(parent);
	} else {
		*shallow = git_repository_is_shallow(repo) == 1;
	}
	git_commit_free(c);
	return rc;
}

char *pg_repo_subject(git_repository *repo, const char *hex)
{
	git_oid oid;
	git_commit *c = NULL;
	const char *subject = NULL;
	if (repo && strnlen(hex, GIT_OID_HEXSZ + 1) == GIT_OID_HEXSZ && git_oid_fromstr(&oid, hex) == 0 &&
	    git_commit_lookup(&c, repo, &oid) == 0)
		subject = git_commit_summary(c);
	char *out = strdup(subject ? subject : "");
	git_commit_free(c);
	return out;
}

int pg_repo_signature(git_signature **out, git_repository *repo)
{
	if (git_signature_default(out, repo) == 0 || git_signature_now(out, "perfgate", "perfgate@localhost") == 0)
		return 0;
	return pg_error_set(PG_ESYSTEM, "cannot make a signature: %s", pg_git_error());
}
