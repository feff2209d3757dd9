/*
 * markdown.c - pg_markdown_to_html: loads the module libperfgate-commonmark.so (commonmark.c,
 * which links cmark-gfm) on the first call. Every other verb starts without cmark-gfm and its
 * extensions: some 220 KB of resident pages and two libraries fewer for the loader.
 */
#include "publish/commonmark.h"

#include "perfgate/error.h"
#include "perfgate/module.h"


int pg_markdown_to_html(char **html, const char *md, size_t len)
{
	static pg_commonmark_render_fn render;
	*html = NULL;
	if (!render) {
		void *module;
		char path[PG_MODULE_PATH_MAX];
		int rc = pg_module_open(&module, path, PG_COMMONMARK_MODULE, "markdown to HTML");
		/* Kept loaded: cmark-gfm keeps its extensions in a process-wide registry. */
		if (rc || (rc = pg_module_function(&render, module, path, "pg_commonmark_render")))
			return rc;
	}
	if (render(html, md, len) != 0)
		return pg_error_set(PG_ENOMEM, "out of memory (markdown to HTML)");
	return 0;
}
