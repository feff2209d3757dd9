/* commonmark.h - GitHub-flavoured markdown to HTML through cmark-gfm, for documents perfgate writes as markdown */
#ifndef PERFGATE_PUBLISH_COMMONMARK_H
#define PERFGATE_PUBLISH_COMMONMARK_H

#include <stddef.h>

/*
 * Render len bytes of markdown (tables included) as an HTML fragment in
 * *html (caller frees). Raw HTML in the text is never passed through: the
 * renderer runs in cmark-gfm's safe mode. Returns 0 or PG_ENOMEM.
 */
int pg_markdown_to_html(char **html, const char *md, size_t len);

#endif
