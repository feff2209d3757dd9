/* releases.h - what gate/publish.c asks of gate/releases.c: the release tags along the walk, decided */
#ifndef PERFGATE_GATE_RELEASES_H
#define PERFGATE_GATE_RELEASES_H

#include "perfgate/acceptance.h"
#include "perfgate/gates.h"
#include "perfgate/publish.h"
#include "perfgate/store.h"

typedef struct pg_release_walk {
	pg_store *store;
	const pg_history *h;       /* the walk, oldest first, of the site's first env key */
	const pg_gates *gates;     /* NULL: no gates */
	const char *dir;           /* the site, whose release pages may be reused */
	const pg_acceptances *accepts; /* the acceptances of the walk (NULL: none), each placed at */
	const size_t *accept_at;   /* the first commit of the walk that has it */
	const char *const *taken;  /* page names the releases must not take */
	size_t n_taken;
	int (*warn)(void *ctx, const char *text); /* a warning for the site */
	void *ctx;
} pg_release_walk;

/*
 * The tags (under refs/tags/) that point at a commit of the walk with
 * results of its env key, oldest first: each compared with the one before
 * (the first with none: its absolute gates only), the acceptances made
 * between the two applied (r->verdict, r->status). A release whose inputs
 * (its notes, the previous release's, the acceptances between them, the
 * gates file, tag and date) hash to the key its page on disk was made from
 * reuses that page's sign-off without measuring. A gates file the results
 * do not fit is left out of that release's comparison, with a warning.
 * Release with pg_publish_releases_free. Returns 0, PG_ESYSTEM (notes that
 * cannot be read) or PG_ENOMEM.
 */
int pg_gate_releases(pg_publish_release **out, size_t *n, const pg_release_walk *wk);

#endif
