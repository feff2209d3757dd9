/* commonmark.c - markdown to HTML through cmark-gfm, GitHub's own parser (the sign-off's tables need GFM) */
#include "publish/commonmark.h"

#include "perfgate/error.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

int pg_markdown_to_html(char **html, const char *md, size_t len)
{
	*html = NULL;
	/* Registers the GFM extensions once per process (cmark-gfm keeps them in a global registry). */
	cmark_gfm_core_extensions_ensure_registered();
	cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
	cmark_syntax_extension *table = cmark_find_syntax_extension("table");
	if (!parser || !table || !cmark_parser_attach_syntax_extension(parser, table)) {
		if (parser)
			cmark_parser_free(parser);
		return pg_error_set(PG_ENOMEM, "out of memory (markdown parser)");
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
		return pg_error_set(PG_ENOMEM, "out of memory (markdown renderer)");
	/* cmark allocates with its default allocator, malloc: the caller's free() matches it. */
	*html = out;
	return 0;
}
