/*
 * markdown.c - pg_markdown_to_html: loads the module libperfgate-commonmark.so (commonmark.c,
 * which links cmark-gfm) on the first call. Every other verb starts without cmark-gfm and its
 * extensions: some 220 KB of resident pages and two libraries fewer for the loader.
 */
#include "publish/commonmark.h"

#include "perfgate/error.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char module_dir[PATH_MAX];

void pg_markdown_module_dir(const char *dir)
{
	snprintf(module_dir, sizeof(module_dir), "%s", dir ? dir : "");
}

/*
 * Where the module is: in the directory set, else beside the object holding
 * this function. -1 when neither is known (never the working directory: it
 * is the repository being checked).
 */
static int module_path(char *buf, size_t size)
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
	snprintf(buf, size, "%s/%s", dir, PG_COMMONMARK_MODULE);
	return 0;
}

int pg_markdown_to_html(char **html, const char *md, size_t len)
{
	static pg_commonmark_render_fn render;
	*html = NULL;
	if (!render) {
		char path[PATH_MAX + 64];
		if (module_path(path, sizeof(path)) != 0)
			return pg_error_set(PG_ESYSTEM, "cannot tell where %s is (markdown to HTML); reinstall perfgate",
					    PG_COMMONMARK_MODULE);
		/* Kept loaded: cmark-gfm keeps its extensions in a process-wide registry. */
		void *module = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
		if (!module)
			return pg_error_set(PG_ESYSTEM, "cannot load %s (markdown to HTML): %s; reinstall perfgate",
					    path, dlerror());
		*(void **)&render = dlsym(module, "pg_commonmark_render"); /* POSIX's way to a function */
		if (!render)
			return pg_error_set(PG_ESYSTEM, "%s has no pg_commonmark_render; reinstall perfgate", path);
	}
	if (render(html, md, len) != 0)
		return pg_error_set(PG_ENOMEM, "out of memory (markdown to HTML)");
	return 0;
}
