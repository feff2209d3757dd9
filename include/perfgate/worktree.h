/* worktree.h - a clean checkout of another commit beside the work tree, removed whatever happens */
#ifndef PERFGATE_WORKTREE_H
#define PERFGATE_WORKTREE_H

#include <stddef.h>

/*
 * `git worktree add --detach` of rev in a new temporary directory, after a
 * `git worktree prune` of what earlier runs left. The directory is removed
 * by pg_worktree_remove, at exit, and on SIGINT/SIGTERM. *path is the
 * directory (caller frees). PG_EINPUT when rev does not resolve, PG_ESYSTEM
 * when git fails (its message quoted).
 */
int pg_worktree_add(char **path, const char *repo_root, const char *rev);

/* Remove a worktree made by pg_worktree_add (git worktree remove --force, then prune). */
void pg_worktree_remove(const char *repo_root, const char *path);

/*
 * Run each build step (argv lists) in dir, in order. PG_EFAIL with
 * "<what> does not build: step N (cmd) exited ...: <stderr tail>" when a
 * step fails, PG_ESYSTEM when it cannot start.
 */
int pg_build(char **const *steps, size_t n_steps, const char *dir, const char *what,
	     double timeout_s);

#endif
