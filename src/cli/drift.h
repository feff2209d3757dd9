/* drift.h - what `check` reads back along history: drift over N commits, unaccepted level shifts */
#ifndef PERFGATE_CLI_DRIFT_H
#define PERFGATE_CLI_DRIFT_H

#include "cli.h"

#include "perfgate/compare.h"
#include "perfgate/gates.h"
#include "perfgate/result.h"
#include "perfgate/store.h"

/*
 * Compare head with the stored results of the target branch N first-parent
 * commits back (from the merge-base with target, or from HEAD on the target
 * itself; the first commit at or beyond that with results of head's env
 * key) and add to v each gated primary metric whose cumulative change is a
 * regression no acceptance in between covers: on the target branch
 * (GITHUB_REF is refs/heads/<target>, or HEAD is the target's tip) as a
 * regression row noted "drift over N commits: +X %", elsewhere (a PR) as a
 * warning. target NULL: $GITHUB_BASE_REF, else origin's default branch.
 * When there is nothing to compare with, a warning says so. v is decided
 * anew. Returns 0, PG_EINPUT (a gate names a metric head lacks), PG_ENOMEM,
 * PG_ESYSTEM (the store cannot be read).
 */
int pg_cli_drift(pg_verdict *v, const pg_cli_context *ctx, pg_store *store, const pg_result_set *head,
		 const pg_gates *gates, int n, const char *target, const pg_compare_options *co);

/*
 * The change points (as `perfgate changes` finds them) of each benchmark's
 * primary metric over the n first-parent commits from head's commit, in
 * head's env key, that go the bad way and that no acceptance covers: set as
 * v->shifts, for the reports to list. They do not change the verdict (each
 * passed its own check, or crept in). Nothing stored, no repository: none,
 * with a warning when the history could not be read. Returns 0 or PG_ENOMEM.
 */
int pg_cli_level_shifts(pg_verdict *v, const pg_cli_context *ctx, pg_store *store, const pg_result_set *head,
			int n);

#endif
