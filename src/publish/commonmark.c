/*
 * commonmark.c - the module libperfgate-commonmark.so: markdown to HTML through cmark-gfm,
 * GitHub's own parser (the sign-off's tables need GFM). A module of its own so that cmark-gfm
 * and its extensions are loaded only by the verb that renders markdown (publish), not by every
 * verb's start; markdown.c loads it.
 */
#include "publish/commonmark.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

__attribute__((visibility("default"))) int pg_commonmark_render(char **html, const char *md, size_t len)
{
	*html = NULL;
	/* Registers the GFM extensions once per process (cmark-gfm keeps them in a global registry). */
	cmark_gfm_core_extensions_ensure_registered();
	cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
	cmark_syntax_extension *table = cmark_find_syntax_extension("table");
	if (!parser || !table || !cmark_parser_attach_syntax_extension(parser, table)) {
		if (parser)
			cmark_parser_free(parser);
		return -1;
	}
	cmark_parser_feed(parser, md, len);
	cmark_node *doc = cmark_parser_finish(parser);
	/* CMARK_OPT_DEFAULT leaves out CMARK_OPT_UNSAFE: raw HTML and javascript: links are dropped. */
	char *out = doc ? cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser))
			: NULL;
	if (doc)
		cmark_node_free(doc);
	cmark_parser_free(parser);
	if (!out)
		return -1;
	/* cmark allocates with its default allocator, malloc: the caller's free() matches it. */
	*html = out;
	return 0;
}
