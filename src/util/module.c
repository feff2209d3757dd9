/* module.c - perfgate's own modules: found beside the code that loads them, or where a test says */
#include "perfgate/module.h"

#include "perfgate/error.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static char module_dir[PATH_MAX];

void pg_module_dir(const char *dir)
{
	snprintf(module_dir, sizeof(module_dir), "%s", dir ? dir : "");
}

/*
 * Where module NAME is: in the directory set, else beside the object holding
 * this function. -1 when neither is known (never the working directory: it
 * is the repository being checked).
 */
static int module_path(char *buf, size_t size, const char *name)
{
	Dl_info self;
	char dir[PATH_MAX];
	if (module_dir[0]) {
		snprintf(dir, sizeof(dir), "%s", module_dir);
	} else if (dladdr((void *)module_path, &self) && self.dli_fname && strchr(self.dli_fname, '/')) {
		snprintf(dir, sizeof(dir), "%s", self.dli_fname);
		*strrchr(dir, '/') = '\0';
	} else {
		return -1;
	}
	snprintf(buf, size, "%s/%s", dir, name);
	return 0;
}

int pg_module_open(void **handle, char *path, const char *name, const char *purpose)
{
	*handle = NULL;
	if (module_path(path, PG_MODULE_PATH_MAX, name) != 0)
		return pg_error_set(PG_ESYSTEM, "cannot tell where %s is (%s); reinstall perfgate", name, purpose);
	*handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!*handle)
		return pg_error_set(PG_ESYSTEM, "cannot load %s (%s): %s; reinstall perfgate", path, purpose,
				    dlerror());
	return 0;
}

int pg_module_function(void *fn, void *handle, const char *path, const char *symbol)
{
	/* POSIX's way to a function from dlsym: through the pointer's object representation. */
	void *found = dlsym(handle, symbol);
	memcpy(fn, &found, sizeof(found));
	if (!found)
		return pg_error_set(PG_ESYSTEM, "%s has no %s; reinstall perfgate", path, symbol);
	return 0;
}
