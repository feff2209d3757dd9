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

/*
 * `perfgate accept`: store on commit (40 hex) a perfgate-accept/1 record
 * saying that the change of the metrics matching globs[0..n) is intended,
 * up to max (a bound such as "+25%", NULL: any), for reason, signed as the
 * repository's user (or perfgate <perfgate@localhost>) and dated now.
 * Returns 0, or what pg_store_append returns.
 */
int pg_accept_record_save(pg_store *store, const char *commit, char *const *globs, size_t n,
			  const char *max, const char *reason);

#endif
