/* module.h - perfgate's own modules (libperfgate-*.so): where they are, and loading one */
#ifndef PERFGATE_MODULE_H
#define PERFGATE_MODULE_H

#include <limits.h>
#include <stddef.h>

/* Room for a module's path. */
#define PG_MODULE_PATH_MAX (PATH_MAX + 64)

/*
 * Where to look for the modules (copied; NULL or "" for the default). Unset,
 * they are looked for beside the object this code is linked into:
 * libperfgate-cli.so, built or installed. A program that links perfgate's
 * core itself (a unit test) names the directory.
 */
void pg_module_dir(const char *dir);

/*
 * dlopen the module NAME (RTLD_LAZY | RTLD_LOCAL) into *handle, its path into
 * path (PG_MODULE_PATH_MAX bytes). PURPOSE says what it is for in a message
 * ("markdown to HTML"). 0, or PG_ESYSTEM naming the path and the loader's
 * reason, ending "; reinstall perfgate".
 */
int pg_module_open(void **handle, char *path, const char *name, const char *purpose);

/*
 * The function SYMBOL of the module loaded from PATH, into *fn (a function
 * pointer's address). 0, or PG_ESYSTEM naming the path and the symbol.
 */
int pg_module_function(void *fn, void *handle, const char *path, const char *symbol);

#endif
