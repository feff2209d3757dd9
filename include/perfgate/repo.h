/* repo.h - the git repository perfgate runs in: root, HEAD, dirty state, first parents, subjects */
#ifndef PERFGATE_REPO_H
#define PERFGATE_REPO_H

#include <git2.h>

/*
 * Open the repository containing `start` (searching upwards). Returns 0,
 * 1 when start is not inside a repository (*out NULL), or PG_ESYSTEM.
 * Free with git_repository_free. Loads libgit2 first (pg_gitlib_open):
 * call it before any other libgit2 function; unloads it again when there is
 * no repository.
 */
int pg_repo_discover(git_repository **out, const char *start);

/*
 * Let go of the packs libgit2 has mapped (and the windows into them) by
 * giving repo a fresh object database: between the stages of a verb, so
 * that the pages one stage read are not still resident while the next
 * measures. Only public libgit2 calls: everything else the repository holds
 * (config, index, refs, shallow state) stays as it is. Objects parsed before
 * stay valid. 0, or PG_ESYSTEM when the database cannot be opened again.
 */
int pg_repo_release(git_repository *repo);

/* Work tree root of repo (no trailing slash), caller frees; NULL for a bare repo. */
char *pg_repo_root(git_repository *repo);

/*
 * HEAD's commit id as 40 hex (caller frees) and whether tracked files are
 * modified (untracked files do not count). PG_EINPUT naming the branch when
 * HEAD is unborn.
 */
int pg_repo_head(char **commit, int *dirty, git_repository *repo);

/* Resolve a revision to a commit's 40 hex (caller frees); PG_EINPUT naming rev when it is not one. */
int pg_repo_resolve_commit(char **hex, git_repository *repo, const char *rev);

/*
 * HEAD's commit id as 40 hex, without looking at the work tree. PG_EINPUT
 * "HEAD is unborn (no commit yet): nothing to <nothing_to>" before the
 * first commit, PG_ESYSTEM when HEAD cannot be resolved.
 */
int pg_repo_head_id(char hex[41], git_repository *repo, const char *nothing_to);

/*
 * The first parent of commit id, into *out: 0, or -1 at a root commit or
 * where the parent is missing; *shallow 1 when that is the edge of a
 * shallow clone (a history that goes on elsewhere).
 */
int pg_repo_first_parent(git_oid *out, int *shallow, git_repository *repo, const git_oid *id);

/* The subject line of commit hex (40 hex), "" when it cannot be read; NULL only on ENOMEM. Caller frees. */
char *pg_repo_subject(git_repository *repo, const char *hex);

/* The repository's user as a signature, else perfgate <perfgate@localhost> (CI runners rarely have one). */
int pg_repo_signature(git_signature **out, git_repository *repo);

#endif
