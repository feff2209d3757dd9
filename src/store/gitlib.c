/*
 * gitlib.c - libgit2 through the module libperfgate-git.so: loaded when a repository is first
 * opened, unloaded by pg_gitlib_close. check and run let it go while their benchmarks run: libgit2 and the
 * libraries only it needs (mbedTLS, Kerberos, libssh2, PCRE2, http-parser) leave the process,
 * some 2.5 MB of its resident pages (tests/bench/check_time.sh).
 */
#define PG_GITLIB_DIRECT /* the names below are the table's members */
#include "perfgate/gitlib.h"

#include "perfgate/error.h"
#include "perfgate/log.h"
#include "perfgate/module.h"
#include "pg_version.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

/* What libgit2 may keep of the objects it parsed. */
#define PG_GIT_CACHE_BYTES (2 * 1024 * 1024)
/*
 * How much of the packs libgit2 maps at a time, and in windows of what size
 * (libgit2's defaults: 1 GiB windows, 8 GiB mapped). A walk of a long history
 * reads across the whole pack: with 128 KiB windows and 512 KiB mapped it
 * unmapped a window every few commits, and munmap's TLB flushes were 64 % of
 * `log -n 10000` in a 100,000-commit history (1.2 s; 0.66 s with 2 MiB and
 * 8 MiB, tests/bench/notes_scale.sh). A verb that measures beside what it read
 * keeps the small ones: 2/8 MiB cost check's peak RSS 83 KB (8 runs each).
 */
static const size_t window_bytes[] = {[PG_GIT_WINDOWS_WALK] = 2 * 1024 * 1024,
				      [PG_GIT_WINDOWS_SMALL] = 128 * 1024};
static const size_t mapped_bytes[] = {[PG_GIT_WINDOWS_WALK] = 8 * 1024 * 1024,
				      [PG_GIT_WINDOWS_SMALL] = 512 * 1024};

static pg_gitlib table;
static void *module; /* NULL: not loaded, the table all NULL */
static pg_git_windows windows = PG_GIT_WINDOWS_WALK;

void pg_gitlib_windows(pg_git_windows w)
{
	windows = w;
	if (module) {
		table.git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window_bytes[w]);
		table.git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, mapped_bytes[w]);
	}
}

int pg_gitlib_open(void)
{
	pg_git_module_fill_fn fill;
	char path[PG_MODULE_PATH_MAX];
	int rc;
	if (module)
		return 0;
	if ((rc = pg_module_open(&module, path, PG_GIT_MODULE, "git repositories")) ||
	    (rc = pg_module_function(&fill, module, path, "pg_git_module_fill")))
		goto fail;
	if (fill(&table, PG_GITLIB_NAMES, PG_VERSION) != 0) {
		rc = pg_error_set(PG_ESYSTEM, "%s is not the git module of this perfgate %s; reinstall perfgate",
				  path, PG_VERSION);
		goto fail;
	}
	if (table.git_libgit2_init() < 0) {
		rc = pg_error_set(PG_ESYSTEM, "cannot start libgit2: %s", pg_git_error());
		goto fail;
	}
	/*
	 * A walk reads each commit once: libgit2's object cache (256 MiB by default)
	 * would only hold 100,000 parsed commits of a long log.
	 */
	table.git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)PG_GIT_CACHE_BYTES);
	/* Nor need packs be mapped whole: every page of a long history's pack read once would stay resident. */
	pg_gitlib_windows(windows);
	return 0;
fail:
	memset(&table, 0, sizeof(table));
	if (module)
		dlclose(module);
	module = NULL;
	return rc;
}

void pg_gitlib_close(void)
{
	if (!module)
		return;
	table.git_libgit2_shutdown();
	memset(&table, 0, sizeof(table));
	dlclose(module);
	module = NULL;
}

const char *pg_git_error(void)
{
	const git_error *e = module ? table.git_error_last() : NULL;
	return e && e->message ? e->message : "unknown error";
}

const pg_gitlib *pg_gitlib_fns(void)
{
	if (!module && pg_gitlib_open() != 0) {
		/*
		 * Every verb opens a repository (pg_repo_discover) before calling libgit2
		 * and reports a module that cannot be loaded there; a call that gets here
		 * first has no way to return the error.
		 */
		pg_log_error(pg_error_message());
		exit(3);
	}
	return &table;
}
