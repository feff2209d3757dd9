/* accept.h - where intended changes are read and written: Perfgate-Accept trailers, accept records, a PR label */
#ifndef PERFGATE_ACCEPT_H
#define PERFGATE_ACCEPT_H

#include "perfgate/acceptance.h"
#include "perfgate/store.h"

#include <git2.h>
#include <stddef.h>

/*
 * Collect what accepts changes between base and head: `Perfgate-Accept:
 * <glob> [<bound>]` trailers (git_message_trailers, and GitHub's squash
 * form "* Perfgate-Accept: ...") of every commit in base..head (all
 * parents), the perfgate-accept/1 records stored on those commits (store
 * may be NULL), and, when label is set, the label itself (accepting every
 * metric). base NULL: head alone. Matching them to a verdict is compare's
 * (pg_acceptances_apply). Free with pg_acceptances_release.
 */
int pg_acceptances_collect(pg_acceptances *out, git_repository *repo, pg_store *store,
			   const char *base, const char *head, const char *label);

#endif
