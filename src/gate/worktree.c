/* worktree.c - a clean checkout of another commit beside the work tree, removed whatever happens */
#include "perfgate/worktree.h"

#include "perfgate/error.h"
#include "perfgate/fileio.h"
#include "perfgate/runner.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKTREES 4

/* What to clean up if perfgate is interrupted: fixed buffers, safe to read in a handler. */
static char live_root[MAX_WORKTREES][4096], live_path[MAX_WORKTREES][4096];
static int handlers_installed;

static int git(const char *root, char **argv_tail, double timeout_s, pg_run_outcome *o)
{
	char *argv[16] = {"git", "-C", (char *)root};
	size_t n = 3;
	for (size_t i = 0; argv_tail[i] && n < 15; i++)
		argv[n++] = argv_tail[i];
	argv[n] = NULL;
	pg_run_spec spec = {.argv = argv, .timeout_s = timeout_s, .cpu = -1};
	return pg_run(o, &spec);
}

/*
 * Run a command and wait, without the spawner: this also runs from a signal
 * handler, while the spawner may be busy with the very build being interrupted.
 */
static void run_direct(char *const argv[])
{
	extern char **environ;
	pid_t pid;
	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) == 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void remove_now(const char *root, const char *path)
{
	char *rm[] = {"git", "-C", (char *)root, "worktree", "remove", "--force", (char *)path, NULL};
	char *prune[] = {"git", "-C", (char *)root, "worktree", "prune", NULL};
	run_direct(rm);
	/* If git could not, the directory still goes: it is ours, in the temporary directory. */
	if (access(path, F_OK) == 0) {
		char *argv[] = {"rm", "-rf", (char *)path, NULL};
		run_direct(argv);
	}
	run_direct(prune);
}

static void remove_all(void)
{
	for (int i = 0; i < MAX_WORKTREES; i++)
		if (live_path[i][0]) {
			remove_now(live_root[i], live_path[i]);
			live_path[i][0] = '\0';
		}
}

static void on_signal(int sig)
{
	/* Not async-signal-safe in the strict sense, but perfgate is going down anyway:
	   leaving a worktree behind is the worse outcome. */
	remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

int pg_worktree_add(char **path, const char *repo_root, const char *rev)
{
	static pg_run_outcome o;
	char *prune[] = {"worktree", "prune", NULL};
	int rc = git(repo_root, prune, 60, &o);
	if (rc)
		return rc;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/perfgate-base-XXXXXX", pg_temp_root());
	if (!mkdtemp(dir))
		return pg_error_set(PG_ESYSTEM, "cannot make a temporary directory for the base worktree");
	rmdir(dir); /* git worktree add makes it */
	char *add[] = {"worktree", "add", "--detach", "--quiet", dir, (char *)rev, NULL};
	if ((rc = git(repo_root, add, 600, &o)))
		return rc;
	if (!pg_run_succeeded(&o)) {
		char tail[600];
		snprintf(tail, sizeof(tail), "%s", o.stderr_tail);
		tail[strcspn(tail, "\n")] = '\0';
		return pg_error_set(PG_ESYSTEM, "git worktree add %s failed: %s", rev, tail);
	}
	for (int i = 0; i < MAX_WORKTREES; i++)
		if (!live_path[i][0]) {
			snprintf(live_root[i], sizeof(live_root[i]), "%s", repo_root);
			snprintf(live_path[i], sizeof(live_path[i]), "%s", dir);
			break;
		}
	if (!handlers_installed) {
		handlers_installed = 1;
		atexit(remove_all);
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	*path = strdup(dir);
	return *path ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
}

void pg_worktree_remove(const char *repo_root, const char *path)
{
	remove_now(repo_root, path);
	for (int i = 0; i < MAX_WORKTREES; i++)
		if (strcmp(live_path[i], path) == 0)
			live_path[i][0] = '\0';
}

int pg_build(char **const *steps, size_t n_steps, const char *dir, const char *what,
	     double timeout_s)
{
	static pg_run_outcome o;
	for (size_t i = 0; i < n_steps; i++) {
		pg_run_spec spec = {.argv = steps[i], .cwd = dir, .timeout_s = timeout_s, .cpu = -1};
		int rc = pg_run(&o, &spec);
		if (rc)
			return pg_error_wrap(rc, "%s does not build: step %zu", what, i + 1);
		if (!pg_run_succeeded(&o)) {
			char how[256], tail[400];
			pg_run_describe(&o, how, sizeof(how));
			/* The last line of the build's stderr is usually the error. */
			size_t len = o.stderr_len;
			while (len > 0 && o.stderr_tail[len - 1] == '\n')
				len--;
			size_t start = len;
			while (start > 0 && o.stderr_tail[start - 1] != '\n')
				start--;
			snprintf(tail, sizeof(tail), "%.*s", (int)(len - start), o.stderr_tail + start);
			return pg_error_set(PG_EFAIL, "%s does not build: step %zu (%s) %s%s%s", what, i + 1,
					    steps[i][0], how, tail[0] ? ": " : "", tail);
		}
	}
	return 0;
}
