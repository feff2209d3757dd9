/*
 * gitmodule.c - the module libperfgate-git.so: the one object linked with libgit2, so that the
 * libraries libgit2 needs are loaded with it, when a repository is first opened, and unloaded
 * with it (gitlib.c). It hands over libgit2's functions as a table.
 */
#define PG_GITLIB_DIRECT /* below, libgit2's own functions, not calls through the table */
#include "perfgate/gitlib.h"

#include "pg_version.h"

#include <string.h>

__attribute__((visibility("default"))) int pg_git_module_fill(pg_gitlib *table, const char *names,
							       const char *version)
{
	if (strcmp(names, PG_GITLIB_NAMES) != 0 || strcmp(version, PG_VERSION) != 0)
		return -1;
#define PG_GITLIB_FILL(name) table->name = name;
	PG_GITLIB_FUNCTIONS(PG_GITLIB_FILL)
#undef PG_GITLIB_FILL
	return 0;
}
