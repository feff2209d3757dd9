/* commonmark.h - GitHub-flavoured markdown to HTML through cmark-gfm, for documents perfgate writes as markdown */
#ifndef PERFGATE_PUBLISH_COMMONMARK_H
#define PERFGATE_PUBLISH_COMMONMARK_H

#include <stddef.h>

/* The module markdown.c loads: where it is looked for, and the one function it exports. */
#define PG_COMMONMARK_MODULE "libperfgate-commonmark.so"
typedef int (*pg_commonmark_render_fn)(char **html, const char *md, size_t len);
/* In the module: as pg_markdown_to_html, but 0 or -1 (out of memory) only. */
int pg_commonmark_render(char **html, const char *md, size_t len);

/*
 * Render len bytes of markdown (tables included) as an HTML fragment in
 * *html (caller frees). Raw HTML in the text is never passed through: the
 * renderer runs in cmark-gfm's safe mode. The first call loads the module.
 * Returns 0, PG_ENOMEM, or PG_ESYSTEM naming the module when it cannot be
 * loaded.
 */
int pg_markdown_to_html(char **html, const char *md, size_t len);

#endif
